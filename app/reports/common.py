"""Roster rows as the reports see them: one light record per student, the college resolved.

Reports read tens of thousands of rows, so they go through SQLAlchemy Core
selects into plain tuples rather than ORM objects (the ORM costs ~10× more per
row). The college is the roster's college column, else the major → college
table, else "(未分学院)".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MajorCollege, Selection, Station, Student
from app.roll_call.groups import group_no_for, student_no_key

NO_COLLEGE = "(未分学院)"
NO_CLASS = "(未分班级)"


@dataclass(slots=True)
class StudentRow:
    id: int
    uid: str
    school: str
    college: str
    major: str
    class_name: str
    student_no: str
    id_number: str
    name: str
    gender: str
    has_error: bool
    unlisted: bool
    active: bool
    roster_order: int
    roster_row: int | None


def load_students(
    session: Session,
    *,
    college: str | None = None,
    class_name: str | None = None,
    school: str | None = None,
) -> list[StudentRow]:
    """Students in roster order: active ones, plus dropped ones that were photographed anyway.

    ``school``: only that school's students (a database can hold several; see :mod:`app.schools`).
    """
    conn = session.connection()  # Core rows: the ORM's per-row bookkeeping costs more than the query
    majors = dict(conn.execute(select(MajorCollege.major, MajorCollege.college)).all())
    # dropped students (a re-sent roster) stay in the reports only when they were photographed
    selected = set(
        conn.execute(select(Selection.student_id).join(Student, Student.id == Selection.student_id).where(Student.active.is_(False))).scalars()
    )
    cols = (
        Student.id,
        Student.uid,
        Student.school,
        Student.college,
        Student.major,
        Student.class_name,
        Student.student_no,
        Student.id_number,
        Student.name,
        Student.gender,
        Student.has_error,
        Student.unlisted,
        Student.active,
        Student.roster_order,
        Student.roster_row,
    )
    q = select(*cols).order_by(Student.roster_order, Student.id)
    if class_name:
        q = q.where(Student.class_name == class_name)
    if school:
        q = q.where(Student.school == school)
    out: list[StudentRow] = []
    append = out.append
    # tuple unpacking: a Row's attribute lookups cost as much as the query on 20,000 rows
    for (sid, uid, school, coll, major, klass, sno, idn, name, gender, err, unlisted, active, order, row) in conn.execute(q).all():
        if not active and sid not in selected:
            continue
        coll = coll or majors.get(major) or NO_COLLEGE
        if college and coll != college:
            continue
        append(StudentRow(sid, uid, school or "", coll, major or "", klass or NO_CLASS, sno or "", idn or "",
                          name or "", gender or "", bool(err), bool(unlisted), bool(active), order or 0, row))
    return out


def station_labels(session: Session) -> dict[int, str]:
    """Station id → '机位1' style label (the number makes merged sites unambiguous)."""
    out = {}
    for sid, number, name in session.execute(select(Station.id, Station.number, Station.name)):
        label = name or f"机位{number}"
        if str(number) not in label:
            label = f"{label} ({number}号)"
        out[sid] = label
    return out


def class_groups(students: list[StudentRow]) -> dict[int, int]:
    """Student id → group number (1-based): the marshal's groups of ten (a remainder of ≤ 3 joins the last), as on the sign-in sheets.

    The roster's students of one class (not those added at the camera, who are
    on no printed sheet) in natural student-number order, cut into tens
    (``app.roll_call.groups``).
    """
    members = [s for s in students if s.active and not s.unlisted]
    ordered = sorted(members, key=lambda s: (student_no_key(s.student_no), s.roster_order, s.id))
    return {s.id: group_no_for(i, len(ordered)) for i, s in enumerate(ordered)}
