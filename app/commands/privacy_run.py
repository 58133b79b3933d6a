"""The handlers of `station pin`, `station purge`, `station privacy-notice` (the parsers are in privacy_cmd.py)."""

from __future__ import annotations

import argparse
import getpass
import sys

from app import audit, privacy_notice, purge, roles
from app.db import open_db
from app.errors import InputError
from app.i18n import t
from app.passwords import read_password_file


def _new_pin(args: argparse.Namespace) -> str:
    if args.new_pin_file:
        return read_password_file(args.new_pin_file)
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    first = getpass.getpass("新的主管 PIN / new supervisor PIN: ")
    if getpass.getpass("再输入一次 / again: ") != first:
        raise InputError("两次输入的 PIN 不一致 / the PINs differ")
    return first


def run_pin_set(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        changing = roles.pin_is_set(s)
        if changing:
            roles.require(s, "settings", roles.cli_pin(args.pin))
        roles.set_pin(s, _new_pin(args))
        audit.record(s, "pin_change" if changing else "pin_set", details="role: supervisor" if changing else "first PIN")
        s.commit()
    print("主管 PIN 已" + ("更换" if changing else "设置") + " / supervisor PIN " + ("changed" if changing else "set"))
    return 0


def run_pin_status(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        on = roles.pin_is_set(s)
    print("已设置主管 PIN / supervisor PIN set" if on else "未设置主管 PIN: station pin set / no supervisor PIN set")
    return 0 if on else 1


def run_purge(args: argparse.Namespace) -> int:
    before = purge.parse_before(args.before)
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        p = purge.plan(s, args.school, before)
        head = t(
            f"{args.school}: 学生 {len(p.student_ids)} 人, 照片 {len(p.shot_ids)} 张"
            + (f" (最后拍摄在 {args.before} 之前)" if before else ""),
            f"{args.school}: {len(p.student_ids)} students, {len(p.shot_ids)} photos"
            + (f" (last touched before {args.before})" if before else ""),
        )
        print(head)
        if not p.delivered:
            print(t("注意: 最后一次选定之后还没有导出交付", "note: not delivered since the last selection"), file=sys.stderr)
        if not args.yes:
            print(t("未删除任何内容: 确认交接完成后加 --yes 执行", "nothing deleted: add --yes after the hand-over"))
            return 1
        roles.authorize(s, "purge", roles.cli_pin(args.pin), scope={"school": args.school})
        res = purge.purge(s, p, undelivered=args.undelivered)
    print(t(f"已删除: 学生 {res.students} 人, 照片记录 {res.shots}, 文件 {res.files_removed} 个 (覆盖后删除)"
            + (f", 已不存在 {res.files_missing}" if res.files_missing else ""),
            f"deleted: {res.students} students, {res.shots} shots, {res.files_removed} files (overwritten, then removed)"))
    for e in res.errors[:20]:
        print(f"  {e}", file=sys.stderr)
    return 1 if res.errors else 0


def run_notice(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        notice = privacy_notice.build(s)
    if args.pdf:
        privacy_notice.write_pdf(notice, args.pdf)
        print(f"已写入 {args.pdf}")
    else:
        print(notice.text())
    return 0
