"""Each photo is entropy-decoded once: the capture layer's strict check *is* the checks' reduced decode.

The workflow hands the camera its decoder (``qc.decode.decode_jpeg_strict``, through
``make_backend(decoder=...)``); ``write_durable`` runs it as the strict JPEG check and the image
it made travels on with the photo. These tests hold it to the plain check's standard: it rejects
exactly the damaged files a full strict decode rejects, its image is the one the checks would
have decoded from the file, and a decoder that cannot help leaves the plain check in charge.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from capture.durable import CorruptImage, decode_strict, verify_and_decode, write_durable
from qc.decode import DecodeError, decode_bytes, decode_jpeg_strict

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def jpeg(astronaut_rgb) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut_rgb).resize((2400, 2400)).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def one_pass(mv):
    return decode_jpeg_strict(mv, min_long_side=600)  # 2400 -> 1/4 scale, as a 24 MP photo at 1200


def _rejects_full(data: bytes) -> bool:
    try:
        decode_strict(data, reduced=False)
    except ValueError:
        return True
    return False


def _rejects_one_pass(data: bytes) -> bool:
    try:
        one_pass(memoryview(data))
    except DecodeError:
        return True
    return False


def test_the_one_pass_decode_rejects_exactly_what_a_full_strict_decode_rejects(jpeg):
    from tests.test_capture_durable import _damaged_variants

    seen: dict[str, list[bool]] = {}
    for kind, data in _damaged_variants(jpeg, seed=5):
        full, once = _rejects_full(data), _rejects_one_pass(data)
        assert full == once, f"{kind}: full strict decode rejects={full}, one-pass decode rejects={once}"
        seen.setdefault(kind, []).append(once)
    assert all(seen["truncated"])  # a cut-off file is always found


@pytest.mark.parametrize("damage", ["truncated", "zeroed_middle", "cut_out_middle", "truncated_with_end_marker",
                                    "not_jpeg"])
def test_a_damaged_photo_is_refused_with_the_decoder_too(tmp_path, jpeg, damage):
    from tests.test_capture_durable import DAMAGE

    with pytest.raises(CorruptImage):
        write_durable(DAMAGE[damage](jpeg), tmp_path / "x.jpg", decode=one_pass)
    assert list(tmp_path.iterdir()) == []


def test_the_image_travels_with_the_file_and_is_what_the_checks_would_decode(tmp_path, jpeg):
    d = write_durable(jpeg, tmp_path / "x.jpg", decode=one_pass)
    assert (d.width, d.height) == (2400, 2400) and d.path.read_bytes() == jpeg
    again = decode_bytes(jpeg, min_long_side=600)
    assert d.decoded.rgb.shape == again.rgb.shape == (600, 600, 3)
    assert np.array_equal(d.decoded.rgb, again.rgb)
    assert (d.decoded.width, d.decoded.scale, d.decoded.format) == (again.width, again.scale, again.format)


def test_a_decoder_that_cannot_help_leaves_the_plain_check_in_charge(tmp_path, jpeg):
    def declines(mv):
        raise LookupError("no checks here")

    d = write_durable(jpeg, tmp_path / "ok.jpg", decode=declines)
    assert d.decoded is None and d.path.exists() and d.width == 2400  # a sound photo is never lost
    with pytest.raises(CorruptImage):
        verify_and_decode(jpeg[: len(jpeg) // 2] + b"\xff\xd9", declines)


def test_nothing_is_started_at_import():
    """The decode-check thread belongs to the first photo, not to ``import capture.durable``."""
    code = ("import threading, capture.durable, capture.gp_download, capture.folder_watch, capture.webcam; "
            "print(threading.active_count(), capture.durable._verifier is None)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "True"]
