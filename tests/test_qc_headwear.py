"""headwear (issue 12, item 3): caps, hats and hoods fail; bare heads, fringes and short hair do not.

Grace Hopper wears a naval cap (it passed every check of the notice before this check); the 73 real
portraits in ../shared/faces wear no headwear, several with fringes or short dark hair that ends in a
straight line across the forehead (the hardest look-alikes of a brim). The thresholds come from the
profile; the false-reject test fails when ``edge_fail`` drops to 65 or ``max_skin`` rises to 0.08
(see docs/benchmarks.md, "headwear").
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

FACES = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "images"


def test_grace_hoppers_naval_cap_fails_with_the_reason_and_where(checker, grace_hopper_path):
    res = checker.check_path(grace_hopper_path).checks["headwear"]
    assert res.verdict == "fail"
    assert res.reason == "请摘下帽子(头巾、帽兜),露出额头和五官"
    (region,) = res.regions
    x0, y0, x1, y1 = region.box
    # the cap sits above her eyes (about y 0.32 of the photo), over the middle of the face
    assert y1 < 0.35 and x0 < 0.5 < x1


@pytest.mark.parametrize("width", [300, 150])
def test_the_cap_fails_on_small_id_crops_too(checker, grace_rgb, width):
    small = cv2.resize(grace_rgb, (width, int(width * grace_rgb.shape[0] / grace_rgb.shape[1])),
                       interpolation=cv2.INTER_AREA)
    assert checker.check_image(small).checks["headwear"].verdict == "fail"


def test_a_bare_head_passes(checker, astronaut_rgb):
    res = checker.check_image(astronaut_rgb).checks["headwear"]
    assert res.verdict == "pass" and res.reason == ""


def test_a_head_cut_by_the_top_edge_is_not_assessed_not_failed(checker, grace_rgb):
    # the photo starts at her eyebrows: there is no crown to judge
    cut = np.ascontiguousarray(grace_rgb[150:, :])
    res = checker.check_image(cut).checks["headwear"]
    assert res.verdict in ("error", "pass")


@pytest.mark.skipif(not FACES.is_dir(), reason="../shared/faces is not present")
def test_real_portraits_without_headwear_are_not_rejected(checker):
    files = sorted(FACES.glob("*.jpg"))
    assert len(files) == 73
    failed = []
    for f in files:
        a = checker.analyse_path(f)
        if checker._run_one("headwear", a).verdict == "fail":
            failed.append(f.name)
    # at most one false reject in 73 (today: london_008, short dark hair cut straight across a low forehead)
    assert len(failed) <= 1, failed
