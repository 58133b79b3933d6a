"""A real legacy .xls (BIFF8, written by xlwt as old student-record systems do) through the roster reader."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests._roster_books import HEADERS, good_rows

xlwt = pytest.importorskip("xlwt")


def write_xls(path, rows, *, header=HEADERS, sheet="学生名单"):
    """``rows``: lists of cell values; a (value, "date") pair is written as an Excel date cell."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for c, h in enumerate(header):
        ws.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, tuple) and v[1] == "date":
                ws.write(r, c, v[0], date_style)
            else:
                ws.write(r, c, v)
    book.save(str(path))
    return path


def test_legacy_xls_imports_and_its_broken_cells_are_found(run_cli, tmp_path):
    rows = good_rows(6)
    rows[1][5] = float(rows[1][5][:15] + "000")  # ID typed as a number: Excel keeps 15 digits, the rest is gone
    rows[2][4] = float(rows[2][4])  # student number stored as a number: repairable, said as a warning
    rows[3][6] = rows[3][6] + "\u200b"  # a zero-width space after the name
    rows[4][0] = (dt.datetime(2019, 6, 30), "date")  # the graduation year typed as a date
    path = write_xls(tmp_path / "名单.xls", rows)
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # a real OLE2/BIFF file, not HTML
    code, out, err = run_cli("roster", "check", path, "--json")
    assert code == 0, err
    found = {(f["row"], f["field"], f["code"]) for f in map(json.loads, out.splitlines())}
    assert (3, "Sfzh", "id_stored_as_number") in found  # Excel row 3 = the second student
    assert (4, "Xh", "stored_as_number") in found
    assert (5, "Xm", "hidden_chars") in found
    assert (6, "Bynd", "stored_as_date") in found  # the xls date cell is seen as a date, not a number
    assert len(found) == 4  # and nothing else: the clean rows stay clean
    code, out, _ = run_cli("roster", "import", path, "--no-report")
    assert code == 0 and "新增 6 人" in out
    code, out, _ = run_cli("find", rows[0][4])
    assert code == 0 and rows[0][6] in out
