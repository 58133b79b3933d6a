"""Placeholder: this area's commands are being built (see the issues)."""

from __future__ import annotations

import argparse


def _todo(args: argparse.Namespace) -> int:
    from app.errors import StationError

    raise StationError(f"{args.command}: not built yet", exit_code=3)


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("run", help="打开拍摄窗口 / open the photographer's window").set_defaults(func=_todo)
    sub.add_parser("demo", help="演示 / demo with the virtual camera").set_defaults(func=_todo)
