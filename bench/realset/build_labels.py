"""Turn labels_draft.txt (labels by eye, see its header) into labels.csv.

Columns as ../shared/faces/labels.csv (file, top_white, glasses, ears_covered, eyebrows_covered,
ear_left, ear_right, eyebrows, jewelry, note) plus headwear, glasses_kind, person, source, licence.
Rules: ears_covered is yes when an ear is partly or fully covered (hair hides a clear part of it),
no when both ears are visible or one is visible and the other turned away by the pose, unsure
otherwise; eyebrows_covered is yes for partly/covered.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
EAR = {"v": "visible", "p": "partly", "c": "covered", "u": "unsure", "t": "turned", "x": "out_of_frame"}
BROW = {"v": "visible", "p": "partly", "c": "covered", "u": "unsure"}
TOP = {"y": "yes", "n": "no", "u": "unsure"}
KIND = {"y": "", "ym": "metal", "yr": "rimless", "yp": "plastic", "yt": "tinted", "n": ""}


def expand(spec: str) -> list[int]:
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def main() -> None:
    with (HERE / "sources.csv").open(newline="", encoding="utf-8") as f:
        sources = list(csv.DictReader(f))
    person = {i: r["person"] for i, r in enumerate(sources)}
    rows: dict[int, dict[str, str]] = {}
    for line in (HERE / "labels_draft.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@person"):
            _, name, spec = line.split()
            for i in expand(spec):
                person[i] = name
            continue
        body, _, note = line.partition("#")
        t = body.split()
        i, g, b, el, er, top = int(t[0]), t[1], t[2], t[3], t[4], t[5]
        hw = "yes" if len(t) > 6 and t[6] == "h" else "no"
        if i in rows:
            raise SystemExit(f"row {i} labelled twice")
        sides = {el, er}
        if sides & {"p", "c"}:
            ears_cov = "yes"
        elif sides <= {"v", "t"} and "v" in sides:
            ears_cov = "no"
        else:
            ears_cov = "unsure"
        rows[i] = {
            "top_white": TOP[top], "glasses": "yes" if g.startswith("y") else "no",
            "ears_covered": ears_cov, "eyebrows_covered": {"v": "no", "p": "yes", "c": "yes", "u": "unsure"}[b],
            "ear_left": EAR[el], "ear_right": EAR[er], "eyebrows": BROW[b], "jewelry": "unsure",
            "note": note.strip(), "headwear": hw, "glasses_kind": KIND[g],
        }
    missing = [i for i in range(len(sources)) if i not in rows]
    if missing:
        raise SystemExit(f"rows without a label: {missing}")
    cols = ["file", "top_white", "glasses", "ears_covered", "eyebrows_covered", "ear_left", "ear_right",
            "eyebrows", "jewelry", "note", "headwear", "glasses_kind", "person", "source", "licence"]
    with (HERE / "labels.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        for i, src in enumerate(sources):
            w.writerow({"file": src["file"], **rows[i], "person": person[i], "source": src["source"],
                        "licence": src["licence"]})
    print(f"{len(rows)} rows -> labels.csv")


if __name__ == "__main__":
    main()
