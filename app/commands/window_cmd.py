"""`station run` and `station demo`: the photographer's window.

`station` (or `station run`) opens the window on the station database.
`station demo` builds a demo work folder (database, demo roster, capture
folder, and a virtual camera serving real sample portraits through
libgphoto2), then opens the window; with no display it says so and drives
the window offscreen through 20 students. `station demo --auto N` drives the
real window through N students and prints one JSON line.

Only the standard library is imported here; Qt, gphoto2 and the checks load
inside the handlers (and VCAMERADIR must be set before gphoto2 is imported).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from pathlib import Path

NO_DISPLAY_AUTO = 20
PORTRAITS_VERSION = 3  # bump when demo_variants() draws them differently (they are cached)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="打开拍摄窗口 / open the photographer's window")
    p.add_argument("--capture-folder", metavar="DIR", help="照片保存文件夹 (default: the capture.folder setting)")
    p.add_argument("--backend", choices=("gphoto2", "folder", "webcam"), help="相机接口 (default: the setting)")
    p.set_defaults(func=run)

    d = sub.add_parser(
        "demo",
        help="演示: 示例名单 + 虚拟相机 / demo with a sample roster and the virtual camera",
        description="Opens the window on a demo database with a demo roster and libgphoto2's virtual "
        "camera serving real sample portraits. Without a display it runs --auto 20 offscreen.",
    )
    d.add_argument("--dir", default="demo", metavar="DIR", help="演示工作文件夹 (default: ./demo)")
    d.add_argument("--auto", type=int, metavar="N", help="自动拍摄 N 名学生并输出 JSON / drive N students, print JSON")
    d.add_argument("--students", type=int, metavar="N", help="示例名单人数 (default 120, or more for --auto)")
    d.add_argument("--screenshots", metavar="DIR", help="保存窗口截图 (with --auto)")
    d.add_argument("--fresh", action="store_true", help="重新开始 (删除演示数据库和照片)")
    d.set_defaults(func=demo)


def run(args: argparse.Namespace) -> int:
    from app.cli import open_db
    from ui.app import has_display

    if not has_display():
        from app.errors import StationError
        from app.i18n import t

        raise StationError(
            t("没有显示器 (未设置 DISPLAY 或 WAYLAND_DISPLAY): 无法打开窗口。试试 station demo。",
              "No display (DISPLAY / WAYLAND_DISPLAY unset): cannot open the window. Try: station demo"),
            exit_code=2,
        )
    db = open_db(args)
    from ui.app import run_window

    camera = args.backend if args.backend else None
    return run_window(db, capture_folder=args.capture_folder, camera=camera)


def demo(args: argparse.Namespace) -> int:
    from app.i18n import t
    from ui.app import has_display

    auto = args.auto
    if auto is None and not has_display():
        print(t(f"没有显示器 (未设置 DISPLAY 或 WAYLAND_DISPLAY): 改为在后台运行 --auto {NO_DISPLAY_AUTO}, "
                f"自动演示 {NO_DISPLAY_AUTO} 名学生的完整拍摄流程。",
                f"No display (DISPLAY / WAYLAND_DISPLAY unset): running the demo offscreen with "
                f"--auto {NO_DISPLAY_AUTO} instead."), file=sys.stderr)
        auto = NO_DISPLAY_AUTO
    if auto is not None and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if auto is not None and auto < 1:
        from app.errors import StationError

        raise StationError("--auto N: N must be at least 1", exit_code=2)

    work = Path(args.dir).expanduser().resolve()
    if work.exists() and not work.is_dir():
        from app.errors import StationError

        raise StationError(t(f"演示工作文件夹 {work} 是一个文件, 不是文件夹: 用 --dir 指定另一个文件夹",
                             f"The demo folder {work} is a file, not a folder: choose another with --dir"),
                           exit_code=2)
    # An automatic run starts from a clean database of its own, so it never
    # eats into (or is skewed by) the students of the interactive demo.
    if auto is not None:
        work = work / "auto"
    fresh = args.fresh or (auto is not None and not getattr(args, "db", None))
    n_students = args.students or max(120, (auto or 0) + (auto or 0) // 4 + 10)
    url = demo_db_url(work, getattr(args, "db", None))
    from app.cli import setup_logging

    if fresh:
        (work / "station.log").unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    setup_logging(argparse.Namespace(db=url, verbose=getattr(args, "verbose", False)))  # the log beside the demo's database
    db, captures, portraits = prepare_demo(work, n_students=n_students, fresh=fresh, url=url)
    from app.first_run import remember_demo_db, sqlite_file
    from ui.app import run_window

    remember_demo_db(url)
    where = sqlite_file(url) or url
    print(t(f"演示数据库: {where} (示例名单; 之后不带 --db 的 station marshal / station 会打开它, "
            f"直到本文件夹的 station.db 导入了名单)",
            f"Demo database: {where} (a sample roster; a later station marshal / station without --db "
            f"opens it until this folder's station.db has a roster)"), file=sys.stderr)
    print(t(*DEMO_PROFILE_NOTE), file=sys.stderr)

    return run_window(
        db,
        capture_folder=captures,
        camera="gphoto2",
        auto=auto,
        screenshots=args.screenshots,
        event_hook=portraits.on_event,
    )


def demo_db_url(work: Path, db_arg: str | None) -> str:
    """The demo's database: ``--db`` when given (a path or URL), else station.db in its work folder."""
    from app.db import resolve_url

    return resolve_url(db_arg) if db_arg else f"sqlite:///{work / 'station.db'}"


def prepare_demo(work: Path, *, n_students: int = 120, fresh: bool = False, url: str | None = None):
    """The demo work folder: database with the demo roster, capture folder, virtual camera's folder.

    Sets VCAMERADIR (before anything imports gphoto2), so the gphoto2
    backend finds libgphoto2's virtual camera serving the sample portraits.
    """
    if fresh and work.exists():
        for name in ("station.db", "station.db-wal", "station.db-shm"):
            (work / name).unlink(missing_ok=True)
        shutil.rmtree(work / "captures", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    captures = work / "captures"
    captures.mkdir(exist_ok=True)

    portraits = DemoPortraits(work)

    from app import settings
    from app.db import open_db
    from app.models import Student
    from sqlalchemy import func, select

    url = url or f"sqlite:///{work / 'station.db'}"
    db = open_db(url)
    with db.session() as s:
        have = s.scalar(select(func.count(Student.id))) or 0
        settings.set_(s, "capture.folder", str(captures))
        settings.set_(s, "capture.backend", "gphoto2")
        settings.set_(s, "qc.profile", str(write_demo_profile(work)))
        s.commit()
    if have == 0:
        from app.cli import main as station_main
        from app.demo_data import write_demo_roster

        roster = work / "demo_roster.xlsx"
        write_demo_roster(roster, n=n_students, seed=0)
        # stdout is kept for the --auto JSON line: the import's summary goes to stderr
        with contextlib.redirect_stdout(sys.stderr):
            code = station_main(["--db", url, "roster", "import", str(roster),
                                 "--report", str(work / "demo_roster-问题报告.xlsx")])
        if code != 0:
            from app.errors import StationError

            raise StationError(f"demo roster import failed (exit {code})", exit_code=code)
    return db, captures, portraits


DEMO_PROFILE_NOTE = (
    "演示使用检查标准 demo: 与默认标准相同, 只是不检查耳朵 (随软件包附带的示例照片里, 宇航员的耳朵被头发遮住)。",
    "The demo uses the check profile 'demo': the default rules without ears_visible (the astronaut in the "
    "package-shipped sample photos has her ears covered by hair).",
)


def write_demo_profile(work: Path) -> Path:
    """The demo's photo-check profile: the centre's rules, minus the one no sample portrait can meet.

    The only real portraits that ship inside the installed packages are
    scikit-image's astronaut (hair over her ears) and matplotlib's Grace
    Hopper (glasses, dark uniform). With every rule in force no demo photo
    could pass, so the demo leaves out ``ears_visible`` and says so; every
    other check runs as in the field.
    """
    from qc.profile import load_profile

    checks = [c for c in load_profile(None).data["profile"]["checks"] if c != "ears_visible"]
    path = work / "demo_profile.toml"
    listed = ", ".join(f'"{c}"' for c in checks)
    path.write_text(
        "# Written by `station demo`: the default rules without ears_visible (see DEMO_PROFILE_NOTE).\n"
        'extends = "default"\n\n[profile]\nname = "demo"\n'
        'description = "演示: 默认标准, 不检查耳朵 (示例照片的耳朵被头发遮住)"\n'
        f"checks = [{listed}]\n",
        encoding="utf-8",
    )
    return path


def demo_variants(cache: Path) -> list[tuple[str, bytes]]:
    """The portraits the demo camera serves in turn, made from the package-shipped samples.

    scikit-image's astronaut, cropped to a portrait, once with her suit made
    white and the backdrop made plain (the passing photo: white spacesuits
    exist) and once as shipped (orange suit: a failure with one reason);
    matplotlib's Grace Hopper as shipped (dark uniform, dark backdrop: a
    failure with several reasons), then the white-suit astronaut again. In
    that order shots alternate pass and fail, so a failing student's retake
    passes. Built once (mediapipe's segmentation and face detection) and
    kept in ``cache``.
    """
    import io

    from capture.virtual import sample_portraits

    cache.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in cache.glob("*.jpg"))
    if names:
        return [(n, (cache / n).read_bytes()) for n in names]
    from PIL import Image

    samples = {n: Image.open(io.BytesIO(b)).convert("RGB") for n, b in sample_portraits()}
    astro, grace = samples.get("astronaut.jpg"), samples.get("grace_hopper.jpg")
    images: list[tuple[str, Image.Image]] = []
    if astro is not None:
        portrait = astro.crop((95, 0, 385, 387)).resize((900, 1200), Image.LANCZOS)
        white = _plain_backdrop(_white_top(portrait))
        images += [("1_astronaut_white_suit.jpg", white)]
        if grace is not None:
            images += [("2_grace_hopper.jpg", grace)]
        images += [("3_astronaut_white_suit.jpg", white), ("4_astronaut_orange_suit.jpg", portrait)]
        if grace is None:
            images.pop(1)  # keep pass and fail alternating
    elif grace is not None:  # without scikit-image: the demo shows failures only
        images += [("2_grace_hopper.jpg", grace), ("5_grace_hopper_plain_backdrop.jpg", _plain_backdrop(grace))]
    if not images:
        raise RuntimeError("no sample portrait: install scikit-image or matplotlib")
    out = []
    for name, im in images:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=92)
        (cache / name).write_bytes(buf.getvalue())
        out.append((name, buf.getvalue()))
    return out


def _person_mask(rgb):
    import mediapipe as mp

    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        return seg.process(rgb).segmentation_mask


def _white_top(im):
    """The clothing below the chin made white, its folds kept (luminance only)."""
    import mediapipe as mp
    import numpy as np
    from PIL import Image

    rgb = np.asarray(im)
    h = rgb.shape[0]
    with mp.solutions.face_detection.FaceDetection(model_selection=1) as fd:
        found = fd.process(rgb).detections
    if not found:
        return im
    box = found[0].location_data.relative_bounding_box
    chin = int((box.ymin + box.height * 1.08) * h)
    body = (_person_mask(rgb) > 0.5).astype(np.float32)
    body[:chin] = 0
    lum = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    white = 255.0 - (255.0 - lum) * 0.12
    out = rgb * (1 - body[..., None]) + white[..., None] * body[..., None]
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def _plain_backdrop(im, colour: tuple[int, int, int] = (190, 198, 206)):
    """The backdrop replaced by a plain light blue-grey, as a studio's would be."""
    import cv2
    import numpy as np
    from PIL import Image

    rgb = np.asarray(im)
    alpha = cv2.GaussianBlur(np.clip((_person_mask(rgb) - 0.2) / 0.5, 0, 1), (0, 0), 2)[..., None]
    return Image.fromarray((rgb * alpha + np.array(colour, np.float32) * (1 - alpha)).astype(np.uint8))


def pad_jpeg(data: bytes, size: int) -> bytes:
    """``data`` grown to exactly ``size`` bytes by comment (COM) segments right after the start marker."""
    pad = size - len(data)
    if data[:2] != b"\xff\xd8" or pad < 4 and pad != 0:
        raise ValueError("pad_jpeg: not a JPEG, or fewer than 4 bytes to add")
    segments = []
    while pad:
        n = min(pad, 65537)  # a segment is 4 bytes of header and at most 65533 of payload
        if 0 < pad - n < 4:
            n = pad - 4
        segments.append(b"\xff\xfe" + (n - 2).to_bytes(2, "big") + b" " * (n - 4))
        pad -= n
    return data[:2] + b"".join(segments) + data[2:]


class DemoPortraits:
    """Makes libgphoto2's virtual camera serve a different sample portrait for each shot.

    The virtual camera serves the first JPEG of its folder for every capture;
    it reads the file's size when it opens the folder and its bytes when a
    shot is downloaded. So every variant is padded to one common size (with
    JPEG comment segments, which decoders skip) and, after each photo has
    been saved, the served file is overwritten in place with the next one.
    Demo only: the station's own code never depends on this.
    """

    def __init__(self, work: Path):
        from capture.virtual import prepare_virtual_camera

        variants = demo_variants(work / f"portraits-v{PORTRAITS_VERSION}")
        size = max(len(b) for _n, b in variants) + 4
        self.variants = [pad_jpeg(b, size) for _n, b in variants]
        self.names = [n for n, _b in variants]
        first = work / "served.jpg"
        first.write_bytes(self.variants[0])
        self.folder = prepare_virtual_camera(work / "vcamera", sources=[first])
        self.served = self.folder / "served.jpg"
        self.index = 0

    def on_event(self, ev) -> None:
        """Called on the camera thread for every camera event: after a photo, serve the next portrait."""
        if getattr(ev, "kind", None) != "photo":
            return
        self.index = (self.index + 1) % len(self.variants)
        with open(self.served, "r+b") as f:
            f.write(self.variants[self.index])
