"""Site mode: the stations of a school share one PostgreSQL site database.

Each station writes locally first: a shot is durable in the station's own
SQLite database before anything leaves the laptop. A :class:`Replicator`
(a background thread in the window; ``station site sync`` runs it once) then

1. **pushes** what the site does not have yet, in one transaction under a
   site-wide advisory lock, with the same uid-keyed, idempotent rules as
   ``station merge`` (:func:`app.merge.merge_session`): rows are recognised by
   their globally unique ``uid``, so a push that is repeated, interrupted
   (the transaction rolls back) or killed changes nothing twice; two stations
   that selected a shot for the same student become a ``merge_conflicts`` row
   for the marshal to decide, never an IntegrityError;
2. writes the station's heartbeat (``site_stations``: last contact, records
   still waiting, lag);
3. **pulls** the site's state into the station, by the same rules: who was
   photographed where (shots and selections of every station, so the student
   card says "已在 3号机 拍摄 10:42"), absences, marshal calls, unlisted
   students, conflicts.

Photos of other stations are not copied: their records carry the other
laptop's paths, and the start-up recovery and file checks look at the local
station's shots only. The delivery is made from each station's photos (or
after ``station merge`` of the stations' folders).

When the site server cannot be reached, the station keeps shooting; the
replicator says how long it has been offline and how many records wait, and
catches up on its own when the server returns.

The site URL comes from the setting ``site.url`` or ``STATION_SITE_URL``; a
password is never stored in the database nor logged: it goes to the
owner-only ``~/.pgpass`` (libpq reads it) or ``STATION_SITE_PASSWORD``
(:mod:`app.site_url`).

Layers: :mod:`app.site_url` (the URL without its password), :mod:`app.site_sync`
(connecting, one push/heartbeat/pull, the status) and this module, the
background thread that runs it and the freshness line the marshal shows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from app import settings
from app.db import Database
from app.errors import StationError
from app.i18n import t
from app.models import SiteStation, Station, now
from app.site_sync import (
    DEFAULT_INTERVAL_S,
    SiteUnavailable,
    SyncReport,
    connect_site,
    pending_count,
    short_error,
    site_url,
    sync_once,
)
from app.site_url import display_url, driver_url
from app.station import local_station

log = logging.getLogger(__name__)


# --- the background replicator ----------------------------------------------------------------


@dataclass
class ReplicatorState:
    url: str = ""
    online: bool = False
    offline_since: datetime | None = None
    last_contact: datetime | None = None
    pending: int = 0
    last_error: str = ""
    last_report: SyncReport | None = None
    syncs: int = 0
    failures: int = 0
    history: list[float] = field(default_factory=list)  # seconds per successful sync, last 50

    def line(self) -> str:
        """The status line's words, Chinese first."""
        if not self.url:
            return ""
        if self.online:
            return f"站点已同步 {self.last_contact:%H:%M:%S}" if self.last_contact else "站点已连接"
        since = self.offline_since or now()
        minutes = int((now() - since).total_seconds() // 60)
        return f"站点离线 {minutes} 分钟, {self.pending} 条记录待同步 (本机照常拍摄)"


class Replicator:
    """Syncs a station with its site every ``interval`` seconds on its own thread.

    ``on_change(state)`` is called from that thread after each attempt (the window
    re-emits it as a Qt signal). Nothing is started at construction.
    """

    def __init__(self, local: Database, url: str, *, interval: float = DEFAULT_INTERVAL_S,
                 on_change: Callable[[ReplicatorState], None] | None = None):
        self.local = local
        self.url = url
        self.interval = interval
        self.on_change = on_change
        self.state = ReplicatorState(url=display_url(url))
        self._site: Database | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="site-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._site is not None:
            self._site.dispose()
            self._site = None

    def kick(self) -> None:
        """Sync now (e.g. right after a selection) instead of at the next tick."""
        self._wake.set()

    def sync(self) -> SyncReport | None:
        """One attempt; never raises for an unreachable site (the state says so)."""
        st = self.state
        try:
            if self._site is None:
                self._site = connect_site(self.url)
            report = sync_once(self.local, self._site)
        except (SiteUnavailable, DBAPIError, OSError) as exc:
            if self._site is not None:
                self._site.dispose()
                self._site = None
            st.online = False
            st.failures += 1
            st.offline_since = st.offline_since or now()
            st.last_error = exc.message if isinstance(exc, StationError) else short_error(exc)
            try:
                with self.local.session() as ls:
                    sta = local_station(ls)
                    own = ls.get(SiteStation, sta.uid)
                    st.pending = pending_count(ls, own.last_push_from if own else None, sta.id)
                    ls.rollback()
            except SQLAlchemyError:
                pass
            log.warning("site sync failed (%s): %s", st.url, st.last_error)
            report = None
        else:
            st.online, st.offline_since, st.last_error = True, None, ""
            st.last_contact, st.pending, st.last_report = now(), 0, report
            st.syncs += 1
            st.history = (st.history + [report.seconds])[-50:]
        if self.on_change is not None:
            self.on_change(st)
        return report

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sync()
            except Exception:  # noqa: BLE001 — the thread must outlive any one bad sync
                log.exception("site sync crashed")
            self._wake.wait(self.interval)
            self._wake.clear()


def replicator_for(local: Database, on_change: Callable[[ReplicatorState], None] | None = None) -> Replicator | None:
    """The station's replicator when site mode is on (``site.url`` or ``STATION_SITE_URL``), else None.

    Not started: the window starts it once its own start-up is done.
    """
    with local.session() as s:
        url = site_url(s)
        interval = float(settings.get(s, "site.interval_s") or DEFAULT_INTERVAL_S)
    if not url or local.url == driver_url(url):
        return None  # no site, or this is the site database itself
    return Replicator(local, url, interval=interval, on_change=on_change)


def freshness(session: Session, at: datetime | None = None) -> str:
    """How fresh the other stations' records in this database are, for the marshal ("" outside site mode).

    On a station: when it last synced with the site. On the site database itself: when each station
    last reached it.
    """
    rows = list(session.scalars(select(SiteStation).order_by(SiteStation.number)))
    if not rows:
        return ""
    at = at or now()
    local = session.scalars(select(Station).where(Station.is_local.is_(True))).first()
    own = next((r for r in rows if local is not None and r.station_uid == local.uid), None)

    def ago(when: datetime | None) -> str:
        if when is None:
            return t("从未", "never")
        secs = max(0, int((at - when).total_seconds()))
        if secs < 120:
            return t(f"{when:%H:%M:%S} ({secs} 秒前)", f"{when:%H:%M:%S} ({secs} s ago)")
        return t(f"{when:%H:%M} ({secs // 60} 分钟前)", f"{when:%H:%M} ({secs // 60} min ago)")

    if own is not None:
        return t(f"站点模式: 其他机位的拍摄同步于 {ago(own.last_contact)}",
                 f"site mode: the other stations' photos as of {ago(own.last_contact)}")
    return t("站点数据库: ", "site database: ") + t("、", ", ").join(
        t(f"{r.name} 上次同步 {ago(r.last_contact)}", f"{r.name} last synced {ago(r.last_contact)}") for r in rows)
