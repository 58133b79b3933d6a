"""Off the UI thread: a thread pool for workflow calls, and the camera's events as a Qt signal.

Results come back as queued signals to a QObject that lives on the UI thread,
so callbacks always run there. Each workflow call opens its own database
session, so every pool thread works with its own session.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader

from app.threads import lower_thread_priority

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)


def _job(key: int, relay: _Relay, fn: Callable, args: tuple, kwargs: dict, setup: Callable | None) -> Callable:
    """The pool runs a plain callable: PySide6 wraps it in a QRunnable of its own that lets go of it after
    running. (A QRunnable subclass with autoDelete kept its Python side alive now and then, with its
    arguments: ~3% of the window's tasks, nearly half of them when answers are handled while the pool
    still works on a burst.)"""

    def run() -> None:
        try:
            if setup is not None:
                setup()
            result = fn(*args, **kwargs)
        except BaseException as exc:  # every failure reaches the window as a message
            if not hasattr(exc, "message"):
                log.error("worker %s failed:\n%s", getattr(fn, "__name__", fn), traceback.format_exc())
                from app.errors import as_station_error

                exc = as_station_error(exc, camera=False) or exc  # a full disk, a locked database: a sentence
            relay.failed.emit(key, exc)
        else:
            relay.done.emit(key, result)

    return run


class Runner(QObject):
    """``submit(fn, *args, on_done=..., on_error=...)``: run fn in the pool, call back on the UI thread."""

    def __init__(self, parent: QObject | None = None, threads: int = 3, *, low_priority: bool = False):
        super().__init__(parent)
        # Long jobs (exports, checksums) run niced so the shot in front of the camera comes first.
        self._setup = lower_thread_priority if low_priority else None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay()  # created here: it lives on the UI thread
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._keys = itertools.count(1)

    def submit(self, fn: Callable, *args: Any, on_done: Callable | None = None,
               on_error: Callable | None = None, **kwargs: Any) -> int:
        key = next(self._keys)
        self._callbacks[key] = (on_done, on_error)
        self.pool.start(_job(key, self._relay, fn, args, kwargs, self._setup))
        return key

    @property
    def busy(self) -> int:
        return len(self._callbacks)

    def wait(self, ms: int = 5000) -> bool:
        return self.pool.waitForDone(ms)

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
        import time

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

    def __init__(self, parent: QObject | None = None, hook: Callable[[Any], None] | None = None):
        super().__init__(parent)
        self.hook = hook  # called first, on the camera thread (the demo rotates its portraits here)
        self.preview_size: tuple[int, int] | None = None  # frames are scaled to this on the camera thread

    def sink(self, ev: Any) -> None:
        if self.hook is not None:
            try:
                self.hook(ev)
            except Exception:  # a hook must never cost an event
                log.exception("camera event hook failed")
        if getattr(ev, "kind", None) == "preview":
            if ev.preview_jpeg:
                img = QImage.fromData(ev.preview_jpeg)
                if not img.isNull():
                    if self.preview_size and (img.width() > self.preview_size[0] or img.height() > self.preview_size[1]):
                        from PySide6.QtCore import Qt

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
        from PySide6.QtCore import Qt

        img = img.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return img
