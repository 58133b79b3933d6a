"""Workbooks the school opens in Excel or WPS: frozen headers, filters, widths, Chinese sheet names.

Every report is a list of :class:`Table` sheets written with openpyxl's
write-only mode (fast enough for a 20,000-student roster), saved atomically and,
with a password, encrypted by :mod:`app.crypto`. Text that looks like a number
(student numbers, ID numbers) is written as text so that Excel neither drops a
leading zero nor shows 3.2e+17.

Text is text, never a formula: this is the one writer of every workbook the
station produces (reconciliation, errata, the roster's findings report, the
delivery manifest, the day plan). A roster value such as
``=HYPERLINK("http://…"&B2,"x")`` is stored as a string cell (``t="s"``/inline,
no ``<f>``), and a value starting with ``= + - @``, a tab or a CR also gets
Excel's quote prefix, so that editing the cell in Excel or WPS keeps it text.
The text shown is exactly the roster's value (no apostrophe added).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.crypto import decrypt_office, encrypt_office, is_encrypted_office
from app.errors import InputError
from capture.atomic import write_atomic

HEADER_FILL = "DDEBF7"
TOTAL_FILL = "F2F2F2"
BAD_FILL = "FFC7CE"  # Excel's own "bad" red
WARN_FILL = "FFEB9C"
GOOD_FILL = "C6EFCE"

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Col:
    header: str
    width: float | None = None  # None: fit the content (within limits)
    number_format: str | None = None


@dataclass
class Table:
    """One sheet: optional lines above a header row, data rows, an optional totals row."""

    title: str
    columns: list[Col]
    rows: Sequence[Sequence[Any]]
    preamble: list[str] = field(default_factory=list)
    totals: Sequence[Any] | None = None
    row_fill: Callable[[int, Sequence[Any]], str | None] | None = None  # (index, row) → colour; small sheets
    highlight: list[Highlight] = field(default_factory=list)  # conditional formats; any size
    empty_note: str | None = None  # written under the header when there are no rows


@dataclass
class Highlight:
    """Colour a data row where ``formula`` holds, e.g. '$F{r}="未到"' ({r}: the first data row).

    A conditional format rather than a fill per cell: one rule for 20,000 rows
    (a styled cell costs openpyxl ten times a plain one), and it follows the
    row when the school sorts or filters the sheet, in Excel and WPS alike.
    """

    formula: str
    colour: str


def display_width(value: Any) -> float:
    """Width in Excel character units: CJK characters take two."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    s = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def sheet_title(title: str, used: set[str]) -> str:
    """A title Excel accepts: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _INVALID_TITLE.sub("_", title).strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _cell(ws, value: Any, *, font=None, fill=None, number_format=None, alignment=None):
    from openpyxl.cell import WriteOnlyCell

    c = as_text(WriteOnlyCell(ws, value=value))
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if number_format:
        c.number_format = number_format
    if alignment is not None:
        c.alignment = alignment
    return c


def cell_value(value: Any) -> Any:
    """A value openpyxl accepts: strings stay strings (IDs with leading zeros), control characters dropped."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")
    return value


# Excel, WPS and LibreOffice start a formula (or a DDE call) with these when a cell is edited or a
# CSV is opened; see OWASP "CSV injection".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def as_text(cell) -> Any:
    """Make a cell holding a string a text cell: never a formula, quote-prefixed when it starts like one."""
    if isinstance(cell.value, str):
        if cell.data_type == "f" or looks_like_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
    return cell


def text_cell(ws, value: Any):
    """The value for ``ws.append``: a plain value, or a text cell when the string would start a formula."""
    value = cell_value(value)
    if not looks_like_formula(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    return as_text(WriteOnlyCell(ws, value=value))


def csv_text(value: Any) -> Any:
    """A CSV field Excel opens as text: a string that would start a formula gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def workbook_bytes(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor=HEADER_FILL)
    total_fill = PatternFill("solid", fgColor=TOTAL_FILL)
    fills: dict[str, PatternFill] = {}
    wrap_top = Alignment(vertical="center", wrap_text=True)
    for table in tables:
        ws = wb.create_sheet(sheet_title(table.title, used))
        ncols = len(table.columns)
        # Widths must be set before the first row is streamed.
        for i, col in enumerate(table.columns, start=1):
            if col.width is not None:
                width = col.width
            else:
                width = display_width(col.header)
                for row in table.rows[:500]:  # enough to size a column, cheap on big sheets
                    if i - 1 < len(row):
                        width = max(width, display_width(row[i - 1]))
                if table.totals is not None and i - 1 < len(table.totals):
                    width = max(width, display_width(table.totals[i - 1]))
                width = min(max(width + 2, 6), 60)
            ws.column_dimensions[get_column_letter(i)].width = width
        header_row = len(table.preamble) + 1
        ws.freeze_panes = f"A{header_row + 1}"
        last_data_row = header_row + max(len(table.rows), 1)
        if ncols:
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ncols)}{last_data_row}"
        ws.print_title_rows = f"{header_row}:{header_row}"
        for line in table.preamble:
            ws.append([_cell(ws, cell_value(line), font=bold)])
        ws.append([_cell(ws, c.header, font=bold, fill=head_fill, alignment=wrap_top) for c in table.columns])
        formats = [c.number_format for c in table.columns]
        if not table.rows and table.empty_note:
            ws.append([text_cell(ws, table.empty_note)])
        for idx, row in enumerate(table.rows):
            colour = table.row_fill(idx, row) if table.row_fill else None
            fmt_needed = colour or any(formats) or any(isinstance(v, datetime) for v in row)
            if not fmt_needed:
                ws.append([text_cell(ws, v) for v in row])
                continue
            fill = None
            if colour:
                fill = fills.get(colour) or fills.setdefault(colour, PatternFill("solid", fgColor=colour))
            out = []
            for j, v in enumerate(row):
                fmt = formats[j] if j < len(formats) else None
                if fmt is None and isinstance(v, datetime):
                    fmt = DATETIME_FORMAT
                out.append(_cell(ws, cell_value(v), fill=fill, number_format=fmt))
            ws.append(out)
        if table.totals is not None:
            ws.append([_cell(ws, cell_value(v), font=bold, fill=total_fill) for v in table.totals])
        if table.rows and table.highlight and ncols:
            first, last = header_row + 1, header_row + len(table.rows)
            for h in table.highlight:
                ws.conditional_formatting.add(
                    f"A{first}:{get_column_letter(ncols)}{last}",
                    FormulaRule(formula=[h.formula.format(r=first)], fill=PatternFill("solid", fgColor=h.colour, bgColor=h.colour)),
                )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def save_bytes(data: bytes, path: str | Path, password: str | None = None) -> Path:
    """Write a workbook atomically, encrypted when a password is given."""
    if password:
        data = encrypt_office(data, password)
    return write_atomic(path, data)


def write_tables(path: str | Path, tables: list[Table], password: str | None = None) -> Path:
    return save_bytes(workbook_bytes(tables), path, password)


def save_workbook(wb, path: str | Path, password: str | None = None) -> Path:
    """Save an ordinary (not write-only) openpyxl workbook the same way, every string cell as text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    as_text(c)
    buf = io.BytesIO()
    wb.save(buf)
    return save_bytes(buf.getvalue(), path, password)


def load_workbook(path: str | Path, password: str | None = None, **kwargs):
    """Open a workbook this module wrote (decrypting it first when it is encrypted)."""
    import openpyxl

    if is_encrypted_office(path):
        if not password:
            raise InputError(f"{path} 已加密, 需要 --password")
        return openpyxl.load_workbook(io.BytesIO(decrypt_office(path, password)), **kwargs)
    return openpyxl.load_workbook(path, **kwargs)
