"""The windows' services: each method opens, commits and closes its own database session.

The domain modules they call (``app.settings``, ``app.roles``, ``app.reports.signed``,
``app.schools``) take a session, as the command line's handlers do; the windows in
``ui/`` call these services instead and never open a session themselves, the way
they call :class:`app.workflow.Workflow`. Everything here is Qt-free and blocking:
the window calls it from its worker pool (``ui.workers.Runner``), except where a
dialog must wait for the answer anyway (the PIN).

The marshal window's service is :class:`app.marshal_service.MarshalService`.
"""

from __future__ import annotations

from typing import Any

from app import audit, roles, settings
from app.errors import PermissionDenied
from app.reports.signed import clear_signed, group_rows, record_signed
from app.schools import current


class SettingsService:
    """The station's settings (table ``settings``), as ``station config`` reads and writes them."""

    def __init__(self, db):
        self.db = db

    def all(self) -> dict[str, Any]:
        with self.db.session() as s:
            return settings.all_settings(s)

    def get(self, key: str) -> Any:
        with self.db.session() as s:
            return settings.get(s, key)

    def save(self, changes: dict[str, Any]) -> None:
        """Write changed settings in one transaction."""
        with self.db.session() as s:
            for key, value in changes.items():
                settings.set_(s, key, value)
            s.commit()


class RolesService:
    """The supervisor's PIN (app/roles.py) for the window's guarded actions."""

    def __init__(self, db):
        self.db = db

    def pin_is_set(self) -> bool:
        with self.db.session() as s:
            return roles.pin_is_set(s)

    def allow_without_pin(self, action: str) -> bool:
        """True (and the authorisation logged) when no PIN is set: ``action`` needs no question."""
        with self.db.session() as s:
            if roles.pin_is_set(s):
                return False
            roles.authorize(s, action, None, prompt=False)
            return True

    def authorize(self, action: str, pin: str) -> None:
        """Check ``pin`` for ``action`` and keep the audit record; raises PermissionDenied when wrong."""
        with self.db.session() as s:
            roles.authorize(s, action, pin, prompt=False)
            s.commit()

    def set_first_pin(self, pin: str) -> None:
        """The first start's PIN, audited."""
        with self.db.session() as s:
            roles.set_pin(s, pin)
            audit.record(s, "pin_set", details="first PIN (window)")
            s.commit()


class SignedCountsService:
    """签字人数 per group: the rows of a day's sheets, and the counts entered (app/reports/signed.py)."""

    def __init__(self, db):
        self.db = db

    def rows(self, day: str, college: str | None):
        with self.db.session() as s:
            return group_rows(s, day, college)

    def save(self, day: str, changes: list[tuple[str, str, int, int | None]]) -> int:
        """``changes``: (college, class, group, count or None to clear); one transaction. Returns how many."""
        with self.db.session() as s:
            for college, class_name, group, count in changes:
                if count is None:
                    clear_signed(s, college=college, class_name=class_name, group=group, day=day)
                else:
                    record_signed(s, college=college, class_name=class_name, group=group, count=count, day=day)
            s.commit()
        return len(changes)


def current_school(db) -> str:
    """The school being shot (app.schools.current), for the window's title."""
    with db.session() as s:
        return current(s)


__all__ = ["SettingsService", "RolesService", "SignedCountsService", "current_school", "PermissionDenied"]
