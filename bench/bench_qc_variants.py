"""Every check on the development set and on harder copies of it: false rejects and F1 per variant.

    .venv/bin/python bench/bench_qc_variants.py [--faces ../shared/faces] [--variants dev,small,gray,phone]

The hidden set the issue is judged on has small and large photos, studio and
phone pictures. Each dev photo is checked as it is and as the copies of
``bench/bench_qc_ears.py`` (a 200x250 ID-photo crop, grayscale, a phone-like
picture with uneven light, a warm cast and JPEG 70), made in memory (never
written: they are real people's photos). For every check it prints, per
variant, the share of compliant photos it rejects (label columns as
``station qc-eval``; a check without a label counts every photo as
compliant) and, for labelled checks, F1 of the failing class. Where a check
rejects compliant photos the files are listed, so a regression can be looked at.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    from bench_qc_ears import dev_args, variant

    got = dev_args(__doc__, lambda ap: ap.add_argument("--list", action="store_true",
                                                       help="list the files each check rejects wrongly"))
    if got is None:
        return 1
    args, faces, kinds, rows = got
    import cv2

    from qc.checker import Checker
    from qc.evaluate import FLAG_VERDICTS, LABELS
    # (variant, check) -> counts; wrong rejects listed by file
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong: dict[tuple[str, str], list[str]] = defaultdict(list)
    names: list[str] = []
    with Checker() as checker:
        names = list(checker.names)
        for row in rows:
            rgb = cv2.cvtColor(cv2.imread(str(faces / "images" / row["file"])), cv2.COLOR_BGR2RGB)
            a = checker.analyse_path(faces / "images" / row["file"])
            if not a.has_face:
                continue
            for k in kinds:
                rep = checker.check_image(variant(rgb, k, a.eye_centres))
                for name in names:
                    r = rep.checks.get(name)
                    t = tally[(k, name)]
                    if r is None or rep.verdict == "error" or r.verdict == "error":
                        t["error"] += 1
                        wrong[(k, name + " n/a")].append(row["file"])
                        continue
                    flagged = r.verdict in FLAG_VERDICTS.get(name, frozenset({"fail"}))
                    if name in LABELS and LABELS[name][0] in row:
                        col, broken_vals, ok_vals = LABELS[name]
                        v = row[col]
                        if v in broken_vals:
                            t["tp" if flagged else "fn"] += 1
                            continue
                        if v not in ok_vals:
                            continue
                    t["fp" if flagged else "tn"] += 1
                    if flagged:
                        wrong[(k, name)].append(row["file"])
    print(f"{'check':18s} " + " ".join(f"{k + ' FRR':>10s} {k + ' F1':>9s}" for k in kinds))
    for name in names:
        cells = []
        for k in kinds:
            t = tally[(k, name)]
            frr = t["fp"] / max(1, t["fp"] + t["tn"])
            f1 = (f"{2 * t['tp'] / (2 * t['tp'] + t['fp'] + t['fn']):9.3f}"
                  if t["tp"] + t["fn"] else f"{'—':>9s}")
            err = f"+{t['error']}e" if t["error"] else ""
            cells.append(f"{frr:9.1%}{err:1s} {f1}")
        print(f"{name:18s} " + " ".join(cells))
    if args.list:
        for (k, name), files in sorted(wrong.items()):
            print(f"{k}/{name}: {' '.join(files)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
