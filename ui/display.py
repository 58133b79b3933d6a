"""Is there a screen, and OpenCV's Qt 5 paths out of Qt 6's way (standard library only, no Qt).

Importing cv2 (the photo checks use it) points ``QT_QPA_PLATFORM_PLUGIN_PATH``
and ``QT_QPA_FONTDIR`` at OpenCV's bundled Qt 5 plugins and fonts; Qt 6 then
finds no platform plugin ("could not load the Qt platform plugin xcb") and no
CJK font. :func:`qt_environment` removes those two variables while the
application runs and puts them back afterwards. The launchers (``ui/window_cmd.py``,
``ui/marshal_cmd.py``) import this module at once: it keeps ``station --help`` light.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

CV2_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def points_into_cv2(value: str) -> bool:
    return "cv2" in Path(value).parts


def clear_cv2_paths() -> dict[str, str]:
    """Remove OpenCV's Qt 5 paths from the environment; returns what was removed."""
    saved = {k: os.environ[k] for k in CV2_VARS if k in os.environ and points_into_cv2(os.environ[k])}
    for k in saved:
        del os.environ[k]
    return saved


@contextlib.contextmanager
def qt_environment():
    """Clear OpenCV's Qt 5 paths for as long as the Qt 6 application lives."""
    saved = clear_cv2_paths()
    try:
        yield
    finally:
        os.environ.update(saved)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
