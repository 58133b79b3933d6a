"""One threading model on the Qt side (issue 17): one worker pool, each Runner a lane on it; nothing at import."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from ui.workers import Runner, worker_pool  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_runners_share_one_pool_and_a_one_thread_lane_keeps_order(qtbot):
    a, b, niced = Runner(threads=1), Runner(threads=3), Runner(threads=2, low_priority=True)
    assert a.pool is b.pool is worker_pool() and niced.pool is worker_pool(low_priority=True)
    order: list[int] = []
    running, most = [0], [0]
    lock = threading.Lock()

    def step(i: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.002 * (i % 3))  # uneven: a pool without the lane would reorder them
        with lock:
            order.append(i)
            running[0] -= 1
        return i

    answers: list[int] = []
    for i in range(40):
        a.submit(step, i, on_done=answers.append)
    assert a.wait(10_000)
    qtbot.waitUntil(lambda: len(answers) == 40, timeout=5000)
    assert order == list(range(40)) and answers == list(range(40)) and most[0] == 1


def test_a_lane_runs_at_most_its_threads_and_waits_only_for_its_own_jobs(qtbot):
    lane, other = Runner(threads=2), Runner(threads=1)
    release = threading.Event()
    running, most = [0], [0]
    lock = threading.Lock()

    def held() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1

    for _ in range(5):
        lane.submit(held)
    other.submit(lambda: None)
    assert other.wait(5000)  # not held up by the other lane's jobs in the same pool
    assert not lane.wait(200)  # still held
    release.set()
    assert lane.wait(10_000) and most[0] == 2


def test_a_job_whose_window_is_gone_does_not_fail_the_worker(qtbot):
    """A dialog closed while its job runs: the answer has nobody to go to, the pool goes on."""
    from PySide6.QtCore import QObject

    owner = QObject()
    lane = Runner(owner, threads=1)
    go = threading.Event()
    lane.submit(lambda: go.wait(5), on_done=lambda _r: None)
    owner.deleteLater()
    qtbot.wait(50)
    go.set()
    assert lane.wait(5000)
    after = Runner(threads=1)
    got: list = []
    after.submit(lambda: 7, on_done=got.append)
    qtbot.waitUntil(lambda: got == [7], timeout=5000)


def test_importing_ui_does_nothing_even_where_pyside_may_be_faulty():
    """`import ui` used to probe Qt and patch reference counts (PySide6 6.12.0); now create_application does."""
    code = ("import importlib.metadata as m, sys; m.version = lambda dist: '6.12.0'\n"
            "import ui\n"
            "print('PySide6.QtCore' in sys.modules, hasattr(ui, 'REFCOUNT_GUARD'))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False"]


def test_every_window_start_installs_the_refcount_guard(qapp):
    from ui import refcount_guard
    from ui.qt_app import create_application

    create_application("zh")
    assert refcount_guard._installed is not None  # checked once, at the application's start
    assert refcount_guard.install() or not refcount_guard.leaks()
