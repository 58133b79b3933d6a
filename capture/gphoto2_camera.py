"""The libgphoto2 backend: one thread owns the camera and every call to it.

The rest of the station talks to it through a command queue (``trigger``,
``set_live_view``) and hears back through ``on_event``. The thread loop
alternates between the queue (so a trigger starts at once) and
``wait_for_event`` (so camera-button shots, unplugs and a sleeping camera are
noticed within a fraction of a second).

A shot follows Entangle's sequence: capture → collect the files the camera
announces (RAW+JPEG gives two) → download each → write it durably
(capture/durable.py) under the name the workflow's ``namer`` gives → emit the
``photo`` event → delete it from the camera when it was shot to camera memory
→ check the capture target again. A file that could not be saved (disk full,
camera pulled mid-download) is kept on the camera and in a pending list, and
retried when the disk has room or the camera is back.

libgphoto2 releases a device only when its camera object is freed, and an
exception's traceback keeps the object alive through the frames that called
it. So errors are logged as text (never the exception object, which a log
handler may keep) and a reconnect happens outside the ``except`` block.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app.i18n import t
from capture.base import CameraBackend, CameraEvent, CameraStatus, CaptureBusy, CaptureError, EventSink, Namer, SavedPhoto
from capture.durable import CorruptImage, DurableFile, check_free_space, is_jpeg_name, is_raw_name, write_durable
from capture.gp_calls import GpCalls

log = logging.getLogger(__name__)


class CameraGone(Exception):
    """The camera stopped answering (unplugged, switched off, asleep): tear down and reconnect."""

    def __init__(self, code: int, detail: str):
        super().__init__(detail)
        self.code = code


def msg_no_camera() -> str:
    return t(
        "未找到相机：请用 USB 线连接相机并打开电源（相机设为 PTP/“PC 连接”模式）。",
        "No camera found: connect the camera by USB and switch it on (PTP / PC-connection mode).",
    )


def msg_usb_claimed() -> str:
    return t(
        "无法占用相机的 USB 接口：电脑桌面的自动挂载程序（gvfs-gphoto2）正占用相机。"
        "请在文件管理器中弹出（卸载）相机，或在终端运行：gio mount -s gphoto2 ；"
        "要以后不再发生，运行：systemctl --user mask --now gvfs-gphoto2-volume-monitor ，然后重新插拔相机。"
        "松开后本机会自动连接。",
        "Could not claim the camera's USB interface: the desktop automounter (gvfs-gphoto2) holds it. "
        "Eject the camera in the file manager or run: gio mount -s gphoto2 ; to stop it for good: "
        "systemctl --user mask --now gvfs-gphoto2-volume-monitor , then replug the camera. "
        "The station connects by itself once it is free.",
    )


def msg_disconnected() -> str:
    return t(
        "相机已断开（USB 线松动、相机关机或自动休眠）。请检查连线并打开相机；若相机已休眠，请半按快门唤醒。"
        "连接恢复后本机会自动重连。",
        "Camera disconnected (loose cable, switched off or asleep). Check the cable and switch the camera on; "
        "if it went to sleep, half-press the shutter to wake it. The station reconnects by itself.",
    )


def msg_asleep() -> str:
    return t(
        "相机没有响应，可能已休眠：请半按快门唤醒相机。",
        "The camera does not answer and may be asleep: half-press the shutter to wake it.",
    )


def msg_camera_full() -> str:
    return t(
        "相机存储已满，无法拍摄：请清理相机存储卡，或在设置中把存储位置改为“相机内存”。",
        "The camera's storage is full: clear the card, or set the capture target to camera memory.",
    )


@dataclass
class _Group:
    """The files of one photo as the camera announced them: a JPEG and its RAW companion(s)."""

    files: list[tuple[str, str]]  # (camera folder, camera name), JPEG first
    t0: float
    taken_at: datetime
    source: str
    final: Path | None = None  # the namer's answer, asked once so a retry keeps the student's name
    saved: dict[tuple[str, str], DurableFile] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def main(self) -> tuple[str, str]:
        return self.files[0]


def group_files(files: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Files of one shot grouped by stem (DSC_0001.NEF + DSC_0001.JPG), JPEG first in each group."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for folder, name in files:
        groups.setdefault(name.rsplit(".", 1)[0].upper(), []).append((folder, name))
    out = []
    for members in groups.values():
        members.sort(key=lambda fn: (not is_jpeg_name(fn[1]), fn[1]))
        out.append(members)
    return out


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
        if target not in ("card", "memory"):
            raise ValueError(f"capture target must be 'card' or 'memory', not {target!r}")
        self.folder = Path(folder) if folder else None
        self.target = target
        self.min_free_mb = float(min_free_mb)
        self.delete_after_download = (target == "memory") if delete_after_download is None else delete_after_download
        self.model, self.port = model, port
        self._calls = calls
        self.idle_wait_ms, self.idle_queue_s = idle_wait_ms, idle_queue_s
        self.reconnect_s, self.status_every_s = reconnect_s, status_every_s
        self.live_view_interval = 1.0 / max(live_view_fps, 0.5)

        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._inflight = 0  # queued app triggers + the shot being saved
        self._cam: Any = None
        self._live_wanted = False
        self._live_supported = False
        self._last_frame = 0.0
        self._next_connect = 0.0
        self._last_connect_error: str | None = None
        self._last_status_refresh = 0.0
        self._pending: list[_Group] = []
        # camera files handled in the last seconds: a late duplicate file-added event is not a new shot
        # (cameras reuse names later, after a card is cleared, so this memory is short)
        self._recent: dict[tuple[str, str], float] = {}
        self._timeouts = 0
        self._target_choice: str | None = None

    # --- the interface ---------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="camera-gphoto2", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=15)
            if self._thread.is_alive():
                log.error("the camera thread did not stop within 15 s")
            self._thread = None

    def trigger(self) -> None:
        t0 = time.perf_counter()
        with self._lock:
            st = self.status
            if not st.connected:
                raise CaptureError(st.message or msg_disconnected(), code="disconnected")
            if self._inflight:
                raise CaptureBusy(t("上一张照片还在保存，请稍候再拍", "the previous photo is still being saved"))
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

    # --- events and status ------------------------------------------------

    def _emit(self, event: CameraEvent) -> None:
        try:
            self.on_event(event)
        except Exception:
            log.exception("the camera event handler failed on a %s event", event.kind)

    def _error(self, code: str, message: str, detail: str | None = None) -> None:
        log.error("camera error [%s] %s%s", code, message, f" ({detail})" if detail else "")
        self._emit(CameraEvent(kind="error", error=message, code=code))

    def _set_status(self, **changes: Any) -> None:
        with self._status_lock:
            new = replace(self._status, **changes)
            if new == self._status:
                return
            self._status = new
        if new.connected:
            self._connected.set()
        else:
            self._connected.clear()
        self._emit(CameraEvent(kind="status", status=new))

    # --- the camera thread --------------------------------------------------

    def _run(self) -> None:
        try:
            if self._calls is None:
                self._calls = GpCalls()
            self.gp = self._calls.gp
            errors_in_row = 0
            while not self._stopping.is_set():
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
                        self._error("camera_error", t(f"相机出错：{detail}", f"camera error: {detail}"), detail)
                        self._stopping.wait(0.1)
                except Exception:
                    # A bug must not stop the camera: log it (as text, see the module doc) and go on.
                    log.error("unexpected error in the camera thread:\n%s", traceback.format_exc())
                    self._error("internal", t("相机线程内部错误（已记录日志）", "internal camera error (logged)"))
                    self._stopping.wait(0.2)
        except Exception as exc:
            log.exception("the camera thread failed")
            self._error("internal", t(f"相机线程出错: {exc}", f"camera thread failed: {exc}"))
        finally:
            self._close_camera()
            self._set_status(connected=False, busy=False, live_view=False, message=t("相机已停止", "camera stopped"))

    def _gp(self, name: str, *args: Any) -> Any:
        """One call on the open camera; errors that mean "the camera is gone" become CameraGone."""
        gp = self.gp
        try:
            result = getattr(self._calls, name)(self._cam, *args)
        except gp.GPhoto2Error as exc:
            if exc.code in self._gone_codes():
                raise CameraGone(exc.code, str(exc)) from exc
            if exc.code == gp.GP_ERROR_TIMEOUT:
                self._timeouts += 1
                if self._timeouts >= 3:
                    self._error("asleep", msg_asleep(), str(exc))
                    raise CameraGone(exc.code, str(exc)) from exc
            raise
        self._timeouts = 0
        return result

    def _gone_codes(self) -> set[int]:
        gp = self.gp
        names = (
            "GP_ERROR_IO",
            "GP_ERROR_IO_USB_FIND",
            "GP_ERROR_IO_USB_CLAIM",
            "GP_ERROR_IO_INIT",
            "GP_ERROR_IO_READ",
            "GP_ERROR_IO_WRITE",
            "GP_ERROR_IO_UPDATE",
            "GP_ERROR_IO_USB_CLEAR_HALT",
            "GP_ERROR_IO_LOCK",
            "GP_ERROR_MODEL_NOT_FOUND",
            "GP_ERROR_CAMERA_ERROR",
        )
        return {getattr(gp, n) for n in names if hasattr(gp, n)}

    def _step(self) -> None:
        live = self._live_wanted and self._live_supported
        try:
            cmd = self._queue.get(timeout=0 if live else self.idle_queue_s)
        except queue.Empty:
            cmd = None
        if cmd is not None:
            self._command(cmd)
            return
        if self._stopping.is_set():
            return
        if live and time.monotonic() - self._last_frame >= self.live_view_interval:
            self._preview_frame()
        kind, data = self._gp("wait_for_event", self.idle_wait_ms)
        if kind == self.gp.GP_EVENT_FILE_ADDED and not self._is_recent(data):
            self._button_shot(data)
        now = time.monotonic()
        if now - self._last_status_refresh > self.status_every_s:
            self._refresh_status()
            if self._pending:
                self._retry_pending()

    def _command(self, cmd: tuple) -> None:
        if cmd[0] == "trigger":
            try:
                self._app_shot(cmd[1], cmd[2])
            finally:
                with self._lock:
                    self._inflight = max(0, self._inflight - 1)
                self._set_status(busy=bool(self._inflight), pending=len(self._pending))
        elif cmd[0] == "live_view":
            was = self._live_wanted and self._live_supported
            self._live_wanted = cmd[1]
            if was and not cmd[1]:
                self._viewfinder(False)  # mirror down: saves the battery and the sensor
            if cmd[1] and not self._live_supported:
                self._set_status(
                    message=t(
                        "此相机不支持实时取景，显示最后一张照片。", "This camera has no live view; showing the last photo."
                    )
                )

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
                self._error("disconnected", msg_disconnected())
                self._set_status(busy=bool(self._inflight))
            elif cmd is not None and cmd[0] == "live_view":
                self._live_wanted = cmd[1]
            return
        self._next_connect = time.monotonic() + self.reconnect_s
        gp = self.gp
        try:
            found = self._calls.autodetect()
            if not found:
                self._connect_failed("no_camera", msg_no_camera())
                return
            cam = self._calls.open(self.model, self.port)
        except gp.GPhoto2Error as exc:
            if exc.code == gp.GP_ERROR_IO_USB_CLAIM:
                self._connect_failed("usb_claimed", msg_usb_claimed(), str(exc))
            elif exc.code in (gp.GP_ERROR_MODEL_NOT_FOUND, gp.GP_ERROR_IO_USB_FIND):
                self._connect_failed("no_camera", msg_no_camera(), str(exc))
            else:
                self._connect_failed(
                    "connect_failed", t(f"无法连接相机：{exc}", f"Could not connect to the camera: {exc}"), str(exc)
                )
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
            self._connect_failed("connect_failed", t(f"无法连接相机：{exc}", f"Could not connect to the camera: {exc}"))

    def _connect_failed(self, code: str, message: str, detail: str | None = None) -> None:
        if code != self._last_connect_error:  # say it once, not every second
            self._error(code, message, detail)
            self._last_connect_error = code
        self._set_status(connected=False, busy=False, message=message)

    def _after_connect(self) -> None:
        model, ops = self._gp("abilities")
        port = self._calls.port_path(self._cam)
        target = self._apply_target()
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
            message=t(f"相机已连接：{model}", f"Camera connected: {model}"),
        )
        if self._pending:
            self._retry_pending()

    def _probe_live_view(self, operations: int) -> bool:
        """Probe capture_preview once per connection; the virtual camera answers 'not supported'."""
        gp = self.gp
        if not operations & gp.GP_OPERATION_CAPTURE_PREVIEW:
            return False
        try:
            self._gp("capture_preview")
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
        self._error("disconnected", msg_disconnected(), str(gone))
        self._last_connect_error = "disconnected"
        self._next_connect = time.monotonic() + min(self.reconnect_s, 0.5)
        self._set_status(connected=False, live_view=False, message=msg_disconnected(), pending=len(self._pending))

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
        self._apply_target()

    # --- capture target, status -------------------------------------------

    def _apply_target(self) -> str | None:
        """Set the capture target (card or memory) and return what the camera reports."""
        gp = self.gp
        try:
            if self._target_choice is None:
                choices = self._calls.config_choices(self._cam, "capturetarget")
                self._target_choice = _choose_target(choices, self.target)
            current = self._calls.get_config_value(self._cam, "capturetarget")
            if current is None:
                return None
            if self._target_choice and current != self._target_choice:
                log.info("capture target was %r; setting %r", current, self._target_choice)
                self._calls.set_config_value(self._cam, "capturetarget", self._target_choice)
                current = self._calls.get_config_value(self._cam, "capturetarget")
        except gp.GPhoto2Error as exc:
            if exc.code in self._gone_codes():
                raise CameraGone(exc.code, str(exc)) from exc
            log.warning("could not check the capture target: %s", str(exc))
            return None
        return _target_kind(current)

    def _check_target_after_shot(self) -> None:
        before = self.status.capture_target
        now = self._apply_target()
        if now != before:
            self._set_status(capture_target=now)
        if before is not None and now != self.target:
            self._error(
                "target",
                t(
                    f"相机的存储位置不是设置的“{_target_zh(self.target)}”，请在相机上检查。",
                    f"The camera's capture target is not the configured {self.target}; check the camera.",
                ),
            )

    def _refresh_status(self) -> None:
        battery, free = self._read_power_and_storage()
        self._set_status(battery=battery, free_mb=free)

    def _read_power_and_storage(self) -> tuple[str | None, float | None]:
        gp = self.gp
        self._last_status_refresh = time.monotonic()
        battery = free = None
        try:
            battery = self._calls.get_config_value(self._cam, "batterylevel")
            stores = self._calls.storage_info(self._cam)
            frees = [s.free_mb for s in stores if s.free_mb is not None]
            free = round(sum(frees), 1) if frees else None
        except gp.GPhoto2Error as exc:
            if exc.code in self._gone_codes():
                raise CameraGone(exc.code, str(exc)) from exc
            log.info("battery/storage not readable: %s", str(exc))
        return (str(battery) if battery is not None else None), free

    # --- live view ----------------------------------------------------------

    def _preview_frame(self) -> None:
        gp = self.gp
        self._last_frame = time.monotonic()
        try:
            jpeg = self._gp("capture_preview")
        except gp.GPhoto2Error as exc:
            if exc.code == gp.GP_ERROR_NOT_SUPPORTED:
                self._live_supported = False
                self._set_status(live_view=False)
            else:
                log.warning("live view frame failed: %s", str(exc))
            return
        self._emit(CameraEvent(kind="preview", preview_jpeg=jpeg))

    # --- shots ----------------------------------------------------------------

    def _app_shot(self, t0: float, taken_at: datetime) -> None:
        gp = self.gp
        if self._pending:
            self._retry_pending()
        tc = time.perf_counter()
        full = False
        try:
            first = self._capture_once()
        except gp.GPhoto2Error as exc:
            if exc.code in (gp.GP_ERROR_NO_MEMORY, getattr(gp, "GP_ERROR_NO_SPACE", -115)):
                log.warning("camera reports its storage full (%s); reopening the camera once", str(exc))
                full = True
            elif exc.code == gp.GP_ERROR_CAMERA_BUSY:
                self._error("camera_busy", t("相机忙（可能正在对焦或写卡），请再按一次拍摄", "camera busy; shoot again"), str(exc))
                return
            else:
                self._error(
                    "capture_failed",
                    t(f"拍摄失败：{exc}（请检查对焦、镜头盖和相机设置）", f"Capture failed: {exc} (check focus, lens cap, settings)"),
                    str(exc),
                )
                return
        if full:
            # A camera (and the virtual one after 26 frames) that reports its store full is often
            # only stuck: a fresh session clears it. This runs outside the except block on purpose:
            # the exception's traceback holds the old camera object, and libgphoto2 only releases
            # the device when that object is freed.
            try:
                self._reopen()
                first = self._capture_once()
            except gp.GPhoto2Error as exc2:
                if exc2.code in self._gone_codes():
                    raise CameraGone(exc2.code, str(exc2)) from exc2
                self._error("camera_full", msg_camera_full(), str(exc2))
                return
        capture_ms = (time.perf_counter() - tc) * 1000
        files = [first] + self._collect_more([first])
        for members in group_files(files):
            g = _Group(files=members, t0=t0, taken_at=taken_at, source="app")
            g.timings["capture_ms"] = capture_ms
            self._save_group(g)
        self._after_shot()

    def _capture_once(self) -> tuple[str, str]:
        return self._gp("capture")

    def _button_shot(self, first: tuple[str, str]) -> None:
        t0 = time.perf_counter()
        with self._lock:
            self._inflight += 1
        self._set_status(busy=True)
        try:
            files = [first] + self._collect_more([first])
            for members in group_files(files):
                self._save_group(_Group(files=members, t0=t0, taken_at=datetime.now(), source="button"))
            self._after_shot()
        finally:
            with self._lock:
                self._inflight = max(0, self._inflight - 1)
            self._set_status(busy=bool(self._inflight), pending=len(self._pending))

    def _collect_more(self, seen: list[tuple[str, str]], window_ms: int = 1) -> list[tuple[str, str]]:
        """Drain the events the camera queued with the shot (the second file of RAW+JPEG)."""
        gp = self.gp
        more: list[tuple[str, str]] = []
        for _ in range(50):
            kind, data = self._gp("wait_for_event", window_ms)
            if kind == gp.GP_EVENT_FILE_ADDED:
                if data not in seen and data not in more and not self._is_recent(data):
                    more.append(data)
                continue
            if kind in (gp.GP_EVENT_TIMEOUT, gp.GP_EVENT_CAPTURE_COMPLETE):
                break
        return more

    def _save_group(self, g: _Group) -> bool:
        """Download and store one photo's files; True when the photo event went out."""
        gp = self.gp
        folder, name = g.main
        try:
            if g.final is None:
                ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ".jpg"
                g.final = Path(self.namer(ext))
            for cam_file in g.files:
                if cam_file in g.saved:
                    continue
                path = g.final if cam_file == g.main else g.final.with_suffix("." + cam_file[1].rsplit(".", 1)[-1].lower())
                g.saved[cam_file] = self._download_to(g, cam_file, path)
        except CameraGone:
            self._keep_pending(g)
            raise
        except gp.GPhoto2Error as exc:
            if exc.code in (gp.GP_ERROR_FILE_NOT_FOUND, gp.GP_ERROR_DIRECTORY_NOT_FOUND):
                self._drop_pending(g)
                self._error(
                    "download_lost",
                    t(
                        f"相机上已找不到照片 {name}（相机断开时内存中的照片可能已丢失），请为这位学生重拍。",
                        f"Photo {name} is no longer on the camera (lost when it disconnected); please retake.",
                    ),
                    str(exc),
                )
                return False
            self._keep_pending(g)
            self._error(
                "download_failed",
                t(
                    f"照片 {name} 未能从相机下载：{exc}。照片仍在相机中，稍后自动重试。",
                    f"Photo {name} could not be downloaded: {exc}. It stays on the camera and is retried.",
                ),
                str(exc),
            )
            return False
        except CaptureError as exc:
            self._keep_pending(g)
            extra = t(f"（照片仍在相机中：{name}，稍后自动重试）", f" (the photo stays on the camera as {name} and is retried)")
            self._error(exc.code, f"{exc}{extra}")
            return False
        except Exception as exc:  # the namer or the disk failed in a way we did not foresee: keep the photo
            log.exception("saving %s failed", name)
            self._keep_pending(g)
            self._error("save_failed", t(f"照片 {name} 保存失败：{exc}（照片仍在相机中）", f"saving {name} failed: {exc}"))
            return False
        self._drop_pending(g)
        main = g.saved[g.main]
        done = time.perf_counter()
        ms = (done - g.t0) * 1000
        g.timings["total_ms"] = ms
        if not is_jpeg_name(main.path):
            self._error(
                "raw_only",
                t(
                    f"相机只拍了 RAW（{main.path.name}），已保存但无法检查。请把相机设为 JPEG 或 RAW+JPEG。",
                    f"The camera shot RAW only ({main.path.name}); saved but not checkable. Set JPEG or RAW+JPEG.",
                ),
            )
            return False
        photo = SavedPhoto(
            path=main.path,
            sha256=main.sha256,
            bytes=main.bytes,
            ms=round(ms, 1),
            taken_at=g.taken_at,
            source=g.source,
            camera_name=name,
            companions=tuple(d.path for f, d in g.saved.items() if f != g.main),
            width=main.width,
            height=main.height,
            timings=dict(g.timings),
        )
        log.info("photo %s (%s, %d bytes) durable in %.1f ms", photo.path, name, photo.bytes, ms)
        self._emit(CameraEvent(kind="photo", photo=photo))
        now = time.monotonic()
        self._recent = {f: at for f, at in self._recent.items() if now - at < self.RECENT_S}
        self._recent.update((f, now) for f in g.files)
        if self.delete_after_download:
            for f in g.files:
                try:
                    self._gp("file_delete", *f)
                except gp.GPhoto2Error as exc:
                    log.warning("could not delete %s/%s from the camera: %s", f[0], f[1], str(exc))
        return True

    def _download_to(self, g: _Group, cam_file: tuple[str, str], path: Path) -> DurableFile:
        gp = self.gp
        damaged: list[str] = []  # sha256 of each download that failed the strict check
        for attempt in range(4):
            td = time.perf_counter()
            try:
                download = self._gp("file_get", *cam_file)
            except gp.GPhoto2Error as exc:
                if exc.code in (gp.GP_ERROR_TIMEOUT, gp.GP_ERROR_CAMERA_BUSY) and attempt < 2:
                    log.warning("download of %s failed (%s); retrying", cam_file[1], str(exc))
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise
            ts = time.perf_counter()
            g.timings["download_ms"] = g.timings.get("download_ms", 0.0) + (ts - td) * 1000
            verify: bool | str | None = is_jpeg_name(cam_file[1]) or None
            if len(damaged) >= 2 and len(set(damaged)) == 1:
                # The same bytes, downloaded again and again: that is the camera's file as it is
                # (some firmware writes JPEGs libjpeg frowns at). Keep it if it decodes at all.
                verify = "lenient"
            try:
                durable = write_durable(download.data, path, verify=verify)
            except CorruptImage as exc:
                if attempt < 3:
                    log.warning("%s arrived damaged (%s); downloading again", cam_file[1], str(exc))
                    damaged.append(hashlib.sha256(download.data).hexdigest())
                    continue
                raise
            if verify == "lenient":
                self._error(
                    "jpeg_warning",
                    t(
                        f"相机的照片 {cam_file[1]} 有轻微的数据错误，已保存；请查看画面是否完好，必要时重拍。",
                        f"{cam_file[1]} has minor data errors; saved anyway. Check the picture; retake if needed.",
                    ),
                )
            g.timings["save_ms"] = g.timings.get("save_ms", 0.0) + (time.perf_counter() - ts) * 1000
            g.timings["verify_ms"] = durable.verify_ms
            return durable
        raise AssertionError("unreachable")

    RECENT_S = 2.0

    def _is_recent(self, cam_file: tuple[str, str]) -> bool:
        at = self._recent.get(cam_file)
        return at is not None and time.monotonic() - at < self.RECENT_S

    def _keep_pending(self, g: _Group) -> None:
        if g not in self._pending:
            self._pending.append(g)
        self._set_status(pending=len(self._pending))

    def _drop_pending(self, g: _Group) -> None:
        if g in self._pending:
            self._pending.remove(g)
            self._set_status(pending=len(self._pending))

    def _retry_pending(self) -> None:
        if self.folder is not None:
            try:
                check_free_space(self.folder, 0)
            except CaptureError:
                return
        for g in list(self._pending):
            log.info("retrying the download of %s", g.main[1])
            self._save_group(g)

    def _after_shot(self) -> None:
        gp = self.gp
        try:
            self._check_target_after_shot()
            if time.monotonic() - self._last_status_refresh > 5:
                self._refresh_status()
        except gp.GPhoto2Error as exc:
            log.warning("status check after the shot failed: %s", str(exc))


def _choose_target(choices: list[str], target: str) -> str | None:
    low = [c.lower() for c in choices]
    if target == "card":
        for c, lc in zip(choices, low):
            if "card" in lc and "ram" not in lc:
                return c
        for c, lc in zip(choices, low):
            if "card" in lc:
                return c
    else:
        for c, lc in zip(choices, low):
            if ("ram" in lc or "memory" in lc or "sdram" in lc) and "card" not in lc:
                return c
    return None


def _target_kind(value: str | None) -> str | None:
    if value is None:
        return None
    return "card" if "card" in str(value).lower() else "memory"


def _target_zh(target: str) -> str:
    return "存储卡" if target == "card" else "相机内存"


__all__ = ["Gphoto2Camera", "CameraGone", "group_files", "is_raw_name"]
