"""The photos waiting for a student: listed, given to a student (checked and selected), or set aside.

A camera-button photo taken with nobody scanned, and not claimed by the next
scan within the grace period, belongs to no one; so does a photo the start-up
check (:mod:`app.startup_check`) found on disk with no record. Both wait
here, in the database (``Shot.student_id`` empty), until the photographer
gives each to a student or takes it off the list. Nothing here deletes a
file: a discarded photo stays on disk, marked ``rejected``.

The file name (``S01_<学号>_NN``) is used only to *suggest* a student for a
photo that has no record of whose it is; the photographer decides.

:class:`WaitingPhotos` works through a small, explicit interface to the
workflow (:class:`WaitingHost`): the camera-button photo it is holding for the
next scan, checking a photo, and selecting one.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import Future
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import audit
from app.db import Database
from app.i18n import t
from app.models import Shot, Student, now
from app.workflow_read import card_of, shot_info
from app.workflow_types import (
    Accepted,
    Assigned,
    NoStudent,
    ShotInfo,
    StudentCard,
    WaitingShot,
    WorkflowError,
    accept_rule,
)

# The workflow names files S<station>_<student key>_<n>; the key is the student number (or ID number).
_STEM = re.compile(r"^S\d{2,}_(?P<key>.+)_\d{2,}$")
# A camera-button photo taken before anyone was scanned is given to the next
# student identified, but only this soon afterwards (older ones wait for a
# decision in this list instead of landing on a stranger).
UNASSIGNED_GRACE = timedelta(minutes=2)


class WaitingHost(Protocol):
    """What the waiting list needs from the workflow."""

    @property
    def checks_on(self) -> bool: ...

    def held_photo(self) -> tuple[int, datetime] | None:
        """The camera-button photo held for the next scan (shot id, when taken), if any."""

    def release_held(self, shot_id: int) -> None:
        """That photo was given away or set aside: the next scan must not claim it."""

    def submit_check(self, shot: ShotInfo, photo: Any = None) -> Future:
        """Check the photo on the checks' thread; the future gives the stored ShotInfo."""

    def has_checker(self) -> bool: ...

    def reselect(self, shot_id: int, reason: str | None = None) -> Accepted: ...


class WaitingPhotos:
    def __init__(self, db: Database, station_id: int, host: WaitingHost):
        self.db = db
        self.station_id = station_id
        self.host = host

    def shots(self) -> list[WaitingShot]:
        """This station's photos that belong to no student, oldest first, with the student their name suggests."""
        with self.db.session() as s:
            rows = s.scalars(self._query(select(Shot)).order_by(Shot.taken_at, Shot.id)).all()
            return [WaitingShot(shot_info(s, r), os.path.isfile(r.path), _suggest(s, r.path)) for r in rows]

    def count(self) -> int:
        """How many wait for a decision: a camera-button photo still within its grace (the next scan
        takes it) is not counted."""
        held = self.host.held_photo()
        with self.db.session() as s:
            n = self.count_in(s)
            if held and datetime.now() - held[1] <= UNASSIGNED_GRACE:
                n -= s.scalar(self._query(select(func.count(Shot.id))).where(Shot.id == held[0])) or 0
        return n

    def count_in(self, s: Session) -> int:
        return s.scalar(self._query(select(func.count(Shot.id)))) or 0

    def assign(self, shot_id: int, student_id: int, *, select_if_none: bool = False) -> Assigned:
        """Give a waiting photo to a student; it is checked if it was not, and with ``select_if_none``
        it becomes the student's selected photo when they have none and it passes (waits for the check)."""
        return self.assign_async(shot_id, student_id, select_if_none=select_if_none).result()

    def assign_async(self, shot_id: int, student_id: int, *, select_if_none: bool = False) -> Future:
        """:meth:`assign` without waiting: the photo is given now (errors raise here); the future gives the
        :class:`Assigned` once its check (on the checks' thread, which then finishes the job) is done."""
        checked = self._give(shot_id, student_id)
        self.host.release_held(shot_id)
        out: Future = Future()

        def finish(info: ShotInfo) -> None:
            try:
                out.set_result(self._finish(shot_id, student_id, info, select_if_none))
            except BaseException as exc:
                out.set_exception(exc)

        if checked or not self.host.has_checker():
            finish(self._shot(shot_id))
        else:
            def then(check: Future) -> None:
                if check.exception() is not None:
                    out.set_exception(check.exception())
                else:
                    finish(check.result())

            self.host.submit_check(self._shot(shot_id)).add_done_callback(then)
        return out

    def _give(self, shot_id: int, student_id: int) -> bool:
        """The photo becomes the student's (with an audit line); True if it was checked before."""
        with self.db.session() as s:
            shot, st = s.get(Shot, shot_id), s.get(Student, student_id)
            if shot is None:
                raise WorkflowError(t("没有这张照片", "No such photo"))
            if st is None:
                raise NoStudent(t("没有这个学生", "No such student"))
            if shot.student_id is not None:
                raise WorkflowError(t("这张照片已归属学生", "This photo already belongs to a student"))
            if shot.status == "rejected":
                raise WorkflowError(t("这张照片已移出待分配列表", "This photo was taken off the waiting list"))
            if not os.path.isfile(shot.path):
                raise WorkflowError(t(f"照片文件不见了: {shot.path}", f"The photo's file is missing: {shot.path}"))
            shot.student_id = student_id
            shot.id_method = "assigned"
            audit.record(s, "shot_assign", scope={"shot": shot.uid, "path": shot.path, "source": shot.source,
                                                  "student_no": st.student_no}, rows=1)
            s.commit()
            return shot.qc_verdict is not None

    def _finish(self, shot_id: int, student_id: int, info: ShotInfo, select_if_none: bool) -> Assigned:
        selected, note = False, ""
        if select_if_none:
            card = self._card(student_id)
            if card.photographed:
                note = t("该学生已有选用照片: 这张作为备选保留", "The student already has a selected photo: "
                         "this one is kept as an alternative")
            elif accept_rule(info.qc_verdict, self.host.checks_on) == "ok":
                self.host.reselect(shot_id, None)
                selected = True
            else:
                note = t("未通过检查, 未设为选用照片: 可在学生卡片上改选 (需填写原因)",
                         "It failed the checks, so it was not selected: choose it from the student's card "
                         "(with a reason)")
        return Assigned(self._shot(shot_id), self._card(student_id), selected, note)

    def discard(self, shot_id: int, note: str = "") -> ShotInfo:
        """Take a photo off the waiting list (a test shot, someone else's): the file stays on disk."""
        with self.db.session() as s:
            shot = s.get(Shot, shot_id)
            if shot is None:
                raise WorkflowError(t("没有这张照片", "No such photo"))
            if shot.student_id is not None:
                raise WorkflowError(t("只能移出未归属学生的照片", "Only a photo that belongs to no student can be "
                                      "taken off the list"))
            shot.status, shot.decided_at = "rejected", now()
            audit.record(s, "shot_discard", scope={"shot": shot.uid, "path": shot.path, "source": shot.source},
                         rows=1, details=note.strip() or None)
            s.commit()
            info = shot_info(s, shot)
        self.host.release_held(shot_id)
        return info

    # --- helpers ---------------------------------------------------------------------------

    def _query(self, stmt):
        return stmt.where(Shot.student_id.is_(None), Shot.station_id == self.station_id, Shot.status != "rejected")

    def _shot(self, shot_id: int) -> ShotInfo:
        with self.db.session() as s:
            return shot_info(s, s.get(Shot, shot_id))

    def _card(self, student_id: int) -> StudentCard:
        with self.db.session() as s:
            return card_of(s, s.get(Student, student_id))


def _suggest(s: Session, path: str) -> StudentCard | None:
    """The student a file's name suggests (a label, for a photo nobody recorded as anyone's)."""
    m = _STEM.match(Path(path).stem)
    if not m or m.group("key").startswith("unassigned"):
        return None
    key = m.group("key")
    found = s.scalars(
        select(Student).where(or_(Student.student_no == key, Student.id_number == key)).limit(2)
    ).all()
    return card_of(s, found[0]) if len(found) == 1 else None
