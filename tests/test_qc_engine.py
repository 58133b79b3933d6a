"""The photo-check engine: decoding, profiles, the registry, the Checker, the crop, the commands.

Real files throughout (JPEG/PNG written by Pillow, the astronaut and Grace
Hopper portraits that ship inside scikit-image and matplotlib) and the real
mediapipe models.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from qc.base import Check, CheckResult
from qc.checks import CHECK_NAMES, CheckUnavailable, check_class
from qc.decode import DecodeError, decode_bytes, decode_path, from_array
from qc.profile import ProfileError, load_profile


def _jpeg(rgb: np.ndarray, path: Path, exif_orientation: int | None = None, quality: int = 92, **kw) -> Path:
    im = Image.fromarray(rgb)
    extra = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        extra["exif"] = exif.tobytes()
    im.save(path, "JPEG", quality=quality, **extra, **kw)
    return path


# -- decode -----------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_decode_applies_every_exif_orientation_like_pillow(tmp_path, orientation):
    # an asymmetric picture: orientation mistakes cannot cancel out
    rng = np.random.default_rng(orientation)
    base = np.zeros((60, 90, 3), np.uint8)
    base[:20, :30] = (255, 0, 0)
    base[40:, 60:] = (0, 0, 255)
    base[:, 45:47] = rng.integers(0, 255, (60, 2, 3))
    path = _jpeg(base, tmp_path / "o.jpg", exif_orientation=orientation, quality=98)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB")).astype(int)
    got = decode_path(path)
    assert got.orientation == orientation
    assert got.rgb.shape == expected.shape
    assert np.abs(got.rgb.astype(int) - expected).mean() < 3
    assert (got.width, got.height) == (expected.shape[1], expected.shape[0])


def test_decode_reduces_large_jpegs_with_dct_scaling(tmp_path):
    rgb = np.full((3000, 4000, 3), 128, np.uint8)
    path = _jpeg(rgb, tmp_path / "big.jpg")
    d = decode_path(path, min_long_side=1200)
    # 4000 / 2 = 2000 >= 1200 but 4000 / 4 = 1000 < 1200: half scale
    assert d.rgb.shape == (1500, 2000, 3)
    assert d.scale == pytest.approx(0.5)
    assert (d.width, d.height) == (4000, 3000)


def test_decode_portrait_exif_on_a_camera_frame(tmp_path, astronaut_rgb):
    # cameras store portrait shots as landscape pixels plus orientation 6 (rotate 90° clockwise)
    landscape = np.rot90(astronaut_rgb, k=1).copy()
    path = _jpeg(landscape, tmp_path / "cam.jpg", exif_orientation=6)
    d = decode_path(path)
    assert d.rgb.shape[:2] == astronaut_rgb.shape[:2]
    assert np.abs(d.rgb.astype(int) - astronaut_rgb.astype(int)).mean() < 6


def test_decode_cmyk_jpeg(tmp_path, astronaut_rgb):
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(astronaut_rgb).convert("CMYK").save(path, "JPEG", quality=95)
    d = decode_path(path)
    assert d.mode == "CMYK"
    assert d.rgb.shape == astronaut_rgb.shape
    # Pillow's own RGB->CMYK is naive, so compare with what Pillow makes of the same file
    ref = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert np.abs(d.rgb.astype(int) - ref).mean() < 2


def test_decode_grayscale_png_16bit_and_alpha(tmp_path):
    gray = (np.linspace(0, 255, 64 * 48).reshape(48, 64)).astype(np.uint8)
    Image.fromarray(gray, "L").save(tmp_path / "g.png")
    d = decode_path(tmp_path / "g.png")
    assert d.rgb.shape == (48, 64, 3) and d.mode == "L"
    assert np.array_equal(d.rgb[:, :, 0], gray) and np.array_equal(d.rgb[:, :, 2], gray)

    deep = (np.linspace(0, 65535, 64 * 48).reshape(48, 64)).astype(np.uint16)
    Image.fromarray(deep).save(tmp_path / "d16.png")
    d16 = decode_path(tmp_path / "d16.png")
    assert d16.rgb.dtype == np.uint8
    assert d16.rgb[0, 0, 0] == 0 and d16.rgb[-1, -1, 0] == 255
    assert abs(int(d16.rgb[24, 32, 0]) - int(deep[24, 32]) // 257) <= 1

    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[:, :20] = (255, 0, 0, 255)  # opaque red, transparent rest
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    da = decode_path(tmp_path / "a.png")
    assert tuple(da.rgb[5, 5]) == (255, 0, 0)
    assert tuple(da.rgb[5, 35]) == (255, 255, 255)  # transparent becomes white, not black


def test_decode_errors_are_clear(tmp_path, astronaut_rgb):
    full = _jpeg(astronaut_rgb, tmp_path / "full.jpg").read_bytes()
    (tmp_path / "trunc.jpg").write_bytes(full[: len(full) // 2])
    with pytest.raises(DecodeError) as e:
        decode_path(tmp_path / "trunc.jpg")
    assert "truncated" in e.value.reason_en and "不完整" in e.value.reason

    (tmp_path / "notes.txt").write_text("not a photo")
    for bad, word in [(tmp_path / "notes.txt", "not a recognised image"), (tmp_path / "missing.jpg", "not found"),
                      (tmp_path, "folder")]:
        with pytest.raises(DecodeError) as e:
            decode_path(bad)
        assert word in e.value.reason_en
    with pytest.raises(DecodeError):
        decode_bytes(b"")
    with pytest.raises(DecodeError):
        from_array(np.zeros((4, 4, 3), np.uint8))


# -- profiles ---------------------------------------------------------------------------------


def test_default_profile_lists_every_check_and_loads():
    p = load_profile()
    assert p.name == "default"
    assert tuple(p.checks) == CHECK_NAMES
    assert p.crop["width"] == 480 and p.crop["height"] == 640
    assert p.section("white_top")["required"] == ["white"]


def test_profile_rejects_misspelt_keys_wrong_types_and_unknown_sections(tmp_path):
    (tmp_path / "typo.toml").write_text('extends = "default"\n[white_top]\nmin_fracton = 0.5\n')
    with pytest.raises(ProfileError) as e:
        load_profile(tmp_path / "typo.toml")
    assert "min_fracton" in str(e.value) and "min_fraction" in str(e.value)  # names the nearest key

    (tmp_path / "type.toml").write_text('[pose]\nmax_yaw = "ten"\n')
    with pytest.raises(ProfileError, match="wrong type"):
        load_profile(tmp_path / "type.toml")

    # the whole-number thresholds stay whole; a range stays a pair of whole numbers
    (tmp_path / "int.toml").write_text('[white_top]\nmax_samples = 2e4\n')
    with pytest.raises(ProfileError, match="max_samples.*expected int"):
        load_profile(tmp_path / "int.toml")
    for bad in ("[65, 100, 120]", "[65.5, 100]", '["65", 100]'):
        (tmp_path / "range.toml").write_text(f"[jewelry]\ngold_hue = {bad}\n")
        with pytest.raises(ProfileError, match="gold_hue.*list of 2 int"):
            load_profile(tmp_path / "range.toml")
    (tmp_path / "region.toml").write_text("[glasses]\nregion = [-1, -0.4, 1, 0.62]\n")  # whole numbers are numbers
    assert load_profile(tmp_path / "region.toml").section("glasses")["region"] == [-1, -0.4, 1, 0.62]
    (tmp_path / "typo2.toml").write_text("[jewelry]\ngold_hues = [60, 100]\n")
    with pytest.raises(ProfileError, match="gold_hue"):
        load_profile(tmp_path / "typo2.toml")

    (tmp_path / "sect.toml").write_text("[glases]\n")
    with pytest.raises(ProfileError, match="glasses"):
        load_profile(tmp_path / "sect.toml")

    (tmp_path / "check.toml").write_text('[profile]\nchecks = ["face_count", "smile"]\n')
    with pytest.raises(ProfileError, match="smile"):
        load_profile(tmp_path / "check.toml")

    with pytest.raises(ProfileError):
        load_profile("no_such_profile")


def test_profile_overrides_only_what_it_names(tmp_path):
    (tmp_path / "strict.toml").write_text('extends = "default"\n[profile]\nname = "strict"\n[pose]\nmax_yaw = 5\n')
    p = load_profile(tmp_path / "strict.toml")
    assert p.name == "strict"
    assert p.section("pose")["max_yaw"] == 5.0 and isinstance(p.section("pose")["max_yaw"], float)
    assert p.section("pose")["max_roll"] == load_profile().section("pose")["max_roll"]
    (tmp_path / "gold.toml").write_text('[jewelry]\ngold_hue = [60, 100]\n[white_top]\nmax_samples = 5000\n')
    p = load_profile(tmp_path / "gold.toml")
    assert p.section("jewelry")["gold_hue"] == [60, 100] and p.section("white_top")["max_samples"] == 5000


def test_blue_profile_forbids_white_and_blue_tops():
    p = load_profile("blue")
    assert p.section("background")["require"] == "blue"
    assert set(p.section("white_top")["forbidden"]) == {"white", "blue"}
    assert p.section("white_top")["required"] == []


# -- registry and checker ---------------------------------------------------------------------


def test_registry_finds_the_general_checks_by_name():
    for name in ("face_count", "framing", "pose", "eyes_open", "sharpness", "exposure", "background", "white_top"):
        cls = check_class(name)
        assert issubclass(cls, Check) and cls.name == name
    with pytest.raises(CheckUnavailable):
        check_class("no_such_check")


def test_every_check_is_reported_and_a_missing_module_is_not_assessed(checker, astronaut_rgb):
    report = checker.check_image(astronaut_rgb)
    assert set(report.checks) == set(CHECK_NAMES)
    for name in CHECK_NAMES:
        try:
            check_class(name)
        except CheckUnavailable:
            res = report.checks[name]
            assert res.verdict == "error" and "not assessed" in res.reason_en


def test_a_check_that_raises_is_recorded_and_the_others_run(astronaut_rgb):
    from qc.checker import Checker

    class Broken(Check):
        name = "pose"

        def run(self, analysis) -> CheckResult:
            raise RuntimeError("boom")

    c = Checker()
    try:
        c.checks["pose"] = Broken({})
        report = c.check_image(astronaut_rgb)
        assert report.checks["pose"].verdict == "error"
        assert "boom" in report.checks["pose"].reason_en
        assert report.checks["face_count"].verdict == "pass"
        assert report.checks["eyes_open"].verdict == "pass"
    finally:
        c.close()


def test_overall_verdict_is_fail_when_any_check_fails(checker, grace_hopper_path):
    report = checker.check_path(grace_hopper_path)
    assert report.checks["white_top"].verdict == "fail"  # a dark uniform
    assert report.verdict == "fail"
    assert report.failing()
    d = report.to_dict()
    assert d["verdict"] == "fail" and d["checks"]["white_top"]["reason"]
    assert report.to_dict("en")["checks"]["white_top"]["reason"].startswith("the top is not white")


def test_unreadable_files_give_an_error_report_not_an_exception(checker, tmp_path):
    (tmp_path / "x.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    report = checker.check_path(tmp_path / "x.jpg")
    assert report.verdict == "error" and report.error
    assert set(report.checks) == set(CHECK_NAMES)
    assert all(r.verdict == "error" for r in report.checks.values())


def test_no_face_and_tiny_images_get_a_verdict(checker):
    rng = np.random.default_rng(3)
    texture = (rng.random((300, 240, 3)) * 60 + 100).astype(np.uint8)
    r = checker.check_image(texture)
    assert r.verdict == "fail"
    assert r.checks["face_count"].verdict == "fail" and r.checks["face_count"].value == 0
    assert r.checks["pose"].verdict == "error"  # not assessed without a face
    r2 = checker.check_image(np.full((12, 10, 3), 200, np.uint8))
    assert r2.verdict in ("fail", "error")


def test_grayscale_and_reduced_and_huge_photos_are_judged_alike(checker, grace_hopper_path, tmp_path):
    import cv2

    rgb = np.asarray(Image.open(grace_hopper_path).convert("RGB"))
    base = checker.check_image(rgb)
    gray = checker.check_image(np.asarray(Image.fromarray(rgb).convert("L")))
    # a 24-megapixel camera frame (4000x6000 portrait, EXIF-rotated) of the same picture
    big = cv2.resize(rgb, (4000, int(4000 * rgb.shape[0] / rgb.shape[1])), interpolation=cv2.INTER_CUBIC)
    canvas = cv2.copyMakeBorder(big, 0, 6000 - big.shape[0], 0, 0, cv2.BORDER_REPLICATE)
    path = _jpeg(np.rot90(canvas, k=1).copy(), tmp_path / "24mp.jpg", exif_orientation=6, quality=90)
    huge = checker.check_path(path)
    assert (huge.width, huge.height) == (4000, 6000)
    for name in ("face_count", "eyes_open", "white_top"):
        assert base.checks[name].verdict == gray.checks[name].verdict == huge.checks[name].verdict, name
    assert abs(base.checks["pose"].value - huge.checks["pose"].value) < 3


def test_two_faces_fail_but_a_small_face_far_behind_does_not(checker, astronaut_rgb, grace_hopper_path):
    import cv2

    two = np.hstack([astronaut_rgb, astronaut_rgb[:, ::-1]])
    r = checker.check_image(two)
    assert r.checks["face_count"].verdict == "fail" and r.checks["face_count"].value == 2
    assert len(r.checks["face_count"].regions) == 2

    grace = np.asarray(Image.open(grace_hopper_path).convert("RGB")).copy()
    passer_by = cv2.resize(astronaut_rgb, (110, 110), interpolation=cv2.INTER_AREA)
    grace[10:120, 390:500] = passer_by
    r2 = checker.check_image(grace)
    assert r2.checks["face_count"].verdict == "pass"


# -- the standard crop ------------------------------------------------------------------------


def test_crop_to_delivery_meets_the_format(checker, grace_hopper_path):
    from qc.crop import crop_to_delivery

    report = checker.check_path(grace_hopper_path)
    assert report.crop is not None
    original = ImageOps.exif_transpose(Image.open(grace_hopper_path))
    delivered = crop_to_delivery(original, report.crop)
    assert delivered.size == (480, 640)
    # measure the delivered picture with the same analysis: eyes 200-300 px down, face 180-300 px wide
    a = checker._analyse(from_array(np.asarray(delivered)), None)
    eye_y = (a.eye_centres[0][1] + a.eye_centres[1][1]) / 2
    assert 200 <= eye_y <= 300
    assert 180 <= a.face_width <= 300


def test_crop_outside_the_photo_is_padded_not_black(astronaut_rgb):
    from qc.crop import crop_to_delivery

    out = np.asarray(crop_to_delivery(astronaut_rgb, (-0.2, -0.1, 0.6, 0.9)))
    assert out.shape == (640, 480, 3)
    assert out[:20, :20].mean() > 40  # edge pixels repeated


# -- commands ---------------------------------------------------------------------------------


def test_station_qc_json_lines_and_goes_on_after_a_bad_file(run_cli, tmp_path, astronaut_rgb, grace_hopper_path):
    good = _jpeg(astronaut_rgb, tmp_path / "astronaut.jpg")
    full = good.read_bytes()
    (tmp_path / "cut.jpg").write_bytes(full[: len(full) // 3])
    (tmp_path / "readme.txt").write_text("hello")
    code, out, err = run_cli("qc", good, tmp_path / "cut.jpg", tmp_path / "readme.txt", grace_hopper_path, "--json")
    assert code == 0
    lines = [json.loads(x) for x in out.strip().splitlines()]
    assert [Path(x["path"]).name for x in lines] == ["astronaut.jpg", "cut.jpg", "readme.txt", "grace_hopper.jpg"]
    assert lines[1]["verdict"] == "error" and "不完整" in lines[1]["reason"]
    assert lines[2]["verdict"] == "error"
    for x in lines:
        assert set(x["checks"]) == set(CHECK_NAMES)
        assert isinstance(x["ms"], float)
        for res in x["checks"].values():
            assert {"verdict", "score", "reason"} <= set(res)
    assert lines[3]["verdict"] == "fail" and lines[3]["checks"]["white_top"]["verdict"] == "fail"


def test_station_qc_human_output_and_profile_errors(run_cli, grace_hopper_path, tmp_path):
    code, out, _ = run_cli("qc", grace_hopper_path, "--lang", "en", "--text")
    assert code == 0 and "FAIL" in out and "white top" in out
    (tmp_path / "bad.toml").write_text("[pose]\nmax_yaww = 3\n")
    code, _, err = run_cli("qc", grace_hopper_path, "--profile", tmp_path / "bad.toml")
    assert code == 2 and "max_yaww" in err
    # in a pipe (as here) the default is the JSON lines scripts read
    code, out, _ = run_cli("qc", grace_hopper_path)
    assert code == 0 and json.loads(out.splitlines()[0])["verdict"] == "fail"


def test_station_qc_eval_counts_against_labels(run_cli, tmp_path, astronaut_rgb, grace_hopper_path):
    import shutil

    folder = tmp_path / "set"
    folder.mkdir()
    _jpeg(astronaut_rgb, folder / "a.jpg")
    shutil.copy(grace_hopper_path, folder / "g.jpg")
    labels = tmp_path / "labels.csv"
    # the astronaut's orange suit and Grace Hopper's uniform are both not white: 2 failing, both found
    labels.write_text("file,top_white,glasses,ears_covered\na.jpg,no,no,unsure\ng.jpg,no,yes,no\n")
    code, out, _ = run_cli("qc-eval", folder, "--labels", labels, "--json")
    assert code == 0
    data = json.loads(out)
    wt = data["checks"]["white_top"]
    assert (wt["tp"], wt["fn"], wt["fp"]) == (2, 0, 0) and wt["recall"] == 1.0
    assert data["checks"]["ears_visible"]["compliant"] + data["checks"]["ears_visible"]["failing"] <= 1
    assert data["checks"]["pose"]["labelled"] is False
    assert data["latency_ms"]["median"] > 0 and data["photos"] == 2
    code, out, _ = run_cli("qc-eval", folder, "--labels", labels)
    assert "white_top" in out and "F1" in out


def test_decode_bytes_matches_decode_path(tmp_path, astronaut_rgb):
    path = _jpeg(astronaut_rgb, tmp_path / "a.jpg")
    a = decode_path(path)
    b = decode_bytes(io.BytesIO(path.read_bytes()).getvalue())
    assert np.array_equal(a.rgb, b.rgb)


@pytest.mark.parametrize("shape", [(8, 8), (9, 400), (400, 9), (33, 17), (700, 40), (64, 64)])
def test_odd_shapes_never_crash(checker, astronaut_rgb, shape):
    import cv2

    img = cv2.resize(astronaut_rgb, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    report = checker.check_image(img)
    assert report.verdict in ("pass", "warn", "fail", "error")
    assert set(report.checks) == set(CHECK_NAMES)


def test_model_start_up_chatter_stays_off_the_console(capfd, astronaut_rgb):
    """mediapipe's C++ start-up lines go to the debug log, not the station's console."""
    from qc.checker import Checker

    with Checker() as checker:
        checker.check_image(astronaut_rgb)
    err = capfd.readouterr().err
    assert "XNNPACK" not in err and "inference_feedback_manager" not in err and "NORM_RECT" not in err
