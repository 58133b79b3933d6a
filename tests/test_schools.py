"""Schools never mix, every delivered photo carries its own student's ID number, merge conflicts block delivery.

Issue 11, reproductions 3, 4 and 6, on real roster workbooks (openpyxl), the
real `station` command, the real workflow with the real checks, and real JPEGs:

- two schools whose student numbers collide (schools number independently)
  share one database without one roster touching the other's students;
- a re-sent roster that would drop many students asks first (``--replace``);
  one file per college adds colleges;
- a scan prefers the school being shot and says so;
- reports and the delivery are per school (``--school``);
- delivery names are the 18-character ID number (the roster's, else the one
  read at the camera), never a guess: no valid number → 待处理/, exit 3;
- a merge conflict stops the export before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, text

from app.models import MergeConflict, RosterFinding, Selection, Shot, Student
from app.roster.importer import import_roster
from tests._reports_day import day, id_number  # noqa: F401
from tests._roster_books import HEADERS, good_rows, make_book

A, B = "甲大学", "乙大学"
COLLEGE_HEADERS = [*HEADERS, "学院"]


def school_rows(school: str, n: int, seed: int) -> list[list]:
    """n rows of a school; the same n gives the same student numbers in every school (they collide)."""
    rows = good_rows(n, seed=seed, college=True)
    for r in rows:
        r[1] = school
    return rows


def book(tmp_path: Path, name: str, rows: list[list]) -> Path:
    return make_book(tmp_path / name, rows, header=COLLEGE_HEADERS)


def students(session, school: str | None = None) -> list[Student]:
    q = select(Student).order_by(Student.id)
    if school:
        q = q.where(Student.school == school)
    return list(session.scalars(q))


def manifest(root: Path) -> list[dict]:
    with open(root / "清单.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- reproduction 3: the roster -----------------------------------------------------------------


def test_another_schools_roster_with_the_same_student_numbers_adds_its_students(db, run_cli, tmp_path):
    rows_a, rows_b = school_rows(A, 12, seed=3), school_rows(B, 12, seed=11)
    assert [r[4] for r in rows_a] == [r[4] for r in rows_b]  # the collision of the issue
    assert run_cli("roster", "import", book(tmp_path, "a.xlsx", rows_a), "--no-report")[0] == 0
    with db.session() as s:
        before = {st.id: (st.student_no, st.id_number, st.name, st.active) for st in students(s, A)}
    code, out, err = run_cli("roster", "import", book(tmp_path, "b.xlsx", rows_b), "--no-report", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["imported"] == 12 and summary["updated"] == 0 and summary["deactivated"] == 0
    assert summary["new_schools"] == [B]
    with db.session() as s:
        # A's students are exactly as they were: not "updated" by B's rows, not dropped
        assert {st.id: (st.student_no, st.id_number, st.name, st.active) for st in students(s, A)} == before
        got_b = {(st.student_no, st.id_number, st.name) for st in students(s, B)}
        assert got_b == {(r[4], r[5], r[6]) for r in rows_b} and all(st.active for st in students(s, B))
    # re-sending A's corrected roster updates A's students only
    rows_a[0][6] = rows_a[0][6] + "改"
    code, out, _ = run_cli("roster", "import", book(tmp_path, "a2.xlsx", rows_a), "--no-report", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["updated"] == 1 and summary["imported"] == 0 and summary["deactivated"] == 0
    assert summary["new_schools"] == []
    code, out, _ = run_cli("find", rows_a[1][4])  # both schools' students, each with its school
    assert code == 0 and A in out and B in out and rows_a[1][6] in out and rows_b[1][6] in out
    with db.session() as s:
        assert {st.name for st in students(s, B)} == {r[6] for r in rows_b}
        assert sum(st.active for st in students(s)) == 24


def test_a_roster_that_drops_many_students_shows_who_and_needs_replace(db, run_cli, tmp_path):
    rows = school_rows(A, 20, seed=3)
    run_cli("roster", "import", book(tmp_path, "a.xlsx", rows), "--no-report")
    run_cli("roster", "import", book(tmp_path, "b.xlsx", school_rows(B, 20, seed=11)), "--no-report")
    # all colleges still there, but 7 students of A missing (a truncated export at the school)
    kept = rows[:4] + rows[11:]
    code, out, err = run_cli("roster", "import", book(tmp_path, "a2.xlsx", kept), "--no-report")
    assert code == 3 and "--replace" in err and "7 名学生" in err
    for r in rows[4:11]:
        assert f"{r[4]}  {r[6]}" in out  # each one named
    with db.session() as s:
        assert all(st.active for st in students(s))  # nothing written
    code, out, err = run_cli("roster", "import", book(tmp_path, "a2.xlsx", kept), "--no-report", "--replace", "--json")
    assert code == 0, err and json.loads(out)["deactivated"] == 7
    with db.session() as s:
        dropped = {st.student_no for st in students(s, A) if not st.active}
        assert dropped == {r[4] for r in rows[4:11]}
        assert all(st.active for st in students(s, B))  # the other school's same numbers untouched
    # a few (up to 5) need no confirmation
    code, out, _ = run_cli("roster", "import", book(tmp_path, "a3.xlsx", kept[2:]), "--no-report", "--json")
    assert code == 0 and json.loads(out)["deactivated"] == 2


def test_a_roster_sent_one_file_per_college_adds_each_college(db, tmp_path):
    rows = school_rows(A, 18, seed=3)
    colleges = sorted({r[9] for r in rows})
    assert len(colleges) == 3
    with db.session() as s:
        for k, college in enumerate(colleges):
            part = [r for r in rows if r[9] == college]
            res = import_roster(s, book(tmp_path, f"c{k}.xlsx", part))
            assert res.imported == len(part) and res.deactivated == 0
        assert len(students(s, A)) == 18 and all(st.active for st in students(s, A))
        # a corrected file of one college drops only within that college
        first = [r for r in rows if r[9] == colleges[0]]
        res = import_roster(s, book(tmp_path, "c0b.xlsx", first[1:]))
        assert res.deactivated == 1
        assert {st.student_no for st in students(s, A) if not st.active} == {first[0][4]}


def test_the_window_asks_before_a_roster_drops_students(db, tmp_path):
    from app import station_jobs

    rows = school_rows(A, 20, seed=3)
    station_jobs.import_roster(db, book(tmp_path, "a.xlsx", rows))
    path = book(tmp_path, "a2.xlsx", rows[::2])  # every college still there, half the students gone
    res = station_jobs.import_roster(db, path)
    assert not res.ok and res.confirm and "10" in res.confirm and res.counts == {"to_remove": 10}
    assert any(rows[15][4] in line for line in res.lines)
    with db.session() as s:
        assert all(st.active for st in students(s))
    res = station_jobs.import_roster(db, path, replace=True)
    assert res.ok and res.confirm is None and res.counts["deactivated"] == 10


# --- reproduction 3: at the camera --------------------------------------------------------------


def test_a_scanned_student_number_finds_the_school_being_shot_and_says_so(db, tmp_path, demo_checker):
    from app import settings
    from app.search import lookup_exact
    from app.workflow import Workflow

    rows_a, rows_b = school_rows(A, 6, seed=3), school_rows(B, 6, seed=11)
    with db.session() as s:
        import_roster(s, book(tmp_path, "a.xlsx", rows_a))
        import_roster(s, book(tmp_path, "b.xlsx", rows_b))
        xh = rows_a[2][4]
        found = lookup_exact(s, xh)  # B's roster came last: B is being shot
        assert [(st.school, st.name) for st in found] == [(B, rows_b[2][6])]
        assert A in found.note and [st.school for st in found.elsewhere] == [A]
        settings.set_(s, "school.current", A)
        s.commit()
        found = lookup_exact(s, xh)
        assert [(st.school, st.name) for st in found] == [(A, rows_a[2][6])]
    wf = Workflow(db, capture_folder=tmp_path / "captures")
    wf.checker = demo_checker
    try:
        card = wf.identify(xh).card
        assert card.school == A and card.name == rows_a[2][6]
        assert any(B in p and xh in p for p in card.problems)  # the card says another school has this number
        # an ID number is a person: it finds B's student whatever school is being shot
        assert wf.identify(rows_b[3][5]).card.school == B
    finally:
        wf.close()


# --- reports and delivery per school -------------------------------------------------------------


def test_reports_need_school_when_the_database_holds_several(db, run_cli, tmp_path):
    run_cli("roster", "import", book(tmp_path, "a.xlsx", school_rows(A, 6, seed=3)), "--no-report")
    code, out, err = run_cli("report", "reconcile", "--period", "all", "--whole-roster", "--json")
    assert code == 0 and json.loads(out)["roster"] == 6  # one school: no option
    run_cli("roster", "import", book(tmp_path, "b.xlsx", school_rows(B, 4, seed=11)), "--no-report")
    for argv in (("report", "reconcile", "--period", "all"), ("report", "errata", "--out", tmp_path / "e.xlsx"),
                 ("export", "photos", "--out", tmp_path / "d")):
        code, out, err = run_cli(*argv)
        assert code == 2 and "--school" in err and A in err and B in err, argv
    assert not (tmp_path / "d").exists() and not (tmp_path / "e.xlsx").exists()
    code, out, err = run_cli("report", "reconcile", "--period", "all", "--whole-roster", "--json", "--school", B)
    assert code == 0 and json.loads(out)["roster"] == 4
    code, out, err = run_cli("report", "reconcile", "--school", "丙大学")
    assert code == 2 and "丙大学" in err


# --- reproduction 4: delivery names ---------------------------------------------------------------


def _add_id_read_column(db) -> None:
    """The camera's record of the ID number it read (``shots.id_read``, issue 11 part A), when not yet migrated."""
    with db.engine.begin() as conn:
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(shots)")}
        if "id_read" not in cols:
            conn.exec_driver_sql("ALTER TABLE shots ADD COLUMN id_read VARCHAR(64)")


def test_delivery_names_are_the_students_own_id_numbers(day, db, run_cli, tmp_path):
    from app.roster.idcard import to18

    _add_id_read_column(db)
    with db.session() as s:
        st = {no: s.scalars(select(Student).where(Student.student_no == no)).one()
              for no in ("X1901002", "X1901004", "X1901006", "X1901999", "H1901002")}
        # an empty Ksh is an error of the row, unrelated to the ID number
        st["X1901002"].exam_no, st["X1901002"].has_error = "", True
        s.add(RosterFinding(import_id=st["X1901002"].import_id, student_id=st["X1901002"].id, row=3, field="Ksh",
                            code="empty", severity="error", message="考生号为空"))
        # Excel stored X1901004's number as a number (digits lost); the ID card read at the camera has the real one
        real4 = st["X1901004"].id_number
        st["X1901004"].id_number, st["X1901004"].has_error = real4[:15] + "000", True
        s.add(RosterFinding(import_id=st["X1901004"].import_id, student_id=st["X1901004"].id, row=5, field="Sfzh",
                            code="id_stored_as_number", severity="error", message="身份证号被 Excel 存成了数字"))
        sel4 = s.scalars(select(Selection.shot_id).where(Selection.student_id == st["X1901004"].id)).one()
        # a legacy 15-digit number is delivered in its 18-character form
        legacy = id_number(906, birth="19800101")
        st["X1901006"].id_number = legacy[:6] + legacy[8:17]
        # an unlisted student without a student number or ID number
        st["X1901999"].student_no, st["X1901999"].id_number = "", ""
        name999 = st["X1901999"].name
        s.commit()
        s.execute(text("UPDATE shots SET id_read = :v WHERE id = :i"), {"v": real4, "i": sel4})
        s.commit()
    out = tmp_path / "d"
    code, stdout, err = run_cli("export", "photos", "--out", out)
    assert "2 人没有有效身份证号" in stdout and "待处理" in stdout  # X1901999 and the fixture's X1901010
    rows = {r["姓名"]: r for r in manifest(out)}
    by_no = {r["学号"]: r for r in rows.values()}
    assert Path(by_no["X1901002"]["照片文件"]).name == f"{st['X1901002'].id_number}.jpg"
    assert by_no["X1901002"]["命名依据"] == "身份证号"
    assert Path(by_no["X1901004"]["照片文件"]).name == f"{real4}.jpg"
    assert by_no["X1901004"]["命名依据"] == "身份证号(现场读取)"
    assert Path(by_no["X1901006"]["照片文件"]).name == f"{to18(legacy[:6] + legacy[8:17])}.jpg" == f"{legacy}.jpg"
    # no random uid, no guess: 待处理/<学号>_<姓名>.jpg with the reason
    r999 = rows[name999]
    assert r999["照片文件"] == f"待处理/无学号_{name999}.jpg" and (out / r999["照片文件"]).is_file()
    assert r999["状态"].startswith("待处理: 名单中没有身份证号")
    # every file under 照片/ is an 18-character ID number of its own student
    for r in rows.values():
        if r["照片文件"].startswith("照片/"):
            stem = Path(r["照片文件"]).stem
            assert len(stem) == 18
            assert stem == (to18(r["身份证号"]) if len(r["身份证号"]) == 15 else r["身份证号"]) or (
                r["命名依据"] == "身份证号(现场读取)" and stem == real4)
    code, stdout, err = run_cli("export", "photos", "--out", tmp_path / "d2", "--json", "--class", "计算机1901")
    assert code == 3 and json.loads(stdout.strip().splitlines()[-1])["pending"] == 2  # X1901010 and X1901999


# --- reproduction 6: merge conflicts ---------------------------------------------------------------


def _make_conflict(db, student_no: str) -> tuple[int, int, str]:
    """Another station selected another photo of the student: the merge keeps ours and flags it."""
    with db.session() as s:
        stu = s.scalars(select(Student).where(Student.student_no == student_no)).one()
        sel = s.scalars(select(Selection).where(Selection.student_id == stu.id)).one()
        other = s.scalars(select(Shot).where(Shot.student_id == stu.id, Shot.id != sel.shot_id)).first()
        s.add(MergeConflict(uid="c" * 32, student_id=stu.id, kept_shot_id=sel.shot_id, other_shot_id=other.id,
                            other_station_id=other.station_id, source="station2.db"))
        sel.needs_decision = True
        s.commit()
        return sel.shot_id, other.id, other.uid


def test_a_merge_conflict_stops_the_export_until_decided(day, db, run_cli, tmp_path):
    kept, other, other_uid = _make_conflict(db, "X1901003")
    out = tmp_path / "d"
    code, stdout, err = run_cli("export", "photos", "--out", out)
    assert code == 3 and "合并冲突" in err and "--allow-conflicts" in err
    assert "X1901003" in stdout and other_uid[:12] in stdout  # who, and which photos
    assert not out.exists()  # nothing written
    code, stdout, err = run_cli("merge", "--decide", other_uid[:8])
    assert code == 0 and "X1901003" in stdout and "还有 0 人" in stdout
    code, stdout, err = run_cli("export", "photos", "--out", out, "--json", "--class", "计算机1901")
    assert code == 3 and json.loads(stdout)["conflicts"] == 0  # (3: X1901010 waits in 待处理/)
    with db.session() as s:
        shot = s.get(Shot, other)
    row = next(r for r in manifest(out) if r["学号"] == "X1901003")
    assert row["原片sha256"] == shot.sha256


def test_allow_conflicts_delivers_the_newest_and_lists_the_rest(day, db, run_cli, tmp_path):
    kept, other, other_uid = _make_conflict(db, "X1901007")
    with db.session() as s:
        newest = max((s.get(Shot, kept), s.get(Shot, other)), key=lambda sh: sh.taken_at)
    out = tmp_path / "d"
    code, stdout, err = run_cli("export", "photos", "--out", out, "--allow-conflicts")
    assert "1 人有合并冲突" in stdout and "X1901007" in stdout
    row = next(r for r in manifest(out) if r["学号"] == "X1901007")
    assert row["原片sha256"] == newest.sha256
    with db.session() as s:  # not decided by the export
        assert s.scalars(select(Selection.needs_decision).join(Student).where(Student.student_no == "X1901007")).one()


# --- end to end: two schools, colliding numbers, one database ------------------------------------------


def _photo(wf, portrait: Path, tag: str):
    from capture.base import SavedPhoto

    path = wf.next_path(".jpg")
    shutil.copyfile(portrait, path)
    with open(path, "ab") as f:
        f.write(tag.encode())  # after the JPEG's end: a distinct file, the same picture
    data = path.read_bytes()
    return SavedPhoto(path=path, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), ms=1.0,
                      taken_at=datetime.now(), source="app")


def test_two_schools_with_colliding_numbers_are_photographed_and_delivered_each_under_its_own_id(
        db, run_cli, tmp_path, demo_checker, demo_portraits):
    from app.workflow import Workflow

    rows = {A: school_rows(A, 8, seed=3), B: school_rows(B, 8, seed=11)}
    for school in (A, B):
        assert run_cli("roster", "import", book(tmp_path, f"{school}.xlsx", rows[school]), "--no-report")[0] == 0
    shot_sha: dict[str, str] = {}  # ID number -> the sha256 of the photo taken of that student
    wf = Workflow(db, capture_folder=tmp_path / "captures")
    wf.checker = demo_checker
    try:
        for school, picks in ((A, (0, 3, 5)), (B, (0, 1, 3))):  # A's 0 and 3 share their numbers with B's
            assert run_cli("config", "school.current", school)[0] == 0  # the team moved on
            for k in picks:
                r = rows[school][k]
                card = wf.identify(r[4]).card  # the student card's barcode: the student number
                assert card.school == school and card.name == r[6]
                saved = _photo(wf, demo_portraits["pass"], f"{school}-{k}")
                shot = wf.process_photo(saved)
                assert shot.student_id == card.id
                wf.accept(None if shot.qc_verdict in ("pass", "warn") else "现场复核")
                shot_sha[r[5]] = saved.sha256
    finally:
        wf.close()
    code, out, err = run_cli("export", "photos", "--out", tmp_path / "x")
    assert code == 2 and "--school" in err
    for school in (A, B):
        out = tmp_path / f"交付-{school}"
        code, stdout, err = run_cli("export", "photos", "--out", out, "--school", school, "--json")
        assert code == 0, err
        summary = json.loads(stdout)
        assert summary["exported"] == 3 and summary["pending"] == 0 and summary["school"] == school
        delivered = sorted(out.glob("照片/**/*.jpg"))
        mine = {r[5] for r in rows[school]}
        others = {r[5] for r in rows[B if school == A else A]}
        assert {p.stem for p in delivered} <= mine and not {p.stem for p in delivered} & others
        assert {p.stem for p in delivered} == {idn for idn in shot_sha if idn in mine}
        for p in delivered:  # the original beside it is the photo taken of that very student
            original = next(out.glob(f"原片/**/{p.stem}.jpg"))
            assert hashlib.sha256(original.read_bytes()).hexdigest() == shot_sha[p.stem]
            assert p.parts[-4] == school


# --- the window -----------------------------------------------------------------------------------------


def test_the_window_title_and_the_student_card_show_the_school(qtbot, db, run_cli, tmp_path, make_window):
    from PySide6.QtCore import Qt

    rows_a, rows_b = school_rows(A, 6, seed=3), school_rows(B, 6, seed=11)
    run_cli("roster", "import", book(tmp_path, "a.xlsx", rows_a), "--no-report")
    run_cli("roster", "import", book(tmp_path, "b.xlsx", rows_b), "--no-report")
    win = make_window(db, camera=False)
    assert win.windowTitle().endswith(f" · {B}")  # the school of the latest roster
    qtbot.keyClicks(win.input, rows_b[1][4])  # a student card's barcode: a number both schools have
    qtbot.keyClick(win.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.card_view.card is not None, timeout=10_000)
    assert win.card_view.fields["school"].text() == B and win.card_view.name.text().startswith(rows_b[1][6])
    assert A in win.card_view.problems.text()  # and says the other school has this number too


def test_the_windows_delivery_lists_merge_conflicts_and_decides_them(qtbot, day, db, tmp_path, make_window):
    from PySide6.QtCore import Qt

    kept, other, other_uid = _make_conflict(db, "X1901003")
    win = make_window(db, camera=False)
    dlg = win.menus.open_report("delivery")
    out = tmp_path / "delivery"
    dlg.out.set_path(out, user=True)
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=60_000)
    assert dlg.result is not None and not dlg.result.ok and "合并冲突" in dlg.status.text()
    assert "X1901003" in dlg.output.toPlainText() and not out.exists()  # nothing written
    lst = dlg.conflicts_dialog
    qtbot.waitUntil(lambda: lst.tree.topLevelItemCount() == 1, timeout=10_000)
    student = lst.tree.topLevelItem(0)
    assert "X1901003" in student.text(0) and student.childCount() == 2
    pick = next(student.child(i) for i in range(2) if student.child(i).data(0, Qt.ItemDataRole.UserRole) == other_uid)
    assert "当前" in next(student.child(i) for i in range(2) if student.child(i) is not pick).text(0)
    with qtbot.waitSignal(lst.loaded, timeout=10_000, check_params_cb=lambda n: n == 0):
        lst.tree.setCurrentItem(pick)
        qtbot.mouseClick(lst.choose_button, Qt.MouseButton.LeftButton)
    assert "没有待决定" in lst.status.text()
    with db.session() as s:
        sel = s.scalars(select(Selection).join(Student).where(Student.student_no == "X1901003")).one()
        assert sel.shot_id == other and not sel.needs_decision
