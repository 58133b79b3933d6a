"""The hot-folder backend: the camera maker's tethering program writes, the station imports.

EOS Utility, Nikon's tether tools or digiCamControl on another machine save
each shot into a folder. A file counts only when it is complete: its size and
modification time have not changed for ``stable_s`` and the JPEG decodes. It
is then copied durably under the station's own name (capture/durable.py), the
``photo`` event goes out, and the original moves into ``imported/`` inside
the hot folder, so a restart never imports it twice and nothing is deleted.
A RAW file with the same stem rides along as the JPEG's companion.

The folder is polled (not inotify): polling works the same on local disks,
network shares and USB drives, and a few stat calls every 200 ms cost nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from capture.base import CameraBackend, CameraEvent, CaptureError, EventSink, Namer, PhotoName, SavedPhoto, resolve_name
from capture.durable import CorruptImage, check_free_space, final_name_of_temp, is_jpeg_name, is_raw_name, verify_jpeg, warm_up, write_durable
from capture.i18n import t

log = logging.getLogger(__name__)

_SKIP_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial", "~")


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    first_seen: float
    stable_since: float
    bad_since: float | None = None
    reported: bool = False


class FolderWatch(CameraBackend):
    name = "folder"

    def __init__(
        self,
        namer: Namer,
        on_event: EventSink,
        *,
        hot_folder: Path | str,
        folder: Path | str | None = None,
        min_free_mb: float = 0.0,
        poll_s: float = 0.2,
        stable_s: float = 0.5,
        give_up_s: float = 30.0,
        imported_dir: str = "imported",
    ):
        super().__init__(namer, on_event)
        self.hot_folder = Path(hot_folder)
        self.folder = Path(folder) if folder else None
        self.min_free_mb = float(min_free_mb)
        self.poll_s, self.stable_s, self.give_up_s = poll_s, stable_s, give_up_s
        self.imported = self.hot_folder / imported_dir
        self._seen: dict[str, _Seen] = {}
        self._planned: dict[str, PhotoName] = {}  # stem -> final path (and whose), kept across a failed save
        self._done: set[str] = set()  # imported but could not be moved away (read-only share)
        self._last_error: str | None = None

    thread_name = "camera-folder"

    def trigger(self) -> None:
        raise CaptureError(
            t(
                "热文件夹模式由相机厂商的软件拍摄：请用相机快门或厂商软件拍摄，本机会自动导入。",
                "In hot-folder mode the maker's software shoots: use the camera's shutter or that software.",
            ),
            code="unsupported",
        )

    # --- internals -------------------------------------------------------

    def _run(self) -> None:
        try:
            warm_up()
            while not self._stop.is_set():
                if not self.hot_folder.is_dir():
                    if self._last_error != "no_folder":
                        self._last_error = "no_folder"
                        msg = t(f"热文件夹不存在或无法访问：{self.hot_folder}", f"hot folder missing: {self.hot_folder}")
                        self.report("no_folder", msg)
                        self._set_status(connected=False, message=msg)
                else:
                    if not self.status.connected:
                        self._last_error = None
                        self._set_status(
                            connected=True,
                            model=t("热文件夹", "hot folder"),
                            port=str(self.hot_folder),
                            message=t(f"正在监视热文件夹 {self.hot_folder}", f"watching {self.hot_folder}"),
                        )
                    self._scan()
                self._stop.wait(self.poll_s)
        except Exception as exc:
            log.exception("the hot-folder thread failed")
            self.report("internal", t(f"热文件夹线程出错: {exc}", f"hot-folder thread failed: {exc}"))
        finally:
            self._set_status(connected=False, busy=False)

    def _scan(self) -> None:
        now = time.monotonic()
        present: dict[str, Path] = {}
        try:
            entries = list(self.hot_folder.iterdir())
        except OSError as exc:
            self.report("no_folder", t(f"无法读取热文件夹：{exc}", f"cannot read the hot folder: {exc}"))
            return
        for p in entries:
            name = p.name
            if name.startswith(".") or name.lower().endswith(_SKIP_SUFFIXES) or final_name_of_temp(name):
                continue
            if not (is_jpeg_name(name) or is_raw_name(name)) or name in self._done:
                continue
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            if not p.is_file():
                continue
            present[name] = p
            seen = self._seen.get(name)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                first = seen.first_seen if seen else now
                self._seen[name] = _Seen(st.st_size, st.st_mtime_ns, first, now)
        for name in list(self._seen):
            if name not in present:
                del self._seen[name]
        by_stem: dict[str, list[str]] = {}
        for name in present:
            by_stem.setdefault(name.rsplit(".", 1)[0], []).append(name)
        for stem, names in sorted(by_stem.items(), key=lambda kv: min(self._seen[n].first_seen for n in kv[1])):
            if self._stop.is_set():
                return
            if all(now - self._seen[n].stable_since >= self.stable_s and self._seen[n].size > 0 for n in names):
                jpegs = [n for n in names if is_jpeg_name(n)]
                if not jpegs and now - min(self._seen[n].first_seen for n in names) < self.stable_s * 4:
                    continue  # the JPEG of a RAW+JPEG pair may still be on its way
                self._import(stem, [present[n] for n in sorted(names, key=lambda n: not is_jpeg_name(n))])

    def _import(self, stem: str, files: list[Path]) -> None:
        main = files[0]
        seen = self._seen[main.name]
        try:
            data = main.read_bytes()
        except OSError as exc:
            log.warning("cannot read %s yet: %s", main, str(exc))
            return
        if is_jpeg_name(main.name):
            try:
                verify_jpeg(data)
            except CorruptImage as exc:
                # A writer that pauses mid-file looks stable; wait, and say so only once.
                now = time.monotonic()
                seen.bad_since = seen.bad_since or now
                if now - seen.bad_since > self.give_up_s and not seen.reported:
                    seen.reported = True
                    self.report(
                        "corrupt",
                        t(f"热文件夹中的 {main.name} 不是完整的 JPEG：{exc}", f"{main.name} is not a complete JPEG: {exc}"),
                    )
                return
        if self.folder is not None:
            try:
                check_free_space(self.folder, self.min_free_mb)
            except CaptureError as exc:
                if self._last_error != exc.code:
                    self._last_error = exc.code
                    self.report(exc.code, str(exc))
                return
        self._set_status(busy=True)
        try:
            named = self._planned.get(stem)
            if named is None:
                named = self._planned[stem] = resolve_name(self.namer(main.suffix.lower()))
            final = named.path
            saved = []
            for f in files:
                target = final if f == main else final.with_suffix(f.suffix.lower())
                saved.append(write_durable(data if f == main else f.read_bytes(), target,
                                           decode=self.decoder if f == main else None))
        except CaptureError as exc:
            if self._last_error != exc.code:
                self._last_error = exc.code
                self.report(exc.code, f"{exc}" + t(f"（原文件仍在热文件夹：{main.name}）", f" (the file stays in the hot folder: {main.name})"))
            return
        except Exception as exc:
            log.exception("importing %s failed", main)
            self.report("save_failed", t(f"导入 {main.name} 失败：{exc}", f"importing {main.name} failed: {exc}"))
            return
        finally:
            self._set_status(busy=False)
        self._planned.pop(stem, None)
        self._last_error = None
        ms = (time.monotonic() - seen.first_seen) * 1000
        self._move_away(files)
        if not is_jpeg_name(main.name):
            self.report(
                "raw_only",
                t(f"热文件夹中只有 RAW（{saved[0].path.name}），已保存但无法检查。", f"RAW only ({saved[0].path.name}); saved, not checkable."),
            )
            return
        d = saved[0]
        self.emit(
            CameraEvent(
                kind="photo",
                photo=SavedPhoto(
                    path=d.path,
                    sha256=d.sha256,
                    bytes=d.bytes,
                    ms=round(ms, 1),
                    taken_at=datetime.fromtimestamp(seen.mtime_ns / 1e9),
                    source="folder",
                    camera_name=main.name,
                    companions=tuple(s.path for s in saved[1:]),
                    width=d.width,
                    height=d.height,
                    timings={"save_ms": d.write_ms, "verify_ms": d.verify_ms, "total_ms": ms},
                    identity=named.identity,
                    decoded=d.decoded,
                ),
            )
        )

    def _move_away(self, files: list[Path]) -> None:
        for f in files:
            self._seen.pop(f.name, None)
            try:
                self.imported.mkdir(exist_ok=True)
                dest = self.imported / f.name
                n = 2
                while dest.exists():
                    dest = self.imported / f"{f.stem}-{n}{f.suffix}"
                    n += 1
                f.rename(dest)
            except OSError as exc:
                log.warning("imported %s but could not move it to %s: %s", f, self.imported, str(exc))
                self._done.add(f.name)
