"""`station calibrate backdrop`: measure the empty backdrop once at set-up (issue 12, item 4)."""

from __future__ import annotations

import argparse
import json


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
    b.set_defaults(func=run_backdrop)


def _shoot_one(args: argparse.Namespace) -> str:
    """One photo from the station's camera into <capture folder>/calibration, through `camera shoot`."""
    import contextlib
    import io
    from pathlib import Path

    from app import settings
    from app.cli import open_db
    from app.commands.camera_run import run_shoot

    db = open_db(args)
    try:
        with db.session() as s:
            folder = Path(str(settings.get(s, "capture.folder"))).expanduser()
    finally:
        db.dispose()
    ns = argparse.Namespace(**vars(args))
    for k, v in dict(out=folder / "calibration", count=1, station=None, hot_folder=None, device=None, target=None,
                     min_free_mb=None, backend=None).items():
        setattr(ns, k, v)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run_shoot(ns)
    line = [x for x in buf.getvalue().splitlines() if x.startswith("{")][-1]
    return json.loads(line)["path"]


def run_backdrop(args: argparse.Namespace) -> int:
    from app.calibration import calibrate, load_backdrop, store_backdrop
    from app.cli import open_db
    from app.errors import StationError
    from app.i18n import t
    from qc.backdrop import CalibrationError

    db = open_db(args)
    try:
        if args.clear:
            store_backdrop(db, None)
            print(t("已删除背景标定: 背景按检查标准的颜色判断", "calibration cleared: the backdrop is judged by the profile's colours"))
            return 0
        if args.show:
            cal = load_backdrop(db)
            if args.json:
                print(json.dumps(cal.to_dict() if cal else {}, ensure_ascii=False))
            else:
                print(cal.summary() if cal else t("背景未标定", "the backdrop is not calibrated"))
            return 0
        path = args.file or _shoot_one(args)
        try:
            cal = calibrate(db, path)
        except CalibrationError as exc:
            raise StationError(t(exc.zh, exc.en), exit_code=3) from None
        if args.json:
            print(json.dumps(cal.to_dict(), ensure_ascii=False))
        else:
            print(cal.summary())
            for w in cal.warnings:
                print(t("注意: ", "note: ") + w)
        return 0
    finally:
        db.dispose()
