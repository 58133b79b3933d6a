"""Real roster workbooks for the roster tests, written with openpyxl."""

from __future__ import annotations

import io
from pathlib import Path

from app.demo_data import students
from app.roster.idcard import check_char

HEADERS = ["Bynd", "xxmc", "Zymc", "Bjmc", "Xh", "Sfzh", "Xm", "Xb", "Ksh"]
ZH_HEADERS = ["毕业年度", "学校名称", "专业名称", "班级名称", "学号", "身份证号", "姓名", "性别", "考生号"]


def good_rows(n: int = 10, seed: int = 3, college: bool = False) -> list[list]:
    """n valid rows (text), the nine fields (and the college when asked)."""
    rows = students(n, seed)
    return [r if college else r[:9] for r in rows]


def valid_id(body17: str) -> str:
    return body17 + check_char(body17)


def make_book(
    path: Path,
    rows: list[list],
    *,
    header: list | None = None,
    above: list[list] | None = None,
    sheet: str = "名单",
    before_sheets: list[tuple[str, str, list[list]]] = (),
    after_sheets: list[tuple[str, str, list[list]]] = (),
    merge: list[str] = (),
    start_col: int = 1,
) -> Path:
    """Write an xlsx: optional rows above the header, extra sheets (name, state, rows)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, state, srows in before_sheets:
        ws = wb.create_sheet(name)
        ws.sheet_state = state
        for r in srows:
            ws.append(r)
    ws = wb.create_sheet(sheet)
    pad = [None] * (start_col - 1)
    for r in above or []:
        ws.append(pad + list(r))
    ws.append(pad + list(header or HEADERS))
    for r in rows:
        ws.append(pad + list(r))
    for rng in merge:
        ws.merge_cells(rng)
    for name, state, srows in after_sheets:
        s2 = wb.create_sheet(name)
        s2.sheet_state = state
        for r in srows:
            s2.append(r)
    wb.active = wb.sheetnames.index(sheet)
    path = Path(path)
    wb.save(path)
    return path


def encrypt_file(src: Path, dst: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(src, "rb") as fh:
        OOXMLFile(fh).encrypt(password, out)
    Path(dst).write_bytes(out.getvalue())
    return Path(dst)


def by_code(findings) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.code, []).append(f)
    return out
