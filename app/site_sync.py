"""Site mode's sync protocol: connect to the site's PostgreSQL, push, heartbeat, pull, status.

One :func:`sync_once` pushes what the site does not have yet in one transaction under a site-wide
advisory lock, with the uid-keyed, idempotent rules of ``station merge`` (:func:`app.merge.merge_session`),
writes the station's heartbeat and pulls the site's state back by the same rules; between full
comparisons it sends only rows past per-table watermarks (:func:`delta_copy`). The thread that runs
it in the background is :class:`app.site.Replicator`; see app/site.py for the whole picture.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import settings
from app.db import Database, current_revision, head_revision, make_engine, migrate
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
from app.site_url import display_url, driver_url
from app.station import local_station

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


def site_url(session: Session | None = None) -> str:
    """``STATION_SITE_URL``, else the setting ``site.url`` ("" when site mode is off)."""
    env = os.environ.get("STATION_SITE_URL", "").strip()
    if env:
        return env
    if session is None:
        return ""
    return str(settings.get(session, "site.url") or "").strip()


def _site_engine(url: str, timeout_s: int = 5):
    """An engine for the site URL; a password from ``STATION_SITE_PASSWORD`` when the URL has none."""
    url = driver_url(url)
    if not url.startswith("postgresql"):
        return make_engine(url)
    u = make_url(url)
    env_pw = os.environ.get("STATION_SITE_PASSWORD")
    if env_pw and u.password is None:
        u = u.set(password=env_pw)
    return create_engine(u, pool_pre_ping=True, connect_args={"connect_timeout": timeout_s})


def connect_site(url: str, *, timeout_s: int = 5, check_schema: bool = True) -> Database:
    """The site database (not migrated here: ``station site init`` does that)."""
    engine = _site_engine(url, timeout_s)
    try:
        rev = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise SiteUnavailable(f"连不上站点数据库 {display_url(url)}: {short_error(exc)}") from None
    if check_schema and rev != head_revision():
        engine.dispose()
        raise InputError(
            f"站点数据库 {display_url(url)} 的结构是 {rev or '空'}, 本机需要 {head_revision()}: "
            "请在站点电脑上运行 station site init"
        )
    return Database(driver_url(url), engine, sessionmaker(engine, expire_on_commit=False))


def init_site(url: str) -> Database:
    """Create or migrate the site database (the same Alembic migrations as a station's)."""
    engine = _site_engine(url)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        raise SiteUnavailable(f"连不上站点数据库 {display_url(url)}: {short_error(exc)}") from None
    finally:
        engine.dispose()
    return connect_site(url)


def short_error(exc: BaseException) -> str:
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
