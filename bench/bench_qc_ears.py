"""ears_visible on the development set and on harder copies of it: accuracy and the check's own time.

    .venv/bin/python bench/bench_qc_ears.py [--faces ../shared/faces] [--variants dev,small,gray,phone]

The hidden set the issue is judged on has small and large photos, studio and
phone pictures; the development set is 73 studio portraits. So each dev
photo is also checked as:

* ``small``: a 200x250 ID-photo crop at an eye distance of 48 px (JPEG 85);
* ``gray``: the same photo in grayscale;
* ``phone``: eye distance 90 px, light falling off across the frame (gain
  0.75..1.2 left to right, 1..1.1 top to bottom), a warm cast, JPEG 70.

The images are made in memory (never written: they are derived from real
people's photos) and go through the whole ``Checker`` (analysis included).
Prints, per variant, the failing/compliant counts, precision, recall and F1
of the failing class (label ``ears_covered``; ``unsure`` rows left out), the
share of compliant photos rejected, and the median / p95 of the
``ears_visible`` check's own time.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VARIANTS = ("dev", "small", "gray", "phone")


def variant(rgb: np.ndarray, kind: str, eyes: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    import cv2

    el, er = eyes
    iod = float(np.hypot(*(er - el)))

    def jpeg(img: np.ndarray, q: int) -> np.ndarray:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q])
        return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    if kind == "dev":
        return rgb
    if kind == "gray":
        return cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    if kind == "small":
        s = 48.0 / iod
        im = cv2.resize(rgb, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        cx, cy = (el + er) / 2 * s
        x0, y0 = int(max(0, cx - 100)), int(max(0, cy - 115))
        return jpeg(np.ascontiguousarray(im[y0:y0 + 250, x0:x0 + 200]), 85)
    if kind == "phone":
        s = 90.0 / iod
        im = cv2.resize(rgb, None, fx=s, fy=s, interpolation=cv2.INTER_AREA).astype(np.float32)
        h, w = im.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        gain = 0.75 + 0.45 * xx / w + 0.1 * yy / h
        im = np.clip(im * gain[..., None] * np.array([1.06, 1.0, 0.9], np.float32), 0, 255).astype(np.uint8)
        return jpeg(im, 70)
    raise ValueError(kind)


def dev_args(doc: str, extra=None, variants: bool = True) -> tuple[argparse.Namespace, Path, list[str], list[dict[str, str]]] | None:
    """The dev-set benches' common command line: (args, faces folder, variants, label rows), None without labels."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--faces", default=str(ROOT.parent / "shared" / "faces"))
    if variants:
        ap.add_argument("--variants", default=",".join(VARIANTS))
    if extra:
        extra(ap)
    args = ap.parse_args()
    faces = Path(args.faces)
    if not (faces / "labels.csv").exists():
        print(f"no labelled faces at {faces}: nothing to measure")
        return None
    rows = list(csv.DictReader(open(faces / "labels.csv", newline="", encoding="utf-8")))
    return args, faces, [k for k in getattr(args, "variants", "").split(",") if k], rows


def main() -> int:
    got = dev_args(__doc__)
    if got is None:
        return 1
    _args, faces, kinds, rows = got
    import cv2

    from qc.checker import Checker

    rows = [r for r in rows if r["ears_covered"] in ("yes", "no")]
    tally = {k: {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "error": 0, "ms": []} for k in kinds}
    with Checker() as checker:
        for row in rows:
            rgb = cv2.cvtColor(cv2.imread(str(faces / "images" / row["file"])), cv2.COLOR_BGR2RGB)
            base = checker.check_image(rgb)  # warm-up for this photo and the eye positions for the crops
            a = checker.analyse_path(faces / "images" / row["file"])
            if not a.has_face or base.verdict == "error":
                continue
            for k in kinds:
                rep = checker.check_image(variant(rgb, k, a.eye_centres))
                t = tally[k]
                r = rep.checks["ears_visible"]
                if r.verdict == "error":
                    t["error"] += 1
                    continue
                t["ms"].append(rep.timings.get("check.ears_visible", float("nan")))
                failed, broken = r.verdict == "fail", row["ears_covered"] == "yes"
                t[("tp" if failed else "fn") if broken else ("fp" if failed else "tn")] += 1
    print(f"{'variant':8s} {'failing':>7s} {'compl.':>7s} {'prec.':>6s} {'recall':>6s} {'F1':>6s} {'FRR':>6s} "
          f"{'n/a':>4s} {'ms median':>9s} {'p95':>6s}")
    for k, t in tally.items():
        prec = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else float("nan")
        rec = t["tp"] / (t["tp"] + t["fn"]) if t["tp"] + t["fn"] else float("nan")
        f1 = 2 * t["tp"] / max(1, 2 * t["tp"] + t["fp"] + t["fn"])
        frr = t["fp"] / max(1, t["fp"] + t["tn"])
        ms = [m for m in t["ms"] if m == m]
        med = statistics.median(ms) if ms else float("nan")
        p95 = float(np.percentile(ms, 95)) if ms else float("nan")
        print(f"{k:8s} {t['tp'] + t['fn']:7d} {t['fp'] + t['tn']:7d} {prec:6.3f} {rec:6.3f} {f1:6.3f} {frr:6.1%} "
              f"{t['error']:4d} {med:9.1f} {p95:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
