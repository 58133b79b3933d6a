"""The gphoto2 backend against libgphoto2's real virtual camera (python-gphoto2's wheel).

Each test gets its own VCAMERADIR (libgphoto2 reads it when a camera is
opened), filled with a real portrait; the camera then serves exactly those
bytes, so a saved photo's sha256 can be compared with the source file.
Faults are injected one level down, in the GpCalls adapter: the call named
fails with a real GPhoto2Error code, and the real library stays underneath.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import subprocess
import threading
import time
from pathlib import Path

import pytest

gp = pytest.importorskip("gphoto2")

from capture.base import CameraEvent, CaptureBusy, CaptureError  # noqa: E402
from capture.gp_calls import GpCalls  # noqa: E402
from capture.gphoto2_camera import Gphoto2Camera, group_files  # noqa: E402


class Data:
    """file_get's result for an injected file, shaped like capture.gp_calls.Download."""

    def __init__(self, b: bytes):
        self.data = memoryview(b)


class InjectingCalls(GpCalls):
    """GpCalls with faults on demand, a camera that can be 'unplugged', and a shutter button.

    - ``fail(name, code, times)``: the next ``times`` calls of ``name`` raise GPhoto2Error(code).
    - ``unplug(seconds)``: detection finds nothing and opening fails for that long.
    - ``press_shutter()``: on the camera thread's next event poll, the virtual camera's own
      "new picture" operation (PTP opcode 0x9999 through the real "opcode" config) adds a
      file and emits GP_EVENT_FILE_ADDED, as a camera-button shot does.
    """

    def __init__(self):
        super().__init__()
        self.faults: dict[str, list[int]] = {}
        self.unplugged_until = 0.0
        self.vanish: dict[str, float] = {}
        self.presses = 0
        self.extra_files: dict[tuple[str, str], bytes] = {}
        self.add_raw_after_capture: bytes | None = None
        self._pending_events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def fail(self, name: str, code: int, times: int = 1) -> None:
        with self.lock:
            self.faults.setdefault(name, []).extend([code] * times)

    def unplug(self, seconds: float) -> None:
        self.unplugged_until = time.monotonic() + seconds

    def vanish_during(self, name: str, seconds: float) -> None:
        """The camera disappears for ``seconds`` at the next call of ``name``."""
        self.vanish[name] = seconds

    def press_shutter(self) -> None:
        with self.lock:
            self.presses += 1

    def call(self, name, fn, *args):
        with self.lock:
            codes = self.faults.get(name)
            code = codes.pop(0) if codes else None
            gone_for = self.vanish.pop(name, None)
        if gone_for is not None:
            self.vanished_at = time.monotonic()
            self.unplug(gone_for)
        if time.monotonic() < self.unplugged_until:
            self.counts[name] += 1
            if name == "autodetect":
                return []
            code = code or self.gp.GP_ERROR_IO_USB_FIND
        if code is not None:
            self.counts[name] += 1
            raise self.gp.GPhoto2Error(code)
        return super().call(name, fn, *args)

    def wait_for_event(self, cam, timeout_ms):
        with self.lock:
            press = self.presses > 0
            if press:
                self.presses -= 1
            extra = self._pending_events.pop(0) if self._pending_events else None
        if extra is not None:
            self.counts["wait_for_event"] += 1
            return self.gp.GP_EVENT_FILE_ADDED, extra
        if press:
            self.set_config_value(cam, "opcode", "0x9999,0x0")
        return super().wait_for_event(cam, timeout_ms)

    def capture(self, cam):
        folder, name = super().capture(cam)
        if self.add_raw_after_capture is not None:
            # The virtual camera shoots JPEG only; a RAW+JPEG camera announces the second file
            # of the shot as an event right after. Simulated here on top of the real capture.
            raw = (folder, name.rsplit(".", 1)[0] + ".NEF")
            self.extra_files[raw] = self.add_raw_after_capture
            with self.lock:
                self._pending_events.append(raw)
        return folder, name

    def file_get(self, cam, folder, name):
        if (folder, name) in self.extra_files:
            self.counts["file_get"] += 1
            return Data(self.extra_files[(folder, name)])
        return super().file_get(cam, folder, name)

    def file_delete(self, cam, folder, name):
        if (folder, name) in self.extra_files:
            del self.extra_files[(folder, name)]
            return None
        return super().file_delete(cam, folder, name)


@pytest.fixture
def vcam_dir(tmp_path, astronaut_rgb, monkeypatch) -> Path:
    from PIL import Image

    d = tmp_path / "vcamera"
    d.mkdir()
    Image.fromarray(astronaut_rgb).save(d / "portrait.jpg", quality=90)
    monkeypatch.setenv("VCAMERADIR", str(d))
    return d


def source_sha(vcam_dir: Path) -> str:
    return hashlib.sha256((vcam_dir / "portrait.jpg").read_bytes()).hexdigest()


class Recorder:
    def __init__(self):
        self.events: list[CameraEvent] = []
        self.q: queue.Queue = queue.Queue()

    def __call__(self, ev: CameraEvent):
        self.events.append(ev)
        self.q.put(ev)

    def wait(self, pred, timeout=5.0) -> CameraEvent:
        end = time.monotonic() + timeout
        while True:
            try:
                ev = self.q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                kinds = [(e.kind, e.code) for e in self.events]
                raise AssertionError(f"event did not come within {timeout}s; got {kinds}") from None
            if pred(ev):
                return ev

    def photos(self):
        return [e.photo for e in self.events if e.kind == "photo"]

    def errors(self):
        return [e for e in self.events if e.kind == "error"]


class Namer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.n = 0
        self.calls: list[str] = []

    def __call__(self, ext: str) -> Path:
        self.n += 1
        self.calls.append(ext)
        return self.folder / f"01_2019001_{self.n:02d}{ext}"


@pytest.fixture
def rig(tmp_path, vcam_dir):
    """A started Gphoto2Camera on the virtual camera, with its recorder and injecting adapter."""
    made = []

    def _make(**kw):
        out = tmp_path / "captures"
        rec = Recorder()
        calls = InjectingCalls()
        cam = Gphoto2Camera(Namer(out), rec, folder=out, calls=calls, **kw)
        cam.start()
        assert cam.wait_connected(10), [(e.kind, e.code, e.error) for e in rec.events]
        made.append(cam)
        return cam, rec, calls, out

    yield _make
    for cam in made:
        cam.stop()


def wait_idle(cam, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while cam.status.busy and time.monotonic() < end:
        time.sleep(0.005)
    assert not cam.status.busy


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_app_triggered_shots_are_durable_and_named_by_the_station(rig, vcam_dir):
    cam, rec, calls, out = rig(target="memory")
    st = cam.status
    assert st.connected and st.model == "Nikon DSC D750" and st.port == "usb:001,001"
    assert st.capture_target == "memory"
    assert st.battery == "50%" and st.free_mb and st.free_mb > 0
    for _ in range(3):
        wait_idle(cam)
        cam.trigger()
        rec.wait(lambda e: e.kind == "photo")
    wait_idle(cam)
    photos = rec.photos()
    assert [p.path.name for p in photos] == ["01_2019001_01.jpg", "01_2019001_02.jpg", "01_2019001_03.jpg"]
    for p in photos:
        data = p.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == p.sha256 == source_sha(vcam_dir)
        assert p.bytes == len(data) and p.source == "app" and p.camera_name.startswith("GPH_")
        assert (p.width, p.height) == (512, 512)
        assert p.ms > 0 and p.timings["download_ms"] >= 0
    assert no_temp_files(out)
    # memory target: every shot is deleted from the camera after its verified download
    assert calls.counts["file_delete"] == 3


def test_a_second_trigger_is_refused_until_the_download_is_done(rig):
    cam, rec, calls, out = rig()
    cam.trigger()
    with pytest.raises(CaptureBusy):
        cam.trigger()
    rec.wait(lambda e: e.kind == "photo")
    wait_idle(cam)
    cam.trigger()  # accepted again
    rec.wait(lambda e: e.kind == "photo")
    assert len(rec.photos()) == 2


def test_camera_button_shots_arrive_without_a_trigger(rig, vcam_dir):
    cam, rec, calls, out = rig()
    calls.press_shutter()
    ev = rec.wait(lambda e: e.kind == "photo")
    assert ev.photo.source == "button"
    assert ev.photo.sha256 == source_sha(vcam_dir)
    assert ev.photo.path.parent == out and ev.photo.path.read_bytes()[:2] == b"\xff\xd8"
    wait_idle(cam)
    calls.press_shutter()
    rec.wait(lambda e: e.kind == "photo")
    assert [p.source for p in rec.photos()] == ["button", "button"]
    assert len({p.path for p in rec.photos()}) == 2


def test_raw_plus_jpeg_keeps_both_files_together(rig):
    cam, rec, calls, out = rig()
    raw = os.urandom(300_000)
    calls.add_raw_after_capture = raw
    cam.trigger()
    ev = rec.wait(lambda e: e.kind == "photo")
    p = ev.photo
    assert len(p.companions) == 1
    comp = p.companions[0]
    assert comp.stem == p.path.stem and comp.suffix == ".nef"
    assert comp.read_bytes() == raw
    assert cam.namer.calls == [".jpg"]  # one name per photo; the RAW shares it


def test_group_files_pairs_by_stem_jpeg_first():
    files = [("/d", "DSC_0001.NEF"), ("/d", "DSC_0001.JPG"), ("/d", "DSC_0002.JPG")]
    assert group_files(files) == [[("/d", "DSC_0001.JPG"), ("/d", "DSC_0001.NEF")], [("/d", "DSC_0002.JPG")]]


def test_an_empty_vcameradir_reports_a_failed_capture(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("VCAMERADIR", str(empty))
    rec = Recorder()
    cam = Gphoto2Camera(Namer(tmp_path / "out"), rec, folder=tmp_path / "out", calls=InjectingCalls())
    cam.start()
    try:
        assert cam.wait_connected(10)
        cam.trigger()
        ev = rec.wait(lambda e: e.kind == "error")
        assert ev.code == "capture_failed" and "拍摄失败" in ev.error
        assert rec.photos() == []
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    finally:
        cam.stop()


def test_a_transient_download_error_is_retried_and_the_photo_kept(rig, vcam_dir):
    cam, rec, calls, out = rig()
    calls.fail("file_get", gp.GP_ERROR_TIMEOUT, times=1)
    cam.trigger()
    ev = rec.wait(lambda e: e.kind == "photo")
    assert ev.photo.sha256 == source_sha(vcam_dir)
    assert calls.counts["file_get"] == 2


def test_camera_vanishing_mid_download_is_detected_and_reconnected(rig):
    cam, rec, calls, out = rig(target="card")
    # the USB device disappears during the download, for 1.5 s
    calls.vanish_during("file_get", 1.5)
    cam.trigger()
    ev = rec.wait(lambda e: e.kind == "status" and not e.status.connected, timeout=2.0)
    assert time.monotonic() - calls.vanished_at < 2.0
    assert calls.counts["capture"] == 1
    assert "断开" in (ev.status.message or "")
    assert any(e.code == "disconnected" for e in rec.errors())
    # back by itself with a fresh camera object
    rec.wait(lambda e: e.kind == "status" and e.status.connected, timeout=6.0)
    assert calls.counts["open"] >= 2
    # The virtual camera forgets its captures when reopened (a real camera's card keeps them):
    # the pending download is retried and, the file being gone, the operator is told to retake.
    lost = rec.wait(lambda e: e.kind == "error" and e.code == "download_lost", timeout=5.0)
    assert "重拍" in lost.error
    assert rec.photos() == []
    assert no_temp_files(out)
    assert not out.exists() or not [p for p in out.iterdir() if p.is_file()]  # no half file under a final name
    # and the station keeps working
    wait_idle(cam)
    cam.trigger()
    assert rec.wait(lambda e: e.kind == "photo").photo.path.exists()


def test_unplugging_an_idle_camera_is_noticed_within_two_seconds(rig):
    cam, rec, calls, out = rig()
    t0 = time.monotonic()
    calls.unplug(1.0)
    rec.wait(lambda e: e.kind == "status" and not e.status.connected, timeout=2.0)
    assert time.monotonic() - t0 < 2.0
    with pytest.raises(CaptureError) as err:
        cam.trigger()
    assert err.value.code == "disconnected"
    rec.wait(lambda e: e.kind == "status" and e.status.connected, timeout=6.0)


def test_a_camera_held_by_the_automounter_is_explained(tmp_path, vcam_dir):
    rec = Recorder()
    calls = InjectingCalls()
    calls.fail("open", gp.GP_ERROR_IO_USB_CLAIM, times=2)
    cam = Gphoto2Camera(Namer(tmp_path / "out"), rec, folder=tmp_path / "out", calls=calls, reconnect_s=0.2)
    cam.start()
    try:
        ev = rec.wait(lambda e: e.kind == "error")
        assert ev.code == "usb_claimed"
        assert "gvfs-gphoto2" in ev.error and "gio mount -s gphoto2" in ev.error
        # said once, not every retry; connects once the device is free
        assert cam.wait_connected(5)
        assert [e.code for e in rec.errors()] == ["usb_claimed"]
    finally:
        cam.stop()


def test_more_frames_than_the_virtual_camera_holds(rig, vcam_dir):
    """The virtual camera declares its store full after 26 frames; the backend reopens it."""
    cam, rec, calls, out = rig(target="card")
    for _ in range(30):
        wait_idle(cam)
        cam.trigger()
        rec.wait(lambda e: e.kind in ("photo", "error"))
    assert [e.code for e in rec.errors()] == []
    assert len(rec.photos()) == 30
    assert calls.counts["open"] == 2
    assert {p.sha256 for p in rec.photos()} == {source_sha(vcam_dir)}


def test_deleting_every_shot_does_not_stop_the_virtual_camera_filling(rig, vcam_dir):
    """Memory target: each shot is deleted after its download, and still the 27th capture finds the store
    full: the virtual camera counts captures per session, not files (capture/virtual.py)."""
    cam, rec, calls, out = rig(target="memory")
    for _ in range(28):
        wait_idle(cam)
        cam.trigger()
        rec.wait(lambda e: e.kind in ("photo", "error"))
    wait_idle(cam)
    assert [e.code for e in rec.errors()] == []
    assert len(rec.photos()) == 28 and calls.counts["file_delete"] == 28
    assert calls.counts["open"] == 2  # reopened once, at the 27th shot


def test_low_disk_space_refuses_the_trigger(rig):
    cam, rec, calls, out = rig()
    cam.min_free_mb = 1e12
    with pytest.raises(CaptureError) as err:
        cam.trigger()
    assert err.value.code == "disk_low" and "磁盘空间不足" in str(err.value)
    assert not cam.status.busy


def test_live_view_falls_back_to_the_last_photo_on_the_virtual_camera(rig):
    cam, rec, calls, out = rig()
    assert cam.status.live_view is False
    cam.set_live_view(True)
    ev = rec.wait(lambda e: e.kind == "status" and e.status.message and "实时取景" in e.status.message)
    assert ev.status.live_view is False
    cam.trigger()
    rec.wait(lambda e: e.kind == "photo")
    assert not [e for e in rec.events if e.kind == "preview"]


def test_an_event_handler_that_raises_does_not_stop_the_camera(tmp_path, vcam_dir, caplog):
    got = []

    def bad_sink(ev):
        got.append(ev)
        if ev.kind == "photo":
            raise RuntimeError("window bug")

    cam = Gphoto2Camera(Namer(tmp_path / "out"), bad_sink, folder=tmp_path / "out", calls=InjectingCalls())
    cam.start()
    try:
        assert cam.wait_connected(10)
        for _ in range(2):
            cam.trigger()
            time.sleep(0.05)
            wait_idle(cam)
        assert len([e for e in got if e.kind == "photo"]) == 2
        assert "window bug" in caplog.text
    finally:
        cam.stop()


# --- disk full on a real small file system ----------------------------------------


@pytest.fixture
def small_tmpfs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_keeps_the_photo_on_the_camera_and_retries(tmp_path, small_tmpfs, monkeypatch, astronaut_rgb):
    from PIL import Image

    d = tmp_path / "vbig"
    d.mkdir()
    Image.fromarray(astronaut_rgb).resize((1400, 1400)).save(d / "portrait.jpg", quality=97)  # > 256 KiB
    assert (d / "portrait.jpg").stat().st_size > 300_000
    monkeypatch.setenv("VCAMERADIR", str(d))
    rec = Recorder()
    calls = InjectingCalls()
    cam = Gphoto2Camera(Namer(small_tmpfs), rec, folder=small_tmpfs, calls=calls, target="memory")
    cam.start()
    try:
        assert cam.wait_connected(10)
        cam.trigger()
        ev = rec.wait(lambda e: e.kind == "error")
        assert ev.code == "disk_full" and "磁盘已满" in ev.error and "相机" in ev.error
        wait_idle(cam)
        assert cam.status.pending == 1
        assert calls.counts["file_delete"] == 0  # not deleted from the camera
        assert list(small_tmpfs.iterdir()) == []  # no half file, no temp file
        # the operator frees space (here: the file system grows); the next trigger first saves the kept photo
        subprocess.run(["mount", "-o", "remount,size=4m", str(small_tmpfs)], check=True)
        cam.trigger()
        first = rec.wait(lambda e: e.kind == "photo")
        second = rec.wait(lambda e: e.kind == "photo")
        assert first.photo.path.name == "01_2019001_01.jpg"  # the name given when it was shot
        assert second.photo.path.name == "01_2019001_02.jpg"
        for ph in (first.photo, second.photo):
            assert hashlib.sha256(ph.path.read_bytes()).hexdigest() == ph.sha256
        end = time.monotonic() + 5
        while cam.status.pending and time.monotonic() < end:
            time.sleep(0.01)
        assert cam.status.pending == 0
    finally:
        cam.stop()


def test_vcameradir_is_read_when_the_camera_opens(tmp_path, monkeypatch, astronaut_rgb, grace_hopper_path):
    """Two cameras in one process, two folders: each serves its own folder's JPEG."""
    from PIL import Image

    shas = []
    for i, src in enumerate([None, grace_hopper_path]):
        d = tmp_path / f"v{i}"
        d.mkdir()
        if src is None:
            buf = io.BytesIO()
            Image.fromarray(astronaut_rgb).save(buf, "JPEG")
            (d / "p.jpg").write_bytes(buf.getvalue())
        else:
            (d / "p.jpg").write_bytes(Path(src).read_bytes())
        monkeypatch.setenv("VCAMERADIR", str(d))
        rec = Recorder()
        cam = Gphoto2Camera(Namer(tmp_path / f"o{i}"), rec, folder=tmp_path / f"o{i}", calls=InjectingCalls())
        cam.start()
        try:
            assert cam.wait_connected(10)
            cam.trigger()
            ph = rec.wait(lambda e: e.kind == "photo").photo
            assert ph.sha256 == hashlib.sha256((d / "p.jpg").read_bytes()).hexdigest()
            shas.append(ph.sha256)
        finally:
            cam.stop()
    assert shas[0] != shas[1]


def test_prepare_virtual_camera_serves_the_chosen_sample_portrait(tmp_path, grace_hopper_path, monkeypatch):
    from capture.virtual import prepare_virtual_camera

    monkeypatch.delenv("VCAMERADIR", raising=False)
    folder = prepare_virtual_camera(tmp_path / "demo-vcam", only=1)
    assert os.environ["VCAMERADIR"] == str(folder)
    assert [p.name for p in folder.iterdir()] == ["grace_hopper.jpg"]
    rec = Recorder()
    cam = Gphoto2Camera(Namer(tmp_path / "o"), rec, folder=tmp_path / "o", calls=InjectingCalls())
    cam.start()
    try:
        assert cam.wait_connected(10)
        cam.trigger()
        ph = rec.wait(lambda e: e.kind == "photo").photo
        assert ph.sha256 == hashlib.sha256(Path(grace_hopper_path).read_bytes()).hexdigest()
    finally:
        cam.stop()
    both = prepare_virtual_camera(tmp_path / "demo2")
    assert sorted(p.name for p in both.iterdir()) == ["astronaut.jpg", "grace_hopper.jpg"]


def test_an_unexpected_camera_error_is_reported_and_the_camera_thread_survives(rig):
    cam, rec, calls, out = rig()
    calls.fail("wait_for_event", gp.GP_ERROR, times=1)
    ev = rec.wait(lambda e: e.kind == "error")
    assert ev.code == "camera_error"
    assert cam.status.connected
    cam.trigger()
    assert rec.wait(lambda e: e.kind == "photo").photo.path.exists()
    # the same error three times in a row: the camera is treated as gone and reopened
    wait_idle(cam)
    opens = calls.counts["open"]
    calls.fail("wait_for_event", gp.GP_ERROR, times=3)
    rec.wait(lambda e: e.kind == "status" and not e.status.connected)
    rec.wait(lambda e: e.kind == "status" and e.status.connected, timeout=6)
    assert calls.counts["open"] == opens + 1
