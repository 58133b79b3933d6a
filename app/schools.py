"""Schools in one station database: which there are, which one is being shot, which one a report is for.

A station normally serves one school a day, but a database can hold several
(the team moves on to the next university, or a site database merges two).
Schools number their students independently, so a student's identity within
the database is the school (``xxmc``) plus the student number (学号), or the
ID number where the student number is missing (:func:`identity`).

- :func:`schools` lists the schools with students in the database.
- :func:`current` is the school being shot: the setting ``school.current``
  when set, else the school of the latest roster import.
- :func:`resolve` is what a report or the delivery covers: the school asked
  for (``--school``), else the only school, else an :class:`InputError` (exit
  2) that names the schools, because a report of two schools mixed is wrong.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import settings
from app.errors import InputError
from app.i18n import t
from app.models import RosterImport, Student


def identity(school: str, student_no: str, id_number: str = "") -> tuple[str, str, str]:
    """The key of a student within the database: (school, "xh", 学号) or (school, "id", ID number)."""
    school = (school or "").strip()
    if (student_no or "").strip():
        return (school, "xh", student_no.strip())
    return (school, "id", (id_number or "").strip().upper())


def schools(session: Session) -> list[str]:
    """The schools with students (active, or photographed), most students first."""
    rows = session.execute(
        select(Student.school, func.count(Student.id))
        .where(Student.active.is_(True))
        .group_by(Student.school)
        .order_by(func.count(Student.id).desc(), Student.school)
    ).all()
    return [school or "" for school, _n in rows if (school or "").strip()]


def current(session: Session) -> str:
    """The school being shot: setting ``school.current``, else the school of the latest roster import ("" if none)."""
    try:
        chosen = (settings.get(session, "school.current") or "").strip()
    except KeyError:
        chosen = ""
    if chosen:
        return chosen
    latest = session.scalar(select(func.max(RosterImport.id)))
    if latest is not None:
        row = session.execute(
            select(Student.school, func.count(Student.id))
            .where(Student.import_id == latest, Student.school != "")
            .group_by(Student.school)
            .order_by(func.count(Student.id).desc())
            .limit(1)
        ).first()
        if row is not None:
            return row[0]
    found = schools(session)
    return found[0] if len(found) == 1 else ""


def resolve(session: Session, school: str | None, *, default_current: bool = False) -> str | None:
    """The school a report or the delivery is for (None: the database holds at most one school).

    ``school`` is what the user asked for (``--school``). Without it, one
    school needs no choice; several raise :class:`InputError` (exit 2) unless
    ``default_current`` (the window: the school being shot).
    """
    known = schools(session)
    if school:
        school = school.strip()
        if school not in known:
            listed = "、".join(known) or t("(无)", "(none)")
            raise InputError(t(f"数据库中没有学校 {school!r}; 已有: {listed}",
                               f"no school {school!r} in the database; there are: {listed}"))
        return school if len(known) > 1 else None
    if len(known) <= 1:
        return None
    if default_current:
        cur = current(session)
        if cur in known:
            return cur
    listed = "、".join(known)
    raise InputError(t(f"数据库中有 {len(known)} 所学校 ({listed}), 报表和交付按学校分开: 请用 --school 指定其中一所",
                       f"the database holds {len(known)} schools ({listed}); reports and the delivery are per "
                       f"school: name one with --school"))
