"""The shot workflow: identify → capture → check → record → select, as plain Python.

The photographer's window and the command line drive the same :class:`Workflow`
object; the window only shows what these methods return and forwards keys to
them (from worker threads: every method here may touch the database or the
disk). Each call opens its own short database session, so each worker thread
uses its own session; the little state kept between calls (the student in
front of the camera, the shot awaiting a decision) sits behind a lock.

Nothing here imports Qt. Results cross to the caller as frozen dataclasses,
never as ORM objects, so no lazy load can run on the wrong thread.
"""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import settings
from app.conflicts import add_selection
from app.db import Database
from app.i18n import t
from app.models import (
    DATA_ISSUE_KINDS,
    Absence,
    DataIssue,
    RosterFinding,
    Selection,
    Shot,
    Station,
    Student,
    now,
)
from app.privacy import mask_id
from app.threads import lower_thread_priority
from app.station import local_station, open_session
from app.shot_sequence import accept_rule
from app.workflow_recovery import RecoveryMixin
from app.workflow_types import (  # noqa: F401  (re-exported: callers import them from here)
    ACCEPTABLE,
    Accepted,
    Assigned,
    FileProblem,
    RecoveryResult,
    WaitingShot,
    CheckView,
    DecisionPending,
    Identified,
    NeedsConfirmation,
    NoStudent,
    ReasonRequired,
    RecentItem,
    ShotInfo,
    StudentCard,
    WorkflowError,
    WorkflowState,
    checks_from_json,
    qc_to_json,
)

# A camera-button photo taken before anyone was scanned is given to the next
# student identified, but only this soon afterwards (older ones wait for a
# decision in the recovery list instead of landing on a stranger).
UNASSIGNED_GRACE = timedelta(minutes=2)
# How much lower the photo checks run than the window and the camera threads.
QC_NICE = 5
# The field names of DataIssue.field, as attachment 3 and the roster spell them.
ISSUE_FIELDS = {"id_wrong": "Sfzh", "name_wrong": "Xm", "image_mismatch": None, "other": None}


@dataclass
class _Current:
    student_id: int
    confirmed: bool
    group: tuple[str | None, str | None]  # (college, class) for the throughput panel
    id_method: str | None = None  # how the student was identified (a key of app.models.ID_METHODS)
    id_read: str | None = None  # what was read or typed (an ID-card scan: the number on the card)



# --- the workflow ------------------------------------------------------------------


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]", "", text or "")[:40]


class Workflow(RecoveryMixin):
    """One station's shot workflow. Safe to call from several worker threads.

    Start-up recovery and the photos waiting for a student are in :class:`RecoveryMixin`.
    """

    def __init__(self, db: Database, *, capture_folder: str | Path | None = None, operator: str | None = None):
        self.db = db
        with db.session() as s:
            st = local_station(s)
            sess = open_session(s, operator)
            folder = capture_folder or settings.get(s, "capture.folder")
            self.profile = str(settings.get(s, "qc.profile"))
            s.commit()
            self.station_id, self.station_number, self.station_name = st.id, st.number, st.name
            self.session_id = sess.id
        self.capture_folder = Path(folder).expanduser().resolve()
        self.checker: Any = None  # qc.checker.Checker, loaded once by load_checker()
        self.checker_error: str | None = None
        self._checker_loading = False
        self._checker_ready = threading.Event()
        self._qc_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qc", initializer=_lower_priority)
        self.camera: Any = None
        self._lock = threading.RLock()
        self._current: _Current | None = None
        self._pending: int | None = None  # shot awaiting accept/retake
        self._unassigned: tuple[int, datetime] | None = None
        self._named: dict[str, int | None] = {}  # file stem -> student it was named for
        self._counters: dict[int | None, int] = {}
        self._last_stem: tuple[str, set[str], float] | None = None
        self.last_group: tuple[str | None, str | None] = (None, None)
        # None: the checks are expected while a checker is loaded (or loading); True/False fixes it
        # (verdicts that come from elsewhere, e.g. the sequence's tests, or a station without checks).
        self.checks_required: bool | None = None

    # --- the parts it drives ---------------------------------------------------

    def load_checker(self, profile: str | None = None) -> Any:
        """Load the photo checks once (their models take a second or two: call from a worker).

        The checker is not thread-safe, so it is built and always used on one
        thread of its own, whichever worker asks for a check.
        """
        self._checker_loading = True
        self._checker_ready.clear()
        try:
            name = profile or self.profile
            self.checker = self._qc_thread.submit(_make_checker, None if name in ("", "default") else name).result()
            from app.calibration import prepare_checker  # the calibrated backdrop, then a warm-up (issue 12)
            self._qc_thread.submit(prepare_checker, self.db, self.checker).result()
            self.checker_error = None
        except Exception as exc:
            self.checker_error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self._checker_loading = False
            self._checker_ready.set()
        return self.checker

    def reload_settings(self) -> bool:
        """Take up changed settings (station name/number, QC profile); True if the profile changed."""
        with self.db.session() as s:
            st = local_station(s)
            profile = str(settings.get(s, "qc.profile"))
            s.commit()
        with self._lock:
            self.station_id, self.station_number, self.station_name = st.id, st.number, st.name
            changed, self.profile = profile != self.profile, profile
        return changed

    def open_camera(self, on_event: Callable, backend: str | dict | None = None, **options: Any) -> Any:
        """Create the camera backend, named through this workflow, and start it."""
        from capture import make_backend

        if backend is None:
            with self.db.session() as s:
                backend = settings.all_settings(s)
        self.camera = make_backend(backend, namer=self.next_path, on_event=on_event, **options)
        self.camera.start()
        return self.camera

    def close(self) -> None:
        cam, self.camera = self.camera, None
        try:
            if cam is not None:
                cam.stop()
        finally:
            self._qc_thread.shutdown(wait=False, cancel_futures=True)

    # --- identify ------------------------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[StudentCard]:
        from app.search import search

        query = query.strip()
        if not query:
            return []
        with self.db.session() as s:
            return [self._card(s, st) for st in search(s, query, limit=limit)]

    @property
    def checks_on(self) -> bool:
        """Whether a photo must have its verdict before it may be accepted without a reason."""
        if self.checks_required is not None:
            return self.checks_required
        return self.checker is not None or self._checker_loading

    def identify(self, code: str, *, scanned: bool = True) -> Identified:
        """A scanned (or typed and confirmed) code: find the student and make them current.

        How the student was found is recorded with every shot taken for them: an ID-card scan
        (the number read is kept), a student-card scan, a typed number, or a name search.
        """
        from app.search import lookup_exact, normalise, search

        code = code.strip()
        if not code:
            raise NoStudent(t("请扫描证件或输入学号", "Scan a card or type a student number"))
        accepted = self._settle_pending()
        read = normalise(code)
        with self.db.session() as s:
            found = lookup_exact(s, code)
            method = ("id_card" if _looks_like_id(read) else "student_card") if scanned else "typed"
            if not found and not scanned:
                found = search(s, code, limit=20)
                method = "name_search"
            if len(found) == 1:
                card = self._card(s, found[0])
                if method == "id_card" and not _id_matches(read, found[0]):
                    method = "student_card" if read in (found[0].student_no, found[0].exam_no) else method
            elif found:
                return Identified(code, "ambiguous", candidates=tuple(self._card(s, st) for st in found),
                                  accepted_previous=accepted)
            else:
                near = search(s, code, limit=10) if scanned else []
                return Identified(code, "unknown", candidates=tuple(self._card(s, st) for st in near),
                                  accepted_previous=accepted)
        return self._make_current(card, code, accepted, method, read if method != "name_search" else code)

    def choose(self, student_id: int, *, method: str = "name_search") -> Identified:
        """A candidate picked from the search list (or a student re-opened from a list)."""
        accepted = self._settle_pending()
        with self.db.session() as s:
            st = s.get(Student, student_id)
            if st is None:
                raise NoStudent(t("没有这个学生", "No such student"))
            card = self._card(s, st)
        return self._make_current(card, card.student_no, accepted, method, None)

    def confirm_duplicate(self) -> StudentCard:
        with self._lock:
            if self._current is None:
                raise NoStudent(t("没有当前学生", "No current student"))
            self._current.confirmed = True
            sid = self._current.student_id
        return self.card(sid)

    def clear(self) -> None:
        """Let the current student go (Esc): only when no shot waits for a decision."""
        with self._lock:
            if self._pending is not None:
                raise DecisionPending(t("请先接受或重拍当前照片", "Accept or retake the current photo first"))
            self._current = None

    def add_unlisted(
        self,
        *,
        name: str,
        student_no: str = "",
        id_number: str = "",
        gender: str = "",
        major: str = "",
        class_name: str = "",
        college: str = "",
        note: str = "",
    ) -> Identified:
        """A student who is not on the roster: photographed, and flagged for the errata form.

        The ID number, when given, must pass GB 11643 (check character and a plausible birth date)
        and agree with the gender; a class or a college is needed (the photo is filed under it).
        """
        name = name.strip()
        if not name or not (student_no.strip() or id_number.strip()):
            raise WorkflowError(t("名单外学生需要姓名和学号或身份证号", "An unlisted student needs a name and a student or ID number"))
        idn = id_number.strip().upper()
        with self.db.session() as s:
            from app.schools import current as current_school

            school = current_school(s) or s.scalar(select(Student.school).where(Student.unlisted.is_(False)).limit(1)) or ""
            year = s.scalar(select(Student.grad_year).where(Student.unlisted.is_(False)).limit(1)) or ""
        problem = unlisted_problem(id_number=idn, gender=gender, class_name=class_name, college=college,
                                   grad_year=year)
        if problem:
            raise WorkflowError(problem)
        accepted = self._settle_pending()
        with self.db.session() as s:
            st = Student(
                name=name, student_no=student_no.strip(), id_number=idn, gender=gender.strip(),
                major=major.strip(), class_name=class_name.strip(), college=college.strip() or None,
                school=school, grad_year=year, unlisted=True,
                id_last6=idn[-6:] if idn else "", name_initials=_initials(name),
            )
            s.add(st)
            s.flush()
            s.add(DataIssue(
                student_id=st.id, station_id=self.station_id, kind="other", source="unlisted",
                note=note.strip() or t("名单外学生, 现场登记", "not on the roster, registered at the camera"),
            ))
            s.commit()
            card = self._card(s, st)
        return self._make_current(card, student_no or idn, accepted, "unlisted", idn or student_no.strip() or None)

    def report_data_issue(
        self, kind: str, *, correct_value: str = "", note: str = "", student_id: int | None = None
    ) -> int:
        """A data problem seen at the camera (wrong ID number, wrong name, ...) for the errata form."""
        if kind not in DATA_ISSUE_KINDS:
            raise WorkflowError(f"unknown kind {kind!r}; known: {', '.join(DATA_ISSUE_KINDS)}")
        if kind in ("id_wrong", "name_wrong") and not correct_value.strip():
            raise WorkflowError(t("请填写正确的值", "Enter the correct value"))
        sid = student_id if student_id is not None else self._current_id()
        with self.db.session() as s:
            st = s.get(Student, sid)
            if st is None:
                raise NoStudent(t("没有这个学生", "No such student"))
            fld = ISSUE_FIELDS.get(kind)
            original = {"Sfzh": st.id_number, "Xm": st.name}.get(fld or "")
            issue = DataIssue(
                student_id=sid, station_id=self.station_id, field=fld, kind=kind, source="camera",
                original_value=original, correct_value=correct_value.strip() or None, note=note.strip() or None,
            )
            s.add(issue)
            s.commit()
            return issue.id

    # --- capture ---------------------------------------------------------------------

    def next_path(self, ext: str) -> Path:
        """The camera backend's namer: station, student and a counter, never the camera's name.

        Called on the camera thread. The second file of a RAW+JPEG pair (a
        different extension within seconds) shares the first one's stem.
        """
        ext = ext if ext.startswith(".") else "." + ext
        ext = ext.lower()
        with self._lock:
            cur = self._current
            sid = cur.student_id if cur else None
            last = self._last_stem
            if last and ext not in last[1] and time.monotonic() - last[2] < 5.0 and self._named.get(last[0]) == sid:
                last[1].add(ext)
                return self._folder() / (last[0] + ext)
            key = self._file_key(sid)
            n = self._counters.get(sid, 0)
            folder = self._folder()
            # Path.glob would compile (and cache for good) a new pattern for every stem: a day's worth of them.
            from capture.durable import taken_stems

            taken = taken_stems(folder)  # interrupted writes' names too: recovery finishes them under theirs
            while True:
                n += 1
                stem = f"S{self.station_number:02d}_{key}_{n:02d}"
                if stem not in taken:
                    break
            _remember(self._counters, sid, n)
            _remember(self._named, stem, sid)
            self._last_stem = (stem, {ext}, time.monotonic())
            return folder / (stem + ext)

    def shoot(self) -> None:
        """Trigger the camera for the current student (raises CaptureBusy from the backend)."""
        self.check_can_shoot()
        if self.camera is None:
            raise WorkflowError(t("相机未连接", "No camera"))
        self.camera.trigger()

    def check_can_shoot(self) -> None:
        with self._lock:
            if self._current is None:
                raise NoStudent(t("请先扫描学生证件", "Scan the student's card first"))
            if not self._current.confirmed:
                raise NeedsConfirmation(t("该学生已拍摄过: 按回车确认重拍", "Already photographed: press Enter to confirm a new shot"))

    def record_photo(self, photo: Any) -> ShotInfo:
        """Record a durable photo (a capture ``SavedPhoto``) as a shot of the student it was named for."""
        stem = Path(photo.path).stem
        with self._lock:
            if stem in self._named:
                sid = self._named[stem]
            else:  # named by someone else (a recovered file): the student in front of the camera
                sid = self._current.student_id if self._current and self._current.confirmed else None
            cur = self._current
            how = (cur.id_method, cur.id_read) if cur is not None and sid is not None and cur.student_id == sid \
                else (None, None)
        width = height = None
        try:
            from PIL import Image

            with Image.open(photo.path) as im:  # reads the header only
                width, height = im.size
        except Exception:  # the checks will report an unreadable file
            pass
        companion = str(photo.companions[0]) if getattr(photo, "companions", ()) else None
        with self.db.session() as s:
            shot = Shot(
                student_id=sid, station_id=self.station_id, session_id=self.session_id,
                path=str(Path(photo.path).resolve()), companion_path=companion, sha256=photo.sha256,
                bytes=photo.bytes, width=width, height=height, taken_at=photo.taken_at.replace(
                    microsecond=(photo.taken_at.microsecond // 1000) * 1000),
                source=photo.source, camera_file=getattr(photo, "camera_name", None),
                id_method=how[0], id_read=how[1],
            )
            s.add(shot)
            with self._lock:
                if self._pending is not None and sid is not None:
                    # a new shot while the last one waited: that one was a retake
                    old = s.get(Shot, self._pending)
                    if old is not None and old.status == "new" and old.student_id == sid:
                        old.status, old.decided_at = "retake", now()
                s.commit()
                if sid is None:
                    # the grace runs from when it was taken (a download that comes late is older)
                    self._unassigned = (shot.id, min(photo.taken_at, datetime.now()))
                elif self._current is not None and self._current.student_id == sid:
                    self._pending = shot.id
            return self._shot_info(s, shot)

    def check_shot(self, shot_id: int) -> ShotInfo:
        """Run the photo checks on a recorded shot and store the verdict (call from a worker)."""
        with self.db.session() as s:
            path = s.get(Shot, shot_id).path
        verdict, qc_json, ms = None, None, None
        if self.checker is None and self._checker_loading:
            self._checker_ready.wait(120)
        if self.checker is not None:
            t0 = time.perf_counter()
            try:
                report = self._qc_thread.submit(self.checker.check_path, path).result()
                verdict, qc_json, ms = report.verdict, qc_to_json(report), report.ms
            except Exception as exc:  # a check that crashes must not lose the shot
                ms = (time.perf_counter() - t0) * 1000
                verdict = "error"
                qc_json = json.dumps({"verdict": "error", "checks": {}, "reason": f"{type(exc).__name__}: {exc}"},
                                     ensure_ascii=False)
        return self.record_verdict(shot_id, verdict, qc_json, ms)

    def record_verdict(self, shot_id: int, verdict: str | None, qc_json: str | None = None,
                       ms: float | None = None) -> ShotInfo:
        """Store a shot's verdict (whenever it arrives: the student may have moved on)."""
        with self.db.session() as s:
            shot = s.get(Shot, shot_id)
            shot.qc_verdict, shot.qc_json, shot.qc_ms = verdict, qc_json, ms
            s.commit()
            return self._shot_info(s, shot)

    def process_photo(self, photo: Any) -> ShotInfo:
        """Record, then check: what happens to every photo the camera delivers."""
        return self.check_shot(self.record_photo(photo).id)

    # --- select ------------------------------------------------------------------------

    def accept(self, reason: str | None = None, *, shot_id: int | None = None) -> Accepted:
        """Accept the shot awaiting a decision (or ``shot_id``): it becomes the student's selected shot."""
        with self._lock:
            sid = shot_id if shot_id is not None else self._pending
            if sid is None:
                raise DecisionPending(t("没有待确认的照片", "No photo waiting for a decision"))
            result = self._select(sid, reason)
            if shot_id is None or shot_id == self._pending:
                self._pending = None
                self._current = None
            return result

    def reselect(self, shot_id: int, reason: str | None = None) -> Accepted:
        """Choose another of a student's shots later (the earlier choice stays as a kept shot)."""
        with self._lock:
            result = self._select(shot_id, reason)
            if self._pending == shot_id:
                self._pending = None
            return result

    def select_other(self, shot_id: int, reason: str | None = None) -> Accepted:
        """F4: the photographer chose this shot of the student in front of the camera over the one on
        screen. The student is done: the shot waiting for a decision stays as a kept alternative
        (it is never accepted by a later Enter or by moving on)."""
        with self._lock:
            result = self._select(shot_id, reason)
            if self._current is not None and self._current.student_id == result.student.id:
                self._pending = None
                self._current = None
            elif self._pending == shot_id:
                self._pending = None
            return result

    def leave_pending(self) -> StudentCard | None:
        """The window closes (or the photographer lets go) with a photo not yet decided: the student
        stays "pending" (shots, no selection) and is listed at the next start."""
        with self._lock:
            cur, self._current, self._pending = self._current, None, None
        if cur is None:
            return None
        card = self.card(cur.student_id)
        return card if card.shots and not card.photographed else None

    def pending_students(self) -> list[StudentCard]:
        """Students photographed but with no photo accepted yet (已拍未确认), newest shot first."""
        with self.db.session() as s:
            latest = func.max(Shot.taken_at)
            rows = s.execute(
                select(Shot.student_id, latest).where(Shot.student_id.is_not(None), Shot.status != "rejected",
                                                      Shot.student_id.not_in(select(Selection.student_id)))
                .group_by(Shot.student_id).order_by(latest.desc())
            ).all()
            return [self._card(s, s.get(Student, sid)) for sid, _at in rows]

    def retake(self) -> ShotInfo:
        """Mark the pending shot for a retake; the student stays in front of the camera."""
        with self._lock:
            if self._pending is None:
                raise DecisionPending(t("没有待确认的照片", "No photo waiting for a decision"))
            pid, self._pending = self._pending, None
        with self.db.session() as s:
            shot = s.get(Shot, pid)
            shot.status, shot.decided_at = "retake", now()
            s.commit()
            return self._shot_info(s, shot)

    def _select(self, shot_id: int, reason: str | None) -> Accepted:
        reason = (reason or "").strip() or None
        with self.db.session() as s:
            shot = s.get(Shot, shot_id)
            if shot is None or shot.student_id is None:
                raise WorkflowError(t("这张照片还没有归属学生", "This photo belongs to no student yet"))
            rule = accept_rule(shot.qc_verdict, self.checks_on)
            if rule == "wait" and reason is None:
                raise DecisionPending(t("照片正在检查, 请稍候", "The photo is being checked, one moment"))
            if rule == "reason" and reason is None:
                raise ReasonRequired(t("照片未通过检查: 需填写接受原因", "The photo failed the checks: a reason is required"))
            sel = s.scalar(select(Selection).where(Selection.student_id == shot.student_id))
            reselected = sel is not None and sel.shot_id != shot.id
            if sel is None:
                sel = Selection(student_id=shot.student_id, shot_id=shot.id, station_id=self.station_id)
                add_selection(s, sel, shot)  # a concurrent writer's selection becomes a conflict
            elif reselected:
                prev = s.get(Shot, sel.shot_id)
                if prev is not None and prev.status == "accepted":
                    prev.status = "new"  # kept, no longer chosen
                sel.shot_id, sel.station_id, sel.selected_at = shot.id, self.station_id, now()
            sel.override_reason = reason if shot.qc_verdict not in ACCEPTABLE else None
            sel.needs_decision = False
            shot.status, shot.decided_at = "accepted", now()
            shot.override_reason = sel.override_reason
            for ab in s.scalars(select(Absence).where(Absence.student_id == shot.student_id, Absence.cleared_at.is_(None))):
                ab.cleared_at = now()  # marked absent earlier, turned up after all
            s.commit()
            st = s.get(Student, shot.student_id)
            self.last_group = (st.college, st.class_name)
            return Accepted(self._shot_info(s, shot), self._card(s, st), reselected)

    def _settle_pending(self) -> ShotInfo | None:
        """Moving on to the next student accepts a passing shot; a failing one must be decided first."""
        with self._lock:
            if self._pending is None:
                return None
            with self.db.session() as s:
                shot = s.get(Shot, self._pending)
                verdict = shot.qc_verdict if shot else None
            if shot is None or shot.status != "new":
                self._pending = None
                return None
            if accept_rule(verdict, self.checks_on) == "ok":
                return self.accept().shot
            if verdict is None:
                raise DecisionPending(t("照片正在检查, 请稍候", "The photo is being checked, one moment"))
            raise DecisionPending(t("当前照片未通过检查: 按 R 重拍, 或填写原因后接受",
                                    "The current photo failed: press R to retake, or accept with a reason"))

    # --- reading -------------------------------------------------------------------------

    def state(self) -> WorkflowState:
        with self._lock:
            cur, pending = self._current, self._pending
        with self.db.session() as s:
            card = self._card(s, s.get(Student, cur.student_id)) if cur else None
            shot = self._shot_info(s, s.get(Shot, pending)) if pending else None
        return WorkflowState(card, bool(cur and cur.confirmed), shot)

    def facts(self, with_verdict: bool = True) -> tuple[int | None, bool, int | None, str | None]:
        """(current student, confirmed, pending shot, its verdict): the shot sequence's cheap read."""
        with self._lock:
            cur, pending = self._current, self._pending
        verdict = None
        if pending is not None and with_verdict:
            with self.db.session() as s:
                verdict = s.scalar(select(Shot.qc_verdict).where(Shot.id == pending))
        return (cur.student_id if cur else None, bool(cur and cur.confirmed), pending, verdict)

    @property
    def current_student_id(self) -> int | None:
        with self._lock:
            return self._current.student_id if self._current else None

    @property
    def pending_shot_id(self) -> int | None:
        with self._lock:
            return self._pending

    def throughput(self) -> Any:
        """The throughput panel's figures for this station and the current college/class."""
        from app import throughput

        college, class_name = self.last_group
        with self.db.session() as s:
            return throughput.snapshot(s, station_id=self.station_id, college=college, class_name=class_name)

    def recent(self, limit: int = 10) -> list[RecentItem]:
        """This station's latest selections, newest first."""
        with self.db.session() as s:
            rows = s.execute(
                select(Student.id, Student.name, Student.class_name, Selection.selected_at, Shot.qc_verdict,
                       Selection.override_reason)
                .join(Selection, Selection.student_id == Student.id)
                .join(Shot, Shot.id == Selection.shot_id)
                .where(Selection.station_id == self.station_id)
                .order_by(Selection.selected_at.desc(), Selection.id.desc())
                .limit(limit)
            ).all()
        return [RecentItem(*r) for r in rows]

    def scan_codes(self, limit: int) -> list[str]:
        """What a card reader would type for the next students not yet photographed, in roster order.

        The ID number where there is one, else the student number; only codes
        that name exactly one student (the demo and ``--auto`` drive the window with them).
        """
        done = select(Selection.student_id)
        with self.db.session() as s:
            rows = s.execute(
                select(Student.id_number, Student.student_no)
                .where(Student.active.is_(True), Student.unlisted.is_(False), Student.has_error.is_(False),
                       Student.id.not_in(done))
                .order_by(Student.college, Student.class_name, Student.roster_order, Student.id)
                .limit(limit)
            ).all()
        return [idn or sno for idn, sno in rows if idn or sno]

    def card(self, student_id: int) -> StudentCard:
        with self.db.session() as s:
            return self._card(s, s.get(Student, student_id))

    def shot(self, shot_id: int) -> ShotInfo:
        with self.db.session() as s:
            return self._shot_info(s, s.get(Shot, shot_id))

    def shots_of(self, student_id: int) -> list[ShotInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(Shot).where(Shot.student_id == student_id).order_by(Shot.taken_at, Shot.id))
            return [self._shot_info(s, r) for r in rows]

    def _resume(self, student_id: int) -> ShotInfo | None:
        """A pending student comes back: their newest undecided shot awaits the decision again."""
        with self.db.session() as s:
            shot = s.scalars(select(Shot).where(Shot.student_id == student_id, Shot.status == "new")
                             .order_by(Shot.taken_at.desc(), Shot.id.desc()).limit(1)).first()
            if shot is None:
                return None
            with self._lock:
                if self._current is None or self._current.student_id != student_id:
                    return None
                self._pending = shot.id
            return self._shot_info(s, shot)

    def _claim_waiting(self, shot_id: int, student_id: int, method: str | None = None) -> ShotInfo | None:
        """The camera-button photo taken just before this scan becomes this student's photo awaiting a decision."""
        with self.db.session() as s:
            shot = s.get(Shot, shot_id)
            if shot is None or shot.student_id is not None or shot.status == "rejected":
                return None
            shot.student_id = student_id
            shot.id_method = method
            s.commit()
            with self._lock:
                if self._unassigned and self._unassigned[0] == shot_id:
                    self._unassigned = None
                if self._current and self._current.student_id == student_id:
                    self._pending = shot_id
            return self._shot_info(s, shot)

    # --- helpers ---------------------------------------------------------------------------

    def _make_current(self, card: StudentCard, code: str, accepted: ShotInfo | None,
                      method: str | None = None, read: str | None = None) -> Identified:
        needs = card.photographed
        with self._lock:
            self._current = _Current(card.id, confirmed=not needs, group=(card.college, card.class_name),
                                     id_method=method, id_read=(read or None) and read[:64])
            self._pending = None
            _remember(self._counters, card.id, card.shots)
            self.last_group = (card.college, card.class_name)
            waiting = self._unassigned
        pending = None
        if waiting and not needs and datetime.now() - waiting[1] <= UNASSIGNED_GRACE:
            pending = self._claim_waiting(waiting[0], card.id, method)
            if pending is not None:
                pending = ShotInfo(**{**pending.__dict__, "assigned_now": True})
        if pending is None and not needs and card.shots:
            pending = self._resume(card.id)  # 已拍未确认: the last photo waits for its decision again
        return Identified(code, "found", card=card, needs_confirmation=needs, accepted_previous=accepted,
                          pending=pending)

    def _current_id(self) -> int:
        with self._lock:
            if self._current is None:
                raise NoStudent(t("没有当前学生", "No current student"))
            return self._current.student_id

    def _folder(self) -> Path:
        folder = self.capture_folder / datetime.now().strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _file_key(self, sid: int | None) -> str:
        if sid is None:
            return "unassigned_" + datetime.now().strftime("%H%M%S")
        with self.db.session() as s:
            st = s.get(Student, sid)
            return _safe(st.student_no) or _safe(st.id_number) or f"student{sid}"

    def _card(self, s: Session, st: Student) -> StudentCard:
        shots = s.scalar(select(func.count(Shot.id)).where(Shot.student_id == st.id)) or 0
        sel = s.scalar(select(Selection).where(Selection.student_id == st.id))
        station = s.get(Station, sel.station_id).name if sel else None
        problems: tuple[str, ...] = ()
        if st.has_error or st.has_warning:
            rows = s.scalars(
                select(RosterFinding).where(RosterFinding.student_id == st.id).order_by(RosterFinding.severity)
            )
            problems = tuple(f.message for f in rows)
        from app.search import school_note  # schools number independently: say when another has this 学号

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

    def _shot_info(self, s: Session, shot: Shot) -> ShotInfo:
        checks, error, crop = checks_from_json(shot.qc_json)
        selected = shot.student_id is not None and s.scalar(
            select(func.count(Selection.id)).where(Selection.shot_id == shot.id)
        )
        return ShotInfo(
            id=shot.id, student_id=shot.student_id, path=shot.path, taken_at=shot.taken_at, source=shot.source,
            status=shot.status, qc_verdict=shot.qc_verdict, qc_ms=shot.qc_ms, checks=checks, qc_error=error,
            crop=crop, selected=bool(selected), override_reason=shot.override_reason,
        )


# How many file stems and per-student counters the namer remembers: a photo reaches record_photo
# seconds after it was named, so the latest few hundred are plenty, and a long day stays flat.
NAMER_MEMORY = 500


def _remember(d: dict, key, value) -> None:
    """``d[key] = value`` as the newest entry, forgetting the oldest beyond NAMER_MEMORY."""
    d.pop(key, None)
    d[key] = value
    while len(d) > NAMER_MEMORY:
        del d[next(iter(d))]


def _lower_priority() -> None:
    lower_thread_priority(QC_NICE)  # the checks yield the CPU to the window and the camera


def _make_checker(profile: str | None) -> Any:
    from qc.checker import Checker

    return Checker(profile=profile)


def _looks_like_id(code: str) -> bool:
    """What an ID-card reader types: an 18-character (or legacy 15-digit) citizen number."""
    return (len(code) == 18 and code[:17].isdigit() and code[17] in "0123456789X") or (len(code) == 15 and code.isdigit())


def _id_matches(read: str, st: Student) -> bool:
    """The number read is this student's ID number (as listed, its 18-character form, or Excel's mangled 15 digits)."""
    return read in (st.id_number, st.id_number18) or (len(read) == 18 and (st.id_number or "")[:15] == read[:15])


def unlisted_problem(*, id_number: str, gender: str, class_name: str, college: str, grad_year: str = "") -> str | None:
    """Why an unlisted student cannot be registered yet (the F2 form and :meth:`Workflow.add_unlisted`), or None."""
    from app.roster import idcard

    idn = (id_number or "").strip().upper()
    if idn:
        year = int(grad_year) if str(grad_year).isdigit() else datetime.now().year
        if len(idn) not in (15, 18) or not idcard.is_valid(idn, earliest_birth=idcard.EARLIEST_BIRTH,
                                                           latest_birth=idcard.latest_birth_for(year)):
            if len(idn) == 18 and idn[:17].isdigit() and idn[17] in "0123456789X" \
                    and idcard.check_char(idn[:17]) != idn[17]:
                return t("身份证号校验位不对 (GB 11643): 请核对证件", "The ID number's check character is wrong (GB 11643)")
            if len(idn) in (15, 18) and idn[:15].isdigit():
                return t("身份证号中的出生日期不对: 请核对证件", "The ID number's birth date is not valid")
            return t("身份证号应为18位 (或15位旧号码)", "An ID number has 18 characters (or 15 digits, old style)")
        born_as = idcard.gender(idn)
        if gender.strip() and born_as and gender.strip() != born_as:
            return t(f"性别与身份证号不符 (身份证号为{born_as}性)", f"The gender does not match the ID number ({born_as})")
    if not (class_name or "").strip() and not (college or "").strip():
        return t("请填写班级或学院 (照片按学院、班级交付)", "Enter a class or a college (photos are delivered by them)")
    return None


def _initials(name: str) -> str:
    from app.roster.pinyin import initials

    return initials(name)
