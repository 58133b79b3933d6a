"""The one interface every camera backend offers to the rest of the station.

A backend owns its device on one worker thread and reports everything through
``on_event`` (called from that thread; the window re-emits it as a Qt signal,
the command line puts it on a queue). It never decides what a photo is called:
the caller's ``namer`` gives the final path for each arriving file, because
only the workflow knows which student is in front of the camera.
"""

from __future__ import annotations

import abc
import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

EventKind = Literal["status", "photo", "error", "preview"]


@dataclass(frozen=True)
class SavedPhoto:
    """A photo that is durable on the station's disk (fsync'd, verified, renamed)."""

    path: Path  # the final JPEG
    sha256: str
    bytes: int
    ms: float  # from the trigger (or the camera's event) to the durable file
    taken_at: datetime
    source: str  # "app" | "button" | "folder" | "webcam"
    camera_name: str | None = None  # the camera's own file name, for the log only
    companions: tuple[Path, ...] = ()  # e.g. the RAW file of a RAW+JPEG shot
    width: int | None = None  # of the JPEG, read from its header while verifying
    height: int | None = None
    # where the time went (capture_ms, download_ms, save_ms, ...), for benchmarks and the log
    timings: Mapping[str, float] | None = field(default=None, compare=False)
    # whose photo this is, as the namer said when it named the file (opaque here: the caller's
    # shot identity, handed back untouched; None when the namer gave a bare path)
    identity: Any = field(default=None, compare=False)
    # the image the strict JPEG check decoded, at the reduced scale the checks use (the backend's
    # ``decoder``'s answer, opaque here); None without a decoder or when it could not make one
    decoded: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PhotoName:
    """A namer's full answer: where the next file goes and whose it is (``identity``, opaque to capture)."""

    path: Path
    identity: Any = None


def resolve_name(answer: Path | str | PhotoName) -> PhotoName:
    """A namer may answer with a bare path (tests, ``station camera``) or a :class:`PhotoName`."""
    if isinstance(answer, PhotoName):
        return PhotoName(Path(answer.path), answer.identity)
    return PhotoName(Path(answer))


@dataclass(frozen=True)
class CameraStatus:
    connected: bool
    backend: str
    model: str | None = None
    port: str | None = None
    battery: str | None = None  # as the camera reports it, e.g. "75%"
    free_mb: float | None = None  # free space on the card, where reported
    live_view: bool = False  # capture_preview works on this camera
    busy: bool = False  # a capture or download is under way
    message: str | None = None  # plain words for the operator (Chinese first)
    capture_target: str | None = None  # "card" / "memory" as the camera reports it, where it has one
    pending: int = 0  # files still on the camera that could not be saved yet (retried automatically)


@dataclass(frozen=True)
class CameraEvent:
    kind: EventKind
    status: CameraStatus | None = None
    photo: SavedPhoto | None = None
    error: str | None = None  # plain words for the operator
    code: str | None = None  # machine-readable: "usb_claimed", "disconnected", "disk_full", ...
    preview_jpeg: bytes | None = None
    at: datetime = field(default_factory=datetime.now)


Namer = Callable[[str], "Path | PhotoName"]  # extension (".jpg", ".nef", ...) -> final path of the next file
EventSink = Callable[[CameraEvent], None]
# bytes of a JPEG -> the image at the checks' reduced scale; raises on damaged data. Given by the
# caller (the workflow passes the checks' decoder), run as the strict check itself: one decode per photo.
Decoder = Callable[[memoryview], Any]


class CaptureBusy(RuntimeError):
    """A trigger arrived before the previous shot was safely on disk."""


class CaptureError(RuntimeError):
    """A capture failed; the message is in plain words for the operator."""

    def __init__(self, message: str, code: str = "error"):
        super().__init__(message)
        self.code = code


class CameraBackend(abc.ABC):
    """What every backend offers (gphoto2, folder, webcam); see capture/factory.py.

    ``start()`` returns at once: the backend connects, reconnects and reports
    on its own thread. ``trigger()`` is an app-triggered shot; it raises
    :class:`CaptureBusy` while the previous shot is still being saved and
    :class:`CaptureError` when no shot can be taken now (no camera, disk low).
    Camera-button shots and hot-folder files arrive as ``photo`` events
    without a trigger.
    """

    name: str = "?"

    def __init__(self, namer: Namer, on_event: EventSink):
        self.namer = namer
        self.on_event = on_event
        self.decoder: Decoder | None = None  # set by make_backend(decoder=...)
        self._status = CameraStatus(connected=False, backend=self.name)
        self._status_lock = threading.Lock()
        self._connected = threading.Event()
        self._stop = threading.Event()  # set by stop(): the backend's thread winds down
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> CameraStatus:
        with self._status_lock:
            return self._status

    thread_name = "camera"
    join_timeout = 10.0  # seconds stop() waits for the thread

    def start(self) -> None:
        """Start the backend's own thread (``_run``); a second call does nothing."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=self.join_timeout)
            if self._thread.is_alive():
                logging.getLogger(type(self).__module__).error(
                    "the %s thread did not stop within %.0f s", self.thread_name, self.join_timeout)
            self._thread = None

    @abc.abstractmethod
    def _run(self) -> None:
        """The backend's thread: connect, watch, report, until ``_stop`` is set."""

    def _wake(self) -> None:
        """Wake a thread that waits on something other than ``_stop`` (a command queue)."""

    @abc.abstractmethod
    def trigger(self) -> None: ...

    def set_live_view(self, on: bool) -> None:
        """Backends without live view ignore this; ``status.live_view`` stays False."""

    # --- for the backends: every event leaves through these ---------------------

    def emit(self, event: CameraEvent) -> None:
        """Hand an event to the sink; a failing sink is logged, never kills the camera thread."""
        try:
            self.on_event(event)
        except Exception:
            logging.getLogger(type(self).__module__).exception(
                "the camera event handler failed on a %s event", event.kind
            )

    def report(self, code: str, message: str, detail: str | None = None) -> None:
        """An error event for the operator, and the log line with the technical detail."""
        logging.getLogger(type(self).__module__).error(
            "%s [%s] %s%s", self.name, code, message, f" ({detail})" if detail else ""
        )
        self.emit(CameraEvent(kind="error", error=message, code=code))

    def _set_status(self, **changes: Any) -> None:
        """Change the status; an actual change is sent as a ``status`` event."""
        with self._status_lock:
            new = replace(self._status, **changes)
            if new == self._status:
                return
            self._status = new
        (self._connected.set if new.connected else self._connected.clear)()
        self.emit(CameraEvent(kind="status", status=new))

    def wait_connected(self, timeout: float) -> bool:
        """Block until the device is connected (for the command line and tests)."""
        return self._connected.wait(timeout)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
