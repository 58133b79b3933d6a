"""The start-up check in the window: the capture folder against the records, then every checksum.

A station killed between saving a photo and recording it leaves a file the
database does not know. The check runs in two passes so the camera is not
kept waiting for a day's worth of checksums: :meth:`StartupCheck.recover`
(before the camera opens: the folder is compared with the records by name and
size, unknown photos are hashed and recorded, belonging to no student until
the photographer gives them one, see :mod:`app.waiting_photos`; moved files
are followed) and :meth:`StartupCheck.verify_files` (after: every recorded
file's sha256 against the one recorded when it was taken). The folder
comparison itself is :mod:`app.recovery`'s (also ``station camera recover``).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Shot
from app.recovery import apply_moves, record_unknown, scan_capture_folder
from app.threads import lower_thread_priority
from app.workflow_read import student_labels
from app.workflow_types import FileProblem, RecoveryResult
from capture.atomic import sha256_file

_PROBLEM_ORDER = ("missing", "changed", "moved", "incomplete", "raw_only")


class StartupCheck:
    """``waiting_count(session)``: how many photos wait for a student (shown with the result)."""

    def __init__(self, db: Database, capture_folder: Path, *, station_id: int, session_id: int,
                 waiting_count: Callable[[Session], int]):
        self.db = db
        self.capture_folder = capture_folder
        self.station_id = station_id
        self.session_id = session_id
        self._waiting_count = waiting_count
        self._lock = threading.Lock()
        self._problems: tuple[FileProblem, ...] = ()

    def recover(self, *, verify_hashes: bool = False) -> RecoveryResult:
        """Reconcile the capture folder with the database: record unknown photos, follow moved files.

        Call before the camera starts (a photo being saved must not be taken
        for an unknown one). ``verify_hashes=False`` compares sizes only; the
        checksums follow in :meth:`verify_files`.
        """
        t0 = time.perf_counter()
        with self.db.session() as s:
            rep = scan_capture_folder(s, self.capture_folder, verify_hashes=verify_hashes)
            recorded = record_unknown(s, rep.unknown, session_id=self.session_id)
            moved = apply_moves(s, rep.moved)
            s.commit()
            labels = student_labels(s, [p.shot_id for p in rep.missing + rep.changed + rep.moved])
            problems = [FileProblem(p.problem, p.path, p.shot_id, labels.get(p.shot_id, ""), p.new_path)
                        for p in rep.missing + rep.changed + rep.moved]
            problems += [FileProblem("incomplete", str(p)) for p in rep.incomplete]
            problems += [FileProblem("raw_only", str(p)) for p in rep.unknown_raw]
            waiting = self._waiting_count(s)
        with self._lock:
            self._problems = _sorted(problems)
            all_problems = self._problems
        return RecoveryResult(
            folder=str(self.capture_folder), recorded=len(recorded), moved=moved, finished=len(rep.finished),
            waiting=waiting, problems=all_problems, verified=verify_hashes,
            ms=round((time.perf_counter() - t0) * 1000, 1),
        )

    def verify_files(self, workers: int = 2, *, stop: threading.Event | None = None) -> RecoveryResult:
        """Every file this station recorded, checked against its sha256 (a worker's job: it reads them all).

        ``stop`` set (the window closing) ends it early; files not read are not judged.
        """
        t0 = time.perf_counter()
        with self.db.session() as s:
            rows = s.execute(
                select(Shot.id, Shot.path, Shot.sha256).where(Shot.station_id == self.station_id)
            ).all()
        present = [(sid, path, sha) for sid, path, sha in rows if os.path.isfile(path)]

        def digest(path: str) -> str | None:
            if stop is not None and stop.is_set():
                return None
            try:
                return sha256_file(Path(path))
            except OSError:
                return None

        # hashlib releases the GIL; the threads run niced so the window and the checks come first.
        with ThreadPoolExecutor(max_workers=max(1, workers), initializer=lower_thread_priority) as pool:
            actual = list(pool.map(digest, [p for _i, p, _s in present]))
        bad = [(sid, path) for (sid, path, sha), got in zip(present, actual) if got is not None and got != sha]
        with self.db.session() as s:
            labels = student_labels(s, [sid for sid, _p in bad])
            waiting = self._waiting_count(s)
        changed = [FileProblem("changed", path, sid, labels.get(sid, "")) for sid, path in bad]
        with self._lock:
            # The size comparison's "changed" give way to the checksums' verdict.
            self._problems = _sorted([p for p in self._problems if p.problem != "changed"] + changed)
            problems = self._problems
        return RecoveryResult(folder=str(self.capture_folder), waiting=waiting, problems=problems, verified=True,
                              ms=round((time.perf_counter() - t0) * 1000, 1))

    def file_problems(self) -> tuple[FileProblem, ...]:
        with self._lock:
            return self._problems


def _sorted(problems: list[FileProblem]) -> tuple[FileProblem, ...]:
    return tuple(sorted(problems, key=lambda p: (_PROBLEM_ORDER.index(p.problem)
                                                 if p.problem in _PROBLEM_ORDER else 99, p.path)))
