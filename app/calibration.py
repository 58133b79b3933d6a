"""Backdrop calibration at set-up (issue 12, item 4) and what the workflow does when it loads the checks.

``station calibrate backdrop [--from FILE]`` and the settings dialog's button
measure a shot of the empty backdrop (``qc.backdrop.measure_backdrop``) and
keep it in the station's settings as ``qc.backdrop``; the ``background`` check
then judges every photo against it. The checker reads the setting through
:class:`BackdropSetting`, which looks again every few seconds, so a
recalibration (from the dialog, or from the command line while the window
runs) takes effect on the next photo without reloading the models.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app import settings
from qc.backdrop import Calibration, calibrate_path
from qc.checker import Checker

KEY = "qc.backdrop"


def load_backdrop(db: Any):
    """The stored calibration (``qc.backdrop.Calibration``) or None."""
    with db.session() as s:
        return Calibration.from_dict(settings.get(s, KEY))


def store_backdrop(db: Any, calibration: Any | None) -> None:
    with db.session() as s:
        settings.set_(s, KEY, calibration.to_dict() if calibration is not None else {})
        s.commit()


class BackdropSetting:
    """A callable giving the current calibration, re-read from the settings at most every ``ttl`` s."""
    def __init__(self, db: Any, ttl: float = 2.0):
        self.db, self.ttl = db, ttl
        self._at = -1e9
        self._value = None

    def __call__(self):
        now = time.monotonic()
        if now - self._at >= self.ttl:
            try:
                self._value = load_backdrop(self.db)
            except Exception:  # a busy or closed database: keep judging with what we had
                pass
            self._at = now
        return self._value


def prepare_checker(db: Any, checker: Any) -> Any:
    """On the checker's own thread, right after loading it: the calibrated backdrop, then a warm-up."""
    checker.set_backdrop(BackdropSetting(db))
    checker.warm_up()
    return checker


def measure_file(path: str | Path, profile: str | None = None):
    """Measure an empty-backdrop photo with the profile's thresholds (loads the two models it needs)."""
    with Checker(None if profile in (None, "", "default") else profile, warm=False) as checker:
        return calibrate_path(checker, path)


def calibrate(db: Any, path: str | Path) -> Any:
    """Measure ``path`` with the station's profile and store it (raises qc.backdrop.CalibrationError)."""
    with db.session() as s:
        profile = str(settings.get(s, "qc.profile"))
    cal = measure_file(path, profile)
    store_backdrop(db, cal)
    return cal
