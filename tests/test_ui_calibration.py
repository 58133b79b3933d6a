"""The settings dialog's backdrop calibration (issue 12, item 4): pick the empty backdrop's photo, see it measured,
save it with the other settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_backdrop_calibration import LONDON, empty_backdrop

# STATION_SCREENSHOTS=docs/screenshots keeps the dialog's picture for the README


@pytest.mark.skipif(not LONDON, reason="../shared/faces is not present")
def test_the_settings_dialog_calibrates_the_backdrop_and_saves_it(qtbot, db, tmp_path):
    from app.calibration import load_backdrop
    from ui.qt_app import create_application
    from app.window_services import SettingsService
    from ui.settings_dialog import SettingsDialog

    create_application("zh")  # the station's and Qt's own Chinese (确定/取消), as the window has them
    dlg = SettingsDialog(SettingsService(db).all())
    qtbot.addWidget(dlg)
    assert "未标定" in dlg.backdrop_status.text()
    assert dlg.changes() == {}
    dlg.calibrate_from(str(empty_backdrop(LONDON[0], tmp_path / "empty.jpg")))
    qtbot.waitUntil(lambda: dlg._backdrop is not None, timeout=60_000)
    assert "背景已标定" in dlg.backdrop_status.text() and "浅灰色" in dlg.backdrop_status.text()
    assert dlg.calibrate_button.isEnabled()
    dlg.resize(560, dlg.sizeHint().height())
    shots = Path(os.environ.get("STATION_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert dlg.grab().save(str(shots / "settings_backdrop.png"))
    changes = dlg.changes()
    assert set(changes) == {"qc.backdrop"} and "grey" in changes["qc.backdrop"]["classes"]
    SettingsService(db).save(changes)
    assert load_backdrop(db).L == pytest.approx(changes["qc.backdrop"]["L"])


def test_a_photo_with_a_person_is_refused_with_the_reason(qtbot, db, grace_hopper_path):
    from app.window_services import SettingsService
    from ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(SettingsService(db).all())
    qtbot.addWidget(dlg)
    dlg.calibrate_from(str(grace_hopper_path))
    qtbot.waitUntil(lambda: dlg.calibrate_button.isEnabled(), timeout=60_000)
    assert "空的背景" in dlg.backdrop_status.text()
    assert dlg.changes() == {}


def test_the_calibrate_button_opens_the_stations_file_dialog(qtbot, db):
    """标定背景… opens the station's own (translated) file dialog; cancelling it measures nothing.
    (ruff found `QFileDialog` undefined here: the button raised NameError instead of opening a dialog.)"""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from app.window_services import SettingsService
    from ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(SettingsService(db).all())
    qtbot.addWidget(dlg)
    seen: list[str] = []

    def cancel() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()]
        if not boxes:
            QTimer.singleShot(50, cancel)
            return
        seen.append(boxes[0].windowTitle())
        boxes[0].done(QFileDialog.DialogCode.Rejected)

    QTimer.singleShot(50, cancel)
    dlg.calibrate_button.click()
    assert seen == ["选择空背景的照片"]
    assert dlg.calibrate_button.isEnabled() and "未标定" in dlg.backdrop_status.text()
