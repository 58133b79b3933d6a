"""Every check's full result (verdict, score, value, reasons, regions) for every photo, one JSON line each.

For refactors that must not change behaviour: dump before and after, then compare byte for byte.

    python bench/qc_verdict_dump.py /tmp/before.jsonl ../shared/faces/images bench/realset/images
    (change the code)
    python bench/qc_verdict_dump.py /tmp/after.jsonl ../shared/faces/images bench/realset/images
    cmp /tmp/before.jsonl /tmp/after.jsonl

Scores and values are written with ``repr`` (every bit of the float); regions as the report rounds them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qc.checker import Checker  # noqa: E402  (the repository's root is on the path, above)

EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".gif", ".tif", ".tiff")


def _num(v: float | None) -> str | None:
    return None if v is None else repr(float(v))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    out = Path(argv[0])
    files = []
    for d in argv[1:]:
        files += sorted(p for p in Path(d).iterdir() if p.suffix.lower() in EXTS)
    checker = Checker()
    with out.open("w", encoding="utf-8") as f:
        for p in files:
            r = checker.check_path(p)
            d = {"file": str(p), "verdict": r.verdict, "crop": r.crop, "error": r.error, "size": [r.width, r.height],
                 "closeup": {k: list(v) for k, v in r.closeup.items()},
                 "checks": {k: {"verdict": c.verdict, "score": _num(c.score), "value": _num(c.value),
                                "reason": c.reason, "reason_en": c.reason_en,
                                "regions": [x.to_dict() for x in c.regions]} for k, c in r.checks.items()}}
            f.write(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n")
    checker.close()
    print(f"{len(files)} photos -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
