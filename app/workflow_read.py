"""The workflow's read side: database rows turned into the frozen records the window shows.

Each function takes an open session and returns plain records
(:mod:`app.workflow_types`), so no ORM object, and no lazy load, leaves the
worker thread that read it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import throughput as rate
from app.db import Database

from app.models import Absence, RosterFinding, Selection, Shot, Station, Student
from app.privacy import mask_id
from app.search import lookup_exact, normalise, school_note, search
from app.unlisted import id_matches, looks_like_id
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


def find_student(s: Session, code: str, *, scanned: bool) -> tuple[str, tuple[StudentCard, ...], str, str]:
    """(kind, cards, method, read) for a scanned or typed code: ``found`` with one card, ``ambiguous`` or
    ``unknown`` with the candidates; how the student was found (an ID-card scan, a student-card scan, a
    typed number, a name search) and what was read (kept with every shot taken for them)."""
    read = normalise(code)
    found = lookup_exact(s, code)
    method = ("id_card" if looks_like_id(read) else "student_card") if scanned else "typed"
    if not found and not scanned:
        found = search(s, code, limit=20)
        method = "name_search"
    if len(found) == 1:
        if method == "id_card" and not id_matches(read, found[0]):
            method = "student_card" if read in (found[0].student_no, found[0].exam_no) else method
        return "found", (card_of(s, found[0]),), method, read if method != "name_search" else code
    if found:
        return "ambiguous", tuple(card_of(s, st) for st in found), method, read
    near = search(s, code, limit=10) if scanned else []
    return "unknown", tuple(card_of(s, st) for st in near), method, read


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


def recent_items(s: Session, station_id: int, limit: int = 10) -> list[RecentItem]:
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


def next_scan_codes(s: Session, limit: int) -> list[str]:
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


def pending_cards(s: Session) -> list[StudentCard]:
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


class WorkflowReads:
    """The shot workflow's plain reads, each in its own short session: a base of
    :class:`app.workflow.Workflow`, which provides ``db``, ``station_id`` and ``last_group``."""

    db: Database
    station_id: int
    last_group: tuple[str | None, str | None]

    def search(self, query: str, limit: int = 20) -> list[StudentCard]:
        query = query.strip()
        if not query:
            return []
        with self.db.session() as s:
            return [card_of(s, st) for st in search(s, query, limit=limit)]

    def pending_students(self) -> list[StudentCard]:
        """Students photographed but with no photo accepted yet (已拍未确认), newest shot first."""
        with self.db.session() as s:
            return pending_cards(s)

    def throughput(self) -> Any:
        """The throughput panel's figures for this station and the current college/class."""
        college, class_name = self.last_group
        with self.db.session() as s:
            return rate.snapshot(s, station_id=self.station_id, college=college, class_name=class_name)

    def recent(self, limit: int = 10) -> list[RecentItem]:
        """This station's latest selections, newest first."""
        with self.db.session() as s:
            return recent_items(s, self.station_id, limit)

    def scan_codes(self, limit: int) -> list[str]:
        """What a card reader would type for the next students not yet photographed, in roster order.

        The ID number where there is one, else the student number; only codes
        that name exactly one student (the demo and ``--auto`` drive the window with them).
        """
        with self.db.session() as s:
            return next_scan_codes(s, limit)

    def card(self, student_id: int) -> StudentCard:
        with self.db.session() as s:
            return card_of(s, s.get(Student, student_id))

    def shot(self, shot_id: int) -> ShotInfo:
        with self.db.session() as s:
            return shot_info(s, s.get(Shot, shot_id))

    def shots_of(self, student_id: int) -> list[ShotInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(Shot).where(Shot.student_id == student_id).order_by(Shot.taken_at, Shot.id))
            return [shot_info(s, r) for r in rows]
