"""Run every check once over the real development set and cache what tuning needs.

For each labelled photo: every check's verdict, value and score, the glasses check's rim measures
(mean, weakest third, temples, tint), and a small periocular patch of the canonical face view
and the patches the learned models read (qc/learned.py: glasses, brows, each ear).
Tuning (bench/realset/tune.py) then reads this cache instead of re-running the models.

    nice -n 10 python bench/realset/dump_features.py   # -> bench/realset/cache/features.npz (git-ignored)
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent

def main() -> None:
    from qc.checker import Checker
    from qc.decode import decode_path

    images = HERE / "images"
    with (HERE / "labels.csv").open(newline="", encoding="utf-8") as f:
        files = [r["file"] for r in csv.DictReader(f)]
    checker = Checker()
    out: dict[str, dict] = {}
    from qc import learned as L
    feats: dict[str, list] = {"glasses": [], "brows": [], "ear_left": [], "ear_right": []}
    has_patch = np.zeros(len(files), bool)
    t0 = time.time()
    for i, name in enumerate(files):
        rec: dict = {"checks": {}}
        try:
            decoded = decode_path(images / name, min_long_side=checker.decode_long_side)
            analysis = checker._analyse(decoded, str(images / name))
        except Exception as exc:  # noqa: BLE001
            rec["error"] = f"{type(exc).__name__}: {exc}"
            out[name] = rec
            continue
        rec["size"] = [decoded.width, decoded.height]
        rec["has_face"] = bool(analysis.has_face)
        for n in checker.profile.checks:
            r = checker._run_one(n, analysis)
            rec["checks"][n] = {"verdict": r.verdict, "value": r.value, "score": r.score}
        if analysis.has_face:
            try:
                face = analysis.evidence.view
                m = analysis.evidence.rims
                rec["rim"] = {k: float(m[k]) for k in ("mean", "third", "temple", "tint")}
                rec["iod_px"] = float(face.src_iod); rec["yaw"] = float(face.yaw)
                fv = {"glasses": L.glasses_patch(face), "brows": L.brow_features(face),
                      "ear_left": L.ear_features(face, -1), "ear_right": L.ear_features(face, +1)}
                for k, v in fv.items():
                    feats[k].append((i, v))
                has_patch[i] = True
            except Exception as exc:  # noqa: BLE001
                rec["rim_error"] = f"{type(exc).__name__}: {exc}"
        out[name] = rec
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(files)} {time.time() - t0:.0f}s", flush=True)
    cache = HERE / "cache"
    cache.mkdir(exist_ok=True)
    (cache / "results.json").write_text(json.dumps(out), encoding="utf-8")
    arrays = {}
    for k, lst in feats.items():
        dim = len(lst[0][1]) if lst else 0
        a = np.zeros((len(files), dim), np.float32)
        for i, v in lst:
            a[i] = v
        arrays[k] = a
    np.savez_compressed(cache / "patches.npz", files=np.array(files), has=has_patch, **arrays)
    print(f"done {len(files)} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
