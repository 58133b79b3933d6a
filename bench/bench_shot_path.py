"""The shot path from "file downloaded" to "verdict ready": today's sequence and the decode-once one, side by side.

One 24-megapixel camera JPEG (a real face from ``../shared/faces`` upscaled to
6000×4000 as a camera stores a portrait shot, EXIF orientation 6, Gaussian
sensor-like noise, quality 95, 8–12 MB) goes through both paths, interleaved
(old/new, then new/old, ...), on one real SQLite database and one real
checker (the default profile: mediapipe and every check).

Both start with the downloaded bytes in memory (what ``file_get`` hands the
camera thread) and end when the verdict is stored and its ``ShotInfo`` is in
hand. Included, for both: the durable write (temp file, fsync, sha256, hard
link, folder fsync) with its strict JPEG check beside it, recording the shot
(one insert, one commit), the checks' decode, the checks (face analysis and
every check), storing the verdict (one commit). Not included: libgphoto2's
capture and download, the Qt signal hops between the camera thread, the
sequence's thread and the window (a few ms of queueing, the same for both).

- ``old``: a faithful copy of the sequence before issue 17, using the
  station's own functions: ``write_durable`` with the grey 1/8-scale strict
  check only; ``record_photo`` with no identity on the photo and no size (so
  it re-opens the JPEG with Pillow for the size); ``check_shot`` as it was:
  the path read back from the database, a hop to the checks' thread and
  ``Checker.check_path`` (reads the file, scans it for damage, decodes it
  again at 1/4 scale), then ``record_verdict``.
- ``new``: ``write_durable(..., decode=ShotChecks.decode)`` (the strict check
  *is* the checks' 1/4-scale decode, one entropy decode), ``record_photo``
  (identity and size from the photo), ``submit_check(shot, photo)`` →
  ``Checker.check_decoded`` on the checks' thread (no file read, no query).

Printed per path: ``total`` (downloaded → verdict ready), ``checks`` (the
checker's own analysis + checks, i.e. the mediapipe inference and the check
arithmetic: ``QcReport.ms`` less its decode), ``station`` = total − checks,
the station's own time (the issue-17 target: p50 ≤ 120 ms, p95 ≤ 200 ms), and
``decodes``: the JPEG decoding inside it (old: the grey 1/8 strict check, which
runs beside the write, plus the checks' decode; new: the one decode, beside
the write). Last, the CPU time of each decode measured alone on one thread
(``time.thread_time``): the floor the wall times stand on when the machine
is not shared.

Run: ``nice -n 10 .venv/bin/python bench/bench_shot_path.py [--runs 15]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.cli import main as station  # noqa: E402
from app.db import open_db  # noqa: E402
from app.demo_data import write_demo_roster  # noqa: E402
from app.models import Shot  # noqa: E402
from app.workflow import Workflow  # noqa: E402
from app.workflow_types import qc_to_json  # noqa: E402
from capture.base import SavedPhoto  # noqa: E402
from capture.durable import decode_strict, verify_jpeg, write_durable  # noqa: E402
from qc.decode import decode_jpeg_strict, decode_path  # noqa: E402

FACES = ROOT.parent / "shared" / "faces" / "images"


def camera_jpeg(face: Path, sigma: float = 6.0) -> bytes:
    """A 6000×4000 JPEG as a camera writes a portrait shot: rotated, tagged with orientation 6, noisy."""
    im = Image.open(face).convert("RGB").resize((4000, 6000), Image.BICUBIC)
    a = np.asarray(im)
    rng = np.random.default_rng(17)
    out = np.empty_like(a)
    for y in range(0, a.shape[0], 500):  # in bands: a float copy of 24 MP would be 300 MB
        band = a[y : y + 500].astype(np.float32)
        band += rng.standard_normal(band.shape, dtype=np.float32) * sigma
        out[y : y + 500] = np.clip(band, 0, 255).astype(np.uint8)
    stored = Image.fromarray(out).transpose(Image.Transpose.ROTATE_90)  # 6000 wide, 4000 high
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    return buf.getvalue()


def make_photo(face: Path) -> bytes:
    for sigma in (6.0, 8.0, 4.0, 10.0, 3.0):
        data = camera_jpeg(face, sigma)
        if 8e6 <= len(data) <= 12e6:
            return data
    raise SystemExit(f"could not make an 8-12 MB JPEG from {face} (last {len(data) / 1e6:.1f} MB)")


def downloaded(wf: Workflow, data: bytes, decode) -> tuple[SavedPhoto, float, float]:
    """What the camera thread does with the downloaded bytes: the durable file and its photo event."""
    named = wf.name_photo(".jpg")
    t0 = time.perf_counter()
    d = write_durable(data, named.path, decode=decode)
    photo = SavedPhoto(path=d.path, sha256=d.sha256, bytes=d.bytes, ms=0.0, taken_at=_now(), source="app",
                       width=d.width, height=d.height, identity=named.identity, decoded=d.decoded)
    return photo, t0, d.verify_ms


def old_path(wf: Workflow, data: bytes) -> tuple[float, float, float]:
    photo, t0, verify_ms = downloaded(wf, data, None)
    # record_photo before issue 17: the student from the namer's stem table, the size from Pillow
    shot = wf.record_photo(replace(photo, width=None, height=None, identity=None))
    # check_shot before issue 17: the path read back, a hop to the checks' thread, the file decoded again
    with wf.db.session() as s:
        path = s.get(Shot, shot.id).path
    report = wf.checks.call(wf.checker.check_path, path).result()
    info = wf.record_verdict(shot.id, report.verdict, qc_to_json(report), report.ms)
    total = (time.perf_counter() - t0) * 1000
    assert info.qc_verdict is not None
    os.unlink(photo.path)
    decode = report.timings.get("decode", 0.0)
    return total, report.ms - decode, verify_ms + decode


def new_path(wf: Workflow, data: bytes) -> tuple[float, float, float]:
    photo, t0, verify_ms = downloaded(wf, data, wf.checks.decode)
    assert photo.decoded is not None
    shot = wf.record_photo(photo)
    info = wf.submit_check(shot, photo).result()
    total = (time.perf_counter() - t0) * 1000
    assert info.qc_verdict is not None
    os.unlink(photo.path)
    return total, info.qc_ms, verify_ms  # check_decoded's ms has no decode in it


def _now():
    from datetime import datetime

    return datetime.now()


def decode_cpu(data: bytes, folder: Path, repeat: int = 7) -> dict[str, float]:
    """CPU time (this thread's, so the machine's load hardly matters) of each decode, alone, median of ``repeat``:
    what the old path pays twice and the new one once."""
    path = folder / "cpu.jpg"
    path.write_bytes(data)
    jobs = {
        "old: strict check (grey, 1/8)": lambda: verify_jpeg(data),
        "old: checks' decode (file read, damage scan, 1/4)": lambda: decode_path(path, min_long_side=1200),
        "new: one pass (strict, RGB, 1/4)": lambda: decode_jpeg_strict(data, min_long_side=1200),
        "(entropy decode alone: grey 1/8 fast)": lambda: decode_strict(data),
    }
    out = {}
    for name, job in jobs.items():
        times = []
        for _ in range(repeat):
            t = time.thread_time()
            job()
            times.append((time.thread_time() - t) * 1000)
        out[name] = statistics.median(times)
    return out


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(q / 100 * (len(v) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--face", type=Path, default=None, help="a photo from ../shared/faces (default: the first)")
    args = ap.parse_args(argv)
    face = args.face or sorted(FACES.glob("*.jpg"))[0]
    data = make_photo(face)
    with tempfile.TemporaryDirectory(prefix="bench-shot-") as tmp:
        url = f"sqlite:///{tmp}/station.db"
        roster = Path(tmp) / "roster.xlsx"
        write_demo_roster(roster, n=20, seed=1)
        assert station(["--db", url, "roster", "import", str(roster), "--no-report"]) == 0
        db = open_db(url)
        wf = Workflow(db, capture_folder=Path(tmp) / "captures")
        try:
            t = time.perf_counter()
            wf.load_checker()
            print(f"# checker loaded and warmed in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            wf.identify(wf.scan_codes(1)[0])
            paths = {"old": old_path, "new": new_path}
            for name in paths:  # one warm run each (first decode of this size, page cache, SQLite)
                paths[name](wf, data)
            res: dict[str, dict[str, list[float]]] = {
                n: {"total": [], "checks": [], "station": [], "decodes": []} for n in paths}
            for i in range(args.runs):
                for name in (("old", "new") if i % 2 == 0 else ("new", "old")):
                    total, checks, decodes = paths[name](wf, data)
                    res[name]["total"].append(total)
                    res[name]["checks"].append(checks)
                    res[name]["station"].append(total - checks)
                    res[name]["decodes"].append(decodes)
            cpu = decode_cpu(data, Path(tmp))
        finally:
            wf.close()
            db.dispose()
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"photo: {face.name} → 6000x4000, {len(data) / 1e6:.2f} MB, {args.runs} runs each, interleaved; "
          f"nproc {os.cpu_count()}, load {' '.join(load)}")
    print(f"{'path':5} {'what':8} {'p50 ms':>8} {'p95 ms':>8} {'min':>7} {'max':>7}")
    out = {"mb": round(len(data) / 1e6, 2), "runs": args.runs, "load": load}
    for name, r in res.items():
        for what, v in r.items():
            print(f"{name:5} {what:8} {statistics.median(v):8.1f} {pct(v, 95):8.1f} {min(v):7.1f} {max(v):7.1f}")
            out[f"{name}_{what}"] = {"p50": round(statistics.median(v), 1), "p95": round(pct(v, 95), 1)}
    print("decode CPU time, alone on one thread (ms, median):")
    for name, ms in cpu.items():
        print(f"  {name:50} {ms:7.1f}")
    out["decode_cpu_ms"] = {k: round(v, 1) for k, v in cpu.items()}
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
