"""Importing into the station database: upsert, never delete, findings, audit, colleges, report."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlalchemy import func, select

from app.models import AuditLog, MajorCollege, RosterFinding, RosterImport, Shot, Student
from app.roster.importer import check_roster, import_roster
from app.roster.report import write_report
from app.roster.colleges import apply_college_map, college_overview, read_college_map
from app.station import local_station
from tests._roster_books import HEADERS, encrypt_file, good_rows, make_book, valid_id


def _students(s) -> list[Student]:
    return list(s.scalars(select(Student).order_by(Student.id)))


def test_import_stores_clean_values_and_search_keys(db, tmp_path):
    rows = good_rows(30, college=True)
    rows[3][6] = "单\u200b田芳"
    rows[4][5], rows[4][7] = "110105491231002", "女"
    path = make_book(tmp_path / "r.xlsx", rows, header=[*HEADERS, "学院"])
    with db.session() as s:
        res = import_roster(s, path)
    assert (res.rows_read, res.imported, res.updated, res.flagged) == (30, 30, 0, 0)
    assert res.warned == 2
    with db.session() as s:
        st = _students(s)
        assert sorted(x.student_no for x in st) == sorted(r[4] for r in rows)
        by_no = {x.student_no: x for x in st}
        a = by_no[rows[3][4]]
        assert a.name == "单田芳" and a.name_initials == "stf" and a.has_warning and not a.has_error
        assert [f.code for f in a.findings] == ["hidden_chars"]
        legacy = by_no[rows[4][4]]
        assert legacy.id_number == "110105491231002"
        assert legacy.id_number18 == "11010519491231002X" and legacy.id_last6 == "31002X"
        plain = by_no[rows[0][4]]
        assert plain.id_number18 == rows[0][5] and plain.id_last6 == rows[0][5][-6:]
        assert plain.college == rows[0][9] and plain.active and plain.roster_row == 2
        assert plain.roster_order == 0 and plain.import_id == res.import_id
        imp = s.get(RosterImport, res.import_id)
        assert (imp.rows_read, imp.imported, imp.sheet) == (30, 30, "名单")
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "roster_import")).one()
        assert audit.rows == 30 and audit.file_sha256 == imp.file_sha256
        assert json.loads(audit.details)["imported"] == 30
        # The roster taught the station which college each major belongs to.
        learnt = dict(s.execute(select(MajorCollege.major, MajorCollege.college)).all())
        assert learnt[rows[0][2]] == rows[0][9]


def test_rows_with_errors_are_imported_and_flagged(db, tmp_path):
    rows = good_rows(5)
    rows[1][5] = rows[1][5][:-1] + ("0" if rows[1][5][-1] != "0" else "1")
    rows[2][5] = 321084199001011234
    path = make_book(tmp_path / "r.xlsx", rows)
    with db.session() as s:
        res = import_roster(s, path)
    assert res.imported == 5 and res.flagged == 2
    with db.session() as s:
        by_no = {x.student_no: x for x in _students(s)}
        bad = by_no[rows[1][4]]
        assert bad.has_error and bad.id_number == rows[1][5]
        (f,) = bad.findings
        assert (f.code, f.severity, f.row, f.field, f.original) == ("id_checksum", "error", 3, "Sfzh", rows[1][5])
        lost = by_no[rows[2][4]]
        assert lost.has_error and lost.id_number == "321084199001011000" and lost.id_last6 == ""
        assert lost.id_number18 is None


def test_reimport_of_a_corrected_roster_updates_not_duplicates(db, tmp_path):
    rows = good_rows(8)
    wrong = [list(r) for r in rows]
    wrong[2][6] = wrong[2][6][0] + "某"  # a wrong name
    wrong[3][5] = wrong[3][5][:-1] + ("0" if wrong[3][5][-1] != "0" else "1")  # checksum error
    wrong[5][4] = "9999" + wrong[5][4][4:]  # wrong student number, right ID number
    with db.session() as s:
        first = import_roster(s, make_book(tmp_path / "v1.xlsx", wrong))
    assert first.imported == 8 and first.flagged == 1
    with db.session() as s:
        ids_before = {x.id_number18 or x.id_number: x.id for x in _students(s)}
        ids_before[rows[3][5]] = next(x.id for x in _students(s) if x.student_no == rows[3][4])
    with db.session() as s:
        second = import_roster(s, make_book(tmp_path / "v2.xlsx", rows))
    assert (second.imported, second.updated, second.unchanged, second.deactivated) == (0, 3, 5, 0)
    assert second.flagged == 0
    with db.session() as s:
        st = _students(s)
        assert len(st) == 8
        for r in rows:
            x = next(x for x in st if x.student_no == r[4])
            assert (x.name, x.id_number) == (r[6], r[5])
            assert x.id == ids_before[r[5]]
            assert not x.has_error and x.findings == []
        # The old findings were replaced; the first import's record stays.
        assert s.scalar(select(func.count()).select_from(RosterFinding)) == 0
        assert s.scalar(select(func.count()).select_from(RosterImport)) == 2


def test_dropped_students_are_kept_inactive_and_come_back(db, tmp_path):
    rows = good_rows(6)
    with db.session() as s:
        import_roster(s, make_book(tmp_path / "v1.xlsx", rows))
        photographed = s.scalars(select(Student).where(Student.student_no == rows[0][4])).one()
        station = local_station(s)
        s.add(Shot(student_id=photographed.id, station_id=station.id, path="/photos/a.jpg", sha256="0" * 64, bytes=1))
        unlisted = Student(student_no="X1", name="临时加", unlisted=True)
        s.add(unlisted)
        s.commit()
    with db.session() as s:
        res = import_roster(s, make_book(tmp_path / "v2.xlsx", rows[2:]))
    assert res.deactivated == 2 and res.imported == 0
    with db.session() as s:
        st = {x.student_no: x for x in _students(s)}
        assert len(st) == 7  # nobody deleted
        assert not st[rows[0][4]].active and not st[rows[1][4]].active
        assert len(st[rows[0][4]].shots) == 1  # the photo is still there
        assert st["X1"].active  # added at the camera: not the roster's to drop
    with db.session() as s:
        res = import_roster(s, make_book(tmp_path / "v3.xlsx", rows))
    assert res.reactivated == 2 and res.deactivated == 0 and res.imported == 0
    with db.session() as s:
        assert all(x.active for x in _students(s))


def test_unlisted_student_is_matched_when_the_roster_lists_them(db, tmp_path):
    rows = good_rows(3)
    with db.session() as s:
        s.add(Student(student_no=rows[1][4], name=rows[1][6], unlisted=True))
        s.commit()
    with db.session() as s:
        res = import_roster(s, make_book(tmp_path / "r.xlsx", rows))
    assert res.imported == 2 and res.updated == 1
    with db.session() as s:
        x = s.scalars(select(Student).where(Student.student_no == rows[1][4])).one()
        assert not x.unlisted and x.id_number == rows[1][5]


def test_exact_repeated_row_is_one_student_and_findings_name_no_student(db, tmp_path):
    rows = good_rows(3)
    rows.append(list(rows[0]))
    with db.session() as s:
        res = import_roster(s, make_book(tmp_path / "r.xlsx", rows))
    assert res.rows_read == 4 and res.imported == 3 and res.flagged == 0
    with db.session() as s:
        dups = list(s.scalars(select(RosterFinding).where(RosterFinding.code == "duplicate")))
        assert len(dups) == 3 and all(f.student_id is None and f.row == 5 for f in dups)


def test_two_students_sharing_a_number_are_both_imported(db, tmp_path):
    rows = good_rows(3)
    rows[2][4] = rows[0][4]
    with db.session() as s:
        res = import_roster(s, make_book(tmp_path / "r.xlsx", rows))
    assert res.imported == 3 and res.flagged == 1
    with db.session() as s:
        later = s.scalars(select(Student).where(Student.roster_row == 4)).one()
        assert later.has_error and [f.code for f in later.findings] == ["duplicate"]


def test_college_mapping_for_a_roster_without_college_column(db, tmp_path):
    rows = good_rows(12)
    majors = sorted({r[2] for r in rows})
    with db.session() as s:
        import_roster(s, make_book(tmp_path / "r.xlsx", rows))
        _, without = college_overview(s)
        assert {m for m, _ in without} == set(majors)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["专业", "学院"])
    for k, m in enumerate(majors):
        ws.append([m, f"第{k % 2 + 1}学院"])
    wb.save(tmp_path / "map.xlsx")
    mapping, _ = read_college_map(tmp_path / "map.xlsx")
    assert len(mapping) == len(majors)
    with db.session() as s:
        stored, updated = apply_college_map(s, mapping)
        s.commit()
        assert stored == len(majors) and updated == 12
        with_college, without = college_overview(s)
        assert without == [] and sum(n for _, _, n in with_college) == 12
    # A later roster without the column gets the colleges from the mapping.
    with db.session() as s:
        import_roster(s, make_book(tmp_path / "r2.xlsx", good_rows(6, seed=8)), replace=True)  # another list: replaces
        assert all(x.college for x in _students(s) if x.active)


def test_findings_report_workbook(tmp_path):
    rows = good_rows(4)
    rows[1][5] = rows[1][5][:-1] + ("0" if rows[1][5][-1] != "0" else "1")
    rows[2][6] = " " + rows[2][6]
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    out = write_report(checked, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", "问题行", "说明"]
    lines = list(wb["问题清单"].iter_rows(values_only=True))
    assert lines[0][:5] == ("行号", "字段", "字段名称", "级别", "代码")
    assert [(x[0], x[1], x[4]) for x in lines[1:]] == [(3, "Sfzh", "id_checksum"), (4, "Xm", "spaces")]
    assert lines[1][3] == "错误" and lines[2][3] == "警告"
    assert lines[2][6] == " " + rows[2][6].strip() and lines[2][7] == rows[2][6].strip()
    flagged = list(wb["问题行"].iter_rows(values_only=True))
    assert [x[0] for x in flagged[1:]] == [3, 4]
    assert wb["问题行"]["G2"].fill.fgColor.rgb.endswith("FFC7CE")  # the ID cell of the error row is red


def test_report_encrypted_with_a_password(tmp_path):
    import msoffcrypto

    rows = good_rows(2)
    rows[0][7] = "?"
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    out = write_report(checked, tmp_path / "report.xlsx", password="pw")
    with open(out, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        assert office.is_encrypted()
        office.load_key(password="pw")
        buf = io.BytesIO()
        office.decrypt(buf)
    wb = openpyxl.load_workbook(buf)
    assert list(wb["问题清单"].iter_rows(values_only=True))[1][4] == "invalid_value"


def test_encrypted_roster_imports(db, tmp_path):
    plain = make_book(tmp_path / "p.xlsx", good_rows(3))
    enc = encrypt_file(plain, tmp_path / "e.xlsx", "s3cret")
    with db.session() as s:
        res = import_roster(s, enc, password="s3cret")
        assert res.imported == 3
        assert s.scalars(select(AuditLog)).one().encrypted


@pytest.mark.postgres
def test_import_reimport_and_search_on_postgresql(pg_db, tmp_path):
    """The same import and look-ups on a site database (PostgreSQL)."""
    from app.search import lookup_exact, search

    rows = good_rows(12)
    rows[2][5] = rows[2][5][:-1] + ("0" if rows[2][5][-1] != "0" else "1")
    rows[4][5], rows[4][7] = "110105491231002", "女"
    with pg_db.session() as s:
        res = import_roster(s, make_book(tmp_path / "v1.xlsx", rows))
    assert (res.imported, res.flagged) == (12, 1)
    rows[2][5] = valid_id(rows[2][5][:17])
    with pg_db.session() as s:
        res = import_roster(s, make_book(tmp_path / "v2.xlsx", rows[1:]))
    assert (res.imported, res.updated, res.unchanged, res.deactivated) == (0, 1, 10, 1)
    with pg_db.session() as s:
        assert [x.student_no for x in lookup_exact(s, "11010519491231002X")] == [rows[4][4]]
        assert [x.student_no for x in search(s, rows[6][6])][0] == rows[6][4]
        assert search(s, rows[6][4][:8])
        assert not s.scalars(select(Student).where(Student.student_no == rows[0][4])).one().active
        assert s.scalar(select(func.count()).select_from(RosterFinding)) >= 1
