"""The one interface every camera backend offers to the rest of the station.

A backend owns its device on one worker thread and reports everything through
``on_event`` (called from that thread; the window re-emits it as a Qt signal,
the command line puts it on a queue). It never decides what a photo is called:
the caller's ``namer`` gives the final path for each arriving file, because
only the workflow knows which student is in front of the camera.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Literal

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


@dataclass(frozen=True)
class CameraEvent:
    kind: EventKind
    status: CameraStatus | None = None
    photo: SavedPhoto | None = None
    error: str | None = None  # plain words for the operator
    code: str | None = None  # machine-readable: "usb_claimed", "disconnected", "disk_full", ...
    preview_jpeg: bytes | None = None
    at: datetime = field(default_factory=datetime.now)


Namer = Callable[[str], Path]  # extension (".jpg", ".nef", ...) -> final path of the next file
EventSink = Callable[[CameraEvent], None]


class CaptureBusy(RuntimeError):
    """A trigger arrived before the previous shot was safely on disk."""


class CaptureError(RuntimeError):
    """A capture failed; the message is in plain words for the operator."""

    def __init__(self, message: str, code: str = "error"):
        super().__init__(message)
        self.code = code
