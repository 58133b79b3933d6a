"""The groups of ten, the students' statuses and their labels: rules, no database."""

from __future__ import annotations

import re

from app.errors import StationError
from app.i18n import t
from app.models import ABSENCE_REASONS

GROUP_SIZE = 10
GROUP_TAIL_JOIN = 3  # a class's last few students (≤ 3) join its previous group, not a page of their own


def group_count_for(n: int) -> int:
    """Groups of ten for a class of ``n``; a remainder of up to three joins the previous group (23 → 10 + 13)."""
    if n <= 0:
        return 0
    g = (n + GROUP_SIZE - 1) // GROUP_SIZE
    if g > 1 and 0 < n % GROUP_SIZE <= GROUP_TAIL_JOIN:
        g -= 1
    return g


def group_no_for(i: int, n: int) -> int:
    """The group (1-based) of the i-th student (0-based) of a class of ``n``."""
    return min(i // GROUP_SIZE + 1, group_count_for(n))


# 附件4: "前一组接近结束时引入下一组". The next group is cued when the current one
# has at most this many students left to photograph (8 of 10 done): two
# students take about the time the next group needs to walk in.
CUE_REMAINING = GROUP_SIZE - 8

NO_COLLEGE = ""

STATUS_REMAINING = "remaining"
STATUS_PHOTOGRAPHED = "photographed"
STATUS_ABSENT = "absent"
# Photographed but no photo accepted yet (the window closed, a failing photo not decided): 已拍未确认.
# Not called again, not "未拍"; the photographer finishes them (the window lists them at start-up).
STATUS_PENDING = "pending"

_DIGITS = re.compile(r"(\d+)")

ClassKey = tuple[str, str]  # (college, class_name)
GroupKey = tuple[str, str, int]  # (college, class_name, group_no)


def student_no_key(student_no: str) -> list:
    """Natural order of student numbers ("2019-2" before "2019-10").

    ``re.split`` with a capturing group puts text at even and digits at odd
    positions, so two keys never compare a number with a string.
    """
    parts = _DIGITS.split(student_no or "")
    return [int(p) if i % 2 else p for i, p in enumerate(parts)]


def college_label(college: str) -> str:
    return college or t("(未填学院)", "(no college)")


def reason_key(reason: str) -> str:
    """Accept a reason key (leave), its Chinese (请假) or its English (on leave)."""
    r = (reason or "").strip()
    for key, (zh, en) in ABSENCE_REASONS.items():
        if r.lower() in (key, zh, en.lower()):
            return key
    choices = " / ".join(zh for zh, _ in ABSENCE_REASONS.values())
    raise StationError(t(f"未知的缺席原因: {reason} (可选: {choices})", f"unknown absence reason: {reason}"), exit_code=2)


def reason_label(key: str | None, text: str | None = None) -> str:
    if not key:
        return ""
    zh, en = ABSENCE_REASONS.get(key, (key, key))
    label = t(zh, en)
    return f"{label}: {text}" if text else label

