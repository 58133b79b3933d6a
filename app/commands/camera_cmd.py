"""`station camera list|shoot|recover`: the camera from the command line.

The handlers live in ``app`` (they read the settings and the database and raise
``StationError``); the camera layer they drive (``capture/``) imports nothing
from ``app``. Only the standard library is imported here; gphoto2, OpenCV and
Pillow load inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("camera", help="相机：列出、拍摄、恢复 / camera list, shoot, recover")
    csub = p.add_subparsers(dest="camera_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    lp = csub.add_parser("list", help="列出 libgphoto2 找到的相机 / cameras libgphoto2 sees")
    lp.set_defaults(func=run_list)

    sp = csub.add_parser("shoot", help="无界面拍摄 N 张并输出 JSON / shoot N photos headless, one JSON line each")
    sp.add_argument("--out", required=True, type=Path, help="照片文件夹 / folder for the photos")
    sp.add_argument("--count", type=int, default=1, help="张数 / how many photos (default 1)")
    sp.add_argument("--backend", choices=["gphoto2", "folder", "webcam"], help="default: setting capture.backend")
    sp.add_argument("--station", type=int, help="机位号，用于文件名 / station number for file names (default: setting)")
    sp.add_argument("--hot-folder", type=Path, help="folder backend: the folder the maker's software writes into")
    sp.add_argument("--device", help="webcam backend: camera index, video file or image sequence")
    sp.add_argument("--target", choices=["card", "memory"], help="gphoto2: capture target (default: setting)")
    sp.add_argument("--min-free-mb", type=float, help="refuse to shoot below this free space (default: setting)")
    sp.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the camera / each photo")
    sp.set_defaults(func=run_shoot)

    rp = csub.add_parser(
        "recover", help="核对照片文件夹与数据库 / reconcile the capture folder with the database"
    )
    rp.add_argument("--folder", type=Path, help="照片文件夹 (default: setting capture.folder)")
    rp.add_argument("--record", action="store_true", help="把未登记的照片记为待分配 / record unknown files as unassigned shots")
    rp.add_argument("--quick", action="store_true", help="只比较大小，不重算 sha256 / compare sizes only")
    rp.add_argument("--json", action="store_true", help="machine-readable output")
    rp.set_defaults(func=run_recover)


def run_list(args: argparse.Namespace) -> int:
    from app.i18n import t
    from capture.gp_calls import GpCalls

    cams = GpCalls().autodetect()
    for model, port in cams:
        print(f"{model}\t{port}")
    if not cams:
        print(t("未发现相机", "no camera found"), file=sys.stderr)
    return 0


def _settings(args: argparse.Namespace) -> dict:
    from app import settings
    from app.cli import open_db

    db = open_db(args)
    try:
        with db.session() as s:
            return settings.all_settings(s)
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
    import queue

    from app.errors import StationError
    from app.i18n import t
    from capture.base import CaptureBusy, CaptureError
    from capture.factory import make_backend

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
    from app import settings as st
    from app.cli import open_db
    from app.i18n import t
    from app.recovery import record_unknown, scan_capture_folder

    db = open_db(args)
    try:
        with db.session() as s:
            folder = args.folder or Path(st.get(s, "capture.folder"))
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
