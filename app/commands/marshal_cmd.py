"""Placeholder: this area's commands are being built (see the issues)."""

from __future__ import annotations

import argparse


def _todo(args: argparse.Namespace) -> int:
    from app.errors import StationError

    raise StationError(f"{args.command}: not built yet", exit_code=3)


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("marshal", help="候场引导窗口 / the queue marshal's window").set_defaults(func=_todo)
    sub.add_parser("plan", help="排期 / minute-precise schedule").set_defaults(func=_todo)
    sub.add_parser("sheets", help="签字表 / sign-in sheets").set_defaults(func=_todo)
