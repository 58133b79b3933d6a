"""Benchmark of the photo checks: latency per 24 MP and 6 MP JPEG, memory over many photos, accuracy.

    .venv/bin/python bench/bench_qc.py                 # everything (about 5 minutes on 2 cores)
    .venv/bin/python bench/bench_qc.py --memory 0      # latency and accuracy only

Camera-sized test files are made on the fly in a temporary folder (deleted
afterwards) from the real portraits in ../shared/faces (resampled to
6000x4000 and 3000x2000 portrait frames, with sensor-like noise so the JPEGs
have a camera's size and entropy, stored as landscape pixels with EXIF
orientation 6 like a camera held upright), or from Grace Hopper's portrait
when that folder is absent. Latency is wall time of ``Checker.check_path``
(read, decode, analysis, all checks), warm: the models are loaded and one
photo has been checked before timing. Memory: resident set size before and
after checking ``--memory`` photos in a row, and its peak on the way.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FACES = ROOT.parent / "shared" / "faces"


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sources(n: int) -> list[np.ndarray]:
    from PIL import Image

    files = sorted((FACES / "images").glob("*.jpg")) if (FACES / "images").is_dir() else []
    if not files:
        import matplotlib.cbook as cbook

        files = [Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))]
    step = max(1, len(files) // n)
    return [np.asarray(Image.open(f).convert("RGB")) for f in files[::step][:n]]


def camera_frame(rgb: np.ndarray, long_side: int, short_side: int, seed: int) -> np.ndarray:
    """A portrait camera frame (short_side x long_side, upright) with the photo centred, plus noise."""
    import cv2

    h, w = rgb.shape[:2]
    s = min(short_side / w, long_side / h)
    img = cv2.resize(rgb, (int(w * s), int(h * s)), interpolation=cv2.INTER_CUBIC)
    top = (long_side - img.shape[0]) // 2
    left = (short_side - img.shape[1]) // 2
    img = cv2.copyMakeBorder(img, top, long_side - img.shape[0] - top, left, short_side - img.shape[1] - left,
                             cv2.BORDER_REPLICATE)
    # sensor-like noise gives the files a camera JPEG's entropy (decode time follows file size)
    noise = np.random.default_rng(seed).normal(0, 4.0, img.shape).astype(np.float32)
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def write_camera_jpeg(frame: np.ndarray, path: Path) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held upright: pixels stored landscape
    Image.fromarray(np.rot90(frame, k=1).copy()).save(path, "JPEG", quality=95, exif=exif.tobytes())


def timed(checker, paths: list[Path], rounds: int) -> tuple[list[float], dict[str, float]]:
    checker.check_path(paths[0])  # warm
    times: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(rounds):
        for p in paths:
            t = time.perf_counter()
            report = checker.check_path(p)
            times.append((time.perf_counter() - t) * 1000)
            for k, v in report.timings.items():
                stages.setdefault(k, []).append(v)
    return times, {k: statistics.median(v) for k, v in stages.items()}


def pct(values: list[float], q: float) -> float:
    from qc.evaluate import percentile

    return percentile(values, q)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=12, help="distinct camera files per size")
    ap.add_argument("--rounds", type=int, default=3, help="passes over them")
    ap.add_argument("--memory", type=int, default=1000, help="photos checked in a row for the memory figure")
    ap.add_argument("--no-eval", action="store_true", help="skip qc-eval on ../shared/faces")
    args = ap.parse_args()

    from qc.checker import Checker

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    tmp = Path(tempfile.mkdtemp(prefix="bench_qc_"))
    try:
        srcs = sources(args.photos)
        sets: dict[str, list[Path]] = {"24 MP (6000x4000)": [], "6 MP (3000x2000)": []}
        for i, rgb in enumerate(srcs):
            for label, (ls, ss) in (("24 MP (6000x4000)", (6000, 4000)), ("6 MP (3000x2000)", (3000, 2000))):
                p = tmp / f"{ls}_{i:03d}.jpg"
                write_camera_jpeg(camera_frame(rgb, ls, ss, i), p)
                sets[label].append(p)
        sizes = {k: statistics.median(p.stat().st_size for p in v) / 2**20 for k, v in sets.items()}

        rss0 = rss_mb()
        checker = Checker()
        print(f"models loaded: RSS {rss0:.0f} MB -> {rss_mb():.0f} MB")
        # interleave the sizes so that load from other jobs hits both alike
        results: dict[str, list[float]] = {k: [] for k in sets}
        stages: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):
            for label, paths in sets.items():
                t, st = timed(checker, paths, 1)
                results[label].extend(t)
                stages[label] = st
        for label, t in results.items():
            print(f"{label}: {len(t)} checks of {len(sets[label])} files (median {sizes[label]:.1f} MB), "
                  f"median {statistics.median(t):.0f} ms, p95 {pct(t, 95):.0f} ms, min {min(t):.0f} ms")
            st = stages[label]
            order = ["decode", "resize", "detect", "mesh", "segment", "pose"]
            parts = ", ".join(f"{k} {st[k]:.1f}" for k in order if k in st)
            checks = ", ".join(f"{k[6:]} {v:.1f}" for k, v in st.items() if k.startswith("check."))
            print(f"   stages (median ms): {parts}\n   checks (median ms): {checks}")

        if args.memory:
            cycle = sets["24 MP (6000x4000)"] + sets["6 MP (3000x2000)"]
            start = rss_mb()
            samples = []
            t0 = time.perf_counter()
            for i in range(args.memory):
                checker.check_path(cycle[i % len(cycle)])
                if (i + 1) % 100 == 0:
                    samples.append(rss_mb())
            dt = time.perf_counter() - t0
            print(f"memory over {args.memory} photos (24 MP and 6 MP alternating): RSS {start:.0f} MB at start, "
                  f"{rss_mb():.0f} MB at end; every 100: {', '.join(f'{s:.0f}' for s in samples)}; "
                  f"{dt:.0f} s (process peak {peak_mb():.0f} MB, set while building the test frames)")
        checker.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if not args.no_eval and (FACES / "labels.csv").exists():
        from qc.checker import Checker
        from qc.evaluate import evaluate, format_table

        print(f"\nqc-eval on {FACES / 'images'} (labels {FACES / 'labels.csv'}):")
        with Checker() as c:
            print(format_table(evaluate(FACES / "images", FACES / "labels.csv", c)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
