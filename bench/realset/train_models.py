"""Train the learned glasses, eyebrows and ears models on the real development set, person-disjoint.

Features come from bench/realset/cache (dump_features.py: the patches of qc/learned.py and
the hand rules' measures). Model: PCA of the patch, then an L2-regularised, class-balanced logistic
regression (plain numpy, no new dependency). Evaluation is K-fold by person: PCA, scaling and
weights are fitted on the other folds only, every held-out photo gets its probability from a model
that never saw that person, and the fold's operating threshold is chosen on the other folds'
held-out probabilities (best F1 with false rejects <= --max-frr). The figures printed are those
held-out ones. --write then fits on all photos and writes qc/models/<name>.npz (tens of kB) with the
operating threshold chosen on all held-out probabilities.

Ears are trained per side (each ear's own label; the image-left side mirrored), and a photo fails
when its worse ear does.

    python bench/realset/train_models.py [--folds 5] [--write] [--json bench/realset/models.json]
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
from qc.evaluate import person_folds  # noqa: E402

CONFIG = {  # name -> (patch key(s), label column, PCs, L2)
    "glasses": ("glasses", "glasses", 48, 1.0),
    "eyebrows": ("brows", "eyebrows_covered", 48, 300.0),
    "ears": ("ear", "ears_covered", 48, 300.0),
}
SIDE = {"visible": 0, "partly": 1, "covered": 1}


def fit(X: np.ndarray, P: np.ndarray, y: np.ndarray, pcs: int, l2: float) -> dict:
    mu_p = P.mean(0)
    _, _, Vt = np.linalg.svd(P - mu_p, full_matrices=False)
    comps = Vt[:pcs].astype(np.float32)
    Z = np.hstack([X, (P - mu_p) @ comps.T])
    mu, sd = Z.mean(0), Z.std(0) + 1e-6
    Zs = (Z - mu) / sd
    w, b = np.zeros(Zs.shape[1]), 0.0
    pos = max(y.mean(), 1e-3)
    cw = np.where(y == 1, 0.5 / pos, 0.5 / max(1 - pos, 1e-3))
    for _ in range(3000):
        p = 1 / (1 + np.exp(-(Zs @ w + b)))
        g = cw * (p - y)
        w -= 0.5 * (Zs.T @ g / len(y) + l2 * w / len(y))
        b -= 0.5 * g.mean()
    return {"patch_mean": mu_p.astype(np.float32), "components": comps, "feat_mean": mu.astype(np.float32),
            "feat_std": sd.astype(np.float32), "w": w.astype(np.float32), "b": np.float32(b),
            "n_extra": np.int32(X.shape[1])}


def predict(m: dict, X: np.ndarray, P: np.ndarray) -> np.ndarray:
    Z = np.hstack([X, (P - m["patch_mean"]) @ m["components"].T])
    return 1 / (1 + np.exp(-(((Z - m["feat_mean"]) / m["feat_std"]) @ m["w"] + m["b"])))


def confusion(flag: np.ndarray, y: np.ndarray) -> dict:
    tp = int((flag & (y == 1)).sum()); fp = int((flag & (y == 0)).sum())
    fn = int((~flag & (y == 1)).sum()); tn = int((~flag & (y == 0)).sum())
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "f1": 2 * tp / max(1, 2 * tp + fp + fn),
            "frr": fp / max(1, fp + tn), "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn)}


def pick(p: np.ndarray, y: np.ndarray, max_frr: float) -> float:
    best, key = 0.5, (False, -1.0)
    for t in np.round(np.linspace(0.05, 0.95, 91), 2):
        c = confusion(p >= t, y)
        ok = c["frr"] <= max_frr
        k = (ok, c["f1"] if ok else -c["frr"])
        if k > key:
            best, key = float(t), k
    return best


def samples(name: str, res: dict, labels: dict, pz, idx: dict):
    """Training rows: (photo file, extra features, patch, label) — per side for the ears."""
    key, col, _, _ = CONFIG[name]
    rows = []
    for f, r in labels.items():
        i = idx[f]
        if not pz["has"][i] or "rim" not in res.get(f, {}):
            continue
        if name == "ears":
            for side, pkey in (("ear_left", "ear_left"), ("ear_right", "ear_right")):
                if r[side] in SIDE:
                    rows.append((f, np.zeros(0), pz[pkey][i], SIDE[r[side]]))
            continue
        if r[col] not in ("yes", "no"):
            continue
        if name == "glasses":
            extra = np.array([res[f]["rim"][k] for k in ("mean", "third", "temple", "tint")])
        else:
            v = res[f]["checks"]["eyebrows_visible"]["value"]
            extra = np.array([0.0 if v is None else v])
        patch = pz[key][i]
        if name == "glasses":
            from qc.learned import glasses_reduce
            patch = glasses_reduce(patch)
        rows.append((f, extra, patch, int(r[col] == "yes")))
    return rows


def photo_eval(name: str, files, probs, labels, res, fold_of, k, max_frr, oof_t):
    """Photo-level held-out confusion: ears take the worse side; photos with no usable side pass."""
    col = CONFIG[name][1]
    per_photo: dict[str, float] = {}
    for f, p in zip(files, probs):
        per_photo[f] = max(per_photo.get(f, 0.0), float(p))
    out_flag, out_y, out_fold = [], [], []
    for f, r in labels.items():
        if r[col] not in ("yes", "no"):
            continue
        p = per_photo.get(f)
        out_flag.append(p is not None and p >= oof_t[fold_of[f]])
        out_y.append(int(r[col] == "yes"))
        out_fold.append(fold_of[f])
    return np.array(out_flag), np.array(out_y), np.array(out_fold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--max-frr", type=float, default=0.03)
    ap.add_argument("--only", choices=list(CONFIG))
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--pcs", type=int, help="override the PCs of --only's model")
    ap.add_argument("--l2", type=float, help="override the L2 of --only's model")
    args = ap.parse_args(argv)
    if args.only and (args.pcs or args.l2):
        k, c, pcs0, l20 = CONFIG[args.only]
        CONFIG[args.only] = (k, c, args.pcs or pcs0, args.l2 or l20)
    res = json.loads((HERE / "cache" / "results.json").read_text(encoding="utf-8"))
    pz = np.load(HERE / "cache" / "patches.npz")
    idx = {f: i for i, f in enumerate(pz["files"].tolist())}
    with (HERE / "labels.csv").open(newline="", encoding="utf-8") as f:
        labels = {r["file"]: r for r in csv.DictReader(f)}
    fold_of = person_folds(labels, args.folds)
    report = {}
    for name in ([args.only] if args.only else list(CONFIG)):
        _, col, pcs, l2 = CONFIG[name]
        rows = samples(name, res, labels, pz, idx)
        files = [r[0] for r in rows]
        X = np.array([r[1] for r in rows], np.float32).reshape(len(rows), -1)
        P = np.array([r[2] for r in rows], np.float32)
        y = np.array([r[3] for r in rows], float)
        fold = np.array([fold_of[f] for f in files])
        oof = np.zeros(len(rows))
        for k in range(args.folds):
            m = fit(X[fold != k], P[fold != k], y[fold != k], pcs, l2)
            oof[fold == k] = predict(m, X[fold == k], P[fold == k])
        # per-fold threshold chosen on the other folds' held-out probabilities (photo level for ears)
        thresholds = {}
        for k in range(args.folds):
            if name == "ears":
                best, key = 0.5, (False, -1.0)
                for t in np.round(np.linspace(0.05, 0.95, 91), 2):
                    fl, yy, ff = photo_eval(name, files, oof, labels, res, fold_of, k, args.max_frr,
                                            {j: t for j in range(args.folds)})
                    c = confusion(fl[ff != k], yy[ff != k])
                    ok = c["frr"] <= args.max_frr
                    kk = (ok, c["f1"] if ok else -c["frr"])
                    if kk > key:
                        best, key = float(t), kk
                thresholds[k] = best
            else:
                thresholds[k] = pick(oof[fold != k], y[fold != k], args.max_frr)
        fl, yy, ff = photo_eval(name, files, oof, labels, res, fold_of, 0, args.max_frr, thresholds)
        pooled = confusion(fl, yy)
        per = [dict(threshold=thresholds[k], **{m: round(v, 3) for m, v in confusion(fl[ff == k], yy[ff == k]).items()})
               for k in range(args.folds)]
        if name == "ears":
            best, key = 0.5, (False, -1.0)
            for t in np.round(np.linspace(0.05, 0.95, 91), 2):
                a, b, _ = photo_eval(name, files, oof, labels, res, fold_of, 0, args.max_frr,
                                     {j: t for j in range(args.folds)})
                c = confusion(a, b)
                ok = c["frr"] <= args.max_frr
                kk = (ok, c["f1"] if ok else -c["frr"])
                if kk > key:
                    best, key = float(t), kk
            t_all = best
        else:
            t_all = pick(oof, y, args.max_frr)
        print(f"{name}: {len(set(files))} photos ({len(rows)} samples), label {col}; {args.folds} person-disjoint folds")
        print(f"  held-out: F1 {pooled['f1']:.3f}  FRR {pooled['frr'] * 100:.1f}%  P {pooled['precision']:.3f} "
              f"R {pooled['recall']:.3f}  (tp {pooled['tp']} fp {pooled['fp']} fn {pooled['fn']} tn {pooled['tn']})")
        print("  per fold (t, F1, FRR): " + "; ".join(f"{p['threshold']:.2f} {p['f1']:.3f} {p['frr'] * 100:.1f}%" for p in per))
        print(f"  operating threshold from all held-out probabilities: {t_all}")
        report[name] = {"held_out": pooled, "per_fold": per, "threshold": t_all, "samples": len(rows)}
        if args.write:
            m = fit(X, P, y, pcs, l2)
            out = ROOT / "qc" / "models"
            out.mkdir(exist_ok=True)
            np.savez_compressed(out / f"{name}.npz", **m, threshold=np.float32(t_all))
            print(f"  wrote qc/models/{name}.npz ({(out / f'{name}.npz').stat().st_size // 1024} kB)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
