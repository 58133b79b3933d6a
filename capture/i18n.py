"""The camera layer's language: its operator messages carry Chinese first and English.

``capture`` does not import ``app`` (the arrows run ui → app → capture), so it
keeps its own small language switch. ``app.i18n.set_language`` sets it too;
before any call, ``STATION_LANG`` (``zh`` or ``en``) decides, as in ``app.i18n``.
"""

from __future__ import annotations

import os

_lang: str | None = None


def set_language(lang: str) -> None:
    global _lang
    _lang = "en" if lang.lower().startswith("en") else "zh"


def language() -> str:
    if _lang is not None:
        return _lang
    env = os.environ.get("STATION_LANG", "zh")
    return "en" if env.lower().startswith("en") else "zh"


def t(zh: str, en: str) -> str:
    """Pick the message for the current language."""
    return en if language() == "en" else zh
