"""The labelled development portraits (../shared/faces), when present: read once per test session.

They are personal data for development only and never copied into the
repository; tests that use them skip where the folder is absent.
``STATION_FACES_DIR`` points elsewhere.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

FACES = Path(os.environ.get("STATION_FACES_DIR") or Path(__file__).resolve().parents[2] / "shared" / "faces")
AVAILABLE = (FACES / "labels.csv").exists()


def rows() -> list[dict[str, str]]:
    with open(FACES / "labels.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def tally(pairs, check: str, column: str) -> dict[str, int]:
    """Confusion counts of ``check`` failing against ``column`` == "yes" (unsure rows left out)."""
    t = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for row, report in pairs:
        if row[column] not in ("yes", "no"):
            continue
        broken, failed = row[column] == "yes", report.checks[check].verdict == "fail"
        t[("tp" if failed else "fn") if broken else ("fp" if failed else "tn")] += 1
    return t


def f1(t: dict[str, int]) -> float:
    return 2 * t["tp"] / max(1, 2 * t["tp"] + t["fp"] + t["fn"])


def false_reject_rate(t: dict[str, int]) -> float:
    return t["fp"] / max(1, t["fp"] + t["tn"])
