"""`station pin`, `station purge`, `station privacy-notice`: roles and personal data (PIPL)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pin", help="主管 PIN: 设置或查看 / the supervisor PIN")
    psub = p.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    s = psub.add_parser("set", help="设置或更换主管 PIN (更换时需要 --pin 旧 PIN)")
    s.add_argument("--new-pin-file", metavar="FILE", help="从文件读新 PIN (第一行); 不给则在终端输入两次")
    s.set_defaults(func=run_pin_set)
    s = psub.add_parser("status", help="是否已设置主管 PIN")
    s.set_defaults(func=run_pin_status)

    p = sub.add_parser("purge", help="交付后删除一所学校的照片和个人信息 / delete a delivered school's photos and personal data")
    p.add_argument("--school", required=True, help="学校名称 (名单的 xxmc)")
    p.add_argument("--before", metavar="DATE", help="只删除此日期之前最后拍摄/导入的学生 (YYYY-MM-DD)")
    p.add_argument("--yes", action="store_true", help="确认删除 (不给则只列出将删除的内容)")
    p.add_argument("--undelivered", action="store_true", help="没有导出交付也删除 (例如学校取消拍摄)")
    p.set_defaults(func=run_purge)

    p = sub.add_parser("privacy-notice", help="给学生的个人信息告知 (可打印) / the privacy notice for students")
    p.add_argument("--pdf", metavar="OUT.pdf", help="写成 PDF (不给则打印文字)")
    p.set_defaults(func=run_notice)


def _new_pin(args: argparse.Namespace) -> str:
    from app.errors import InputError

    if args.new_pin_file:
        from app.passwords import read_password_file

        return read_password_file(args.new_pin_file)
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    import getpass

    first = getpass.getpass("新的主管 PIN / new supervisor PIN: ")
    if getpass.getpass("再输入一次 / again: ") != first:
        raise InputError("两次输入的 PIN 不一致 / the PINs differ")
    return first


def run_pin_set(args: argparse.Namespace) -> int:
    from app import audit, roles
    from app.cli import open_db

    db = open_db(args)
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
    from app import roles
    from app.cli import open_db

    db = open_db(args)
    with db.session() as s:
        on = roles.pin_is_set(s)
    print("已设置主管 PIN / supervisor PIN set" if on else "未设置主管 PIN: station pin set / no supervisor PIN set")
    return 0 if on else 1


def run_purge(args: argparse.Namespace) -> int:
    from app import purge, roles
    from app.cli import open_db
    from app.i18n import t

    before = purge.parse_before(args.before)
    db = open_db(args)
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
    from app import privacy_notice
    from app.cli import open_db

    db = open_db(args)
    with db.session() as s:
        notice = privacy_notice.build(s)
    if args.pdf:
        privacy_notice.write_pdf(notice, args.pdf)
        print(f"已写入 {args.pdf}")
    else:
        print(notice.text())
    return 0
