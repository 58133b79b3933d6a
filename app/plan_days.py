"""A school spread evenly over N days (``station plan --days N``): whole classes, in proportion to each day's stations."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.errors import InputError
from app.i18n import t
from app.plan import MAX_PER_MACHINE_DAY, Break, ClassLoad, Plan, Slot, schedule
from app.plan_rules import warnings_for


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
    chunks = split_days(classes, counts)
    slots: list[Slot] = []
    used: list[Break] = []
    warnings: list[str] = []
    day0 = start.date()
    next_free = 0  # the first day index the next share may start on
    for d, chunk in enumerate(chunks):
        if not chunk:
            continue
        di = max(d, next_free)
        st = counts[min(di, days - 1)] if di < days else per_day[-1]
        begin = start if di == 0 else datetime.combine(day0 + timedelta(days=di), start.time())
        p = schedule(chunk, stations=st, rate=rate, start=begin, breaks=breaks, day_end=day_end, lead=lead,
                     max_per_day=max_per_day)
        slots += p.slots
        used += p.breaks
        next_free = (p.end.date() - day0).days + 1
    n = max(counts)
    plan = Plan(start, n, [float(rate)] * n, sorted(used, key=lambda b: b.start), lead,
                sorted(slots, key=lambda sl: (sl.station, sl.start)), "plan", list(breaks or []), day_end)
    plan.stations_by_day = counts if len(set(counts)) > 1 else []
    plan.max_per_day = max_per_day
    plan.school_students = school_students
    plan.days_wanted = days
    plan.day_start = start.time()
    plan.warnings = warnings + warnings_for(plan)
    return plan
