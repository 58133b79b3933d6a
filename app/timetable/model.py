"""The timetable's inputs and outputs, and the notice's limits (附件1 注)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.i18n import t

MAX_DAY = timedelta(hours=8)  # 附件1 注: 在校时间安排不超过 8 小时
SMALL_SCHOOL = 300  # ... 300 人以内的, 不超过 3 小时
SMALL_DAY = timedelta(hours=3)
MAX_PER_MACHINE_DAY = 900  # 附件1 注: 一台机器一天能拍 700—900 人
MIN_PER_MACHINE_DAY = 700


# --- inputs and outputs ----------------------------------------------------------


@dataclass
class ClassLoad:
    """A class to plan: its groups of ten as (group number, students still to photograph)."""

    college: str
    class_name: str
    groups: list[tuple[int, int]]
    station: int | None = None  # 1-based; a class in progress stays on its station
    place: str = ""  # 地点: where the class waits and is photographed

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
    place: str = ""  # 地点 (附件4: 批次、时间、人数、地点)

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
    max_per_day: int = MAX_PER_MACHINE_DAY  # students per machine-day at most
    school_students: int | None = None  # the whole school's count (the 300-student rule), when known
    days_wanted: int | None = None  # --days N
    day_start: time | None = None  # when later days begin
    places_spec: object = None  # app.timetable.places.Places the slots' places came from

    @property
    def places(self) -> bool:
        return any(s.place for s in self.slots)

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


def ceil_minute(dt: datetime) -> datetime:
    base = dt.replace(second=0, microsecond=0)
    return base if base == dt else base + timedelta(minutes=1)


def minutes_for(students: int, rate: float) -> int:
    """Whole minutes for ``students`` at ``rate`` per hour (never faster than the rate)."""
    if students <= 0:
        return 0
    # The epsilon keeps 165/h x 11 students = exactly 4 minutes from becoming 5.
    return max(1, math.ceil(students * 60.0 / rate - 1e-9))
