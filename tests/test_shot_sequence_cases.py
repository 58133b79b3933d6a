"""Issue 11, part A: the reproductions, each on the real parts (roster import, SQLite, the checks,
libgphoto2's virtual camera, the window offscreen), and the window and `station shoot` compared."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from app.models import Selection, Shot, Student
from app.roster.idcard import check_char
from app.shot_sequence import ShotSequence
from app.workflow import Workflow, WorkflowError
from capture.base import SavedPhoto

WAIT_MS = 20_000


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=40, seed=5)[0]


def students(db, n=2):
    with db.session() as s:
        rows = s.scalars(
            select(Student).where(Student.has_error.is_(False)).order_by(Student.roster_order).limit(n)
        ).all()
        return [(st.id, st.id_number, st.student_no, st.name) for st in rows]


def scan(qtbot, win, code: str) -> None:
    qtbot.keyClicks(win.input, code)
    qtbot.keyClick(win.input, Qt.Key.Key_Return)


def key(qtbot, win, k) -> None:
    qtbot.keyClick(win.input, k)


def wait_state(qtbot, win, state: str) -> None:
    qtbot.waitUntil(lambda: win.state == state, timeout=WAIT_MS)


def deliver(wf: Workflow, source) -> SavedPhoto:
    path = wf.next_path(".jpg")
    shutil.copyfile(source, path)
    data = path.read_bytes()
    return SavedPhoto(path=path, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), ms=1.0,
                      taken_at=datetime.now(), source="app")


def selection(db, sid):
    with db.session() as s:
        sel = s.scalar(select(Selection).where(Selection.student_id == sid))
        return (sel.shot_id, sel.override_reason) if sel else None


# --- (1) F4 then Enter -------------------------------------------------------------------------


def test_f4_then_enter_keeps_the_chosen_photo_and_its_reason(qtbot, roster_db, make_window):
    """Shoot twice (the second failing), select shot 1 with F4 and a reason: Enter afterwards must
    neither select shot 2 nor drop the reason."""
    win = make_window(roster_db, portrait="fail", wait_qc=True, timeout_ms=WAIT_MS)
    (a, ida, *_), _ = students(roster_db)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    first = win.shot.id
    key(qtbot, win, Qt.Key.Key_Space)  # a second shot while the first waits
    qtbot.waitUntil(lambda: win.state == "verdict" and win.shot.id != first, timeout=WAIT_MS)
    second = win.shot.id
    assert win.shot.qc_verdict == "fail"
    qtbot.waitUntil(lambda: win.strip.count() == 2, timeout=WAIT_MS)
    win.strip.shot_clicked.emit(first)
    wait_state(qtbot, win, "viewing")
    qtbot.keyClick(win, Qt.Key.Key_F4)
    wait_state(qtbot, win, "reason")
    qtbot.keyClicks(win.input, "3")
    key(qtbot, win, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "改选" in win.message.text() or "已接受" in win.message.text(), timeout=WAIT_MS)
    wait_state(qtbot, win, "ready")
    assert selection(roster_db, a) == (first, win.quick_reasons()[2])
    # The operator presses Enter again (and, if asked, gives a reason): nothing changes.
    key(qtbot, win, Qt.Key.Key_Return)
    qtbot.wait(300)
    if win.state == "reason":
        qtbot.keyClicks(win.input, "1")
        key(qtbot, win, Qt.Key.Key_Return)
        qtbot.wait(300)
    assert win.state == "ready"
    assert selection(roster_db, a) == (first, win.quick_reasons()[2])
    with roster_db.session() as s:
        assert s.get(Shot, second).status != "accepted"
        assert s.get(Shot, first).override_reason == win.quick_reasons()[2]


def test_a_new_photo_while_typing_a_reason_does_not_take_that_reason(roster_db, tmp_path, demo_checker,
                                                                      demo_portraits):
    wf = Workflow(roster_db, capture_folder=tmp_path / "c")
    wf.checker = demo_checker
    seq = ShotSequence(wf)
    (a, ida, *_), _ = students(roster_db)
    seq.scan(ida)
    shot = seq.photo_arrived(deliver(wf, demo_portraits["fail"])).recorded
    seq.verdict_arrived(wf.check_shot(shot.id))
    assert seq.enter().phase == "reason"
    newer = seq.photo_arrived(deliver(wf, demo_portraits["pass"]))  # the camera's own button
    assert newer.phase == "checking" and newer.reason_for is None and "原因" in newer.message
    seq.verdict_arrived(wf.check_shot(newer.recorded.id))
    done = seq.enter("学生坚持使用此照片")  # meant for the first photo: it accepts the passing one, no reason
    assert done.outcome == "accepted" and done.accepted.shot.id == newer.recorded.id
    assert selection(roster_db, a) == (newer.recorded.id, None)
    wf.close()


# --- (2) shot but not accepted -------------------------------------------------------------------


def test_a_student_shot_but_not_accepted_stays_pending(roster_db, tmp_path, demo_checker, demo_portraits, run_cli):
    from app.roll_call import board as marshal
    from app.period import everything
    from app.reports import reconcile

    wf = Workflow(roster_db, capture_folder=tmp_path / "c")
    wf.checker = demo_checker
    seq = ShotSequence(wf)
    (a, ida, sno, name), (b, idb, *_) = students(roster_db)
    seq.scan(ida)
    shot = seq.photo_arrived(deliver(wf, demo_portraits["pass"])).recorded
    seq.verdict_arrived(wf.check_shot(shot.id))
    assert seq.unfinished().id == a
    left = seq.close()  # the window closes before Enter
    assert left.outcome == "left_pending" and left.pending_left.id == a
    wf.close()

    # after a restart: listed, shown to the marshal as 已拍未确认, counted apart in the reconciliation
    wf = Workflow(roster_db, capture_folder=tmp_path / "c")
    wf.checker = demo_checker
    assert [c.id for c in wf.pending_students()] == [a]
    with roster_db.session() as s:
        snap = marshal.load(s)
        st = next(x for c in snap.classes for x in c.students if x.id == a)
        assert st.status == marshal.STATUS_PENDING and snap.pending == 1
        cls = next(c for c in snap.classes if any(x.id == a for x in c.students))
        assert a not in [x.id for x in cls.remaining_students()]  # not called again as 未拍
        rec = reconcile.build(s, everything())
        assert rec.totals.pending == 1
        line = next(m for m in rec.missing if m.student.id == a)
        assert line.reason == "已拍未确认" and line.reason != "未到"
    code, out, _ = run_cli("marshal", "missing")
    assert code == 0 and "已拍未确认" in out
    # scanning them again brings the photo back for the decision; Enter accepts it
    seq = ShotSequence(wf)
    view = seq.scan(ida)
    assert view.phase == "verdict" and view.shot.id == shot.id
    done = seq.enter()
    assert done.outcome == "accepted" and selection(roster_db, a) == (shot.id, None)
    assert wf.pending_students() == []
    wf.close()


def test_the_window_lists_pending_students_and_asks_before_closing_on_one(qtbot, roster_db, make_window,
                                                                          monkeypatch, tmp_path, demo_checker,
                                                                          demo_portraits):
    wf = Workflow(roster_db, capture_folder=tmp_path / "earlier")
    wf.checker = demo_checker
    (a, ida, *_), (b, idb, *_) = students(roster_db)
    seq = ShotSequence(wf)
    seq.scan(ida)
    shot = seq.photo_arrived(deliver(wf, demo_portraits["pass"])).recorded
    seq.verdict_arrived(wf.check_shot(shot.id))
    seq.close()
    wf.close()

    win = make_window(roster_db, portrait="pass", wait_qc=True, timeout_ms=WAIT_MS)
    qtbot.waitUntil(lambda: "已拍未确认" in win.notice.text(), timeout=WAIT_MS)
    assert f"pending:{a}" in win.notice.text()
    win.notice.linkActivated.emit(f"pending:{a}")  # a click on the name
    wait_state(qtbot, win, "verdict")
    assert win.card.id == a and win.shot.id == shot.id
    # closing now asks; "No" keeps the window open
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.No)
    win.ask_on_close = True
    assert not win.close()
    assert win.isVisible() and asked and "已拍未确认" in asked[0]
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")
    assert selection(roster_db, a) == (shot.id, None)
    asked.clear()
    win.ask_on_close = False


# --- (5) F2 --------------------------------------------------------------------------------------


def _id(body17: str) -> str:
    return body17 + check_char(body17)


def test_an_unlisted_student_needs_a_valid_id_number_and_a_class(roster_db, tmp_path):
    wf = Workflow(roster_db, capture_folder=tmp_path / "c")
    good = _id("32100220010203123")  # born 2001-02-03, sequence 123: a man
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(WorkflowError, match="校验位"):
        wf.add_unlisted(name="林小雨", id_number=bad_check, class_name="计科2301班")
    with pytest.raises(WorkflowError, match="出生日期"):
        wf.add_unlisted(name="林小雨", id_number=_id("32100220011340123"), class_name="计科2301班")
    with pytest.raises(WorkflowError, match="性别"):
        wf.add_unlisted(name="林小雨", id_number=good, gender="女", class_name="计科2301班")
    with pytest.raises(WorkflowError, match="班级或学院"):
        wf.add_unlisted(name="林小雨", id_number=good, gender="男")
    with roster_db.session() as s:
        assert s.scalar(select(Student).where(Student.unlisted.is_(True))) is None  # nothing half-registered
    found = wf.add_unlisted(name="林小雨", id_number=good.lower(), gender="男", college="信息工程学院")
    assert found.kind == "found" and found.card.unlisted and found.card.college == "信息工程学院"
    wf.close()


def test_the_f2_form_is_prefilled_and_checks_the_id_number(qtbot, roster_db, make_window):
    from ui.dialogs import UnlistedDialog

    win = make_window(roster_db, portrait="pass", wait_qc=True, timeout_ms=WAIT_MS)
    (a, ida, *_), _ = students(roster_db)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    seen = {}

    def look():
        dlg = QApplication.activeModalWidget()
        seen.update(cls=dlg.class_name.text(), college=dlg.college.text())
        dlg.name.setText("林小雨")
        good = _id("32100220010203123")
        dlg.id_number.setText(good[:-1] + ("0" if good[-1] != "0" else "1"))  # one character wrong
        dlg._check()
        seen["error"] = dlg.error.text()
        dlg.reject()

    QTimer.singleShot(200, look)
    win.add_unlisted()  # F2
    assert seen["cls"] == win.card.class_name and seen["college"] == win.card.college
    assert "校验位" in seen["error"]
    dlg = UnlistedDialog("2099123456")
    qtbot.addWidget(dlg)
    dlg.name.setText("林小雨")
    dlg.gender.setCurrentText("女")
    dlg.id_number.setText(_id("32100220010203123"))  # a man's number
    dlg.class_name.setText("计科2301班")
    dlg._check()
    assert "性别" in dlg.error.text() and dlg.result() != dlg.DialogCode.Accepted


# --- (3) identification recorded -------------------------------------------------------------------


def test_each_shot_records_how_the_student_was_identified(roster_db, tmp_path, demo_portraits, run_cli):
    from app.period import everything
    from app.reports import reconcile

    wf = Workflow(roster_db, capture_folder=tmp_path / "c")
    wf.checks_required = False  # no checks here: this is about identification
    seq = ShotSequence(wf)
    (a, ida, sa, na), (b, idb, sb, nb), (c, idc, sc, nc), (d, idd, sd, nd) = students(roster_db, 4)
    cases = [(lambda: seq.scan(ida), a, "id_card", ida), (lambda: seq.scan(sb), b, "student_card", sb),
             (lambda: seq.typed(sc), c, "typed", sc), (lambda: seq.choose(d), d, "name_search", None)]
    for event, sid, method, read in cases:
        view = event()
        assert view.student.id == sid
        seq.photo_arrived(deliver(wf, demo_portraits["pass"]))
        assert seq.enter().outcome == "accepted"
        with roster_db.session() as s:
            shot = s.scalars(select(Shot).where(Shot.student_id == sid)).one()
            assert (shot.id_method, shot.id_read) == (method, read)
    seq.add_unlisted(name="林小雨", student_no="2099000001", class_name="计科2301班")
    seq.photo_arrived(deliver(wf, demo_portraits["pass"]))
    seq.enter()
    with roster_db.session() as s:
        assert s.scalars(select(Shot.id_method).order_by(Shot.id.desc())).first() == "unlisted"
        rec = reconcile.build(s, everything())
    assert rec.totals.no_id_card == 4  # student card, typed, name search, unlisted: all but the ID-card scan
    code, out, _ = run_cli("report", "reconcile", "--period", "all", "--json")
    assert json.loads(out)["no_id_card"] == 4
    wf.close()


# --- (4) the window and `station shoot` through the same sequence ------------------------------------


def _outcome(db, codes):
    """What the database says about each student: selected photo's verdict and reason, every shot's status,
    how they were identified."""
    out = {}
    with db.session() as s:
        for code in codes:
            st = s.scalars(select(Student).where(Student.id_number == code)).one()
            shots = s.scalars(select(Shot).where(Shot.student_id == st.id).order_by(Shot.id)).all()
            sel = s.scalar(select(Selection).where(Selection.student_id == st.id))
            chosen = next((i for i, x in enumerate(shots) if sel and x.id == sel.shot_id), None)
            out[code] = dict(statuses=[x.status for x in shots], verdicts=[x.qc_verdict for x in shots],
                             chosen=chosen, reason=sel.override_reason if sel else None,
                             how=[(x.id_method, x.id_read) for x in shots])
    return out


def test_station_shoot_and_the_window_record_the_same(qtbot, roster_db, make_window, run_cli, db_url, tmp_path,
                                                      demo_portraits):
    from app.cli import main
    from app.demo_portraits import write_demo_profile
    from app.db import open_db
    from app.demo_data import write_demo_roster
    from capture.virtual import prepare_virtual_camera

    codes = [idn for _sid, idn, *_ in students(roster_db, 2)]
    reason = "学生坚持使用此照片"
    # `station shoot` on a second database with the same roster
    other = tmp_path / "other.db"
    roster = tmp_path / "roster2.xlsx"
    write_demo_roster(roster, n=40, seed=5)
    assert main(["--db", f"sqlite:///{other}", "roster", "import", str(roster), "--no-report"]) == 0
    (tmp_path / "profile").mkdir()
    assert main(["--db", f"sqlite:///{other}", "config", "qc.profile",
                 str(write_demo_profile(tmp_path / "profile"))]) == 0
    prepare_virtual_camera(tmp_path / "vc_cli", sources=[demo_portraits["fail"]])
    code = main(["--db", f"sqlite:///{other}", "shoot", *codes, "--reason", reason,
                 "--capture-folder", str(tmp_path / "cli"), "--backend", "gphoto2"])
    assert code == 0
    # the window: the same keys
    win = make_window(roster_db, portrait="fail", wait_qc=True, timeout_ms=WAIT_MS)
    for c in codes:
        scan(qtbot, win, c)
        wait_state(qtbot, win, "student")
        key(qtbot, win, Qt.Key.Key_Space)
        wait_state(qtbot, win, "verdict")
        key(qtbot, win, Qt.Key.Key_Return)
        wait_state(qtbot, win, "reason")
        qtbot.keyClicks(win.input, "1")  # the first quick reason: the same words
        key(qtbot, win, Qt.Key.Key_Return)
        wait_state(qtbot, win, "ready")
    assert win.quick_reasons()[0] == reason
    cli_db = open_db(f"sqlite:///{other}")
    try:
        by_cli, by_window = _outcome(cli_db, codes), _outcome(roster_db, codes)
    finally:
        cli_db.dispose()
    assert by_cli == by_window
    for c in codes:
        assert by_window[c]["chosen"] == 0 and by_window[c]["reason"] == reason
        assert by_window[c]["how"] == [("id_card", c)]
