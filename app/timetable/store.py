"""The timetable and the database: plan from the roster, re-plan from live counts, keep a plan.

A plan is kept as its groups (``PlanSlot``) and what it was planned with
(``PlanRun.params``: the end of the day, the first day's start, the days, the
station count per day, the breaks, the machine-day limit and the places), so a
re-plan during the day keeps the same day ends, days and station counts.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from app import settings, throughput
from app.errors import InputError
from app.i18n import t
from app.models import PlanRun, PlanSlot, Station, now
from app.roll_call.groups import STATUS_REMAINING
from app.roll_call.queries import latest_plan_uid, load_classes, plan_slots
from app.roll_call.snapshot import load
from app.timetable.days import schedule_days, schedule_sequence
from app.timetable.model import MAX_DAY, ClassLoad, Plan
from app.timetable.parse import parse_breaks, parse_hhmm
from app.timetable.places import Places, apply_places, parse_places
from app.timetable.rules import warnings_for
from app.timetable.scheduler import schedule

# --- the kept timetable's parameters --------------------------------------------------


def latest_params(session) -> dict:
    """What the latest kept timetable was planned with ({} when none, or planned before this was kept)."""
    uid = latest_plan_uid(session)
    row = session.get(PlanRun, uid) if uid else None
    return json.loads(row.params) if row is not None else {}


def latest_places(session) -> Places:
    return Places.from_json(latest_params(session).get("places"))


# --- from the database --------------------------------------------------------------


def roster_loads(session, colleges: list[str] | None = None, classes: list[str] | None = None) -> list[ClassLoad]:
    """Every roster student, by class and group, in roster order."""
    out = []
    for c in load_classes(session):
        if colleges and c.college not in colleges:
            continue
        if classes and c.class_name not in classes:
            continue
        out.append(ClassLoad(c.college, c.class_name, [(g, len(c.group(g))) for g in range(1, c.group_count + 1)]))
    return out


def _max_per_day(session, value: int | None) -> int:
    return int(value if value is not None else settings.get(session, "plan.max_per_machine_day"))


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
    days: int | None = None,
    max_per_day: int | None = None,
    place: str | None = None,
) -> Plan:
    rate, lead, daily, end = _defaults(session, start, rate, breaks, day_end, lead)
    everyone = roster_loads(session)
    loads = roster_loads(session, colleges, classes) if (colleges or classes) else everyone
    if not loads:
        raise InputError(t("名单中没有学生 (或筛选条件没有匹配的班级): 请先导入名单", "no students to plan: import a roster first"))
    cap = _max_per_day(session, max_per_day)
    school = sum(c.students for c in everyone)  # the 300-student rule counts the school, not the part planned
    if days and days > 1:
        if end is None:
            raise InputError(t("分天排期需要每天结束时间 (--day-end)", "--days needs an end of the day (--day-end)"))
        p = schedule_days(loads, days=days, stations=stations, rate=rate, start=start, breaks=daily, day_end=end,
                          lead=lead, max_per_day=cap, school_students=school)
    else:
        p = schedule(loads, stations=stations, rate=rate, start=start, breaks=daily, day_end=end, lead=lead,
                     max_per_day=cap, school_students=school)
    places = parse_places(place, {c.class_name for c in everyone}, {c.college for c in everyone})
    apply_places(p, places)
    p.places_spec = places  # kept with the plan by save_plan
    return p


def _defaults(session, start: datetime, rate, breaks, day_end, lead, day_start: time | None = None):
    """Fill what the command line left out from the settings (plan.*)."""
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
    max_per_day: int | None = None,
) -> tuple[Plan, dict[int, MeasuredRate]]:
    """A new timetable for what remains, from now, at the rate each station really shoots.

    ``rate`` overrides the measurement; a station without a measurement uses
    the mean of the others, else the ``plan.rate`` setting. What the command
    line leaves out comes from the kept plan: its end of the day, its breaks,
    its station count for today and the days after, its machine-day limit and
    places; students a station already photographed today count against its
    machine-day.
    """
    at = at or datetime.now()
    slots = plan_slots(session)
    params = latest_params(session)
    # Tomorrow starts when today did, not at the time of the re-plan.
    if params.get("day_start"):
        day_start = parse_hhmm(params["day_start"])
    else:
        day_start = min((s.start_at for s in slots), default=at).time()
    if day_end is None and "day_end" in params:
        day_end = params["day_end"] or "none"
    if breaks is None and "breaks" in params:
        breaks = params["breaks"]
    plan_rate, lead, daily, end = _defaults(session, at, rate, breaks, day_end, lead, day_start)
    if max_per_day is None and params.get("max_per_day"):
        max_per_day = int(params["max_per_day"])
    cap = _max_per_day(session, max_per_day)
    snap = load(session, at=at)
    if stations is None and params.get("stations_by_day") and params.get("first_day"):
        by_day = [int(n) for n in params["stations_by_day"]]
        i = max(0, (at.date() - date.fromisoformat(params["first_day"])).days)
        rest = by_day[min(i, len(by_day) - 1) :]
        stations = rest if len(rest) > 1 and end is not None else rest[0]
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
    done_today: dict[int, int] = defaultdict(int)
    for c in sorted(snap.classes, key=lambda c: order[c.key]):
        for s in c.students:
            if s.photographed_at is not None and s.photographed_at.date() == at.date() and s.photographed_station:
                done_today[s.photographed_station] += 1
        groups = []
        for g in range(1, c.group_count + 1):
            left = sum(1 for s in c.group(g) if s.status == STATUS_REMAINING)
            if left:
                groups.append((g, left))
        if not groups:
            continue
        station = None
        if c.photographed:  # in progress: stay where the last photo of the class was taken
            last = max((s for s in c.students if s.photographed_at), key=lambda s: s.photographed_at)
            station = last.photographed_station
        loads.append(ClassLoad(c.college, c.class_name, groups, station))
    # A class published for a later day stays on that day: the school has told its students when to come.
    planned_day: dict[tuple[str, str], date] = {}
    for s in slots:
        key = (s.college, s.class_name)
        planned_day[key] = min(planned_day.get(key, s.start_at.date()), s.start_at.date())
    chunk_of = [max(0, (planned_day[(c.college, c.class_name)] - at.date()).days) if (c.college, c.class_name) in planned_day
                else 0 for c in loads]
    common = dict(stations=stations, rate=rates, start=at, breaks=daily, day_end=end, day_start=day_start, lead=lead,
                  kind="replan", max_per_day=cap, done_today=dict(done_today),
                  school_students=sum(c.roster for c in snap.classes))
    if max(chunk_of, default=0) == 0:
        plan = schedule(loads, **common)
    else:
        chunks: list[list[ClassLoad]] = [[] for _ in range(max(chunk_of) + 1)]
        for c, i in zip(loads, chunk_of):
            chunks[i].append(c)
        plan = schedule_sequence(chunks, **common)
        plan.warnings = warnings_for(plan)
    places = Places.from_json(params.get("places"))
    apply_places(plan, places)
    plan.places_spec = places
    last_day = params.get("last_day")
    if last_day and plan.slots and plan.end.date() > date.fromisoformat(last_day):
        plan.warnings.append(
            t(
                f"按现场进度, 剩余学生排到 {plan.end:%m月%d日}, 超出原排期的最后一天 ({last_day})",
                f"at the measured pace the rest runs to {plan.end:%Y-%m-%d}, past the plan's last day ({last_day})",
            )
        )
    return plan, measured


# --- keeping a plan ----------------------------------------------------------------


def plan_params(plan: Plan) -> dict:
    places = getattr(plan, "places_spec", None)
    first = plan.days[0]
    return {
        "kind": plan.kind,
        "first_day": (plan.start.date() if plan.kind == "plan" else first).isoformat(),
        "last_day": plan.days[-1].isoformat(),
        "day_start": (plan.day_start or plan.start.time()).strftime("%H:%M"),
        "day_end": plan.day_end.strftime("%H:%M") if plan.day_end else "",
        "breaks": plan.breaks_text().replace("–", "-"),
        "stations_by_day": plan.stations_by_day or [plan.stations],
        "days": plan.days_wanted or len(plan.days),
        "max_per_day": plan.max_per_day,
        "places": places.to_json() if places else {},
    }


def save_plan(session, plan: Plan) -> str:
    """Store the timetable (per group of ten) and what it was planned with, for the sheets, the marshal and a re-plan."""
    uid = uuid.uuid4().hex
    created = now()
    params = plan_params(plan)
    if plan.kind == "replan":
        # A re-plan keeps the original plan's days and station counts, not today's part of them.
        prev = latest_params(session)
        for k in ("first_day", "stations_by_day", "days"):
            if k in prev:
                params[k] = prev[k]
        if prev.get("last_day"):
            params["last_day"] = max(prev["last_day"], params["last_day"])
    session.add(PlanRun(plan_uid=uid, created_at=created, params=json.dumps(params, ensure_ascii=False)))
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
    session.flush()
    return uid
