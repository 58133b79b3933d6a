"""The webcam backend (OpenCV VideoCapture): stations without a DSLR, and framing.

``device`` is a camera index (0, 1...) or anything VideoCapture opens: a
video file, an image sequence such as ``frames/%03d.jpg``, a stream URL. A
file source rewinds at its end, which is how the tests and a camera-less
station run it for real. Live view is the stream itself, downscaled to a
small JPEG per frame; a shot encodes the next full frame as a JPEG and
writes it durably like any other photo.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from capture.base import CameraBackend, CameraEvent, CaptureBusy, CaptureError, EventSink, Namer, SavedPhoto, resolve_name
from capture.durable import check_free_space, warm_up, write_durable
from capture.i18n import t

log = logging.getLogger(__name__)


def import_cv2():
    """cv2 from opencv-contrib-python; its import points Qt at OpenCV's own Qt 5 plugins, which
    would break the PySide6 window, so the variable is put back as it was."""
    before = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    import cv2

    if before is None:
        os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    else:
        os.environ["QT_QPA_PLATFORM_PLUGIN_PATH"] = before
    return cv2


class Webcam(CameraBackend):
    name = "webcam"

    def __init__(
        self,
        namer: Namer,
        on_event: EventSink,
        *,
        device: int | str = 0,
        folder: Path | str | None = None,
        min_free_mb: float = 0.0,
        jpeg_quality: int = 95,
        live_view_fps: float = 15.0,
        preview_width: int = 640,
        reconnect_s: float = 1.0,
        frame_size: tuple[int, int] | None = None,
    ):
        super().__init__(namer, on_event)
        if isinstance(device, str) and device.strip().isdigit():
            device = int(device)
        self.device = device
        self.folder = Path(folder) if folder else None
        self.min_free_mb = float(min_free_mb)
        self.jpeg_quality = int(jpeg_quality)
        self.frame_interval = 1.0 / max(live_view_fps, 0.5)
        self.preview_width = preview_width
        self.reconnect_s = reconnect_s
        self.frame_size = frame_size
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._inflight = 0
        self._live = False
        self._cap: Any = None
        self._said: str | None = None

    @property
    def _is_file(self) -> bool:
        return isinstance(self.device, str) and ("%" in self.device or Path(self.device).exists())

    thread_name = "camera-webcam"

    def _wake(self) -> None:
        self._queue.put(None)

    def trigger(self) -> None:
        t0 = time.perf_counter()
        with self._lock:
            st = self.status
            if not st.connected:
                raise CaptureError(st.message or t("摄像头未连接", "webcam not connected"), code="disconnected")
            if self._inflight:
                raise CaptureBusy(t("上一张照片还在保存，请稍候再拍", "the previous photo is still being saved"))
            if self.folder is not None:
                check_free_space(self.folder, self.min_free_mb)
            self._inflight += 1
        self._set_status(busy=True)
        self._queue.put(("trigger", t0, datetime.now()))

    def set_live_view(self, on: bool) -> None:
        self._queue.put(("live_view", bool(on)))

    # --- internals -------------------------------------------------------

    def _run(self) -> None:
        try:
            warm_up()
            self.cv2 = import_cv2()
            while not self._stop.is_set():
                if self._cap is None and not self._open():
                    self._wait_command(self.reconnect_s)
                    continue
                self._wait_command(0 if self._live else 0.05)
                if self._live and self._cap is not None and not self._stop.is_set():
                    self._preview()
        except Exception as exc:
            log.exception("the webcam thread failed")
            self.report("internal", t(f"摄像头线程出错: {exc}", f"webcam thread failed: {exc}"))
        finally:
            if self._cap is not None:
                self._cap.release()
                self._cap = None
            self._set_status(connected=False, busy=False, live_view=False)

    def _open(self) -> bool:
        cv2 = self.cv2
        cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            if self._said != "no_camera":
                self._said = "no_camera"
                msg = t(f"未找到摄像头（{self.device}）：请检查连接。", f"No webcam found ({self.device}): check the connection.")
                self.report("no_camera", msg)
                self._set_status(connected=False, message=msg)
            return False
        if self.frame_size and not self._is_file:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.frame_size[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.frame_size[1])
        if not self._is_file:
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # a shot is the current frame, not one from the queue
        self._cap = cap
        self._said = None
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._set_status(
            connected=True,
            model=t(f"摄像头 {w}×{h}", f"webcam {w}x{h}"),
            port=str(self.device),
            live_view=True,
            message=t("摄像头已连接", "webcam connected"),
        )
        return True

    def _wait_command(self, timeout: float) -> None:
        try:
            cmd = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return
        if cmd is None:
            return
        if cmd[0] == "live_view":
            self._live = cmd[1]
        elif cmd[0] == "trigger":
            try:
                self._shoot(cmd[1], cmd[2])
            finally:
                with self._lock:
                    self._inflight = max(0, self._inflight - 1)
                self._set_status(busy=bool(self._inflight))

    def _frame(self):
        ok, frame = self._cap.read()
        if not ok and self._is_file:
            self._cap.set(self.cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
            if not ok:  # image sequences do not seek: reopen
                self._cap.release()
                self._cap = self.cv2.VideoCapture(self.device)
                ok, frame = self._cap.read()
        if not ok:
            self._cap.release()
            self._cap = None
            msg = t("摄像头断开，正在重连…", "webcam disconnected; reconnecting")
            self.report("disconnected", msg)
            self._set_status(connected=False, live_view=False, message=msg)
            return None
        return frame

    def _preview(self) -> None:
        time.sleep(max(0.0, self.frame_interval - 0.001))
        frame = self._frame()
        if frame is None:
            return
        cv2 = self.cv2
        h, w = frame.shape[:2]
        if w > self.preview_width:
            frame = cv2.resize(frame, (self.preview_width, int(h * self.preview_width / w)), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
        if ok:
            self.emit(CameraEvent(kind="preview", preview_jpeg=buf.tobytes()))

    def _shoot(self, t0: float, taken_at: datetime) -> None:
        cv2 = self.cv2
        frame = self._frame()
        if frame is None:
            return
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            self.report("capture_failed", t("摄像头画面无法编码为 JPEG", "could not encode the frame as JPEG"))
            return
        try:
            named = resolve_name(self.namer(".jpg"))
            d = write_durable(buf, named.path, decode=self.decoder)
        except CaptureError as exc:
            self.report(exc.code, str(exc))
            return
        ms = (time.perf_counter() - t0) * 1000
        self.emit(
            CameraEvent(
                kind="photo",
                photo=SavedPhoto(
                    path=d.path,
                    sha256=d.sha256,
                    bytes=d.bytes,
                    ms=round(ms, 1),
                    taken_at=taken_at,
                    source="webcam",
                    width=d.width,
                    height=d.height,
                    timings={"save_ms": d.write_ms, "verify_ms": d.verify_ms, "total_ms": ms},
                    identity=named.identity,
                    decoded=d.decoded,
                ),
            )
        )
