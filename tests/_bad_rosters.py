"""Roster files that crashed or hung the reader (issue 15, item 5), built for real, small on disk."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from tests._roster_books import HEADERS, good_rows, make_book


def _csv(rows) -> str:
    return "\r\n".join(",".join(r) for r in rows) + "\r\n"


def long_field_csv(path: Path) -> Path:
    rows = [HEADERS, *good_rows(3)]
    rows[2] = list(rows[2])
    rows[2][6] = "名" * 131_073
    path.write_text(_csv(rows), "utf-8")
    return path


def odd_utf16_csv(path: Path) -> Path:
    data = _csv([HEADERS, *good_rows(3)]).encode("utf-16")
    path.write_bytes(data + b"\x00")  # one byte more: an odd count
    return path


def truncated_xls(path: Path) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("学生名单")
    for r, row in enumerate([HEADERS, *good_rows(40)]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    # cut where calamine panics (a Rust panic, not an error): the first such cut from the end
    import python_calamine as pc

    for cut in range(len(data) - 512, 512, -97):
        try:
            wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data[:cut]))
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python()
        except Exception:  # noqa: BLE001 - an ordinary error: not the case we want
            continue
        except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException
            if type(exc).__name__ == "PanicException":
                path.write_bytes(data[:cut])
                return path
            raise
    raise AssertionError("no cut of this .xls makes calamine panic")


def _rezip(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(info.filename, data))
    return dst


def far_cell_xlsx(path: Path) -> Path:
    """A good roster plus one cell at XFD1048576 (the last cell Excel has)."""
    from openpyxl import load_workbook

    src = make_book(path.with_name(path.stem + "-src.xlsx"), good_rows(5))
    wb = load_workbook(src)
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    src.unlink()
    return path


def overlapping_merges_xlsx(path: Path, n: int = 2000, rows: int = 2000) -> Path:
    """``rows`` students, most cells empty under ``n`` overlapping merged ranges across every column
    (written into the XML: openpyxl refuses overlapping merges)."""
    good = good_rows(rows)
    good = [r if i % 100 == 0 else [r[0], "", "", "", "", "", "", "", ""] for i, r in enumerate(good)]
    src = make_book(path.with_name(path.stem + "-src.xlsx"), good)
    refs = "".join(f'<mergeCell ref="A{2 + i}:I{rows + 1}"/>' for i in range(n))
    merge = f'<mergeCells count="{n}">{refs}</mergeCells>'.encode()

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return data.replace(b"</sheetData>", b"</sheetData>" + merge, 1)
        return data

    _rezip(src, path, edit)
    src.unlink()
    return path


def _deflate_raw(data: bytes) -> bytes:
    o = zlib.compressobj(6, zlib.DEFLATED, -15)
    return o.compress(data) + o.flush()


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A plain zip from (name, deflated bytes, crc32, unpacked size): the parts already compressed."""
    out, central = bytearray(), bytearray()
    for name, comp, crc, size in members:
        n = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(comp), size, len(n), 0) + n + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(comp), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))


def zip_bomb_xlsx(path: Path, unpacked_mb: int = 1024) -> Path:
    """A real roster whose sheet unpacks to ``unpacked_mb`` MB (spaces in a comment): under 1 MB on disk."""
    src = make_book(path.with_name(path.stem + "-src.xlsx"), good_rows(5))
    chunk = b" " * (1 << 20)
    o = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = o.compress(chunk) + o.flush(zlib.Z_FULL_FLUSH)  # self-contained: can be repeated
    members = []
    with zipfile.ZipFile(src) as zin:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                head, tail = data.split(b"<sheetData>", 1)
                head, tail = head + b"<!--", b"--><sheetData>" + tail
                o1 = zlib.compressobj(6, zlib.DEFLATED, -15)
                comp = o1.compress(head) + o1.flush(zlib.Z_FULL_FLUSH) + block * unpacked_mb + _deflate_raw(tail)
                crc = zlib.crc32(head)
                for _ in range(unpacked_mb):
                    crc = zlib.crc32(chunk, crc)
                crc = zlib.crc32(tail, crc)
                members.append((info.filename, comp, crc, len(head) + len(chunk) * unpacked_mb + len(tail)))
            else:
                members.append((info.filename, _deflate_raw(data), zlib.crc32(data), len(data)))
    _write_zip(path, members)
    src.unlink()
    return path


BAD = {
    "long_field.csv": long_field_csv,
    "odd_utf16.csv": odd_utf16_csv,
    "truncated.xls": truncated_xls,
    "far_cell.xlsx": far_cell_xlsx,
    "merges.xlsx": overlapping_merges_xlsx,
    "bomb.xlsx": zip_bomb_xlsx,
}
