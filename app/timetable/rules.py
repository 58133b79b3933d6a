"""What must hold of a timetable: the notice's rules (附件1 注) as warnings, and the invariants the tests check."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from app.i18n import t
from app.timetable.model import MAX_DAY, MIN_PER_MACHINE_DAY, SMALL_DAY, SMALL_SCHOOL, ClassLoad, Plan, Slot


def day_capacity(plan: Plan, rate: float) -> int | None:
    """Students one station can take in a day between its start and ``plan.day_end`` (None: no end)."""
    if plan.day_end is None:
        return None
    first = plan.day_start or plan.start.time()
    a = first.hour * 60 + first.minute
    b = plan.day_end.hour * 60 + plan.day_end.minute
    minutes = b - a - sum(max(0, min(y.hour * 60 + y.minute, b) - max(x.hour * 60 + x.minute, a)) for x, y in plan.daily_breaks)
    return int(max(0, minutes) * rate / 60)


def warnings_for(plan: Plan) -> list[str]:
    """What the notice's rules (附件1 注) say about this plan."""
    out = []
    school = plan.school_students if plan.school_students is not None else plan.students
    small = school <= SMALL_SCHOOL  # the school's count, not the part planned now
    limit = SMALL_DAY if small else MAX_DAY
    why = t("300 人以内不超过 3 小时" if small else "在校不超过 8 小时", "at most 3 h for 300 students or fewer" if small else "at most 8 h on site")
    for d in plan.days:
        ends = [s.end for s in plan.slots if s.start.date() == d]
        if not ends:
            continue
        begin = datetime.combine(d, plan.start.time() if d == plan.start.date() else (plan.day_start or plan.start.time()))
        span = max(ends) - begin
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
    cap = day_capacity(plan, min(plan.rates)) if plan.rates else None
    if cap is not None and cap < MIN_PER_MACHINE_DAY and plan.kind == "plan":
        out.append(
            t(
                f"每天 {plan.day_end:%H:%M} 结束, 每台机位每天最多约 {cap} 人, 少于附件1的 700—900 人: 需要更多天或机位",
                f"the day ends at {plan.day_end:%H:%M}: about {cap} students per station a day, fewer than the notice's 700–900",
            )
        )
    if plan.days_wanted and len(plan.days) > plan.days_wanted:
        out.append(
            t(
                f"{plan.days_wanted} 天排不下 (每台机器每天不超过 {plan.max_per_day} 人): 排到了第 {len(plan.days)} 天",
                f"{plan.days_wanted} days do not hold the school ({plan.max_per_day} per machine-day): the plan runs to day {len(plan.days)}",
            )
        )
    return out


def machine_day_loads(plan: Plan) -> dict[tuple[date, int], int]:
    """Students per (day, station): what 附件1's 700—900 a machine-day is checked against."""
    out: dict[tuple[date, int], int] = defaultdict(int)
    for sl in plan.slots:
        out[(sl.start.date(), sl.station)] += sl.students
    return dict(out)


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
