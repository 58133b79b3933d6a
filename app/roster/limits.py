"""Limits on a roster file and the guards against hostile input, checked before or while reading.

No file can crash the station, hang it or take its memory: the size on disk,
an xlsx's parts once decompressed (a "zip bomb" is refused before anything is
unpacked), the used range of every sheet (a stray cell at XFD1048576), the
merged ranges, the length of one cell. A roster of a large university has
20,000 students and a dozen columns: these are far above. The readers
(:mod:`app.roster.formats`) read the limits from this module when they run, so
a test can lower one.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from app.errors import InputError
from app.i18n import t

MAX_FILE_BYTES = 64 * 1024 * 1024  # the file on disk
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # an xlsx's parts once decompressed (a "zip bomb" is refused first)
MAX_RATIO = 200  # decompressed / compressed, for a part over 1 MB (text in xlsx packs 5-20 to 1)
MAX_ROWS = 200_000
MAX_COLS = 1_000
MAX_CELLS = 6_000_000  # rows × columns of the used range, allocated by the reader at once
MAX_CELL_CHARS = 131_072  # one cell (Excel itself stops at 32,767)
MAX_MERGED = 20_000  # merged ranges in the sheet


def unreadable(path: Path, why: str) -> InputError:
    return InputError(t(f"无法读取名单 {path.name}: {why}", f"cannot read the roster {path.name}: {why}"))


def too_big(path: Path, zh: str, en: str) -> InputError:
    return unreadable(path, t(f"{zh}; 请检查文件, 或只把名单另存为一个新的 xlsx/csv 文件后再导入",
                              f"{en}; check the file, or save just the roster as a new xlsx/csv file and import that"))


def check_file_size(path: Path, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise too_big(path, f"文件有 {size / 2**20:.0f} MB, 超过上限 {MAX_FILE_BYTES // 2**20} MB",
                      f"the file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit")


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


def check_xlsx(data: bytes | None, path: Path) -> None:
    """Refuse a zip bomb, a sheet reaching out to XFD1048576 and other sizes before calamine allocates them.

    Reads the zip's directory (declared sizes and ratios), then streams each
    worksheet's XML through a regular expression for its cell and row
    references and merged ranges; never holds more than a few MB at a time.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable(path, t(f"文件已损坏, 不是完整的 xlsx ({exc})", f"the file is damaged, not a whole xlsx ({exc})")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > 10_000:
            raise too_big(path, f"xlsx 内有 {len(infos)} 个部件, 不像名单", f"the xlsx has {len(infos)} parts: not a roster")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES:
            raise too_big(path, f"解压后共 {total / 2**20:.0f} MB, 超过上限 {MAX_UNPACKED_BYTES // 2**20} MB (疑似“压缩炸弹”)",
                           f"it unpacks to {total / 2**20:.0f} MB, over the {MAX_UNPACKED_BYTES // 2**20} MB limit (a zip bomb?)")
        for i in infos:
            if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise too_big(path, f"部件 {i.filename} 压缩比 {i.file_size // max(i.compress_size, 1)}:1, 疑似“压缩炸弹”",
                               f"part {i.filename} packs {i.file_size // max(i.compress_size, 1)}:1 (a zip bomb?)")
        for i in infos:
            if not (i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")):
                continue
            far = _scan_sheet(zf, i, path, exact=False)
            if far:  # columns beyond Z: the area needs the exact row count
                _scan_sheet(zf, i, path, exact=True)


def _scan_sheet(zf, info, path: Path, *, exact: bool) -> bool:
    """Check one sheet's extent and merged ranges (see :func:`check_xlsx`); True if a cell lies beyond column Z."""
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
                    raise too_big(path, "工作表解压后过大 (疑似“压缩炸弹”)", "a sheet unpacks too large (a zip bomb?)")
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
        raise unreadable(path, t(f"文件已损坏 ({info.filename}: {exc})", f"the file is damaged ({info.filename}: {exc})")) from None
    # the cheap pass knows rows only from 100,000 up: below that, with columns within Z, the area is small
    check_extent(path, info.filename, max_row, max_col if exact else min(max_col, MAX_COLS), merged)
    if exact:
        return False
    return max_col > 26


def check_extent(path: Path, where: str, rows: int, cols: int, merged: int = 0) -> None:
    if rows > MAX_ROWS:
        raise too_big(path, f"{where} 用到第 {rows} 行, 超过上限 {MAX_ROWS} 行",
                       f"{where} reaches row {rows}, over the {MAX_ROWS} row limit")
    if cols > MAX_COLS:
        raise too_big(path, f"{where} 用到第 {cols} 列, 超过上限 {MAX_COLS} 列 (某个单元格远在表格之外?)",
                       f"{where} reaches column {cols}, over the {MAX_COLS} column limit (a stray cell far out?)")
    if rows * cols > MAX_CELLS:
        raise too_big(path, f"{where} 的范围有 {rows}×{cols} 个单元格, 超过上限 {MAX_CELLS}",
                       f"{where} spans {rows}x{cols} cells, over the {MAX_CELLS} limit")
    if merged > MAX_MERGED:
        raise too_big(path, f"{where} 有 {merged} 个合并单元格区域, 超过上限 {MAX_MERGED}",
                       f"{where} has {merged} merged ranges, over the {MAX_MERGED} limit")
