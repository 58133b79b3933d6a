"""`station camera list|shoot|recover`: the handlers (the parser is camera_cmd.py).

They read the settings and the database and raise ``StationError``; the camera
layer they drive (``capture/``) imports nothing from ``app``.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import sys
import threading
import time
from pathlib import Path

from app import settings as station_settings
from app.cli import open_db
from app.errors import StationError
from app.i18n import t
from app.recovery import record_unknown, scan_capture_folder
from capture.base import CaptureBusy, CaptureError
from capture.factory import make_backend


def run_list(args: argparse.Namespace) -> int:
    from capture.gp_calls import GpCalls  # lazy: gphoto2's start-up cost, only for `station camera list`

    cams = GpCalls().autodetect()
    for model, port in cams:
        print(f"{model}\t{port}")
    if not cams:
        print(t("未发现相机", "no camera found"), file=sys.stderr)
    return 0


def _settings(args: argparse.Namespace) -> dict:
    db = open_db(args)
    try:
        with db.session() as s:
            return station_settings.all_settings(s)
    finally:
        db.dispose()


class CounterNamer:
    """``<station>-<counter>.jpg`` in a folder, continuing after the highest number already there."""

    def __init__(self, folder: Path, station: int):
        self.folder = Path(folder)
        self.prefix = f"{int(station):02d}-"
        pat = re.compile(re.escape(self.prefix) + r"(\d+)")
        taken = [int(m.group(1)) for p in self.folder.glob(self.prefix + "*") if (m := pat.match(p.name))]
        self.counter = max(taken, default=0)
        self._lock = threading.Lock()

    def __call__(self, ext: str) -> Path:
        with self._lock:
            self.counter += 1
            return self.folder / f"{self.prefix}{self.counter:04d}{ext.lower()}"


def run_shoot(args: argparse.Namespace) -> int:
    settings = _settings(args)
    out: Path = args.out.absolute()
    out.mkdir(parents=True, exist_ok=True)
    station = args.station if args.station is not None else int(settings.get("station.number", 1))
    options = {"folder": out}
    if args.hot_folder:
        options["hot_folder"] = args.hot_folder
    if args.device is not None:
        options["device"] = args.device
    if args.target:
        options["target"] = args.target
    if args.min_free_mb is not None:
        options["min_free_mb"] = args.min_free_mb
    if args.backend:
        options["backend"] = args.backend
    events: queue.Queue = queue.Queue()
    try:
        cam = make_backend(settings, namer=CounterNamer(out, station), on_event=events.put, **options)
    except ValueError as exc:
        raise StationError(str(exc), exit_code=2) from None

    fatal_on_connect = {"no_camera", "usb_claimed", "connect_failed", "no_folder"}
    saved = 0
    cam.start()
    try:
        deadline = time.monotonic() + args.timeout
        while not cam.status.connected:
            try:
                ev = events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise StationError(t("未找到相机（等待超时）", "no camera found (timed out)"), exit_code=4) from None
            if ev.kind == "error" and ev.code in fatal_on_connect:
                raise StationError(ev.error or "camera error", exit_code=4)
        while saved < args.count:
            if cam.name != "folder":
                try:
                    cam.trigger()
                except CaptureBusy:
                    time.sleep(0.01)
                    continue
                except CaptureError as exc:
                    raise StationError(str(exc), exit_code=5 if exc.code in ("disk_low", "disk_full") else 4) from None
            deadline = time.monotonic() + args.timeout
            while True:
                try:
                    ev = events.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty:
                    raise StationError(
                        t(f"等待照片超时（已保存 {saved} 张）", f"timed out waiting for a photo ({saved} saved)"), exit_code=4
                    ) from None
                if ev.kind == "photo":
                    ph = ev.photo
                    print(json.dumps({"path": str(ph.path), "sha256": ph.sha256, "bytes": ph.bytes, "ms": ph.ms}), flush=True)
                    saved += 1
                    break
                if ev.kind == "error":
                    print(ev.error, file=sys.stderr)
                    if ev.code in ("disk_full", "disk_low"):
                        raise StationError(ev.error or "disk full", exit_code=5)
                    if cam.name != "folder" and ev.code not in ("target",):
                        raise StationError(ev.error or "camera error", exit_code=4)
        # the photo event precedes the clean-up on the camera (deleting from its memory): let it finish
        end = time.monotonic() + 5
        while cam.status.busy and time.monotonic() < end:
            time.sleep(0.01)
    finally:
        cam.stop()
    return 0


def run_recover(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.session() as s:
            folder = args.folder or Path(station_settings.get(s, "capture.folder"))
            report = scan_capture_folder(s, folder, verify_hashes=not args.quick)
            recorded = []
            if args.record and report.unknown:
                recorded = record_unknown(s, report.unknown)
                s.commit()
        if args.json:
            print(json.dumps(report.as_dict() | {"recorded": len(recorded)}, ensure_ascii=False, indent=1))
        else:
            for line in report.lines():
                print(line)
            if recorded:
                print(t(f"已登记 {len(recorded)} 张待分配照片", f"recorded {len(recorded)} unassigned photos"))
    finally:
        db.dispose()
    return 0 if report.clean else 1
