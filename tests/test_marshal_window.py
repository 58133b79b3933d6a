"""The marshal window (pytest-qt, offscreen): it follows the database within 2 s and never reads it on the UI thread."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from app.db import open_db  # noqa: E402
from app.models import Station, Student  # noqa: E402
from tests.marshal_data import make_roster, open_marshal_window, photograph  # noqa: E402

CLASSES = [("文学院", "汉语言1班", 23), ("文学院", "汉语言2班", 30), ("理学院", "数学1班", 12), ("理学院", "物理1班", 18)]


@pytest.fixture
def window(qtbot, db):
    win = open_marshal_window(qtbot, db, CLASSES, photographed=8, seed=7)
    yield win
    win.shutdown()


def tree_row(win, class_name: str) -> list[str]:
    for key, item in win.tree.items.items():
        if key[0] == "class" and key[2] == class_name:
            return [item.text(i) for i in range(5)]
    raise AssertionError(class_name)


def test_counts_update_within_two_seconds_of_an_accepted_shot(window, qtbot, db_url):
    assert window.view.snap.photographed == 8
    assert tree_row(window, "汉语言1班")[1:] == ["23", "8", "0", "15"]
    assert window.poller.worker_thread not in (None, threading.current_thread().name)  # the DB is read off the UI thread
    # The photographer's station writes through its own connection, as the workflow does.
    other = open_db(db_url)
    try:
        with other.session() as s:
            st = s.query(Station).one()
            nxt = s.query(Student).filter_by(student_no="19001009").one()
            t0 = time.monotonic()
            photograph(s, nxt, st)
            s.commit()
        qtbot.waitUntil(lambda: window.view.snap.photographed == 9, timeout=2000)
        elapsed = time.monotonic() - t0
    finally:
        other.dispose()
    assert elapsed < 2.0
    assert tree_row(window, "汉语言1班")[1:] == ["23", "9", "0", "14"]
    assert "已拍 9" in window.totals.text()
    cur = window.view.snap.current
    assert cur.key == ("文学院", "汉语言1班", 1) and cur.cue
    assert window.cue.isVisible() and "请叫下一组" in window.cue.text()


def test_mark_absent_call_and_undo_from_the_window(window, qtbot):
    snap = window.view.snap
    cls = snap.find_class("文学院", "汉语言1班")
    student = cls.remaining_students()[0]
    window.mark_absent(student, reason="leave")
    qtbot.waitUntil(lambda: window.view.snap.absent == 1, timeout=3000)
    assert tree_row(window, "汉语言1班")[3] == "1"
    window._select_class("文学院", "汉语言1班")
    window._fill_students()
    statuses = [window.students.item(r, 6).text() for r in range(window.students.rowCount())]
    assert "缺席: 请假" in statuses
    # Masked ID numbers only.
    with window.db.session() as s:
        ids = {x.id: x.id_number for x in s.query(Student)}
    for r in range(window.students.rowCount()):
        sid = window.students.item(r, 0).data(0x0100)
        shown = window.students.item(r, 4).text()
        assert "*" in shown and ids[sid] not in shown

    before = window.view.snap.next.key
    window.call_next()
    qtbot.waitUntil(lambda: window.view.snap.current is not None and window.view.snap.current.key == before, timeout=3000)
    assert not window.view.snap.current.auto and window.undo_button.isEnabled()
    window.undo_call()
    qtbot.waitUntil(lambda: window.view.snap.current.auto, timeout=3000)

    # A refused action comes back as a message, the window keeps going.
    done = next(x for x in cls.students if x.status == "photographed")
    window.submit("x", lambda: window.service.mark_absent(done.id, "请假"))
    qtbot.waitUntil(lambda: "已拍照" in window.statusBar().currentMessage(), timeout=3000)


def test_replan_from_the_window_keeps_a_timetable_for_what_remains(window, qtbot):
    from app.models import PlanSlot

    with window.db.session() as s:
        assert s.query(PlanSlot).count() == 0
    qtbot.mouseClick(window.replan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "重排" in window.statusBar().currentMessage(), timeout=5000)
    with window.db.session() as s:
        slots = s.query(PlanSlot).all()
        # every group with somebody left is in it: 83 students, 8 photographed
        assert sum(x.students for x in slots) == 83 - 8
        assert {x.kind for x in slots} == {"replan"}
    # with nobody left to plan the window says so and keeps no empty timetable
    from app.models import Selection

    with window.db.session() as s:
        st = s.query(Station).one()
        done = {sel.student_id for sel in s.query(Selection)}
        for x in s.query(Student).all():
            if x.id not in done:
                photograph(s, x, st)
        s.commit()
    qtbot.waitUntil(lambda: window.view.snap.photographed == 83, timeout=3000)
    qtbot.mouseClick(window.replan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "没有剩余" in window.statusBar().currentMessage(), timeout=5000)
    with window.db.session() as s:
        assert s.query(PlanSlot).count() == len(slots)


def test_absence_dialog_needs_text_for_other(qtbot, window):
    from PySide6.QtWidgets import QDialog

    from ui.marshal_window import AbsenceDialog

    student = window.view.snap.find_class("理学院", "数学1班").students[0]
    dlg = AbsenceDialog(student)
    qtbot.addWidget(dlg)
    dlg.reason.setCurrentIndex(dlg.reason.findData("other"))
    dlg._check()
    assert dlg.result() != QDialog.DialogCode.Accepted
    dlg.text.setText("参军入伍")
    dlg._check()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.value() == ("other", "参军入伍")


def test_phone_page_switch_shows_a_qr_code(window, qtbot):
    window.phone_button.setChecked(True)
    assert window.phone is not None and window.phone.running
    assert not window.qr.pixmap().isNull()
    assert window.phone.code in window.qr_text.text()
    assert "手机页面: 开" == window.phone_button.text()
    server = window.phone
    window.phone_button.setChecked(False)
    assert window.phone is None and not window.qr_box.isVisible()
    qtbot.waitUntil(lambda: not server.running, timeout=3000)


def test_screenshot(window, qtbot, tmp_path):
    """Grab the window (made-up students only); STATION_SCREENSHOT_DIR keeps a copy for the docs."""
    with window.db.session() as s:
        from app.roll_call import board as marshal

        marshal.mark_absent(s, s.query(Student).filter_by(student_no="19001012").one().id, "实习")
        marshal.mark_absent(s, s.query(Student).filter_by(student_no="19001015").one().id, "其他", "参军入伍")
        s.commit()
    qtbot.waitUntil(lambda: window.view.snap.absent == 2, timeout=3000)
    window.resize(1400, 860)
    window._select_class("文学院", "汉语言1班")
    window._fill_students()
    img = window.grab().toImage()
    assert not img.isNull() and img.width() >= 1000
    # Not a blank grab: many distinct colours (text, cue banner, tree).
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 20
    out = Path(os.environ.get("STATION_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out / "marshal_window.png"))
    window.phone_button.setChecked(True)  # the phone page switched on: its QR code and access code
    window.resize(1400, 1000)
    assert window.grab().save(str(out / "marshal_window_phone.png"))
    window.phone_button.setChecked(False)


def test_station_marshal_opens_the_window(db_url, tmp_path):
    """`station marshal --screenshot` opens the real window on the database, grabs it and exits."""
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    d = open_db(db_url)
    with d.session() as s:
        make_roster(s, CLASSES[:2])
        s.commit()
    d.dispose()
    png = tmp_path / "m.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run(
        [sys.executable, "-m", "app", "--db", db_url, "marshal", "--screenshot", str(png)],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    img = QImage(str(png))
    assert not img.isNull() and img.width() > 800


def test_station_marshal_without_a_display_says_what_to_use(run_cli, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, _, err = run_cli("marshal")
    assert code == 2 and "station marshal status" in err and "station phone" in err


def test_english_from_the_windows_own_catalogue(qtbot, db, qapp):
    from ui.marshal_window import MarshalWindow
    from ui.qt_app import install_catalogue

    tr = install_catalogue(qapp, "marshal", "en")
    assert tr is not None
    try:
        win = MarshalWindow(db)
        qtbot.addWidget(win)
        assert win.windowTitle().startswith("Queue marshal")
        assert win.call_button.text() == "Next group called (F8)"
        win.shutdown()
    finally:
        install_catalogue(qapp, "marshal", "zh")  # removes it
