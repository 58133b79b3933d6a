"""Signed sheet counts (签字人数): entered from the sign-in sheets for the reconciliation's cross-check.

One function behind both ``station report signed`` and the marshal window's
table (ui/signed_counts.py), so the checks are the same: the class must be on
the roster (in one college, or named with it), a group's count cannot pass the
group's size, the class's cannot pass the class's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InputError, NotFound
from app.i18n import t
from app.models import SignSheetCount, now
from app.reports.common import class_groups, load_students
from app.roll_call import board as marshal


def check_day(day: str | None) -> str:
    day = day or date.today().isoformat()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise InputError(t(f"日期应为 YYYY-MM-DD, 而不是 {day!r}", f"the date must be YYYY-MM-DD, not {day!r}")) from None
    return day


def record_signed(session: Session, *, class_name: str, count: int, college: str | None = None, group: int = 0,
                  day: str | None = None) -> tuple[str, str]:
    """Keep (or correct) the count of one sheet; returns (day, college). Does not commit."""
    day = check_day(day)
    if count < 0 or group < 0:
        raise InputError(t("人数和组号不能为负", "count and group cannot be negative"))
    members = load_students(session, college=college, class_name=class_name)
    colleges = sorted({m.college for m in members})
    if not members:
        raise NotFound(t(f"名单中没有班级 {class_name}" + (f" (学院 {college})" if college else ""), f"no class {class_name}"))
    if len(colleges) > 1:
        raise InputError(t(f"班级 {class_name} 在多个学院中: {', '.join(colleges)}; 请加 --college",
                           f"class {class_name} is in several colleges: {', '.join(colleges)}"))
    college = colleges[0]
    if group:
        groups = class_groups(members)
        size = sum(1 for g in groups.values() if g == group)
        if size == 0:
            raise InputError(t(f"{class_name} 只有 {max(groups.values())} 组", f"{class_name} has {max(groups.values())} groups"))
        if count > size:
            raise InputError(t(f"第{group}组只有 {size} 人, 签字人数 {count} 不对", f"group {group} has {size}, not {count}"))
    elif count > len(members):
        raise InputError(t(f"{class_name} 只有 {len(members)} 人, 签字人数 {count} 不对", f"{class_name} has {len(members)}"))
    row = session.scalar(
        select(SignSheetCount).where(
            SignSheetCount.day == day,
            SignSheetCount.college == college,
            SignSheetCount.class_name == class_name,
            SignSheetCount.group_no == group,
        )
    )
    if row is None:
        session.add(SignSheetCount(day=day, college=college, class_name=class_name, group_no=group, signed_count=count))
    else:
        row.signed_count, row.entered_at = count, now()
    session.flush()
    return day, college


def clear_signed(session: Session, *, college: str, class_name: str, group: int, day: str) -> bool:
    row = session.scalar(
        select(SignSheetCount).where(SignSheetCount.day == check_day(day), SignSheetCount.college == college,
                                     SignSheetCount.class_name == class_name, SignSheetCount.group_no == group)
    )
    if row is not None:
        session.delete(row)
        session.flush()
    return row is not None


def signed_counts(session: Session, day: str | None = None) -> dict[tuple[str, str, int], int]:
    """(college, class, group) → the count entered for ``day`` (every day when None)."""
    q = select(SignSheetCount.college, SignSheetCount.class_name, SignSheetCount.group_no, SignSheetCount.signed_count)
    if day:
        q = q.where(SignSheetCount.day == check_day(day))
    return {(c, k, g): n for c, k, g, n in session.execute(q)}


@dataclass
class GroupRow:
    college: str
    class_name: str
    group_no: int
    size: int  # on the printed sheet
    photographed: int  # the station's count, for comparison
    signed: int | None = None


def group_rows(session: Session, day: str | None = None, college: str | None = None) -> list[GroupRow]:
    """Every printed sheet (group) of the roster, with the station's count and the signed count entered."""
    day = check_day(day)
    entered = signed_counts(session, day)
    out = []
    for c in marshal.load(session).classes:
        if college and c.college != college:
            continue
        for g in range(1, c.group_count + 1):
            members = c.group(g)
            done = sum(1 for m in members if m.status == marshal.STATUS_PHOTOGRAPHED)
            out.append(GroupRow(c.college, c.class_name, g, len(members), done, entered.get((c.college, c.class_name, g))))
    return out
