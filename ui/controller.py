"""The workflow, made asynchronous for the window: every call in a worker, every answer a signal.

The window calls these methods on the UI thread; each one hands the real
work (database, camera, checks, decoding) to the thread pool and returns at
once. Answers arrive as signals on the UI thread. No state of the shoot lives
here: the photographer's keys and the camera's photos go, in order, to the one
:class:`app.shot_sequence.ShotSequence` (on a thread of their own), and each
:class:`app.shot_sequence.View` it returns is sent to the window to draw.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from app.shot_sequence import ShotSequence
from app.window_services import SettingsService
from app.workflow import Workflow
from ui.site_status import SiteStatus
from ui.workers import CameraBridge, Runner, load_scaled

log = logging.getLogger(__name__)
RECONNECT_MS = 3000
THROUGHPUT_MS = 30_000


class StationController(QObject):
    view = Signal(object)  # app.shot_sequence.View: the state to draw after each event
    pending = Signal(object)  # [StudentCard]: photographed, nothing accepted (已拍未确认)
    identified = Signal(object)  # app.workflow.Identified
    candidates = Signal(str, object)  # query, [StudentCard]
    confirmed = Signal(object)  # StudentCard
    photo_arrived = Signal(object)  # capture SavedPhoto
    shot_recorded = Signal(object)  # ShotInfo (not yet checked)
    shot_checked = Signal(object)  # ShotInfo with its verdict
    accepted = Signal(object)  # app.workflow.Accepted
    retaken = Signal(object)  # ShotInfo
    cleared = Signal()
    shots = Signal(int, object)  # student id, [ShotInfo]
    image = Signal(str, QImage)  # path, decoded at display size
    thumbnail = Signal(int, QImage)
    throughput = Signal(object)  # app.throughput.Throughput
    recent = Signal(object)  # [app.workflow.RecentItem]
    camera_status = Signal(object)  # capture CameraStatus
    camera_problem = Signal(str, str)  # message, code
    camera_ok = Signal()
    qc_state = Signal(str, str)  # "loading" | "ready" | "failed", detail
    failed = Signal(str, object)  # action, exception (a WorkflowError carries .message)
    done = Signal(str, object)  # action, result (unlisted, issue, settings, ...)
    recovery = Signal(object)  # app.workflow.RecoveryResult: the start-up check, then the checksum pass
    waiting = Signal(object)  # [app.workflow.WaitingShot]: photos that belong to no student
    waiting_count = Signal(int)
    assigned = Signal(object)  # app.workflow.Assigned
    discarded = Signal(object)  # ShotInfo
    _future_done = Signal(object, object, object)  # a Future and its (on_done, on_error), back on the UI thread

    def __init__(self, workflow: Workflow, *, camera: Any = None, camera_options: dict | None = None,
                 parent=None):
        super().__init__(parent)
        self.workflow = workflow
        self.sequence = ShotSequence(workflow)
        self.runner = Runner(self, threads=3)
        # The sequence's events, one at a time and in the order they happened.
        self.events = Runner(self, threads=1)
        # Long jobs (checksums, reports, the delivery, a roster import) run on the worker pool's niced
        # threads (ui/workers.py), so they never hold up the student in front of the camera.
        self.jobs = Runner(self, threads=2, low_priority=True)
        self._stop_jobs = threading.Event()
        self.bridge = CameraBridge(self)
        self.bridge.event.connect(self._on_camera_event)
        self._future_done.connect(self._on_future_done)
        self._camera_spec = camera
        self._camera_options = camera_options or {}
        self._reconnect = QTimer(self)
        self._reconnect.setSingleShot(True)
        self._reconnect.timeout.connect(self.open_camera)
        self._tp_timer = QTimer(self)
        self._tp_timer.timeout.connect(self._tick)
        self.display_size = (1200, 1200)
        self.camera_connected = False
        self.qc_ready = False
        self._stopping = False
        self._live = False
        self.site = SiteStatus(workflow.db, self)  # site mode: the replicator thread (none without site.url)

    # --- start and stop ---------------------------------------------------------

    def start(self, *, with_camera: bool = True, with_qc: bool = True, with_recovery: bool = True) -> None:
        self.site.start()
        if with_qc and self.workflow.checker is not None:  # loaded already (a second window, tests)
            self._qc_loaded(self.workflow.checker)
        elif with_qc:
            self.qc_state.emit("loading", "")
            self.runner.submit(self.workflow.load_checker, on_done=self._qc_loaded, on_error=self._qc_failed)
        if with_recovery:
            # Before the camera: a photo being saved must not be taken for one the database lost.
            def then(result) -> None:
                self._recovered(result)
                if with_camera:
                    self.open_camera()
                self.jobs.submit(self.workflow.verify_files, stop=self._stop_jobs, on_done=self._recovered,
                                 on_error=lambda e: self.failed.emit("recovery", e))

            def failed(exc) -> None:
                self.failed.emit("recovery", exc)
                if with_camera:
                    self.open_camera()

            self.runner.submit(self.workflow.recover, on_done=then, on_error=failed)
        elif with_camera:
            self.open_camera()
        self.refresh_throughput()
        self.load_pending()
        self._tp_timer.start(THROUGHPUT_MS)

    def _recovered(self, result) -> None:
        self.recovery.emit(result)
        self.waiting_count.emit(result.waiting)

    def open_camera(self) -> None:
        if self._stopping:
            return
        self.runner.submit(self.workflow.open_camera, self.bridge.sink, self._camera_spec,
                           **self._camera_options, on_done=self._camera_opened, on_error=self._camera_failed)

    def stop(self) -> None:
        self._stopping = True
        self._stop_jobs.set()
        self._reconnect.stop()
        self._tp_timer.stop()
        self.site.stop()
        self.events.wait(5_000)
        try:
            self.sequence.close()  # a student with photos and none accepted stays pending
        except Exception as exc:
            log.warning("closing the shot sequence: %s", exc)
        try:
            self.workflow.close()
        except Exception as exc:  # the camera may already be gone
            log.warning("closing the camera: %s", exc)
        self.runner.wait(10_000)
        self.jobs.wait(30_000)  # an export in progress finishes its photo; the next run resumes

    def _qc_loaded(self, checker) -> None:
        self.qc_ready = True
        profile = getattr(getattr(checker, "profile", None), "name", "")
        self.qc_state.emit("ready", str(profile or ""))

    def _qc_failed(self, exc) -> None:
        self.qc_state.emit("failed", str(getattr(exc, "message", exc)))

    def _camera_opened(self, camera) -> None:
        status = getattr(camera, "status", None)
        if status is not None:
            self._on_status(status)

    def _camera_failed(self, exc) -> None:
        self.camera_connected = False
        self.camera_problem.emit(str(getattr(exc, "message", exc)), getattr(exc, "code", "no_camera") or "no_camera")
        if not self._stopping:
            self._reconnect.start(RECONNECT_MS)

    # --- camera events (already on the UI thread) ---------------------------------

    def _on_camera_event(self, ev) -> None:
        if ev.kind == "status" and ev.status is not None:
            self._on_status(ev.status)
        elif ev.kind == "error":
            self.failed.emit("camera", ev)
            self.send("camera_failed", ev.error or "")
            if ev.code in ("disconnected", "no_camera", "usb_claimed", "asleep"):
                self.camera_connected = False
                self.camera_problem.emit(ev.error or "", ev.code or "")
        elif ev.kind == "photo" and ev.photo is not None:
            self._on_photo(ev.photo)

    def _on_status(self, status) -> None:
        was = self.camera_connected
        self.camera_connected = bool(status.connected)
        self.camera_status.emit(status)
        if status.connected and not was:
            self.camera_ok.emit()
        elif not status.connected:
            self.camera_problem.emit(status.message or "", "disconnected")

    def _on_photo(self, photo) -> None:
        self.photo_arrived.emit(photo)
        self.load_image(str(photo.path))
        # recorded in order with the other events; the check then starts from the photo's own decoded image
        self.events.submit(self.sequence.photo_arrived, photo, on_done=lambda view: self._on_view(view, photo),
                           on_error=lambda e: self.failed.emit("photo_arrived", e))

    # --- the shot sequence: events in, views out --------------------------------------

    def send(self, event: str, *args: Any, **kwargs: Any) -> None:
        """One event for the shot sequence (scan, shutter, enter, r, view, f4, esc, ...), queued in order."""
        self.events.submit(getattr(self.sequence, event), *args, **kwargs, on_done=self._on_view,
                           on_error=lambda e: self.failed.emit(event, e))

    def _on_view(self, view, photo=None) -> None:
        found = view.identified
        if view.recorded is not None:
            self._recorded(view.recorded, photo)
        if found is not None:
            if found.accepted_previous is not None:
                self.refresh_throughput()
            self.identified.emit(found)
            if found.card is not None:
                self.load_shots(found.card.id)
            if found.pending is not None:
                self.refresh_waiting_count()
        if view.accepted is not None:
            self.accepted.emit(view.accepted)
            self.site.kick()  # the other stations and the marshal learn of it at once
            self.refresh_throughput()
            self.load_shots(view.accepted.student.id)
            self.load_pending()
        elif view.outcome == "retake" and view.student is not None:
            self.load_shots(view.student.id)
        self.view.emit(view)

    def _recorded(self, shot, photo=None) -> None:
        self.shot_recorded.emit(shot)
        if shot.student_id is None:
            self.refresh_waiting_count()
        if shot.qc_verdict is not None:  # a pending student's photo, checked before
            self._checked(shot, send=False)
            return
        # On the checks' own thread (no worker waits for it); the verdict comes back as a signal.
        self._when_done(self.workflow.submit_check(shot, photo), self._checked,
                        lambda e: self.failed.emit("check", e))

    def _when_done(self, future, on_done, on_error) -> None:
        """``on_done(result)`` / ``on_error(exc)`` on the UI thread when ``future`` (run elsewhere) is done."""
        def hand_over(f) -> None:
            try:
                self._future_done.emit(f, on_done, on_error)
            except RuntimeError:  # the window is gone; what the future did (a verdict stored) stands
                pass

        future.add_done_callback(hand_over)

    def _on_future_done(self, future, on_done, on_error) -> None:
        try:
            result = future.result()
        except Exception as exc:
            on_error(exc)
            return
        on_done(result)

    def _checked(self, shot, send: bool = True) -> None:
        if send:
            self.send("verdict_arrived", shot)
        self.shot_checked.emit(shot)
        if shot.student_id is not None:
            self.load_shots(shot.student_id)

    # --- the photographer's actions (each one an event of the sequence) --------------------

    def identify(self, code: str, scanned: bool) -> None:
        self.send("scan" if scanned else "typed", code)

    def choose(self, student_id: int) -> None:
        self.send("choose", student_id)

    def search(self, query: str) -> None:
        self.runner.submit(self.workflow.search, query, on_done=lambda cards: self.candidates.emit(query, cards),
                           on_error=lambda e: self.failed.emit("search", e))

    def shoot(self) -> None:
        self.send("shutter")

    def add_unlisted(self, values: dict) -> None:
        self.send("add_unlisted", **values)

    def load_pending(self) -> None:
        """The students photographed with nothing accepted (the window offers to finish them)."""
        self.runner.submit(self.workflow.pending_students, on_done=self.pending.emit,
                           on_error=lambda e: self.failed.emit("throughput", e))

    def report_issue(self, values: dict) -> None:
        self.runner.submit(self.workflow.report_data_issue, values["kind"], correct_value=values["correct_value"],
                           note=values["note"], student_id=values.get("student_id"),
                           on_done=lambda r: self.done.emit("issue", r),
                           on_error=lambda e: self.failed.emit("issue", e))

    def apply_settings(self, changes: dict) -> None:
        """Save changed settings and take them up; a new QC profile reloads the checks."""
        def work():
            SettingsService(self.workflow.db).save(changes)
            return self.workflow.reload_settings()

        def done(profile_changed: bool) -> None:
            if profile_changed:
                self.qc_ready = False
                self.qc_state.emit("loading", "")
                self.runner.submit(self.workflow.load_checker, on_done=self._qc_loaded, on_error=self._qc_failed)
            self.done.emit("settings", changes)

        self.runner.submit(work, on_done=done, on_error=lambda e: self.failed.emit("settings", e))

    def run(self, action: str, fn, *args, **kwargs) -> None:
        """Any other blocking call (settings, ...): done/failed carry ``action``."""
        self.runner.submit(fn, *args, **kwargs, on_done=lambda r: self.done.emit(action, r),
                           on_error=lambda e: self.failed.emit(action, e))

    def set_live_view(self, on: bool) -> None:
        """Live view while a student sits in front of the camera (a queued command: returns at once)."""
        cam = self.workflow.camera
        if cam is None or on == self._live:
            return
        self._live = on
        try:
            cam.set_live_view(on)
        except Exception as exc:  # never worth more than a log line: the last photo is shown instead
            log.warning("live view: %s", exc)

    # --- photos waiting for a student -------------------------------------------------

    def load_waiting(self) -> None:
        def done(items) -> None:
            self.waiting.emit(items)
            self.waiting_count.emit(len(items))

        self.runner.submit(self.workflow.waiting_shots, on_done=done,
                           on_error=lambda e: self.failed.emit("waiting", e))

    def refresh_waiting_count(self) -> None:
        self.runner.submit(self.workflow.waiting_count, on_done=self.waiting_count.emit,
                           on_error=lambda e: self.failed.emit("throughput", e))

    def assign(self, shot_id: int, student_id: int, select_if_none: bool = True) -> None:
        def done(result) -> None:
            self.assigned.emit(result)
            self.load_waiting()
            if result.selected:
                self.refresh_throughput()

        def failed(exc) -> None:
            self.failed.emit("assign", exc)

        # the photo is given on a worker; its check runs on the checks' thread and no worker waits for it
        self.runner.submit(self.workflow.assign_shot_async, shot_id, student_id, select_if_none=select_if_none,
                           on_done=lambda future: self._when_done(future, done, failed), on_error=failed)

    def discard(self, shot_id: int, note: str = "") -> None:
        def done(result) -> None:
            self.discarded.emit(result)
            self.load_waiting()

        self.runner.submit(self.workflow.discard_shot, shot_id, note, on_done=done,
                           on_error=lambda e: self.failed.emit("discard", e))

    # --- reading -------------------------------------------------------------------

    def load_shots(self, student_id: int) -> None:
        self.runner.submit(self.workflow.shots_of, student_id, on_done=lambda s: self.shots.emit(student_id, s))

    def load_image(self, path: str) -> None:
        w, h = self.display_size
        self.runner.submit(load_scaled, path, w, h, on_done=lambda img: self.image.emit(path, img),
                           on_error=lambda e: self.failed.emit("image", e))

    def load_thumbnail(self, shot_id: int, path: str, size: tuple[int, int] = (96, 128)) -> None:
        self.runner.submit(load_scaled, path, *size, on_done=lambda img: self.thumbnail.emit(shot_id, img))

    def _tick(self) -> None:
        self.refresh_throughput()
        self.refresh_waiting_count()  # a camera-button photo nobody claimed joins the list after the grace

    def refresh_throughput(self) -> None:
        self.runner.submit(self.workflow.throughput, on_done=self.throughput.emit,
                           on_error=lambda e: self.failed.emit("throughput", e))
        self.runner.submit(self.workflow.recent, 8, on_done=self.recent.emit,
                           on_error=lambda e: self.failed.emit("throughput", e))
