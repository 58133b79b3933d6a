"""The renderer (bench/support/synth.py) and the rendered-set writer (bench/make_synth_set.py)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.support import synth

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def astro(astronaut_rgb, tmp_path_factory):
    from qc.checker import Checker

    path = tmp_path_factory.mktemp("astro") / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(astronaut_rgb, cv2.COLOR_RGB2BGR))
    with Checker() as c:
        a = c.analyse_path(path)
        mask = cv2.resize(a.person_mask, (astronaut_rgb.shape[1], astronaut_rgb.shape[0]))
        return astronaut_rgb, a.points3d, mask


def test_face_frame_follows_the_eyes(astro):
    rgb, pts, _ = astro
    fr = synth.face_frame(pts)
    eyes = fr.project(np.array([[-0.5, 0, 0], [0.5, 0, 0]]))
    assert np.allclose(eyes[0], pts[[33, 133], :2].mean(axis=0), atol=1.5)
    assert np.allclose(eyes[1], pts[[263, 362], :2].mean(axis=0), atol=1.5)
    # the frame's z points to the camera: the nose tip is in front of the eyes
    assert fr.local(pts[1])[0, 2] > 0


@pytest.mark.parametrize("family", synth.GLASSES_FAMILIES + synth.GLASSES_HELDOUT_FAMILIES)
def test_every_glasses_family_renders_round_the_eyes_only(astro, family):
    rgb, pts, _ = astro
    rng = np.random.default_rng(7)
    style = synth.random_glasses_style(rng, family=family)
    style.hair_strands = 0
    out, info = synth.render_glasses(rgb, pts, style, rng)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    diff = np.abs(out.astype(int) - rgb.astype(int)).max(axis=2) > 0
    ys, xs = np.nonzero(diff)
    assert len(ys) > 200  # a frame was drawn
    iod = synth.face_frame(pts).iod
    x0, y0, x1, y1 = info["box"]
    pad = 0.45 * iod  # room for the shadow and the blur
    assert xs.min() >= x0 - pad and xs.max() <= x1 + pad and ys.min() >= y0 - pad and ys.max() <= y1 + pad
    # the frame sits on the eye line, not on the forehead or the mouth
    assert y0 < pts[[33, 263], 1].mean() < y1
    assert info["style"]["family"] == family


def test_renders_are_reproducible(astro):
    rgb, pts, mask = astro
    a = synth.render_glasses(rgb, pts, synth.random_glasses_style(np.random.default_rng(3)), np.random.default_rng(4))[0]
    b = synth.render_glasses(rgb, pts, synth.random_glasses_style(np.random.default_rng(3)), np.random.default_rng(4))[0]
    assert np.array_equal(a, b)
    st = synth.random_fringe_style(np.random.default_rng(5), covering=True)
    f1 = synth.render_fringe(rgb, pts, st, np.random.default_rng(6), mask=mask)[0]
    f2 = synth.render_fringe(rgb, pts, st, np.random.default_rng(6), mask=mask)[0]
    assert np.array_equal(f1, f2)


@pytest.mark.parametrize("kind", synth.FRINGE_KINDS + synth.FRINGE_HELDOUT_KINDS)
def test_fringe_cover_is_measured_from_the_drawn_hair(astro, kind):
    rgb, pts, mask = astro
    for covering in (True, False):
        rng = np.random.default_rng(21)
        st = synth.random_fringe_style(rng, kind=kind, covering=covering)
        out, info = synth.render_fringe(rgb, pts, st, rng, mask=mask)
        cover = info["brow_cover"]
        assert len(cover) == 2 and all(0.0 <= c <= 1.0 for c in cover)
        changed = np.abs(out.astype(int) - rgb.astype(int)).max(axis=2) > 8
        brow_y = pts[[105, 334], 1].mean()
        if covering:
            assert max(cover) >= 0.3, (kind, cover)
            assert changed[int(brow_y) - 2:int(brow_y) + 3].any()
        else:
            assert max(cover) <= 0.15, (kind, cover)
        # the hair hangs from the forehead: nothing drawn below the nose tip between the eyes' corners
        xa, xb = int(pts[33, 0]), int(pts[263, 0])
        assert not changed[int(pts[1, 1]) + 5:, min(xa, xb):max(xa, xb)].any()


def test_hair_colour_comes_from_the_photo_when_there_is_hair(astro, grace_hopper_path):
    rgb, pts, mask = astro
    colours, from_photo = synth.hair_colours(rgb, pts, mask, np.random.default_rng(0))
    assert from_photo
    # the astronaut's hair is brown: darker than her cheeks, reddish-yellow
    cheek = rgb[int(pts[117, 1]), int(pts[117, 0])].astype(float)
    med = np.median(colours, axis=0)
    assert med.mean() < cheek.mean() and med[0] >= med[2]


def test_ear_hair_earrings_and_necklace_draw_where_they_belong(astro):
    rgb, pts, mask = astro
    cx = pts[1, 0]
    out, info = synth.render_ear_hair(rgb, pts, np.random.default_rng(2), sides=(1,), cover=0.7, mask=mask)
    changed = np.abs(out.astype(int) - rgb.astype(int)).max(axis=2) > 8
    ys, xs = np.nonzero(changed)
    assert xs.min() > cx  # only the image-right ear
    out, info = synth.render_earrings(rgb, pts, np.random.default_rng(2), kind="hoop")
    assert len(info["boxes"]) == 2
    out, info = synth.render_necklace(rgb, pts, np.random.default_rng(2))
    x0, y0, x1, y1 = info["box"]
    assert y0 > pts[152, 1]  # below the chin


def test_make_synth_set_writes_a_labelled_set_outside_the_repo(tmp_path):
    out = tmp_path / "synth"
    cmd = [sys.executable, str(ROOT / "bench" / "make_synth_set.py"), "--out", str(out),
           "--faces", str(tmp_path / "none"), "--labels", str(tmp_path / "none.csv"), "--glasses", "1", "--fringes", "2"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    rows = []
    for split in ("tune", "heldout"):
        with open(out / split / "labels.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                assert (out / split / row["file"]).exists()
                rows.append(row)
    assert {"file", "glasses", "eyebrows_covered", "ears_covered", "split", "render"} <= set(rows[0])
    by_render = {(r["file"].split("__")[0], r["render"]): r for r in rows}
    # each base face gets a plain photo, glasses and fringes
    assert by_render[("astronaut", "plain")]["glasses"] == "no"
    assert by_render[("astronaut", "glasses0")]["glasses"] == "yes"
    # Grace Hopper wears glasses: no second pair is drawn on her, and her label says so
    assert by_render[("grace_hopper", "plain")]["glasses"] == "yes"
    assert not any(k == ("grace_hopper", "glasses0") for k in by_render)
    fringe_labels = {r["eyebrows_covered"] for r in rows if r["render"].startswith("fringe")}
    assert fringe_labels <= {"yes", "no"} and fringe_labels


def test_make_synth_set_refuses_the_repository(tmp_path):
    cmd = [sys.executable, str(ROOT / "bench" / "make_synth_set.py"), "--out", str(ROOT / "synth_out"),
           "--faces", str(tmp_path), "--labels", str(tmp_path / "none.csv")]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert not (ROOT / "synth_out").exists()
