"""Native libraries' log lines (mediapipe's glog, TensorFlow Lite, absl) into the log file, off the console.

mediapipe's C++ code writes to file descriptor 2 directly ("INFO: Created
TensorFlow Lite XNNPACK delegate", "W0000 … inference_feedback_manager.cc …"),
between the station's Chinese messages. :func:`install` points descriptor 2 at
a pipe and keeps Python's own ``sys.stderr`` on the console: a thread reads the
pipe and writes every line to the log file (logger ``native``); a line that is
not known noise (a crash report, an error) is also shown on the console, so
nothing that matters is hidden.

Standard library only; installed once per process by ``station`` (not inside
test runs, which capture descriptor 2 themselves).
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
import threading

# glog's info and warning lines (I/W + date), TF Lite's delegate note, absl's early-logging warning.
NOISE = re.compile(
    r"^(?:[IW]\d{4} [\d:.]+\s+\d+ \S+\.(?:cc|h):\d+\]"
    r"|INFO: Created TensorFlow Lite"
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|INFO: Initialized TensorFlow Lite runtime"
    r"|I\d{4} .*gl_context)"
)

_installed: dict = {}
log = logging.getLogger("native")


def is_noise(line: str) -> bool:
    return bool(NOISE.match(line))


def install() -> bool:
    """Route descriptor 2 through the filter (once). False when it cannot (no fd 2, already done)."""
    if _installed:
        return False
    try:
        sys.stderr.flush()
        console = os.dup(2)
        r, w = os.pipe()
        os.dup2(w, 2)
        os.close(w)
    except OSError:
        return False
    enc = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = io.TextIOWrapper(os.fdopen(console, "wb", buffering=0), encoding=enc, errors="backslashreplace",
                                  line_buffering=True, write_through=True)
    try:
        import faulthandler

        if faulthandler.is_enabled():
            faulthandler.enable(sys.stderr)  # a crash report still reaches the console
    except (ImportError, RuntimeError, ValueError):
        pass
    t = threading.Thread(target=_pump, args=(r, console), name="native-log", daemon=True)
    t.start()
    _installed.update(read=r, console=console, thread=t)
    return True


def _pump(read_fd: int, console_fd: int) -> None:
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        buf = b""
        while True:
            chunk = pipe.read(65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                _line(raw, console_fd)
        if buf:
            _line(buf, console_fd)


def _line(raw: bytes, console_fd: int) -> None:
    text = raw.decode("utf-8", "backslashreplace").rstrip("\r")
    if not text.strip():
        return
    log.info("%s", text)
    if not is_noise(text):
        try:
            os.write(console_fd, raw + b"\n")
        except OSError:
            pass
