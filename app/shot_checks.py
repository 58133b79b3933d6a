"""The photo checks of one station: the checker, on the one thread that may use it.

The checker (mediapipe graphs, OpenCV kernels) is not thread-safe, so it is
built, warmed and always used on one thread of its own, started lazily by the
first job. A check is a job on that thread: it takes the image the capture
layer already decoded (``SavedPhoto.decoded``, made by :meth:`ShotChecks.decode`
while the file was being saved, so the photo is entropy-decoded once), runs
the checks, stores the verdict through the caller's ``record`` and resolves a
:class:`~concurrent.futures.Future`. Nobody waits for it on another thread: the
window turns the future into a signal, the command line waits on it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from app.calibration import prepare_checker
from app.threads import lower_thread_priority
from app.workflow_types import ShotInfo, qc_to_json
from qc.decode import decode_jpeg_strict

log = logging.getLogger(__name__)

# How much lower the photo checks run than the window and the camera threads.
QC_NICE = 5
# The reduced decode's long side before a checker (and its profile) is loaded: the default profile's.
DEFAULT_DECODE_LONG_SIDE = 1200

Record = Callable[[str | None, str | None, float | None], ShotInfo]  # (verdict, qc_json, ms) -> the stored shot


class NoChecks(LookupError):
    """The station runs without checks: the capture layer's own strict check is enough."""


class ShotChecks:
    def __init__(self, db: Any):
        self.db = db
        self.checker: Any = None  # qc.checker.Checker once loaded (tests may set one)
        self.error: str | None = None
        self.loading = False
        self.ready = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False
        self._lock = threading.Lock()  # a load and the checks queue behind it in order

    # --- the one thread -----------------------------------------------------------

    def _thread(self) -> ThreadPoolExecutor:
        with self._lock:
            return self._thread_locked()

    def _thread_locked(self) -> ThreadPoolExecutor:
        if self._closed:
            raise RuntimeError("the photo checks are closed")
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qc", initializer=_lower_priority)
        return self._pool

    def call(self, fn: Callable, *args: Any) -> Future:
        """Any call that uses the checker, on its thread (a calibration, a test)."""
        return self._thread().submit(fn, *args)

    def close(self) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # --- loading --------------------------------------------------------------------

    def load(self, profile: str | None) -> Any:
        """Build the checker for ``profile`` (None: the default), the calibrated backdrop, a warm-up.

        Blocks the caller (a worker) until loaded; checks asked for meanwhile queue behind it.
        """
        with self._lock:
            self.loading = True
            self.ready.clear()
            job = self._thread_locked().submit(self._load, profile)
        return job.result()

    def _load(self, profile: str | None) -> Any:
        try:
            checker = _make_checker(profile)
            prepare_checker(self.db, checker)  # the calibrated backdrop, then a warm-up (issue 12)
            self.checker, self.error = checker, None
            return checker
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.loading = False
            self.ready.set()

    @property
    def on(self) -> bool:
        """A checker is loaded or loading: photos wait for their verdict."""
        return self.checker is not None or self.loading

    # --- the decode the capture layer runs as its strict check -------------------------

    def decode(self, data: memoryview) -> tuple[int, Any]:
        """The camera's decoder (``make_backend(decoder=...)``): (long side asked for, ``qc.decode.Decoded``).

        Runs on the capture layer's verify thread as its strict JPEG check. Without checks it
        declines (:class:`NoChecks`): the capture layer's own, cheaper grey check runs instead.
        """
        checker = self.checker
        if checker is None and not self.loading:
            raise NoChecks("no photo checks on this station")
        side = int(getattr(checker, "decode_long_side", DEFAULT_DECODE_LONG_SIDE))
        return side, decode_jpeg_strict(data, min_long_side=side)

    # --- a check ------------------------------------------------------------------------

    def check(self, path: str, decoded: Any, record: Record) -> Future:
        """Check a photo on the checks' thread and store its verdict with ``record``; the future gives
        ``record``'s answer. ``decoded``: :meth:`decode`'s answer, or None to read the file."""
        out: Future = Future()
        with self._lock:
            self._thread_locked().submit(self._check, path, decoded, record, out)
        return out

    def _check(self, path: str, decoded: Any, record: Record, out: Future) -> None:
        if self.checker is None and self.loading:
            # The load was asked for after this check: it is queued behind us, so go after it.
            try:
                with self._lock:
                    self._thread_locked().submit(self._check, path, decoded, record, out)
            except RuntimeError as exc:  # closed meanwhile
                out.set_exception(exc)
            return
        try:
            out.set_result(record(*self.verdict(path, decoded)))
        except BaseException as exc:  # the verdict could not be stored: the caller hears of it
            out.set_exception(exc)

    def verdict(self, path: str, decoded: Any) -> tuple[str | None, str | None, float | None]:
        """(verdict, qc_json, ms) for one photo; (None, None, None) without a checker. Call on the checks' thread."""
        checker = self.checker
        if checker is None:
            return None, None, None
        t0 = time.perf_counter()
        try:
            if decoded is not None and decoded[0] == getattr(checker, "decode_long_side", None):
                report = checker.check_decoded(decoded[1], path)
            else:  # no image from the camera layer (a recovered file, a lenient save): the file itself
                report = checker.check_path(path)
            return report.verdict, qc_to_json(report), report.ms
        except Exception as exc:  # a check that crashes must not lose the shot
            ms = (time.perf_counter() - t0) * 1000
            qc_json = json.dumps({"verdict": "error", "checks": {}, "reason": f"{type(exc).__name__}: {exc}"},
                                 ensure_ascii=False)
            return "error", qc_json, ms


def _lower_priority() -> None:
    lower_thread_priority(QC_NICE)  # the checks yield the CPU to the window and the camera


def _make_checker(profile: str | None) -> Any:
    from qc.checker import Checker  # lazy: mediapipe's start-up cost, paid on the checks' thread only

    return Checker(profile=None if profile in (None, "", "default") else profile)
