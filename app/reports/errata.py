"""The errata form of attachment 3 (电子图像采集及勘误反馈表), filled from what the station knows.

One row per student with a problem: data problems reported at the camera
(``DataIssue``, not resolved), roster rows with errors (``RosterFinding``
severity "error") and ID numbers read from the card at the camera
(``shots.id_read``, where that column exists) that differ from the roster's.

Only what the centre can act on goes on its form: image problems (图像不符)
and ID-number problems (身份证号错误), with the correct number in 正确信息 (a
typed correction first, else the number read from the card). Everything else
(a wrong name, an empty 考生号, a student not on the roster) goes on a second
sheet for the school (学校核对), which the school settles itself. The line
saying where the form goes (附件3's "此表请寄送…") is the ``errata.recipient``
setting. The columns are the centre's: 序号, 姓名, 原身份证号,
图像错误类型 (图像不符 / 身份证号错误, ticked with √), 正确信息 (身份证号), 备注;
a second sheet gives each source item with college, class and student number
so the school can check it. The school's contact lines come from the
``school.*`` settings and are left as blanks to fill in by hand when unset.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.models import DATA_ISSUE_KINDS, DataIssue, RosterFinding
from app.reports.common import StudentRow, load_students
from app.reports.xlsx import save_workbook
from app.roster.fields import LABEL_ZH
from app.roster.idcard import is_valid, to18

CENTRE = "江苏省高校招生就业指导服务中心"

TICK = "√"
FIELD_NAMES = LABEL_ZH  # the roster fields by their Chinese names


@dataclass
class ErrataItem:
    """One source of a row: a camera report or a roster finding."""

    source: str  # 现场报告 / 名单第N行 / 名单外
    field: str
    kind: str  # image_mismatch / id_wrong / name_wrong / other / roster
    text: str
    original: str | None = None
    correct: str | None = None

    @property
    def for_centre(self) -> bool:
        """Image and ID-number items go on the centre's form; the rest to the school."""
        return self.kind in ("image_mismatch", "id_wrong") or (self.kind == "roster" and self.field == "Sfzh")


@dataclass
class ErrataRow:
    student: StudentRow | None
    name: str
    id_number: str
    image_mismatch: bool = False
    id_wrong: bool = False
    correct_id: str = ""
    items: list[ErrataItem] = field(default_factory=list)

    @property
    def for_centre(self) -> bool:
        return self.image_mismatch or self.id_wrong

    @property
    def note(self) -> str:
        """The centre's 备注: its image and ID-number items only."""
        return self.note_of([it for it in self.items if it.for_centre])

    @property
    def school_items(self) -> list[ErrataItem]:
        return [it for it in self.items if not it.for_centre]

    @staticmethod
    def note_of(items: list[ErrataItem]) -> str:
        parts = []
        for it in items:
            if it.kind == "image_mismatch":
                parts.append(f"{it.source}: 图像不符" + (f" ({it.text})" if it.text else ""))
            elif it.kind == "id_wrong" and not it.text:
                continue  # the tick and the correct number say it all
            elif it.kind == "name_wrong":
                parts.append(f"{it.source}: 姓名有误" + (f", 应为 {it.correct}" if it.correct else "") + (f" ({it.text})" if it.text else ""))
            else:
                parts.append(f"{it.source}: {it.text}")
        return "; ".join(dict.fromkeys(p for p in parts if p))


@dataclass
class Errata:
    rows: list[ErrataRow]
    school: str
    contact: str
    phone: str
    email: str
    recipient: str = ""

    @property
    def centre_rows(self) -> list[ErrataRow]:
        return [r for r in self.rows if r.for_centre]

    @property
    def school_rows(self) -> list[ErrataRow]:
        return [r for r in self.rows if r.school_items]


def _camera_id_reads(session: Session, ids: set[int]) -> dict[int, str]:
    """The last ID number read from the card at the camera per student (``shots.id_read``, when the column exists)."""
    from sqlalchemy import column, inspect, table

    if "id_read" not in {c["name"] for c in inspect(session.connection()).get_columns("shots")}:
        return {}
    shots = table("shots", column("student_id"), column("id_read"), column("taken_at"), column("id"))
    out: dict[int, str] = {}
    for sid, value in session.execute(
        select(shots.c.student_id, shots.c.id_read)
        .where(shots.c.id_read.is_not(None), shots.c.id_read != "")
        .order_by(shots.c.taken_at, shots.c.id)
    ):
        if sid in ids:
            out[sid] = str(value).strip().upper()
    return out


def _same_id(a: str, b: str) -> bool:
    a, b = (a or "").strip().upper(), (b or "").strip().upper()
    if a == b:
        return True
    try:
        return (to18(a) if len(a) == 15 else a) == (to18(b) if len(b) == 15 else b)
    except ValueError:
        return False


def build(session: Session, *, college: str | None = None, class_name: str | None = None,
          school: str | None = None) -> Errata:
    students = load_students(session, college=college, class_name=class_name, school=school)
    by_id = {s.id: s for s in students}
    rows: dict[object, ErrataRow] = {}

    def row_for(sid: int | None, key: object, name: str = "", id_number: str = "") -> ErrataRow:
        r = rows.get(key)
        if r is None:
            s = by_id.get(sid) if sid is not None else None
            r = rows[key] = ErrataRow(s, s.name if s else name, s.id_number if s else id_number)
        return r

    issues = session.execute(
        select(
            DataIssue.id,
            DataIssue.student_id,
            DataIssue.field,
            DataIssue.kind,
            DataIssue.original_value,
            DataIssue.correct_value,
            DataIssue.note,
            DataIssue.source,
        )
        .where(DataIssue.resolved_at.is_(None))
        .order_by(DataIssue.reported_at, DataIssue.id)
    ).all()
    filtered = bool(college or class_name or school)
    for d in issues:
        if d.student_id is not None and d.student_id not in by_id:
            continue
        if d.student_id is None and filtered:
            continue
        key = d.student_id if d.student_id is not None else ("issue", d.id)
        r = row_for(d.student_id, key, name="", id_number=(d.original_value or "") if d.field == "Sfzh" else "")
        source = {"camera": "现场报告", "roster": "名单", "unlisted": "名单外学生(现场补录)"}.get(d.source, d.source)
        kind = d.kind if d.kind in DATA_ISSUE_KINDS else "other"
        if d.field == "Sfzh" and kind == "other":
            kind = "id_wrong"
        item = ErrataItem(source, d.field or "", kind, d.note or "", d.original_value, d.correct_value)
        r.items.append(item)
        if kind == "image_mismatch":
            r.image_mismatch = True
        elif kind == "id_wrong":
            r.id_wrong = True
            if d.correct_value:
                r.correct_id = d.correct_value
        if d.source == "unlisted" and not item.text:
            item.text = "名单中没有该学生"

    findings = session.execute(
        select(
            RosterFinding.student_id,
            RosterFinding.row,
            RosterFinding.field,
            RosterFinding.code,
            RosterFinding.message,
            RosterFinding.original,
            RosterFinding.fixed,
        )
        .where(RosterFinding.severity == "error")
        .order_by(RosterFinding.row, RosterFinding.id)
    ).all()
    for f in findings:
        if f.student_id is None or f.student_id not in by_id:
            continue  # a row that never became a student is in the roster report, not here
        r = row_for(f.student_id, f.student_id)
        fname = FIELD_NAMES.get(f.field, f.field)
        text = f.message if fname in f.message else f"{fname}: {f.message}"
        item = ErrataItem(f"名单第{f.row}行", f.field, "roster", text, f.original, f.fixed)
        r.items.append(item)
        if f.field == "Sfzh":
            r.id_wrong = True
            if f.fixed and not r.correct_id:
                r.correct_id = f.fixed

    for sid, read in _camera_id_reads(session, set(by_id)).items():
        s = by_id[sid]
        if _same_id(read, s.id_number) or not is_valid(read):
            continue  # the card agrees with the roster (or the read is not a number at all)
        r = row_for(sid, sid)
        r.id_wrong = True
        typed = r.correct_id
        if not typed:
            r.correct_id = read
        text = "" if not typed or _same_id(typed, read) else f"现场读取身份证为 {read}, 与填写的正确号码不同, 请核对"
        r.items.append(ErrataItem("现场读卡", "Sfzh", "id_wrong", text, s.id_number, read))

    order = {s.id: i for i, s in enumerate(students)}
    ordered = sorted(
        rows.values(),
        key=lambda r: (order.get(r.student.id, 1 << 30) if r.student else 1 << 30, r.name),
    )
    return Errata(
        ordered,
        school=str(settings.get(session, "school.name") or (students[0].school if students else "")),
        contact=str(settings.get(session, "school.contact") or ""),
        phone=str(settings.get(session, "school.phone") or ""),
        email=str(settings.get(session, "school.email") or ""),
        recipient=str(settings.get(session, "errata.recipient") or ""),
    )


def _blank(value: str, width: int = 12) -> str:
    return value if value else "_" * width


def workbook(errata: Errata):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    wb = Workbook()
    ws = wb.active
    ws.title = "勘误反馈表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    widths = {"A": 6, "B": 12, "C": 22, "D": 10, "E": 12, "F": 22, "G": 40}
    for col, w in widths.items():
        ws.column_dimensions[col].width = w

    ws.merge_cells("A1:G1")
    ws["A1"] = "电子图像采集及勘误反馈表"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws["A2"] = f"{CENTRE}："
    ws.merge_cells("A3:G3")
    centre_rows = errata.centre_rows
    ws["A3"] = (
        f"    我校已于____年___月___日收到贵中心交付的毕业生电子图像，经校对，我校以下 {len(centre_rows)} 名"
        "学生的电子图像信息有误，现将意见和正确信息反馈如下："
    )
    ws["A3"].alignment = left
    ws.row_dimensions[3].height = 36

    h1, h2 = 5, 6
    for col, text in (("A", "序号"), ("B", "姓名"), ("C", "原身份证号"), ("G", "备注")):
        ws.merge_cells(f"{col}{h1}:{col}{h2}")
        ws[f"{col}{h1}"] = text
    ws.merge_cells(f"D{h1}:E{h1}")
    ws[f"D{h1}"] = "图像错误类型"
    ws[f"D{h2}"] = "图像不符"
    ws[f"E{h2}"] = "身份证号错误"
    ws[f"F{h1}"] = "正确信息"
    ws[f"F{h2}"] = "身份证号"
    for row in ws.iter_rows(min_row=h1, max_row=h2, min_col=1, max_col=7):
        for c in row:
            c.border = box
            c.alignment = center
            c.font = bold

    r = h2 + 1
    for i, er in enumerate(centre_rows, start=1):
        values = [
            i,
            er.name,
            er.id_number,
            TICK if er.image_mismatch else "",
            TICK if er.id_wrong else "",
            er.correct_id,
            er.note,
        ]
        for j, v in enumerate(values, start=1):
            c = ws.cell(row=r, column=j, value=v)
            c.border = box
            c.alignment = left if j == 7 else center
        r += 1
    if not centre_rows:
        ws.cell(row=r, column=1, value="(无)").alignment = center
        r += 1

    r += 1
    ws.cell(row=r, column=1, value='注：请在"图像错误类型"相关栏目处打"√"，并在"正确信息"中填写正确信息。')
    r += 2
    ws.cell(row=r, column=1, value=f"学校联系人：{_blank(errata.contact)}；联系电话：{_blank(errata.phone)}；")
    r += 1
    ws.cell(row=r, column=1, value=f"QQ 邮箱：{_blank(errata.email, 20)}。")
    r += 2
    ws.cell(row=r, column=1, value=f"单位（盖章）：{_blank(errata.school, 20)}")
    ws.cell(row=r, column=6, value="____年___月___日")
    r += 2
    ws.cell(row=r, column=1, value=f"（{errata.recipient or '此表请寄送或以电子版方式交' + CENTRE}）")

    ws.freeze_panes = f"A{h2 + 1}"
    ws.print_title_rows = f"{h1}:{h2}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    # a printed form: no filter buttons on it (the 明细 sheet has them)

    # The school's own sheet: what is not the centre's business (a wrong name, an empty 考生号, ...).
    school = wb.create_sheet("学校核对")
    school.append([f"以下问题不属于电子图像或身份证号, 不交中心: 请学校核对名单并自行更正 ({len(errata.school_rows)} 人)"])
    school.append(["序号", "学院", "班级", "学号", "姓名", "来源", "字段", "问题", "原值", "正确值"])
    for c in school[2]:
        c.font = bold
    for i, er in enumerate(errata.school_rows, start=1):
        s = er.student
        for it in er.school_items:
            school.append([
                i, s.college if s else "", s.class_name if s else "", s.student_no if s else "", er.name, it.source,
                FIELD_NAMES.get(it.field, it.field), ErrataRow.note_of([it]), it.original or "", it.correct or "",
            ])
    if not errata.school_rows:
        school.append(["(无)"])
    for col, w in zip("ABCDEFGHIJ", (6, 16, 16, 14, 10, 20, 10, 50, 22, 22)):
        school.column_dimensions[col].width = w
    school.freeze_panes = "A3"

    detail = wb.create_sheet("明细")
    head = ["序号", "学院", "班级", "学号", "姓名", "身份证号", "来源", "字段", "问题", "原值", "正确值"]
    detail.append(head)
    for c in detail[1]:
        c.font = bold
    for i, er in enumerate(errata.rows, start=1):
        s = er.student
        for it in er.items:
            detail.append(
                [
                    i,
                    s.college if s else "",
                    s.class_name if s else "",
                    s.student_no if s else "",
                    er.name,
                    er.id_number,
                    it.source,
                    FIELD_NAMES.get(it.field, it.field),
                    DATA_ISSUE_KINDS[it.kind][0] + (f": {it.text}" if it.text else "")
                    if it.kind in DATA_ISSUE_KINDS
                    else it.text,
                    it.original or "",
                    it.correct or "",
                ]
            )
    for col, w in zip("ABCDEFGHIJK", (6, 16, 16, 14, 10, 22, 20, 10, 50, 22, 22)):
        detail.column_dimensions[col].width = w
    detail.freeze_panes = "A2"
    detail.auto_filter.ref = f"A1:K{max(detail.max_row, 2)}"
    return wb


def write(errata: Errata, path: str | Path, password: str | None = None) -> Path:
    return save_workbook(workbook(errata), path, password)


def student_count(errata: Errata) -> int:
    return len(errata.rows)


def by_kind(errata: Errata) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in errata.rows:
        if r.image_mismatch:
            out["image_mismatch"] += 1
        if r.id_wrong:
            out["id_wrong"] += 1
        if not (r.image_mismatch or r.id_wrong):
            out["other"] += 1
    return dict(out)
