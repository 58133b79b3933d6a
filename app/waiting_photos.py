"""Start-up recovery and the photos waiting for a student: part of :class:`app.workflow.Workflow`.

A station killed between saving a photo and recording it leaves a file the
database does not know; a camera-button photo taken with nobody scanned, and
not claimed by the next scan within the grace period, belongs to no one. Both
wait here, in the database (``Shot.student_id`` empty), until the
photographer gives each to a student or takes it off the list. Nothing here
deletes a file: a discarded photo stays on disk, marked ``rejected``.

The start-up check runs in two passes so the camera is not kept waiting for
a day's worth of checksums: :meth:`recover` (before the camera opens: the
folder is compared with the records by name and size, unknown photos are
hashed and recorded, moved files followed) and :meth:`verify_files` (after:
every recorded file's sha256 against the one recorded when it was taken).
"""

from __future__ import annotations

import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select

from app import audit
from app.i18n import t
from app.models import Shot, Student, now
from app.threads import lower_thread_priority
from app.workflow_types import (
    Assigned,
    FileProblem,
    NoStudent,
    RecoveryResult,
    ShotInfo,
    WaitingShot,
    WorkflowError,
)

# The workflow names files S<station>_<student key>_<n>; the key is the student number (or ID number).
_STEM = re.compile(r"^S\d{2,}_(?P<key>.+)_\d{2,}$")
_PROBLEM_ORDER = ("missing", "changed", "moved", "incomplete", "raw_only")




class RecoveryMixin:
    """Mixed into Workflow (which provides db, capture_folder, station_id, _lock, _unassigned, ...)."""

    _file_problems: tuple[FileProblem, ...] = ()

    # --- the start-up check -------------------------------------------------------

    def recover(self, *, verify_hashes: bool = False) -> RecoveryResult:
        """Reconcile the capture folder with the database: record unknown photos, follow moved files.

        Call before the camera starts (a photo being saved must not be taken
        for an unknown one). ``verify_hashes=False`` compares sizes only; the
        checksums follow in :meth:`verify_files`.
        """
        from app.recovery import apply_moves, record_unknown, scan_capture_folder

        t0 = time.perf_counter()
        with self.db.session() as s:
            rep = scan_capture_folder(s, self.capture_folder, verify_hashes=verify_hashes)
            recorded = record_unknown(s, rep.unknown, session_id=self.session_id)
            moved = apply_moves(s, rep.moved)
            s.commit()
            labels = self._student_labels(s, [p.shot_id for p in rep.missing + rep.changed + rep.moved])
            problems = [FileProblem(p.problem, p.path, p.shot_id, labels.get(p.shot_id, ""), p.new_path)
                        for p in rep.missing + rep.changed + rep.moved]
            problems += [FileProblem("incomplete", str(p)) for p in rep.incomplete]
            problems += [FileProblem("raw_only", str(p)) for p in rep.unknown_raw]
            waiting = self._waiting_count(s)
        with self._lock:
            self._file_problems = _sorted(problems)
            all_problems = self._file_problems
        return RecoveryResult(
            folder=str(self.capture_folder), recorded=len(recorded), moved=moved, finished=len(rep.finished),
            waiting=waiting, problems=all_problems, verified=verify_hashes,
            ms=round((time.perf_counter() - t0) * 1000, 1),
        )

    def verify_files(self, workers: int = 2, *, stop: threading.Event | None = None) -> RecoveryResult:
        """Every file this station recorded, checked against its sha256 (a worker's job: it reads them all).

        ``stop`` set (the window closing) ends it early; files not read are not judged.
        """
        from capture.durable import sha256_file

        t0 = time.perf_counter()
        with self.db.session() as s:
            rows = s.execute(
                select(Shot.id, Shot.path, Shot.sha256).where(Shot.station_id == self.station_id)
            ).all()
        present = [(sid, path, sha) for sid, path, sha in rows if os.path.isfile(path)]

        def digest(path: str) -> str | None:
            if stop is not None and stop.is_set():
                return None
            try:
                return sha256_file(Path(path))
            except OSError:
                return None

        # hashlib releases the GIL; the threads run niced so the window and the checks come first.
        with ThreadPoolExecutor(max_workers=max(1, workers), initializer=lower_thread_priority) as pool:
            actual = list(pool.map(digest, [p for _i, p, _s in present]))
        bad = [(sid, path) for (sid, path, sha), got in zip(present, actual) if got is not None and got != sha]
        with self.db.session() as s:
            labels = self._student_labels(s, [sid for sid, _p in bad])
            waiting = self._waiting_count(s)
        changed = [FileProblem("changed", path, sid, labels.get(sid, "")) for sid, path in bad]
        with self._lock:
            # The size comparison's "changed" give way to the checksums' verdict.
            self._file_problems = _sorted([p for p in self._file_problems if p.problem != "changed"] + changed)
            problems = self._file_problems
        return RecoveryResult(folder=str(self.capture_folder), waiting=waiting, problems=problems, verified=True,
                              ms=round((time.perf_counter() - t0) * 1000, 1))

    def file_problems(self) -> tuple[FileProblem, ...]:
        with self._lock:
            return self._file_problems

    # --- the photos waiting for a student ---------------------------------------------

    def waiting_shots(self) -> list[WaitingShot]:
        """This station's photos that belong to no student, oldest first, with the student their name suggests."""
        with self.db.session() as s:
            rows = s.scalars(self._waiting_query(select(Shot)).order_by(Shot.taken_at, Shot.id)).all()
            return [WaitingShot(self._shot_info(s, r), os.path.isfile(r.path), self._suggest(s, r.path))
                    for r in rows]

    def waiting_count(self) -> int:
        """How many wait for a decision: a camera-button photo still within its grace (the next scan
        takes it) is not counted."""
        from app.workflow import UNASSIGNED_GRACE

        with self._lock:
            held = self._unassigned
        with self.db.session() as s:
            n = self._waiting_count(s)
            if held and datetime.now() - held[1] <= UNASSIGNED_GRACE:
                n -= s.scalar(self._waiting_query(select(func.count(Shot.id))).where(Shot.id == held[0])) or 0
        return n

    def assign_shot(self, shot_id: int, student_id: int, *, select_if_none: bool = False) -> Assigned:
        """Give a waiting photo to a student; it is checked if it was not, and with ``select_if_none``
        it becomes the student's selected photo when they have none and it passes."""
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
            checked = shot.qc_verdict is not None
        with self._lock:
            if self._unassigned and self._unassigned[0] == shot_id:
                self._unassigned = None
        info = self.shot(shot_id) if checked or self.checker is None else self.check_shot(shot_id)
        selected, note = False, ""
        from app.shot_sequence import accept_rule

        if select_if_none:
            with self._lock:
                card = self.card(student_id)
                if card.photographed:
                    note = t("该学生已有选用照片: 这张作为备选保留", "The student already has a selected photo: "
                             "this one is kept as an alternative")
                elif accept_rule(info.qc_verdict, self.checks_on) == "ok":
                    self._select(shot_id, None)
                    selected = True
                else:
                    note = t("未通过检查, 未设为选用照片: 可在学生卡片上改选 (需填写原因)",
                             "It failed the checks, so it was not selected: choose it from the student's card "
                             "(with a reason)")
        return Assigned(self.shot(shot_id), self.card(student_id), selected, note)

    def discard_shot(self, shot_id: int, note: str = "") -> ShotInfo:
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
            info = self._shot_info(s, shot)
        with self._lock:
            if self._unassigned and self._unassigned[0] == shot_id:
                self._unassigned = None
        return info

    # --- helpers ---------------------------------------------------------------------------

    def _waiting_query(self, stmt):
        return stmt.where(Shot.student_id.is_(None), Shot.station_id == self.station_id, Shot.status != "rejected")

    def _waiting_count(self, s) -> int:
        return s.scalar(self._waiting_query(select(func.count(Shot.id)))) or 0

    def _suggest(self, s, path: str):
        m = _STEM.match(Path(path).stem)
        if not m or m.group("key").startswith("unassigned"):
            return None
        key = m.group("key")
        found = s.scalars(
            select(Student).where(or_(Student.student_no == key, Student.id_number == key)).limit(2)
        ).all()
        return self._card(s, found[0]) if len(found) == 1 else None

    @staticmethod
    def _student_labels(s, shot_ids: list[int]) -> dict[int, str]:
        ids = [i for i in shot_ids if i is not None]
        if not ids:
            return {}
        rows = s.execute(
            select(Shot.id, Student.name, Student.student_no).join(Student, Student.id == Shot.student_id)
            .where(Shot.id.in_(ids))
        ).all()
        return {sid: f"{name} {sno}" for sid, name, sno in rows}


def _sorted(problems: list[FileProblem]) -> tuple[FileProblem, ...]:
    return tuple(sorted(problems, key=lambda p: (_PROBLEM_ORDER.index(p.problem)
                                                 if p.problem in _PROBLEM_ORDER else 99, p.path)))
