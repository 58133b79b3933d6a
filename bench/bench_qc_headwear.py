"""headwear on real photos: Grace Hopper's naval cap, the 73 portraits of ../shared/faces (no headwear),
and, when present, a local labelled sample of LFW photos (research-only licence: never committed).

    nice -n 10 .venv/bin/python bench/bench_qc_headwear.py
    nice -n 10 .venv/bin/python bench/bench_qc_headwear.py --lfw /tmp/lfw --lfw-labels bench/headwear_lfw_labels.csv

The LFW sample: ``bench/headwear_lfw_labels.csv`` lists the files (path inside
SnorreW/FacialAttributes_Snorre @ f6cb0112, LFW deep-funneled, one photo per
person drawn at random with seed 12) and their labels by eye (hat = cap, hat,
helmet, beret, headscarf, veil, hood, turban; no; unsure = left out);
``--extract DIR`` writes them from a local mirror of that repository
(``--mirror``) into DIR. Prints each set's confusion counts and the measures
of every photo that fails or comes near (``--verbose``).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FACES = ROOT.parent / "shared" / "faces" / "images"
LABELS = ROOT / "bench" / "headwear_lfw_labels.csv"


def extract(mirror: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for row in csv.DictReader(LABELS.open()):
        data = subprocess.run(["git", "-C", str(mirror), "show", f"HEAD:{row['path']}"], capture_output=True,
                              check=True).stdout
        (out / row["file"]).write_bytes(data)


def judge(checker, files: list[tuple[Path, bool]], verbose: bool) -> dict[str, int]:
    from qc.checks.headwear import headwear_measures

    c = {"tp": 0, "fn": 0, "fp": 0, "tn": 0, "warn": 0, "na": 0}
    for f, hat in files:
        a = checker.analyse_path(f)
        res = checker._run_one("headwear", a)
        if res.verdict == "error":
            c["na"] += 1
            continue
        failed = res.verdict == "fail"
        c["warn"] += res.verdict == "warn"
        c[("tp" if failed else "fn") if hat else ("fp" if failed else "tn")] += 1
        if verbose and (failed != hat or res.verdict == "warn" or verbose > 1):
            m = headwear_measures(a, checker.checks["headwear"].params)
            L, A, B = m["crown_lab"]
            print(f"  {f.name:28} label {'hat' if hat else 'none':4} verdict {res.verdict:4} "
                  f"crown skin {m['crown_skin']:.2f} edge {m['edge']:.0f} crown L {L:.0f} C {np.hypot(A, B):.0f} "
                  f"h {np.degrees(np.arctan2(B, A)) % 360:.0f}")
    return c


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lfw", type=Path, help="folder the labelled LFW sample was extracted to")
    ap.add_argument("--extract", type=Path, help="write the labelled LFW sample here from --mirror")
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror/SnorreW+FacialAttributes_Snorre/repo"))
    ap.add_argument("--verbose", "-v", action="count", default=0, help="-v: misses and warnings; -vv: every photo")
    args = ap.parse_args()
    if args.extract:
        extract(args.mirror, args.extract)
        return 0
    import matplotlib.cbook as cbook

    from qc.checker import Checker

    checker = Checker(warm=False)
    grace = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    sets = {"Grace Hopper (naval cap)": [(grace, True)]}
    if FACES.is_dir():
        sets["../shared/faces (73, none wears headwear)"] = [(f, False) for f in sorted(FACES.glob("*.jpg"))]
    if args.lfw:
        rows = [r for r in csv.DictReader(LABELS.open()) if r["label"] in ("hat", "no")]
        sets[f"LFW sample ({len(rows)}, research-only, local)"] = [(args.lfw / r["file"], r["label"] == "hat")
                                                                 for r in rows]
    for name, files in sets.items():
        c = judge(checker, files, args.verbose)
        pos, neg = c["tp"] + c["fn"], c["fp"] + c["tn"]
        rec = c["tp"] / pos if pos else float("nan")
        fpr = c["fp"] / neg if neg else float("nan")
        print(f"{name}: headwear caught {c['tp']}/{pos} (recall {rec:.2f}), false rejects {c['fp']}/{neg} "
              f"({fpr:.1%}), warnings {c['warn']}, not assessed {c['na']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
