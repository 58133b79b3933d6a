"""Language for the headless packages (Chinese first, English as a setting).

The window translates with Qt's .ts/.qm files; messages produced outside Qt
(roster findings, QC reasons, command output) carry both languages and pick one
here. The language is the ``STATION_LANG`` environment variable (``zh`` or
``en``) or the ``language`` setting, set once at start-up by the caller;
``set_language`` also sets the camera layer's own switch (``capture/i18n.py``).
"""

from __future__ import annotations

import os

from capture import i18n as capture_i18n

_lang: str | None = None


def set_language(lang: str) -> None:
    global _lang
    _lang = "en" if lang.lower().startswith("en") else "zh"
    capture_i18n.set_language(_lang)  # the camera layer's messages follow (capture does not import app)


def language() -> str:
    if _lang is not None:
        return _lang
    env = os.environ.get("STATION_LANG", "zh")
    return "en" if env.lower().startswith("en") else "zh"


def t(zh: str, en: str) -> str:
    """Pick the message for the current language."""
    return en if language() == "en" else zh
