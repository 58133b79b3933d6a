"""Reporting periods: the half day (morning until 12:30, afternoon after), the day, or any span.

The centre and the school check the station's count against the signed sheets
every half day, so "this half day" is the default scope of the reconciliation.
The split time is the ``day.half_day_split`` setting ("12:30"). Times are the
station's naive local wall-clock times, like every time in the database.

A period is half-open: ``start <= t < end``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app import settings
from app.errors import InputError

DEFAULT_SPLIT = "12:30"

PERIOD_NAMES = {
    "half": "half",
    "morning": "morning",
    "am": "morning",
    "上午": "morning",
    "afternoon": "afternoon",
    "pm": "afternoon",
    "下午": "afternoon",
    "day": "day",
    "全天": "day",
    "all": "all",
    "全部": "all",
}


@dataclass(frozen=True)
class Period:
    start: datetime | None  # None: from the beginning
    end: datetime | None  # None: open-ended
    label: str  # shown in reports, Chinese
    label_en: str
    kind: str = "custom"  # morning / afternoon / day / all / custom

    def contains(self, t: datetime | None) -> bool:
        if t is None:
            return False
        if self.start is not None and t < self.start:
            return False
        return self.end is None or t < self.end

    def before_end(self, t: datetime | None) -> bool:
        """True when ``t`` happened before the period closed (cumulative counts)."""
        return t is not None and (self.end is None or t < self.end)

    @property
    def is_all(self) -> bool:
        return self.start is None and self.end is None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "start": self.start.isoformat(sep=" ") if self.start else None,
            "end": self.end.isoformat(sep=" ") if self.end else None,
            "label": self.label,
        }


def parse_split(value: str | None) -> time:
    """'12:30' → time(12, 30); rejects anything that is not HH:MM."""
    text = str(value or DEFAULT_SPLIT).strip()
    m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InputError(f"半天分界时间应为 HH:MM (例如 12:30), 而不是 {text!r}")
    return time(int(m.group(1)), int(m.group(2)))


def split_time(session) -> time:
    """The configured split between morning and afternoon (setting ``day.half_day_split``)."""
    return parse_split(settings.get(session, "day.half_day_split"))


def _fmt(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def morning(day: date, split: time) -> Period:
    return Period(
        datetime.combine(day, time()),
        datetime.combine(day, split),
        f"{day.isoformat()} 上午 (至 {_fmt(split)})",
        f"{day.isoformat()} morning (until {_fmt(split)})",
        "morning",
    )


def afternoon(day: date, split: time) -> Period:
    return Period(
        datetime.combine(day, split),
        datetime.combine(day + timedelta(days=1), time()),
        f"{day.isoformat()} 下午 ({_fmt(split)} 起)",
        f"{day.isoformat()} afternoon (from {_fmt(split)})",
        "afternoon",
    )


def whole_day(day: date) -> Period:
    return Period(
        datetime.combine(day, time()),
        datetime.combine(day + timedelta(days=1), time()),
        f"{day.isoformat()} 全天",
        f"{day.isoformat()} whole day",
        "day",
    )


def everything() -> Period:
    return Period(None, None, "全部", "all", "all")


def half_day(at: datetime, split: time) -> Period:
    """The half day that contains ``at``."""
    return morning(at.date(), split) if at.time() < split else afternoon(at.date(), split)


def parse_moment(text: str, ref_day: date) -> datetime:
    """'2019-03-16T08:00', '2019-03-16 08:00', '2019-03-16' or '08:00' (on ``ref_day``)."""
    s = text.strip().replace("：", ":")
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", s)
    if m and int(m.group(1)) <= 23 and int(m.group(2)) <= 59:
        return datetime.combine(ref_day, time(int(m.group(1)), int(m.group(2))))
    raise InputError(f"无法识别的时间 {text!r}: 请用 2019-03-16T08:00、2019-03-16 或 08:00")


def resolve(
    *,
    split: time,
    name: str | None = None,
    day: str | date | None = None,
    since: str | None = None,
    until: str | None = None,
    now: datetime | None = None,
) -> Period:
    """The period a report covers, from the command's options.

    ``--since/--until`` win; otherwise ``name`` (half / morning / afternoon /
    day / all, Chinese accepted) on ``day`` (default today); the default is
    the half day we are in now.
    """
    now = now or datetime.now()
    if isinstance(day, str):
        try:
            ref_day = date.fromisoformat(day.strip())
        except ValueError:
            raise InputError(f"日期应为 YYYY-MM-DD, 而不是 {day!r}") from None
    else:
        ref_day = day or now.date()
    if since or until:
        start = parse_moment(since, ref_day) if since else None
        end = parse_moment(until, ref_day) if until else None
        if start and end and end <= start:
            raise InputError("结束时间必须晚于开始时间 / --until must be after --since")
        fmt = lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "…"  # noqa: E731
        return Period(start, end, f"{fmt(start)} 至 {fmt(end)}", f"{fmt(start)} to {fmt(end)}", "custom")
    kind = PERIOD_NAMES.get((name or "half").strip().lower())
    if kind is None:
        raise InputError(f"未知时段 {name!r}: 可用 half/morning/afternoon/day/all (上午/下午/全天/全部)")
    if kind == "all":
        return everything()
    if kind == "day":
        return whole_day(ref_day)
    if kind == "morning":
        return morning(ref_day, split)
    if kind == "afternoon":
        return afternoon(ref_day, split)
    at = now if ref_day == now.date() else datetime.combine(ref_day, now.time())
    return half_day(at, split)
