"""Latency the checks glasses, eyebrows_visible, ears_visible and jewelry add to a photo check.

    .venv/bin/python bench/bench_qc_hair_glasses.py [--n 30] [--faces ../shared/faces/images]

Makes 24 MP (4000x6000) and 6 MP (2000x3000) portrait JPEGs from real faces
(the development set if present, else the package portraits) in a temporary
folder outside the repository, checks each with a warm ``Checker`` and
prints, per size, the median and p95 of each of the four checks (their
share of the shared canonical face view included: it is built by the first
of them that runs) and of their sum, next to the whole photo check. Timings
come from the checker's own per-check clock, all in one run, so they are
comparable side by side on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NAMES = ("glasses", "eyebrows_visible", "ears_visible", "jewelry")


def sources(folder: Path, n: int) -> list[np.ndarray]:
    import cv2

    out = []
    for p in sorted(folder.glob("*.jpg"))[:n] if folder.exists() else []:
        out.append(cv2.imread(str(p)))
    if not out:
        import matplotlib.cbook as cbook
        from skimage import data

        out = [cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR),
               cv2.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))]
    return out


def make_frames(imgs: list[np.ndarray], tmp: Path, w: int, h: int) -> list[Path]:
    """Each face scaled into a portrait frame of w x h (face about a third of the width), as JPEG."""
    import cv2

    paths = []
    for i, img in enumerate(imgs):
        ih, iw = img.shape[:2]
        s = min(w / iw, h / ih) * 0.8
        big = cv2.resize(img, (int(iw * s), int(ih * s)), interpolation=cv2.INTER_CUBIC)
        frame = cv2.copyMakeBorder(big, (h - big.shape[0]) // 2, h - big.shape[0] - (h - big.shape[0]) // 2,
                                   (w - big.shape[1]) // 2, w - big.shape[1] - (w - big.shape[1]) // 2,
                                   cv2.BORDER_REPLICATE)
        p = tmp / f"frame_{w}x{h}_{i:03d}.jpg"
        cv2.imwrite(str(p), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
        paths.append(p)
    return paths


def p95(v: list[float]) -> float:
    return float(np.percentile(v, 95)) if v else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faces", default=str(ROOT.parent / "shared" / "faces" / "images"))
    ap.add_argument("--n", type=int, default=30)
    args = ap.parse_args(argv)

    from qc.checker import Checker

    imgs = sources(Path(args.faces), args.n)
    result = {}
    with tempfile.TemporaryDirectory() as d, Checker() as checker:
        tmp = Path(d)
        for label, (w, h) in (("24MP", (4000, 6000)), ("6MP", (2000, 3000))):
            paths = make_frames(imgs, tmp, w, h)
            checker.check_path(paths[0])  # warm-up
            per = {n: [] for n in NAMES}
            total, ours = [], []
            for p in paths:
                rep = checker.check_path(p)
                t = getattr(rep, "timings", {}) or {}
                vals = [float(t.get(f"check.{n}", 0.0)) for n in NAMES]
                for n, v in zip(NAMES, vals):
                    per[n].append(v)
                ours.append(sum(vals))
                total.append(rep.ms)
            result[label] = {
                "photos": len(paths),
                **{n: {"median_ms": round(statistics.median(v), 2), "p95_ms": round(p95(v), 2)} for n, v in per.items()},
                "four_checks": {"median_ms": round(statistics.median(ours), 2), "p95_ms": round(p95(ours), 2)},
                "whole_check": {"median_ms": round(statistics.median(total), 1), "p95_ms": round(p95(total), 1)},
            }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
