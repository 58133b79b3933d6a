"""Live view in the photo area: through the camera seam (a GpCalls whose capture_preview returns
generated frames, over libgphoto2's virtual camera, which has no preview of its own), with the crop
frame and eye line drawn over it, at 10 frames a second or more without stalling the window, and
paused while a shot is taken."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models import Student
from capture.gp_calls import GpCalls

WAIT_MS = 30_000


def frames(n: int = 24, size=(960, 640)) -> list[bytes]:
    """Live-view JPEGs as a DSLR sends them (3:2, ~1000 px): a gradient with a moving bright bar."""
    w, h = size
    base = np.zeros((h, w, 3), np.uint8)
    base[..., 0] = np.linspace(30, 160, w, dtype=np.uint8)[None, :]
    base[..., 2] = np.linspace(160, 40, h, dtype=np.uint8)[:, None]
    out = []
    for i in range(n):
        f = base.copy()
        x = (i * w // n) % w
        f[:, x:x + 20] = 250
        buf = io.BytesIO()
        Image.fromarray(f).save(buf, "JPEG", quality=80)
        out.append(buf.getvalue())
    return out


class PreviewCalls(GpCalls):
    """The real library underneath; the camera says it can preview and previews generated frames."""

    def __init__(self):
        super().__init__()
        self.frames = frames()
        self.served = 0
        self.during_capture = 0  # previews asked for while a shot was being taken
        self.capturing = threading.Event()

    def abilities(self, cam):
        model, ops = super().abilities(cam)
        return model, ops | self.gp.GP_OPERATION_CAPTURE_PREVIEW

    def capture_preview(self, cam) -> bytes:
        if self.capturing.is_set():
            self.during_capture += 1
        self.served += 1
        return self.frames[self.served % len(self.frames)]

    def get_config_value(self, cam, name):
        if name in ("viewfinder", "eosviewfinder"):
            return None
        return super().get_config_value(cam, name)

    def capture(self, cam, *args, **kwargs):
        self.capturing.set()
        try:
            return super().capture(cam, *args, **kwargs)
        finally:
            self.capturing.clear()


def test_live_view_between_shots_with_the_guide_fast_and_paused_while_shooting(qtbot, make_window,
                                                                               import_demo_roster):
    from ui.autopilot import StallProbe

    db, _ = import_demo_roster(n=20, seed=5)
    calls = PreviewCalls()
    win = make_window(db, portrait="pass", camera_options={"calls": calls}, wait_qc=True, timeout_ms=WAIT_MS)
    qtbot.waitUntil(lambda: win.ctl.workflow.camera is not None
                    and getattr(win.ctl.workflow.camera, "_live_supported", False), timeout=WAIT_MS)
    assert not win.photo.is_live  # nobody in front of the camera: no live view
    with db.session() as s:
        code = s.scalar(select(Student.id_number).where(Student.has_error.is_(False)).order_by(Student.roster_order))
    qtbot.keyClicks(win.input, code)
    qtbot.keyClick(win.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.state == "student", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: win.photo.is_live, timeout=WAIT_MS)

    probe = StallProbe()
    probe.start()
    n0, t0 = win.photo.live_frames, time.perf_counter()
    qtbot.wait(2000)
    fps = (win.photo.live_frames - n0) / (time.perf_counter() - t0)
    probe.stop()
    print(f"live view: {fps:.1f} frames/s in the window, longest UI stall {probe.max_stall_ms:.0f} ms")
    assert fps >= 10, fps
    assert probe.max_stall_ms < 200, probe.stalls
    # the guide is drawn over the frame: the white crop frame's left edge
    from ui.photo_paint import guide_rect

    g = guide_rect(win.photo.photo_rect())
    img = win.photo.grab().toImage()
    assert img.pixelColor(int(g.left()), int(g.center().y())).lightness() > 200
    import os

    if os.environ.get("STATION_SCREENSHOTS_DIR"):
        win.grab().save(os.path.join(os.environ["STATION_SCREENSHOTS_DIR"], "window_live_view.png"))

    # shooting pauses the live view: no preview is asked for while the shot is taken,
    # and the shot (not a live frame) is what the photo area shows afterwards
    qtbot.keyClick(win.input, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.state == "verdict", timeout=WAIT_MS)
    assert calls.during_capture == 0
    assert not win.photo.is_live and win.photo.path is not None
    served = calls.served
    qtbot.wait(500)
    assert calls.served - served <= 1  # live view stays off while the verdict is on screen
