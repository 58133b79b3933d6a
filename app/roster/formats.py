"""Reading each kind of roster file into rows of cells: xlsx (python-calamine), legacy xls, csv, HTML.

- xlsx: calamine in this process, after :func:`app.roster.limits.check_xlsx`
  has looked at the sizes; each sheet's used range is checked before calamine
  copies it to Python.
- A legacy .xls is read by calamine in a child process with a memory limit.
- csv / tab-separated text (UTF-8 with or without BOM, UTF-16, GB18030) and the
  HTML tables some systems save as ".xls".

Each returns the rows as lists of cells; which file is which is decided in
:mod:`app.roster.sniff`, what the rows mean in :mod:`app.roster.reader`.
"""

from __future__ import annotations

import csv
import io
import os
import pickle
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from app.errors import InputError, PasswordNeeded
from app.i18n import t
from app.roster import limits
from app.roster.limits import check_extent, unreadable


def password_needed(path: Path) -> PasswordNeeded:
    return PasswordNeeded(
        t(
            f"名单 {path.name} 有密码保护,请用 --password 提供密码",
            f"the roster {path.name} is password-protected: give the password with --password",
        )
    )


def calamine_failed(path: Path, exc: BaseException) -> InputError:
    # calamine is Rust: a malformed file can make it panic (pyo3's PanicException derives from BaseException)
    why = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return unreadable(path, t(f"文件已损坏或不完整 ({why})", f"the file is damaged or incomplete ({why})"))


# A legacy .xls is read by calamine in a child process with a memory limit: its BIFF and compound-file
# structures hold 32-bit counts a damaged file can set to anything, and calamine then allocates 4 GB
# and aborts (found by fuzzing), which no try/except can catch. The child's crash is our error message.
_XLS_CHILD = r"""
import io, pickle, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import python_calamine as pc
max_rows, max_cols, max_cells = (int(x) for x in sys.argv[2:5])
data = sys.stdin.buffer.read()
try:
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = []
    for meta in wb.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        h, w = sheet.height, sheet.width
        if h > max_rows or w > max_cols or h * w > max_cells:
            out.append(("extent", meta.name, h, w))
            continue
        rows = sheet.to_python(skip_empty_area=False)
        try:
            merged = [tuple(map(tuple, m)) for m in (sheet.merged_cell_ranges or [])]
        except BaseException:
            merged = []
        out.append(("sheet", meta.name, meta.visible == pc.SheetVisibleEnum.Visible, rows, merged))
    result = ("ok", out)
except pc.PasswordError:
    result = ("password",)
except BaseException as exc:
    result = ("error", (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200])
sys.stdout.buffer.write(pickle.dumps(result))
"""
XLS_CHILD_MEMORY = 640 * 1024 * 1024  # a 60,000-row .xls needs about a third of it
XLS_CHILD_SECONDS = 60


class LoadedSheet:
    """A sheet the child process already read (rows and merged ranges)."""

    def __init__(self, rows: list[list], merged: list):
        self.rows, self.merged = rows, merged


def sheets_from_xls(data: bytes | None, path: Path):
    if data is None:
        data = path.read_bytes()
    try:
        r = subprocess.run(
            [sys.executable, "-c", _XLS_CHILD, str(XLS_CHILD_MEMORY),
             str(limits.MAX_ROWS), str(limits.MAX_COLS), str(limits.MAX_CELLS)],
            input=data, capture_output=True, timeout=XLS_CHILD_SECONDS,
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
    except subprocess.TimeoutExpired:
        raise unreadable(path, t(f"读取超过 {XLS_CHILD_SECONDS} 秒, 文件可能已损坏", f"reading took over {XLS_CHILD_SECONDS} s: the file may be damaged")) from None
    try:
        result = pickle.loads(r.stdout) if r.returncode == 0 else None
    except Exception:  # noqa: BLE001 - a half-written answer
        result = None
    if result is None:
        raise unreadable(path, t("文件已损坏或不完整 (读取时程序异常退出)", "the file is damaged or incomplete (the reader crashed on it)"))
    if result[0] == "password":
        raise password_needed(path)
    if result[0] == "error":
        raise unreadable(path, t(f"文件已损坏或不完整 ({result[1]})", f"the file is damaged or incomplete ({result[1]})"))
    out = []
    for item in result[1]:
        if item[0] == "extent":
            check_extent(path, item[1], item[2], item[3])
        _, name, visible, rows, merged = item
        out.append((name, visible, LoadedSheet(rows, merged)))
    return out


def sheets_from_workbook(data: bytes | None, path: Path):
    """(name, visible, workbook) for each worksheet; ``data`` None: read the file itself."""
    import python_calamine as pc

    try:
        # from_path lets calamine read the file itself, ~0.05 s faster for 50,000
        # rows than handing it the bytes; decrypted bytes have no file to read.
        wb = pc.CalamineWorkbook.from_path(str(path)) if data is None else pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise password_needed(path) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # corrupt zip, not a workbook, a panic in calamine...
        raise calamine_failed(path, exc) from None
    out = []
    for meta in wb.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        out.append((meta.name, visible, wb))
    return out


def load_sheet(wb, name: str, path: Path) -> tuple[list[list], list]:
    if isinstance(wb, LoadedSheet):
        if len(wb.merged) > limits.MAX_MERGED:
            check_extent(path, name, 0, 0, len(wb.merged))
        return wb.rows, wb.merged
    try:
        sheet = wb.get_sheet_by_name(name)
        # the range is allocated now; its Python copy would take ten times more: check before to_python
        check_extent(path, name, sheet.height, sheet.width)
        rows = sheet.to_python(skip_empty_area=False)
        try:
            merged = sheet.merged_cell_ranges or []
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # xls and ods may not report merged cells
            merged = []
    except (KeyboardInterrupt, SystemExit, InputError):
        raise
    except BaseException as exc:  # a panic in calamine included
        raise calamine_failed(path, exc) from None
    if len(merged) > limits.MAX_MERGED:
        check_extent(path, name, 0, 0, len(merged))
    return rows, merged


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if len(data) % 2:
            raise UnicodeError(t("UTF-16 文件的字节数是奇数, 文件不完整 (最后一个字符被截断)",
                                 "a UTF-16 file with an odd number of bytes: it is cut short (the last character is incomplete)"))
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves CSV in the ANSI code page (GBK).
        return data.decode("gb18030", errors="replace")


def read_csv(data: bytes) -> tuple[list[list], list[int]]:
    text = decode_csv(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[list] = []
    rownos: list[int] = []
    line = 1
    saved = csv.field_size_limit(limits.MAX_CELL_CHARS)
    try:
        for rec in reader:
            rows.append(rec)
            rownos.append(line)
            line = reader.line_num + 1
            if len(rows) > limits.MAX_ROWS:
                raise ValueError(t(f"超过 {limits.MAX_ROWS} 行", f"more than {limits.MAX_ROWS} rows"))
            if len(rec) > limits.MAX_COLS:
                raise ValueError(t(f"第 {line - 1} 行有 {len(rec)} 列, 超过上限 {limits.MAX_COLS}",
                                   f"line {line - 1} has {len(rec)} columns, over the {limits.MAX_COLS} limit"))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ValueError(t(f"第 {reader.line_num} 行有一个单元格超过 {limits.MAX_CELL_CHARS} 个字符, 不像名单",
                               f"line {reader.line_num} has a cell over {limits.MAX_CELL_CHARS} characters: not a roster")) from None
        raise ValueError(t(f"第 {reader.line_num} 行: {exc}", f"line {reader.line_num}: {exc}")) from None
    finally:
        csv.field_size_limit(saved)
    return rows, rownos



class _TableParser(HTMLParser):
    """The cells of the first HTML table (what some systems save as ".xls")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if self._done:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "table" and self.rows:
            self._done = True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_html(data: bytes) -> tuple[list[list], list[int]]:
    p = _TableParser()
    p.feed(decode_csv(data))
    p.close()
    if len(p.rows) > limits.MAX_ROWS:
        raise ValueError(t(f"超过 {limits.MAX_ROWS} 行", f"more than {limits.MAX_ROWS} rows"))
    return p.rows, list(range(1, len(p.rows) + 1))
