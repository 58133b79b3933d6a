"""Reading a roster file: xlsx/xls (python-calamine), csv, password-protected workbooks.

The reader finds the sheet and the header row, maps the headers to the roster's
fields and returns the raw cells column by column with their Excel row
numbers. It does not judge values (that is :mod:`app.roster.validate`), except
for what only the sheet can tell: missing columns, merged cells and rows that
are not students.

Its layers: what the file is and its decryption (:mod:`app.roster.sniff`),
reading each format into rows (:mod:`app.roster.formats`), the limits and
guards against hostile files (:mod:`app.roster.limits`), and here what the
rows mean:

- The first *visible* sheet that has the roster's headers is read; hidden
  sheets are skipped and named in the notes.
- The header may sit below a title; row numbers are Excel's own, blank rows
  included, so the school finds row 12 where the report says row 12.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from app.errors import InputError
from app.i18n import t
from app.roster.fields import ALL_FIELDS, COLLEGE, FIELDS, field_for_header, label
from app.roster.findings import Finding, severity
from app.roster.findings import visible as spelled_out
from app.roster.formats import load_sheet
from app.roster.limits import unreadable
from app.roster.sniff import open_sheets

HEADER_SCAN_ROWS = 30


@dataclass
class RawTable:
    """The roster as read: one list of raw cell values per field present."""

    path: Path
    sheet: str | None
    header_row: int  # Excel row number of the header
    columns: dict[str, list]  # field -> raw values of the student rows
    rownos: list[int]  # Excel row number of each student row
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    encrypted: bool = False
    extra_columns: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.rownos)


def _find_header(rows: list[list]) -> tuple[int, dict[int, str], list[str]] | None:
    """(row index, column -> field, extra header names) of the best header row."""
    best = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        seen: set[str] = set()
        extras: list[str] = []
        for c, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            f = field_for_header(cell)
            if f is None or f in seen:
                extras.append(str(cell).strip())
                continue
            mapping[c] = f
            seen.add(f)
        required = seen & set(FIELDS)
        if len(required) >= 3 and "Xm" in seen and ("Xh" in seen or "Sfzh" in seen):
            if best is None or len(required) > best[3]:
                best = (r, mapping, extras, len(required))
    if best is None:
        return None
    return best[0], best[1], best[2]



def read_roster(path: str | Path, password: str | None = None) -> RawTable:
    """Read the roster file; raise InputError (exit code 2) when it cannot be read."""
    path = Path(path)
    opened = open_sheets(path, password)
    sheet_name, rows, merged, (h, mapping, extras), others_with_header = _choose_sheet(opened.sheets, path)
    header_rowno = opened.rownos[h] if opened.rownos else h + 1
    notes = opened.notes
    notes += _sheet_notes(opened, sheet_name, header_rowno, others_with_header, extras)

    findings = _missing_columns(mapping, header_rowno)
    data_rows = rows[h + 1 :]
    data_rownos = opened.rownos[h + 1 :] if opened.rownos else list(range(h + 2, h + 2 + len(data_rows)))
    filled, overlapping = _fill_merged(rows, merged, mapping, h)
    if overlapping:
        findings.append(
            Finding(
                header_rowno,
                next(iter(mapping.values())),
                "merged_cell",
                severity("merged_cell"),
                t(f"有 {overlapping} 个合并单元格区域与其他区域重叠 (Excel 不会这样保存, 文件可能被改动过), 已忽略这些区域",
                  f"{overlapping} merged ranges overlap others (Excel never saves that; the file may have been "
                  "tampered with): those ranges were ignored"),
            )
        )
    width = max(mapping) + 1
    if data_rows and min(map(len, data_rows)) < width:  # ragged CSV lines
        data_rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in data_rows]
    cols_all = list(zip(*data_rows)) if data_rows else []
    by_field: dict[str, list] = {f: (cols_all[c] if cols_all else ()) for c, f in mapping.items()}
    drop = _not_students(by_field, data_rownos, str(rows[h][next(c for c, f in mapping.items() if f == "Xm")]),
                         findings)
    if drop:
        keep = [i for i in range(len(data_rows)) if i not in drop]
        for f in by_field:
            col = by_field[f]
            by_field[f] = [col[i] for i in keep]
        rownos = [data_rownos[i] for i in keep]
        new_index = {old: new for new, old in enumerate(keep)}
    else:
        rownos = data_rownos
        new_index = None
    findings += _merged_findings(filled, new_index, mapping, rownos)

    return RawTable(
        path=path,
        sheet=None if opened.is_text else sheet_name,
        header_row=header_rowno,
        columns=by_field,
        rownos=rownos,
        notes=notes,
        findings=findings,
        encrypted=opened.encrypted,
        extra_columns=extras,
    )


def _choose_sheet(sheets: list[tuple], path: Path):
    """(name, rows, merged ranges, header, other visible sheets with a header) of the first visible sheet
    with the roster's header; InputError when there is none."""
    chosen = None
    header = None
    others_with_header: list[str] = []
    hidden_with_header: list[str] = []
    for name, visible, wb in sorted(sheets, key=lambda x: not x[1]):  # visible sheets first
        if not visible and chosen is not None:
            break  # hidden sheets are only looked at to explain why nothing was found
        rows_, merged_ = load_sheet(wb, name, path)
        found = _find_header(rows_)
        if found is None:
            continue
        if not visible:
            hidden_with_header.append(name)
            continue
        if chosen is None:
            chosen = (name, rows_, merged_)
            header = found
        else:
            others_with_header.append(name)
    if chosen is None:
        if hidden_with_header:
            raise InputError(
                t(
                    f"名单 {path.name} 只有隐藏的工作表({'、'.join(hidden_with_header)})有表头;"
                    "请在 Excel 中取消隐藏该工作表并确认它是名单后再导入",
                    f"in {path.name} only hidden sheets ({', '.join(hidden_with_header)}) have the roster's "
                    "headers: unhide the sheet in Excel, check it is the roster, and import again",
                )
            )
        expected = "、".join(f"{f}" for f in FIELDS)
        raise unreadable(
            path,
            t(
                f"找不到表头(前{HEADER_SCAN_ROWS}行中应有 {expected} 或其中文名,至少要有姓名和学号或身份证号)",
                f"no header row found (the first {HEADER_SCAN_ROWS} rows should name {', '.join(FIELDS)} "
                "or their Chinese names; at least Xm and Xh or Sfzh)",
            ),
        )
    return (*chosen, header, others_with_header)


def _sheet_notes(opened, sheet_name: str, header_rowno: int, others_with_header: list[str],
                 extras: list[str]) -> list[str]:
    notes = []
    if not opened.is_text:
        notes.append(t(f"读取工作表“{sheet_name}”,表头在第 {header_rowno} 行", f"read sheet “{sheet_name}”, header on row {header_rowno}"))
    else:
        notes.append(t(f"读取 CSV 文件,表头在第 {header_rowno} 行", f"read the CSV file, header on row {header_rowno}"))
    hidden = [name for name, visible, _ in opened.sheets if not visible]
    if hidden:
        notes.append(t(f"跳过了隐藏的工作表: {'、'.join(hidden)}", f"hidden sheets skipped: {', '.join(hidden)}"))
    if others_with_header:
        notes.append(
            t(
                f"注意: 工作表 {'、'.join(others_with_header)} 也像名单,但只读取了“{sheet_name}”;"
                "如需导入,请把它们另存为单独的文件",
                f"note: sheets {', '.join(others_with_header)} also look like rosters but only “{sheet_name}” "
                "was read; save them as separate files to import them",
            )
        )
    if extras:
        notes.append(t(f"忽略了这些列: {'、'.join(extras)}", f"columns ignored: {', '.join(extras)}"))
    return notes


def _missing_columns(mapping: dict[int, str], header_rowno: int) -> list[Finding]:
    present = set(mapping.values())
    return [
        Finding(
            header_rowno,
            f,
            "missing_column",
            severity("missing_column"),
            t(f"名单缺少“{label(f)}”列", f"the roster has no {label(f)} column"),
        )
        for f in FIELDS
        if f not in present
    ]


def _fill_merged(rows: list[list], merged: list, mapping: dict[int, str], h: int):
    """Merged cells: the sheet shows the top-left value across the range; fill it into the rows.

    Returns ({(data row index, column): value filled in}, ranges left out because they overlap others).
    """
    filled: dict[tuple[int, int], object] = {}
    covered: dict[int, int] = {}  # column -> last row of the ranges taken so far (they start in row order)
    overlapping = 0
    for (r0, c0), (r1, c1) in sorted(merged):
        r1 = min(r1, len(rows) - 1)
        cols = [c for c in mapping if c0 <= c <= c1]
        # Excel never writes overlapping merged ranges; a crafted file with thousands of them would make
        # this loop quadratic: a range over cells another range already covers is left out (a finding)
        if any(covered.get(c, -1) >= r0 for c in cols):
            overlapping += 1
            continue
        for c in cols:
            covered[c] = r1
        for c in cols:
            top = rows[r0][c] if r0 < len(rows) and c < len(rows[r0]) else ""
            if top == "" or top is None:
                continue
            for r in range(max(r0, h + 1), r1 + 1):
                if r == r0 or r >= len(rows) or c >= len(rows[r]):
                    continue
                if rows[r][c] == "" or rows[r][c] is None:
                    rows[r][c] = top
                    filled[(r - h - 1, c)] = top
    return filled, overlapping


def _not_students(by_field: dict[str, list], data_rownos: list[int], xm_header: str,
                  findings: list[Finding]) -> set[int]:
    """Rows that are not students: blank rows (silently), and rows that carry something but no student
    number, ID number or name (titles, totals, a repeated header), each with a finding."""
    keys = [by_field[f] for f in ("Xh", "Sfzh", "Xm") if f in by_field]
    blank = ("",) * len(keys)
    xm_col = by_field["Xm"]
    header_words = {xm_header.strip(), "姓名", "Xm", "xm", "XM"}
    n = len(data_rownos)
    drop: set[int] = set()
    # Both scans run at C speed: rows whose three key cells are all blank, and
    # (only if the header's own words occur in the name column) repeated headers.
    blank_rows = list(compress(range(n), map(blank.__eq__, zip(*keys))))
    repeated = header_words & set(xm_col)
    if repeated:
        for i, v in enumerate(xm_col):
            if v in repeated:
                drop.add(i)
                findings.append(
                    Finding(
                        data_rownos[i],
                        "Xm",
                        "skipped_row",
                        severity("skipped_row"),
                        t("重复的表头行,已跳过", "a repeated header row: skipped"),
                        original=str(v),
                    )
                )
    for i in blank_rows:
        drop.add(i)
        content = [(f, by_field[f][i]) for f in ALL_FIELDS if f in by_field and by_field[f][i] not in ("", None)]
        if content:
            f0, v0 = content[0]
            findings.append(
                Finding(
                    data_rownos[i],
                    f0,
                    "skipped_row",
                    severity("skipped_row"),
                    t(
                        f"这一行没有学号、身份证号和姓名,不是学生记录,已跳过(内容: {spelled_out(str(v0)[:30])})",
                        f"no student number, ID number or name on this row: skipped (content: {spelled_out(str(v0)[:30])})",
                    ),
                    original=spelled_out(v0),
                )
            )
    return drop


def _merged_findings(filled: dict, new_index: dict[int, int] | None, mapping: dict[int, str],
                     rownos: list[int]) -> list[Finding]:
    out = []
    for (i, c), top in sorted(filled.items()):
        if new_index is not None:
            if i not in new_index:
                continue
            j = new_index[i]
        else:
            j = i
        f = mapping[c]
        out.append(
            Finding(
                rownos[j],
                f,
                "merged_cell",
                severity("merged_cell"),
                t(
                    f"{label(f)}是合并单元格的一部分,已填入合并单元格显示的值",
                    f"{label(f)} is part of a merged cell: filled with the value it shows",
                ),
                original="",
                fixed=str(top),
                index=j,
            )
        )
    return out


__all__ = ["RawTable", "read_roster", "COLLEGE"]
