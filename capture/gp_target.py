"""Where the camera stores a shot: its card or its own memory (setting ``capture.target``).

Cameras name the choice differently ("Memory card", "Internal RAM",
"SDRAM", "card+sdram"); ``CaptureTarget`` picks the camera's choice for the
setting once, sets it at connect, and reads it back after each shot, because
a photographer can change it on the camera body mid-session. With "memory"
a shot exists only in the camera's RAM until it is downloaded, so the
backend deletes it after the verified download (the camera would otherwise
stop after its buffer fills); with "card" it stays on the card by design, as
a second copy.
"""

from __future__ import annotations

import logging
from typing import Any

from capture.gp_errors import GpErrors

log = logging.getLogger(__name__)

TARGETS = ("card", "memory")
CONFIG_NAME = "capturetarget"


class CaptureTarget:
    """The configured target and the camera's name for it (asked once per backend)."""

    def __init__(self, wanted: str):
        if wanted not in TARGETS:
            raise ValueError(f"capture target must be 'card' or 'memory', not {wanted!r}")
        self.wanted = wanted
        self._choice: str | None = None
        self._asked = False

    def apply(self, calls: Any, cam: Any, errors: GpErrors) -> str | None:
        """Set the target where it differs; return what the camera reports ("card"/"memory", None if it has none).

        An error that means the camera is gone is raised as CameraGone; any
        other is logged and reported as None (the shot itself still works).
        """
        try:
            if not self._asked:
                self._choice = choose(calls.config_choices(cam, CONFIG_NAME), self.wanted)
                self._asked = True
            current = calls.get_config_value(cam, CONFIG_NAME)
            if current is None:
                return None
            if self._choice and current != self._choice:
                log.info("capture target was %r; setting %r", current, self._choice)
                calls.set_config_value(cam, CONFIG_NAME, self._choice)
                current = calls.get_config_value(cam, CONFIG_NAME)
        except errors.gp.GPhoto2Error as exc:
            errors.raise_if_gone(exc)
            log.warning("could not check the capture target: %s", str(exc))
            return None
        return kind_of(current)


def choose(choices: list[str], target: str) -> str | None:
    """The camera's choice that means ``target``, or None where it offers none."""
    low = [c.lower() for c in choices]
    if target == "card":
        for c, lc in zip(choices, low):
            if "card" in lc and "ram" not in lc:
                return c
        for c, lc in zip(choices, low):
            if "card" in lc:
                return c
    else:
        for c, lc in zip(choices, low):
            if ("ram" in lc or "memory" in lc or "sdram" in lc) and "card" not in lc:
                return c
    return None


def kind_of(value: str | None) -> str | None:
    """"card" or "memory" for what the camera reports."""
    if value is None:
        return None
    return "card" if "card" in str(value).lower() else "memory"
