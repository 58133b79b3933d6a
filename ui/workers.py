"""Off the UI thread: the window's one worker pool, and the camera's events as a Qt signal.

Every database and file job of the windows (workflow calls, reports, the
delivery, decoding photos, the marshal's view) runs on one pool of worker
threads (:func:`worker_pool`). A :class:`Runner` is a lane on that pool: it
caps how many of its jobs run at once (``threads=1`` keeps them in the order
they were submitted), and its answers come back as queued signals to a QObject
that lives on the UI thread, so callbacks always run there: Qt signals only at
this edge. Each workflow or service call opens its own database session, so
every pool thread works with its own session.

Long jobs (checksums, reports, the delivery) run on the pool's niced threads
(``low_priority=True``): Linux's nice is per thread and cannot be raised back
without privilege, so those threads stay apart and keep their low priority.
"""

from __future__ import annotations

import collections
import itertools
import logging
import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader

from app.errors import as_station_error
from app.threads import lower_thread_priority

log = logging.getLogger(__name__)

POOL_THREADS = 8  # database and file work (mostly waiting on SQLite and the disk); more than the lanes of one window
LOW_PRIORITY_THREADS = 2  # the niced threads of long jobs
_pools: dict[bool, QThreadPool] = {}
_pools_lock = threading.Lock()


def worker_pool(low_priority: bool = False) -> QThreadPool:
    """The process's one pool of worker threads (created on first use, never at import)."""
    with _pools_lock:
        pool = _pools.get(low_priority)
        if pool is None:
            pool = _pools[low_priority] = QThreadPool()
            pool.setObjectName("station-workers-niced" if low_priority else "station-workers")
            pool.setMaxThreadCount(LOW_PRIORITY_THREADS if low_priority else POOL_THREADS)
        return pool


class _Relay(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)


def _emit(signal, key: int, value: object) -> None:
    try:
        signal.emit(key, value)
    except RuntimeError:  # the Runner's owner (a closed dialog) is gone: nobody waits for the answer
        pass


def _job(key: int, relay: _Relay, fn: Callable, args: tuple, kwargs: dict, setup: Callable | None,
         finished: Callable[[], None]) -> Callable:
    """The pool runs a plain callable: PySide6 wraps it in a QRunnable of its own that lets go of it after
    running. (A QRunnable subclass with autoDelete kept its Python side alive now and then, with its
    arguments: ~3% of the window's tasks, nearly half of them when answers are handled while the pool
    still works on a burst.)"""

    def run() -> None:
        try:
            try:
                if setup is not None:
                    setup()
                result = fn(*args, **kwargs)
            except BaseException as exc:  # every failure reaches the window as a message
                if not hasattr(exc, "message"):
                    log.error("worker %s failed:\n%s", getattr(fn, "__name__", fn), traceback.format_exc())
                    exc = as_station_error(exc, camera=False) or exc  # a full disk, a locked database: a sentence
                _emit(relay.failed, key, exc)
            else:
                _emit(relay.done, key, result)
        finally:
            finished()

    return run


class Runner(QObject):
    """``submit(fn, *args, on_done=..., on_error=...)``: run fn on the worker pool, call back on the UI thread.

    ``threads``: at most that many of this runner's jobs at once (1: one after the other, in order).
    """

    def __init__(self, parent: QObject | None = None, threads: int = 3, *, low_priority: bool = False):
        super().__init__(parent)
        # Long jobs (exports, checksums) run niced so the shot in front of the camera comes first.
        self._setup = lower_thread_priority if low_priority else None
        self.pool = worker_pool(low_priority)
        self.threads = max(1, threads)
        self._relay = _Relay()  # created here: it lives on the UI thread
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._keys = itertools.count(1)
        self._lane = threading.Condition()
        self._queued: collections.deque = collections.deque()
        self._running = 0

    def submit(self, fn: Callable, *args: Any, on_done: Callable | None = None,
               on_error: Callable | None = None, **kwargs: Any) -> int:
        key = next(self._keys)
        self._callbacks[key] = (on_done, on_error)
        job = _job(key, self._relay, fn, args, kwargs, self._setup, self._finished)
        with self._lane:
            if self._running >= self.threads:
                self._queued.append(job)
                return key
            self._running += 1
        self.pool.start(job)
        return key

    def _finished(self) -> None:
        """A job of this lane ended (on its worker thread): start the next one waiting, if any."""
        with self._lane:
            if self._queued:
                nxt = self._queued.popleft()
            else:
                nxt = None
                self._running -= 1
                self._lane.notify_all()
        if nxt is not None:
            self.pool.start(nxt)

    @property
    def busy(self) -> int:
        return len(self._callbacks)

    def wait(self, ms: int = 5000) -> bool:
        """Wait until this runner's jobs (not the whole pool's) have run; False on timeout."""
        deadline = time.monotonic() + ms / 1000
        with self._lane:
            while self._running or self._queued:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lane.wait(left)
        return True

    @Slot(int, object)
    def _on_done(self, key: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(key, (None, None))
        if on_done is not None:
            on_done(result)

    @Slot(int, object)
    def _on_failed(self, key: int, exc: object) -> None:
        _, on_error = self._callbacks.pop(key, (None, None))
        if on_error is not None:
            on_error(exc)
        else:
            log.error("unhandled worker error: %s", exc)


class Progress(QObject):
    """A progress callback a worker calls; the window hears it as a queued signal, at most every ``every_s``.

    ``Progress()(done, total)`` or ``(stage, done, total)``: whatever the job
    reports is passed on as a tuple. The last call (done == total) always gets through.
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None, every_s: float = 0.1):
        super().__init__(parent)
        self.every_s = every_s
        self._last = 0.0

    def __call__(self, *values) -> None:
        now = time.monotonic()
        final = len(values) >= 2 and values[-1] and values[-2] == values[-1]
        if final or now - self._last >= self.every_s:
            self._last = now
            self.changed.emit(tuple(values))


class CameraBridge(QObject):
    """The backend's ``on_event`` sink: called on the camera thread, re-emitted as a queued signal.

    Live-view frames are decoded here, on the camera thread, so the UI
    thread only paints them.
    """

    event = Signal(object)
    preview = Signal(QImage)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.preview_size: tuple[int, int] | None = None  # frames are scaled to this on the camera thread

    def sink(self, ev: Any) -> None:
        if getattr(ev, "kind", None) == "preview":
            if ev.preview_jpeg:
                img = QImage.fromData(ev.preview_jpeg)
                if not img.isNull():
                    if self.preview_size and (img.width() > self.preview_size[0] or img.height() > self.preview_size[1]):
                        img = img.scaled(*self.preview_size, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.FastTransformation)
                    self.preview.emit(img)
            return
        self.event.emit(ev)


def load_scaled(path: str, width: int, height: int) -> QImage:
    """Decode a photo at (about) the size it is shown, EXIF orientation applied (in a worker)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and width > 0 and height > 0:
        # The scaled size applies before the EXIF rotation: fit the longer side either way round.
        scale = min(1.0, max(width, height) / max(size.width(), size.height()))
        if scale < 1.0:
            reader.setScaledSize(size * scale)
    img = reader.read()
    if img.isNull():
        raise OSError(reader.errorString())
    if img.width() > width or img.height() > height:
        img = img.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return img
