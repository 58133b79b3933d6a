"""Tune the four checks' thresholds on the real development set, person-disjoint.

Reads bench/realset/cache/results.json (dump_features.py: every check's value per photo, from
one run of the models) and labels.csv. For each check and each of K person-disjoint folds
(qc.evaluate.person_folds), the threshold is chosen on the other folds — the best F1 of the
failing class among thresholds whose false-reject rate is at most --max-frr (3%) — and measured
on the held-out fold. It prints the held-out (out-of-fold) figures pooled over the folds, the
per-fold figures, the threshold chosen on all photos, and the current profile's figures.

    python bench/realset/tune.py [--folds 5] [--max-frr 0.03] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent

from qc.evaluate import LABELS, person_folds  # noqa: E402
from qc.profile import load_profile  # noqa: E402

# check -> (direction: +1 fails at value >= t, -1 fails at value < t, the profile key of t)
RULES = {
    "glasses": (+1, "fail_at"),
    "eyebrows_visible": (+1, "fail_at"),
    "ears_visible": (+1, "fail_at"),
    "white_top": (-1, "min_fraction"),
}


def load(results_path: Path, labels_path: Path):
    res = json.loads(results_path.read_text(encoding="utf-8"))
    with labels_path.open(newline="", encoding="utf-8") as f:
        labels = {r["file"]: {k: (v or "").strip().lower() for k, v in r.items()} for r in csv.DictReader(f)}
    return res, labels


def table(check: str, res: dict, labels: dict):
    """files, value (nan = not assessed), label (1 fail / 0 compliant) for the check's labelled photos."""
    col, bad, good = LABELS[check]
    files, vals, ys = [], [], []
    for name, row in labels.items():
        if row[col] not in bad and row[col] not in good:
            continue
        c = res.get(name, {}).get("checks", {}).get(check)
        v = np.nan if c is None or c["verdict"] == "error" or c["value"] is None else float(c["value"])
        files.append(name)
        vals.append(v)
        ys.append(1 if row[col] in bad else 0)
    return files, np.array(vals, float), np.array(ys, int)


def flags(vals: np.ndarray, t: float, direction: int) -> np.ndarray:
    ok = ~np.isnan(vals)
    out = np.zeros(len(vals), bool)
    out[ok] = vals[ok] >= t if direction > 0 else vals[ok] < t
    return out


def scores(flag: np.ndarray, y: np.ndarray) -> dict:
    tp = int((flag & (y == 1)).sum())
    fp = int((flag & (y == 0)).sum())
    fn = int((~flag & (y == 1)).sum())
    tn = int((~flag & (y == 0)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    frr = fp / (fp + tn) if fp + tn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": p, "recall": r, "f1": f1, "frr": frr}


def choose(vals: np.ndarray, y: np.ndarray, direction: int, max_frr: float) -> float:
    cand = np.unique(vals[~np.isnan(vals)])
    if len(cand) == 0:
        return 1.0
    # thresholds half-way between observed values, plus the ends
    mids = np.concatenate([[cand[0] - 1e-3], (cand[1:] + cand[:-1]) / 2, [cand[-1] + 1e-3]])
    best, best_key = float(mids[0]), (-1.0, -1.0)
    for t in mids:
        s = scores(flags(vals, t, direction), y)
        ok = s["frr"] <= max_frr
        key = (1.0 if ok else 0.0, s["f1"] if ok else -s["frr"])
        if key > best_key:
            best, best_key = float(t), key
    return round(best, 3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--max-frr", type=float, default=0.03)
    ap.add_argument("--results", type=Path, default=HERE / "cache" / "results.json")
    ap.add_argument("--labels", type=Path, default=HERE / "labels.csv")
    ap.add_argument("--profile", default="default")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    res, labels = load(args.results, args.labels)
    prof = load_profile(args.profile)
    fold_of = person_folds(labels, args.folds)
    report = {}
    for check, (direction, key) in RULES.items():
        files, vals, y = table(check, res, labels)
        fold = np.array([fold_of[f] for f in files])
        current_t = float(prof.section(check)[key])
        # today's verdicts (the check's own fail, which may come from more than the one value)
        cur_flag = np.array([res.get(f, {}).get("checks", {}).get(check, {}).get("verdict") == "fail" for f in files])
        cur = scores(cur_flag, y)
        oof = np.zeros(len(files), bool)
        per_fold = []
        for k in range(args.folds):
            tr, te = fold != k, fold == k
            t = choose(vals[tr], y[tr], direction, args.max_frr)
            oof[te] = flags(vals[te], t, direction)
            s = scores(oof[te], y[te])
            per_fold.append({"threshold": t, **{m: round(s[m], 3) for m in ("f1", "frr", "precision", "recall")},
                             "failing": int(y[te].sum()), "compliant": int((y[te] == 0).sum())})
        pooled = scores(oof, y)
        t_all = choose(vals, y, direction, args.max_frr)
        full = scores(flags(vals, t_all, direction), y)
        report[check] = {"photos": len(files), "failing": int(y.sum()), "current_threshold": current_t,
                         "current": cur, "held_out": pooled, "per_fold": per_fold,
                         "threshold_all": t_all, "all_photos_at_threshold": full}
        print(f"{check}: {len(files)} labelled ({int(y.sum())} failing); {key} now {current_t}")
        print(f"  today's verdicts:     F1 {cur['f1']:.3f}  FRR {cur['frr'] * 100:.1f}%  "
              f"(P {cur['precision']:.3f} R {cur['recall']:.3f})")
        print(f"  held-out, {args.folds} folds:  F1 {pooled['f1']:.3f}  FRR {pooled['frr'] * 100:.1f}%  "
              f"(P {pooled['precision']:.3f} R {pooled['recall']:.3f})")
        print("  per fold (t, F1, FRR): " + "; ".join(
            f"{p['threshold']:.3f} {p['f1']:.3f} {p['frr'] * 100:.1f}%" for p in per_fold))
        print(f"  chosen on all photos: {key} = {t_all} (F1 {full['f1']:.3f}, FRR {full['frr'] * 100:.1f}%)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
