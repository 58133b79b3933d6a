"""The `station` command: one entry point for the window, scripts, tests and benchmarks.

Each area registers its subcommands from its own module (listed in
COMMAND_MODULES by name and loaded with importlib: the window launchers live in
``ui/`` and ``app`` never imports ``ui``). Those modules import only the standard library at import
time; Qt, mediapipe and OpenCV are imported inside the handlers that need
them, so `station --help` and `station find` start fast.

Global options come before the subcommand: ``station --db URL roster import ...``.
Handlers take the parsed arguments and return an exit code; a
:class:`app.errors.StationError` becomes its message on stderr and its exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from app import __version__
from app.errors import UNFORESEEN_EXIT, StationError, as_station_error, unforeseen_message
from app.first_run import choose_db
from app.native_log import install as install_native_log
from app.staging import cleanup_stale_staging

COMMAND_MODULES = [
    "app.commands.roster_cmd",  # roster check/import/colleges, find
    "app.commands.camera_cmd",  # camera list/shoot/recover
    "app.commands.qc_cmd",  # qc, qc-eval
    "ui.window_cmd",  # run, demo (the photographer's window)
    "app.commands.shoot_cmd",  # shoot (the same workflow without a window)
    "ui.marshal_cmd",  # marshal (the window; its headless actions from app.commands.marshal_cmd)
    "app.commands.marshal_cmd",  # phone page, plan, sheets
    "app.commands.report_cmd",  # report reconcile/errata, export photos, merge, audit
    "app.commands.config_cmd",  # config
    "app.commands.privacy_cmd",  # pin, purge, privacy-notice
    "app.commands.calibrate_cmd",  # calibrate backdrop (issue 12)
    "app.commands.site_cmd",  # site init/sync/status (site mode)
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="station",
        description="毕业生图像采集机位 / Graduate photo capture station",
    )
    parser.add_argument("--version", action="version", version=f"station {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="数据库 (default: $STATION_DB or sqlite:///station.db in the working folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also log details to stderr")
    parser.add_argument("--pin", help="主管 PIN (导出、导入名单、删除、设置、接受不合格照片; 也可用 STATION_PIN_FILE) / supervisor PIN")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # the database, photos, logs and exports hold personal data: everything the station creates is owner-only
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "run"])
    args.db = choose_db(args.command, args.db)  # no --db: the demo's students, or "no roster loaded"
    setup_logging(args)
    cleanup_stale_staging()  # a killed encrypted export's plain files do not outlive the next start
    if "pytest" not in sys.modules and os.environ.get("STATION_NATIVE_LOG", "1") != "0":
        install_native_log()  # mediapipe/TF Lite/absl lines: log file, not console
    func = getattr(args, "func", None)
    if func is None:
        parser.parse_args([*(argv or sys.argv[1:]), "--help"])
        return 2
    try:
        return int(func(args) or 0)
    except StationError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `station find x | head`
        return 0
    except Exception as exc:  # every foreseeable fault a sentence (app/errors.py), never a traceback
        return report_fault(exc, args)


def report_fault(exc: BaseException, args: argparse.Namespace | None = None) -> int:
    """Print the operator's sentence for ``exc`` and return its exit code; the traceback goes to the log."""
    err = as_station_error(exc)
    log = logging.getLogger("station")
    if err is not None:
        log.warning("%s: %s", type(exc).__name__, exc, exc_info=exc)
        print(err.message, file=sys.stderr)
        return err.exit_code
    if os.environ.get("STATION_DEBUG"):
        raise exc
    log.error("unforeseen error", exc_info=exc)
    try:
        where = str(log_path(getattr(args, "db", None))) if args is not None else None
    except Exception:
        where = None
    print(unforeseen_message(exc, where), file=sys.stderr)
    return UNFORESEEN_EXIT


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"


def log_path(db_arg: str | None) -> Path:
    """``STATION_LOG``, else beside a SQLite database file, else station.log in the working folder."""
    env = os.environ.get("STATION_LOG")
    if env:
        return Path(env).expanduser()
    from app.db import resolve_url  # lazy: app.db loads SQLAlchemy (0.4 s), not needed by station --help

    url = resolve_url(db_arg)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        db_file = Path(url.split(":///", 1)[1]).expanduser()
        return db_file.with_name(db_file.stem + ".log")
    return Path("station.log")


def setup_logging(args: argparse.Namespace) -> None:
    """Everything from INFO up goes to a rotating log file with timestamps (camera errors,
    imports, exports); stderr gets log lines only with --verbose, because every command
    prints its own plain-words message for the operator."""
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger()
    root.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, each start
    for h in [h for h in root.handlers if getattr(h, "_station", False)]:
        root.removeHandler(h)
        h.close()
    path = log_path(getattr(args, "db", None))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh: logging.Handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
        if path.stat().st_mode & 0o077:  # a log made before: file names carry student numbers
            os.chmod(path, 0o600)
    except OSError as exc:  # a read-only folder must not stop the station
        print(f"无法写日志文件 {path}: {exc}", file=sys.stderr)
        fh = logging.NullHandler()
    fh.setFormatter(logging.Formatter(_LOG_FORMAT))
    fh._station = True  # type: ignore[attr-defined]
    root.addHandler(fh)
    if args.verbose:
        sh = logging.StreamHandler()
        sh.setFormatter(logging.Formatter(_LOG_FORMAT))
        sh._station = True  # type: ignore[attr-defined]
        root.addHandler(sh)


def open_db(args: argparse.Namespace):
    """The database named by --db / STATION_DB, migrated to the newest schema."""
    from app.db import open_db as _open  # lazy: SQLAlchemy loads only for a command that opens the database

    return _open(getattr(args, "db", None))


if __name__ == "__main__":
    sys.exit(main())
