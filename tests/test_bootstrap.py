"""scripts/bootstrap.sh: waits for a held apt/dpkg lock, and runs pip only when the requirements changed.

Run for real with bash: the lock is a real fcntl lock (as apt and dpkg take them)
on a file given through STATION_APT_LOCK_FILES; the pip test runs the script in a
copy of the project whose .venv/bin/python records pip calls and otherwise runs
the real interpreter.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "bootstrap.sh"


def _run_wait(lockfile: Path, wait: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "STATION_APT_LOCK_FILES": str(lockfile), "STATION_APT_LOCK_WAIT": str(wait)}
    return subprocess.run(["bash", str(SCRIPT), "--wait-apt-lock-only"], env=env, capture_output=True,
                          text=True, timeout=60)


def test_free_lock_goes_on_at_once(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.write_text("")
    r = _run_wait(lock, 4)
    assert r.returncode == 0, r.stderr
    assert "waiting" not in r.stderr


def test_held_lock_is_waited_for_with_a_message(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.write_text("")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True); time.sleep(3)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        r = _run_wait(lock, 30)
        waited = time.monotonic() - t0
    finally:
        holder.wait(10)
    assert r.returncode == 0, r.stderr
    assert "another package manager is running" in r.stderr and str(lock) in r.stderr
    assert "the lock is free" in r.stderr
    assert waited >= 1.5


def test_lock_held_too_long_gives_up_with_advice(tmp_path):
    lock = tmp_path / "lock"
    lock.write_text("")
    fd = os.open(lock, os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX)  # held by this process: the script (another process) sees it
    try:
        r = _run_wait(lock, 2)
    finally:
        os.close(fd)
    assert r.returncode == 1
    assert "gave up after 2s" in r.stderr


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="the system-package step needs Debian")
def test_pip_runs_once_across_station_and_station_tests(tmp_path):
    proj = tmp_path / "proj"
    (proj / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, proj / "scripts" / "bootstrap.sh")
    shutil.copy(ROOT / "pyproject.toml", proj / "pyproject.toml")
    venv_bin = proj / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    calls = tmp_path / "pip_calls"
    fake = venv_bin / "python"
    fake.write_text("#!/bin/bash\n"
                    f'if [[ "$1" == "-m" && "$2" == "pip" ]]; then echo "$*" >> {calls}; '
                    '[[ "$3" == "show" ]] && exit 1; exit 0; fi\n'
                    f'exec {sys.executable} "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)

    def boot(*args):
        r = subprocess.run(["bash", str(proj / "scripts" / "bootstrap.sh"), *args], capture_output=True,
                           text=True, timeout=120)
        if "missing system packages" in r.stderr:
            pytest.skip("this machine lacks the station's system packages")
        assert r.returncode == 0, r.stderr
        n = len(calls.read_text().splitlines()) if calls.exists() else 0
        return n

    assert boot("--test") > 0  # first run: pip
    first = boot("--test")
    assert boot() == first  # ./station after ./station-tests: no pip
    assert boot("--test") == first  # and back
    (proj / "pyproject.toml").write_text((proj / "pyproject.toml").read_text() + "\n# changed\n")
    assert boot() > first  # the requirements changed: pip again
