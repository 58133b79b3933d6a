"""The libgphoto2 backend: one thread owns the camera and every call to it.

The rest of the station talks to it through a command queue (``trigger``,
``set_live_view``) and hears back through ``on_event``. The thread loop
alternates between the queue (so a trigger starts at once) and
``wait_for_event`` (so camera-button shots, unplugs and a sleeping camera are
noticed within a fraction of a second).

A shot follows Entangle's sequence: capture → collect the files the camera
announces (RAW+JPEG gives two) → ``Downloader`` (capture/gp_download.py):
download each, write it durably under the name the workflow's ``namer``
gives, emit the ``photo`` event, delete it from the camera when it was shot
to camera memory → check the capture target again (capture/gp_target.py).
What the errors mean and what the operator is told is capture/gp_errors.py;
the calls themselves are capture/gp_calls.py, which keeps Python's GIL free
while libgphoto2 waits on the device (capture/gp_nogil.py), so the window
never freezes behind this thread.

libgphoto2 releases a device only when its camera object is freed, and an
exception's traceback keeps the object alive through the frames that called
it. So errors are logged as text (never the exception object, which a log
handler may keep) and a reconnect happens outside the ``except`` block.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

from capture.base import CameraBackend, CameraEvent, CaptureBusy, CaptureError, EventSink, Namer
from capture.durable import check_free_space, is_raw_name, warm_up
from capture.faultpoint import fault_point
from capture.gp_calls import GpCalls
from capture.gp_download import Downloader, PhotoGroup, group_files
from capture.gp_errors import (
    CameraGone,
    GpErrors,
    msg_asleep,
    msg_busy_saving,
    msg_camera_busy,
    msg_camera_error,
    msg_camera_full,
    msg_capture_failed,
    msg_connect_failed,
    msg_connected,
    msg_disconnected,
    msg_internal,
    msg_no_camera,
    msg_no_live_view,
    msg_stopped,
    msg_target_mismatch,
    msg_thread_failed,
    msg_usb_claimed,
)
from capture.gp_target import CaptureTarget

log = logging.getLogger(__name__)


class Gphoto2Camera(CameraBackend):
    """A USB camera (or libgphoto2's virtual camera) driven through python-gphoto2."""

    name = "gphoto2"

    def __init__(
        self,
        namer: Namer,
        on_event: EventSink,
        *,
        folder: Path | str | None = None,
        target: str = "card",
        min_free_mb: float = 0.0,
        delete_after_download: bool | None = None,
        model: str | None = None,
        port: str | None = None,
        calls: GpCalls | None = None,
        idle_wait_ms: int = 10,
        idle_queue_s: float = 0.04,
        reconnect_s: float = 1.0,
        status_every_s: float = 30.0,
        live_view_fps: float = 15.0,
    ):
        super().__init__(namer, on_event)
        self.capture_target = CaptureTarget(target)
        self.target = target
        self.folder = Path(folder) if folder else None
        self.min_free_mb = float(min_free_mb)
        self.delete_after_download = (target == "memory") if delete_after_download is None else delete_after_download
        self.model, self.port = model, port
        self._calls = calls
        self.idle_wait_ms, self.idle_queue_s = idle_wait_ms, idle_queue_s
        self.reconnect_s, self.status_every_s = reconnect_s, status_every_s
        self.live_view_interval = 1.0 / max(live_view_fps, 0.5)

        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._inflight = 0  # queued app triggers + the shot being saved
        self._cam: Any = None
        self._live_wanted = False
        self._live_supported = False
        self._last_frame = 0.0
        self._next_connect = 0.0
        self._last_connect_error: str | None = None
        self._last_status_refresh = 0.0
        self._timeouts = 0
        # made on the camera thread, where gphoto2 is imported
        self.errors: GpErrors | None = None
        self.downloader: Downloader | None = None

    # --- the interface ---------------------------------------------------

    thread_name = "camera-gphoto2"
    join_timeout = 15.0

    def _wake(self) -> None:
        self._queue.put(None)

    def trigger(self) -> None:
        t0 = time.perf_counter()
        with self._lock:
            st = self.status
            if not st.connected:
                raise CaptureError(st.message or msg_disconnected(), code="disconnected")
            if self._inflight:
                raise CaptureBusy(msg_busy_saving())
            if self.folder is not None:
                try:
                    check_free_space(self.folder, self.min_free_mb)
                except CaptureError as exc:
                    log.error("trigger refused: %s", str(exc))
                    raise
            self._inflight += 1
        self._set_status(busy=True)
        self._queue.put(("trigger", t0, datetime.now()))

    def set_live_view(self, on: bool) -> None:
        self._queue.put(("live_view", bool(on)))

    # --- events and status (also the Downloader's host interface) -------------

    def set_pending(self, n: int) -> None:
        self._set_status(pending=n)

    def _pending_count(self) -> int:
        return len(self.downloader.pending) if self.downloader else 0

    # --- the camera thread --------------------------------------------------

    def _run(self) -> None:
        try:
            warm_up()
            if self._calls is None:
                self._calls = GpCalls()
            self.gp = self._calls.gp
            self.errors = GpErrors(self.gp)
            self.downloader = Downloader(self, self.errors)
            errors_in_row = 0
            while not self._stop.is_set():
                if self._cam is None:
                    self._connect_or_wait()
                    continue
                try:
                    self._step()
                    errors_in_row = 0
                except CameraGone as gone:
                    self._lost(gone)
                except self.gp.GPhoto2Error as exc:
                    # An error code we did not classify: say it; three in a row means the camera
                    # is not really there, so start over with a fresh camera object.
                    errors_in_row += 1
                    detail = str(exc)
                    if errors_in_row >= 3:
                        self._lost(CameraGone(getattr(exc, "code", -1), detail))
                    else:
                        self.report("camera_error", msg_camera_error(detail), detail)
                        self._stop.wait(0.1)
                except Exception:
                    # A bug must not stop the camera: log it (as text, see the module doc) and go on.
                    log.error("unexpected error in the camera thread:\n%s", traceback.format_exc())
                    self.report("internal", msg_internal())
                    self._stop.wait(0.2)
        except Exception as exc:
            log.exception("the camera thread failed")
            self.report("internal", msg_thread_failed(exc))
        finally:
            self._close_camera()
            self._set_status(connected=False, busy=False, live_view=False, message=msg_stopped())

    def camera_call(self, name: str, *args: Any) -> Any:
        """One call on the open camera; errors that mean "the camera is gone" become CameraGone."""
        try:
            result = getattr(self._calls, name)(self._cam, *args)
        except self.gp.GPhoto2Error as exc:
            self.errors.raise_if_gone(exc)
            if self.errors.is_timeout(exc):
                self._timeouts += 1
                if self._timeouts >= 3:
                    self.report("asleep", msg_asleep(), str(exc))
                    raise CameraGone(exc.code, str(exc)) from exc
            raise
        self._timeouts = 0
        return result

    def _step(self) -> None:
        live = self._live_wanted and self._live_supported
        try:
            cmd = self._queue.get(timeout=0 if live else self.idle_queue_s)
        except queue.Empty:
            cmd = None
        if cmd is not None:
            self._command(cmd)
            return
        if self._stop.is_set():
            return
        if live and time.monotonic() - self._last_frame >= self.live_view_interval:
            self._preview_frame()
        kind, data = self.camera_call("wait_for_event", self.idle_wait_ms)
        if kind == self.gp.GP_EVENT_FILE_ADDED and not self.downloader.is_recent(data):
            self._button_shot(data)
        if time.monotonic() - self._last_status_refresh > self.status_every_s:
            self._refresh_status()
            self.downloader.retry_pending()

    def _command(self, cmd: tuple) -> None:
        if cmd[0] == "trigger":
            try:
                self._app_shot(cmd[1], cmd[2])
            finally:
                with self._lock:
                    self._inflight = max(0, self._inflight - 1)
                self._set_status(busy=bool(self._inflight), pending=self._pending_count())
        elif cmd[0] == "live_view":
            was = self._live_wanted and self._live_supported
            self._live_wanted = cmd[1]
            if was and not cmd[1]:
                self._viewfinder(False)  # mirror down: saves the battery and the sensor
            if cmd[1] and not self._live_supported:
                self._set_status(message=msg_no_live_view())

    # --- connecting ---------------------------------------------------------

    def _connect_or_wait(self) -> None:
        wait = self._next_connect - time.monotonic()
        if wait > 0:
            try:
                cmd = self._queue.get(timeout=wait)
            except queue.Empty:
                return
            if cmd is not None and cmd[0] == "trigger":  # raced with the disconnect
                with self._lock:
                    self._inflight = max(0, self._inflight - 1)
                self.report("disconnected", msg_disconnected())
                self._set_status(busy=bool(self._inflight))
            elif cmd is not None and cmd[0] == "live_view":
                self._live_wanted = cmd[1]
            return
        self._next_connect = time.monotonic() + self.reconnect_s
        gp, errors = self.gp, self.errors
        try:
            found = self._calls.autodetect()
            if not found:
                self._connect_failed("no_camera", msg_no_camera())
                return
            cam = self._calls.open(self.model, self.port)
        except gp.GPhoto2Error as exc:
            if errors.is_usb_claimed(exc):
                self._connect_failed("usb_claimed", msg_usb_claimed(), str(exc))
            elif errors.is_not_found(exc):
                self._connect_failed("no_camera", msg_no_camera(), str(exc))
            else:
                self._connect_failed("connect_failed", msg_connect_failed(exc), str(exc))
            return
        self._cam = cam
        self._timeouts = 0
        try:
            self._after_connect()
        except CameraGone as gone:
            self._lost(gone)
        except gp.GPhoto2Error as exc:
            log.error("camera set-up after connect failed: %s", str(exc))
            self._close_camera()
            self._connect_failed("connect_failed", msg_connect_failed(exc))

    def _connect_failed(self, code: str, message: str, detail: str | None = None) -> None:
        if code != self._last_connect_error:  # say it once, not every second
            self.report(code, message, detail)
            self._last_connect_error = code
        self._set_status(connected=False, busy=False, message=message)

    def _after_connect(self) -> None:
        model, ops = self.camera_call("abilities")
        port = self._calls.port_path(self._cam)
        target = self.capture_target.apply(self._calls, self._cam, self.errors)
        self._live_supported = self._probe_live_view(ops)
        self._last_connect_error = None
        log.info("camera connected: %s on %s (target %s, live view %s)", model, port, target, self._live_supported)
        battery, free = self._read_power_and_storage()
        self._set_status(
            connected=True,
            battery=battery,
            free_mb=free,
            model=model,
            port=port,
            live_view=self._live_supported,
            capture_target=target,
            message=msg_connected(model),
        )
        self.downloader.retry_pending()

    def _probe_live_view(self, operations: int) -> bool:
        """Probe capture_preview once per connection; the virtual camera answers 'not supported'."""
        gp = self.gp
        if not operations & gp.GP_OPERATION_CAPTURE_PREVIEW:
            return False
        try:
            self.camera_call("capture_preview")
        except gp.GPhoto2Error as exc:
            log.info("live view not available: %s", str(exc))
            return False
        # The probe put a DSLR into live view (mirror up); put it back until live view is asked for.
        self._viewfinder(False)
        return True

    def _viewfinder(self, on: bool) -> None:
        gp = self.gp
        for name in ("viewfinder", "eosviewfinder"):
            try:
                if self._calls.get_config_value(self._cam, name) is not None:
                    self._calls.set_config_value(self._cam, name, 1 if on else 0)
                    return
            except gp.GPhoto2Error as exc:
                log.info("could not set %s=%s: %s", name, on, str(exc))

    def _lost(self, gone: CameraGone) -> None:
        log.error("camera lost (%s): %s", gone.code, str(gone))
        self._close_camera()
        self.report("disconnected", msg_disconnected(), str(gone))
        self._last_connect_error = "disconnected"
        self._next_connect = time.monotonic() + min(self.reconnect_s, 0.5)
        self._set_status(connected=False, live_view=False, message=msg_disconnected(), pending=self._pending_count())

    def _close_camera(self) -> None:
        cam, self._cam = self._cam, None
        if cam is None:
            return
        try:
            self._calls.exit(cam)
        except Exception as exc:  # an unplugged camera fails its exit too; the object is dropped anyway
            log.info("camera exit after loss: %s", str(exc))

    def _reopen(self) -> None:
        """A fresh camera object on the same device (clears a camera's stuck state)."""
        self._close_camera()
        self._cam = self._calls.open(self.model, self.port)
        self.capture_target.apply(self._calls, self._cam, self.errors)

    # --- status -------------------------------------------------------------

    def _refresh_status(self) -> None:
        battery, free = self._read_power_and_storage()
        self._set_status(battery=battery, free_mb=free)

    def _read_power_and_storage(self) -> tuple[str | None, float | None]:
        self._last_status_refresh = time.monotonic()
        battery = free = None
        try:
            battery = self._calls.get_config_value(self._cam, "batterylevel")
            stores = self._calls.storage_info(self._cam)
            frees = [s.free_mb for s in stores if s.free_mb is not None]
            free = round(sum(frees), 1) if frees else None
        except self.gp.GPhoto2Error as exc:
            self.errors.raise_if_gone(exc)
            log.info("battery/storage not readable: %s", str(exc))
        return (str(battery) if battery is not None else None), free

    def _check_target_after_shot(self) -> None:
        before = self.status.capture_target
        now = self.capture_target.apply(self._calls, self._cam, self.errors)
        if now != before:
            self._set_status(capture_target=now)
        if before is not None and now != self.target:
            self.report("target", msg_target_mismatch(self.target))

    # --- live view ----------------------------------------------------------

    def _preview_frame(self) -> None:
        gp = self.gp
        self._last_frame = time.monotonic()
        try:
            jpeg = self.camera_call("capture_preview")
        except gp.GPhoto2Error as exc:
            if self.errors.is_unsupported(exc):
                self._live_supported = False
                self._set_status(live_view=False)
            else:
                log.warning("live view frame failed: %s", str(exc))
            return
        self.emit(CameraEvent(kind="preview", preview_jpeg=jpeg))

    # --- shots ----------------------------------------------------------------

    def _app_shot(self, t0: float, taken_at: datetime) -> None:
        gp, errors = self.gp, self.errors
        self.downloader.retry_pending()
        tc = time.perf_counter()
        full = False
        try:
            first = self._capture_once()
        except gp.GPhoto2Error as exc:
            if errors.is_full(exc):
                log.warning("camera reports its storage full (%s); reopening the camera once", str(exc))
                full = True
            elif errors.is_busy(exc):
                self.report("camera_busy", msg_camera_busy(), str(exc))
                return
            else:
                self.report("capture_failed", msg_capture_failed(exc), str(exc))
                return
        if full:
            # A camera (and the virtual one after 26 frames, see capture/virtual.py) that reports its
            # store full is often only stuck: a fresh session clears it. This runs outside the except
            # block on purpose: the exception's traceback holds the old camera object, and libgphoto2
            # only releases the device when that object is freed.
            try:
                self._reopen()
                first = self._capture_once()
            except gp.GPhoto2Error as exc2:
                errors.raise_if_gone(exc2)
                self.report("camera_full", msg_camera_full(), str(exc2))
                return
        capture_ms = (time.perf_counter() - tc) * 1000
        fault_point("capture.taken")  # the fault-injection harness: taken, still only on the camera
        te = time.perf_counter()
        files = [first] + self._collect_more([first])
        events_ms = (time.perf_counter() - te) * 1000
        for members in group_files(files):
            g = PhotoGroup(files=members, t0=t0, taken_at=taken_at, source="app")
            g.timings["capture_ms"] = capture_ms
            g.timings["events_ms"] = events_ms
            self.downloader.save(g)
        self._after_shot()

    def _capture_once(self) -> tuple[str, str]:
        return self.camera_call("capture")

    def _button_shot(self, first: tuple[str, str]) -> None:
        t0 = time.perf_counter()
        with self._lock:
            self._inflight += 1
        self._set_status(busy=True)
        try:
            files = [first] + self._collect_more([first])
            for members in group_files(files):
                self.downloader.save(PhotoGroup(files=members, t0=t0, taken_at=datetime.now(), source="button"))
            self._after_shot()
        finally:
            with self._lock:
                self._inflight = max(0, self._inflight - 1)
            self._set_status(busy=bool(self._inflight), pending=self._pending_count())

    def _collect_more(self, seen: list[tuple[str, str]], window_ms: int = 1) -> list[tuple[str, str]]:
        """Drain the events the camera queued with the shot (the second file of RAW+JPEG)."""
        gp = self.gp
        more: list[tuple[str, str]] = []
        for _ in range(50):
            kind, data = self.camera_call("wait_for_event", window_ms)
            if kind == gp.GP_EVENT_FILE_ADDED:
                if data not in seen and data not in more and not self.downloader.is_recent(data):
                    more.append(data)
                continue
            if kind in (gp.GP_EVENT_TIMEOUT, gp.GP_EVENT_CAPTURE_COMPLETE):
                break
        return more

    def _after_shot(self) -> None:
        try:
            self._check_target_after_shot()
            if time.monotonic() - self._last_status_refresh > 5:
                self._refresh_status()
        except self.gp.GPhoto2Error as exc:
            log.warning("status check after the shot failed: %s", str(exc))


__all__ = ["Gphoto2Camera", "CameraGone", "group_files", "is_raw_name"]
