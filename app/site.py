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
owner-only ``~/.pgpass`` (libpq reads it) or ``STATION_SITE_PASSWORD``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from app import settings
from app.db import Database, current_revision, head_revision, make_engine
from app.errors import InputError, StationError
from app.merge import merge_session
from app.models import (
    Absence,
    AuditLog,
    Base,
    DataIssue,
    MajorCollege,
    MarshalCall,
    RosterFinding,
    RosterImport,
    Selection,
    ShootingSession,
    Shot,
    SignSheetCount,
    SiteStation,
    Station,
    Student,
    now,
)
from app.station import local_station

log = logging.getLogger(__name__)

# One lock key for the whole site database: pushes run one at a time (short transactions).
_LOCK_KEY = 7_320_119
DEFAULT_INTERVAL_S = 10.0
# The delta sync: rows past per-table id watermarks (less a margin: re-sending is harmless),
# and a full comparison every FULL_EVERY syncs to heal anything a delta could miss.
DELTA_TABLES = (Shot, Selection, Absence, DataIssue, MarshalCall, AuditLog)
SLACK = 50
FULL_EVERY = 30


class SiteUnavailable(StationError):
    """The site database cannot be reached now (the station keeps working locally)."""

    exit_code = 4


# --- the URL, without its password --------------------------------------------------------------


def site_url(session: Session | None = None) -> str:
    """``STATION_SITE_URL``, else the setting ``site.url`` ("" when site mode is off)."""
    env = os.environ.get("STATION_SITE_URL", "").strip()
    if env:
        return env
    if session is None:
        return ""
    return str(settings.get(session, "site.url") or "").strip()


def strip_password(url: str) -> tuple[str, str | None]:
    """(the URL without a password, the password or None)."""
    try:
        u = make_url(url)
    except Exception as exc:  # noqa: BLE001 — any malformed URL is the operator's to fix
        raise InputError(f"站点数据库地址不正确: {display_url(url)} ({type(exc).__name__})") from None
    pw = u.password
    if pw is None:
        return url, None
    return u._replace(password=None).render_as_string(hide_password=False), str(pw)


def display_url(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "(无法解析的地址)"


def _driver_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def remember_password(url: str, password: str, pgpass: Path | None = None) -> Path:
    """Write (or replace) the URL's line in the owner-only ``~/.pgpass`` that libpq reads."""
    u = make_url(url)
    path = pgpass or Path(os.environ.get("PGPASSFILE") or Path.home() / ".pgpass")
    host = u.host or u.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    fields = [str(host), str(u.port or 5432), u.database or "*", u.username or "*"]

    def esc(v: str) -> str:
        return v.replace("\\", "\\\\").replace(":", "\\:")

    key = ":".join(esc(f) for f in fields) + ":"
    lines = []
    if path.exists():
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith(key)]
    lines.append(key + esc(password))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def _site_engine(url: str, timeout_s: int = 5):
    """An engine for the site URL; a password from ``STATION_SITE_PASSWORD`` when the URL has none."""
    from sqlalchemy import create_engine

    url = _driver_url(url)
    if not url.startswith("postgresql"):
        return make_engine(url)
    u = make_url(url)
    env_pw = os.environ.get("STATION_SITE_PASSWORD")
    if env_pw and u.password is None:
        u = u.set(password=env_pw)
    return create_engine(u, pool_pre_ping=True, connect_args={"connect_timeout": timeout_s})


def connect_site(url: str, *, timeout_s: int = 5, check_schema: bool = True) -> Database:
    """The site database (not migrated here: ``station site init`` does that)."""
    from sqlalchemy.orm import sessionmaker

    engine = _site_engine(url, timeout_s)
    try:
        rev = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise SiteUnavailable(f"连不上站点数据库 {display_url(url)}: {_short(exc)}") from None
    if check_schema and rev != head_revision():
        engine.dispose()
        raise InputError(
            f"站点数据库 {display_url(url)} 的结构是 {rev or '空'}, 本机需要 {head_revision()}: "
            "请在站点电脑上运行 station site init"
        )
    return Database(_driver_url(url), engine, sessionmaker(engine, expire_on_commit=False))


def init_site(url: str) -> Database:
    """Create or migrate the site database (the same Alembic migrations as a station's)."""
    from app.db import migrate

    engine = _site_engine(url)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        raise SiteUnavailable(f"连不上站点数据库 {display_url(url)}: {_short(exc)}") from None
    finally:
        engine.dispose()
    return connect_site(url)


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0][:200] if str(orig).strip() else type(orig).__name__


# --- one sync ---------------------------------------------------------------------------------


@dataclass
class SyncReport:
    station: str
    pushed_shots: int = 0
    pushed_selections: int = 0
    pulled_shots: int = 0
    pulled_selections: int = 0
    conflicts: int = 0
    full: bool = False
    pending_before: int = 0
    lag_s: float = 0.0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def pending_count(session: Session, since: datetime | None, station_id: int) -> int:
    """Records of this station made after ``since`` (None: all): what the site may not have yet."""

    def count(model, col, *where) -> int:
        stmt = select(func.count()).select_from(model).where(*where)
        if since is not None:
            stmt = stmt.where(col >= since)
        return int(session.scalar(stmt) or 0)

    return (
        count(Shot, Shot.taken_at, Shot.station_id == station_id)
        + count(Selection, Selection.selected_at, Selection.station_id == station_id)
        + count(Absence, Absence.marked_at, Absence.station_id == station_id)
        + count(DataIssue, DataIssue.reported_at, DataIssue.station_id == station_id)
        + count(MarshalCall, MarshalCall.called_at, MarshalCall.station_id == station_id)
    )


def _oldest_pending(session: Session, since: datetime | None, station_id: int) -> datetime | None:
    stmt = select(func.min(Shot.taken_at)).where(Shot.station_id == station_id)
    if since is not None:
        stmt = stmt.where(Shot.taken_at >= since)
    return session.scalar(stmt)


def _own_state(session: Session, st: Station) -> SiteStation:
    row = session.get(SiteStation, st.uid)
    if row is None:
        row = SiteStation(station_uid=st.uid, number=st.number, name=st.name, pending=0)
        session.add(row)
    return row


def max_ids(session: Session) -> dict[str, int]:
    """The newest id of each table the delta sync follows (read before the rows themselves)."""
    return {m.__tablename__: int(session.scalar(select(func.max(m.id))) or 0) for m in (*DELTA_TABLES, Student)}


def delta_copy(source: Session, marks: dict[str, int]):
    """An in-memory database holding what changed in ``source`` past ``marks``, for the merge rules.

    Rows of the followed tables past their watermark, the students and shots they refer to,
    students added since (an unlisted student, a roster import), their roster import and
    findings, and the small tables whole (stations, sessions, majors, sign-sheet counts).
    """
    from sqlalchemy import create_engine, insert
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)

    def rows(model, *where):
        return [dict(m) for m in source.connection().execute(select(model.__table__).where(*where)).mappings()]

    def past(model):
        return model.__table__.c.id > max(0, marks.get(model.__tablename__, 0) - SLACK)

    picked: dict[Any, list[dict]] = {m: rows(m, past(m)) for m in DELTA_TABLES}
    have_shots = {r["id"] for r in picked[Shot]}
    extra_shots = sorted({r["shot_id"] for r in picked[Selection]} - have_shots)
    for i in range(0, len(extra_shots), 500):
        picked[Shot] += rows(Shot, Shot.id.in_(extra_shots[i:i + 500]))
    student_ids = {r["student_id"] for m in (Shot, Selection, Absence, DataIssue) for r in picked[m] if r.get("student_id")}
    students = rows(Student, past(Student))
    wanted = sorted(student_ids - {r["id"] for r in students})
    for i in range(0, len(wanted), 500):
        students += rows(Student, Student.id.in_(wanted[i:i + 500]))
    picked[Student] = students
    ids = [r["id"] for r in students]
    picked[RosterFinding] = []
    for i in range(0, len(ids), 500):
        picked[RosterFinding] += rows(RosterFinding, RosterFinding.student_id.in_(ids[i:i + 500]))
    imports = sorted({r["import_id"] for r in students if r.get("import_id")})
    picked[RosterImport] = rows(RosterImport, RosterImport.id.in_(imports)) if imports else []
    for m in (Station, ShootingSession, MajorCollege, SignSheetCount):
        picked[m] = rows(m)
    with engine.begin() as conn:
        for m in Base.metadata.sorted_tables:
            model = next((k for k in picked if k.__table__ is m), None)
            if model is not None and picked[model]:
                conn.execute(insert(m), picked[model])
    return engine, sessionmaker(engine)


def _merge_from(target: Session, source: Session, marks: dict[str, int] | None, label: str):
    """The merge rules from ``source`` (whole, or only past ``marks``) into ``target``."""
    if marks is None:
        return merge_session(target, source, source_label=label, source_dir=None, photo_store=None)
    engine, sessions = delta_copy(source, marks)
    try:
        with sessions() as delta:
            return merge_session(target, delta, source_label=label, source_dir=None, photo_store=None)
    finally:
        engine.dispose()


def _load_marks(row: SiteStation | None) -> dict[str, Any]:
    import json

    try:
        return json.loads(row.marks) if row is not None and row.marks else {}
    except ValueError:
        return {}


def sync_once(local: Database, site: Database, *, full: bool | None = None) -> SyncReport:
    """Push this station's records to the site, write its heartbeat, pull the site's state."""
    t0 = time.monotonic()
    started = now()
    with local.session() as ls:
        st = local_station(ls)
        ls.commit()
        own = _own_state(ls, st)
        since = own.last_push_from
        marks = _load_marks(own)
        count = int(marks.get("syncs", 0))
        if full is None:
            full = count % FULL_EVERY == 0 or "push" not in marks or "pull" not in marks
        report = SyncReport(station=st.name, full=full, pending_before=pending_count(ls, since, st.id))
        oldest = _oldest_pending(ls, since, st.id)
        report.lag_s = round((started - oldest).total_seconds(), 3) if oldest and report.pending_before else 0.0
        # push: one transaction, one at a time on the site
        with site.session() as ss:
            if site.engine.dialect.name == "postgresql":
                ss.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            push_marks = max_ids(ls)
            res = _merge_from(ss, ls, None if full else marks["push"], f"site-sync:{st.name}")
            beat = ss.get(SiteStation, st.uid) or SiteStation(station_uid=st.uid)
            beat.number, beat.name = st.number, st.name
            beat.last_contact, beat.last_push_from = now(), started
            beat.pending, beat.lag_s = 0, report.lag_s
            ss.merge(beat)
            ss.commit()
        report.pushed_shots, report.pushed_selections = res.shots_added, res.selections_added
        report.conflicts += res.conflicts
        # pull: the site's state into this station (same rules, same idempotence)
        with site.session() as ss:
            pull_marks = max_ids(ss)
            res = _merge_from(ls, ss, None if full else marks["pull"], "site")
        report.pulled_shots, report.pulled_selections = res.shots_added, res.selections_added
        report.conflicts += res.conflicts
        with site.session() as ss:
            for row in ss.scalars(select(SiteStation)):
                if row.station_uid == st.uid:
                    continue
                mine = ls.get(SiteStation, row.station_uid) or SiteStation(station_uid=row.station_uid)
                mine.number, mine.name, mine.last_contact = row.number, row.name, row.last_contact
                mine.last_push_from, mine.pending, mine.lag_s = row.last_push_from, row.pending, row.lag_s
                ls.merge(mine)
        own = _own_state(ls, st)
        own.number, own.name = st.number, st.name
        own.last_contact, own.last_push_from, own.pending, own.lag_s = now(), started, 0, report.lag_s
        import json

        own.marks = json.dumps({"push": push_marks, "pull": pull_marks, "syncs": count + 1})
        ls.commit()
    report.seconds = round(time.monotonic() - t0, 3)
    return report


# --- status -----------------------------------------------------------------------------------


def status(local: Database | None, site: Database | None) -> dict[str, Any]:
    """Per station: last contact, records not yet replicated, lag; and distinct students photographed.

    From the site when it can be reached (``source: "site"``), else from the station's own copy.
    """
    out: dict[str, Any] = {"source": "site" if site is not None else "local", "stations": []}
    db = site or local
    assert db is not None
    with db.session() as s:
        rows = {r.station_uid: r for r in s.scalars(select(SiteStation))}
        stations = list(s.scalars(select(Station).order_by(Station.number, Station.id)))
        out["students_photographed"] = int(
            s.scalar(select(func.count(func.distinct(Shot.student_id))).where(Shot.student_id.is_not(None))) or 0
        )
    local_pending: tuple[str, int] | None = None
    if local is not None:
        with local.session() as ls:
            st = local_station(ls)
            own = ls.get(SiteStation, st.uid)
            local_pending = (st.uid, pending_count(ls, own.last_push_from if own else None, st.id))
            ls.rollback()
    for st in stations:
        r = rows.get(st.uid)
        if r is None and not st.is_local and site is None:
            continue
        pending = r.pending if r else 0
        if local_pending and local_pending[0] == st.uid:
            pending = local_pending[1]
        out["stations"].append({
            "station": st.name,
            "number": st.number,
            "last_contact": r.last_contact.isoformat(timespec="seconds") if r and r.last_contact else None,
            "pending": pending,
            "lag_s": r.lag_s if r and r.lag_s is not None else None,
        })
    return out


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
            st.last_error = exc.message if isinstance(exc, StationError) else _short(exc)
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
    if not url or local.url == _driver_url(url):
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

    from app.i18n import t

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
