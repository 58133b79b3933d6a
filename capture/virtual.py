"""libgphoto2's virtual camera, for the demo, the tests and the benchmark.

python-gphoto2's wheel carries libgphoto2's virtual PTP camera (it detects as
"Nikon DSC D750" on usb:001,001). What we found by running it (libgphoto2
2.5.34, python-gphoto2 2.6.4):

- ``import gphoto2`` chooses the port drivers from whether VCAMERADIR is set
  *at import*; ``capture.gp_calls`` re-checks before every detect/open, so
  the variable can also be set later in the process.
- The folder itself is read when a camera is *opened* (``Camera.init``), not
  when the library loads: a fresh camera object after a change of
  VCAMERADIR serves the new folder, in the same process.
- Every capture serves the same JPEG (the first one the camera lists), under
  a new name ``GPH_nnnn.JPG``, with a file-added event; it has no live view
  (capture_preview → "unsupported") and no RAW.
- After 26 captures in one session it declares its store full (PTP
  StoreFull, reported as GP_ERROR_NO_MEMORY). That is a capture counter in
  libgphoto2's vcamera.c (it starts at 98, steps by 2 per capture and
  refuses past 150), reset when a session opens; it does not count files:
  deleting every shot after its download (the "memory" target) still ends
  the session at 26 (tests/test_capture_gphoto2.py checks both targets).
  So the demo keeps the field's default target ("card"), and the gphoto2
  backend opens a fresh session and carries on, as it would for a stuck real
  camera. The reopen waits out ~300 ms in ``gp_camera_exit`` (two 150 ms
  reads of the interrupt endpoint, for a battery event the virtual camera
  schedules a second ahead); capture/gp_nogil.py keeps Python's GIL free
  meanwhile, so only the camera thread waits.

For the demo: call :func:`prepare_virtual_camera` before the backend starts
(before ``import gphoto2`` is best), then build the gphoto2 backend as usual.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from capture.gp_calls import use_virtual_camera_iolibs


def sample_portraits() -> list[tuple[str, bytes]]:
    """(name, JPEG bytes) of the real portraits that ship inside installed packages."""
    out: list[tuple[str, bytes]] = []
    try:
        from PIL import Image
        from skimage import data

        buf = io.BytesIO()
        Image.fromarray(data.astronaut()).save(buf, "JPEG", quality=92)
        out.append(("astronaut.jpg", buf.getvalue()))
    except ImportError:
        pass
    try:
        import matplotlib.cbook as cbook

        out.append(("grace_hopper.jpg", Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).read_bytes()))
    except (ImportError, OSError, ValueError):
        pass
    return out


def _as_jpeg(path: Path, size: tuple[int, int] | None, quality: int) -> bytes:
    data = path.read_bytes()
    if size is None and data[:2] == b"\xff\xd8":
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return _encode(im, size, quality)


def _encode(im, size: tuple[int, int] | None, quality: int) -> bytes:
    from PIL import Image

    im = im.convert("RGB")
    if size is not None:
        im = im.resize(size, Image.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def prepare_virtual_camera(
    folder: Path | str | None = None,
    *,
    sources: Iterable[Path | str] = (),
    size: tuple[int, int] | None = None,
    quality: int = 92,
    only: int | None = None,
) -> Path:
    """Fill ``folder`` with portrait JPEGs and point the virtual camera at it.

    ``sources``: image files to use; without them, scikit-image's astronaut and
    matplotlib's grace_hopper. ``size`` resizes (e.g. (6000, 4000) for a
    24-megapixel camera). ``only`` keeps just the n-th portrait, to choose the
    one the camera serves. Sets VCAMERADIR (and, when gphoto2 is already
    imported, its port drivers) and returns the folder.
    """
    folder = Path(folder) if folder else Path(tempfile.gettempdir()) / f"station-vcamera-{os.getuid()}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    items: list[tuple[str, bytes]]
    srcs = [Path(s) for s in sources]
    if srcs:
        items = [(f"{p.stem}.jpg", _as_jpeg(p, size, quality)) for p in srcs]
    else:
        items = sample_portraits()
        if size is not None:
            from PIL import Image

            items = [(n, _encode(Image.open(io.BytesIO(b)), size, quality)) for n, b in items]
    if only is not None:
        items = [items[only % len(items)]] if items else []
    if not items:
        raise RuntimeError("no portrait for the virtual camera: install scikit-image or matplotlib, or pass sources")
    for name, data in items:
        (folder / name).write_bytes(data)
    use_virtual_camera(folder)
    return folder


def use_virtual_camera(folder: Path | str) -> None:
    """Point libgphoto2 at the virtual camera serving ``folder`` (the next camera opened uses it)."""
    os.environ["VCAMERADIR"] = str(folder)
    if "gphoto2" in sys.modules:
        use_virtual_camera_iolibs(sys.modules["gphoto2"])
