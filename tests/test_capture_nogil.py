"""The libgphoto2 calls made through ctypes (capture/gp_nogil.py): same results, and the GIL free meanwhile.

Against the real library and its virtual camera. The GIL tests use a
virtual-camera quirk as a slow device: after a battery read and a shot,
``gp_camera_exit`` and ``gp_camera_file_delete`` each wait out two 150 ms
reads of the interrupt endpoint (a property-changed event the virtual
camera schedules a second ahead). python-gphoto2 makes both calls holding
the GIL; through ctypes another Python thread keeps running.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

gp = pytest.importorskip("gphoto2")

from capture.gp_calls import GpCalls  # noqa: E402
from capture.gphoto2_camera import Gphoto2Camera  # noqa: E402


@pytest.fixture
def vcam(tmp_path, astronaut_rgb, monkeypatch) -> Path:
    from PIL import Image

    d = tmp_path / "vcamera"
    d.mkdir()
    Image.fromarray(astronaut_rgb).save(d / "portrait.jpg", quality=90)
    monkeypatch.setenv("VCAMERADIR", str(d))
    return d


class Ticker:
    """A Python thread that wakes every millisecond and counts; it cannot count while another holds the GIL."""

    def __init__(self):
        self.ticks: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.ticks.append(time.perf_counter())
            time.sleep(0.001)

    def __enter__(self):
        self._thread.start()
        time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def during(self, t0: float, t1: float) -> int:
        return sum(1 for t in self.ticks if t0 <= t <= t1)


def slow_call(calls: GpCalls, name: str) -> tuple[float, int]:
    """(seconds the call took, ticks of another thread meanwhile) for exit or file_delete on a busy camera."""
    cam = calls.open()
    try:
        calls.get_config_value(cam, "batterylevel")
        folder, file = calls.capture(cam)
        with Ticker() as ticker:
            t0 = time.perf_counter()
            if name == "exit":
                calls.exit(cam)
            else:
                calls.file_delete(cam, folder, file)
            t1 = time.perf_counter()
        return t1 - t0, ticker.during(t0, t1)
    finally:
        if name != "exit":
            calls.exit(cam)
        del cam


def test_the_ctypes_path_is_used_by_default():
    assert GpCalls().nogil is not None
    assert GpCalls(release_gil=False).nogil is None


@pytest.mark.parametrize("name", ["exit", "file_delete"])
def test_a_slow_libgphoto2_call_leaves_the_gil_to_other_threads(vcam, name):
    took, ticks = slow_call(GpCalls(), name)
    assert took >= 0.2, f"the virtual camera's {name} was quick ({took * 1000:.0f} ms): this test measures nothing"
    assert ticks >= 10, f"another thread ran {ticks} times in {took * 1000:.0f} ms of {name}"


def test_python_gphoto2_itself_holds_the_gil_through_exit(vcam):
    """Why the ctypes path exists. If this fails, a newer python-gphoto2 releases the GIL in exit itself."""
    took, ticks = slow_call(GpCalls(release_gil=False), "exit")
    assert took >= 0.2
    assert ticks <= 2, f"python-gphoto2 let another thread run {ticks} times during exit"


def test_ctypes_and_python_gphoto2_give_the_same_answers(vcam):
    fast, plain = GpCalls(), GpCalls(release_gil=False)
    assert fast.autodetect() == plain.autodetect() == [("Nikon DSC D750", "usb:001,001")]
    cam = fast.open("Nikon DSC D750", "usb:001,001")  # the driver lists, loaded through ctypes
    try:
        ours, theirs = fast.storage_info(cam), plain.storage_info(cam)
        assert ours == theirs
        assert ours[0].description == "GPVC Storage" and 0 < ours[0].free_mb < ours[0].capacity_mb
        folder, name = fast.capture(cam)
        assert len(fast.file_get(cam, folder, name)) == (vcam / "portrait.jpg").stat().st_size
        fast.file_delete(cam, folder, name)
        with pytest.raises(gp.GPhoto2Error) as err:
            fast.file_get(cam, folder, name)
        assert err.value.code == gp.GP_ERROR_FILE_NOT_FOUND
        with pytest.raises(gp.GPhoto2Error) as err:  # libgphoto2's error code, as python-gphoto2 raises it
            fast.file_delete(cam, folder, name)
        assert err.value.code == gp.GP_ERROR_FILE_NOT_FOUND
    finally:
        fast.exit(cam)
    # after a ctypes exit the device is free for a fresh session
    cam = fast.open()
    assert fast.abilities(cam)[0] == "Nikon DSC D750"
    fast.exit(cam)


def test_the_backend_works_on_python_gphoto2_alone(tmp_path, vcam):
    """The fallback where ctypes cannot be set up: the same backend on the wrappers' own calls."""
    import queue

    events: queue.Queue = queue.Queue()
    out = tmp_path / "out"
    cam = Gphoto2Camera(lambda ext: out / f"x{ext}", events.put, folder=out, target="memory",
                        calls=GpCalls(release_gil=False))
    cam.start()
    try:
        assert cam.wait_connected(10)
        cam.trigger()
        while (ev := events.get(timeout=10)).kind != "photo":
            assert ev.kind != "error", ev.error
        assert ev.photo.path.read_bytes() == (vcam / "portrait.jpg").read_bytes()
    finally:
        cam.stop()
