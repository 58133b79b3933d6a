"""Opening the marshal window as its own application (``station marshal``)."""

from __future__ import annotations

import os

from PySide6.QtCore import QTimer

from app.window_services import SettingsService
from ui.marshal_window import MarshalWindow
from ui.qt_app import create_application, install_catalogue, qt_environment


def run_marshal_window(db, *, phone: bool = False, screenshot: str | None = None) -> int:
    """Open the marshal window (``station marshal``); with ``screenshot``, grab it and exit."""
    lang = os.environ.get("STATION_LANG") or str(SettingsService(db).get("language"))
    with qt_environment():
        app = create_application(lang)
        install_catalogue(app, "marshal", lang)  # English for this window from ui/i18n/marshal_en.qm
        win = MarshalWindow(db)
        win.show()
        if phone:
            win.phone_button.setChecked(True)
        if screenshot:

            def grab(_view=None) -> None:
                QTimer.singleShot(300, lambda: (win.grab().save(screenshot), win.close(), app.quit()))

            win.view_changed.connect(grab)
        code = app.exec()
        win.shutdown()
        return int(code)
