"""Accuracy regressions of glasses, white_top, ears_visible and eyebrows_visible on real labelled photos.

CI has the CC BY development portraits (../shared/faces: 73 studio photos, 19 non-white tops,
10 with an ear under hair, 1 fringe, no glasses) and Grace Hopper's portrait inside matplotlib (real
glasses). Each bound sits just past the figure measured with the shipped profile (docs/benchmarks.md,
"Real photos"), so moving a threshold by a realistic amount turns a test red: the mutation table in
docs/benchmarks.md lists each mutation and the test it breaks. The real development set
(bench/realset, research-only licences, extracted locally) has its own regression in
test_qc_realset.py, which skips where its images are absent.
"""

from __future__ import annotations

import pytest

from tests import dev_set


def _tally(pairs, check, column):
    return dev_set.tally(pairs, check, column)


# -- white_top: F1 of the failing class (not white) and false rejects of white tops ---------------
def test_white_top_accuracy_on_real_portraits(dev_set_reports):
    t = _tally(dev_set_reports, "white_top", "top_white")  # "yes" = white: the failing class is "no"
    # tally() counts column == "yes" as broken; for white_top the rule is broken when top_white is "no"
    fails_on_white = t["tp"]  # white tops that failed = false rejects
    white = t["tp"] + t["fn"]
    caught = t["fp"]  # non-white tops that failed
    not_white = t["fp"] + t["tn"]
    assert white >= 50 and not_white >= 15
    assert fails_on_white / white <= 0.02, t  # measured 0 of 54 white tops rejected
    precision = caught / max(1, caught + fails_on_white)
    recall = caught / not_white
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    assert f1 >= 0.97, t  # measured 1.000 (19 of 19 non-white tops, no white top rejected)


# -- glasses ----------------------------------------------------------------------------------------
def test_glasses_false_rejects_on_real_portraits(dev_set_reports):
    t = _tally(dev_set_reports, "glasses", "glasses")
    assert t["fp"] + t["tn"] == 73
    assert dev_set.false_reject_rate(t) <= 0.03, t  # measured 2 of 73 (2.7%)


def test_glasses_on_grace_hopper_every_size(checker, grace_rgb):
    """Real glasses (matplotlib's Grace Hopper) at 512x600, a 170x200 crop and in grayscale."""
    import cv2
    import numpy as np

    h, w = grace_rgb.shape[:2]
    gray = np.repeat(cv2.cvtColor(grace_rgb, cv2.COLOR_RGB2GRAY)[..., None], 3, 2)
    small = cv2.resize(grace_rgb, (w // 3, h // 3), interpolation=cv2.INTER_AREA)
    for img in (grace_rgb, gray, small):
        r = checker.check_image(np.ascontiguousarray(img)).checks["glasses"]
        assert r.verdict == "fail", (img.shape, r.value)


def test_glasses_rim_rule_without_the_model(grace_rgb, tmp_path):
    """Where the weights are missing the rim rule decides: it must still find Grace's glasses and pass
    the development portraits (the rule's fail_at is what the rendered-set tuning once moved)."""
    import numpy as np

    from qc.checker import Checker

    prof = tmp_path / "rule.toml"
    prof.write_text('extends = "default"\n[profile]\nname = "rule"\n[glasses]\nmodel = ""\n', encoding="utf-8")
    with Checker(prof) as c:
        r = c.check_image(np.ascontiguousarray(grace_rgb)).checks["glasses"]
        assert r.verdict == "fail", r.value
        if dev_set.AVAILABLE:
            rows = [row for row in dev_set.rows() if row["glasses"] == "no"]
            rejected = sum(c.check_path(dev_set.FACES / "images" / row["file"]).checks["glasses"].verdict == "fail"
                           for row in rows[::3])
            assert rejected <= 1, rejected


# -- eyebrows ---------------------------------------------------------------------------------------
def test_eyebrows_accuracy_on_real_portraits(dev_set_reports):
    t = _tally(dev_set_reports, "eyebrows_visible", "eyebrows_covered")
    assert t["tp"] == 1, t  # the set's one fringe over the brows
    assert dev_set.false_reject_rate(t) <= 0.015, t  # measured 0 of 72


def test_eyebrows_margin_on_real_brows(dev_set_reports):
    """Visible brows stay clearly below the fail threshold and the fringe clearly above it."""
    from qc.profile import load_profile

    fail_at = float(load_profile("default").section("eyebrows_visible")["model_fail_at"])
    free = sorted(rep.checks["eyebrows_visible"].value for row, rep in dev_set_reports
                  if row["eyebrows_covered"] == "no")
    covered = [rep.checks["eyebrows_visible"].value for row, rep in dev_set_reports
               if row["eyebrows_covered"] == "yes"]
    # at most 2 visible brows within 0.15 of the threshold, none above it
    assert sum(v >= fail_at - 0.15 for v in free) <= 2, free[-5:]
    assert all(v >= fail_at for v in covered), covered


# -- ears -------------------------------------------------------------------------------------------
def test_ears_accuracy_on_real_portraits(dev_set_reports):
    t = _tally(dev_set_reports, "ears_visible", "ears_covered")
    assert dev_set.false_reject_rate(t) <= 0.03, t  # measured in docs/benchmarks.md
    assert t["tp"] >= RECALL_EARS, t


RECALL_EARS = 7  # of the 10 photos with an ear under hair (measured 8 with the rule, docs/benchmarks.md)


# -- the tools behind the figures -----------------------------------------------------------------
def test_person_folds_keep_each_person_in_one_fold_and_balance():
    from qc.evaluate import person_folds

    labels = {f"p{p}_{i}.jpg": {"person": f"p{p}"} for p in range(10) for i in range(p % 3 + 1)}
    folds = person_folds(labels, 3)
    by_person: dict[str, set[int]] = {}
    for name, f in folds.items():
        by_person.setdefault(labels[name]["person"], set()).add(f)
    assert all(len(s) == 1 for s in by_person.values())
    sizes = [sum(1 for f in folds.values() if f == k) for k in range(3)]
    assert max(sizes) - min(sizes) <= 3, sizes  # 19 photos in 3 folds of whole people
    assert person_folds(labels, 3) == folds  # deterministic


def test_fold_stats_recount_each_fold():
    from qc.evaluate import CheckStats, EvalResult, fold_stats

    labels = {"a.jpg": {"person": "x", "glasses": "yes"}, "b.jpg": {"person": "y", "glasses": "no"},
              "c.jpg": {"person": "y", "glasses": "yes"}}
    flagged = {"a.jpg": {"glasses": True}, "b.jpg": {"glasses": True}, "c.jpg": {"glasses": False}}
    r = EvalResult({"glasses": CheckStats("glasses", True)}, [], 3, [], "default", flagged=flagged, labels=labels)
    per = fold_stats(r, 2)
    total = {k: sum(getattr(d["glasses"], k) for d in per if "glasses" in d) for k in ("tp", "fp", "fn", "tn")}
    assert total == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}


def test_learned_models_ship_and_decide(grace_rgb, tmp_path):
    """The weights load offline; with model = "" the same photo is scored by the rule instead."""
    import numpy as np

    from qc.checker import Checker
    from qc import learned as _learned

    for name in ("glasses", "eyebrows", "ears"):
        assert _learned.load(name) is not None, name
    assert _learned.load("no_such_model") is None  # a missing file leaves the rule
    prof = tmp_path / "rule.toml"
    prof.write_text('extends = "default"\n[profile]\nname = "rule"\n[glasses]\nmodel = ""\n'
                    '[eyebrows_visible]\nmodel = ""\n', encoding="utf-8")
    img = np.ascontiguousarray(grace_rgb)
    with Checker() as c, Checker(prof) as r:
        a, b = c.check_image(img).checks, r.check_image(img).checks
    assert a["glasses"].value != b["glasses"].value and 0.0 <= a["glasses"].value <= 1.0
    assert a["eyebrows_visible"].value != b["eyebrows_visible"].value
    assert a["glasses"].verdict == b["glasses"].verdict == "fail"
