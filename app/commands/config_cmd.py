"""`station config`: the parser (standard library only); the handler is in config_run.py."""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="显示或修改机位设置 / show or change settings")
    p.add_argument("key", nargs="?", help="e.g. station.number")
    p.add_argument("value", nargs="?", help="new value (JSON or text)")
    p.set_defaults(func=handler("app.commands.config_run:run"))
