"""`station pin`, `station purge`, `station privacy-notice`: roles and personal data (PIPL).

The parsers (standard library only); the handlers are in privacy_run.py.
"""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pin", help="主管 PIN: 设置或查看 / the supervisor PIN")
    psub = p.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    s = psub.add_parser("set", help="设置或更换主管 PIN (更换时需要 --pin 旧 PIN)")
    s.add_argument("--new-pin-file", metavar="FILE", help="从文件读新 PIN (第一行); 不给则在终端输入两次")
    s.set_defaults(func=handler("app.commands.privacy_run:run_pin_set"))
    s = psub.add_parser("status", help="是否已设置主管 PIN")
    s.set_defaults(func=handler("app.commands.privacy_run:run_pin_status"))

    p = sub.add_parser("purge", help="交付后删除一所学校的照片和个人信息 / delete a delivered school's photos and personal data")
    p.add_argument("--school", required=True, help="学校名称 (名单的 xxmc)")
    p.add_argument("--before", metavar="DATE", help="只删除此日期之前最后拍摄/导入的学生 (YYYY-MM-DD)")
    p.add_argument("--yes", action="store_true", help="确认删除 (不给则只列出将删除的内容)")
    p.add_argument("--undelivered", action="store_true", help="没有导出交付也删除 (例如学校取消拍摄)")
    p.set_defaults(func=handler("app.commands.privacy_run:run_purge"))

    p = sub.add_parser("privacy-notice", help="给学生的个人信息告知 (可打印) / the privacy notice for students")
    p.add_argument("--pdf", metavar="OUT.pdf", help="写成 PDF (不给则打印文字)")
    p.set_defaults(func=handler("app.commands.privacy_run:run_notice"))
