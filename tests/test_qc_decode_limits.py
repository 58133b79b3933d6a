"""The image loader against huge and damaged files: a clear 'error' verdict, never gigabytes or a normal verdict."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from qc.decode import DecodeError, decode_bytes, decode_path

ROOT = Path(__file__).resolve().parents[1]


def huge_png(path: Path, w: int = 12000, h: int = 14000) -> Path:
    """A real 16-bit greyscale PNG of w×h, streamed (a flat grey: a few hundred KB on disk)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    comp = zlib.compressobj(1)
    row = b"\0" + b"\x80\x00" * w
    idat = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 0, 0, 0, 0))
                     + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def test_a_168_megapixel_16_bit_png_is_refused_from_its_header(tmp_path):
    png = huge_png(tmp_path / "scan.png")
    code = (
        "import json, sys; sys.path.insert(0, %r)\n"
        "from app.cli import main\n"
        "rc = main(['qc', '--json', %r])\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (big pytest) parent across exec
        "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0].split()[1]\n"
        "print(json.dumps({'rc': rc, 'maxrss_mb': int(hwm) / 1024}))\n"
    ) % (str(ROOT), str(png))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    report, stats = lines[0], lines[-1]
    assert report["verdict"] == "error", report
    assert "像素太多" in json.dumps(report, ensure_ascii=False) and "12000" in json.dumps(report), report
    assert stats["maxrss_mb"] < 1500, stats  # the checker's models, not the picture (was 4.4 GB)


def test_a_16_bit_png_under_the_limit_decodes_in_integers(tmp_path):
    png = huge_png(tmp_path / "ok.png", 3000, 4000)
    d = decode_path(png)
    assert d.rgb.dtype.name == "uint8" and d.width == 3000 and int(d.rgb[0, 0, 0]) == 0x80


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    from matplotlib import cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).read_bytes()


def _damaged(jpeg: bytes) -> dict[str, bytes]:
    n = len(jpeg)
    return {
        "cut": jpeg[: n * 6 // 10],
        "cut, end marker added": jpeg[: n * 6 // 10] + b"\xff\xd9",
        "cut, padded with zeros": jpeg[: n // 2] + bytes(n - n // 2 - 2) + b"\xff\xd9",
        "garbage in the scan": jpeg[:2000] + bytes(range(256)) * ((n - 4000) // 256) + jpeg[-2000:],
        "header segment past the end": jpeg[:4] + b"\xff\xff" + jpeg[6:200],
    }


def test_damaged_jpegs_raise_a_decode_error(jpeg):
    for what, data in _damaged(jpeg).items():
        with pytest.raises(DecodeError) as info:
            decode_bytes(data)
        assert info.value.reason and info.value.reason_en, what
    assert decode_bytes(jpeg).rgb.shape[2] == 3  # the undamaged file still decodes


def test_damaged_jpegs_get_the_verdict_error_with_a_message(jpeg, checker, tmp_path):
    for i, (what, data) in enumerate(_damaged(jpeg).items()):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(data)
        report = checker.check_path(path)
        assert report.verdict == "error", (what, report.verdict)
        assert report.error and ("损坏" in report.error or "不完整" in report.error), (what, report.error)
