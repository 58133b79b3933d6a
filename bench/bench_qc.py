"""Benchmark of the photo checks: latency per 24 MP and 6 MP JPEG, memory over many photos, accuracy.

    .venv/bin/python bench/bench_qc.py                 # everything (about 5 minutes on 2 cores)
    .venv/bin/python bench/bench_qc.py --memory 0      # latency and accuracy only
    .venv/bin/python bench/bench_qc.py --robustness    # white_top on dev photos under changed light

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


TRANSFORMS = {
    "as shot": lambda x: x,
    "-1/2 stop (x0.7)": lambda x: np.clip(x.astype(np.float32) * 0.7, 0, 255).astype(np.uint8),
    "+1/3 stop (x1.25)": lambda x: np.clip(x.astype(np.float32) * 1.25, 0, 255).astype(np.uint8),
    "gamma 1.3": lambda x: (255 * (x / 255.0) ** 1.3).astype(np.uint8),
    "warm cast (R x1.12, B x0.85)": lambda x: np.clip(x.astype(np.float32) * [1.12, 1, 0.85], 0, 255).astype(np.uint8),
    "cool cast (R x0.9, B x1.12)": lambda x: np.clip(x.astype(np.float32) * [0.9, 1, 1.12], 0, 255).astype(np.uint8),
    "grayscale": lambda x: np.repeat(np.asarray(x.mean(axis=2, keepdims=True), np.uint8), 3, axis=2),
    "200 px wide": lambda x: _resize_w(x, 200),
    "JPEG quality 60": lambda x: _jpeg_round_trip(x, 60),
    "25% fall-off to the corners": lambda x: _falloff(x, 0.35, 0.75),
    "40% fall-off to the corners": lambda x: _falloff(x, 0.6, 0.6),
}


def _resize_w(x: np.ndarray, w: int) -> np.ndarray:
    import cv2

    return cv2.resize(x, (w, int(w * x.shape[0] / x.shape[1])), interpolation=cv2.INTER_AREA)


def _jpeg_round_trip(x: np.ndarray, q: int) -> np.ndarray:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(x).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(buf).convert("RGB"))


def _falloff(x: np.ndarray, strength: float, floor: float) -> np.ndarray:
    h, w = x.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((xx - w / 2) / w, (yy - h / 3) / h)
    f = np.clip(1.0 + 0.05 - strength * r, floor, 1.05)
    return np.clip(x * f[:, :, None], 0, 255).astype(np.uint8)


def robustness() -> None:
    """white_top (and every check's false rejects) on the dev set, changed the way sessions differ."""
    from qc.checker import Checker
    from qc.decode import decode_path
    from qc.evaluate import read_labels

    labels = read_labels(FACES / "labels.csv")
    decoded = {n: decode_path(FACES / "images" / n).rgb for n in sorted(labels)}
    print(f"\nwhite_top under changed light and files ({len(decoded)} dev photos; F1 of the failing class; "
          "other checks' false rejects):")
    with Checker() as c:
        for name, fn in TRANSFORMS.items():
            tp = fp = fn_ = 0
            rejects: dict[str, int] = {}
            for n, rgb in decoded.items():
                r = c.check_image(fn(rgb))
                bad = labels[n]["top_white"] == "no"
                flagged = r.checks["white_top"].verdict == "fail"
                tp += bad and flagged
                fp += (not bad) and flagged
                fn_ += bad and not flagged
                for k in ("face_count", "framing", "pose", "eyes_open", "sharpness", "exposure", "background"):
                    rejects[k] = rejects.get(k, 0) + (r.checks[k].verdict == "fail")
            f1 = 2 * tp / (2 * tp + fp + fn_) if tp + fp + fn_ else float("nan")
            rej = ", ".join(f"{k} {v}" for k, v in rejects.items() if v) or "none"
            print(f"  {name:<30} F1 {f1:.3f} (fp {fp}, fn {fn_}); rejected by other checks: {rej}")


def pct(values: list[float], q: float) -> float:
    from qc.evaluate import percentile

    return percentile(values, q)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=12, help="distinct camera files per size")
    ap.add_argument("--rounds", type=int, default=3, help="passes over them")
    ap.add_argument("--memory", type=int, default=1000, help="photos checked in a row for the memory figure")
    ap.add_argument("--no-eval", action="store_true", help="skip qc-eval on ../shared/faces")
    ap.add_argument("--robustness", action="store_true", help="only the white_top sweep over changed dev photos")
    args = ap.parse_args()

    from qc.checker import Checker

    if args.robustness:
        robustness()
        return 0
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
