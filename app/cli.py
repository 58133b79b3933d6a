"""The `station` command: one entry point for the window, scripts, tests and benchmarks.

Each area registers its subcommands from its own module (listed in
COMMAND_MODULES). Those modules import only the standard library at import
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
from app.errors import StationError

COMMAND_MODULES = [
    "app.commands.roster_cmd",  # roster check/import/colleges, find
    "capture.cli",  # camera list/shoot/recover
    "qc.cli",  # qc, qc-eval
    "app.commands.window_cmd",  # run, demo (the photographer's window)
    "app.commands.shoot_cmd",  # shoot (the same workflow without a window)
    "app.commands.marshal_cmd",  # marshal, plan, sheets, phone page
    "app.commands.report_cmd",  # report reconcile/errata, export photos, merge, audit
    "app.commands.config_cmd",  # config
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "run"])
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


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"


def log_path(db_arg: str | None) -> Path:
    """``STATION_LOG``, else beside a SQLite database file, else station.log in the working folder."""
    env = os.environ.get("STATION_LOG")
    if env:
        return Path(env).expanduser()
    from app.db import resolve_url  # light: no SQLAlchemy engine is built here

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
    from app.db import open_db as _open

    return _open(getattr(args, "db", None))


if __name__ == "__main__":
    sys.exit(main())
