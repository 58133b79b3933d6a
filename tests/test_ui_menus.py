"""The window's second round, offscreen (pytest-qt), on the real parts: start-up recovery and the
photos waiting for a student, the reports from the 报表 menu, the roster import from the 名单 menu,
and the marshal's window from the 窗口 menu.

Every test drives the real window and its dialogs the way a photographer does (fields filled,
buttons clicked, keys pressed) and then reads what was really written: rows in SQLite, workbooks
opened with openpyxl (decrypted with the password typed in the dialog), delivered files on disk.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.models import AuditLog, Selection, Shot, Student
from app.workflow import Workflow
from capture.durable import write_durable
from tests._reports_day import MORNING, day, sheet_rows  # noqa: F401

WAIT_MS = 30_000


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=40, seed=5)[0]


@pytest.fixture
def window(make_window):
    """``window(db, camera=True)``: the real window on ``db``, started (recovery first, then the camera)."""
    return lambda db, *, camera=True: make_window(db, camera=camera, timeout_ms=WAIT_MS)


def students(db, n=2):
    with db.session() as s:
        rows = s.scalars(select(Student).where(Student.has_error.is_(False)).order_by(Student.roster_order).limit(n))
        return [(st.id, st.id_number, st.student_no, st.name, st.name_initials) for st in rows]


def run_job(qtbot, dlg):
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=WAIT_MS)
    return dlg.result


# --- start-up recovery and the photos waiting for a student ---------------------------------------


def test_start_up_recovery_offers_the_lost_photo_and_lists_the_missing_file(qtbot, window, roster_db, tmp_path,
                                                                           demo_portraits):
    (a, ida, sno_a, name_a, _), (b, idb, sno_b, name_b, _) = students(roster_db)
    # Yesterday's run: b was photographed and recorded; then the station was killed right after saving a's photo.
    before = Workflow(roster_db, capture_folder=tmp_path / "captures")
    before.identify(idb)
    gone = write_durable(demo_portraits["fail"].read_bytes(), before.next_path(".jpg"))
    from capture.base import SavedPhoto

    before.record_photo(SavedPhoto(path=gone.path, sha256=gone.sha256, bytes=gone.bytes, ms=1.0,
                                   taken_at=datetime.now(), source="app"))
    before.identify(ida)  # the next student (b's photo was never checked: moving on accepts it)
    lost = write_durable(demo_portraits["pass"].read_bytes(), before.next_path(".jpg")).path
    before.close()
    gone.path.unlink()  # and b's file was deleted by hand

    win = window(roster_db)
    assert QApplication.activeModalWidget() is None  # a notice, never a dialog in the way
    qtbot.waitUntil(lambda: win.notice.isVisible() and "待分配照片 1" in win.notice.text(), timeout=WAIT_MS)
    assert "记录缺文件 1" in win.notice.text()
    assert win.menus.actions["waiting"].text() == "待分配照片 (1)…"
    qtbot.keyClick(win.input, Qt.Key.Key_F6)  # the shortcut opens the list
    panel = win.menus.dialogs["waiting"]
    qtbot.waitUntil(lambda: panel.isVisible() and panel.list.count() == 1, timeout=WAIT_MS)
    item = panel.list.item(0)
    qtbot.waitUntil(lambda: item.data(Qt.ItemDataRole.UserRole + 2) is not None, timeout=WAIT_MS)  # thumbnail
    assert "找回" in item.text() and name_a in item.text()  # recovered; the file name names the student
    assert panel.current().shot.path == str(lost)
    problems = [panel.problems.item(i).text() for i in range(panel.problems.count())]
    assert len(problems) == 1 and "文件不见了" in problems[0] and name_b in problems[0]
    assert panel.suggest_button.isVisible() and name_a in panel.suggest_button.text()
    qtbot.mouseClick(panel.suggest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已分配给" in panel.status.text(), timeout=WAIT_MS)
    assert "设为选用照片" in panel.status.text()
    qtbot.waitUntil(lambda: panel.list.count() == 0, timeout=WAIT_MS)
    with roster_db.session() as s:
        sel = s.scalar(select(Selection).where(Selection.student_id == a))
        shot = s.get(Shot, sel.shot_id)
        assert shot.path == str(lost) and shot.source == "recovered" and shot.qc_verdict in ("pass", "warn")
    qtbot.waitUntil(lambda: "待分配照片" not in win.notice.text(), timeout=WAIT_MS)
    assert "记录缺文件 1" in win.notice.text()  # the missing file is still said plainly
    # the window kept working all along: the camera opened after the check and the next student goes on
    qtbot.keyClicks(win.input, idb)
    qtbot.keyClick(win.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.state in ("student", "confirm"), timeout=WAIT_MS)


def test_search_assign_and_discard_from_the_waiting_list(qtbot, window, roster_db, tmp_path, demo_portraits):
    from capture.base import SavedPhoto

    wf = Workflow(roster_db, capture_folder=tmp_path / "captures")
    shots = []
    for kind in ("pass", "fail"):  # camera-button photos nobody's scan claimed
        saved = write_durable(demo_portraits[kind].read_bytes(), wf.next_path(".jpg"))
        shots.append(wf.record_photo(SavedPhoto(path=saved.path, sha256=saved.sha256, bytes=saved.bytes, ms=1.0,
                                                taken_at=datetime.now() - timedelta(minutes=10), source="button")))
    wf.close()
    win = window(roster_db, camera=False)
    panel = win.menus.open_waiting()
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=WAIT_MS)
    assert "相机按钮" in panel.list.item(0).text() and not panel.suggest_button.isVisible()
    assert not panel.assign_button.isEnabled()  # no student chosen yet
    (a, _ida, sno, name, initials), _ = students(roster_db)
    qtbot.keyClicks(panel.search, sno)
    qtbot.waitUntil(lambda: panel.candidates.isVisible() and panel.candidates.current_id() == a, timeout=WAIT_MS)
    assert panel.assign_button.isEnabled()
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=WAIT_MS)
    assert panel.isVisible()
    assert "设为选用照片" in panel.status.text()
    panel.list.setCurrentRow(0)
    panel.discard_note.setText("试拍")
    qtbot.mouseClick(panel.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list.count() == 0, timeout=WAIT_MS)
    assert "文件保留" in panel.status.text()
    with roster_db.session() as s:
        first, second = s.get(Shot, shots[0].id), s.get(Shot, shots[1].id)
        assert first.student_id == a and s.scalar(select(Selection.shot_id).where(Selection.student_id == a)) == first.id
        assert second.student_id is None and second.status == "rejected" and Path(second.path).is_file()
        assert s.scalar(select(AuditLog.details).where(AuditLog.action == "shot_discard")) == "试拍"
    qtbot.waitUntil(lambda: win.menus.actions["waiting"].text() == "待分配照片 (0)…", timeout=WAIT_MS)


# --- the 报表 menu ---------------------------------------------------------------------------------


def test_reconciliation_from_the_window_matches_the_day(qtbot, window, day, db, tmp_path):
    from app.reports.xlsx import load_workbook

    win = window(db, camera=False)
    dlg = win.menus.open_report("reconcile")
    qtbot.waitUntil(lambda: dlg.out.path() is not None, timeout=WAIT_MS)  # a suggested place
    assert dlg.out.path().suffix == ".xlsx" and "对账表" in dlg.out.path().name
    dlg.period.setCurrentIndex(dlg.period.findData("morning"))
    dlg.day.setDate(QDate(2019, 3, 16))
    qtbot.waitUntil(lambda: "2019-03-16_上午" in str(dlg.out.path()), timeout=WAIT_MS)
    out = tmp_path / "out" / "对账.xlsx"
    dlg.out.set_path(out, user=True)
    dlg.password.first.setText("secret1")
    dlg.password.second.setText("secret2")
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    assert "不一致" in dlg.status.text() and not out.exists()  # a mistyped password is caught first
    dlg.password.second.setText("secret1")
    result = run_job(qtbot, dlg)
    assert result is not None, dlg.status.text()
    text = dlg.output.toPlainText()
    assert "名单 39 人, 已拍 33 (本时段 33), 未拍 6: 缺席有原因 3, 未说明 2, 已拍未确认 1" in text and "(已加密)" in text
    assert dlg.open_button.isVisible() and dlg.open_target() == out
    wb = load_workbook(out, password="secret1")
    _header, rows = sheet_rows(wb["汇总"], "学院")
    assert dict(zip(MORNING, rows[-1][2:])) == MORNING
    with db.session() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "report_reconcile"))
        assert entry.encrypted and entry.rows == 39


def test_errata_form_from_the_window(qtbot, window, day, db, tmp_path):
    from app.reports.xlsx import load_workbook

    win = window(db, camera=False)
    dlg = win.menus.open_report("errata")
    out = tmp_path / "勘误表"  # no extension: the window adds it
    dlg.out.set_path(out, user=True)
    result = run_job(qtbot, dlg)
    assert result is not None, dlg.status.text()
    assert "勘误表: 4 人 (图像不符 0, 身份证号错误 2, 其他 2)" in dlg.output.toPlainText()
    written = out.with_name("勘误表.xlsx")
    assert result.path == written and written.is_file()
    ws = load_workbook(written)["勘误反馈表"]
    numbered = [r for r in ws.iter_rows(min_row=7, values_only=True) if isinstance(r[0], int)]
    assert len(numbered) == result.counts["centre"] == 2  # image and ID-number rows; the other 2 on 学校核对


def test_photo_delivery_from_the_window_with_progress(qtbot, window, day, db, tmp_path):
    win = window(db, camera=False)
    dlg = win.menus.open_report("delivery")
    seen = []
    dlg.progress.changed.connect(seen.append)
    out = tmp_path / "delivery"
    dlg.out.set_path(out, user=True)
    dlg.close()  # the job keeps going with its window closed; the main window says when it is done
    dlg.show()
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    dlg.close()
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=60_000)
    assert dlg.result is not None, dlg.status.text()
    # one photo has no face; X1901010's ID number is invalid: its photo waits in 待处理/
    assert "交付 46/48 人" in dlg.output.toPlainText() and "1 人没有有效身份证号" in dlg.output.toPlainText()
    assert not dlg.result.ok
    assert "已完成" in win.message.text()
    assert seen and seen[-1] == (47, 47)  # progress reached the end
    with db.session() as s:
        ids = [idn for idn, sno in s.execute(select(Student.id_number, Student.student_no).join(Selection))
               if sno not in ("H1901004", "X1901010")]  # no face / an invalid ID number (in 待处理/)
    named = {p.stem for p in (out / "照片").rglob("*.jpg")}
    assert len(ids) == 46 and set(ids) == named  # the 480×640 photos, named by ID number


def test_photo_delivery_can_be_cancelled_from_its_window(qtbot, window, day, db, tmp_path):
    win = window(db, camera=False)
    dlg = win.menus.open_report("delivery")
    dlg.show()
    assert not dlg.cancel_button.isVisible()  # only while the export runs
    out = tmp_path / "delivery"
    dlg.out.set_path(out, user=True)
    # press 取消 as soon as the first students are written
    dlg.progress.changed.connect(lambda v: v[-2] >= 3 and dlg.cancel_button.isEnabled() and
                                 qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton))
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    assert dlg.cancel_button.isVisible()
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=60_000)
    if dlg.result is not None:
        pytest.skip("the delivery finished before the cancel reached it")
    assert "已取消导出" in dlg.status.text() and not dlg.cancel_button.isVisible()
    assert dlg.start_button.isEnabled() and dlg.out.isEnabled()  # ready to go on from there
    written = len(list((out / "照片").rglob("*.jpg")))
    assert 3 <= written < 47 and not (out / "清单.csv").exists()


# --- the 名单 menu -------------------------------------------------------------------------------


def test_roster_import_asks_for_the_password_and_reports_the_broken_rows(qtbot, window, db, tmp_path):
    from tests._roster_books import encrypt_file, good_rows, make_book

    rows = good_rows(12, seed=4)
    rows[3][5] = rows[3][5][:-1] + ("0" if rows[3][5][-1] != "0" else "1")  # a wrong check digit
    rows[7][6] = ""  # no name
    plain = make_book(tmp_path / "plain.xlsx", rows)
    roster = encrypt_file(plain, tmp_path / "名单.xlsx", "school2019")
    win = window(db, camera=False)
    dlg = win.menus.open_roster_import()
    assert not dlg.password.isVisible()  # asked only when the workbook needs it
    dlg.file.set_path(roster, user=True)
    run_job(qtbot, dlg)
    assert dlg.result is None and dlg.password.isVisible() and "密码保护" in dlg.status.text()
    dlg.password.setText("wrong-one")
    run_job(qtbot, dlg)
    assert dlg.result is None and "密码不对" in dlg.status.text()
    dlg.password.setText("school2019")
    qtbot.keyClick(dlg.password, Qt.Key.Key_Return)  # Enter in the field imports
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=WAIT_MS)
    counts = dlg.result.counts
    assert counts["rows_read"] == 12 and counts["imported"] == 12 and counts["error_rows"] == 2
    assert "2 行有错误" in dlg.status.text() and "有错误的行: 2 行" in dlg.output.toPlainText()
    report = dlg.open_target()
    assert dlg.isVisible()  # Enter started the import; it did not close the window
    assert report is not None and report.is_file() and dlg.open_button.isVisible()
    from app.reports.xlsx import load_workbook

    wb = load_workbook(report, password="school2019")  # encrypted like the roster
    assert wb.worksheets
    with db.session() as s:
        assert s.scalar(select(func.count(Student.id))) == 12
        assert s.scalar(select(func.count(Student.id)).where(Student.has_error.is_(True))) == 2
    # the main field finds the new students at once
    sno, name = rows[0][4], rows[0][6]
    qtbot.keyClicks(win.input, sno, delay=80)  # typed: search as you type
    qtbot.waitUntil(lambda: win.candidates.isVisible() and name in win.candidates.item(0).text(), timeout=WAIT_MS)


# --- the 窗口 menu -------------------------------------------------------------------------------


def test_the_marshal_window_opens_from_the_menu_and_closes_with_the_station(qtbot, window, roster_db):
    from ui.marshal_window import MarshalWindow

    win = window(roster_db, camera=False)
    win.menus.actions["marshal"].trigger()
    marshal = win.menus.marshal
    assert isinstance(marshal, MarshalWindow) and marshal.isVisible()
    qtbot.waitUntil(lambda: marshal.view is not None, timeout=WAIT_MS)  # its poller read this database
    assert win.menus.open_marshal() is marshal  # one window, raised again
    win.close()
    qtbot.waitUntil(lambda: win.menus.marshal is None, timeout=WAIT_MS)


def test_menus_and_their_windows_speak_english_when_set(qtbot, window, roster_db):
    win = window(roster_db, camera=False)
    try:
        win._settings_saved({"language": "en"})  # what the window does once the settings are saved
        qtbot.waitUntil(lambda: win.menus.menus["reports"].title() == "Rep&orts", timeout=5000)
        assert win.menus.actions["waiting"].text() == "Photos waiting for a student (0)…"
        dlg = win.menus.open_report("delivery")
        assert (dlg.windowTitle(), dlg.start_button.text(), dlg.close_button.text()) == ("Photo delivery", "Export",
                                                                                         "Close")
    finally:
        win._settings_saved({"language": "zh"})
    qtbot.waitUntil(lambda: win.menus.menus["reports"].title() == "报表(&R)", timeout=5000)
