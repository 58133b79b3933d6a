"""`station run` and `station demo`: the photographer's window.

`station` (or `station run`) opens the window on the station database.
`station demo` builds a demo work folder (database, demo roster, capture
folder, and a virtual camera serving real sample portraits through
libgphoto2), then opens the window; with no display it says so and drives
the window offscreen through 20 students. `station demo --auto N` drives the
real window through N students and prints one JSON line.

The launchers live in ``ui`` (they open the window) and are registered in
``app/cli.py``'s COMMAND_MODULES by name; the demo's work folder is prepared
by ``app/demo_folder.py``. Only the standard library and light ``app`` modules
are imported at the top; Qt, gphoto2 and the checks load inside the handlers
(``# lazy``: `station --help` stays fast, and VCAMERADIR must be set before
gphoto2 is imported).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli import open_db, setup_logging
from app.demo_folder import demo_db_url, prepare_demo
from app.demo_portraits import DEMO_PROFILE_NOTE
from app.errors import StationError
from app.first_run import remember_demo_db, sqlite_file
from app.i18n import t
from ui.display import has_display

NO_DISPLAY_AUTO = 20


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
    if not has_display():
        raise StationError(
            t("没有显示器 (未设置 DISPLAY 或 WAYLAND_DISPLAY): 无法打开窗口。试试 station demo。",
              "No display (DISPLAY / WAYLAND_DISPLAY unset): cannot open the window. Try: station demo"),
            exit_code=2,
        )
    db = open_db(args)
    from ui.station_launch import run_window  # lazy: Qt, the workflow and the checks load only for the window

    camera = args.backend if args.backend else None
    return run_window(db, capture_folder=args.capture_folder, camera=camera)


def demo(args: argparse.Namespace) -> int:
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
        raise StationError("--auto N: N must be at least 1", exit_code=2)

    work = Path(args.dir).expanduser().resolve()
    if work.exists() and not work.is_dir():
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
    try:
        work.mkdir(parents=True, exist_ok=True)
        if fresh:
            (work / "station.log").unlink(missing_ok=True)
    except OSError as exc:
        raise StationError(t(f"无法创建演示工作文件夹 {work}: {exc.strerror}。用 --dir 指定一个可写的文件夹",
                             f"Cannot create the demo folder {work}: {exc.strerror}. Choose a writable one with --dir"),
                           exit_code=2) from None
    setup_logging(argparse.Namespace(db=url, verbose=getattr(args, "verbose", False)))  # the log beside the demo's database
    db, captures, portraits = prepare_demo(work, n_students=n_students, fresh=fresh, url=url)
    from app.demo_workflow import DemoWorkflow  # lazy: the workflow loads the checks; after VCAMERADIR is set
    from ui.station_launch import run_window  # lazy: Qt and the window load only when it opens

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
        ask_pin=False,  # the demo runs without questions
        workflow_class=DemoWorkflow,
        workflow_options={"portraits": portraits},  # the virtual camera serves the next portrait after each photo
    )
