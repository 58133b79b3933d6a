"""Named points where the fault-injection harness kills the process (tests/test_fault_injection.py).

``STATION_FAULT_AT=<name>`` (or ``<name>:<n>``, the n-th time the point is
passed) makes :func:`fault_point` send the process SIGKILL at that point:
no handler, no ``finally``, no flush, exactly what a pulled plug or the OOM
killer leaves. Unset (always, outside the harness), it costs one dictionary
lookup. Points passed are counted, so a harness can ask for the n-th.
"""

from __future__ import annotations

import os
import signal
import threading

_lock = threading.Lock()
_seen: dict[str, int] = {}


def fault_point(name: str) -> None:
    want = os.environ.get("STATION_FAULT_AT")
    if not want:
        return
    target, _, nth = want.partition(":")
    if target != name:
        return
    with _lock:
        _seen[name] = _seen.get(name, 0) + 1
        hit = _seen[name] == (int(nth) if nth.isdigit() else 1)
    if hit:
        os.kill(os.getpid(), signal.SIGKILL)
