"""One-off: choose the development set's photos from the fetched mirrors and write sources.csv.

Deterministic (no randomness): per person it spreads the picks over the frame/shot numbers and drops
near-identical frames (difference hash within 6 bits of a photo already picked for that person).
Run once; labels.csv then labels every row of sources.csv by eye.

    python bench/realset/select_sources.py   # -> bench/realset/sources.csv
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _git import list_files, read_blob  # noqa: E402

HERE = Path(__file__).resolve().parent

SOURCES = {
    "casia": ("Liuluotao/PCA-SVM-", "5c1ac02eec0cabeac86b55e2db4d83810ec454fb",
              "CASIA-FaceV5 (CBSR) subset; research release, product-use terms unknown"),
    "nuaa": ("imironica/liveness", "415a750d380dc1ad03815d9f99287f0661715510",
             "NUAA Photograph Imposter Database client frames (Tan et al. 2010); research use, unknown"),
    "faces94": ("chaoSefat/Faces94-LBPHF-Face-Detection-Python-OpenCV", "5947cb3de387a2df6dbf4cda9b406f99a421d835",
                "Essex faces94 female (L. Spacek); research use, unknown"),
    "caltech": ("Rithwikksvr/Super-Resolution", "2f6dcd0685c0ef8d48c95c219d2421076e50b1d3",
                "Caltech Frontal Faces 1999 (M. Weber); unknown"),
    "deepface": ("serengil/deepface", "3aeceec82355b2189d850bfbebd6b65cbde6000f",
                 "press/portrait photos in deepface tests (code MIT); photos unknown"),
    "web48": ("SnorreW/FacialAttributes_Snorre", "f6cb0112df7978c25630d9ea831a98fd11f63c41",
              "web portraits from Google Images (selfmadefolder2); copyright of the owners, unknown"),
    "utk": ("bagashvilit/facial_recognition_bias", "abe87302b1d452cbd9100773a16c127f4d2ab546",
            "UTKFace aligned chips; non-commercial research only"),
}


def dhash(data: bytes) -> int:
    im = Image.open(io.BytesIO(data)).convert("L").resize((9, 8))
    px = list(im.tobytes())
    return sum(1 << i for i in range(64) if px[(i // 8) * 9 + i % 8] < px[(i // 8) * 9 + i % 8 + 1])


def spread(items: list, n: int) -> list:
    if len(items) <= n:
        return list(items)
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)] if n > 1 else [items[0]]


def pick(src: str, groups: dict[str, list[str]], per_group: int, person_of) -> list[tuple[str, str, str]]:
    repo, commit, _ = SOURCES[src]
    rows = []
    kept: dict[str, list[int]] = defaultdict(list)
    seen_bytes: set[bytes] = set()
    for g in sorted(groups):
        cands = spread(groups[g], per_group * 3)
        took = 0
        for path in cands:
            if took >= per_group:
                break
            data = read_blob(repo, commit, path)
            if data in seen_bytes:
                continue
            person = person_of(path)
            h = dhash(data)
            if any(bin(h ^ k).count("1") <= 6 for k in kept[person]):
                continue
            seen_bytes.add(data)
            kept[person].append(h)
            took += 1
            rows.append((src, path, person))
    return rows


def num(s: str) -> int:
    m = re.findall(r"\d+", s)
    return int(m[-1]) if m else 0


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    # CASIA: every file, 40 people x 5
    repo, commit, _ = SOURCES["casia"]
    files = [f for f in list_files(repo, commit) if f.lower().endswith(".bmp")]
    rows += [("casia", f, "casia_" + f.split("/")[0]) for f in sorted(files)]
    # NUAA ClientRaw: per person, glasses code and session, 5 frames spread over the burst
    repo, commit, _ = SOURCES["nuaa"]
    groups: dict[str, list[str]] = defaultdict(list)
    for f in list_files(repo, commit, "db/ClientRaw"):
        if f.endswith(".jpg"):
            groups["_".join(Path(f).stem.split("_")[:4])].append(f)
    for g in groups:
        groups[g].sort(key=num)
    rows += pick("nuaa", groups, 5, lambda p: "nuaa_" + Path(p).stem.split("_")[0])
    # faces94 female (Training.zip): 6 per woman
    repo, commit, _ = SOURCES["faces94"]
    import zipfile
    z = zipfile.ZipFile(io.BytesIO(read_blob(repo, commit, "Training.zip")))
    groups = defaultdict(list)
    for n in z.namelist():
        if n.lower().endswith(".jpg"):
            groups[n.split("/")[-2]].append("Training.zip!" + n)
    for g in groups:
        groups[g].sort(key=num)
    rows += pick("faces94", groups, 6, lambda p: "faces94_" + p.split("/")[-1].split(".")[0])
    # Caltech 1999: the Dataset folder, one group (people are not named: person ids come from labelling)
    repo, commit, _ = SOURCES["caltech"]
    files = sorted(f for f in list_files(repo, commit, "Dataset") if f.endswith(".jpg"))
    rows += pick("caltech", {"all": files}, 110, lambda p: "caltech")
    # deepface tests/dataset: single-face photos
    repo, commit, _ = SOURCES["deepface"]
    files = [f for f in list_files(repo, commit, "tests/dataset") if re.search(r"/img\d+\.jpg$", f)]
    rows += [("deepface", f, "deepface_" + Path(f).stem) for f in sorted(files, key=num)]
    # web portraits
    repo, commit, _ = SOURCES["web48"]
    files = [f for f in list_files(repo, commit, "selfmadefolder2/selfmadefolder2") if f.endswith(".jpg")]
    rows += [("web48", f, "web48_" + Path(f).stem) for f in sorted(files, key=num)]
    # UTKFace "Asian" 17-28, women first (fringes), then men: 70 + 20
    repo, commit, _ = SOURCES["utk"]
    women, men = [], []
    for f in sorted(list_files(repo, commit, "data/images")):
        parts = Path(f).name.split("_")
        if len(parts) >= 4 and parts[2] == "2" and 17 <= int(parts[0]) <= 28:
            (women if parts[1] == "1" else men).append(f)
    rows += pick("utk", {"w": women}, 70, lambda p: "utk_" + Path(p).name.split(".")[0])
    rows += pick("utk", {"m": men}, 20, lambda p: "utk_" + Path(p).name.split(".")[0])

    out = HERE / "sources.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "person", "source", "repo", "commit", "path", "licence"])
        for src, path, person in rows:
            stem = re.sub(r"[^A-Za-z0-9]+", "_", Path(path.split("!")[-1]).stem).strip("_")
            ext = Path(path).suffix.lower()
            name = f"{src}_{stem}{ext}" if src != "casia" else f"casia_{stem}{ext}"
            repo, commit, lic = SOURCES[src]
            w.writerow([name, person, src, repo, commit, path, lic])
    print(f"{len(rows)} photos -> {out}")


if __name__ == "__main__":
    main()
