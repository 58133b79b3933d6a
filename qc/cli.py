"""Placeholder: this area's commands are being built (see the issues)."""

from __future__ import annotations

import argparse


def _todo(args: argparse.Namespace) -> int:
    from app.errors import StationError

    raise StationError(f"{args.command}: not built yet", exit_code=3)


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("qc", help="照片检查 / check photos").set_defaults(func=_todo)
    sub.add_parser("qc-eval", help="检查准确率评估 / evaluate the checks on a labelled folder").set_defaults(func=_todo)
