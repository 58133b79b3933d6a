"""Language for the headless packages (Chinese first, English as a setting).

The window translates with Qt's .ts/.qm files; messages produced outside Qt
(roster findings, QC reasons, command output) carry both languages and pick one
here. The language is the ``STATION_LANG`` environment variable (``zh`` or
``en``) or the ``language`` setting, set once at start-up by the caller.

There is one switch for the process: the camera layer's (``capture/i18n.py``,
the lowest layer, since ``capture`` does not import ``app``); this module is
the station's name for it, so a language set here is the camera's too.
"""

from __future__ import annotations

from capture.i18n import language, set_language, t

__all__ = ["language", "set_language", "t"]
