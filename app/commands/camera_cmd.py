"""`station camera list|shoot|recover`: the parser (standard library only); the handlers are in camera_run.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("camera", help="相机：列出、拍摄、恢复 / camera list, shoot, recover")
    csub = p.add_subparsers(dest="camera_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    lp = csub.add_parser("list", help="列出 libgphoto2 找到的相机 / cameras libgphoto2 sees")
    lp.set_defaults(func=handler("app.commands.camera_run:run_list"))

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
    sp.set_defaults(func=handler("app.commands.camera_run:run_shoot"))

    rp = csub.add_parser(
        "recover", help="核对照片文件夹与数据库 / reconcile the capture folder with the database"
    )
    rp.add_argument("--folder", type=Path, help="照片文件夹 (default: setting capture.folder)")
    rp.add_argument("--record", action="store_true", help="把未登记的照片记为待分配 / record unknown files as unassigned shots")
    rp.add_argument("--quick", action="store_true", help="只比较大小，不重算 sha256 / compare sizes only")
    rp.add_argument("--json", action="store_true", help="machine-readable output")
    rp.set_defaults(func=handler("app.commands.camera_run:run_recover"))
