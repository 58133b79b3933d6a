"""The minute-precise timetable: which class, on which station, from when to when.

附件4 asks the school to publish "采集和候场精确至分钟" (shooting and waiting
times to the minute), per class, in groups of ten. The planner works on whole
minutes, so what is printed is exactly what was planned:

- A class is called as a unit and stays on one station where possible. Its
  slot lasts ``ceil(students * 60 / rate)`` minutes, so the planned rate is
  never exceeded; the part of a minute left over is the changeover between
  two classes.
- Within a class slot the groups of ten follow each other; a group's waiting
  time (候场) is ``lead`` minutes before its start.
- Nothing is planned across a break. When the next class does not fit before
  a break, a later class that does fit is taken first (looking a few classes
  ahead); failing that, the class is split at a group boundary, the first
  groups before the break and the rest straight after it on the same station
  (only when at least two groups fit, otherwise the station waits for the
  break: splitting a class for ten students is worse than a few idle minutes).
- A class longer than one station's share of the day (total / stations) is
  split across stations in whole groups, so six stations are not waiting on
  one huge class.
- Classes are taken in roster order (a college's classes together) and each
  goes to the station free first, so a college finishes at about the same
  time on every station and its teacher can check 已拍未拍 once.

- A machine-day holds at most ``max_per_day`` students (附件1: 一台机器一天能拍
  700—900 人; setting ``plan.max_per_machine_day``, 900). A station whose day is
  full ends it there; what does not fit goes to another station or the next day.
- ``schedule_days`` spreads a school evenly over N days, whole classes, in
  proportion to each day's stations.

Re-planning during the day (:mod:`app.timetable.store`) uses what remains (not
photographed, not absent), the measured rate of each station
(:mod:`app.throughput`), keeps a class already in progress on the station
shooting it, and keeps the plan's day ends, days and station counts.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from app.errors import InputError
from app.i18n import t
from app.timetable.model import MAX_PER_MACHINE_DAY, Break, ClassLoad, GroupSlot, Plan, Slot, ceil_minute, minutes_for
from app.timetable.rules import warnings_for

LOOKAHEAD = 8  # classes looked at to fill the time before a break
MIN_SPLIT_GROUPS = 2  # split a class over a break only if this many groups fit before it


@dataclass
class _Unit:
    college: str
    class_name: str
    groups: list[tuple[int, int]]
    order: int
    station: int | None = None  # 0-based when pinned
    part: int = 1
    parts: int = 1

    @property
    def students(self) -> int:
        return sum(n for _, n in self.groups)


def _split_even(groups: list[tuple[int, int]], k: int) -> list[list[tuple[int, int]]]:
    """Cut a class's groups into k contiguous runs of about equal students."""
    total = sum(n for _, n in groups)
    out: list[list[tuple[int, int]]] = [[]]
    acc = 0
    for i, g in enumerate(groups):
        left_groups = len(groups) - i
        left_parts = k - len(out)
        target = total * len(out) / k
        if out[-1] and left_parts > 0 and (acc >= target - 1e-9 or left_groups <= left_parts):
            out.append([])
        out[-1].append(g)
        acc += g[1]
    return out


def schedule(
    classes: list[ClassLoad],
    *,
    stations: int | list[int],
    rate: float | list[float],
    start: datetime,
    breaks: list[tuple[time, time]] | None = None,
    day_end: time | None = None,
    day_start: time | None = None,
    lead: int = 10,
    kind: str = "plan",
    max_per_day: int = MAX_PER_MACHINE_DAY,
    done_today: dict[int, int] | None = None,
    school_students: int | None = None,
) -> Plan:
    """Plan ``classes`` (in calling order) over ``stations`` from ``start``.

    ``breaks`` recur every day; with ``day_end`` a station that reaches the end
    of the day carries on the next day at the start's time of day (a class is
    not split overnight unless it is longer than a whole day). Later days
    begin at ``day_start`` (default: the start's time of day).

    ``stations`` may differ by day: ``[6, 4]`` is six stations on the first
    day and four from the second on (stations 5 and 6 stay shut; the last
    count holds for later days). Needs an end of the day to mean anything.

    No station takes more than ``max_per_day`` students on one day (counting
    ``done_today``: students a station already photographed today, by
    1-based station number): a station whose day is full stops there and
    starts again the next day at ``day_start``.
    """
    per_day = [int(n) for n in stations] if isinstance(stations, (list, tuple)) else [int(stations)]
    if not per_day or min(per_day) < 1:
        raise InputError(t("机位数至少为 1", "at least one station"))
    if len(per_day) > 1 and day_end is None:
        raise InputError(t("按天设置不同机位数时需要每天结束时间 (--day-end)",
                           "different station counts by day need an end of the day (--day-end)"))
    stations = max(per_day)
    rates = list(rate) if isinstance(rate, (list, tuple)) else [float(rate)] * stations
    if len(rates) != stations or any(r <= 0 for r in rates):
        raise InputError(t("每台机位的速度必须大于 0", "every station needs a rate above 0"))
    start = ceil_minute(start)
    daily = list(breaks or [])
    day0 = datetime.combine(start.date(), time())
    if day_end is not None and day_end <= start.time():
        raise InputError(t(f"每天结束时间 {day_end:%H:%M} 不晚于开始时间", f"the day ends ({day_end:%H:%M}) before it starts"))
    cap = int(max_per_day)
    if cap < 1:
        raise InputError(t("每台机器每天人数上限至少为 1", "the machine-day limit must be at least 1"))

    def m(x: datetime) -> int:  # whole minutes since midnight of the first day
        return int((x - day0).total_seconds() // 60)

    def dt(minute: int) -> datetime:
        return day0 + timedelta(minutes=minute)

    t0 = m(start)
    total = sum(c.students for c in classes)
    first_day = day_start or start.time()
    day_start_min = first_day.hour * 60 + first_day.minute
    # Breaks as minutes (start, end, may a class be split over it); the overnight gap is one too.
    brk: list[tuple[int, int, bool]] = []
    by_cap = math.ceil(total / (min(per_day) * cap)) + 2 if total else 1
    if day_end is None:
        days = by_cap
    else:
        window = max(day_end.hour * 60 + day_end.minute - day_start_min, 15)
        window -= sum(
            max(0, min(b.hour * 60 + b.minute, day_start_min + window) - max(a.hour * 60 + a.minute, day_start_min))
            for a, b in daily
        )
        need = total * 60.0 / (min(per_day) * min(rates)) if total else 0
        days = max(1, math.ceil(2 * need / max(window, 1)) + 2, by_cap)
    for d in range(days):
        base = d * 1440
        for a, b in daily:
            brk.append((base + a.hour * 60 + a.minute, base + b.hour * 60 + b.minute, True))
        if day_end is not None:
            brk.append((base + day_end.hour * 60 + day_end.minute, base + 1440 + day_start_min, False))
    brk = sorted((a, b, ok) for a, b, ok in brk if b > t0)
    NEVER = (1 << 40, 1 << 40, True)
    # A station shut for a day is one long break on that station alone.
    own: list[list[tuple[int, int, bool]]] = []
    for s_ in range(stations):
        shut = []
        for d in range(days):
            if s_ >= per_day[min(d, len(per_day) - 1)]:
                a = 0 if d == 0 else d * 1440 + day_start_min
                shut.append((a, (d + 1) * 1440 + day_start_min, False))
        if s_ >= per_day[-1]:  # shut from the last listed day on: past the horizon too
            shut.append((days * 1440 + day_start_min, NEVER[0], False))
        own.append(sorted(brk + [b for b in shut if b[1] > t0]) if shut else brk)
    # The longest stretch between breaks: a class longer than that is split wherever it starts.
    edges = [t0] + [x for a, b, _ok in brk for x in (a, b)]
    longest = max((edges[i + 1] - edges[i] for i in range(0, len(edges) - 1, 2)), default=NEVER[0]) if brk else NEVER[0]
    if day_end is None and brk:
        longest = NEVER[0]  # after the last break the day runs on

    def after_breaks(x: int, s: int) -> int:
        for a, b, _ok in own[s]:
            if a <= x < b:
                x = b
        return x

    def next_break(x: int, s: int) -> tuple[int, int, bool]:
        for item in own[s]:
            if item[0] > x:
                return item
        return NEVER

    def day_of(x: int) -> int:
        return max(0, (x - day_start_min) // 1440)

    def next_day(x: int) -> int:
        return (day_of(x) + 1) * 1440 + day_start_min

    load: dict[tuple[int, int], int] = defaultdict(int)  # (station, day) -> students
    for no, n in (done_today or {}).items():
        if 1 <= no <= stations:
            load[(no - 1, day_of(t0))] += int(n)

    def count_fit(groups: list[tuple[int, int]], room: int) -> int:
        """How many leading groups fit under ``room`` students."""
        k = acc = 0
        for _g, n in groups:
            if acc + n > room:
                break
            acc += n
            k += 1
        return k

    share = total / stations
    units: list[_Unit] = []
    for i, c in enumerate(classes):
        groups = [(g, n) for g, n in c.groups if n > 0]
        if not groups:
            continue
        pinned = c.station - 1 if c.station is not None and 1 <= c.station <= stations else None
        n = sum(x for _, x in groups)
        if pinned is None and len(groups) > 1 and ((stations > 1 and n > share) or n > cap):
            k = min(len(groups), max(min(stations, math.ceil(n / share)), math.ceil(n / cap)))
            parts = _split_even(groups, k)
            for j, p in enumerate(parts, start=1):
                units.append(_Unit(c.college, c.class_name, p, i, None, j, len(parts)))
        else:
            units.append(_Unit(c.college, c.class_name, groups, i, pinned))

    free = [t0] * stations
    slots: list[Slot] = []

    def ends(groups: list[tuple[int, int]], r: float) -> list[int]:
        """Minutes from the slot's start to the end of each group.

        Groups follow each other and last at least a minute each; the class
        never outruns its rate (ceil of the cumulative time).
        """
        out, a, cum = [], 0, 0
        for _g, n in groups:
            cum += n
            a = max(a + 1, minutes_for(cum, r))
            out.append(a)
        return out

    def span(groups: list[tuple[int, int]], r: float) -> int:
        return ends(groups, r)[-1] if groups else 0

    def fit(groups: list[tuple[int, int]], r: float, avail: int) -> int:
        """How many leading groups fit in ``avail`` minutes."""
        return bisect.bisect_right(ends(groups, r), avail)

    def too_long(groups: list[tuple[int, int]], r: float) -> bool:
        return span(groups, r) > longest

    def may_split(k: int, nb: tuple[int, int, bool], groups: list[tuple[int, int]], r: float) -> bool:
        if k >= MIN_SPLIT_GROUPS and nb[2]:
            return True
        # Waiting for a longer stretch is pointless for a class longer than any stretch.
        return k >= 1 and too_long(groups, r)

    def run_on(u: _Unit, s: int, x: int) -> int:
        """Place a unit on station s from x, split over the breaks it cannot fit between."""
        r = rates[s]
        groups = list(u.groups)
        pieces: list[tuple[int, list[tuple[int, int]]]] = []
        while groups:
            x = after_breaks(x, s)
            room = cap - load[(s, day_of(x))]
            kc = count_fit(groups, room)
            if kc == 0:
                x = next_day(x)  # this machine-day is full
                continue
            nb = next_break(x, s)
            k = fit(groups, r, nb[0] - x)
            if kc < len(groups) and kc <= k:
                k, full = kc, True  # the machine-day is full after these groups
            else:
                full = False
                if k < len(groups) and not may_split(k, nb, groups, r):
                    x = nb[1]  # wait for the break to end
                    continue
            pieces.append((x, groups[:k]))
            load[(s, day_of(x))] += sum(n for _, n in groups[:k])
            x += span(groups[:k], r)
            groups = groups[k:]
            if full:
                x = next_day(x)
        for j, (px, pg) in enumerate(pieces, start=1):
            part, parts = (j, len(pieces)) if u.parts == 1 else (u.part, u.parts)
            out, a = [], px
            for (g, n), e in zip(pg, ends(pg, r)):
                out.append(GroupSlot(g, n, dt(a - lead), dt(a), dt(px + e)))
                a = px + e
            slots.append(Slot(s + 1, u.college, u.class_name, out, r, part, parts))
            if j == len(pieces):
                x = max(x, a)
        return x

    # Classes already in progress continue on their station first.
    for u in [u for u in units if u.station is not None]:
        free[u.station] = run_on(u, u.station, free[u.station])
    pending = [u for u in units if u.station is None]
    heap = [(free[s], s) for s in range(stations)]
    heapq.heapify(heap)
    while pending:
        x, s = heapq.heappop(heap)
        x = after_breaks(x, s)
        room = cap - load[(s, day_of(x))]
        if room <= 0:
            heapq.heappush(heap, (next_day(x), s))
            continue
        nb = next_break(x, s)
        avail = nb[0] - x
        r = rates[s]
        first = pending[0]
        if first.students <= room and (
            span(first.groups, r) <= avail or (too_long(first.groups, r) and fit(first.groups, r, avail))
        ):
            # It fits, or it is longer than any stretch and must be split anyway.
            x = run_on(pending.pop(0), s, x)
        else:
            # Fill the time before the break (or the machine-day) with a later class that fits whole.
            later = next(
                (
                    i
                    for i, u in enumerate(pending[1 : LOOKAHEAD + 1], start=1)
                    if span(u.groups, r) <= avail and u.students <= room
                ),
                None,
            )
            if later is not None:
                x = run_on(pending.pop(later), s, x)
            elif first.students > room and room < cap:
                x = next_day(x)  # the machine-day is full: the class goes elsewhere or tomorrow
            elif may_split(fit(first.groups, r, avail), nb, first.groups, r):
                x = run_on(pending.pop(0), s, x)
            else:
                x = nb[1]  # idle until the break is over
        heapq.heappush(heap, (x, s))

    slots.sort(key=lambda sl: (sl.station, sl.start))
    used = [Break(dt(a), dt(b), not ok) for a, b, ok in brk if slots and a < m(max(sl.end for sl in slots))]
    plan = Plan(start, stations, rates, used, lead, slots, kind, daily, day_end)
    plan.stations_by_day = per_day if len(per_day) > 1 else []
    plan.max_per_day = cap
    plan.school_students = school_students
    plan.day_start = first_day
    plan.warnings = warnings_for(plan)
    return plan
