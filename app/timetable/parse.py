"""Parsing the planner's command-line values: times, breaks, stations per day, the start."""

from __future__ import annotations

import re
from datetime import datetime, time

from app.errors import InputError
from app.i18n import t
from app.timetable.model import ceil_minute


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
