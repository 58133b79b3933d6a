"""The checks glasses, eyebrows_visible, ears_visible and jewelry on real photos and renders of them.

Real photos that ship inside packages: scikit-image's astronaut (no glasses;
her bob hides her ears) and matplotlib's Grace Hopper (she wears cat-eye
glasses; her ears and brows are free). Spectacles and fringes are drawn on
them with ``bench/support/synth.py``. The development set in ``../shared/faces`` is used
when present for an accuracy regression.
"""

from __future__ import annotations


import cv2
import numpy as np
import pytest

from tests import dev_set

from bench.support import synth
from qc.evidence import FaceEvidence

B_CHECKS = ("glasses", "eyebrows_visible", "ears_visible", "jewelry")


def _analysis(checker, rgb, tmp_path_factory):
    path = tmp_path_factory.mktemp("faces") / "face.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    a = checker.analyse_path(path)
    assert a.has_face
    return a


@pytest.fixture(scope="module")
def astronaut_face(checker, astronaut_rgb, tmp_path_factory):
    a = _analysis(checker, astronaut_rgb, tmp_path_factory)
    return a.points3d, cv2.resize(a.person_mask, (astronaut_rgb.shape[1], astronaut_rgb.shape[0]))


@pytest.fixture(scope="module")
def grace_face(checker, grace_rgb, tmp_path_factory):
    a = _analysis(checker, grace_rgb, tmp_path_factory)
    return a.points3d, cv2.resize(a.person_mask, (grace_rgb.shape[1], grace_rgb.shape[0]))


def verdicts(checker, rgb):
    report = checker.check_image(rgb)
    return {n: report.checks[n] for n in B_CHECKS}


def inside(box, x, y):
    x0, y0, x1, y1 = box
    return x0 <= x <= x1 and y0 <= y <= y1


# ------------------------------------------------------------------------------------------------
# glasses
# ------------------------------------------------------------------------------------------------
def test_plain_astronaut_has_no_glasses(checker, astronaut_rgb):
    r = verdicts(checker, astronaut_rgb)["glasses"]
    assert r.verdict == "pass", r
    assert r.reason == ""


@pytest.mark.parametrize("family", ["metal", "plastic", "sun", "round_tortoise"])
def test_glasses_drawn_on_astronaut_fail(checker, astronaut_rgb, astronaut_face, family):
    pts, _ = astronaut_face
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        img, info = synth.render_glasses(astronaut_rgb, pts, synth.random_glasses_style(rng, family=family), rng)
        r = verdicts(checker, img)["glasses"]
        assert r.verdict == "fail", (family, seed, r.value)
        assert r.reason == "请摘下眼镜" and r.reason_en
        # the region drawn covers both eyes
        h, w = img.shape[:2]
        (region,) = r.regions
        for eye in ((33, 133), (263, 362)):
            ex, ey = pts[list(eye), :2].mean(axis=0)
            assert inside(region.box, ex / w, ey / h)


def test_grace_hopper_real_glasses_fail(checker, grace_rgb):
    """A real photo: Grace Hopper wears pale cat-eye glasses (faint lower rims, dark arms)."""
    r = verdicts(checker, grace_rgb)["glasses"]
    assert r.verdict == "fail", r.value
    assert 0.0 <= r.score <= 1.0


def test_glasses_small_crop_large_frame_and_grayscale(checker, astronaut_rgb, astronaut_face):
    pts, _ = astronaut_face
    rng = np.random.default_rng(3)
    img, _ = synth.render_glasses(astronaut_rgb, pts, synth.random_glasses_style(rng, family="plastic"), rng)
    fr = synth.face_frame(pts)

    def crop(rgb):  # an ID-style 200x250 crop, eyes about 60 px apart
        s = 60.0 / fr.iod
        m = np.array([[s, 0, 100 - fr.origin[0] * s], [0, s, 110 - fr.origin[1] * s]])
        return cv2.warpAffine(rgb, m, (200, 250), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)

    big = cv2.resize(img, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    gray = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    for variant in (crop(img), big, gray):
        assert verdicts(checker, variant)["glasses"].verdict == "fail"
    plain_small = crop(astronaut_rgb)
    assert verdicts(checker, plain_small)["glasses"].verdict == "pass"
    plain_gray = cv2.cvtColor(cv2.cvtColor(astronaut_rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    assert verdicts(checker, plain_gray)["glasses"].verdict == "pass"


# ------------------------------------------------------------------------------------------------
# eyebrows
# ------------------------------------------------------------------------------------------------
def test_grace_brows_visible(checker, grace_rgb):
    assert verdicts(checker, grace_rgb)["eyebrows_visible"].verdict == "pass"


@pytest.mark.parametrize("kind", ["blunt", "curtain", "side_swept"])
def test_fringe_over_grace_eyebrows_fails(checker, grace_rgb, grace_face, kind):
    pts, mask = grace_face
    rng = np.random.default_rng(11)
    img, info = synth.render_fringe(grace_rgb, pts, synth.random_fringe_style(rng, kind=kind, covering=True), rng, mask=mask)
    assert max(info["brow_cover"]) >= 0.35  # the render really covers a brow
    r = verdicts(checker, img)["eyebrows_visible"]
    assert r.verdict == "fail", (kind, r.value)
    assert r.reason == "请把刘海拨开,露出眉毛" and r.reason_en
    # regions sit on the brows: between the forehead top and the eyes
    h = img.shape[0]
    assert r.regions
    for reg in r.regions:
        cy = (reg.box[1] + reg.box[3]) / 2 * h
        assert pts[10, 1] < cy < pts[[33, 263], 1].mean()


def test_short_fringe_above_grace_brows_passes(checker, grace_rgb, grace_face):
    pts, mask = grace_face
    for seed in (0, 1, 2):
        rng = np.random.default_rng(seed)
        img, info = synth.render_fringe(grace_rgb, pts, synth.random_fringe_style(rng, kind="blunt", covering=False), rng,
                                        mask=mask)
        assert max(info["brow_cover"]) <= 0.08
        assert verdicts(checker, img)["eyebrows_visible"].verdict != "fail", seed


# ------------------------------------------------------------------------------------------------
# ears
# ------------------------------------------------------------------------------------------------
def test_astronaut_bob_covers_her_ears(checker, astronaut_rgb, astronaut_face):
    """A real photo: the astronaut's bob hangs over both ears."""
    pts, _ = astronaut_face
    r = verdicts(checker, astronaut_rgb)["ears_visible"]
    assert r.verdict == "fail", r.value
    assert "耳" in r.reason and r.reason_en
    w = astronaut_rgb.shape[1]
    by_label = {reg.label: reg for reg in r.regions}
    assert set(by_label) == {"left_ear", "right_ear"}
    # each ear's region lies beside its own side of the face
    assert by_label["left_ear"].box[2] <= pts[1, 0] / w <= by_label["right_ear"].box[0]


def test_grace_ears_visible_until_hair_is_drawn_over_them(checker, grace_rgb, grace_face):
    pts, mask = grace_face
    assert verdicts(checker, grace_rgb)["ears_visible"].verdict == "pass"
    rng = np.random.default_rng(1)
    img, _ = synth.render_ear_hair(grace_rgb, pts, rng, sides=(-1,), cover=0.8, mask=mask)
    r = verdicts(checker, img)["ears_visible"]
    assert r.verdict == "fail", r.value
    assert [reg.label for reg in r.regions if reg.label.endswith("ear")] == ["left_ear"]


# ------------------------------------------------------------------------------------------------
# jewelry (a warning, never a fail)
# ------------------------------------------------------------------------------------------------
def test_jewelry_never_fails_and_no_false_warning(checker, astronaut_rgb, grace_rgb):
    for rgb in (astronaut_rgb, grace_rgb):
        r = verdicts(checker, rgb)["jewelry"]
        assert r.verdict == "pass", r


def _face_with_studs(grace_rgb, grace_face, studs: dict[int, tuple[int, int, int]], skin: tuple[int, int, int],
                     gray: bool = False):
    """A plain face in the canonical view (Grace Hopper's landmarks, flat skin, ears beside the outline,
    a light grey backdrop) with small metal studs on the lobes given by side (-1 image left, 1 right)."""
    from qc.face_view import CONTOUR_L, CONTOUR_R, SCALE, align_face

    pts3d, mask = grace_face
    pts = align_face(grace_rgb, pts3d, mask).pts
    h, w = 368, 320  # the canonical view's size (U_RANGE, V_RANGE at SCALE)
    img = np.full((h, w, 3), (200, 200, 205), np.uint8)
    person = np.zeros((h, w), np.uint8)
    cv2.fillPoly(person, [cv2.convexHull(np.round(pts).astype(np.int32))], 1)
    lobes = {}
    for side, tragus in ((-1, 234), (1, 454)):
        cont = pts[list(CONTOUR_L if side < 0 else CONTOUR_R)]
        tx, ty = pts[tragus]
        cv2.ellipse(person, (int(tx + side * 0.08 * SCALE), int(ty + 0.2 * SCALE)),
                    (int(0.16 * SCALE), int(0.42 * SCALE)), 0, 0, 360, 1, -1)
        yl = ty + 0.4 * SCALE
        xl = float(np.interp(yl, np.sort(cont[:, 1]), cont[np.argsort(cont[:, 1]), 0])) + side * 0.04 * SCALE
        lobes[side] = (round(xl), round(yl))
    img[person > 0] = skin
    img = np.clip(img + np.random.default_rng(0).normal(0, 2, img.shape), 0, 255).astype(np.uint8)
    for side, colour in studs.items():  # a stud: a grey metal rim round a light face
        cv2.circle(img, lobes[side], 3, (170, 170, 175), -1)
        cv2.circle(img, lobes[side], 2, colour, -1)
    if gray:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    return align_face(img, pts, person.astype(np.float32), gray=gray)


METAL = (210, 210, 215)  # about as light as the backdrop, not lighter: the first round's rule misses it
LIGHT_SKIN, DARK_SKIN = (190, 145, 115), (150, 110, 85)


@pytest.mark.parametrize("gray", [False, True])
@pytest.mark.parametrize(("studs", "skin", "found"), [
    ({}, LIGHT_SKIN, set()),  # the gaps between lobe and jaw show the backdrop: not studs
    ({}, DARK_SKIN, set()),
    ({-1: METAL, 1: METAL}, LIGHT_SKIN, {-1, 1}),  # weak studs, but a pair at the mirror places
    ({-1: METAL}, LIGHT_SKIN, set()),  # the same stud alone is too weak to count
    ({1: METAL}, DARK_SKIN, {1}),  # against darker skin it stands out enough to count alone
    ({-1: METAL, 1: METAL}, DARK_SKIN, {-1, 1}),
])
def test_jewelry_studs_count_alone_when_clear_and_in_pairs_when_weak(grace_rgb, grace_face, studs, skin, found, gray):
    from qc.checks.jewelry import earring_spots
    from qc.profile import load_profile

    face = _face_with_studs(grace_rgb, grace_face, studs, skin, gray=gray)
    spots = earring_spots(face, load_profile().section("jewelry"))
    assert {s["side"] for s in spots} == found, spots


def test_jewelry_warns_in_chinese_and_draws_the_earrings(grace_rgb, grace_face):
    from types import SimpleNamespace

    from qc.checks.jewelry import JewelryCheck
    from qc.profile import load_profile

    face = _face_with_studs(grace_rgb, grace_face, {-1: METAL, 1: METAL}, LIGHT_SKIN)
    analysis = SimpleNamespace(evidence=FaceEvidence.of_view(face))  # the shared canonical view
    check = JewelryCheck(load_profile().section("jewelry"))
    r = check.run(analysis)
    assert r.verdict == "warn" and r.reason == "请摘下耳环" and "earrings" in r.reason_en
    assert [reg.label for reg in r.regions] == ["earring", "earring"]


def test_results_carry_regions_in_unit_coordinates(checker, grace_rgb, grace_face):
    pts, mask = grace_face
    rng = np.random.default_rng(5)
    img, _ = synth.render_fringe(grace_rgb, pts, synth.random_fringe_style(rng, kind="blunt", covering=True), rng, mask=mask)
    for r in verdicts(checker, img).values():
        for reg in r.regions:
            x0, y0, x1, y1 = reg.box
            assert 0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0
        d = r.to_dict("en")
        assert set(d) >= {"verdict", "score", "reason", "regions"}


# ------------------------------------------------------------------------------------------------
# the development set, when it is there (accuracy regression, a little below the measured figures)
# ------------------------------------------------------------------------------------------------
def test_development_set_regression(dev_set_reports):
    cols = {"glasses": "glasses", "eyebrows_visible": "eyebrows_covered", "ears_visible": "ears_covered"}
    tallies = {name: dev_set.tally(dev_set_reports, name, col) for name, col in cols.items()}
    for name, t in tallies.items():
        assert dev_set.false_reject_rate(t) <= 0.035, (name, t)  # at most 3% of compliant photos rejected
    assert tallies["eyebrows_visible"]["tp"] == 1  # the one fringe in the set
    # jewelry (a warning): measured 6 of 13 photos with jewellery found, no false warning on the 59 without
    no_jewelry = [rep for row, rep in dev_set_reports if row["jewelry"] == "none"]
    assert sum(rep.checks["jewelry"].verdict != "pass" for rep in no_jewelry) <= 0.03 * len(no_jewelry)
    worn = [rep for row, rep in dev_set_reports if row["jewelry"] in ("earrings", "necklace", "both")]
    assert sum(rep.checks["jewelry"].verdict == "warn" for rep in worn) >= 5
