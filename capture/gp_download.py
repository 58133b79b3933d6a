"""From a file on the camera to a durable, named, verified photo on the station: ``Downloader``.

The camera thread hands over the files of one shot as a ``PhotoGroup`` (a
JPEG and its RAW companion share a stem). ``Downloader.save`` asks the
workflow's namer for the final path once, downloads each file, writes it
durably (capture/durable.py), sends the ``photo`` event and only then deletes
the files from the camera when they were shot to its memory. A group that
could not be saved (disk full, camera pulled mid-download, a namer that
failed) stays on the camera and in the pending list, and is retried with the
name it was given.

Every call on the camera goes through the host's ``camera_call`` (the
backend's classifier: "camera gone" errors come back as ``CameraGone``, which
is let through so the camera thread reconnects).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Protocol

from capture.base import CameraEvent, CaptureError, Decoder, Namer, SavedPhoto, resolve_name
from capture.durable import CorruptImage, DurableFile, check_free_space, is_jpeg_name, write_durable
from capture.gp_errors import (
    CameraGone,
    GpErrors,
    msg_download_failed,
    msg_download_lost,
    msg_jpeg_warning,
    msg_kept_on_camera,
    msg_raw_only,
    msg_save_failed,
)

log = logging.getLogger(__name__)

CameraFile = tuple[str, str]  # (camera folder, camera file name)


@dataclass
class PhotoGroup:
    """The files of one photo as the camera announced them: a JPEG and its RAW companion(s)."""

    files: list[CameraFile]  # JPEG first
    t0: float  # perf_counter at the trigger (or at the camera's event)
    taken_at: datetime
    source: str  # "app" | "button"
    final: Path | None = None  # the namer's answer, asked once so a retry keeps the student's name
    identity: Any = None  # and whose photo it is (the namer's, handed back on the SavedPhoto)
    saved: dict[CameraFile, DurableFile] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def main(self) -> CameraFile:
        return self.files[0]


def group_files(files: list[CameraFile]) -> list[list[CameraFile]]:
    """Files of one shot grouped by stem (DSC_0001.NEF + DSC_0001.JPG), JPEG first in each group."""
    groups: dict[str, list[CameraFile]] = {}
    for folder, name in files:
        groups.setdefault(name.rsplit(".", 1)[0].upper(), []).append((folder, name))
    out = []
    for members in groups.values():
        members.sort(key=lambda fn: (not is_jpeg_name(fn[1]), fn[1]))
        out.append(members)
    return out


class DownloadHost(Protocol):
    """What the downloader needs from the backend that owns the camera thread."""

    namer: Namer
    decoder: Decoder | None
    folder: Path | None
    delete_after_download: bool

    def camera_call(self, name: str, *args: Any) -> Any: ...

    def emit(self, event: CameraEvent) -> None: ...

    def report(self, code: str, message: str, detail: str | None = None) -> None: ...

    def set_pending(self, n: int) -> None: ...


class Downloader:
    """Saves the shots of one camera thread and remembers the ones it could not save yet."""

    RECENT_S = 2.0  # a late duplicate file-added event for a file just saved is not a new shot
    ATTEMPTS = 4  # downloads of one file before a damaged JPEG is given up on

    def __init__(self, host: DownloadHost, errors: GpErrors, *, sleep: Callable[[float], None] = time.sleep):
        self.host = host
        self.errors = errors
        self.pending: list[PhotoGroup] = []
        # Camera files handled in the last seconds. Cameras reuse names later (after a card is
        # cleared), so this memory is short.
        self._recent: dict[CameraFile, float] = {}
        self._sleep = sleep

    # --- one group -----------------------------------------------------------------

    def save(self, g: PhotoGroup) -> bool:
        """Download and store one photo's files; True when the photo event went out."""
        gp = self.errors.gp
        host = self.host
        folder, name = g.main
        try:
            if g.final is None:
                ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ".jpg"
                named = resolve_name(host.namer(ext))
                g.final, g.identity = named.path, named.identity
            for cam_file in g.files:
                if cam_file in g.saved:
                    continue
                path = g.final if cam_file == g.main else g.final.with_suffix("." + cam_file[1].rsplit(".", 1)[-1].lower())
                g.saved[cam_file] = self.download_to(g, cam_file, path)
        except CameraGone:
            self.keep_pending(g)
            raise
        except gp.GPhoto2Error as exc:
            if self.errors.is_lost_file(exc):
                self.drop_pending(g)
                host.report("download_lost", msg_download_lost(name), str(exc))
                return False
            self.keep_pending(g)
            host.report("download_failed", msg_download_failed(name, exc), str(exc))
            return False
        except CaptureError as exc:
            self.keep_pending(g)
            host.report(exc.code, f"{exc}{msg_kept_on_camera(name)}")
            return False
        except Exception as exc:  # the namer or the disk failed in a way we did not foresee: keep the photo
            log.exception("saving %s failed", name)
            self.keep_pending(g)
            host.report("save_failed", msg_save_failed(name, exc))
            return False
        self.drop_pending(g)
        main = g.saved[g.main]
        ms = (time.perf_counter() - g.t0) * 1000
        g.timings["total_ms"] = ms
        if not is_jpeg_name(main.path):
            host.report("raw_only", msg_raw_only(main.path.name))
            return False
        photo = SavedPhoto(
            path=main.path,
            sha256=main.sha256,
            bytes=main.bytes,
            ms=round(ms, 1),
            taken_at=g.taken_at,
            source=g.source,
            camera_name=name,
            companions=tuple(d.path for f, d in g.saved.items() if f != g.main),
            width=main.width,
            height=main.height,
            timings=dict(g.timings),
            identity=g.identity,
            decoded=main.decoded,
        )
        log.info("photo %s (%s, %d bytes) durable in %.1f ms", photo.path, name, photo.bytes, ms)
        host.emit(CameraEvent(kind="photo", photo=photo))
        self.remember(g.files)
        if host.delete_after_download:
            for f in g.files:
                try:
                    host.camera_call("file_delete", *f)
                except gp.GPhoto2Error as exc:
                    log.warning("could not delete %s/%s from the camera: %s", f[0], f[1], str(exc))
        return True

    def download_to(self, g: PhotoGroup, cam_file: CameraFile, path: Path) -> DurableFile:
        """One camera file to ``path``, durably; a transfer hiccup or a damaged download is retried."""
        gp = self.errors.gp
        damaged: list[str] = []  # sha256 of each download that failed the strict check
        for attempt in range(self.ATTEMPTS):
            td = time.perf_counter()
            try:
                download = self.host.camera_call("file_get", *cam_file)
            except gp.GPhoto2Error as exc:
                if self.errors.is_transient(exc) and attempt < 2:
                    log.warning("download of %s failed (%s); retrying", cam_file[1], str(exc))
                    self._sleep(0.2 * (attempt + 1))
                    continue
                raise
            ts = time.perf_counter()
            g.timings["download_ms"] = g.timings.get("download_ms", 0.0) + (ts - td) * 1000
            verify: bool | str | None = is_jpeg_name(cam_file[1]) or None
            if len(damaged) >= 2 and len(set(damaged)) == 1:
                # The same bytes, downloaded again and again: that is the camera's file as it is
                # (some firmware writes JPEGs libjpeg frowns at). Keep it if it decodes at all.
                verify = "lenient"
            try:
                decode = self.host.decoder if cam_file == g.main else None
                durable = write_durable(download.data, path, verify=verify, decode=decode)
            except CorruptImage as exc:
                if attempt < self.ATTEMPTS - 1:
                    log.warning("%s arrived damaged (%s); downloading again", cam_file[1], str(exc))
                    damaged.append(hashlib.sha256(download.data).hexdigest())
                    continue
                raise
            if verify == "lenient":
                self.host.report("jpeg_warning", msg_jpeg_warning(cam_file[1]))
            g.timings["save_ms"] = g.timings.get("save_ms", 0.0) + (time.perf_counter() - ts) * 1000
            g.timings["verify_ms"] = durable.verify_ms
            return durable
        raise AssertionError("unreachable")

    # --- what is still on the camera -------------------------------------------------

    def keep_pending(self, g: PhotoGroup) -> None:
        if g not in self.pending:
            self.pending.append(g)
        self.host.set_pending(len(self.pending))

    def drop_pending(self, g: PhotoGroup) -> None:
        if g in self.pending:
            self.pending.remove(g)
            self.host.set_pending(len(self.pending))

    def retry_pending(self) -> None:
        """Save the kept groups again, once the disk has room (a CameraGone still goes up)."""
        if not self.pending:
            return
        if self.host.folder is not None:
            try:
                check_free_space(self.host.folder, 0)
            except CaptureError:
                return
        for g in list(self.pending):
            log.info("retrying the download of %s", g.main[1])
            self.save(g)

    # --- duplicate events ---------------------------------------------------------------

    def remember(self, files: list[CameraFile]) -> None:
        now = time.monotonic()
        self._recent = {f: at for f, at in self._recent.items() if now - at < self.RECENT_S}
        self._recent.update((f, now) for f in files)

    def is_recent(self, cam_file: CameraFile) -> bool:
        at = self._recent.get(cam_file)
        return at is not None and time.monotonic() - at < self.RECENT_S
