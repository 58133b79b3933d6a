"""The encrypted delivery leaks nothing: no personal data in the archive's names, no plain copy on any way out.

Each step of an encrypted export (copying originals, writing delivery images,
the manifest, the proof sheets, packing, reading back) is killed with SIGKILL
in a real subprocess, or fails with a disk error there; then the disk (the
output folder, the station's cache, the working folder) is searched for every
student's ID number and name, in file names and file contents, and for plain
photos. After a failure nothing is left at once; after a kill, the next start
of the station removes the killed export's staging folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Student
from tests._reports_day import day  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "deliver-2019"
STEPS = [("original", 3), ("photo", 4), ("manifest", 1), ("proof", 1), ("pack", 10), ("verify", 1)]


def _people(db) -> list[bytes]:
    with db.session() as s:
        out = set()
        for st in s.scalars(select(Student)):
            out |= {st.id_number.encode(), st.name.encode("utf-8")}
    return sorted(x for x in out if x)


def _station(tmp_path, db_url, *args, driver=()):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(ROOT), HOME=str(tmp_path / "home"))
    cmd = [sys.executable, *(driver or ["-m", "app"]), "--db", db_url, *map(str, args)]
    return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def leaks(tmp_path: Path, people: list[bytes]) -> list[str]:
    """Every file (outside the station's own database and capture folder) that shows personal data in plain."""
    found = []
    for p in tmp_path.rglob("*"):
        rel = p.relative_to(tmp_path).as_posix()
        if rel.startswith("photos") or rel.startswith("station.db"):
            continue  # the station's own originals and database: where the data lives by design
        name = p.name.encode("utf-8")
        if any(x in name for x in people):
            found.append(f"name: {rel}")
        if p.is_file():
            data = p.read_bytes()
            if data[:3] == b"\xff\xd8\xff" or data[:4] == b"%PDF":
                found.append(f"plain photo or proof sheet: {rel}")
            hit = next((x for x in people if x in data), None)
            if hit:
                found.append(f"content {hit.decode()}: {rel}")
    return found


def test_archive_names_show_no_personal_data(day, db, db_url, tmp_path):  # noqa: F811
    out = tmp_path / "out" / "d.zip"
    r = _station(tmp_path, db_url, "export", "photos", "--out", out, "--password", PASSWORD, "--class", "软件1901")
    assert r.returncode == 0, r.stderr
    names = zipfile.ZipFile(out).namelist()
    assert names == ["delivery.zip"]
    assert leaks(tmp_path, _people(db)) == []


@pytest.mark.parametrize("mode", ["kill", "fail"])
def test_no_plain_copy_survives_a_kill_or_a_disk_error_at_any_step(day, db, db_url, tmp_path, mode):  # noqa: F811
    people = _people(db)
    out = tmp_path / "out" / "d.zip"
    driver = [str(ROOT / "tests" / "_export_fault_driver.py")]
    for step, n in STEPS:
        r = _station(tmp_path, db_url, "export", "photos", "--out", out, "--password", PASSWORD, "--class", "软件1901",
                     driver=[*driver, mode, step, str(n), "--"])
        if mode == "kill":
            assert r.returncode == -9, (step, r.returncode, r.stderr[-2000:])
            # the killed export could not clean up: its staging folder is there until the next start
            assert list((tmp_path / "cache").rglob("*.jpg")) or step in ("original",), step
            start = _station(tmp_path, db_url, "audit")  # any command: the next start of the station
            assert start.returncode == 0, start.stderr
        else:
            assert r.returncode != 0, (step, r.stdout, r.stderr[-2000:])
        assert leaks(tmp_path, people) == [], (mode, step)
        assert not out.exists(), step  # no half archive under the final name either
    # and after all that, the export still works
    r = _station(tmp_path, db_url, "export", "photos", "--out", out, "--password", PASSWORD, "--class", "软件1901")
    assert r.returncode == 0, r.stderr
    assert leaks(tmp_path, people) == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["d.zip"]


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB tmpfs (needs root, as in the CI container; skipped elsewhere)."""
    mounted = []

    def make(path: Path, size: str = "1m") -> Path:
        path.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
        mounted.append(path)
        return path

    yield make
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.parametrize("full", ["cache", "out"])
def test_a_full_disk_leaves_no_plain_copy(day, db, db_url, tmp_path, small_disk, full):  # noqa: F811
    """A real full disk: the staging folder's (the station's cache) or the archive's (the USB stick)."""
    people = _people(db)
    small_disk(tmp_path / full, "1m")
    out = tmp_path / "out" / "d.zip"
    r = _station(tmp_path, db_url, "export", "photos", "--out", out, "--password", PASSWORD, "--class", "软件1901")
    assert r.returncode != 0, r.stdout
    assert "No space left" in r.stderr or "空间" in r.stderr, r.stderr[-2000:]
    assert leaks(tmp_path, people) == []
    assert not out.exists() and not [p for p in (tmp_path / "out").glob("*")]
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_a_cancelled_encrypted_export_leaves_nothing_plain(day, db, tmp_path, monkeypatch):  # noqa: F811
    import threading

    from app.export import ExportCancelled
    from app.reports import service

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 3:
            cancel.set()  # the operator presses 取消

    out = tmp_path / "out" / "d.zip"
    with db.session() as s, pytest.raises(ExportCancelled):
        service.export_delivery(s, out, password=PASSWORD, class_name="软件1901", progress=progress, cancel=cancel)
    assert leaks(tmp_path, _people(db)) == []
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] and not out.exists()


def test_seven_zip_opens_the_delivery(day, db, db_url, tmp_path):  # noqa: F811
    """What the centre does: 7-Zip with the password, then any zip tool on delivery.zip."""
    import shutil

    seven = shutil.which("7z") or shutil.which("7za")
    if not seven:
        pytest.skip("7-Zip (p7zip-full) is not installed")
    out = tmp_path / "out" / "d.zip"
    r = _station(tmp_path, db_url, "export", "photos", "--out", out, "--password", PASSWORD, "--class", "软件1901")
    assert r.returncode == 0, r.stderr
    listing = subprocess.run([seven, "l", "-slt", str(out)], capture_output=True, text=True).stdout
    assert "Path = delivery.zip" in listing and "Encrypted = +" in listing and "AES-256" in listing
    bad = subprocess.run([seven, "x", "-pwrong-password", f"-o{tmp_path / 'x0'}", str(out)], capture_output=True, text=True)
    assert bad.returncode != 0
    ok = subprocess.run([seven, "x", f"-p{PASSWORD}", f"-o{tmp_path / 'x1'}", str(out)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ok = subprocess.run([seven, "x", f"-o{tmp_path / 'x2'}", str(tmp_path / "x1" / "delivery.zip")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    photos = list((tmp_path / "x2" / "照片").rglob("*.jpg"))
    assert len(photos) == 15 and (tmp_path / "x2" / "清单.csv").is_file()
