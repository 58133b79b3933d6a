"""The photographer's window, offscreen (pytest-qt), on the real parts.

A real roster file imported with `station roster import`, libgphoto2's
virtual camera through the gphoto2 backend (serving one of the demo's sample
portraits), the real photo checks, SQLite. Keys go to the window the way the
keyboard sends them (QTest); a scanner is a burst of keys with no delay, a
person types with a delay between keys.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.models import Selection, Shot, Student
from ui.scan_input import looks_scanned

WAIT_MS = 20_000


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=40, seed=5)[0]


@pytest.fixture
def station(roster_db, make_window):
    """Build a started window; ``station("fail")`` makes the virtual camera serve the failing portrait."""

    def make(portrait: str = "pass", checks=None, camera_options: dict | None = None):
        return make_window(roster_db, portrait=portrait, checks=checks, camera_options=camera_options,
                           wait_qc=True, timeout_ms=WAIT_MS)

    return make


def students(db, n=2):
    with db.session() as s:
        rows = s.scalars(
            select(Student).where(Student.has_error.is_(False)).order_by(Student.roster_order).limit(n)
        ).all()
        return [(st.id, st.id_number, st.student_no, st.name, st.name_initials) for st in rows]


def scan(qtbot, win, code: str) -> None:
    qtbot.keyClicks(win.input, code)  # no delay between keys: a scanner
    qtbot.keyClick(win.input, Qt.Key.Key_Return)


def ime_commit(widget, text: str) -> None:
    from PySide6.QtGui import QInputMethodEvent

    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def key(qtbot, win, k) -> None:
    qtbot.keyClick(win.input, k)


def wait_state(qtbot, win, state: str) -> None:
    qtbot.waitUntil(lambda: win.state == state, timeout=WAIT_MS)


def test_scan_shoot_check_accept_then_next(qtbot, station, roster_db):
    win = station("pass")
    (a, ida, *_), (b, idb, *_) = students(roster_db, 2)
    assert win.input.hasFocus() or QApplication.focusWidget() in (None, win.input)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    assert win.card_view.name.text().startswith(win.card.name) and win.card.id == a
    assert ida not in win.card_view.fields["id_masked"].text()  # masked on screen
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    assert win.shot.qc_verdict in ("pass", "warn")
    assert win.photo.overlay is not None and win.photo.overlay.verdict == win.shot.qc_verdict
    qtbot.waitUntil(lambda: win.photo.has_image, timeout=WAIT_MS)  # the picture is on screen
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")
    assert win.input.text() == "" and win.card is None
    with roster_db.session() as s:
        sel = s.scalar(select(Selection).where(Selection.student_id == a))
        shot = s.get(Shot, sel.shot_id)
        assert Path(shot.path).is_file() and shot.qc_json and shot.status == "accepted"
    qtbot.waitUntil(lambda: win.throughput.data is not None and win.throughput.data.today == 1, timeout=WAIT_MS)
    scan(qtbot, win, idb)  # the field takes the next scan at once
    wait_state(qtbot, win, "student")
    assert win.card.id == b


def test_scanner_speed_versus_typing(qtbot, station, roster_db):
    win = station("pass")
    (a, ida, sno, name, initials), _ = students(roster_db, 2)
    scanned, submitted = [], []
    win.input.scanned.connect(scanned.append)
    win.input.submitted.connect(submitted.append)
    # A person typing the pinyin initials: the candidates appear as they type, Enter picks.
    qtbot.keyClicks(win.input, initials, delay=90)
    qtbot.waitUntil(lambda: win.candidates.isVisible() and win.candidates.count() > 0, timeout=WAIT_MS)
    assert any(name in win.candidates.item(i).text() for i in range(win.candidates.count()))
    assert not scanned
    while win.candidates.current_id() != a:
        key(qtbot, win, Qt.Key.Key_Down)
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "student")
    assert win.card.id == a and submitted == [initials] and not scanned
    key(qtbot, win, Qt.Key.Key_Escape)
    wait_state(qtbot, win, "ready")
    # The same student number typed slowly is typed input; keyed in a burst it is a scan.
    qtbot.keyClicks(win.input, sno, delay=60)
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "student")
    assert submitted[-1] == sno and not scanned
    key(qtbot, win, Qt.Key.Key_Escape)
    wait_state(qtbot, win, "ready")
    scan(qtbot, win, sno)
    wait_state(qtbot, win, "student")
    assert scanned == [sno]


def test_key_timing_rule():
    assert looks_scanned([0, 4, 8, 12, 16, 20], 6)
    assert looks_scanned([0, 4, 8, 120, 124, 128, 132], 7)  # one hiccup is forgiven
    assert not looks_scanned([0, 110, 230, 330, 470], 5)  # a person
    assert not looks_scanned([0, 4, 8], 5)  # some characters did not come from keys (pasted)
    assert not looks_scanned([0, 4], 2)  # too short to be a code


def test_an_already_photographed_student_needs_confirmation(qtbot, station, roster_db):
    win = station("pass")
    (a, ida, *_), _ = students(roster_db, 2)
    for _round in range(2):
        scan(qtbot, win, ida)
        if _round == 1:
            wait_state(qtbot, win, "confirm")
            assert "已拍摄" in win.card_view.status.text()
            key(qtbot, win, Qt.Key.Key_Space)  # refused: needs the explicit yes
            qtbot.waitUntil(lambda: "确认" in win.message.text(), timeout=WAIT_MS)
            assert win.state == "confirm"
            key(qtbot, win, Qt.Key.Key_Return)
        wait_state(qtbot, win, "student")
        key(qtbot, win, Qt.Key.Key_Space)
        wait_state(qtbot, win, "verdict")
        key(qtbot, win, Qt.Key.Key_Return)
        wait_state(qtbot, win, "ready")
    with roster_db.session() as s:
        shots = s.scalars(select(Shot).where(Shot.student_id == a)).all()
        assert len(shots) == 2 and all(Path(x.path).is_file() for x in shots)
        assert s.scalar(select(Selection.shot_id).where(Selection.student_id == a)) == max(x.id for x in shots)


def test_retake_then_accept_with_a_reason(qtbot, station, roster_db):
    win = station("fail")
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    assert win.shot.qc_verdict == "fail"
    marks = win.photo.overlay.marks
    assert any("白色" in text for _v, text, _boxes in marks)  # the Chinese sentence on the picture
    first = win.shot.id
    key(qtbot, win, Qt.Key.Key_R)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.state == "verdict" and win.shot.id != first, timeout=WAIT_MS)
    key(qtbot, win, Qt.Key.Key_Return)  # a failing photo: Enter asks for a reason
    wait_state(qtbot, win, "reason")
    ime_commit(win.input, "学生坚持")  # Chinese arrives through the input method, not as key codes
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")
    with roster_db.session() as s:
        rows = s.scalars(select(Shot).where(Shot.student_id == a).order_by(Shot.id)).all()
        assert [r.status for r in rows] == ["retake", "accepted"]
        sel = s.scalar(select(Selection).where(Selection.student_id == a))
        assert sel.override_reason == "学生坚持" and sel.shot_id == rows[1].id


def test_quick_reason_by_number(qtbot, station, roster_db):
    win = station("fail")
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "reason")
    key(qtbot, win, Qt.Key.Key_Escape)  # back to the verdict: nothing accepted
    wait_state(qtbot, win, "verdict")
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "reason")
    qtbot.keyClicks(win.input, "2")
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")
    with roster_db.session() as s:
        assert s.scalar(select(Selection.override_reason).where(Selection.student_id == a)) == win.quick_reasons()[1]


def test_camera_unplugged_mid_flow_shows_a_banner_and_recovers(qtbot, station, roster_db):
    from capture.gp_calls import GpCalls

    class Unpluggable(GpCalls):
        """The real library underneath; while 'unplugged' the camera is not found, as on a real USB bus."""

        plugged = True

        def call(self, name, fn, *args):
            if not self.plugged:
                self.counts[name] += 1
                if name == "autodetect":
                    return []
                raise self.gp.GPhoto2Error(self.gp.GP_ERROR_IO_USB_FIND)
            return super().call(name, fn, *args)

    calls = Unpluggable()
    win = station("pass", camera_options={"calls": calls})
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    calls.plugged = False
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=5000)  # noticed within seconds
    assert "相机" in win.banner.text() and QApplication.activeModalWidget() is None  # a banner, no dialog
    assert not win.ctl.camera_connected
    key(qtbot, win, Qt.Key.Key_Space)
    assert win.state == "student" and "相机未连接" in win.message.text()
    qtbot.keyClicks(win.input, "abc")  # the window still takes input
    assert win.input.text() == "abc"
    win.input.reset()
    calls.plugged = True
    qtbot.waitUntil(lambda: win.ctl.camera_connected and not win.banner.isVisible(), timeout=WAIT_MS)
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")


def test_the_window_stays_responsive_while_a_slow_check_runs(qtbot, station, roster_db, demo_checker):
    from ui.autopilot import StallProbe

    class SlowMachine:
        """The real checks, on a machine where each photo takes 1.5 s longer."""

        started = threading.Event()

        def check_path(self, path):
            self.started.set()
            time.sleep(1.5)
            return demo_checker.check_path(path)

    slow = SlowMachine()
    win = station("pass", checks=slow)
    (a, ida, *_), (b, idb, *_) = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    probe = StallProbe()
    probe.start()
    key(qtbot, win, Qt.Key.Key_Space)
    qtbot.waitUntil(slow.started.is_set, timeout=WAIT_MS)
    assert win.state == "checking"
    qtbot.waitUntil(lambda: win.photo.has_image, timeout=WAIT_MS)  # the photo shows before the verdict
    qtbot.keyClicks(win.input, "zs", delay=30)  # typing goes on while the check runs
    assert win.input.text() == "zs"
    win.input.reset()
    wait_state(qtbot, win, "verdict")
    probe.stop()
    assert probe.max_stall_ms < 250, probe.stalls  # generous: the machine is shared; the check took 1.5 s
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")


def test_unknown_number_offers_an_unlisted_student(qtbot, station, roster_db, monkeypatch):
    from ui.dialogs import UnlistedDialog

    win = station("pass")
    scan(qtbot, win, "2099123456")
    qtbot.waitUntil(lambda: "F2" in win.message.text(), timeout=WAIT_MS)
    dlg = UnlistedDialog("2099123456")
    assert dlg.student_no.text() == "2099123456" and dlg.id_number.text() == ""
    dlg.name.setText("林小雨")
    dlg._check()  # no class and no college: the photo would land in (未分学院)/(未分班级)
    assert dlg.result() != UnlistedDialog.DialogCode.Accepted and "班级" in dlg.error.text()
    dlg.class_name.setText("计科2301班")
    dlg._check()
    assert dlg.result() == UnlistedDialog.DialogCode.Accepted
    win.ctl.add_unlisted(dlg.values())
    wait_state(qtbot, win, "student")
    assert win.card.unlisted and "名单外" in win.card_view.problems.text()


def test_settings_dialog_and_english(qtbot, station, roster_db):
    from app import settings
    from app.window_services import SettingsService
    from ui.settings_dialog import SettingsDialog

    win = station("fail")
    dlg = SettingsDialog(SettingsService(roster_db).all())
    qtbot.addWidget(dlg)
    assert dlg.changes() == {}
    dlg.station_name.setText("机位3")
    dlg.station_number.setValue(3)
    dlg.low.setValue(200)
    dlg.high.setValue(190)
    dlg._check()
    assert dlg.result() != dlg.DialogCode.Accepted and dlg.error.text()  # low above high is refused
    dlg.high.setValue(220)
    dlg.language.setCurrentIndex(1)
    dlg._check()
    changes = dlg.changes()
    assert changes == {"station.name": "机位3", "station.number": 3, "rate.target_low": 200,
                       "rate.target_high": 220, "language": "en"}
    SettingsService(roster_db).save(changes)
    with roster_db.session() as s:
        assert settings.get(s, "rate.target_low") == 200 and settings.get(s, "language") == "en"
    try:
        win._settings_saved(changes)  # what the window does once the worker saved them
        qtbot.waitUntil(lambda: win.buttons["shoot"].text() == "Shoot (Space)", timeout=5000)
        assert win.card_view.name.text() == "Waiting for a scan"
        (a, ida, *_), _ = students(roster_db, 2)
        scan(qtbot, win, ida)
        wait_state(qtbot, win, "student")
        key(qtbot, win, Qt.Key.Key_Space)
        wait_state(qtbot, win, "verdict")
        assert win.photo.overlay.title == "Fail ✗"
        texts = [text for _v, text, _b in win.photo.overlay.marks]
        assert texts and all(t.isascii() for t in texts), texts  # the checks' English reasons
    finally:
        win._settings_saved({"language": "zh"})
    qtbot.waitUntil(lambda: win.buttons["shoot"].text() == "拍摄 (空格)", timeout=5000)


def test_the_camera_shutter_button_shoots_for_the_student_on_the_card(qtbot, station, roster_db):
    from capture.gp_calls import GpCalls

    class ShutterButton(GpCalls):
        """The real virtual camera; press() makes it add a picture and announce it, as a shutter press does."""

        pressed = threading.Event()

        def wait_for_event(self, cam, timeout_ms):
            if self.pressed.is_set():
                self.pressed.clear()
                self.set_config_value(cam, "opcode", "0x9999,0x0")  # the virtual camera's "new picture"
            return super().wait_for_event(cam, timeout_ms)

    button = ShutterButton()
    win = station("pass", camera_options={"calls": button})
    (a, ida, sno, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    button.pressed.set()  # no key pressed in the window
    wait_state(qtbot, win, "verdict")
    assert win.shot.source == "button" and Path(win.shot.path).name.startswith(f"S01_{sno}_")
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")
    with roster_db.session() as s:
        assert s.scalar(select(Shot.source).join(Selection, Selection.shot_id == Shot.id)
                        .where(Selection.student_id == a)) == "button"


def test_a_data_problem_is_reported_from_the_card(qtbot, station, roster_db):
    from app.models import DataIssue
    from ui.dialogs import DataIssueDialog

    win = station("pass")
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    dlg = DataIssueDialog(win.card.name)
    qtbot.addWidget(dlg)
    dlg.kind.setCurrentIndex(dlg.kind.findData("name_wrong"))
    dlg._check()
    assert dlg.error.text() and dlg.result() != dlg.DialogCode.Accepted  # the correct name is required
    dlg.correct.setText("王晓明")
    dlg._check()
    win.ctl.report_issue({**dlg.values(), "student_id": win.card.id})
    qtbot.waitUntil(lambda: "勘误" in win.message.text(), timeout=WAIT_MS)
    with roster_db.session() as s:
        issue = s.scalar(select(DataIssue).where(DataIssue.student_id == a))
        assert (issue.kind, issue.field, issue.correct_value) == ("name_wrong", "Xm", "王晓明")


def test_pyside_reference_fault_cannot_abort_a_long_day(qapp):
    """PySide6 6.12.0 loses a reference to None per void call and to True per emit (see ui/__init__.py).

    A day at the camera makes millions of such calls; on CPython 3.11 that aborted the window after a
    few hundred students. With the guard in place, far more calls than that leave the process alive.
    """
    import sys

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QLineEdit

    from ui import refcount_guard

    class Pinger(QObject):
        ping = Signal(object)

    field, pinger = QLineEdit(), Pinger()
    pinger.ping.connect(lambda _x: None)
    if sys.version_info < (3, 12):
        assert refcount_guard.install() or not refcount_guard.leaks()  # every window's start installs it
    before = sys.getrefcount(None)
    for _ in range(200_000):  # more than None's whole count at start-up
        field.setText("x")
        pinger.ping.emit(None)
    assert sys.getrefcount(None) > 0 and sys.getrefcount(True) > 0
    assert before > 0


def test_reselect_an_earlier_shot_later(qtbot, station, roster_db):
    """Shot 1 fails and is retaken, shot 2 is accepted; later the student is re-opened from the
    recent list and shot 1 chosen instead (it failed, so with a reason)."""
    win = station("fail")
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    first = win.shot.id
    key(qtbot, win, Qt.Key.Key_R)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.state == "verdict" and win.shot.id != first, timeout=WAIT_MS)
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "reason")
    qtbot.keyClicks(win.input, "1")
    key(qtbot, win, Qt.Key.Key_Return)
    wait_state(qtbot, win, "ready")
    qtbot.waitUntil(lambda: win.recent.count() == 1, timeout=WAIT_MS)
    win.recent.picked.emit(int(win.recent.item(0).data(Qt.ItemDataRole.UserRole)))  # a click on the row
    wait_state(qtbot, win, "confirm")
    qtbot.waitUntil(lambda: win.strip.count() == 2, timeout=WAIT_MS)
    assert "★" in win.strip.item(1).text() and "★" not in win.strip.item(0).text()
    win.strip.shot_clicked.emit(first)  # a click on the first thumbnail
    wait_state(qtbot, win, "viewing")
    assert win.viewed.id == first and "F4" in win.photo.overlay.hint
    qtbot.keyClick(win, Qt.Key.Key_F4)
    wait_state(qtbot, win, "reason")
    qtbot.keyClicks(win.input, "3")
    key(qtbot, win, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "改选" in win.message.text(), timeout=WAIT_MS)
    with roster_db.session() as s:
        sel = s.scalar(select(Selection).where(Selection.student_id == a))
        assert sel.shot_id == first and sel.override_reason == win.quick_reasons()[2]
        assert s.scalar(select(func.count(Shot.id)).where(Shot.student_id == a)) == 2


def test_badges_stay_below_the_banner_and_clear_of_each_other(qapp, demo_portraits):
    """Marks that start under the verdict banner, or on top of one another (glasses and an earring
    right beside them), get badges that can all be read."""
    from PySide6.QtGui import QImage

    from ui.photo_view import Overlay, PhotoView

    view = PhotoView()
    view.resize(900, 800)
    view.set_image(QImage(str(demo_portraits["fail"])))
    marks = (
        ("fail", "请换白色上衣", ((0.05, 0.0, 0.95, 0.2),)),  # starts at the very top, under the banner
        ("fail", "请摘下眼镜", ((0.40, 0.30, 0.60, 0.38),)),
        ("warn", "请摘下耳环", ((0.41, 0.31, 0.45, 0.36), (0.7, 0.31, 0.74, 0.36))),  # nearly the same corner
        ("fail", "背景太暗", ((0.0, 0.0, 1.0, 1.0),)),  # the whole photo: named, not outlined, no badge
    )
    view.set_overlay(Overlay("fail", "不合格 ✗", "R 重拍", marks))
    ir, spots, r, banner_bottom = view.badge_layout()
    assert spots[3] is None and all(s is not None for s in spots[:3])
    for s in spots[:3]:
        assert s.y() - r >= banner_bottom  # not hidden by the banner
        assert ir.left() <= s.x() - r and s.x() + r <= ir.right() + 1
    for i in range(3):
        for j in range(i + 1, 3):
            d = ((spots[i].x() - spots[j].x()) ** 2 + (spots[i].y() - spots[j].y()) ** 2) ** 0.5
            assert d >= 2 * r, (i, j, d, r)
    assert not view.grab().isNull()  # and it paints


def test_worker_tasks_let_go_of_their_arguments(qapp):
    """Every argument handed to a worker is freed once the answer is back. (The QRunnable subclass this
    replaced kept some for good: ~3% of the window's tasks, 907 of 2,000 in this test's pattern.)"""
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEventLoop

    from ui.workers import Runner

    class Payload:
        pass

    runner = Runner(threads=3)
    refs, answers = [], []
    for i in range(600):
        p = Payload()
        refs.append(weakref.ref(p))
        runner.submit(lambda x, i=i: i, p, on_done=answers.append)
        del p
        if i % 50 == 0:  # the window answers while the pool still works, as it does all day
            while runner.busy:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    deadline = time.monotonic() + 20
    while runner.busy and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    assert runner.wait(20_000)
    gc.collect()
    assert sorted(answers) == list(range(600))
    assert sum(r() is not None for r in refs) == 0


def test_thumbnails_are_painted_without_icons(qapp, demo_portraits):
    """A QIcon puts every thumbnail it draws into Qt's global pixmap cache (10 MB, filled over a day)."""
    from datetime import datetime

    from PySide6.QtGui import QImage

    from app.workflow import ShotInfo
    from ui.shot_strip import IMAGE_ROLE, ShotStrip

    strip = ShotStrip()
    shots = [ShotInfo(i, 1, str(demo_portraits["pass"]), datetime.now(), "app", "new", "pass", 1.0, selected=i == 2)
             for i in (1, 2)]
    strip.show_shots(shots)
    strip.set_thumbnail(2, QImage(str(demo_portraits["pass"])))
    strip.set_thumbnail(99, QImage(str(demo_portraits["pass"])))  # not this student's: ignored
    item = strip.item(1)
    assert item.icon().isNull() and item.data(IMAGE_ROLE).height() <= 80 and "★" in item.text()
    assert strip.has_thumbnail(2) and not strip.has_thumbnail(99)
    assert not strip.grab().isNull()
