"""`station demo` and `station run` as a user starts them: in a fresh process, on a real X server
(Xvfb, when installed) and with no display at all.

These run the command in a subprocess, the way the README's first command
does, so they also prove the start-up path: OpenCV's Qt 5 plugin path in the
environment must not stop PySide6 from finding its own xcb plugin, and
Chinese text must render.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATION = [sys.executable, "-m", "app.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "STATION_DB", "VCAMERADIR")}
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def json_line(stdout: str) -> dict:
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1, stdout  # stdout carries exactly the one summary line
    return json.loads(lines[0])


@pytest.fixture
def xvfb():
    """A private X server; yields its DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    proc.terminate()
    proc.wait(10)


def test_demo_starts_on_a_real_x_server(xvfb, tmp_path):
    import cv2

    cv2_plugins = str(Path(cv2.__file__).parent / "qt" / "plugins")
    env = clean_env(DISPLAY=xvfb, QT_QPA_PLATFORM_PLUGIN_PATH=cv2_plugins,
                    QT_QPA_FONTDIR=str(Path(cv2.__file__).parent / "qt" / "fonts"))
    shots = tmp_path / "shots"
    p = subprocess.run([*STATION, "demo", "--auto", "3", "--dir", str(tmp_path / "demo"), "--screenshots", str(shots)],
                       env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "platform plugin" not in p.stderr
    summary = json_line(p.stdout)
    assert summary["students"] == 3 and summary["accepted"] == 3
    assert set(summary) == {"students", "accepted", "per_student_ms", "max_ui_stall_ms", "rss_mb"}
    assert set(summary["per_student_ms"]) == {"p50", "p95"}
    # The window was drawn on the X server, Chinese included: a glyph-rich screenshot, not a blank one.
    from PIL import Image

    img = Image.open(shots / "window_ready.png").convert("L")
    assert img.size[0] >= 1000
    assert len(img.getcolors(maxcolors=256) or range(256)) > 50


def test_demo_with_no_display_says_so_and_runs_offscreen(tmp_path):
    p = subprocess.run([*STATION, "demo", "--dir", str(tmp_path / "demo"), "--students", "60"],
                       env=clean_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "没有显示器" in p.stderr and "--auto 20" in p.stderr
    summary = json_line(p.stdout)
    assert summary["students"] == 20 and summary["accepted"] == 20
    assert summary["per_student_ms"]["p50"] > 0 and summary["rss_mb"] > 0
    assert list((tmp_path / "demo" / "auto" / "captures").rglob("S01_*.jpg"))  # photos really saved


def test_run_with_no_display_explains(tmp_path):
    p = subprocess.run([*STATION, "--db", str(tmp_path / "s.db"), "run"], env=clean_env(), cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "station demo" in p.stderr
