"""Extract the real development set's photos from local mirrors of their public repositories.

The photos' licences are research-only or unknown, so they are NOT in this repository: sources.csv
names each file's repository, commit, path and licence, and this script copies the bytes out of local
git mirrors into bench/realset/images/ (git-ignored). Get the mirrors with `git clone --mirror`
(or any clone) of each repository named in sources.csv, laid out as <root>/<owner>+<name>/repo, and
pass --mirrors <root> (default: $REALSET_MIRRORS or /work/.mirror). Two sources exist only in their
history (Liuluotao/PCA-SVM- and serengil/deepface): a full clone has those commits.

    python bench/realset/extract.py [--mirrors DIR] [--out DIR]
    station qc-eval bench/realset/images --labels bench/realset/labels.csv --folds 5
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _git import MIRROR_ROOT, read_blob  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=MIRROR_ROOT, help="folder of <owner>+<name>/repo mirrors")
    ap.add_argument("--out", type=Path, default=HERE / "images")
    ap.add_argument("--sources", type=Path, default=HERE / "sources.csv")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    done = missing = 0
    with args.sources.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        target = args.out / row["file"]
        if target.exists():
            done += 1
            continue
        try:
            data = read_blob(row["repo"], row["commit"], row["path"], args.mirrors)
        except Exception as e:  # a missing mirror or commit: say which, go on
            print(f"missing: {row['file']} ({row['repo']}@{row['commit'][:8]}:{row['path']}): {e}", file=sys.stderr)
            missing += 1
            continue
        target.write_bytes(data)
        done += 1
    print(f"{done} photos in {args.out}, {missing} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
