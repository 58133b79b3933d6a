"""The roll call's database reads: the roster's classes (cached while the roster is unchanged), the change
tokens the window polls, the latest timetable's slots, the local station, a student by number."""

from __future__ import annotations

import threading
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, StationError
from app.i18n import t
from app.models import Absence, MajorCollege, MarshalCall, PlanSlot, Selection, Shot, Station, Student
from app.privacy import mask_id
from app.roll_call.groups import NO_COLLEGE, ClassKey, group_no_for, student_no_key
from app.roll_call.views import ClassView, MarshalStudent, SlotInfo


def college_map(session: Session) -> dict[str, str]:
    return dict(session.execute(select(MajorCollege.major, MajorCollege.college)).all())


def roster_token(session: Session) -> tuple:
    """Changes whenever the roster (or the major → college table) does."""
    q = select(
        select(func.count(Student.id)).scalar_subquery(),
        select(func.max(Student.id)).scalar_subquery(),
        select(func.max(Student.updated_at)).scalar_subquery(),
        select(func.count(MajorCollege.major)).scalar_subquery(),
    )
    return tuple(session.connection().execute(q).one())


# The roster's class structure, per database, reused while the roster is unchanged:
# a poll then reads only the selections, absences and calls (about 10x less).
_ROSTER_CACHE: dict[str, tuple[tuple, list[ClassView]]] = {}
_ROSTER_LOCK = threading.Lock()


def _build_classes(session: Session) -> list[ClassView]:
    majors = college_map(session)
    # Core, not ORM: 20,000 rows come back in a third of the time.
    rows = session.connection().execute(
        select(
            Student.id,
            Student.student_no,
            Student.name,
            Student.gender,
            Student.id_number,
            Student.college,
            Student.major,
            Student.class_name,
            Student.roster_order,
            Student.has_error,
            Student.roster_row,
        ).where(Student.active.is_(True), Student.unlisted.is_(False))
    )
    by_class: dict[ClassKey, list[MarshalStudent]] = defaultdict(list)
    first_seen: dict[ClassKey, tuple[int, int]] = {}
    college_first: dict[str, tuple[int, int]] = {}
    for sid, sno, name, gender, idn, college, major, cls, order, err, row in rows:
        col = college or majors.get(major or "", NO_COLLEGE)
        key = (col, cls or "")
        st = MarshalStudent(sid, sno or "", name or "", gender or "", mask_id(idn), col, cls or "", order or 0, bool(err))
        st.roster_row = row
        by_class[key].append(st)
        pos = (st.roster_order, sid)
        if key not in first_seen or pos < first_seen[key]:
            first_seen[key] = pos
        if col not in college_first or pos < college_first[col]:
            college_first[col] = pos
    out = []
    for key in sorted(by_class, key=lambda k: (college_first[k[0]], first_seen[k])):
        members = sorted(by_class[key], key=lambda s: (student_no_key(s.student_no), s.roster_order, s.id))
        for i, s in enumerate(members):
            s.group_no = group_no_for(i, len(members))
        out.append(ClassView(key[0], key[1], members))
    return out


def load_classes(session: Session) -> list[ClassView]:
    """The roster as classes of students in student-number order with their group numbers.

    Statuses are left at "remaining"; :func:`load` fills them in. Colleges and
    classes come in the roster's order (first appearance). The result is the
    caller's to change (fresh student objects each call).
    """
    key = str(session.get_bind().url)
    token = roster_token(session)
    with _ROSTER_LOCK:
        hit = _ROSTER_CACHE.get(key)
    if hit is None or hit[0] != token:
        classes = _build_classes(session)
        with _ROSTER_LOCK:
            _ROSTER_CACHE[key] = (token, classes)
    else:
        classes = hit[1]
    return [ClassView(c.college, c.class_name, [_clone(s) for s in c.students]) for c in classes]


def _clone(s: MarshalStudent) -> MarshalStudent:
    # A slotted dataclass built field by field: the cheapest copy for 20,000 students.
    c = MarshalStudent(s.id, s.student_no, s.name, s.gender, s.masked_id, s.college, s.class_name, s.roster_order, s.has_error, s.group_no)
    c.roster_row = s.roster_row
    return c


def change_token(session: Session) -> tuple:
    """Cheap fingerprint of everything the snapshot depends on (polled every ~0.5 s)."""
    q = select(
        select(func.count(Selection.id)).scalar_subquery(),
        select(func.max(Selection.id)).scalar_subquery(),
        select(func.max(Selection.selected_at)).scalar_subquery(),
        select(func.count(Absence.id)).scalar_subquery(),
        select(func.max(Absence.marked_at)).scalar_subquery(),
        select(func.max(Absence.cleared_at)).scalar_subquery(),
        select(func.count(MarshalCall.id)).scalar_subquery(),
        select(func.max(MarshalCall.cancelled_at)).scalar_subquery(),
        select(func.count(Student.id)).scalar_subquery(),
        select(func.max(Student.updated_at)).scalar_subquery(),
        select(func.max(PlanSlot.id)).scalar_subquery(),
        select(func.max(Shot.id)).scalar_subquery(),  # a photo taken, nothing accepted: 已拍未确认
    )
    return tuple(session.execute(q).one())


def latest_plan_uid(session: Session) -> str | None:
    return session.scalar(select(PlanSlot.plan_uid).order_by(PlanSlot.created_at.desc(), PlanSlot.id.desc()).limit(1))


# A kept plan never changes, so it is read once per plan (2,000 groups take a quarter second).
_PLAN_CACHE: dict[tuple[str, str], list[SlotInfo]] = {}


def plan_slots(session: Session, plan_uid: str | None = None) -> list[SlotInfo]:
    """The groups of the latest (or the given) timetable, by start time then station."""
    plan_uid = plan_uid or latest_plan_uid(session)
    if plan_uid is None:
        return []
    key = (str(session.get_bind().url), plan_uid)
    with _ROSTER_LOCK:
        hit = _PLAN_CACHE.get(key)
    if hit is not None:
        return hit
    cols = [getattr(PlanSlot, f) for f in SlotInfo.__dataclass_fields__]
    q = select(*cols).where(PlanSlot.plan_uid == plan_uid).order_by(PlanSlot.start_at, PlanSlot.station_no, PlanSlot.id)
    slots = [SlotInfo(*row) for row in session.connection().execute(q)]
    with _ROSTER_LOCK:
        if len(_PLAN_CACHE) > 16:
            _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = slots
    return slots


def local_station_row(session: Session) -> Station | None:
    return session.scalars(select(Station).where(Station.is_local.is_(True)).order_by(Station.id)).first()


def find_students(session: Session, code: str) -> list[Student]:
    """Students whose student number or ID number is exactly ``code`` (active roster rows)."""
    code = (code or "").strip()
    if not code:
        return []
    q = select(Student).where(
        Student.active.is_(True), (Student.student_no == code) | (Student.id_number == code) | (Student.id_number18 == code.upper())
    )
    return list(session.scalars(q))


def one_student(session: Session, code: str) -> Student:
    found = find_students(session, code)
    if not found:
        raise NotFound(t(f"名单中没有学号或身份证号为 {code} 的学生", f"no student with number {code}"))
    if len(found) > 1:
        listing = ", ".join(f"{s.class_name} {s.name}" for s in found)
        raise StationError(t(f"{code} 对应多名学生 ({listing}), 请用身份证号", f"{code} matches several students"), exit_code=2)
    return found[0]
