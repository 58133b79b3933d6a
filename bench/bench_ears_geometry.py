"""Where the ear is, and how much of it shows: the geometry behind ``ears_visible``, measured on the dev set.

    .venv/bin/python bench/bench_ears_geometry.py [--faces ../shared/faces]

The rule is about the ear's area ("hair hides about a third or more of an
ear"), so a check that judges the covered share needs to know where the whole
ear would be. The face mesh has no ear points. This measures, on the
development photos, how well the mesh predicts the ear, and how the ears the
labels call visible and partly covered differ, using the check's own pixel
classification (``ears_visible.classify_band`` and ``row_states``):

* per ear, the longest run of "ear shows" rows (gaps up to 0.06 IOD closed)
  that overlaps the band from 0.1 IOD above to 0.35 IOD below the tragus level
  (mesh 234/454): its top, bottom and length in IOD;
* for the ears labelled visible whose run is long (at least 0.75 IOD: the
  whole ear free), the ear's top and bottom against the tragus level, the eye
  line, the brow (mesh 70/63/105, 300/293/334) and the nose base (mesh 2):
  mean and spread, i.e. the error of predicting the ear's box from the mesh;
* for every ear, the share of that predicted box (tragus-anchored) above the
  run's top: the "covered share of the ear" the rule speaks of, by label.

Prints the figures; nothing is written (the dev photos are personal data).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BROW = {-1: (70, 63, 105), 1: (300, 293, 334)}
EYE = {-1: (33, 133), 1: (263, 362)}
TRAGUS = {-1: 234, 1: 454}
NOSE_BASE = 2


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    m = np.concatenate([[0], mask.astype(np.int8), [0]])
    d = np.diff(m)
    return list(zip(np.where(d == 1)[0], np.where(d == -1)[0]))


def ear_run(face, side: int, p: dict, scale: float) -> tuple[float, float] | None:
    """(top, bottom) of the ear's visible run, IOD below the tragus level, or None."""
    from qc.checks import ears_visible as ev

    band = ev.ear_band(face, side, p)
    hair, skin, _bg = ev.classify_band(face, band, p)
    st = ev.row_states(skin, hair, band.off, p)
    vis = st == 1
    gap = int(round(0.06 * scale))
    for a, b in _runs(~vis):
        if b - a <= gap and a > 0 and b < len(vis):
            vis[a:b] = True
    best = None
    for a, b in _runs(vis):
        if min(band.dv[b - 1], 0.35) - max(band.dv[a], -0.1) > 0 and (best is None or b - a > best[1] - best[0]):
            best = (a, b)
    if best is None:
        return None
    return float(band.dv[best[0]]), float(band.dv[best[1] - 1])


def main() -> int:
    from bench_qc_ears import dev_args

    got = dev_args(__doc__, variants=False)
    if got is None:
        return 1
    _args, faces, _kinds, rows = got
    from qc.checker import Checker
    from qc.face_view import SCALE
    from qc.profile import load_profile

    p = load_profile(None).section("ears_visible")
    ears = []  # (label, file, side, top, bottom, levels dict)
    with Checker() as checker:
        for row in rows:
            a = checker.analyse_path(faces / "images" / row["file"])
            if not a.has_face:
                continue
            face = a.evidence.view
            for side in (-1, 1):
                label = row["ear_left" if side < 0 else "ear_right"]
                t = face.pts[TRAGUS[side], 1]
                lv = {"tragus": 0.0,
                      "eye": float(face.pts[list(EYE[side]), 1].mean() - t) / SCALE,
                      "brow": float(face.pts[list(BROW[side]), 1].mean() - t) / SCALE,
                      "nose base": float(face.pts[NOSE_BASE, 1] - t) / SCALE}
                run = ear_run(face, side, p, SCALE)
                ears.append((label, row["file"], side, run, lv, float(a.pitch)))

    whole = [e for e in ears if e[0] == "visible" and e[3] and e[3][1] - e[3][0] >= 0.75
             and e[3][0] > -0.85 and e[3][1] < 0.85]
    print(f"ears labelled visible with the whole ear showing (run >= 0.75 IOD): {len(whole)}")
    print(f"{'ear edge against':22s} {'mean':>6s} {'sd':>5s}   (IOD, + is below)")
    for name in ("tragus", "eye", "brow"):
        x = [e[3][0] - e[4][name] for e in whole]
        print(f"top - {name:16s} {statistics.mean(x):+6.2f} {statistics.pstdev(x):5.2f}")
    for name in ("tragus", "nose base"):
        x = [e[3][1] - e[4][name] for e in whole]
        print(f"bottom - {name:13s} {statistics.mean(x):+6.2f} {statistics.pstdev(x):5.2f}")
    length = [e[3][1] - e[3][0] for e in whole]
    print(f"{'length':22s} {statistics.mean(length):+6.2f} {statistics.pstdev(length):5.2f}")
    print(f"correlation of the top (tragus) with pitch: "
          f"{np.corrcoef([e[3][0] for e in whole], [e[5] for e in whole])[0, 1]:+.2f}")

    top = statistics.mean(e[3][0] for e in whole)
    ear_len = statistics.mean(length)
    print(f"\npredicted ear box: {top:+.2f} .. {top + ear_len:+.2f} IOD from the tragus level")
    print("share of that box above the visible run's top (the covered share), by label:")
    print(f"{'label':8s} {'n':>3s} {'min':>5s} {'p25':>5s} {'median':>6s} {'p75':>5s} {'max':>5s}  >=1/3")
    for label in ("visible", "partly", "covered"):
        xs = [float(np.clip((e[3][0] - top) / ear_len, 0, 1)) if e[3] else 1.0 for e in ears if e[0] == label]
        if not xs:
            continue
        q = np.percentile(xs, [0, 25, 50, 75, 100])
        print(f"{label:8s} {len(xs):3d} {q[0]:5.2f} {q[1]:5.2f} {q[2]:6.2f} {q[3]:5.2f} {q[4]:5.2f}  "
              f"{sum(x >= 1 / 3 for x in xs):3d}")
    print("\nears labelled visible whose run starts a third or more down the predicted box:")
    for label, f, side, run, _lv, _pitch in sorted(ears, key=lambda e: -(e[3][0] if e[3] else 9)):
        share = float(np.clip((run[0] - top) / ear_len, 0, 1)) if run else 1.0
        if label == "visible" and share >= 1 / 3:
            print(f"  {f} {'image-left' if side < 0 else 'image-right'}: {share:.2f}"
                  + ("" if run else " (no run)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
