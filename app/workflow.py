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

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from app import settings
from app import shot_store as store
from app import student_records as records
from app import workflow_read as queries
from app.workflow_read import WorkflowReads
from app.db import Database
from app.i18n import t
from app.models import Shot, Student
from app.shot_checks import ShotChecks
from app.shot_naming import ShotNamer, safe_key
from app.startup_check import StartupCheck
from app.station import local_station, open_session
from app.waiting_photos import UNASSIGNED_GRACE, WaitingPhotos
# the records and errors, re-exported: callers import them from here
from app.workflow_types import (  # noqa: F401
    ACCEPTABLE, Accepted, Assigned, CheckView, DecisionPending, FileProblem, Identified, NeedsConfirmation, NoStudent,
    ReasonRequired, RecentItem, RecoveryResult, ShotIdentity, ShotInfo, StudentCard, WaitingShot, WorkflowError,
    WorkflowState, accept_rule, checks_from_json, qc_to_json,
)
from capture import make_backend
from capture.base import PhotoName


@dataclass
class _Current:
    student_id: int
    confirmed: bool
    group: tuple[str | None, str | None]  # (college, class) for the throughput panel
    id_method: str | None = None  # how the student was identified (a key of app.models.ID_METHODS)
    id_read: str | None = None  # what was read or typed (an ID-card scan: the number on the card)
    file_key: str = ""  # the student number (or ID number) in their photos' file names


# --- the workflow ------------------------------------------------------------------


class Workflow(WorkflowReads):
    """One station's shot workflow. Safe to call from several worker threads.

    Its plain reads (a card, a shot, the recent list, ...) are :class:`app.workflow_read.WorkflowReads`'.

    Its parts: the checks on their own thread (:class:`app.shot_checks.ShotChecks`), the camera's
    namer (:class:`app.shot_naming.ShotNamer`), the start-up check
    (:class:`app.startup_check.StartupCheck`) and the photos waiting for a student
    (:class:`app.waiting_photos.WaitingPhotos`). The lock guards the few fields below and is never
    held across the database or the disk.
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
        self.checks = ShotChecks(db)
        self.namer = ShotNamer(self.capture_folder, self.station_number)
        self.waiting = WaitingPhotos(db, self.station_id, self)
        self.startup = StartupCheck(db, self.capture_folder, station_id=self.station_id, session_id=self.session_id,
                                    waiting_count=self.waiting.count_in)
        # the start-up check and the photos waiting for a student, as the window calls them
        self.recover, self.verify_files, self.file_problems = (self.startup.recover, self.startup.verify_files,
                                                               self.startup.file_problems)
        self.waiting_shots, self.waiting_count = self.waiting.shots, self.waiting.count
        self.assign_shot, self.discard_shot = self.waiting.assign, self.waiting.discard
        self.assign_shot_async = self.waiting.assign_async
        self.camera: Any = None
        self._lock = threading.RLock()
        self._current: _Current | None = None
        self._pending: int | None = None  # shot awaiting accept/retake
        self._unassigned: tuple[int, datetime] | None = None
        self.last_group: tuple[str | None, str | None] = (None, None)
        # None: the checks are expected while a checker is loaded (or loading); True/False fixes it
        # (verdicts that come from elsewhere, e.g. the sequence's tests, or a station without checks).
        self.checks_required: bool | None = None

    # --- the parts it drives ---------------------------------------------------

    @property
    def checker(self) -> Any:
        """qc.checker.Checker, loaded once by load_checker() (None: no checks)."""
        return self.checks.checker

    @checker.setter
    def checker(self, checker: Any) -> None:
        self.checks.checker = checker

    @property
    def checker_error(self) -> str | None:
        return self.checks.error

    def load_checker(self, profile: str | None = None) -> Any:
        """Load the photo checks once (their models take a second or two: call from a worker).

        The checker is not thread-safe, so it is built and always used on one
        thread of its own, whichever worker asks for a check.
        """
        return self.checks.load(profile or self.profile)

    def reload_settings(self) -> bool:
        """Take up changed settings (station name/number, QC profile); True if the profile changed."""
        with self.db.session() as s:
            st = local_station(s)
            profile = str(settings.get(s, "qc.profile"))
            s.commit()
        with self._lock:
            self.station_id, self.station_number, self.station_name = st.id, st.number, st.name
            self.namer.station_number = st.number
            changed, self.profile = profile != self.profile, profile
        return changed

    def open_camera(self, on_event: Callable, backend: str | dict | None = None, **options: Any) -> Any:
        """Create the camera backend, named through this workflow, and start it.

        The camera's strict JPEG check is the checks' reduced decode (``decoder``): each photo is
        entropy-decoded once, and the image comes back on the photo for the checks.
        """
        if backend is None:
            with self.db.session() as s:
                backend = settings.all_settings(s)
        options.setdefault("decoder", self.checks.decode)
        self.camera = make_backend(backend, namer=self.name_photo, on_event=on_event, **options)
        self.camera.start()
        return self.camera

    def close(self) -> None:
        cam, self.camera = self.camera, None
        try:
            if cam is not None:
                cam.stop()
        finally:
            self.checks.close()

    # --- identify ------------------------------------------------------------------

    @property
    def checks_on(self) -> bool:
        """Whether a photo must have its verdict before it may be accepted without a reason."""
        if self.checks_required is not None:
            return self.checks_required
        return self.checks.on

    def identify(self, code: str, *, scanned: bool = True) -> Identified:
        """A scanned (or typed and confirmed) code: find the student and make them current.

        How the student was found is recorded with every shot taken for them: an ID-card scan
        (the number read is kept), a student-card scan, a typed number, or a name search.
        """
        code = code.strip()
        if not code:
            raise NoStudent(t("请扫描证件或输入学号", "Scan a card or type a student number"))
        accepted = self._settle_pending()
        with self.db.session() as s:
            kind, cards, method, read = queries.find_student(s, code, scanned=scanned)
        if kind != "found":
            return Identified(code, kind, candidates=cards, accepted_previous=accepted)
        return self._make_current(cards[0], code, accepted, method, read)

    def choose(self, student_id: int, *, method: str = "name_search") -> Identified:
        """A candidate picked from the search list (or a student re-opened from a list)."""
        accepted = self._settle_pending()
        with self.db.session() as s:
            st = s.get(Student, student_id)
            if st is None:
                raise NoStudent(t("没有这个学生", "No such student"))
            card = queries.card_of(s, st)
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

    def add_unlisted(self, *, name: str, student_no: str = "", id_number: str = "", gender: str = "",
                     major: str = "", class_name: str = "", college: str = "", note: str = "") -> Identified:
        """A student who is not on the roster: photographed, and flagged for the errata form.

        The ID number, when given, must pass GB 11643 (check character and a plausible birth date)
        and agree with the gender; a class or a college is needed (the photo is filed under it).
        """
        school, year = records.check_unlisted(self.db, name=name, student_no=student_no, id_number=id_number,
                                              gender=gender, class_name=class_name, college=college)
        accepted = self._settle_pending()
        card = records.add_unlisted(self.db, self.station_id, school=school, year=year, name=name,
                                    student_no=student_no, id_number=id_number, gender=gender, major=major,
                                    class_name=class_name, college=college, note=note)
        idn = id_number.strip().upper()
        return self._make_current(card, student_no or idn, accepted, "unlisted", idn or student_no.strip() or None)

    def report_data_issue(self, kind: str, *, correct_value: str = "", note: str = "",
                          student_id: int | None = None) -> int:
        """A data problem seen at the camera (wrong ID number, wrong name, ...) for the errata form."""
        records.check_issue(kind, correct_value)
        sid = student_id if student_id is not None else self._current_id()
        return records.report_data_issue(self.db, self.station_id, sid, kind, correct_value=correct_value, note=note)

    # --- capture ---------------------------------------------------------------------

    def next_path(self, ext: str) -> Path:
        """The next file's path alone (tools and tests; the camera takes :meth:`name_photo`)."""
        return self.name_photo(ext).path

    def name_photo(self, ext: str) -> PhotoName:
        """The camera backend's namer (on the camera thread): the path, and whose photo it is.

        The identity is the student in front of the camera now (confirmed or not: a shot taken
        before the confirmation is theirs), or nobody; it travels with the photo
        (``SavedPhoto.identity``) to :meth:`record_photo`. The second file of a RAW+JPEG pair
        shares the first one's stem.
        """
        with self._lock:
            cur = self._current
            who = ShotIdentity(cur.student_id, cur.id_method, cur.id_read, cur.file_key) if cur else ShotIdentity(None)
        return self.namer.name(ext, who)

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
        """Record a durable photo (a capture ``SavedPhoto``) as a shot of the student it was named for.

        Whose it is comes with the photo (``photo.identity``, given by :meth:`next_path`); a photo
        named by someone else (no identity) goes to the confirmed student in front of the camera.
        The size is the one the camera layer read while checking the JPEG.
        """
        who = getattr(photo, "identity", None)
        with self._lock:
            cur = self._current
            pending = self._pending
        if isinstance(who, ShotIdentity):
            sid, how = who.student_id, (who.id_method, who.id_read)
        else:
            sid = cur.student_id if cur and cur.confirmed else None
            how = (cur.id_method, cur.id_read) if sid is not None else (None, None)
        shot_id, info = store.insert_shot(self.db, photo, student_id=sid, how=how,
                                          station_id=self.station_id, session_id=self.session_id, retake_of=pending)
        with self._lock:
            if sid is None:
                # the grace runs from when it was taken (a download that comes late is older)
                self._unassigned = (shot_id, min(photo.taken_at, datetime.now()))
            elif self._current is not None and self._current.student_id == sid:
                self._pending = shot_id
        return info

    def submit_check(self, shot: ShotInfo, photo: Any = None) -> Future:
        """Check a recorded shot on the checks' thread and store the verdict; the future gives the
        stored :class:`ShotInfo`. ``photo``: the camera's ``SavedPhoto``, whose decoded image is checked
        (the file and the database are not read again); without it the file is decoded."""
        decoded = getattr(photo, "decoded", None)
        return self.checks.check(shot.path, decoded,
                                 lambda verdict, qc_json, ms: self.record_verdict(shot.id, verdict, qc_json, ms))

    def check_shot(self, shot_id: int) -> ShotInfo:
        """Run the photo checks on a recorded shot's file and store the verdict (waits for it)."""
        return self.submit_check(self.shot(shot_id)).result()

    def record_verdict(self, shot_id: int, verdict: str | None, qc_json: str | None = None,
                       ms: float | None = None) -> ShotInfo:
        """Store a shot's verdict (whenever it arrives: the student may have moved on)."""
        return store.store_verdict(self.db, shot_id, verdict, qc_json, ms)

    def process_photo(self, photo: Any) -> ShotInfo:
        """Record, then check: what happens to every photo the camera delivers (waits for the verdict)."""
        return self.submit_check(self.record_photo(photo), photo).result()

    # --- select ------------------------------------------------------------------------

    def accept(self, reason: str | None = None, *, shot_id: int | None = None) -> Accepted:
        """Accept the shot awaiting a decision (or ``shot_id``): it becomes the student's selected shot."""
        with self._lock:
            pending = self._pending
        sid = shot_id if shot_id is not None else pending
        if sid is None:
            raise DecisionPending(t("没有待确认的照片", "No photo waiting for a decision"))
        result = self._select(sid, reason)
        with self._lock:
            if (shot_id is None or shot_id == self._pending) and self._pending == pending:
                self._pending = None
                self._current = None
        return result

    def reselect(self, shot_id: int, reason: str | None = None) -> Accepted:
        """Choose another of a student's shots later (the earlier choice stays as a kept shot)."""
        result = self._select(shot_id, reason)
        with self._lock:
            if self._pending == shot_id:
                self._pending = None
        return result

    def select_other(self, shot_id: int, reason: str | None = None) -> Accepted:
        """F4: the photographer chose this shot of the student in front of the camera over the one on
        screen. The student is done: the shot waiting for a decision stays as a kept alternative
        (it is never accepted by a later Enter or by moving on)."""
        result = self._select(shot_id, reason)
        with self._lock:
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

    def retake(self) -> ShotInfo:
        """Mark the pending shot for a retake; the student stays in front of the camera."""
        with self._lock:
            if self._pending is None:
                raise DecisionPending(t("没有待确认的照片", "No photo waiting for a decision"))
            pid, self._pending = self._pending, None
        return store.mark_retake(self.db, pid)

    def _select(self, shot_id: int, reason: str | None) -> Accepted:
        result, self.last_group = store.select_shot(self.db, shot_id, reason, checks_on=self.checks_on,
                                                    station_id=self.station_id)
        return result

    def _settle_pending(self) -> ShotInfo | None:
        """Moving on to the next student accepts a passing shot; a failing one must be decided first."""
        with self._lock:
            pending = self._pending
        if pending is None:
            return None
        verdict, status = store.undecided(self.db, pending)
        if status != "new":
            with self._lock:
                if self._pending == pending:
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
            card = queries.card_of(s, s.get(Student, cur.student_id)) if cur else None
            shot = queries.shot_info(s, s.get(Shot, pending)) if pending else None
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

    def _resume(self, student_id: int) -> ShotInfo | None:
        """A pending student comes back: their newest undecided shot awaits the decision again."""
        shot = store.newest_undecided(self.db, student_id)
        if shot is None:
            return None
        with self._lock:
            if self._current is None or self._current.student_id != student_id:
                return None
            self._pending = shot.id
        return shot

    def _claim_waiting(self, shot_id: int, student_id: int, method: str | None = None) -> ShotInfo | None:
        """The camera-button photo taken just before this scan becomes this student's photo awaiting a decision."""
        shot = store.claim(self.db, shot_id, student_id, method)
        if shot is None:
            return None
        with self._lock:
            if self._unassigned and self._unassigned[0] == shot_id:
                self._unassigned = None
            if self._current and self._current.student_id == student_id:
                self._pending = shot_id
        return shot

    # --- helpers ---------------------------------------------------------------------------

    def _make_current(self, card: StudentCard, code: str, accepted: ShotInfo | None,
                      method: str | None = None, read: str | None = None) -> Identified:
        needs = card.photographed
        key = self._file_key(card.id)
        self.namer.seen(card.id, card.shots)
        with self._lock:
            self._current = _Current(card.id, confirmed=not needs, group=(card.college, card.class_name),
                                     id_method=method, id_read=(read or None) and read[:64], file_key=key)
            self._pending = None
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

    def _file_key(self, student_id: int) -> str:
        """The student's label in their photos' file names: the student number, else the ID number."""
        with self.db.session() as s:
            st = s.get(Student, student_id)
            return safe_key(st.student_no) or safe_key(st.id_number) or f"student{student_id}"

    # WaitingHost: what the waiting list asks of the workflow
    def held_photo(self) -> tuple[int, datetime] | None:
        with self._lock:
            return self._unassigned

    def release_held(self, shot_id: int) -> None:
        with self._lock:
            if self._unassigned and self._unassigned[0] == shot_id:
                self._unassigned = None

    def has_checker(self) -> bool:
        return self.checker is not None

