"""`station marshal`: the queue marshal's window (its headless actions come from app/commands/marshal_cmd.py).

The launcher lives in ``ui`` (it opens a window) and is registered in
``app/cli.py``'s COMMAND_MODULES by name. Only the standard library and light
``app`` modules are imported here; Qt loads inside the handler (``# lazy``).
"""

from __future__ import annotations

import argparse
import os

from app.cli import open_db
from app.commands import marshal_cmd
from app.errors import StationError
from app.i18n import t
from ui.display import has_display


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "marshal",
        help="候场引导: 已拍未拍, 每 10 人一组 / the queue marshal",
        description="不带子命令时打开候场引导窗口 / without an action, opens the marshal window",
    )
    p.add_argument("--phone", action="store_true", help="同时打开手机页面 / also switch the phone page on")
    p.add_argument("--screenshot", metavar="PNG", help="打开窗口, 截图后退出 / grab the window into PNG and exit")
    p.set_defaults(func=run_window)
    marshal_cmd.add_actions(p)  # status, missing, absent, present, call


def run_window(args: argparse.Namespace) -> int:
    if args.screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a screenshot needs no screen
    db = open_db(args)
    if not has_display():
        raise StationError(
            t(
                "没有显示器 (DISPLAY 未设置): 可用 `station marshal status`、`station marshal missing` 或手机页面 `station phone`",
                "no display: use `station marshal status`, `station marshal missing` or `station phone`",
            ),
            exit_code=2,
        )
    from ui.marshal_app import run_marshal_window  # lazy: Qt loads only when the window opens (station --help stays fast)

    return run_marshal_window(db, phone=args.phone, screenshot=args.screenshot)
