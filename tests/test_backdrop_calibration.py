"""Backdrop calibration (issue 12, item 4): the empty backdrop measured once, then every photo judged against it.

Real photos: the London portraits of ../shared/faces stand in front of a light grey studio backdrop;
their own backdrop (a corner of the photo, where nobody stands) serves as the empty backdrop's shot.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from qc.backdrop import CalibrationError, calibrate_path

FACES = Path(__file__).resolve().parents[1].parent / "shared" / "faces" / "images"
LONDON = sorted(FACES.glob("london_*.jpg"))[:4] if FACES.is_dir() else []
needs_faces = pytest.mark.skipif(not LONDON, reason="../shared/faces is not present")


def empty_backdrop(path: Path, out: Path, tint=None) -> Path:
    """The photo's own backdrop (its top-left corner, where nobody stands) as a full camera frame."""
    rgb = np.asarray(Image.open(path).convert("RGB"))
    h, w = rgb.shape[:2]
    corner = rgb[: h // 6, : w // 6]
    frame = cv2.resize(corner, (1200, 1600), interpolation=cv2.INTER_CUBIC)
    if tint is not None:
        lab = cv2.cvtColor(frame, cv2.COLOR_RGB2LAB).astype(np.float32)
        lab[..., 1] += tint[0]
        lab[..., 2] += tint[1]
        frame = cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
    Image.fromarray(frame).save(out, quality=92)
    return out


@needs_faces
def test_calibrating_on_the_real_grey_backdrop_then_its_portraits_pass(checker, tmp_path):
    cal = calibrate_path(checker, empty_backdrop(LONDON[0], tmp_path / "empty.jpg"))
    assert "grey" in cal.classes and "blue" not in cal.classes
    assert cal.L > 55 and abs(cal.a) < 10 and abs(cal.b) < 15
    checker.set_backdrop(cal)
    try:
        for f in LONDON:
            res = checker.check_path(f).checks["background"]
            assert res.verdict == "pass", (f.name, res.reason_en)
    finally:
        checker.set_backdrop(None)


@needs_faces
def test_a_backdrop_other_than_the_calibrated_one_fails(checker, tmp_path):
    # calibrated on a light blue backdrop (the same cloth, tinted): the grey one behind them is not it
    cal = calibrate_path(checker, empty_backdrop(LONDON[0], tmp_path / "blue.jpg", tint=(-8, -28)))
    assert "light_blue" in cal.classes
    checker.set_backdrop(cal.to_dict())  # as stored in the settings
    try:
        res = checker.check_path(LONDON[1]).checks["background"]
        assert res.verdict == "fail" and "标定" in res.reason
    finally:
        checker.set_backdrop(None)
    # uncalibrated, the default profile accepts the grey backdrop
    assert checker.check_path(LONDON[1]).checks["background"].verdict == "pass"


@needs_faces
def test_a_shot_with_a_person_is_refused_as_calibration(checker):
    with pytest.raises(CalibrationError) as exc:
        calibrate_path(checker, LONDON[0])
    assert "空" in exc.value.zh


def test_the_default_profile_accepts_the_light_blue_of_xuexin_photos(checker, grace_rgb):
    from tests.test_qc_checks import on_backdrop

    light_blue = on_backdrop(checker, grace_rgb, colour=(100, 190, 240))
    assert checker.check_image(light_blue).checks["background"].verdict == "pass"


@needs_faces
def test_a_profile_can_require_a_white_backdrop(tmp_path):
    from qc.checker import Checker

    prof = tmp_path / "white.toml"
    prof.write_text('extends = "default"\n[profile]\nname = "white"\n[background]\nrequire = "white"\n',
                    encoding="utf-8")
    with Checker(prof, warm=False) as white:
        res = white.check_path(LONDON[0]).checks["background"]
        assert res.verdict == "fail" and "白色" in res.reason
        with pytest.raises(CalibrationError):  # and refuses to calibrate on a grey one
            calibrate_path(white, empty_backdrop(LONDON[0], tmp_path / "empty.jpg"))


@needs_faces
def test_station_calibrate_backdrop_stores_it_and_the_workflow_judges_with_it(run_cli, tmp_path, db_url):
    empty = empty_backdrop(LONDON[0], tmp_path / "empty.jpg")
    code, out, err = run_cli("calibrate", "backdrop", "--from", empty, "--json")
    assert code == 0, err
    stored = json.loads(out)
    assert "grey" in stored["classes"] and stored["file"] == "empty.jpg"
    code, out, _ = run_cli("calibrate", "backdrop", "--show")
    assert code == 0 and out.startswith("背景已标定: ") and "浅灰色" in out

    from app.calibration import load_backdrop, store_backdrop
    from app.db import open_db
    from app.workflow import Workflow

    db = open_db(db_url)
    try:
        assert load_backdrop(db).L == pytest.approx(stored["L"], abs=0.01)
        wf = Workflow(db, capture_folder=tmp_path / "captures")
        checker = wf.load_checker()
        source = checker.checks["background"].calibration
        assert source().L == pytest.approx(stored["L"], abs=0.01)
        # a recalibration (another process, the dialog) reaches the running checker without a reload
        source.ttl = 0
        blue = calibrate_path(checker, empty_backdrop(LONDON[0], tmp_path / "blue.jpg", tint=(-8, -28)))
        store_backdrop(db, blue)
        res = wf.checks.call(checker.check_path, LONDON[1]).result().checks["background"]
        assert res.verdict == "fail" and "标定" in res.reason
        code, out, _ = run_cli("calibrate", "backdrop", "--clear")
        assert code == 0 and load_backdrop(db) is None
        wf.close()
    finally:
        db.dispose()


def test_calibrating_a_person_from_the_command_line_says_why(run_cli, grace_hopper_path):
    code, out, err = run_cli("calibrate", "backdrop", "--from", grace_hopper_path)
    assert code == 3
    assert "空的背景" in out + err


@needs_faces
def test_station_calibrate_backdrop_shoots_one_with_the_camera(run_cli, tmp_path, monkeypatch):
    pytest.importorskip("gphoto2")
    from capture.virtual import prepare_virtual_camera

    empty = empty_backdrop(LONDON[0], tmp_path / "empty.jpg")
    monkeypatch.setenv("VCAMERADIR", str(tmp_path / "vcam"))  # restored after the test
    prepare_virtual_camera(tmp_path / "vcam", sources=[empty])
    monkeypatch.chdir(tmp_path)  # capture.folder "captures" is relative to the working folder
    code, out, err = run_cli("calibrate", "backdrop", "--json")
    assert code == 0, err
    stored = json.loads(out)
    assert "grey" in stored["classes"]
    shot = tmp_path / "captures" / "calibration" / stored["file"]
    assert shot.is_file()  # the calibration shot is kept, outside the students' photos
