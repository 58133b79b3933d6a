"""ears_visible: hair over an ear, judged in the band beside the face outline (qc/checks/ears_visible.py).

Real photos that ship inside packages: scikit-image's astronaut (her bob hangs
over both ears) and matplotlib's Grace Hopper (her ears are free; locks of her
own hair colour are drawn over them with ``bench/support/synth.py``). The development set in
``../shared/faces`` is used when present for the accuracy regression.
"""

from __future__ import annotations


import cv2
import numpy as np
import pytest

from tests import dev_set

from bench.support import synth
from qc.checks import ears_visible as ev
from qc.profile import load_profile



def analyse(checker, rgb, tmp_dir):
    path = tmp_dir / "face.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    a = checker.analyse_path(path)
    assert a.has_face
    return a


@pytest.fixture(scope="module")
def grace_analysis(checker, grace_rgb, tmp_path_factory):
    return analyse(checker, grace_rgb, tmp_path_factory.mktemp("grace"))


def ears(checker, rgb):
    return checker.check_image(rgb).checks["ears_visible"]


def lock_over(grace_rgb, grace_analysis, sides, cover, seed=1):
    mask = cv2.resize(grace_analysis.person_mask, (grace_rgb.shape[1], grace_rgb.shape[0]))
    img, _ = synth.render_ear_hair(grace_rgb, grace_analysis.points3d, np.random.default_rng(seed), sides=sides,
                                   cover=cover, mask=mask)
    return img


def gray(rgb):
    return cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


# ------------------------------------------------------------------------------------------------
# real photos
# ------------------------------------------------------------------------------------------------
def test_astronaut_bob_fails_with_both_ears_named(checker, astronaut_rgb):
    r = ears(checker, astronaut_rgb)
    assert r.verdict == "fail", r.value
    assert r.reason == "请把头发拨到耳后,露出双耳" and "both ears" in r.reason_en
    by_label = {reg.label: reg.box for reg in r.regions}
    assert set(by_label) == {"left_ear", "right_ear"}
    # image left / image right: each region lies on its own side of the picture
    assert by_label["left_ear"][2] < 0.5 < by_label["right_ear"][0]


def test_grace_passes_and_a_lock_over_one_ear_fails_that_ear(checker, grace_rgb, grace_analysis):
    clean = ears(checker, grace_rgb)
    assert clean.verdict == "pass" and clean.regions == []
    r = ears(checker, lock_over(grace_rgb, grace_analysis, (-1,), 0.8))
    assert r.verdict == "fail", r.value
    assert r.reason == "请把头发拨到耳后,露出耳朵"
    assert [reg.label for reg in r.regions] == ["left_ear"]


def test_more_of_the_ear_under_hair_scores_higher(checker, grace_rgb, grace_analysis):
    """The measure follows the share of the ear hidden: clean < a third < two thirds < all."""
    scores = [ears(checker, grace_rgb).value]
    for cover in (0.35, 0.65, 0.95):
        scores.append(np.mean([ears(checker, lock_over(grace_rgb, grace_analysis, (1,), cover, seed)).value
                               for seed in (1, 2)]))
    assert scores == sorted(scores), scores
    assert scores[0] < float(load_profile(None).section("ears_visible")["warn_at"]) <= scores[-1]


def test_grayscale_photos_are_judged_too(checker, astronaut_rgb, grace_rgb, grace_analysis):
    assert ears(checker, gray(astronaut_rgb)).verdict == "fail"
    assert ears(checker, gray(grace_rgb)).verdict == "pass"
    assert ears(checker, gray(lock_over(grace_rgb, grace_analysis, (-1, 1), 0.9))).verdict == "fail"


def test_small_crop_and_large_frame_are_judged_alike(checker, grace_rgb, grace_analysis):
    """A 200x250 ID-photo crop and a frame enlarged 2.5x give the verdict of the original."""
    covered = lock_over(grace_rgb, grace_analysis, (-1,), 0.9)
    el, er = grace_analysis.eye_centres
    s = 48.0 / float(np.hypot(*(er - el)))  # eye distance of a typical 200x250 crop
    cx, cy = (el + er) / 2 * s
    for img, want in ((grace_rgb, "pass"), (covered, "fail")):
        small = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        x0, y0 = int(max(0, cx - 100)), int(max(0, cy - 115))
        crop = small[y0:y0 + 250, x0:x0 + 200]
        assert crop.shape[:2] == (250, 200)
        large = cv2.resize(img, None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
        for variant in (crop, large):
            assert ears(checker, variant).verdict == want, (variant.shape, want)


def test_uneven_backdrop_light_is_not_hair(checker, grace_rgb, grace_analysis):
    """Phone photos: the wall beside the head darkens towards one side; the clean ears still pass."""
    h, w = grace_rgb.shape[:2]
    gain = np.linspace(1.0, 0.55, w, dtype=np.float32)[None, :, None] * np.linspace(1.0, 0.85, h, dtype=np.float32)[:, None, None]
    shaded = np.clip(grace_rgb.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    assert ears(checker, shaded).verdict == "pass"


def test_turned_head_judges_only_the_near_ear(astronaut_rgb, tmp_path):
    """Past max_yaw_both only the ear towards the camera counts: one ear named, never both."""
    from qc.checker import Checker
    from qc.profile import Profile

    base = load_profile(None)
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in base.data.items()}
    data["ears_visible"]["max_yaw_both"] = 0.0  # every head counts as turned
    with Checker(Profile("turned", base.path, data), warm=False) as c:
        r = c.check_image(astronaut_rgb).checks["ears_visible"]
        yaw = analyse(c, astronaut_rgb, tmp_path).yaw
    assert r.verdict == "fail"
    assert r.reason == "请把头发拨到耳后,露出耳朵"
    near = "left_ear" if yaw > 0 else "right_ear"
    assert [reg.label for reg in r.regions] == [near]


def test_without_a_person_mask_the_band_still_tells_hair(grace_rgb, grace_analysis):
    """A stripped-down analysis (no segmentation): the backdrop comes from the far columns alone."""
    from qc.face_view import align_face

    p = load_profile(None).section("ears_visible")
    covered = lock_over(grace_rgb, grace_analysis, (-1,), 0.9)
    clean_face = align_face(grace_rgb, grace_analysis.points3d, mask=None)
    covered_face = align_face(covered, grace_analysis.points3d, mask=None)
    clean = ev.measure_ear(clean_face, -1, p, grace_analysis.pitch)
    hidden = ev.measure_ear(covered_face, -1, p, grace_analysis.pitch)
    assert clean.judged and hidden.judged
    assert clean.covered < float(p["warn_at"]) <= float(p["fail_at"]) <= hidden.covered


# ------------------------------------------------------------------------------------------------
# the row rule, on hand-made rows (skin / hair masks over columns in IOD from the outline)
# ------------------------------------------------------------------------------------------------
def _rows(*specs):
    """Each spec: a string over columns 0.0 .. 0.6 IOD, one char per canonical pixel: s skin, h hair, . other."""
    off = np.arange(len(specs[0])) / ev.SCALE
    skin = np.array([[c == "s" for c in sp] for sp in specs])
    hair = np.array([[c == "h" for c in sp] for sp in specs])
    return skin, hair, off


def test_row_rule_tells_face_edge_ear_and_hair_apart():
    p = load_profile(None).section("ears_visible")
    n = 48  # 0.6 IOD at 80 px per IOD
    face_edge_then_lock = "s" * 6 + "h" * 14 + "." * (n - 20)  # the face's own edge, then hair over the ear
    ear_past_the_lock = "s" * 4 + "h" * 6 + "s" * 10 + "." * (n - 20)  # a lock across the ear, the ear beyond
    ear_then_hair_behind = "s" * 20 + "h" * 12 + "." * (n - 32)  # a visible ear with hair behind it
    ear_alone = "." * 2 + "s" * 18 + "." * (n - 20)
    backdrop_only = "." * n
    skin, hair, off = _rows(face_edge_then_lock, ear_past_the_lock, ear_then_hair_behind, ear_alone, backdrop_only)
    assert ev.row_states(skin, hair, off, p).tolist() == [2, 1, 1, 1, 0]


# ------------------------------------------------------------------------------------------------
# the development set, when it is there (accuracy regression a little below the measured figures)
# ------------------------------------------------------------------------------------------------
def test_development_set_f1_and_false_rejects(dev_set_reports):
    t = dev_set.tally(dev_set_reports, "ears_visible", "ears_covered")
    assert dev_set.false_reject_rate(t) <= 0.03, t  # at most 3% of compliant photos rejected
    assert dev_set.f1(t) >= 0.74, t  # measured 0.778 (docs/benchmarks.md); the target 0.90 is not met
