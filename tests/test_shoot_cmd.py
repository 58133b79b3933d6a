"""`station shoot`: the window's workflow driven from the command line, on the virtual camera."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.models import Selection, Shot, Student


def _codes(db, n):
    with db.session() as s:
        return [st.student_no for st in s.scalars(select(Student).order_by(Student.id).limit(n))]


def test_shoot_accepts_a_passing_photo_and_keeps_a_failing_one(import_demo_roster, run_cli, demo_portraits,
                                                               tmp_path, monkeypatch):
    from app.demo_portraits import write_demo_profile
    from capture.virtual import prepare_virtual_camera

    db, _ = import_demo_roster(n=10, seed=2)
    (tmp_path / "profile").mkdir()
    code, _, err = run_cli("config", "qc.profile", str(write_demo_profile(tmp_path / "profile")))
    assert code == 0, err
    first, second = _codes(db, 2)
    captures = tmp_path / "captures"

    prepare_virtual_camera(tmp_path / "vc_pass", sources=[demo_portraits["pass"]])
    code, out, err = run_cli("shoot", first, "--capture-folder", captures, "--backend", "gphoto2")
    line = json.loads(out.splitlines()[0])
    assert code == 0, err
    assert line["accepted"] is True and line["verdict"] in ("pass", "warn") and line["id"].count("*") >= 8

    prepare_virtual_camera(tmp_path / "vc_fail", sources=[demo_portraits["fail"]])
    code, out, _ = run_cli("shoot", second, "--capture-folder", captures, "--backend", "gphoto2")
    line = json.loads(out.splitlines()[0])
    assert code == 1 and line["accepted"] is False and line["verdict"] == "fail"
    assert {f["check"] for f in line["failing"]} >= {"glasses", "white_top"}

    # already photographed: refused without --again
    code, out, _ = run_cli("shoot", first, "--capture-folder", captures, "--backend", "gphoto2")
    assert code == 1 and "--again" in json.loads(out)["error"]

    with db.session() as s:
        shots = {st.student_no: st for st in s.scalars(select(Student).where(Student.student_no.in_([first, second])))}
        sel = s.scalars(select(Selection)).all()
        assert [x.student_id for x in sel] == [shots[first].id]
        kept = s.scalars(select(Shot).where(Shot.student_id == shots[second].id)).one()
        assert kept.status == "retake" and kept.qc_verdict == "fail"
        assert len(list(captures.rglob(f"*{second}*.jpg"))) == 1  # the failing photo is kept on disk

    # the failing student is accepted with a reason, and the reason is kept
    code, out, _ = run_cli("shoot", second, "--reason", "人工核对合格", "--capture-folder", captures,
                           "--backend", "gphoto2")
    assert code == 0 and json.loads(out)["accepted"] is True
    with db.session() as s:
        sel = s.scalars(select(Selection).join(Student).where(Student.student_no == second)).one()
        assert sel.override_reason == "人工核对合格"


def test_a_camera_that_delivers_nothing_is_said_plainly(import_demo_roster, run_cli, tmp_path, monkeypatch):
    from capture.virtual import use_virtual_camera

    db, _ = import_demo_roster(n=5, seed=2)
    empty = tmp_path / "no_photos"
    empty.mkdir()
    monkeypatch.setenv("VCAMERADIR", str(empty))
    use_virtual_camera(empty)
    code, out, _ = run_cli("shoot", _codes(db, 1)[0], "--timeout", "3", "--capture-folder", tmp_path / "c",
                           "--backend", "gphoto2")
    line = json.loads(out)
    assert code == 1 and line["accepted"] is False and "拍摄失败" in line["error"]
    with db.session() as s:
        assert s.scalars(select(Shot)).first() is None
