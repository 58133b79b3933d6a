"""A shift at the camera, keyboard only: scan, shoot, zoom, compare, retake, accept, F2, F3, F4,
Esc, close; then the database is read back.

The real window offscreen, libgphoto2's virtual camera serving the demo's portraits in turn
(pass, fail, pass, fail: the demo's own rotation), the real checks, SQLite. Every action is a
key sent to the focused widget (a modal form gets its keys the same way), as a photographer
with a scanner and a keyboard would.
"""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.models import DataIssue, Selection, Shot, Student

WAIT_MS = 30_000


@pytest.fixture
def shift_window(qtbot, tmp_path, import_demo_roster, demo_checker, demo_portraits):
    from app.demo_portraits import PORTRAITS_VERSION, DemoPortraits
    from app.demo_workflow import DemoWorkflow
    from ui.controller import StationController
    from ui.main_window import MainWindow
    from ui.qt_app import create_application

    db, _out = import_demo_roster(n=40, seed=5)
    cache = tmp_path / "demo" / f"portraits-v{PORTRAITS_VERSION}"
    cache.mkdir(parents=True)
    for name in demo_portraits["names"]:
        shutil.copy(demo_portraits["pass"].parent / name, cache / name)
    portraits = DemoPortraits(tmp_path / "demo")
    create_application("zh")
    wf = DemoWorkflow(db, capture_folder=tmp_path / "captures", portraits=portraits)
    wf.checker = demo_checker
    ctl = StationController(wf, camera="gphoto2", camera_options={"folder": wf.capture_folder})
    win = MainWindow(ctl)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    ctl.start()
    qtbot.waitUntil(lambda: ctl.camera_connected and ctl.qc_ready and win.state == "ready", timeout=WAIT_MS)
    yield db, win, portraits
    win.close()


def focused():
    """Where the keyboard's keys go: the focused widget (of the open form, if one is open)."""
    dlg = QApplication.activeModalWidget()
    if dlg is not None:
        return dlg.focusWidget() or dlg
    # offscreen, no window is "active" after a form closes: the window's input field has the focus
    w = QApplication.focusWidget()
    if w is not None and w.window().isVisible():
        return w
    # A form closed: a window manager gives the activation back to the window (offscreen, nobody does).
    HOME[0].window().activateWindow()
    HOME[0].setFocus()
    return HOME[0]


HOME: list = [None]


def keys(qtbot, text: str) -> None:
    """Typed: ASCII as key presses, Chinese as the input method commits it (pinyin → 汉字)."""
    if text.isascii():
        QTest.keyClicks(focused(), text)
        return
    from PySide6.QtGui import QInputMethodEvent

    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(focused(), ev)


def press(k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, mod)


def upper(letter_key, char: str) -> None:
    """Shift+letter, as the keyboard sends it (the key, the shift modifier, the capital letter)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    w = focused()
    for t in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(w, QKeyEvent(t, letter_key, Qt.KeyboardModifier.ShiftModifier, char))


ERRORS: list[BaseException] = []


def in_modal(qtbot, fn) -> None:
    """Run ``fn`` once the modal form is open (exec() blocks the test's own line)."""

    def go():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, go)
            return
        try:
            fn(dlg)
        except BaseException as exc:  # never raise into Qt's event loop: fail the test afterwards
            ERRORS.append(exc)
            dlg.reject()

    QTimer.singleShot(20, go)


def scan(qtbot, win, code: str) -> None:
    qtbot.keyClicks(win.input, code)
    qtbot.keyClick(win.input, Qt.Key.Key_Return)


def test_a_keyboard_only_shift(qtbot, shift_window):
    db, win, _portraits = shift_window
    HOME[0] = win.input
    wait = lambda cond: qtbot.waitUntil(cond, timeout=WAIT_MS)  # noqa: E731
    with db.session() as s:
        a, b = s.scalars(select(Student).where(Student.has_error.is_(False)).order_by(Student.roster_order)
                         .limit(2)).all()
        a_id, a_code, b_id, b_code = a.id, a.id_number, b.id, b.student_no

    # --- student A: shoot (pass), zoom, shoot again (fail), compare, retake, accept -----------------
    scan(qtbot, win, a_code)
    wait(lambda: win.state == "student" and win.card.id == a_id)
    press(Qt.Key.Key_Space)
    wait(lambda: win.state == "verdict" and win.shot.qc_verdict in ("pass", "warn") and win.photo.has_image)
    upper(Qt.Key.Key_Z, "Z")
    assert win.photo.zoom == 1.0
    wait(lambda: win.photo.full_resolution)
    upper(Qt.Key.Key_Z, "Z")
    assert win.photo.zoom is None
    first = win.shot.id
    press(Qt.Key.Key_Space)  # another take
    wait(lambda: win.state == "verdict" and win.shot.id != first and win.shot.qc_verdict == "fail")
    wait(lambda: len(win.strip.shots) == 2)
    upper(Qt.Key.Key_C, "C")
    assert win.photo.comparing
    wait(lambda: all(p.image is not None for p in win.photo._compare))
    upper(Qt.Key.Key_C, "C")
    assert not win.photo.comparing
    press(Qt.Key.Key_R)  # retake
    wait(lambda: win.state == "student")
    press(Qt.Key.Key_Space)
    wait(lambda: win.state == "verdict" and len(win.strip.shots) == 3 and win.shot.qc_verdict in ("pass", "warn"))
    third = win.shot.id
    press(Qt.Key.Key_Return)  # accept
    wait(lambda: win.state == "ready")
    assert win.photo.has_image  # the accepted photo stays, with its name, until the next student
    press(Qt.Key.Key_Escape)
    assert not win.photo.has_image and win.photo.overlay is None  # nothing of student A after Esc

    # --- an unlisted student: F2 ------------------------------------------------------------------
    scan(qtbot, win, "2099000123")
    wait(lambda: "F2" in win.message.text())

    def fill_unlisted(dlg):
        keys(qtbot, "林小雨")
        press(Qt.Key.Key_Return)

    in_modal(qtbot, fill_unlisted)
    press(Qt.Key.Key_F2)
    assert not ERRORS, ERRORS
    wait(lambda: win.state == "student" and win.card is not None and win.card.unlisted)
    press(Qt.Key.Key_Space)  # the fourth portrait: fails
    wait(lambda: win.state == "verdict" and win.shot.qc_verdict == "fail")
    press(Qt.Key.Key_Return)
    wait(lambda: win.state == "reason")
    keys(qtbot, "1")  # quick reason 1
    press(Qt.Key.Key_Return)
    wait(lambda: win.state == "ready")

    # --- student B: F3 (a wrong name), two takes, F4 on the first --------------------------------------
    scan(qtbot, win, b_code)
    wait(lambda: win.state == "student" and win.card.id == b_id)

    def report(dlg):
        keys(qtbot, "王小明")  # the correct value (the form opens on it)
        press(Qt.Key.Key_Return)

    in_modal(qtbot, report)
    press(Qt.Key.Key_F3)
    assert not ERRORS, ERRORS
    wait(lambda: "勘误" in win.message.text())
    press(Qt.Key.Key_Space)  # pass
    wait(lambda: win.state == "verdict" and win.shot.qc_verdict in ("pass", "warn"))
    b_first = win.shot.id
    press(Qt.Key.Key_Space)  # fail
    wait(lambda: win.state == "verdict" and win.shot.id != b_first and win.shot.qc_verdict == "fail")
    wait(lambda: len(win.strip.shots) == 2)
    press(Qt.Key.Key_Left)  # look at the first take
    wait(lambda: win.state == "viewing" and win.viewed.id == b_first)
    press(Qt.Key.Key_F4)  # and choose it
    wait(lambda: "改选" in win.message.text())
    press(Qt.Key.Key_Escape)
    wait(lambda: win.state in ("ready", "student", "verdict"))

    # --- close ----------------------------------------------------------------------------------------
    win.close()
    assert not win.isVisible()

    with db.session() as s:
        sel_a = s.scalar(select(Selection).where(Selection.student_id == a_id))
        assert sel_a.shot_id == third and sel_a.override_reason is None
        assert s.scalar(select(func.count(Shot.id)).where(Shot.student_id == a_id)) == 3
        unlisted = s.scalar(select(Student).where(Student.unlisted.is_(True)))
        assert unlisted.name == "林小雨" and unlisted.student_no == "2099000123"
        sel_u = s.scalar(select(Selection).where(Selection.student_id == unlisted.id))
        assert sel_u is not None and sel_u.override_reason == win.quick_reasons()[0]
        issue = s.scalar(select(DataIssue).where(DataIssue.student_id == b_id))
        assert issue.correct_value == "王小明"
        sel_b = s.scalar(select(Selection).where(Selection.student_id == b_id))
        assert sel_b.shot_id == b_first
        from pathlib import Path

        for shot in s.scalars(select(Shot)).all():
            assert Path(shot.path).is_file()
