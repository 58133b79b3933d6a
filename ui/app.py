"""QApplication set-up: Qt's own plugins, a font with Chinese glyphs, the translation.

Importing cv2 (the photo checks use it) points ``QT_QPA_PLATFORM_PLUGIN_PATH``
and ``QT_QPA_FONTDIR`` at OpenCV's bundled Qt 5 plugins and fonts; Qt 6 then
finds no platform plugin ("could not load the Qt platform plugin xcb") and no
CJK font. :func:`qt_environment` removes those two variables while the
application runs and puts them back afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

I18N = Path(__file__).with_name("i18n")
# Fonts that carry Simplified Chinese glyphs, in order of preference.
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "PingFang SC",
)
_CV2_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def _points_into_cv2(value: str) -> bool:
    return "cv2" in Path(value).parts


@contextlib.contextmanager
def qt_environment():
    """Clear OpenCV's Qt 5 paths for as long as the Qt 6 application lives."""
    saved = {k: os.environ[k] for k in _CV2_VARS if k in os.environ and _points_into_cv2(os.environ[k])}
    for k in saved:
        del os.environ[k]
    try:
        yield
    finally:
        os.environ.update(saved)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def pick_cjk_font(app) -> str | None:
    """Make a font with Chinese glyphs the application font (Qt may pick one without)."""
    from PySide6.QtGui import QFont, QFontDatabase

    families = set(QFontDatabase.families())
    for name in CJK_FONTS:
        if name in families:
            font = QFont(name)
            font.setPointSizeF(max(app.font().pointSizeF(), 11.0))
            app.setFont(font)
            return name
    # Last resort: any family that claims Simplified Chinese.
    for name in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        app.setFont(QFont(name))
        return name
    return None


def qt_translations_dir() -> Path:
    """Qt's own catalogues (qtbase_zh_CN.qm ...), inside the PySide6 wheel."""
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_qt_translator(app, lang: str):
    """Qt's own strings (OK/Cancel, the file dialog, a text field's right-click menu) in Chinese."""
    from PySide6.QtCore import QTranslator

    old = getattr(app, "_qt_translator", None)
    if old is not None:
        app.removeTranslator(old)
        app._qt_translator = None
    if lang.lower().startswith("en"):
        return None  # Qt's source strings are English
    tr = QTranslator(app)
    if tr.load("qtbase_zh_CN", str(qt_translations_dir())):
        app.installTranslator(tr)
        app._qt_translator = tr
        return tr
    print("warning: qtbase_zh_CN.qm not found in PySide6: Qt's own buttons stay in English", file=sys.stderr)
    return None


def install_translator(app, lang: str):
    """Chinese is the source language; English comes from ui/i18n/station_en.qm; Qt's own strings
    from the PySide6 wheel's qtbase_zh_CN.qm."""
    from PySide6.QtCore import QTranslator

    install_qt_translator(app, lang)
    old = getattr(app, "_station_translator", None)
    if old is not None:
        app.removeTranslator(old)
        app._station_translator = None
    if not lang.lower().startswith("en"):
        return None
    tr = QTranslator(app)
    if tr.load(str(I18N / "station_en.qm")):
        app.installTranslator(tr)
        app._station_translator = tr
        return tr
    print("warning: ui/i18n/station_en.qm missing; the window stays in Chinese", file=sys.stderr)
    return None


_QUIET = ("This plugin does not support propagateSizeHints()", "This plugin does not support raise()")


def _qt_messages(mode, context, message: str) -> None:
    """Qt's own log, minus the offscreen platform's harmless noise."""
    if message.startswith(_QUIET):
        return
    sys.stderr.write(message + "\n")


def create_application(lang: str = "zh", argv: list[str] | None = None):
    """The one QApplication (reused when a test has made it already)."""
    from PySide6.QtWidgets import QApplication

    from app.i18n import set_language

    app = QApplication.instance()
    if app is None:
        for k in _CV2_VARS:  # belt and braces when the caller did not use qt_environment()
            if k in os.environ and _points_into_cv2(os.environ[k]):
                del os.environ[k]
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(_qt_messages)
        app = QApplication(argv if argv is not None else [sys.argv[0]])
        app.setApplicationName("graduate-photo-station")
        app.setOrganizationName("graduate-photo-station")
    pick_cjk_font(app)
    set_language(lang)
    install_translator(app, lang)
    return app


def _freeze_heap_when_ready(state: str, _detail: str = "") -> None:
    """Once the models are loaded, keep the start-up heap out of the garbage collector's full passes.

    Python's full (generation 2) collection walks every tracked object; with
    mediapipe, SQLAlchemy and Qt loaded that took 80–260 ms here, holding the
    GIL, so the window froze that long at random moments. Everything alive at
    this point lives as long as the window: freezing it leaves the collector
    only the objects made since (gc.freeze, Python 3.7+).
    """
    if state in ("ready", "failed"):
        import gc

        gc.collect()
        gc.freeze()


def run_window(
    db,
    *,
    capture_folder: str | Path | None = None,
    camera=None,
    camera_options: dict | None = None,
    auto: int | None = None,
    screenshots: str | Path | None = None,
    result_out: dict | None = None,
    event_hook=None,
    on_student=None,
    ask_pin: bool = True,
) -> int:
    """Open the photographer's window on ``db``; with ``auto``, drive it through that many students.

    Returns the exit code. With ``auto`` the JSON summary line is printed and,
    when ``result_out`` is given, the full result (RSS trace...) is put there.
    """
    import json

    from app import settings

    with db.session() as s:
        values = settings.all_settings(s)
    lang = os.environ.get("STATION_LANG") or str(values.get("language", "zh"))
    with qt_environment():
        from PySide6.QtCore import QTimer

        from app.workflow import Workflow
        from ui.controller import StationController
        from ui.main_window import MainWindow

        app = create_application(lang)
        # Worker threads running Python hand the GIL back every 5 ms by default:
        # make it 1 ms so the event loop waits less behind them.
        sys.setswitchinterval(0.001)
        wf = Workflow(db, capture_folder=capture_folder)
        options = {"folder": wf.capture_folder, **(camera_options or {})}
        ctl = StationController(wf, camera=camera if camera is not None else values, camera_options=options,
                              event_hook=event_hook)
        win = MainWindow(ctl)
        ctl.qc_state.connect(_freeze_heap_when_ready)
        if auto:
            win.show()  # a fixed size: the benchmark and its screenshots compare run to run
        else:
            win.showMaximized()
        ctl.start()
        if ask_pin and not auto:  # a real station's first start: the supervisor sets a PIN (app/roles.py)
            from ui.pin_dialog import ask_first_pin

            QTimer.singleShot(0, lambda: ask_first_pin(win, db))
        box: dict = {}
        if auto:
            from ui.autopilot import AutoPilot

            pilot = AutoPilot(win, auto, screenshots=Path(screenshots) if screenshots else None,
                              on_student=on_student)

            def finished(result) -> None:
                box["result"] = result
                win.close()
                app.quit()

            pilot.finished.connect(finished)
            QTimer.singleShot(0, pilot.start)
        try:
            code = app.exec()
        finally:
            ctl.stop()
        if not auto:
            return int(code)
        result = box.get("result")
        if result is None:
            print("the window closed before the run finished", file=sys.stderr)
            return 1
        if result_out is not None:
            result_out["result"] = result
        print(json.dumps(result.summary(), ensure_ascii=False), flush=True)
        if result.error:
            print(result.error, file=sys.stderr)
            return 1
        return 0
