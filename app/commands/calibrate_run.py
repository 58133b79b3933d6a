"""`station calibrate backdrop`: measure the empty backdrop once at set-up (issue 12, item 4; parser:
calibrate_cmd.py)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

from app import settings
from app.calibration import calibrate, load_backdrop, store_backdrop
from app.cli import open_db
from app.commands import camera_cmd
from app.errors import StationError
from app.i18n import t
from qc.backdrop import CalibrationError


def _camera_shoot():
    """The handler `station camera shoot` registers (found through its parser, wherever it lives)."""
    parser = argparse.ArgumentParser(add_help=False)
    camera_cmd.register(parser.add_subparsers())
    return parser.parse_args(["camera", "shoot", "--out", "."]).func


def _shoot_one(args: argparse.Namespace) -> str:
    """One photo from the station's camera into <capture folder>/calibration, through `camera shoot`."""
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
        _camera_shoot()(ns)
    line = [x for x in buf.getvalue().splitlines() if x.startswith("{")][-1]
    return json.loads(line)["path"]


def run_backdrop(args: argparse.Namespace) -> int:
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
