"""A school spread evenly over N days (``station plan --days N``): whole classes, in proportion to each day's stations."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.errors import InputError
from app.i18n import t
from app.timetable.model import MAX_PER_MACHINE_DAY, Break, ClassLoad, Plan, Slot
from app.timetable.rules import warnings_for
from app.timetable.scheduler import schedule


def split_days(classes: list[ClassLoad], weights: list[int]) -> list[list[ClassLoad]]:
    """Cut the classes (in order, whole) into len(weights) runs of students in proportion to the weights.

    A class goes to the day in which its middle student falls, so each day is
    within half a class of its share.
    """
    total = sum(c.students for c in classes)
    bounds, acc = [], 0.0
    for w in weights:
        acc += total * w / sum(weights)
        bounds.append(acc)
    out: list[list[ClassLoad]] = [[] for _ in weights]
    before = 0
    for c in classes:
        mid = before + c.students / 2
        d = next((i for i, b in enumerate(bounds) if mid < b), len(weights) - 1)
        out[d].append(c)
        before += c.students
    return out


def schedule_sequence(
    chunks: list[list[ClassLoad]],
    *,
    start: datetime,
    stations: int | list[int],
    rate: float | list[float],
    day_start: time | None = None,
    breaks: list[tuple[time, time]] | None = None,
    day_end: time | None = None,
    lead: int = 10,
    max_per_day: int = MAX_PER_MACHINE_DAY,
    kind: str = "plan",
    done_today: dict[int, int] | None = None,
    school_students: int | None = None,
) -> Plan:
    """Chunk i on day i (counted from ``start``'s day), each planned on its own with that day's stations.

    Chunk 0 begins at ``start``, later chunks at ``day_start`` of their day. A
    chunk that does not fit its day (the machine-day limit, the end of the day)
    runs on into the next days, and the next chunk starts on the day after it.
    """
    per_day = [int(n) for n in stations] if isinstance(stations, (list, tuple)) else [int(stations)]
    n = max(per_day)
    rates = [float(r) for r in rate] if isinstance(rate, (list, tuple)) else [float(rate)] * n
    day_start = day_start or start.time()

    def from_day(i: int) -> int | list[int]:
        rest = [per_day[min(d, len(per_day) - 1)] for d in range(i, max(i + 1, len(per_day)))]
        return rest if len(set(rest)) > 1 and day_end is not None else rest[0]

    slots: list[Slot] = []
    used: list[Break] = []
    day0 = start.date()
    next_free = 0  # the first day index the next chunk may start on
    for d, chunk in enumerate(chunks):
        if not chunk:
            continue
        di = max(d, next_free)
        st = from_day(di)
        width = max(st) if isinstance(st, list) else st
        begin = start if di == 0 else datetime.combine(day0 + timedelta(days=di), day_start)
        p = schedule(chunk, stations=st, rate=rates[:width], start=begin, breaks=breaks, day_end=day_end,
                     day_start=day_start, lead=lead, max_per_day=max_per_day, kind=kind,
                     done_today=done_today if di == 0 else None)
        slots += p.slots
        used += p.breaks
        next_free = (p.end.date() - day0).days + 1
    plan = Plan(start, n, rates, sorted(used, key=lambda b: b.start), lead,
                sorted(slots, key=lambda sl: (sl.station, sl.start)), kind, list(breaks or []), day_end)
    plan.stations_by_day = per_day if len(set(per_day)) > 1 else []
    plan.max_per_day = max_per_day
    plan.school_students = school_students
    plan.day_start = day_start
    return plan


def schedule_days(
    classes: list[ClassLoad],
    *,
    days: int,
    stations: int | list[int],
    rate: float,
    start: datetime,
    breaks: list[tuple[time, time]] | None = None,
    day_end: time | None = None,
    lead: int = 10,
    max_per_day: int = MAX_PER_MACHINE_DAY,
    school_students: int | None = None,
) -> Plan:
    """A school spread evenly over ``days`` days: whole classes, each day's share in proportion to its stations.

    Each day is planned on its own (its station count, from the start's time
    of day); a day that does not hold its share (the machine-day limit, the
    end of the day) runs on into the next days, and the next day's share
    starts after it.
    """
    if days < 1:
        raise InputError(t("天数至少为 1", "at least one day"))
    per_day = [int(n) for n in stations] if isinstance(stations, (list, tuple)) else [int(stations)]
    counts = [per_day[min(d, len(per_day) - 1)] for d in range(days)]
    plan = schedule_sequence(split_days(classes, counts), start=start, stations=counts, rate=rate, breaks=breaks,
                             day_end=day_end, lead=lead, max_per_day=max_per_day, school_students=school_students)
    plan.stations_by_day = counts if len(set(counts)) > 1 else []
    plan.days_wanted = days
    plan.warnings = warnings_for(plan)
    return plan
