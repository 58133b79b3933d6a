"""`station calibrate backdrop`: the parser (standard library only); the handler is in calibrate_run.py."""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="标定 (背景) / calibrate the backdrop at set-up")
    csub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    b = csub.add_parser("backdrop", help="拍摄或读取空背景照片, 记录其颜色和均匀度 / measure the empty backdrop")
    b.add_argument("--from", dest="file", metavar="FILE",
                   help="空背景的照片 (不给则用相机拍一张) / a photo of the empty backdrop (default: shoot one)")
    b.add_argument("--show", action="store_true", help="显示当前标定 / show the stored calibration")
    b.add_argument("--clear", action="store_true", help="删除标定 / forget the calibration")
    b.add_argument("--json", action="store_true", help="JSON output")
    b.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the camera")
    b.set_defaults(func=handler("app.commands.calibrate_run:run_backdrop"))
