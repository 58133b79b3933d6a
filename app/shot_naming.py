"""The camera's namer: where the next photo goes, and whose it is.

Called on the camera thread for every arriving file. The answer is a
:class:`capture.base.PhotoName`: the path (station, the student's number and a
counter, never the camera's own name: ``S01_<学号>_NN.jpg``, a label a person
can read and start-up recovery can use to suggest a student for a file with
no record) and the :class:`~app.workflow_types.ShotIdentity` the workflow gave
it, which comes back on the photo. The student is never parsed back out of
the file name on the live path.

No lock is held across the folder listing: the state is read and written
under a short lock, the disk is asked in between.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime
from pathlib import Path

from app.workflow_types import ShotIdentity
from capture.base import PhotoName
from capture.durable import taken_stems

# How many per-student counters the namer remembers: a long day stays flat (the folder listing
# keeps names unique anyway; the counter only starts the search where the student left off).
NAMER_MEMORY = 500
# The second file of a RAW+JPEG pair (another extension this soon) shares the first one's stem.
PAIR_WINDOW_S = 5.0


def safe_key(text: str) -> str:
    """A roster value as it may appear in a file name."""
    return re.sub(r"[^0-9A-Za-z_-]", "", text or "")[:40]


class ShotNamer:
    def __init__(self, capture_folder: Path, station_number: int):
        self.capture_folder = Path(capture_folder)
        self.station_number = station_number
        self._lock = threading.Lock()
        self._counters: dict[int | None, int] = {}
        self._last: tuple[str, set[str], float, ShotIdentity] | None = None  # stem, extensions, when, whose

    def name(self, ext: str, who: ShotIdentity) -> PhotoName:
        ext = ext if ext.startswith(".") else "." + ext
        ext = ext.lower()
        folder = self.capture_folder / datetime.now().strftime("%Y-%m-%d")
        with self._lock:
            last = self._last
            if last and ext not in last[1] and time.monotonic() - last[2] < PAIR_WINDOW_S \
                    and last[3].student_id == who.student_id:
                last[1].add(ext)
                return PhotoName(folder / (last[0] + ext), last[3])
            n = self._counters.get(who.student_id, 0)
        key = who.file_key if who.student_id is not None else "unassigned_" + datetime.now().strftime("%H%M%S")
        folder.mkdir(parents=True, exist_ok=True)
        taken = taken_stems(folder)  # interrupted writes' names too: recovery finishes them under theirs
        with self._lock:
            n = max(n, self._counters.get(who.student_id, 0))
            while True:
                n += 1
                stem = f"S{self.station_number:02d}_{key}_{n:02d}"
                if stem not in taken:
                    break
            remember(self._counters, who.student_id, n)
            self._last = (stem, {ext}, time.monotonic(), who)
        return PhotoName(folder / (stem + ext), who)

    def seen(self, student_id: int, shots: int) -> None:
        """A student came to the camera with ``shots`` photos already: their next file number follows."""
        with self._lock:
            remember(self._counters, student_id, shots)


def remember(d: dict, key, value) -> None:
    """``d[key] = value`` as the newest entry, forgetting the oldest beyond NAMER_MEMORY."""
    d.pop(key, None)
    d[key] = value
    while len(d) > NAMER_MEMORY:
        del d[next(iter(d))]
