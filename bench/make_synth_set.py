"""Write a rendered, labelled test set: real faces with spectacles and fringes drawn on them.

    .venv/bin/python bench/make_synth_set.py --out /tmp/synth
    .venv/bin/station qc-eval /tmp/synth/tune --labels /tmp/synth/tune/labels.csv
    .venv/bin/station qc-eval /tmp/synth/heldout --labels /tmp/synth/heldout/labels.csv

Base faces come from a labelled folder (default ``../shared/faces``) and, always,
the two portraits that ship inside packages (scikit-image's astronaut,
matplotlib's Grace Hopper). The output goes OUTSIDE the repository: rendered
images are derived from real people's photos and must not be committed.

Two person-disjoint splits:

* ``tune``: two faces in three, glasses of the families in
  ``bench/support/synth.py``'s ``GLASSES_FAMILIES`` and fringes of ``FRINGE_KINDS``
  (the part of the renderer's parameter space the detectors were tuned on);
* ``heldout``: the other faces, and only the held-out families
  (``GLASSES_HELDOUT_FAMILIES``: aviators, clear frames, round tortoiseshell)
  and fringe kinds (``FRINGE_HELDOUT_KINDS``: choppy, long side-swept).
  Its F1 is the better predictor of unseen real photos.

Each base face gives: the plain photo, ``--glasses`` renders with spectacles,
and ``--fringes`` renders with a fringe (half covering the brows, half ending
above them). The eyebrow label of a fringe render is measured from the
drawn hair (mean hair opacity over a brow's area >= 0.35: covered; <= 0.08:
visible; in between: re-drawn). Photos are then resized (eye distance 28 to
200 px, some 200x250 crops), some turned grayscale, and saved as JPEG at
quality 70-95. The labels CSV has the columns of ``../shared/faces/labels.csv``
plus ``split``, ``render`` and ``style``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support import synth  # noqa: E402  (the repository's root is on the path, above)
from qc.checker import Checker  # noqa: E402

COLUMNS = ["file", "top_white", "glasses", "ears_covered", "eyebrows_covered", "ear_left", "ear_right",
           "eyebrows", "jewelry", "note", "split", "render", "style"]
COVERED_AT = 0.35
VISIBLE_BELOW = 0.08


def builtin_faces(tmp: Path) -> list[tuple[Path, dict[str, str]]]:
    """The two portraits that ship inside packages, written as files."""
    import matplotlib.cbook as cbook
    from skimage import data

    tmp.mkdir(parents=True, exist_ok=True)
    astro = tmp / "astronaut.png"
    cv2.imwrite(str(astro), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    grace = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    base = {"glasses": "no", "eyebrows_covered": "no", "ears_covered": "unsure", "jewelry": "unsure"}
    # the astronaut's bob hides her ears; Grace Hopper wears cat-eye glasses
    return [(astro, dict(base, top_white="no", ears_covered="yes", file="astronaut.png")),
            (grace, dict(base, top_white="no", glasses="yes", file="grace_hopper.jpg"))]


def load_faces(folder: Path, labels: Path) -> list[tuple[Path, dict[str, str]]]:
    out = []
    with open(labels, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            p = folder / row["file"]
            if p.exists():
                out.append((p, row))
    return out


def photo_variant(rgb: np.ndarray, pts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Resize to a random eye distance (sometimes a tight 200x250 crop), sometimes grayscale."""
    fr = synth.face_frame(pts)
    h, w = rgb.shape[:2]
    r = rng.random()
    if r < 0.12:
        # a small ID-style crop: the face fills a 200x250 frame
        target_iod = 200 * rng.uniform(0.26, 0.32)
        s = target_iod / fr.iod
        cx, cy = fr.origin[0], fr.origin[1] + 0.45 * fr.iod
        m = np.array([[s, 0, 100 - cx * s], [0, s, 125 - cy * s]])
        out = cv2.warpAffine(rgb, m, (200, 250), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    else:
        target_iod = float(np.exp(rng.uniform(np.log(40), np.log(min(200, fr.iod)))))
        s = min(1.0, target_iod / fr.iod)
        out = cv2.resize(rgb, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA) if s < 1 else rgb
    if rng.random() < 0.1:
        g = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
        out = cv2.cvtColor(g, cv2.COLOR_GRAY2RGB)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faces", default=str(ROOT.parent / "shared" / "faces" / "images"))
    ap.add_argument("--labels", default=str(ROOT.parent / "shared" / "faces" / "labels.csv"))
    ap.add_argument("--out", required=True, help="output folder, outside the repository (e.g. /tmp/synth)")
    ap.add_argument("--glasses", type=int, default=2, help="glasses renders per face")
    ap.add_argument("--fringes", type=int, default=2, help="fringe renders per face")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--limit", type=int, default=0, help="use only this many base faces (0 = all)")
    args = ap.parse_args(argv)

    out = Path(args.out).resolve()
    if ROOT in out.parents or out == ROOT:
        print("refusing to write rendered faces inside the repository", file=sys.stderr)
        return 2
    rng = np.random.default_rng(args.seed)
    faces = []
    if Path(args.labels).exists():
        faces = load_faces(Path(args.faces), Path(args.labels))
    faces.sort(key=lambda t: t[1]["file"])
    if args.limit:
        faces = faces[: args.limit]
    faces += builtin_faces(out / "_bases")
    checker = Checker()
    counts: dict[str, int] = {}
    t0 = time.time()
    writers = {}
    files = {}
    for split in ("tune", "heldout"):
        (out / split).mkdir(parents=True, exist_ok=True)
        files[split] = open(out / split / "labels.csv", "w", newline="", encoding="utf-8")
        writers[split] = csv.DictWriter(files[split], fieldnames=COLUMNS)
        writers[split].writeheader()
    try:
        for i, (path, row) in enumerate(faces):
            split = "heldout" if i % 3 == 2 else "tune"
            fams = synth.GLASSES_HELDOUT_FAMILIES if split == "heldout" else synth.GLASSES_FAMILIES
            kinds = synth.FRINGE_HELDOUT_KINDS if split == "heldout" else synth.FRINGE_KINDS
            a = checker.analyse_path(path)
            if not a.has_face:
                print(f"no face in {path.name}, skipped", file=sys.stderr)
                continue
            img = a.image
            pts = a.points3d
            mask = cv2.resize(a.person_mask, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_LINEAR)
            base = {c: row.get(c, "") for c in COLUMNS if c not in ("file", "split", "render", "style")}
            base.setdefault("glasses", "no")
            stem = Path(row["file"]).stem
            renders: list[tuple[str, np.ndarray, dict[str, str], str]] = [("plain", img, {}, "")]
            for k in range(args.glasses if base.get("glasses") != "yes" else 0):
                st = synth.random_glasses_style(rng, families=fams)
                g, _info = synth.render_glasses(img, pts, st, rng)
                renders.append((f"glasses{k}", g, {"glasses": "yes"}, f"{st.family}/{st.shape}"))
            for k in range(args.fringes):
                covering = k % 2 == 0
                for _attempt in range(6):
                    st = synth.random_fringe_style(rng, covering=covering, kinds=kinds)
                    f_img, info = synth.render_fringe(img, pts, st, rng, mask=mask)
                    cov = max(info["brow_cover"])
                    if cov >= COVERED_AT or cov <= VISIBLE_BELOW:
                        break
                else:
                    continue
                lab = "yes" if cov >= COVERED_AT else "no"
                if lab == "no" and base.get("eyebrows_covered") == "yes":
                    lab = "yes"  # the person's own fringe still covers the brows
                eb = "covered" if cov >= 0.6 else ("partly" if cov >= COVERED_AT else base.get("eyebrows", "visible"))
                renders.append((f"fringe{k}", f_img, {"eyebrows_covered": lab, "eyebrows": eb},
                                f"{st.kind}/tip={st.tip:.2f}/cover={cov:.2f}"))
            for name, rgb, lab, style in renders:
                v = photo_variant(rgb, pts, rng)
                q = int(rng.integers(70, 96))
                fname = f"{stem}__{name}.jpg"
                cv2.imwrite(str(out / split / fname), cv2.cvtColor(v, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q])
                rec = dict(base, **lab)
                rec.update(file=fname, split=split, render=name, style=style,
                           note=json.dumps({"size": [v.shape[1], v.shape[0]], "q": q}))
                writers[split].writerow(rec)
                counts[split] = counts.get(split, 0) + 1
            print(f"{i + 1}/{len(faces)} {row['file']} -> {split}", file=sys.stderr)
    finally:
        for f in files.values():
            f.close()
        checker.close()
    print(json.dumps({"out": str(out), "images": counts, "seconds": round(time.time() - t0, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
