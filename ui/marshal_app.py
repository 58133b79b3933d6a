"""Opening the marshal window as its own application (``station marshal``), and its English catalogue."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

log = logging.getLogger(__name__)


def install_translator(app, lang: str):
    """English for this window from ui/i18n/marshal_en.qm (Chinese is the source language).

    The window keeps its own catalogue so its strings are translated without
    editing the photographer's window's ``station_en.ts``. To refresh it:
    ``pyside6-lupdate ui/marshal_window.py -source-language zh_CN -target-language en
    -ts ui/i18n/marshal_en.ts -no-obsolete``, translate, then ``pyside6-lrelease``.
    """
    from pathlib import Path

    from PySide6.QtCore import QTranslator

    if not lang.lower().startswith("en"):
        return None
    tr = QTranslator(app)
    if tr.load(str(Path(__file__).with_name("i18n") / "marshal_en.qm")):
        app.installTranslator(tr)
        return tr
    log.warning("ui/i18n/marshal_en.qm missing: the marshal window stays in Chinese")
    return None


def run_marshal_window(db, *, phone: bool = False, screenshot: str | None = None) -> int:
    """Open the marshal window (``station marshal``); with ``screenshot``, grab it and exit."""
    import os

    from app import settings
    from ui.app import create_application, qt_environment

    with db.session() as s:
        lang = os.environ.get("STATION_LANG") or str(settings.get(s, "language"))
    with qt_environment():
        app = create_application(lang)
        install_translator(app, lang)
        from ui.marshal_window import MarshalWindow

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


