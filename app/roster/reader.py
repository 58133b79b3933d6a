"""Reading a roster file: xlsx/xls (python-calamine), csv, password-protected workbooks.

The reader finds the sheet and the header row, maps the headers to the roster's
fields and returns the raw cells column by column with their Excel row
numbers. It does not judge values (that is :mod:`app.roster.validate`), except
for what only the sheet can tell: missing columns, merged cells and rows that
are not students.

- Encrypted workbooks (the centre asks schools to send them encrypted) are
  decrypted in memory with msoffcrypto-tool; nothing decrypted touches the disk.
- The first *visible* sheet that has the roster's headers is read; hidden
  sheets are skipped and named in the notes.
- The header may sit below a title; row numbers are Excel's own, blank rows
  included, so the school finds row 12 where the report says row 12.
"""

from __future__ import annotations

import csv
import io
import re
from itertools import compress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from app.errors import InputError, PasswordNeeded
from app.i18n import t
from app.roster.fields import ALL_FIELDS, COLLEGE, FIELDS, field_for_header, label
from app.roster.findings import Finding, severity

HEADER_SCAN_ROWS = 30

# Limits, checked before or while reading, so that no file can crash the station, hang it or take its
# memory (a roster of a large university has 20,000 students and a dozen columns: these are far above).
MAX_FILE_BYTES = 64 * 1024 * 1024  # the file on disk
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # an xlsx's parts once decompressed (a "zip bomb" is refused first)
MAX_RATIO = 200  # decompressed / compressed, for a part over 1 MB (text in xlsx packs 5-20 to 1)
MAX_ROWS = 200_000
MAX_COLS = 1_000
MAX_CELLS = 6_000_000  # rows × columns of the used range, allocated by the reader at once
MAX_CELL_CHARS = 131_072  # one cell (Excel itself stops at 32,767)
MAX_MERGED = 20_000  # merged ranges in the sheet
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# Excel's built-in password for workbooks that are only "protected" (xls).
_EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"


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


def _unreadable(path: Path, why: str) -> InputError:
    return InputError(t(f"无法读取名单 {path.name}: {why}", f"cannot read the roster {path.name}: {why}"))


def _decrypt(data: bytes, path: Path, password: str | None) -> tuple[bytes, bool]:
    """The workbook's plain bytes, and whether it was encrypted."""
    import msoffcrypto
    from msoffcrypto import exceptions as mse

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception:  # not an Office container msoffcrypto knows: let calamine judge
        return data, False
    if not encrypted:
        return data, False
    candidates = [password] if password else []
    if getattr(office, "format", None) == "xls97":
        candidates.append(_EXCEL_DEFAULT_PASSWORD)
    if not candidates:
        raise PasswordNeeded(
            t(
                f"名单 {path.name} 有密码保护,请用 --password 提供密码",
                f"the roster {path.name} is password-protected: give the password with --password",
            )
        )
    for pw in candidates:
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            try:
                office.load_key(password=pw, verify_password=True)
            except TypeError:  # the xls decrypter verifies without being asked
                office.load_key(password=pw)
            out = io.BytesIO()
            office.decrypt(out)
            return out.getvalue(), True
        except mse.InvalidKeyError:
            continue
        except (mse.DecryptionError, mse.FileFormatError, mse.ParseError) as exc:
            raise _unreadable(path, t(f"无法解密({exc})", f"cannot decrypt ({exc})")) from None
    if not password:  # only Excel's built-in password was tried
        raise PasswordNeeded(
            t(
                f"名单 {path.name} 有密码保护,请用 --password 提供密码",
                f"the roster {path.name} is password-protected: give the password with --password",
            )
        )
    raise PasswordNeeded(
        t(
            f"密码不对,无法打开名单 {path.name};请向学校确认密码",
            f"wrong password: cannot open the roster {path.name}; check the password with the school",
        ),
        wrong=True,
    )


def _too_big(path: Path, zh: str, en: str) -> InputError:
    return _unreadable(path, t(f"{zh}; 请检查文件, 或只把名单另存为一个新的 xlsx/csv 文件后再导入",
                               f"{en}; check the file, or save just the roster as a new xlsx/csv file and import that"))


# Cheap first pass over a sheet's XML: only references that could break a limit are looked at, i.e. a
# cell in column AA or beyond, or a row number of six or seven digits (cell or row element). A sheet that
# has cells beyond column Z gets the exact pass (every cell and row reference).
_FAR_HINT = re.compile(rb' r="(?:[A-Z]{2}|[A-Z]?[0-9]{6})')  # a literal start: sre's fast prefix scan
_REF_AT = re.compile(rb' r="([A-Z]{0,3})([0-9]{1,7})"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_xlsx(data: bytes | None, path: Path) -> None:
    """Refuse a zip bomb, a sheet reaching out to XFD1048576 and other sizes before calamine allocates them.

    Reads the zip's directory (declared sizes and ratios), then streams each
    worksheet's XML through a regular expression for its cell and row
    references and merged ranges; never holds more than a few MB at a time.
    """
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(path, t(f"文件已损坏, 不是完整的 xlsx ({exc})", f"the file is damaged, not a whole xlsx ({exc})")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > 10_000:
            raise _too_big(path, f"xlsx 内有 {len(infos)} 个部件, 不像名单", f"the xlsx has {len(infos)} parts: not a roster")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            raise _too_big(path, f"解压后共 {total / 2**20:.0f} MB, 超过上限 {MAX_UNPACKED_BYTES // 2**20} MB (疑似“压缩炸弹”)",
                           f"it unpacks to {total / 2**20:.0f} MB, over the {MAX_UNPACKED_BYTES // 2**20} MB limit (a zip bomb?)")
        for i in infos:
            if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise _too_big(path, f"部件 {i.filename} 压缩比 {i.file_size // max(i.compress_size, 1)}:1, 疑似“压缩炸弹”",
                               f"part {i.filename} packs {i.file_size // max(i.compress_size, 1)}:1 (a zip bomb?)")
        for i in infos:
            if not (i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")):
                continue
            far = _scan_sheet(zf, i, path, exact=False)
            if far:  # columns beyond Z: the area needs the exact row count
                _scan_sheet(zf, i, path, exact=True)


def _scan_sheet(zf, info, path: Path, *, exact: bool) -> bool:
    """Check one sheet's extent and merged ranges (see :func:`_check_xlsx`); True if a cell lies beyond column Z."""
    max_row = max_col = merged = seen = 0
    tail = b""
    try:
        with zf.open(info) as f:
            while True:
                chunk = f.read(1 << 22)
                if not chunk:
                    break
                seen += len(chunk)
                if seen > MAX_UNPACKED_BYTES:
                    raise _too_big(path, "工作表解压后过大 (疑似“压缩炸弹”)", "a sheet unpacks too large (a zip bomb?)")
                buf = tail + chunk
                cut = buf.rfind(b"<")  # a tag cut by the chunk is looked at with the next one
                if cut < 0 or len(buf) - cut > 4096:
                    cut = len(buf)
                body, tail = buf[:cut], buf[cut:]
                merged += body.count(b"mergeCell ")
                if exact:
                    for m in _CELL_REF.finditer(body):
                        max_row = max(max_row, int(m.group(2)))
                        max_col = max(max_col, _col_number(m.group(1)))
                    for m in _ROW_REF.finditer(body):
                        max_row = max(max_row, int(m.group(1)))
                else:
                    for hint in _FAR_HINT.finditer(body):
                        m = _REF_AT.match(body, hint.start())
                        if m:
                            max_row = max(max_row, int(m.group(2)))
                            if m.group(1):
                                max_col = max(max_col, _col_number(m.group(1)))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged deflate stream, a bad CRC
        raise _unreadable(path, t(f"文件已损坏 ({info.filename}: {exc})", f"the file is damaged ({info.filename}: {exc})")) from None
    # the cheap pass knows rows only from 100,000 up: below that, with columns within Z, the area is small
    _check_extent(path, info.filename, max_row, max_col if exact else min(max_col, MAX_COLS), merged)
    if exact:
        return False
    return max_col > 26


def _check_extent(path: Path, where: str, rows: int, cols: int, merged: int = 0) -> None:
    if rows > MAX_ROWS:
        raise _too_big(path, f"{where} 用到第 {rows} 行, 超过上限 {MAX_ROWS} 行",
                       f"{where} reaches row {rows}, over the {MAX_ROWS} row limit")
    if cols > MAX_COLS:
        raise _too_big(path, f"{where} 用到第 {cols} 列, 超过上限 {MAX_COLS} 列 (某个单元格远在表格之外?)",
                       f"{where} reaches column {cols}, over the {MAX_COLS} column limit (a stray cell far out?)")
    if rows * cols > MAX_CELLS:
        raise _too_big(path, f"{where} 的范围有 {rows}×{cols} 个单元格, 超过上限 {MAX_CELLS}",
                       f"{where} spans {rows}x{cols} cells, over the {MAX_CELLS} limit")
    if merged > MAX_MERGED:
        raise _too_big(path, f"{where} 有 {merged} 个合并单元格区域, 超过上限 {MAX_MERGED}",
                       f"{where} has {merged} merged ranges, over the {MAX_MERGED} limit")


def _calamine_failed(path: Path, exc: BaseException) -> InputError:
    # calamine is Rust: a malformed file can make it panic (pyo3's PanicException derives from BaseException)
    why = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return _unreadable(path, t(f"文件已损坏或不完整 ({why})", f"the file is damaged or incomplete ({why})"))


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


class _LoadedSheet:
    """A sheet the child process already read (rows and merged ranges)."""

    def __init__(self, rows: list[list], merged: list):
        self.rows, self.merged = rows, merged


def _sheets_from_xls(data: bytes | None, path: Path):
    import os
    import pickle
    import subprocess
    import sys

    if data is None:
        data = path.read_bytes()
    try:
        r = subprocess.run(
            [sys.executable, "-c", _XLS_CHILD, str(XLS_CHILD_MEMORY), str(MAX_ROWS), str(MAX_COLS), str(MAX_CELLS)],
            input=data, capture_output=True, timeout=XLS_CHILD_SECONDS,
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
    except subprocess.TimeoutExpired:
        raise _unreadable(path, t(f"读取超过 {XLS_CHILD_SECONDS} 秒, 文件可能已损坏", f"reading took over {XLS_CHILD_SECONDS} s: the file may be damaged")) from None
    try:
        result = pickle.loads(r.stdout) if r.returncode == 0 else None
    except Exception:  # noqa: BLE001 - a half-written answer
        result = None
    if result is None:
        raise _unreadable(path, t("文件已损坏或不完整 (读取时程序异常退出)", "the file is damaged or incomplete (the reader crashed on it)"))
    if result[0] == "password":
        raise PasswordNeeded(t(f"名单 {path.name} 有密码保护,请用 --password 提供密码",
                               f"the roster {path.name} is password-protected: give the password with --password"))
    if result[0] == "error":
        raise _unreadable(path, t(f"文件已损坏或不完整 ({result[1]})", f"the file is damaged or incomplete ({result[1]})"))
    out = []
    for item in result[1]:
        if item[0] == "extent":
            _check_extent(path, item[1], item[2], item[3])
        _, name, visible, rows, merged = item
        out.append((name, visible, _LoadedSheet(rows, merged)))
    return out


def _sheets_from_workbook(data: bytes | None, path: Path):
    """(name, visible, workbook) for each worksheet; ``data`` None: read the file itself."""
    import python_calamine as pc

    try:
        # from_path lets calamine read the file itself, ~0.05 s faster for 50,000
        # rows than handing it the bytes; decrypted bytes have no file to read.
        wb = pc.CalamineWorkbook.from_path(str(path)) if data is None else pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise PasswordNeeded(
            t(
                f"名单 {path.name} 有密码保护,请用 --password 提供密码",
                f"the roster {path.name} is password-protected: give the password with --password",
            )
        ) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # corrupt zip, not a workbook, a panic in calamine...
        raise _calamine_failed(path, exc) from None
    out = []
    for meta in wb.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        out.append((meta.name, visible, wb))
    return out


def _load_sheet(wb, name: str, path: Path) -> tuple[list[list], list]:
    if isinstance(wb, _LoadedSheet):
        if len(wb.merged) > MAX_MERGED:
            _check_extent(path, name, 0, 0, len(wb.merged))
        return wb.rows, wb.merged
    try:
        sheet = wb.get_sheet_by_name(name)
        # the range is allocated now; its Python copy would take ten times more: check before to_python
        _check_extent(path, name, sheet.height, sheet.width)
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
        raise _calamine_failed(path, exc) from None
    if len(merged) > MAX_MERGED:
        _check_extent(path, name, 0, 0, len(merged))
    return rows, merged


def _decode_csv(data: bytes) -> str:
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


def _read_csv(data: bytes) -> tuple[list[list], list[int]]:
    text = _decode_csv(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[list] = []
    rownos: list[int] = []
    line = 1
    saved = csv.field_size_limit(MAX_CELL_CHARS)
    try:
        for rec in reader:
            rows.append(rec)
            rownos.append(line)
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise ValueError(t(f"超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows"))
            if len(rec) > MAX_COLS:
                raise ValueError(t(f"第 {line - 1} 行有 {len(rec)} 列, 超过上限 {MAX_COLS}",
                                   f"line {line - 1} has {len(rec)} columns, over the {MAX_COLS} limit"))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ValueError(t(f"第 {reader.line_num} 行有一个单元格超过 {MAX_CELL_CHARS} 个字符, 不像名单",
                               f"line {reader.line_num} has a cell over {MAX_CELL_CHARS} characters: not a roster")) from None
        raise ValueError(t(f"第 {reader.line_num} 行: {exc}", f"line {reader.line_num}: {exc}")) from None
    finally:
        csv.field_size_limit(saved)
    return rows, rownos


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return True


def _is_html(data: bytes) -> bool:
    head = data[:2048].lower()
    return b"<table" in head or b"<html" in head or b"<!doctype html" in head or b"<tr" in head


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


def _read_html(data: bytes) -> tuple[list[list], list[int]]:
    p = _TableParser()
    p.feed(_decode_csv(data))
    p.close()
    if len(p.rows) > MAX_ROWS:
        raise ValueError(t(f"超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows"))
    return p.rows, list(range(1, len(p.rows) + 1))


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
    if not path.is_file():
        raise InputError(t(f"找不到名单文件: {path}", f"roster file not found: {path}"))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_big(path, f"文件有 {size / 2**20:.0f} MB, 超过上限 {MAX_FILE_BYTES // 2**20} MB",
                           f"the file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, str(exc)) from None
    if not data:
        raise _unreadable(path, t("文件是空的", "the file is empty"))

    notes: list[str] = []
    encrypted = False
    is_text = not data.startswith((_OLE_MAGIC, _ZIP_MAGIC))
    if is_text:
        # A .csv, or one of the ".xls" files student-record systems export that
        # are really tab-separated text or an HTML table.
        if path.suffix.lower() not in (".csv", ".txt"):
            if not _looks_like_text(data):
                raise _unreadable(path, t("不是 Excel 工作簿,也不是文本表格", "neither an Excel workbook nor a text table"))
            notes.append(
                t(
                    f"{path.name} 的内容不是 Excel 格式而是文本表格,已按文本读取",
                    f"{path.name} is a text table, not an Excel workbook: read as text",
                )
            )
        try:
            rows, csv_rownos = _read_html(data) if _is_html(data) else _read_csv(data)
        except (ValueError, UnicodeError) as exc:
            raise _unreadable(path, str(exc)) from None
        sheets = [(path.name, True, None)]
    else:
        if data.startswith(_OLE_MAGIC):
            data, encrypted = _decrypt(data, path, password)
        elif password:
            notes.append(t("名单没有加密,已忽略 --password", "the roster is not encrypted: --password ignored"))
        if data.startswith(_ZIP_MAGIC):
            _check_xlsx(data if encrypted else None, path)
            sheets = _sheets_from_workbook(data if encrypted else None, path)
        else:  # a legacy .xls (or an encrypted xlsx that is not a zip inside)
            sheets = _sheets_from_xls(data, path)
        csv_rownos = None
    is_csv = is_text

    hidden = [name for name, visible, _ in sheets if not visible]
    chosen = None
    header = None
    others_with_header: list[str] = []
    hidden_with_header: list[str] = []
    for name, visible, wb in sorted(sheets, key=lambda x: not x[1]):  # visible sheets first
        if not visible and chosen is not None:
            break  # hidden sheets are only looked at to explain why nothing was found
        if wb is not None:
            rows_, merged_ = _load_sheet(wb, name, path)
        else:
            rows_, merged_ = rows, []
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
        raise _unreadable(
            path,
            t(
                f"找不到表头(前{HEADER_SCAN_ROWS}行中应有 {expected} 或其中文名,至少要有姓名和学号或身份证号)",
                f"no header row found (the first {HEADER_SCAN_ROWS} rows should name {', '.join(FIELDS)} "
                "or their Chinese names; at least Xm and Xh or Sfzh)",
            ),
        )
    sheet_name, rows, merged = chosen
    h, mapping, extras = header
    header_rowno = csv_rownos[h] if csv_rownos else h + 1

    if not is_csv:
        notes.append(t(f"读取工作表“{sheet_name}”,表头在第 {header_rowno} 行", f"read sheet “{sheet_name}”, header on row {header_rowno}"))
    else:
        notes.append(t(f"读取 CSV 文件,表头在第 {header_rowno} 行", f"read the CSV file, header on row {header_rowno}"))
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

    findings: list[Finding] = []
    present = set(mapping.values())
    for f in FIELDS:
        if f not in present:
            findings.append(
                Finding(
                    header_rowno,
                    f,
                    "missing_column",
                    severity("missing_column"),
                    t(f"名单缺少“{label(f)}”列", f"the roster has no {label(f)} column"),
                )
            )

    data_rows = rows[h + 1 :]
    data_rownos = csv_rownos[h + 1 :] if csv_rownos else list(range(h + 2, h + 2 + len(data_rows)))

    # Merged cells: the sheet shows the top-left value across the range.
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

    # Keep student rows: skip blank rows silently, and report rows that carry
    # something but no student number, ID number or name (titles, totals, a
    # repeated header).
    keys = [by_field[f] for f in ("Xh", "Sfzh", "Xm") if f in by_field]
    blank = ("",) * len(keys)
    xm_col = by_field["Xm"]
    xm_header = next(c for c, f in mapping.items() if f == "Xm")
    header_words = {str(rows[h][xm_header]).strip(), "姓名", "Xm", "xm", "XM"}
    n = len(data_rows)
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
                        f"这一行没有学号、身份证号和姓名,不是学生记录,已跳过(内容: {str(v0)[:30]})",
                        f"no student number, ID number or name on this row: skipped (content: {str(v0)[:30]})",
                    ),
                    original=str(v0),
                )
            )
    if drop:
        keep = [i for i in range(n) if i not in drop]
        for f in by_field:
            col = by_field[f]
            by_field[f] = [col[i] for i in keep]
        rownos = [data_rownos[i] for i in keep]
        new_index = {old: new for new, old in enumerate(keep)}
    else:
        rownos = data_rownos
        new_index = None

    for (i, c), top in sorted(filled.items()):
        if new_index is not None:
            if i not in new_index:
                continue
            j = new_index[i]
        else:
            j = i
        f = mapping[c]
        findings.append(
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

    return RawTable(
        path=path,
        sheet=None if is_csv else sheet_name,
        header_row=header_rowno,
        columns=by_field,
        rownos=rownos,
        notes=notes,
        findings=findings,
        encrypted=encrypted,
        extra_columns=extras,
    )


__all__ = ["RawTable", "read_roster", "COLLEGE"]
