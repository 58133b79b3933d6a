"""Placeholder: this area's commands are being built (see the issues)."""

from __future__ import annotations

import argparse


def _todo(args: argparse.Namespace) -> int:
    from app.errors import StationError

    raise StationError(f"{args.command}: not built yet", exit_code=3)


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("roster", help="名单导入与检查 / roster check and import").set_defaults(func=_todo)
    sub.add_parser("find", help="查找学生 / find a student").set_defaults(func=_todo)
