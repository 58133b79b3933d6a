"""Thread helpers shared by the workflow's pools and the window's low-priority jobs."""

from __future__ import annotations

import os
import threading


def lower_thread_priority(nice: int = 10) -> None:
    """Make the calling thread yield the CPU to the window and the camera (Linux nice is per thread).

    Used as a pool's ``initializer``; where it is not allowed (not Linux, no permission) the thread
    simply keeps its priority, which is still correct.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        pass
