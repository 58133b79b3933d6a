"""The marshal window's service: its view and its actions, each call with its own database session.

Qt-free and blocking: the window (``ui/marshal_window.py``) calls it from its worker
pool. The board itself (counts, groups, calls, absences) is computed by
``app.roll_call``; this module only adds what the window shows beside it (the queue
left at this station and its projected finish, the stations counted, the site's
freshness) and runs the marshal's actions in a transaction each.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import settings
from app.errors import StationError
from app.i18n import t
from app.models import Selection, Station
from app.roll_call import board as marshal
from app.site import freshness
from app.timetable.store import measured_rates, replan, save_plan


@dataclass(frozen=True)
class StationSeen:
    """A station whose photos are in the database the window reads."""

    number: int
    name: str
    local: bool  # this laptop's own station
    photographed: int  # students whose chosen photo it took
    last: datetime | None


@dataclass
class MarshalView:
    """What the window shows: the snapshot and this station's projection."""

    snap: marshal.MarshalSnapshot
    queue_left: int  # students still to photograph in this station's call order
    rate: float | None  # measured students per hour on this station
    finish: datetime | None
    stations: tuple[StationSeen, ...] = field(default=())  # whose shots the counts include
    database: str = ""  # where they are read from
    site: str = ""  # site mode: how fresh the other stations' records are (app.site.freshness)


def compute_view(session, station_id: int | None = None, at: datetime | None = None) -> MarshalView:
    snap = marshal.load(session, station_id, at=at)
    keys = set(snap.queue)
    left = 0
    for c in snap.classes:
        for s in c.students:
            if s.status == marshal.STATUS_REMAINING and (c.college, c.class_name, s.group_no) in keys:
                left += 1
    rate = None
    if snap.station_no is not None:
        m = measured_rates(session, snap.taken_at).get(snap.station_no)
        rate = m.rate if m else None
    finish = snap.taken_at + timedelta(hours=left / rate) if rate and left else (snap.taken_at if not left else None)
    return MarshalView(snap, left, rate, finish, stations_seen(session), site=freshness(session, snap.taken_at))


def stations_seen(session) -> tuple[StationSeen, ...]:
    """Every station in the database, with how many students' chosen photos it took (merged ones too)."""
    counts = {sid: (n, last) for sid, n, last in session.execute(
        select(Selection.station_id, func.count(Selection.id), func.max(Selection.selected_at))
        .group_by(Selection.station_id)).all()}
    out = []
    for sid, number, name, local in session.execute(
            select(Station.id, Station.number, Station.name, Station.is_local).order_by(Station.number)).all():
        n, last = counts.get(sid, (0, None))
        out.append(StationSeen(number, name, bool(local), int(n), last))
    return tuple(out)


def replan_now(session) -> None:
    """Re-plan what remains from now and keep it as the current timetable."""
    p, _measured = replan(session)
    if not p.slots:
        raise StationError(t("没有剩余的学生需要排期", "nobody left to plan"))
    save_plan(session, p)


def database_label(url: str) -> str:
    """A database URL as the marshal reads it: a SQLite file by its path, a server without its password."""
    if url.startswith("sqlite:///"):
        return url.split(":///", 1)[1]
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url


class MarshalService:
    """``MarshalService(db, station_id)``: the marshal window's reads and writes, a session each."""

    def __init__(self, db, station_id: int | None = None):
        self.db = db
        self.station_id = station_id
        self.database = database_label(getattr(db, "url", ""))

    def phone_port(self) -> int:
        with self.db.session() as s:
            return int(settings.get(s, "phone.port"))

    def view_if_changed(self, last_key=None) -> tuple[object, MarshalView | None]:
        """``(key, view)``: the view, recomputed only when the change token or the minute moved since
        ``last_key`` (else ``view`` is None). A minute tick refreshes the projection and the freshness."""
        with self.db.session() as s:
            key = (marshal.change_token(s), datetime.now().replace(second=0, microsecond=0))
            if last_key is not None and key == last_key:
                return key, None
            view = compute_view(s, self.station_id)
        return key, dataclasses.replace(view, database=self.database)

    def _write(self, fn, *args, **kwargs):
        with self.db.session() as s:
            result = fn(s, *args, **kwargs)
            s.commit()
        return result

    def call_group(self, college: str, class_name: str, group_no: int):
        return self._write(marshal.call_group, college, class_name, group_no, station_id=self.station_id)

    def cancel_last_call(self):
        return self._write(marshal.cancel_last_call, station_id=self.station_id)

    def mark_absent(self, student_id: int, reason: str, text: str | None = None):
        return self._write(marshal.mark_absent, student_id, reason, text, station_id=self.station_id)

    def clear_absence(self, student_id: int):
        return self._write(marshal.clear_absence, student_id)

    def replan(self) -> None:
        """A new timetable for what remains, at the rates measured in the last hour (``station plan --replan``)."""
        self._write(replan_now)
