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
import sys

from app import __version__
from app.errors import StationError

COMMAND_MODULES = [
    "app.commands.roster_cmd",  # roster check/import/colleges, find
    "capture.cli",  # camera list/shoot/recover
    "qc.cli",  # qc, qc-eval
    "app.commands.window_cmd",  # run, demo (the photographer's window)
    "app.commands.marshal_cmd",  # marshal, plan, sheets, phone page
    "app.commands.report_cmd",  # report reconcile/errata, export photos, merge, audit
    "app.commands.config_cmd",  # config
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
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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


def open_db(args: argparse.Namespace):
    """The database named by --db / STATION_DB, migrated to the newest schema."""
    from app.db import open_db as _open

    return _open(getattr(args, "db", None))


if __name__ == "__main__":
    sys.exit(main())
