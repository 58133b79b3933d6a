"""What the marshal records: absences (marked, changed, cleared) and group calls (made, undone)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, StationError
from app.i18n import t
from app.models import Absence, MarshalCall, Selection, Student, now
from app.roll_call.groups import reason_key
from app.roll_call.queries import local_station_row
from app.roll_call.snapshot import load
from app.roll_call.views import GroupView
from app.station import local_station


def mark_absent(
    session: Session, student_id: int, reason: str, text: str | None = None, *, station_id: int | None = None
) -> Absence:
    """Mark a student absent (or change the reason of an existing mark)."""
    key = reason_key(reason)
    text = (text or "").strip() or None
    if key == "other" and not text:
        raise StationError(t("原因为\u201c其他\u201d时请写明具体原因", "reason 'other' needs a text"), exit_code=2)
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(t("没有这个学生", "no such student"))
    if session.scalar(select(Selection.id).where(Selection.student_id == student_id)) is not None:
        raise StationError(t(f"{student.name} 已拍照, 不能标记缺席", f"{student.name} is already photographed"), exit_code=2)
    if station_id is None:
        local = local_station_row(session)
        station_id = local.id if local else None
    open_ = session.scalars(
        select(Absence).where(Absence.student_id == student_id, Absence.cleared_at.is_(None)).order_by(Absence.id)
    ).all()
    if open_:
        absence = open_[-1]
        absence.reason, absence.text, absence.marked_at = key, text, now()
        for extra in open_[:-1]:
            extra.cleared_at = now()
    else:
        absence = Absence(student_id=student_id, station_id=station_id, reason=key, text=text)
        session.add(absence)
    session.flush()
    return absence


def clear_absence(session: Session, student_id: int) -> int:
    """The student turned up after all: the absence mark is kept, closed (for the record)."""
    n = 0
    for a in session.scalars(select(Absence).where(Absence.student_id == student_id, Absence.cleared_at.is_(None))):
        a.cleared_at = now()
        n += 1
    session.flush()
    return n


def call_group(
    session: Session, college: str, class_name: str, group_no: int, *, station_id: int | None = None
) -> MarshalCall:
    if station_id is None:
        station_id = local_station(session).id
    call = MarshalCall(station_id=station_id, college=college, class_name=class_name, group_no=group_no)
    session.add(call)
    session.flush()
    return call


def call_next(session: Session, *, station_id: int | None = None) -> GroupView | None:
    """Record the call of the next group; returns it (None when nobody is left to call)."""
    if station_id is None:
        station_id = local_station(session).id
    snap = load(session, station_id)
    if snap.next is None:
        return None
    g = snap.next
    call = call_group(session, g.college, g.class_name, g.group_no, station_id=station_id)
    g.called_at = call.called_at
    return g


def cancel_last_call(session: Session, *, station_id: int | None = None) -> MarshalCall | None:
    """Undo a call made by mistake: the group before it becomes current again."""
    conds = [MarshalCall.cancelled_at.is_(None)]
    if station_id is not None:
        conds.append(MarshalCall.station_id == station_id)
    call = session.scalars(select(MarshalCall).where(*conds).order_by(MarshalCall.called_at.desc(), MarshalCall.id.desc())).first()
    if call is not None:
        call.cancelled_at = now()
        session.flush()
    return call
