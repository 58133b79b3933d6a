"""Accuracy regression on the real development set (bench/realset), where its images were extracted.

The photos' licences are research-only, so they are not in the repository and CI skips this file;
run `python bench/realset/extract.py` first (see bench/realset/README.md). A fixed sample (every
4th labelled photo, about 160) is checked; the models were trained on this set, so these are
regression bounds (a threshold or a model that moves fails them), not the held-out figures of
docs/benchmarks.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1] / "bench" / "realset"
IMAGES = HERE / "images"
pytestmark = pytest.mark.skipif(not (IMAGES.is_dir() and any(IMAGES.iterdir()) if IMAGES.is_dir() else False),
                                reason="bench/realset/images not extracted (research-only photos)")


@pytest.fixture(scope="module")
def realset_reports():
    from qc.checker import Checker

    with (HERE / "labels.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[::4]
    with Checker() as c:
        return [(r, c.check_path(IMAGES / r["file"])) for r in rows if (IMAGES / r["file"]).exists()]


def _tally(pairs, check, col, bad="yes", good="no"):
    t = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for row, rep in pairs:
        if row[col] not in (bad, good) or rep.verdict == "error":
            continue
        failed = rep.checks[check].verdict == "fail"
        t[("tp" if failed else "fn") if row[col] == bad else ("fp" if failed else "tn")] += 1
    return t


def _f1(t):
    return 2 * t["tp"] / max(1, 2 * t["tp"] + t["fp"] + t["fn"])


def _frr(t):
    return t["fp"] / max(1, t["fp"] + t["tn"])


@pytest.mark.parametrize("check,col,min_f1,max_frr", [
    ("glasses", "glasses", 0.90, 0.04),
    ("eyebrows_visible", "eyebrows_covered", 0.60, 0.06),
    ("ears_visible", "ears_covered", 0.55, 0.10),
])
def test_realset_accuracy(realset_reports, check, col, min_f1, max_frr):
    t = _tally(realset_reports, check, col)
    assert _f1(t) >= min_f1, t
    assert _frr(t) <= max_frr, t
