"""mediapipe / TF Lite / absl lines written by native code to descriptor 2 go to the log file, not the
console; anything else native code writes there (an error, a crash report) still reaches the console."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import logging, os, sys, time
logging.basicConfig(filename=sys.argv[1], level=logging.INFO, format="%(name)s: %(message)s")
from app.native_log import install
assert install()
for line in (
    b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n",
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    b"W0000 00:00:1796533451.551897   17562 inference_feedback_manager.cc:114] Feedback manager requires a model\n",
    b"I0000 00:00:1796533451.551897   17562 gl_context.cc:357] GL version: 3.2\n",
    b"E0000 00:00:1796533451.551897   17562 something.cc:1] a real native error\n",
):
    os.write(2, line)  # as C++ code writes, under Python's feet
print("中文消息 for the operator", file=sys.stderr)
time.sleep(0.5)
"""


def test_native_noise_goes_to_the_log_file_only(tmp_path):
    log = tmp_path / "station.log"
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(log)], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert "中文消息 for the operator" in r.stderr  # Python's own messages: console
    assert "a real native error" in r.stderr  # not known noise: console too
    for noise in ("XNNPACK", "absl::InitializeLog", "inference_feedback_manager", "gl_context"):
        assert noise not in r.stderr
    text = log.read_text()
    for kept in ("XNNPACK", "absl::InitializeLog", "inference_feedback_manager", "gl_context", "a real native error"):
        assert kept in text  # everything is in the log file
