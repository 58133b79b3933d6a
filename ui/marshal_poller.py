"""The marshal window's data side: the view it shows, computed on the poller's own thread.

:class:`SnapshotPoller` lives on a QThread and owns every database access of the
window: every half second it reads a cheap change token and recomputes the
:class:`MarshalView` only when shots, absences or calls changed.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from app.roll_call import board as marshal

log = logging.getLogger(__name__)

POLL_MS = 500


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
    """What the poller hands to the window: the snapshot and this station's projection."""

    snap: marshal.MarshalSnapshot
    queue_left: int  # students still to photograph in this station's call order
    rate: float | None  # measured students per hour on this station
    finish: datetime | None
    stations: tuple[StationSeen, ...] = field(default=())  # whose shots the counts include
    database: str = ""  # where they are read from
    site: str = ""  # site mode: how fresh the other stations' records are (app.site.freshness)


def compute_view(session, station_id: int | None = None, at: datetime | None = None) -> MarshalView:
    from app.timetable.store import measured_rates

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
    from app.site import freshness

    return MarshalView(snap, left, rate, finish, stations_seen(session), site=freshness(session, snap.taken_at))


def stations_seen(session) -> tuple[StationSeen, ...]:
    """Every station in the database, with how many students' chosen photos it took (merged ones too)."""
    from sqlalchemy import func, select

    from app.models import Selection, Station

    counts = {sid: (n, last) for sid, n, last in session.execute(
        select(Selection.station_id, func.count(Selection.id), func.max(Selection.selected_at))
        .group_by(Selection.station_id)).all()}
    out = []
    for sid, number, name, local in session.execute(
            select(Station.id, Station.number, Station.name, Station.is_local).order_by(Station.number)).all():
        n, last = counts.get(sid, (0, None))
        out.append(StationSeen(number, name, bool(local), int(n), last))
    return tuple(out)




def database_label(url: str) -> str:
    """A database URL as the marshal reads it: a SQLite file by its path, a server without its password."""
    if url.startswith("sqlite:///"):
        return url.split(":///", 1)[1]
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url


class SnapshotPoller(QObject):
    """Lives on its own QThread; owns every database access of the window."""

    view_ready = Signal(object)
    action_done = Signal(str)
    action_failed = Signal(str)

    def __init__(self, db, station_id: int | None = None, interval_ms: int = POLL_MS):
        super().__init__()
        self.db = db
        self.station_id = station_id
        self.interval_ms = interval_ms
        self._token = None
        self._timer: QTimer | None = None
        self.phone_port: int | None = None  # read here, on this thread, for the phone switch
        self.database = database_label(getattr(db, "url", ""))

    @Slot()
    def start(self) -> None:
        try:
            from app import settings

            with self.db.session() as s:
                self.phone_port = int(settings.get(s, "phone.port"))
        except Exception:  # the switch falls back to the default port
            log.exception("marshal: phone.port")
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        self._timer.start(self.interval_ms)
        self.poll(force=True)

    @Slot()
    def stop(self) -> None:
        """Runs on the poller's thread: the timer dies where it was made, then the poller goes home."""
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)
            self._timer = None  # deleted here, on its own thread
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())

    @Slot()
    def poll(self, force: bool = False) -> None:
        try:
            with self.db.session() as s:
                token = marshal.change_token(s)
                # A minute tick refreshes the projection and the freshness even when nothing changed.
                minute = datetime.now().replace(second=0, microsecond=0)
                key = (token, minute)
                if not force and key == self._token:
                    return
                view = compute_view(s, self.station_id)
                view = dataclasses.replace(view, database=self.database)
                self._token = key
        except Exception as exc:  # a locked or vanished database: say so, keep polling
            log.exception("marshal poll")
            self.action_failed.emit(str(exc))
            return
        self.view_ready.emit(view)

    @Slot(object)
    def run(self, job) -> None:
        """``job = (label, fn)``: fn(session) runs here, is committed, and the view refreshes."""
        label, fn = job
        try:
            with self.db.session() as s:
                fn(s)
                s.commit()
        except Exception as exc:
            msg = getattr(exc, "message", None) or str(exc)
            self.action_failed.emit(msg)
        else:
            self.action_done.emit(label)
        self.poll(force=True)




def replan_now(session) -> None:
    """Runs on the poller's thread: re-plan what remains from now and keep it as the current timetable."""
    from app.timetable import store as planner
    from app.errors import StationError
    from app.i18n import t

    p, _measured = planner.replan(session)
    if not p.slots:
        raise StationError(t("没有剩余的学生需要排期", "nobody left to plan"))
    planner.save_plan(session, p)

