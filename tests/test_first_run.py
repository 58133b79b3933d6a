"""The first run without traps: the demo's database is found again, an empty one says so.

Run as a new user would, through the `station` command in a fresh working
folder (subprocesses, the real demo on libgphoto2's virtual camera offscreen).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def station(cwd: Path, *args: str, state: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(state),
           "STATION_LANG": "zh"}
    for k in ("STATION_DB", "STATION_LOG", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(k, None)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory):
    """A fresh folder where `station demo` has just run (offscreen: --auto 2)."""
    base = tmp_path_factory.mktemp("firstrun")
    cwd, state = base / "work", base / "state"
    cwd.mkdir()
    r = station(cwd, "demo", "--auto", "2", "--students", "30", state=state)
    assert r.returncode == 0, r.stderr
    return cwd, state, r


def test_demo_says_its_database(after_demo):
    cwd, _state, r = after_demo
    db = cwd / "demo" / "auto" / "station.db"
    assert f"演示数据库: {db}" in r.stderr
    assert db.is_file()


def test_marshal_right_after_the_demo_shows_the_demos_students(after_demo):
    cwd, state, _r = after_demo
    r = station(cwd, "marshal", "status", state=state)
    assert r.returncode == 0, r.stderr
    assert "打开上次演示的数据库" in r.stderr and "station roster import" in r.stderr
    assert "合计 名单 30" in r.stdout and "已拍 2" in r.stdout
    assert not (cwd / "station.db").exists() or "名单 30" in r.stdout


def test_a_roster_import_never_goes_to_the_demo_database(after_demo, tmp_path):
    cwd, state, _r = after_demo
    from app.demo_data import write_demo_roster

    other = tmp_path / "site"
    other.mkdir()
    (other / "rosters").mkdir()
    roster = write_demo_roster(other / "rosters" / "名单.xlsx", n=40, seed=3)
    r = station(other, "roster", "import", str(roster), state=state)
    assert r.returncode in (0, 2), r.stderr
    assert (other / "station.db").is_file()  # into this folder's station.db, not the demo's
    # the report lands beside the roster, not in the working folder
    assert (other / "rosters" / "名单-问题报告.xlsx").is_file()
    assert not list(other.glob("*问题报告.xlsx"))
    r = station(other, "marshal", "status", state=state)
    assert "合计 名单 40" in r.stdout and "打开上次演示" not in r.stderr


def test_an_empty_database_says_no_roster_is_loaded(tmp_path):
    state = tmp_path / "state"  # no demo ever ran
    r = station(tmp_path, "marshal", "status", state=state)
    assert "还没有名单" in r.stderr and "station roster import" in r.stderr and "station demo" in r.stderr
    r = station(tmp_path, "--db", str(tmp_path / "x.db"), "find", "张", state=state)
    assert "还没有名单" in r.stderr


def test_demo_honours_db(tmp_path):
    state = tmp_path / "state"
    db = tmp_path / "mine.db"
    r = station(tmp_path, "--db", str(db), "demo", "--auto", "1", "--students", "20", state=state)
    assert r.returncode == 0, r.stderr
    assert f"演示数据库: {db}" in r.stderr
    import sqlite3

    assert sqlite3.connect(db).execute("select count(*) from students").fetchone()[0] == 20
    assert not (tmp_path / "demo" / "auto" / "station.db").exists()


def test_demo_folder_that_is_a_file_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "demo").write_text("not a folder")
    r = station(tmp_path, "demo", "--auto", "1", state=tmp_path / "state")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "是一个文件" in r.stderr


def test_a_demo_folder_that_cannot_be_made_is_a_message(tmp_path):
    r = station(tmp_path, "demo", "--dir", "/proc/no-such-demo", "--auto", "1", state=tmp_path / "state")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "无法创建演示工作文件夹" in r.stderr
