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

Re-planning during the day uses what remains (not photographed, not absent),
the measured rate of each station (:mod:`app.throughput`), and keeps a class
already in progress on the station shooting it.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.errors import InputError
from app.i18n import t

LOOKAHEAD = 8  # classes looked at to fill the time before a break
MIN_SPLIT_GROUPS = 2  # split a class over a break only if this many groups fit before it
MAX_DAY = timedelta(hours=8)  # 附件1 注: 在校时间安排不超过 8 小时
SMALL_SCHOOL = 300  # ... 300 人以内的, 不超过 3 小时
SMALL_DAY = timedelta(hours=3)


# --- inputs and outputs ----------------------------------------------------------


@dataclass
class ClassLoad:
    """A class to plan: its groups of ten as (group number, students still to photograph)."""

    college: str
    class_name: str
    groups: list[tuple[int, int]]
    station: int | None = None  # 1-based; a class in progress stays on its station

    @property
    def students(self) -> int:
        return sum(n for _, n in self.groups)


@dataclass
class GroupSlot:
    group_no: int
    students: int
    arrive: datetime
    start: datetime
    end: datetime


@dataclass
class Slot:
    """A class (or part of one) on one station."""

    station: int  # 1-based
    college: str
    class_name: str
    groups: list[GroupSlot]
    rate: float
    part: int = 1
    parts: int = 1

    @property
    def students(self) -> int:
        return sum(g.students for g in self.groups)

    @property
    def start(self) -> datetime:
        return self.groups[0].start

    @property
    def end(self) -> datetime:
        return self.groups[-1].end

    @property
    def arrive(self) -> datetime:
        return self.groups[0].arrive

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def group_range(self) -> str:
        a, b = self.groups[0].group_no, self.groups[-1].group_no
        return t(f"第{a}组" if a == b else f"第{a}–{b}组", f"group {a}" if a == b else f"groups {a}–{b}")


@dataclass
class Break:
    start: datetime
    end: datetime
    overnight: bool = False  # between two days of shooting


@dataclass
class Plan:
    start: datetime
    stations: int
    rates: list[float]  # per station
    breaks: list[Break]  # every break the plan had to respect, with dates
    lead: int  # minutes
    slots: list[Slot]  # by station, then time
    kind: str = "plan"
    daily_breaks: list[tuple[time, time]] = field(default_factory=list)
    day_end: time | None = None
    warnings: list[str] = field(default_factory=list)
    stations_by_day: list[int] = field(default_factory=list)  # when the count differs by day

    @property
    def students(self) -> int:
        return sum(s.students for s in self.slots)

    @property
    def end(self) -> datetime:
        return max((s.end for s in self.slots), default=self.start)

    @property
    def days(self) -> list[date]:
        return sorted({s.start.date() for s in self.slots}) or [self.start.date()]

    def station_end(self, station: int, day: date | None = None) -> datetime | None:
        return max((s.end for s in self.slots if s.station == station and (day is None or s.start.date() == day)), default=None)

    def station_start(self, station: int, day: date | None = None) -> datetime | None:
        return min((s.start for s in self.slots if s.station == station and (day is None or s.start.date() == day)), default=None)

    def station_students(self, station: int, day: date | None = None) -> int:
        return sum(s.students for s in self.slots if s.station == station and (day is None or s.start.date() == day))

    def breaks_text(self) -> str:
        return ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in self.daily_breaks)


# --- parsing ----------------------------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")


def parse_hhmm(text: str) -> time:
    m = _HHMM.match(text or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InputError(t(f"时间格式应为 HH:MM: {text!r}", f"time must be HH:MM: {text!r}"))
    return time(int(m.group(1)), int(m.group(2)))


def parse_stations(text: str | int | None) -> int | list[int] | None:
    """``"6"`` → 6; ``"6,4"`` → [6, 4] (six stations the first day, four from the second on)."""
    if text is None or isinstance(text, int):
        return text
    try:
        parts = [int(x) for x in str(text).replace("，", ",").split(",") if x.strip()]
    except ValueError:
        raise InputError(t(f"机位数应为整数或按天的列表 (如 6 或 6,4): {text!r}",
                           f"stations: a number or one per day (6 or 6,4): {text!r}")) from None
    if not parts or min(parts) < 1:
        raise InputError(t("机位数至少为 1", "at least one station"))
    return parts[0] if len(parts) == 1 else parts


def parse_breaks(text: str | None) -> list[tuple[time, time]]:
    """``"12:00-13:30,15:00-15:15"`` → sorted, merged daily breaks (times of day)."""
    out: list[tuple[time, time]] = []
    for part in re.split(r"[,，;；\s]+", (text or "").strip()):
        if not part:
            continue
        bits = re.split(r"\s*[-–—~～至]\s*", part)
        if len(bits) != 2:
            raise InputError(t(f"休息时间格式应为 HH:MM-HH:MM: {part!r}", f"a break must be HH:MM-HH:MM: {part!r}"))
        a, b = (parse_hhmm(x) for x in bits)
        if b <= a:
            raise InputError(t(f"休息时间结束早于开始: {part!r}", f"break ends before it starts: {part!r}"))
        out.append((a, b))
    out.sort()
    merged: list[tuple[time, time]] = []
    for a, b in out:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def parse_start(text: str) -> datetime:
    try:
        dt = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise InputError(t(f"开始时间格式应为 2019-03-16T08:00: {text!r}", f"start must look like 2019-03-16T08:00: {text!r}")) from None
    return ceil_minute(dt)


def ceil_minute(dt: datetime) -> datetime:
    base = dt.replace(second=0, microsecond=0)
    return base if base == dt else base + timedelta(minutes=1)


def minutes_for(students: int, rate: float) -> int:
    """Whole minutes for ``students`` at ``rate`` per hour (never faster than the rate)."""
    if students <= 0:
        return 0
    # The epsilon keeps 165/h x 11 students = exactly 4 minutes from becoming 5.
    return max(1, math.ceil(students * 60.0 / rate - 1e-9))


# --- the planner --------------------------------------------------------------------


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
) -> Plan:
    """Plan ``classes`` (in calling order) over ``stations`` from ``start``.

    ``breaks`` recur every day; with ``day_end`` a station that reaches the end
    of the day carries on the next day at the start's time of day (a class is
    not split overnight unless it is longer than a whole day). Later days
    begin at ``day_start`` (default: the start's time of day).

    ``stations`` may differ by day: ``[6, 4]`` is six stations on the first
    day and four from the second on (stations 5 and 6 stay shut; the last
    count holds for later days). Needs an end of the day to mean anything.
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
    if day_end is None:
        days = 1
    else:
        window = max(day_end.hour * 60 + day_end.minute - day_start_min, 15)
        window -= sum(
            max(0, min(b.hour * 60 + b.minute, day_start_min + window) - max(a.hour * 60 + a.minute, day_start_min))
            for a, b in daily
        )
        need = total * 60.0 / (min(per_day) * min(rates)) if total else 0
        days = max(1, math.ceil(2 * need / max(window, 1)) + 2)
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

    share = total / stations
    units: list[_Unit] = []
    for i, c in enumerate(classes):
        groups = [(g, n) for g, n in c.groups if n > 0]
        if not groups:
            continue
        pinned = c.station - 1 if c.station is not None and 1 <= c.station <= stations else None
        n = sum(x for _, x in groups)
        if stations > 1 and pinned is None and len(groups) > 1 and n > share:
            k = min(stations, math.ceil(n / share), len(groups))
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
            nb = next_break(x, s)
            k = fit(groups, r, nb[0] - x)
            if k < len(groups) and not may_split(k, nb, groups, r):
                x = nb[1]  # wait for the break to end
                continue
            pieces.append((x, groups[:k]))
            x += span(groups[:k], r)
            groups = groups[k:]
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
        nb = next_break(x, s)
        avail = nb[0] - x
        r = rates[s]
        first = pending[0]
        if span(first.groups, r) <= avail or (too_long(first.groups, r) and fit(first.groups, r, avail)):
            # It fits, or it is longer than any stretch and must be split anyway.
            x = run_on(pending.pop(0), s, x)
        else:
            # Fill the time before the break with a later class that fits whole.
            later = next(
                (i for i, u in enumerate(pending[1 : LOOKAHEAD + 1], start=1) if span(u.groups, r) <= avail),
                None,
            )
            if later is not None:
                x = run_on(pending.pop(later), s, x)
            elif may_split(fit(first.groups, r, avail), nb, first.groups, r):
                x = run_on(pending.pop(0), s, x)
            else:
                x = nb[1]  # idle until the break is over
        heapq.heappush(heap, (x, s))

    slots.sort(key=lambda sl: (sl.station, sl.start))
    used = [Break(dt(a), dt(b), not ok) for a, b, ok in brk if slots and a < m(max(sl.end for sl in slots))]
    plan = Plan(start, stations, rates, used, lead, slots, kind, daily, day_end)
    plan.stations_by_day = per_day if len(per_day) > 1 else []
    plan.warnings = _warnings(plan)
    return plan


def _warnings(plan: Plan) -> list[str]:
    """What the notice's rules (附件1 注) say about this plan."""
    out = []
    small = plan.students <= SMALL_SCHOOL
    limit = SMALL_DAY if small else MAX_DAY
    why = t("300 人以内不超过 3 小时" if small else "在校不超过 8 小时", "at most 3 h for 300 students or fewer" if small else "at most 8 h on site")
    for d in plan.days:
        ends = [s.end for s in plan.slots if s.start.date() == d]
        if not ends:
            continue
        span = max(ends) - datetime.combine(d, plan.start.time())
        if span > limit:
            hours = span.total_seconds() / 3600
            out.append(
                t(
                    f"{d:%m月%d日} 在校 {hours:.1f} 小时, 超过附件1的要求 ({why}): 请增加机位、设置每天结束时间或分天",
                    f"{d}: {hours:.1f} h on site, more than the notice allows ({why}): add stations, set an end of day or more days",
                )
            )
    for r in plan.rates:
        if not 150 <= r <= 180:
            out.append(t(f"速度 {r:.0f} 人/小时 不在 150–180 的范围内", f"rate {r:.0f}/h is outside 150–180"))
            break
    return out


# --- from the database --------------------------------------------------------------


def roster_loads(session, colleges: list[str] | None = None, classes: list[str] | None = None) -> list[ClassLoad]:
    """Every roster student, by class and group of ten, in roster order."""
    from app.marshal import load_classes

    out = []
    for c in load_classes(session):
        if colleges and c.college not in colleges:
            continue
        if classes and c.class_name not in classes:
            continue
        out.append(ClassLoad(c.college, c.class_name, [(g, len(c.group(g))) for g in range(1, c.group_count + 1)]))
    return out


def plan_from_roster(
    session,
    *,
    start: datetime,
    stations: int | list[int],
    rate: float | None = None,
    breaks: str | None = None,
    day_end: str | None = None,
    lead: int | None = None,
    colleges: list[str] | None = None,
    classes: list[str] | None = None,
) -> Plan:
    rate, lead, daily, end = _defaults(session, start, rate, breaks, day_end, lead)
    loads = roster_loads(session, colleges, classes)
    if not loads:
        raise InputError(t("名单中没有学生 (或筛选条件没有匹配的班级): 请先导入名单", "no students to plan: import a roster first"))
    return schedule(loads, stations=stations, rate=rate, start=start, breaks=daily, day_end=end, lead=lead)


def _defaults(session, start: datetime, rate, breaks, day_end, lead, day_start: time | None = None):
    """Fill what the command line left out from the settings (plan.*)."""
    from app import settings

    day_start = day_start or start.time()

    rate = float(rate if rate is not None else settings.get(session, "plan.rate"))
    lead = int(lead if lead is not None else settings.get(session, "plan.lead_minutes"))
    daily = parse_breaks(breaks if breaks is not None else str(settings.get(session, "plan.breaks")))
    end_text = day_end if day_end is not None else str(settings.get(session, "plan.day_end"))
    if end_text.strip().lower() in ("none", "no", "无", "不限"):
        end = None
    elif end_text.strip():
        end = parse_hhmm(end_text)
    else:
        # The notice: at most 8 hours at the school; the day is cut there.
        end_dt = datetime.combine(start.date(), day_start) + MAX_DAY
        end = end_dt.time() if end_dt.date() == start.date() else None
    if end is not None and end <= start.time():
        end = None  # a re-plan after the usual end of the day: carry on
    return rate, lead, daily, end


@dataclass
class MeasuredRate:
    station_no: int
    rate: float | None  # students per hour while shooting (breaks left out)
    students: int  # in the window it was measured over


def measured_rates(session, at: datetime, window: timedelta = timedelta(minutes=60)) -> dict[int, MeasuredRate]:
    """Each station's working rate over the last hour, from its accepted shots.

    The station rate of :func:`app.throughput.rolling_rate` (gaps longer than a
    break are not counted), so a lunch break does not halve the rate the
    afternoon is planned at, and the figure is the one both windows show.
    """
    from sqlalchemy import select

    from app import throughput
    from app.models import Station

    out = {}
    for sid, number in session.execute(select(Station.id, Station.number)).all():
        times = throughput.selection_times(session, at - window, at, sid)
        rate = throughput.rolling_rate(times, at, window)  # the one 人/小时 (app/throughput.py)
        out[number] = MeasuredRate(number, rate, len(times))
    return out


def replan(
    session,
    *,
    at: datetime | None = None,
    stations: int | list[int] | None = None,
    rate: float | None = None,
    breaks: str | None = None,
    day_end: str | None = None,
    lead: int | None = None,
) -> tuple[Plan, dict[int, MeasuredRate]]:
    """A new timetable for what remains, from now, at the rate each station really shoots.

    ``rate`` overrides the measurement; a station without a measurement uses
    the mean of the others, else the ``plan.rate`` setting.
    """
    from app import marshal

    at = at or datetime.now()
    slots = marshal.plan_slots(session)
    # Tomorrow starts when today did, not at the time of the re-plan.
    day_start = min((s.start_at for s in slots), default=at).time()
    plan_rate, lead, daily, end = _defaults(session, at, rate, breaks, day_end, lead, day_start)
    snap = marshal.load(session, at=at)
    if stations is None:
        stations = max((s.station_no for s in slots), default=0) or None
    measured = measured_rates(session, at)
    if stations is None:
        stations = max(1, len([m for m in measured.values() if m.students]))
    n = max(stations) if isinstance(stations, (list, tuple)) else stations
    if rate is not None:
        rates = [float(rate)] * n
    else:
        known = [m.rate for m in measured.values() if m.rate]
        fallback = sum(known) / len(known) if known else plan_rate
        rates = [(measured[s].rate if s in measured and measured[s].rate else fallback) for s in range(1, n + 1)]

    # Call order: the latest timetable's, then the roster's.
    order: dict[tuple[str, str], int] = {}
    for s in slots:
        order.setdefault((s.college, s.class_name), len(order))
    for c in snap.classes:
        order.setdefault(c.key, len(order))
    loads = []
    for c in sorted(snap.classes, key=lambda c: order[c.key]):
        groups = []
        for g in range(1, c.group_count + 1):
            left = sum(1 for s in c.group(g) if s.status == marshal.STATUS_REMAINING)
            if left:
                groups.append((g, left))
        if not groups:
            continue
        station = None
        if c.photographed:  # in progress: stay where the last photo of the class was taken
            last = max((s for s in c.students if s.photographed_at), key=lambda s: s.photographed_at)
            station = last.photographed_station
        loads.append(ClassLoad(c.college, c.class_name, groups, station))
    plan = schedule(
        loads,
        stations=stations,
        rate=rates,
        start=at,
        breaks=daily,
        day_end=end,
        day_start=day_start,
        lead=lead,
        kind="replan",
    )
    return plan, measured


# --- keeping a plan ----------------------------------------------------------------


def save_plan(session, plan: Plan) -> str:
    """Store the timetable (per group of ten) so the sheets and the marshal can use it."""
    from sqlalchemy import insert

    from app.models import PlanSlot, now

    uid = uuid.uuid4().hex
    created = now()
    rows = [
        {
            "plan_uid": uid,
            "kind": plan.kind,
            "created_at": created,
            "station_no": sl.station,
            "college": sl.college,
            "class_name": sl.class_name,
            "group_no": g.group_no,
            "students": g.students,
            "arrive_at": g.arrive,
            "start_at": g.start,
            "end_at": g.end,
            "rate": sl.rate,
        }
        for sl in plan.slots
        for g in sl.groups
    ]
    if rows:  # one executemany, not 2,000 ORM objects
        session.execute(insert(PlanSlot), rows)
    return uid


def check_invariants(plan: Plan, classes: list[ClassLoad]) -> list[str]:
    """What must hold of any plan (used by the tests and by ``station plan --check``).

    Every student in exactly one slot; no station double-booked; no slot in a
    break; no slot faster than its rate.
    """
    problems = []
    want = {(c.college, c.class_name, g): n for c in classes for g, n in c.groups if n > 0}
    got: dict[tuple[str, str, int], int] = defaultdict(int)
    seen: dict[tuple[str, str, int], int] = defaultdict(int)
    for sl in plan.slots:
        for g in sl.groups:
            key = (sl.college, sl.class_name, g.group_no)
            got[key] += g.students
            seen[key] += 1
    for key in set(want) | set(got):
        if want.get(key, 0) != got.get(key, 0) or seen.get(key, 0) != 1:
            problems.append(f"group {key}: planned {got.get(key, 0)} in {seen.get(key, 0)} slots, roster {want.get(key, 0)}")
    by_station: dict[int, list[Slot]] = defaultdict(list)
    for sl in plan.slots:
        by_station[sl.station].append(sl)
        if sl.start < plan.start:
            problems.append(f"{sl.class_name} starts before the day")
        cap = sl.minutes * sl.rate / 60.0
        if sl.students > cap + 1e-6:
            problems.append(f"{sl.class_name}: {sl.students} students in {sl.minutes} min at {sl.rate}/h")
        for a, b in zip(sl.groups, sl.groups[1:]):
            if b.start < a.end:
                problems.append(f"{sl.class_name}: groups {a.group_no} and {b.group_no} overlap")
        for g in sl.groups:
            if g.end <= g.start:
                problems.append(f"{sl.class_name} group {g.group_no}: empty slot")
        for b in plan.breaks:
            if sl.start < b.end and b.start < sl.end:
                problems.append(f"{sl.class_name} on station {sl.station} runs into the break {b.start:%H:%M}")
    for st, sls in by_station.items():
        sls.sort(key=lambda x: x.start)
        for a, b in zip(sls, sls[1:]):
            if b.start < a.end:
                problems.append(f"station {st}: {a.class_name} and {b.class_name} overlap")
    return problems
