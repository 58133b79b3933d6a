"""The hot-folder and webcam backends, and the factory, on real files and a real OpenCV capture."""

from __future__ import annotations

import hashlib
import io
import queue
import time
from pathlib import Path

import pytest

from capture import make_backend
from capture.base import CaptureError


class Recorder:
    def __init__(self):
        self.events = []
        self.q: queue.Queue = queue.Queue()

    def __call__(self, ev):
        self.events.append(ev)
        self.q.put(ev)

    def wait(self, pred, timeout=5.0):
        end = time.monotonic() + timeout
        while True:
            try:
                ev = self.q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no such event in {timeout}s: {[(e.kind, e.code) for e in self.events]}") from None
            if pred(ev):
                return ev


def namer_in(folder: Path):
    n = [0]

    def namer(ext):
        n[0] += 1
        return folder / f"03_S{n[0]:03d}{ext}"

    return namer


@pytest.fixture
def portrait(astronaut_rgb) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut_rgb).resize((1200, 1200)).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def test_factory_builds_from_settings_and_rejects_unknown_names(tmp_path):
    cam = make_backend(
        {"capture.backend": "folder", "capture.hot_folder": str(tmp_path), "capture.folder": str(tmp_path / "c")},
        namer=namer_in(tmp_path),
        on_event=lambda e: None,
    )
    assert cam.name == "folder" and cam.hot_folder == tmp_path
    assert make_backend("gphoto2", namer=namer_in(tmp_path), on_event=lambda e: None, target="memory").target == "memory"
    with pytest.raises(ValueError):
        make_backend("polaroid", namer=namer_in(tmp_path), on_event=lambda e: None)


def test_hot_folder_imports_a_file_only_when_it_is_complete(tmp_path, portrait):
    hot, out = tmp_path / "hot", tmp_path / "captures"
    hot.mkdir()
    rec = Recorder()
    cam = make_backend("folder", namer=namer_in(out), on_event=rec, hot_folder=hot, folder=out, poll_s=0.05, stable_s=0.3)
    cam.start()
    try:
        assert cam.wait_connected(5)
        with pytest.raises(CaptureError) as err:
            cam.trigger()
        assert err.value.code == "unsupported"
        # the maker's program writes the file in pieces, pausing longer than the stability time
        target = hot / "IMG_0001.JPG"
        with open(target, "wb") as f:
            f.write(portrait[: len(portrait) // 3])
            f.flush()
            time.sleep(0.6)
            assert not [e for e in rec.events if e.kind == "photo"], "a partial file was imported"
            f.write(portrait[len(portrait) // 3 :])
        ev = rec.wait(lambda e: e.kind == "photo")
        ph = ev.photo
        assert ph.source == "folder" and ph.camera_name == "IMG_0001.JPG"
        assert ph.path == out / "03_S001.jpg" and ph.path.read_bytes() == portrait
        assert ph.sha256 == hashlib.sha256(portrait).hexdigest()
        assert (hot / "imported" / "IMG_0001.JPG").exists() and not target.exists()
        time.sleep(0.5)
        assert len([e for e in rec.events if e.kind == "photo"]) == 1  # imported once
    finally:
        cam.stop()


def test_hot_folder_pairs_raw_and_jpeg_and_imports_leftovers_at_start(tmp_path, portrait):
    hot, out = tmp_path / "hot", tmp_path / "captures"
    hot.mkdir()
    raw = bytes(range(256)) * 400
    (hot / "DSC_0007.NEF").write_bytes(raw)
    (hot / "DSC_0007.JPG").write_bytes(portrait)
    rec = Recorder()
    cam = make_backend("folder", namer=namer_in(out), on_event=rec, hot_folder=hot, folder=out, poll_s=0.05, stable_s=0.2)
    cam.start()
    try:
        ph = rec.wait(lambda e: e.kind == "photo").photo
        assert ph.path.suffix == ".jpg" and ph.companions == (ph.path.with_suffix(".nef"),)
        assert ph.companions[0].read_bytes() == raw
    finally:
        cam.stop()


def test_hot_folder_never_imports_a_damaged_jpeg(tmp_path, portrait):
    hot, out = tmp_path / "hot", tmp_path / "captures"
    hot.mkdir()
    (hot / "bad.jpg").write_bytes(portrait[: len(portrait) // 2] + b"\xff\xd9")
    rec = Recorder()
    cam = make_backend(
        "folder", namer=namer_in(out), on_event=rec, hot_folder=hot, folder=out, poll_s=0.05, stable_s=0.1, give_up_s=0.3
    )
    cam.start()
    try:
        ev = rec.wait(lambda e: e.kind == "error")
        assert ev.code == "corrupt" and "bad.jpg" in ev.error
        assert not out.exists() or not list(out.iterdir())
        assert (hot / "bad.jpg").exists()
    finally:
        cam.stop()


@pytest.fixture
def frame_sequence(tmp_path, astronaut_rgb) -> str:
    """Real frames for OpenCV's image-sequence capture (what a webcam delivers, from files)."""
    from PIL import Image

    d = tmp_path / "frames"
    d.mkdir()
    for i in range(5):
        img = Image.fromarray(astronaut_rgb).resize((640, 480)).rotate(i * 2)
        img.save(d / f"f{i:03d}.jpg", quality=90)
    return str(d / "f%03d.jpg")


def test_webcam_shoots_durable_jpegs_and_streams_live_view(tmp_path, frame_sequence):
    out = tmp_path / "captures"
    rec = Recorder()
    cam = make_backend("webcam", namer=namer_in(out), on_event=rec, device=frame_sequence, folder=out)
    cam.start()
    try:
        assert cam.wait_connected(10)
        assert cam.status.live_view is True
        cam.set_live_view(True)
        prev = rec.wait(lambda e: e.kind == "preview")
        assert prev.preview_jpeg[:2] == b"\xff\xd8"
        for _ in range(7):  # more shots than frames: the file source rewinds
            while cam.status.busy:
                time.sleep(0.01)
            cam.trigger()
            ph = rec.wait(lambda e: e.kind == "photo").photo
            assert ph.source == "webcam" and (ph.width, ph.height) == (640, 480)
            assert hashlib.sha256(ph.path.read_bytes()).hexdigest() == ph.sha256
    finally:
        cam.stop()


def test_webcam_that_is_not_there_says_so(tmp_path):
    rec = Recorder()
    cam = make_backend("webcam", namer=namer_in(tmp_path), on_event=rec, device=str(tmp_path / "none%03d.jpg"))
    cam.start()
    try:
        ev = rec.wait(lambda e: e.kind == "error", timeout=10)
        assert ev.code == "no_camera" and "摄像头" in ev.error
        with pytest.raises(CaptureError):
            cam.trigger()
    finally:
        cam.stop()
