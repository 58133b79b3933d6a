"""The delivery manifest: one row per student with both files, their sha256, QC verdict, station, time.

Written as CSV (UTF-8 with BOM, so Excel and WPS read the Chinese) and as a
workbook with the exceptions on their own sheets (未能导出, 待处理: no valid ID number, with the reason).
Rewritten only when its content changed, so a second export run leaves the
delivery folder untouched.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from app.delivery_plan import MANIFEST, DeliveryProfile, Planned
from app.reports.xlsx import BAD_FILL, Col, Highlight, Table, csv_text, workbook_bytes
from capture.atomic import write_atomic

MANIFEST_HEADERS = [
    "序号",
    "学校",
    "学院",
    "班级",
    "专业",
    "学号",
    "姓名",
    "身份证号",
    "命名依据",
    "照片文件",
    "照片sha256",
    "照片字节",
    "JPEG质量",
    "大小符合",
    "原片文件",
    "原片sha256",
    "检查结论",
    "未通过仍采用原因",
    "机位",
    "拍摄时间",
    "选定时间",
    "状态",
]

VERDICTS = {"pass": "通过", "warn": "提醒", "fail": "未通过", "error": "无法判断", None: "未检查"}


def manifest_rows(rows: list[Planned]) -> list[list[Any]]:
    out = []
    for i, p in enumerate(rows, start=1):
        s = p.student
        ok = p.error is None
        out.append(
            [
                i,
                s.school,
                s.college,
                s.class_name,
                s.major,
                s.student_no,
                s.name,
                s.id_number,
                p.named_by,
                p.photo_rel if ok else "",
                p.photo_sha if ok else "",
                p.photo_bytes if ok else "",
                p.quality if ok else "",
                ("是" if p.size_ok else "否") if ok else "",
                p.original_rel if ok else "",
                p.original_sha if ok else "",
                VERDICTS.get(p.qc_verdict, p.qc_verdict),
                p.override or "",
                p.station,
                p.taken_at.strftime("%Y-%m-%d %H:%M:%S"),
                p.selected_at.strftime("%Y-%m-%d %H:%M:%S"),
                (f"待处理: {p.pending}" if p.pending else "已导出") if ok else f"未导出: {p.error}",
            ]
        )
    return out


def renamed_folders(rows: list[Planned]) -> list[list[str]]:
    """[level, name in the roster, folder name in the delivery] for every folder not named as in the roster."""
    out: dict[tuple[int, tuple], list[str]] = {}
    for p in rows:
        s = p.student
        originals = [s.school or "学校", s.college or "", s.class_name or ""]
        parts = p.photo_rel.split("/")[1:-1]
        for level, (orig, name) in enumerate(zip(originals, parts)):
            if orig != name:
                out.setdefault((level, tuple(originals[: level + 1])), [("学校", "学院", "班级")[level], orig, name])
    return [out[k] for k in sorted(out)]


def write_manifest(root: Path, rows: list[Planned], profile: DeliveryProfile) -> None:
    data = manifest_rows(rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(MANIFEST_HEADERS)
    w.writerows([csv_text(v) for v in row] for row in data)  # a name like "=HYPERLINK(…)" opens as text
    csv_bytes = ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
    csv_path = root / f"{MANIFEST}.csv"
    xlsx_path = root / f"{MANIFEST}.xlsx"
    if csv_path.is_file() and xlsx_path.is_file() and csv_path.read_bytes() == csv_bytes:
        return  # unchanged: a second run rewrites nothing
    write_atomic(csv_path, csv_bytes)
    failed = [p for p in rows if p.error]
    pending = [p for p in rows if not p.error and p.pending]
    tables = [
        Table(
            "交付清单",
            [Col(h) for h in MANIFEST_HEADERS],
            data,
            preamble=[f"交付格式: {profile.description}; 共 {len(rows)} 人, 以身份证号交付 "
                      f"{len(rows) - len(failed) - len(pending)} 人, 待处理 {len(pending)} 人"],
            highlight=[Highlight('OR(LEFT($V{r},3)="未导出",LEFT($V{r},3)="待处理")', BAD_FILL)],
        ),
        Table(
            "未能导出",
            [Col("学院"), Col("班级"), Col("学号"), Col("姓名"), Col("原因", width=70)],
            [[p.student.college, p.student.class_name, p.student.student_no, p.student.name, p.error] for p in failed],
            empty_note="无",
        ),
        Table(
            "待处理",
            [Col("学院"), Col("班级"), Col("学号"), Col("姓名"), Col("名单身份证号"), Col("原因", width=50), Col("文件")],
            [[p.student.college, p.student.class_name, p.student.student_no, p.student.name, p.student.id_number,
              p.pending, p.photo_rel] for p in pending],
            preamble=["这些学生没有有效的身份证号, 照片未交付, 放在 待处理/ (学号_姓名.jpg): 核实身份证号后再导出"],
            empty_note="无",
        ),
        Table(
            "文件夹改名",
            [Col("级别"), Col("名单中的名称", width=60), Col("交付中的文件夹名", width=60)],
            renamed_folders(rows),
            preamble=["这些学校/学院/班级名称不能直接作文件夹名 (过长、含 / \\ : * ? 等字符、. 或 .., "
                      "Windows 保留名, 或与另一名称只差大小写/截断后相同), 已改名 (app.safe_names)"],
            empty_note="无",
        ),
    ]
    write_atomic(xlsx_path, workbook_bytes(tables))
