"""The workflow's read side: database rows turned into the frozen records the window shows.

Each function takes an open session and returns plain records
(:mod:`app.workflow_types`), so no ORM object, and no lazy load, leaves the
worker thread that read it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Absence, RosterFinding, Selection, Shot, Station, Student
from app.privacy import mask_id
from app.search import school_note
from app.workflow_types import RecentItem, ShotInfo, StudentCard, checks_from_json


def card_of(s: Session, st: Student) -> StudentCard:
    shots = s.scalar(select(func.count(Shot.id)).where(Shot.student_id == st.id)) or 0
    sel = s.scalar(select(Selection).where(Selection.student_id == st.id))
    station = s.get(Station, sel.station_id).name if sel else None
    problems: tuple[str, ...] = ()
    if st.has_error or st.has_warning:
        rows = s.scalars(
            select(RosterFinding).where(RosterFinding.student_id == st.id).order_by(RosterFinding.severity)
        )
        problems = tuple(f.message for f in rows)
    # schools number independently: say when another has this 学号
    problems += tuple(n for n in (school_note(s, st),) if n)
    absent = s.scalar(
        select(func.count(Absence.id)).where(Absence.student_id == st.id, Absence.cleared_at.is_(None))
    )
    return StudentCard(
        id=st.id, name=st.name, gender=st.gender, student_no=st.student_no, id_masked=mask_id(st.id_number),
        exam_no=st.exam_no, major=st.major, class_name=st.class_name, college=st.college or "",
        school=st.school, has_error=st.has_error, has_warning=st.has_warning, unlisted=st.unlisted,
        problems=problems, shots=shots, selected_shot_id=sel.shot_id if sel else None,
        photographed_at=sel.selected_at if sel else None, photographed_station=station, absent=bool(absent),
    )


def shot_info(s: Session, shot: Shot) -> ShotInfo:
    checks, error, crop = checks_from_json(shot.qc_json)
    selected = shot.student_id is not None and s.scalar(
        select(func.count(Selection.id)).where(Selection.shot_id == shot.id)
    )
    return ShotInfo(
        id=shot.id, student_id=shot.student_id, path=shot.path, taken_at=shot.taken_at, source=shot.source,
        status=shot.status, qc_verdict=shot.qc_verdict, qc_ms=shot.qc_ms, checks=checks, qc_error=error,
        crop=crop, selected=bool(selected), override_reason=shot.override_reason,
    )


def recent(s: Session, station_id: int, limit: int = 10) -> list[RecentItem]:
    """This station's latest selections, newest first."""
    rows = s.execute(
        select(Student.id, Student.name, Student.class_name, Selection.selected_at, Shot.qc_verdict,
               Selection.override_reason)
        .join(Selection, Selection.student_id == Student.id)
        .join(Shot, Shot.id == Selection.shot_id)
        .where(Selection.station_id == station_id)
        .order_by(Selection.selected_at.desc(), Selection.id.desc())
        .limit(limit)
    ).all()
    return [RecentItem(*r) for r in rows]


def scan_codes(s: Session, limit: int) -> list[str]:
    """What a card reader would type for the next students not yet photographed, in roster order."""
    done = select(Selection.student_id)
    rows = s.execute(
        select(Student.id_number, Student.student_no)
        .where(Student.active.is_(True), Student.unlisted.is_(False), Student.has_error.is_(False),
               Student.id.not_in(done))
        .order_by(Student.college, Student.class_name, Student.roster_order, Student.id)
        .limit(limit)
    ).all()
    return [idn or sno for idn, sno in rows if idn or sno]


def pending_students(s: Session) -> list[StudentCard]:
    """Students photographed but with no photo accepted yet (已拍未确认), newest shot first."""
    latest = func.max(Shot.taken_at)
    rows = s.execute(
        select(Shot.student_id, latest).where(Shot.student_id.is_not(None), Shot.status != "rejected",
                                              Shot.student_id.not_in(select(Selection.student_id)))
        .group_by(Shot.student_id).order_by(latest.desc())
    ).all()
    return [card_of(s, s.get(Student, sid)) for sid, _at in rows]


def student_labels(s: Session, shot_ids: list[int]) -> dict[int, str]:
    """"name number" of the student each shot belongs to (for the start-up check's list)."""
    ids = [i for i in shot_ids if i is not None]
    if not ids:
        return {}
    rows = s.execute(
        select(Shot.id, Student.name, Student.student_no).join(Student, Student.id == Shot.student_id)
        .where(Shot.id.in_(ids))
    ).all()
    return {sid: f"{name} {sno}" for sid, name, sno in rows}
