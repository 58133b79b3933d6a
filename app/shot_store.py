"""The shot workflow's database writes: a shot recorded, its verdict, a retake, a selection, a claim.

Plain functions over :class:`app.db.Database`, each one short transaction,
each returning frozen records (:mod:`app.workflow_types`). The workflow
(:mod:`app.workflow`) decides *whether* and *for whom*; these only write, and
never hold a lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from app.conflicts import add_selection
from app.db import Database
from app.i18n import t
from app.models import Absence, Selection, Shot, Student, now
from app.workflow_read import card_of, shot_info
from app.workflow_types import (
    ACCEPTABLE,
    Accepted,
    DecisionPending,
    ReasonRequired,
    ShotInfo,
    WorkflowError,
    accept_rule,
)


def insert_shot(db: Database, photo: Any, *, student_id: int | None, how: tuple[str | None, str | None],
                station_id: int, session_id: int, retake_of: int | None) -> tuple[int, ShotInfo]:
    """The photo as a new shot; ``retake_of``: the student's shot that waited for a decision (now a retake).

    The size is the one the camera layer read while checking the JPEG; only a photo that came
    without one has its header read here.
    """
    size = (photo.width, photo.height) if getattr(photo, "width", None) else header_size(photo.path)
    companion = str(photo.companions[0]) if getattr(photo, "companions", ()) else None
    with db.session() as s:
        shot = Shot(
            student_id=student_id, station_id=station_id, session_id=session_id,
            path=str(Path(photo.path).resolve()), companion_path=companion, sha256=photo.sha256,
            bytes=photo.bytes, width=size[0], height=size[1], taken_at=photo.taken_at.replace(
                microsecond=(photo.taken_at.microsecond // 1000) * 1000),
            source=photo.source, camera_file=getattr(photo, "camera_name", None),
            id_method=how[0], id_read=how[1],
        )
        s.add(shot)
        if retake_of is not None and student_id is not None:
            # a new shot while the last one waited: that one was a retake
            old = s.get(Shot, retake_of)
            if old is not None and old.status == "new" and old.student_id == student_id:
                old.status, old.decided_at = "retake", now()
        s.commit()
        return shot.id, shot_info(s, shot)


def header_size(path: str | Path) -> tuple[int | None, int | None]:
    """A photo's size from its header (Pillow reads the header only)."""
    try:
        with Image.open(path) as im:
            return im.size
    except Exception:  # the checks will report an unreadable file
        return None, None


def store_verdict(db: Database, shot_id: int, verdict: str | None, qc_json: str | None, ms: float | None) -> ShotInfo:
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        shot.qc_verdict, shot.qc_json, shot.qc_ms = verdict, qc_json, ms
        s.commit()
        return shot_info(s, shot)


def mark_retake(db: Database, shot_id: int) -> ShotInfo:
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        shot.status, shot.decided_at = "retake", now()
        s.commit()
        return shot_info(s, shot)


def undecided(db: Database, shot_id: int) -> tuple[str | None, str | None]:
    """(verdict, status) of a shot; (None, None) if it is gone."""
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        return (shot.qc_verdict, shot.status) if shot else (None, None)


def select_shot(db: Database, shot_id: int, reason: str | None, *, checks_on: bool,
                station_id: int) -> tuple[Accepted, tuple[str | None, str]]:
    """The shot becomes its student's selected photo (under the one accept rule); with the student's
    (college, class) for the throughput panel."""
    reason = (reason or "").strip() or None
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        if shot is None or shot.student_id is None:
            raise WorkflowError(t("这张照片还没有归属学生", "This photo belongs to no student yet"))
        rule = accept_rule(shot.qc_verdict, checks_on)
        if rule == "wait" and reason is None:
            raise DecisionPending(t("照片正在检查, 请稍候", "The photo is being checked, one moment"))
        if rule == "reason" and reason is None:
            raise ReasonRequired(t("照片未通过检查: 需填写接受原因", "The photo failed the checks: a reason is required"))
        sel = s.scalar(select(Selection).where(Selection.student_id == shot.student_id))
        reselected = sel is not None and sel.shot_id != shot.id
        if sel is None:
            sel = Selection(student_id=shot.student_id, shot_id=shot.id, station_id=station_id)
            add_selection(s, sel, shot)  # a concurrent writer's selection becomes a conflict
        elif reselected:
            prev = s.get(Shot, sel.shot_id)
            if prev is not None and prev.status == "accepted":
                prev.status = "new"  # kept, no longer chosen
            sel.shot_id, sel.station_id, sel.selected_at = shot.id, station_id, now()
        sel.override_reason = reason if shot.qc_verdict not in ACCEPTABLE else None
        sel.needs_decision = False
        shot.status, shot.decided_at = "accepted", now()
        shot.override_reason = sel.override_reason
        for ab in s.scalars(select(Absence).where(Absence.student_id == shot.student_id, Absence.cleared_at.is_(None))):
            ab.cleared_at = now()  # marked absent earlier, turned up after all
        s.commit()
        st = s.get(Student, shot.student_id)
        return Accepted(shot_info(s, shot), card_of(s, st), reselected), (st.college, st.class_name)


def newest_undecided(db: Database, student_id: int) -> ShotInfo | None:
    """A pending student's newest shot still waiting for a decision."""
    with db.session() as s:
        shot = s.scalars(select(Shot).where(Shot.student_id == student_id, Shot.status == "new")
                         .order_by(Shot.taken_at.desc(), Shot.id.desc()).limit(1)).first()
        return shot_info(s, shot) if shot is not None else None


def claim(db: Database, shot_id: int, student_id: int, method: str | None) -> ShotInfo | None:
    """A photo that belongs to no one becomes ``student_id``'s; None if it is taken or set aside."""
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        if shot is None or shot.student_id is not None or shot.status == "rejected":
            return None
        shot.student_id = student_id
        shot.id_method = method
        s.commit()
        return shot_info(s, shot)
