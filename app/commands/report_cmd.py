"""Placeholder: this area's commands are being built (see the issues)."""

from __future__ import annotations

import argparse


def _todo(args: argparse.Namespace) -> int:
    from app.errors import StationError

    raise StationError(f"{args.command}: not built yet", exit_code=3)


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("report", help="对账与勘误 / reconciliation and errata").set_defaults(func=_todo)
    sub.add_parser("export", help="交付导出 / delivery export").set_defaults(func=_todo)
    sub.add_parser("merge", help="合并机位数据库 / merge station databases").set_defaults(func=_todo)
    sub.add_parser("audit", help="审计记录 / audit log").set_defaults(func=_todo)
