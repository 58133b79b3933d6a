"""`station camera list|shoot|recover` end to end (the virtual camera, real files, real SQLite)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

pytest.importorskip("gphoto2")


@pytest.fixture
def vcam(tmp_path, grace_hopper_path, monkeypatch) -> Path:
    d = tmp_path / "vcam"
    d.mkdir()
    (d / "portrait.jpg").write_bytes(Path(grace_hopper_path).read_bytes())
    monkeypatch.setenv("VCAMERADIR", str(d))
    return d


def test_camera_list_prints_model_and_port(run_cli, vcam):
    code, out, err = run_cli("camera", "list")
    assert code == 0
    assert out.splitlines() == ["Nikon DSC D750\tusb:001,001"]


def test_camera_list_with_no_camera_exits_zero(run_cli, monkeypatch):
    monkeypatch.delenv("VCAMERADIR", raising=False)
    code, out, err = run_cli("camera", "list")
    assert code == 0
    if out.strip():  # a real camera on this machine
        pytest.skip("a real camera is attached")
    assert "未发现相机" in err


def test_camera_shoot_prints_one_json_line_per_durable_photo(run_cli, vcam, tmp_path):
    out_dir = tmp_path / "shots"
    code, out, err = run_cli("camera", "shoot", "--out", out_dir, "--count", "3", "--station", "4")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 3
    src_sha = hashlib.sha256((vcam / "portrait.jpg").read_bytes()).hexdigest()
    for i, r in enumerate(rows, 1):
        assert set(r) == {"path", "sha256", "bytes", "ms"}
        p = Path(r["path"])
        assert p.name == f"04-{i:04d}.jpg" and p.parent == out_dir.absolute()
        assert r["sha256"] == src_sha == hashlib.sha256(p.read_bytes()).hexdigest()
        assert r["bytes"] == p.stat().st_size and r["ms"] > 0
    # a second run continues the numbering instead of overwriting
    code, out, err = run_cli("camera", "shoot", "--out", out_dir, "--station", "4")
    assert code == 0 and Path(json.loads(out)["path"]).name == "04-0004.jpg"


def test_camera_shoot_without_a_camera_fails_clearly(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("VCAMERADIR", raising=False)
    code, out, err = run_cli("camera", "shoot", "--out", tmp_path / "x", "--timeout", "5")
    if code == 0:
        pytest.skip("a real camera is attached")
    assert code == 4 and out == ""
    assert "未找到相机" in err


def test_camera_shoot_refuses_when_the_disk_is_low(run_cli, vcam, tmp_path):
    code, out, err = run_cli("camera", "shoot", "--out", tmp_path / "x", "--min-free-mb", "1e12")
    assert code == 5 and "磁盘空间不足" in err and out == ""


def test_camera_shoot_from_a_hot_folder(run_cli, tmp_path, grace_hopper_path):
    import threading
    import time

    hot = tmp_path / "hot"
    hot.mkdir()
    data = Path(grace_hopper_path).read_bytes()

    def maker_software():
        time.sleep(0.5)
        (hot / "IMG_1.JPG").write_bytes(data)

    threading.Thread(target=maker_software, daemon=True).start()
    code, out, err = run_cli(
        "camera", "shoot", "--backend", "folder", "--hot-folder", hot, "--out", tmp_path / "o", "--timeout", "10"
    )
    assert code == 0, err
    r = json.loads(out)
    assert r["sha256"] == hashlib.sha256(data).hexdigest()


def test_camera_recover_records_unknown_files(run_cli, vcam, tmp_path, db_url):
    folder = tmp_path / "captures"
    code, out, _ = run_cli("camera", "shoot", "--out", folder, "--count", "2")
    assert code == 0
    code, out, err = run_cli("camera", "recover", "--folder", folder, "--json")
    report = json.loads(out)
    assert code == 1 and len(report["unknown"]) == 2 and report["clean"] is False
    code, out, err = run_cli("camera", "recover", "--folder", folder, "--record")
    assert code == 1 and "已登记 2 张" in out
    code, out, err = run_cli("camera", "recover", "--folder", folder)
    assert code == 0, out  # all known now
    from app.db import open_db
    from app.models import Shot

    db = open_db(db_url)
    with db.session() as s:
        shots = s.query(Shot).all()
        assert [(sh.student_id, sh.source) for sh in shots] == [(None, "recovered")] * 2
    db.dispose()
    os.remove(shots[0].path)
    code, out, err = run_cli("camera", "recover", "--folder", folder)
    assert code == 1 and "文件不见了" in out
