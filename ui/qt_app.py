"""The one QApplication's set-up: Qt's own plugins, a font with Chinese glyphs, the translations.

Every window's start goes through :func:`create_application` (``station run``,
``station demo``, ``station marshal``, the tests' windows): it clears OpenCV's
Qt 5 paths (``ui/display.py``), installs the guard against PySide6 6.12.0's lost
references (``ui/refcount_guard.py``), picks a CJK font and installs the
translators. :func:`install_catalogue` is the one translator helper: the
station's catalogue (``station_en.qm``) and the marshal window's
(``marshal_en.qm``) are installed through it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QTranslator, qInstallMessageHandler
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.i18n import set_language
from ui import refcount_guard
from ui.display import clear_cv2_paths, has_display, qt_environment

__all__ = ["create_application", "install_translator", "install_catalogue", "install_qt_translator",
           "qt_environment", "has_display", "pick_cjk_font", "CJK_FONTS", "I18N"]

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


def pick_cjk_font(app) -> str | None:
    """Make a font with Chinese glyphs the application font (Qt may pick one without)."""
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
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_qt_translator(app, lang: str):
    """Qt's own strings (OK/Cancel, the file dialog, a text field's right-click menu) in Chinese."""
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


CATALOGUES = {
    "station": "the window stays in Chinese",
    # The marshal window keeps its own catalogue so its strings are translated without editing the
    # photographer's window's station_en.ts. To refresh it: ``pyside6-lupdate ui/marshal_window.py
    # -source-language zh_CN -target-language en -ts ui/i18n/marshal_en.ts -no-obsolete``, translate,
    # then ``pyside6-lrelease``.
    "marshal": "the marshal window stays in Chinese",
}


def install_catalogue(app, name: str, lang: str):
    """The one translator helper: ``ui/i18n/<name>_en.qm`` for English, none for Chinese (the source
    language). A catalogue installed before under ``name`` is replaced. Returns the translator or None."""
    slots = app.__dict__.setdefault("_station_catalogues", {})
    old = slots.pop(name, None)
    if old is not None:
        app.removeTranslator(old)
    if not lang.lower().startswith("en"):
        return None
    tr = QTranslator(app)
    if tr.load(str(I18N / f"{name}_en.qm")):
        app.installTranslator(tr)
        slots[name] = tr
        return tr
    print(f"warning: ui/i18n/{name}_en.qm missing; {CATALOGUES.get(name, 'it stays in Chinese')}", file=sys.stderr)
    return None


def install_translator(app, lang: str):
    """Chinese is the source language; English comes from ui/i18n/station_en.qm; Qt's own strings
    from the PySide6 wheel's qtbase_zh_CN.qm."""
    install_qt_translator(app, lang)
    return install_catalogue(app, "station", lang)


_QUIET = ("This plugin does not support propagateSizeHints()", "This plugin does not support raise()")


def _qt_messages(mode, context, message: str) -> None:
    """Qt's own log, minus the offscreen platform's harmless noise."""
    if message.startswith(_QUIET):
        return
    sys.stderr.write(message + "\n")


def create_application(lang: str = "zh", argv: list[str] | None = None):
    """The one QApplication (reused when a test has made it already)."""
    refcount_guard.install()  # before any window: PySide6 6.12.0's lost references (ui/refcount_guard.py)
    app = QApplication.instance()
    if app is None:
        clear_cv2_paths()  # belt and braces when the caller did not use qt_environment()
        qInstallMessageHandler(_qt_messages)
        app = QApplication(argv if argv is not None else [sys.argv[0]])
        app.setApplicationName("graduate-photo-station")
        app.setOrganizationName("graduate-photo-station")
    pick_cjk_font(app)
    set_language(lang)
    install_translator(app, lang)
    return app
