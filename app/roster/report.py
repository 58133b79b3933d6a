"""The roster findings as an xlsx workbook the school can correct its roster from.

Three sheets:

- 问题清单 (findings): one line per finding — Excel row, field, severity, code,
  message, the value as read and the value the station stored;
- 问题行 (rows with problems): those roster rows with every field, the cells
  with an error filled red and the repaired ones yellow;
- 说明 (about): the file, the sheet read, counts per code and what each code means.

The workbook holds ID numbers, so when the roster came encrypted the report is
encrypted with the same password (msoffcrypto-tool), and it is written through
a temporary file so a half-written report never replaces a good one.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from pathlib import Path

from app.i18n import t
from app.reports.xlsx import as_text, cell_value, save_bytes, text_cell
from app.roster.fields import ALL_FIELDS, LABEL_ZH
from app.roster.findings import CODES, ERROR, describe
from app.roster.validate import CheckedRoster

_RED = "FFC7CE"
_YELLOW = "FFEB9C"
_HEAD = "DDEBF7"


def _sheet_setup(ws, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"


def _header_cells(ws, names: list[str]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor=_HEAD)
    bold = Font(bold=True)
    cells = []
    for name in names:
        c = WriteOnlyCell(ws, value=name)
        c.fill = fill
        c.font = bold
        cells.append(c)
    return cells


def _text(v) -> str | None:
    # Roster text as read; app.reports.xlsx stores it as a text cell, never a formula.
    return None if v is None else str(v)


def _row(ws, values: list) -> list:
    return [as_text(v) if hasattr(v, "data_type") else text_cell(ws, v) for v in values]


def build_report(checked: CheckedRoster) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    red = PatternFill("solid", fgColor=_RED)
    yellow = PatternFill("solid", fgColor=_YELLOW)
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook(write_only=True)
    findings = checked.findings
    values = checked.values
    present = [f for f in ALL_FIELDS if values.get(f) is not None]

    # --- findings, one per line ------------------------------------------------------
    ws = wb.create_sheet(t("问题清单", "Findings"))
    head = [t("行号", "Row"), t("字段", "Field"), t("字段名称", "Field name"), t("级别", "Severity"),
            t("代码", "Code"), t("说明", "Message"), t("原值", "Value as read"), t("修正后的值", "Value stored"),
            t("学号", "Student no."), t("姓名", "Name")]
    _sheet_setup(ws, [7, 8, 10, 7, 20, 60, 24, 24, 16, 10])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(findings) + 1}"
    ws.append(_header_cells(ws, head))
    xh, xm = values["Xh"], values["Xm"]
    for f in findings:
        sev = t("错误", "error") if f.severity == ERROR else t("警告", "warning")
        sev_cell = WriteOnlyCell(ws, value=sev)
        sev_cell.fill = red if f.severity == ERROR else yellow
        msg = WriteOnlyCell(ws, value=cell_value(f.message))
        msg.alignment = wrap
        i = f.index
        ws.append(_row(ws, [
            f.row, f.field, LABEL_ZH.get(f.field, f.field), sev_cell, f.code, msg,
            _text(f.original), _text(f.fixed),
            _text(xh[i]) if i is not None else None, _text(xm[i]) if i is not None else None,
        ]))

    # --- the rows with problems, every field, problem cells coloured -----------------
    ws2 = wb.create_sheet(t("问题行", "Rows with problems"))
    by_row: dict[int, list] = {}
    for f in findings:
        if f.index is not None:
            by_row.setdefault(f.index, []).append(f)
    head2 = [t("行号", "Row")] + [f"{f} {LABEL_ZH[f]}" for f in present] + [t("问题", "Problems")]
    _sheet_setup(ws2, [7] + [18] * len(present) + [70])
    ws2.auto_filter.ref = f"A1:{get_column_letter(len(head2))}{len(by_row) + 1}"
    ws2.append(_header_cells(ws2, head2))
    for i in sorted(by_row):
        fs = by_row[i]
        worst = {}
        for f in fs:
            if worst.get(f.field) != ERROR:
                worst[f.field] = f.severity
        cells = [checked.rownos[i]]
        for fld in present:
            c = WriteOnlyCell(ws2, value=cell_value(_text(values[fld][i])))
            if fld in worst:
                c.fill = red if worst[fld] == ERROR else yellow
            cells.append(c)
        note = WriteOnlyCell(ws2, value=cell_value("\n".join(f.message for f in fs)))
        note.alignment = wrap
        cells.append(note)
        ws2.append(_row(ws2, cells))

    # --- about ---------------------------------------------------------------------------
    ws3 = wb.create_sheet(t("说明", "About"))
    _sheet_setup(ws3, [24, 10, 90])
    raw = checked.raw
    ws3.append(_row(ws3, [t("名单文件", "Roster file"), None, raw.path.name]))
    ws3.append(_row(ws3, [t("工作表", "Sheet"), None, raw.sheet or "CSV"]))
    ws3.append([t("表头所在行", "Header row"), None, raw.header_row])
    ws3.append([t("学生行数", "Student rows"), None, checked.n])
    ws3.append([t("有错误的行", "Rows with errors"), None, len(checked.error_rows)])
    ws3.append([t("只有警告的行", "Rows with warnings only"), None, len(checked.warning_rows - checked.error_rows)])
    ws3.append([t("检查时间", "Checked at"), None, datetime.now().strftime("%Y-%m-%d %H:%M")])
    for note in raw.notes:
        ws3.append(_row(ws3, [t("说明", "Note"), None, note]))
    ws3.append([])
    ws3.append(_header_cells(ws3, [t("代码", "Code"), t("数量", "Count"), t("含义", "Meaning")]))
    counts = Counter(f.code for f in findings)
    for code, (sev, _zh, _en) in CODES.items():
        c = WriteOnlyCell(ws3, value=code)
        c.fill = red if sev == ERROR else yellow
        ws3.append([c, counts.get(code, 0), describe(code)])
    ws3.append([])
    ws3.append([None, None, t(
        "红色为错误:学生已导入并可以拍照,但这些数据必须由学校更正(更正后重新发送名单即可,系统按学号/身份证号更新,不会重复)。"
        "黄色为警告:系统已自动修正,请学校在原始名单中一并改正。所有字段都应设为“文本”格式。",
        "Red: errors. The student is imported and can be photographed, but the school must correct the data "
        "(re-send the corrected roster: students are matched by student number / ID number, not duplicated). "
        "Yellow: warnings the station repaired; please correct the source as well. Format every column as Text.",
    )])

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_report(checked: CheckedRoster, out: str | Path, *, password: str | None = None) -> Path:
    return save_bytes(build_report(checked), Path(out), password)
