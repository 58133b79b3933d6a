"""The phone page's data: the marshal's snapshot it shows, and the wrong-code times it keeps across a restart
(the Setting row ``phone.lockout``)."""

from __future__ import annotations

import json
import logging
import time

from app.models import Setting
from app.roll_call.snapshot import load
from app.roll_call.views import MarshalSnapshot

log = logging.getLogger("app.phone")  # the page's one log (its server's too)

LOCKOUT_KEY = "phone.lockout"  # the Setting row that keeps wrong-code times across restarts


def read_snapshot(db, station_id: int | None) -> MarshalSnapshot:
    with db.session() as s:
        return load(s, station_id)


def load_failures(db, keep_seconds: float) -> dict[str, list[float]]:
    """Wrong-code times (wall clock) per address of the last ``keep_seconds``; {} when the row is unreadable."""
    try:
        with db.session() as s:
            row = s.get(Setting, LOCKOUT_KEY)
            data = json.loads(row.value) if row is not None else {}
        now = time.time()
        return {ip: [float(x) for x in times if now - float(x) < keep_seconds]
                for ip, times in dict(data).items()}
    except Exception:  # noqa: BLE001 - an unreadable row must not keep the page off; start empty
        log.warning("phone page: could not read the saved lock-outs", exc_info=True)
        return {}


def save_failures(db, data: dict[str, list[float]]) -> None:
    """Keep the wrong-code times; a failure is logged (the lock-out still holds in memory)."""
    try:
        with db.session() as s:
            row = s.get(Setting, LOCKOUT_KEY)
            if row is None:
                s.add(Setting(key=LOCKOUT_KEY, value=json.dumps(data)))
            else:
                row.value = json.dumps(data)
            s.commit()
    except Exception:  # noqa: BLE001 - the lock-out still holds in memory
        log.warning("phone page: could not save the lock-outs", exc_info=True)
