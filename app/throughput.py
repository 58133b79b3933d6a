"""Throughput: how fast a station (or the site) is photographing, against the 150–180/h target.

Pure functions over the database, shared by the photographer's window, the
marshal and the reports. A student counts once, when their selected shot was
chosen (``Selection.selected_at``); re-selecting later moves that time, which
is rare enough not to matter for a rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app import settings
from app.models import Absence, Selection, Student

WINDOW = timedelta(minutes=60)
# Less shooting time than this (breaks left out) gives no rate yet (two quick students are not 400/h).
MIN_SPAN = timedelta(minutes=2)
# Fewer students than this in the window give no rate yet (one student is not "12 per hour").
MIN_STUDENTS = 3
# A gap longer than this between two students is a break, not a slow student.
BREAK = timedelta(minutes=5)


@dataclass(frozen=True)
class Throughput:
    at: datetime
    last_hour: int  # students in the last 60 minutes
    rate: float | None  # students per hour, rolling
    target_low: int
    target_high: int
    level: str  # "idle" | "low" | "near" | "ok" | "high"
    today: int
    avg_seconds: float | None  # per student, breaks excluded
    group_label: str | None  # the college or class the remaining count is about
    group_total: int | None
    group_remaining: int | None
    projected_finish: datetime | None


def _station_filter(station_id: int | None):
    return [Selection.station_id == station_id] if station_id is not None else []


def selection_times(
    session: Session, since: datetime, until: datetime, station_id: int | None = None
) -> list[datetime]:
    q = (
        select(Selection.selected_at)
        .where(Selection.selected_at >= since, Selection.selected_at <= until, *_station_filter(station_id))
        .order_by(Selection.selected_at)
    )
    return list(session.scalars(q))


def students_in_window(session: Session, at: datetime, station_id: int | None = None, window: timedelta = WINDOW) -> int:
    q = select(func.count(Selection.id)).where(
        Selection.selected_at > at - window, Selection.selected_at <= at, *_station_filter(station_id)
    )
    return int(session.scalar(q) or 0)


def today_count(session: Session, at: datetime, station_id: int | None = None) -> int:
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    q = select(func.count(Selection.id)).where(
        Selection.selected_at >= midnight, Selection.selected_at <= at, *_station_filter(station_id)
    )
    return int(session.scalar(q) or 0)


def rolling_rate(times: list[datetime], at: datetime | None = None, window: timedelta | None = WINDOW) -> float | None:
    """THE station rate, 人/小时: the one definition every window and report uses.

    3600 ÷ the mean time from one student's chosen photo to the next, over the
    selections of the last ``window`` before ``at`` (``window=None``: all of
    ``times``, e.g. a report's period), leaving out gaps longer than
    :data:`BREAK` (a break is not a slow student). No figure before
    :data:`MIN_STUDENTS` students and :data:`MIN_SPAN` of shooting: two quick
    students are not 400 an hour. So the rate and "平均每人 N 秒" always agree
    (rate = 3600 / seconds per student), in the photographer's window, the
    marshal's window, the re-plan and the reconciliation.
    """
    if window is not None and at is not None:
        times = [x for x in times if at - window < x <= at]
    times = sorted(times)
    if len(times) < MIN_STUDENTS:
        return None
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:]) if b - a <= BREAK]
    span = sum(gaps)
    if not gaps or span < MIN_SPAN.total_seconds():
        return None
    return len(gaps) * 3600.0 / span


station_rate = rolling_rate  # the name the reports use


def average_seconds(times: list[datetime], brk: timedelta = BREAK) -> float | None:
    """Mean time between consecutive students, not counting breaks (3600 / the rate, when there is one)."""
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:]) if b - a <= brk]
    return sum(gaps) / len(gaps) if gaps else None


def rate_level(rate: float | None, low: int, high: int) -> str:
    if rate is None:
        return "idle"
    if rate > high * 1.25:
        return "high"  # faster than any photographer should need: worth a look at the checks
    if rate >= low:
        return "ok"
    if rate >= 0.8 * low:
        return "near"
    return "low"


def remaining(session: Session, college: str | None = None, class_name: str | None = None) -> tuple[int, int]:
    """(total, still to photograph) among the active students of a college and/or class.

    Students marked absent (and not turned up since) are not waiting, so they
    do not count as remaining.
    """
    conds = [Student.active.is_(True)]
    if college:
        conds.append(Student.college == college)
    if class_name:
        conds.append(Student.class_name == class_name)
    total = int(session.scalar(select(func.count(Student.id)).where(*conds)) or 0)
    done = select(Selection.student_id)
    absent = select(Absence.student_id).where(Absence.cleared_at.is_(None))
    left = session.scalar(
        select(func.count(Student.id)).where(and_(*conds), Student.id.not_in(done), Student.id.not_in(absent))
    )
    return total, int(left or 0)


def projected_finish(left: int, rate: float | None, at: datetime) -> datetime | None:
    if left == 0:
        return at
    if not rate:
        return None
    return at + timedelta(hours=left / rate)


def snapshot(
    session: Session,
    *,
    station_id: int | None = None,
    at: datetime | None = None,
    college: str | None = None,
    class_name: str | None = None,
) -> Throughput:
    """Everything the throughput panel shows, in one call (a few indexed queries)."""
    at = at or datetime.now()
    low = int(settings.get(session, "rate.target_low"))
    high = int(settings.get(session, "rate.target_high"))
    times = selection_times(session, at - WINDOW, at, station_id)
    rate = rolling_rate(times, at)
    label = total = left = finish = None
    if college or class_name:
        label = " / ".join(x for x in (college, class_name) if x)
        total, left = remaining(session, college, class_name)
        finish = projected_finish(left, rate, at)
    return Throughput(
        at=at,
        last_hour=len([x for x in times if x > at - WINDOW]),
        rate=rate,
        target_low=low,
        target_high=high,
        level=rate_level(rate, low, high),
        today=today_count(session, at, station_id),
        avg_seconds=average_seconds(times),
        group_label=label,
        group_total=total,
        group_remaining=left,
        projected_finish=finish,
    )
