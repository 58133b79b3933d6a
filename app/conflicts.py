"""Two writers selecting a photo for one student at the same moment.

A student has one selection (``selections.student_id`` is UNIQUE). Two
processes on one database (the window and a `station shoot` beside it, or two
windows on a shared database) can each find no selection and insert one; the
second insert fails with an IntegrityError. That must not cost the second
photo nor stop a batch: :func:`add_selection` turns it into the same record
a merge writes when two stations selected different shots
(:class:`app.models.MergeConflict`, ``source="concurrent"``): the first
selection stays, is flagged ``needs_decision``, the second shot is kept as
accepted, and `station merge --conflicts` lists the pair for a decision.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.i18n import t
from app.models import MergeConflict, Selection, Shot, new_uid, now
from app.workflow_types import WorkflowError

log = logging.getLogger(__name__)

CONCURRENT_SOURCE = "concurrent"


class SelectionConflict(WorkflowError):
    """The selection was recorded as a conflict (the message says so); nothing was lost."""

    exit_code = 1


def is_selection_clash(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, IntegrityError) and "unique" in text and "selections" in text


def add_selection(s: Session, sel: Selection, shot: Shot) -> None:
    """Add and flush a new selection of ``shot``; if another writer selected one for the student first, record a conflict.

    Raises :class:`SelectionConflict` (a WorkflowError, so a batch goes on
    with the next student) after the conflict is committed. Call it before
    changing anything else in the session: the clash rolls the session back.
    """
    student_id, shot_id, station_id = shot.student_id, shot.id, sel.station_id
    s.add(sel)
    try:
        s.flush()
        return
    except IntegrityError as exc:
        if not is_selection_clash(exc):
            raise
        s.rollback()
        log.warning("concurrent selection for student %s (shot %s): %s", student_id, shot_id, exc.orig)
    sel = s.scalar(select(Selection).where(Selection.student_id == student_id))
    mine = s.get(Shot, shot_id)
    if sel is None or mine is None:  # the other writer's selection is gone again: nothing to decide
        raise SelectionConflict(t("另一个进程同时修改了该学生的选定照片, 请重新接受",
                                  "Another process changed this student's selection at the same time; accept again"))
    if sel.shot_id != shot_id:
        mine.status, mine.decided_at = "accepted", now()
        sel.needs_decision = True
        s.add(MergeConflict(
            uid=new_uid(), student_id=student_id, kept_shot_id=sel.shot_id, other_shot_id=shot_id,
            other_station_id=station_id, source=CONCURRENT_SOURCE, found_at=now(),
        ))
    s.commit()
    raise SelectionConflict(t(
        "另一个机位刚刚为该学生选定了另一张照片: 两张照片都已保存, 已记为冲突 (station merge --conflicts 查看并决定)。",
        "Another station selected a different photo for this student at the same moment: both photos are kept "
        "and recorded as a conflict (see station merge --conflicts).",
    ))
