"""`station report ...`, `station export photos`, `station merge`, `station audit`: the parsers
(standard library only); the handlers are in report_run.py.

    station report reconcile [--period half|morning|afternoon|day|all] [--date D]
                             [--since T] [--until T] [--school S] [--college C] [--class K]
                             [--whole-roster] [--out FILE.xlsx] [--password PW] [--json]
    station report errata --out FILE.xlsx [--school S] [--college C] [--class K] [--password PW]
    station report signed --class K [--college C] [--group G] --count N [--date D]
    station report signed --list [--date D]
    station report fees [--out 结算.xlsx] [--pdf 费用结算函.pdf] [--json] [--school S] [--period all|day|...]
    station report makeup [--out 补拍名单.xlsx] [--pdf 补拍通知.pdf] [--college C] [--school S]
    station export photos --out DIR [--format chsi] [--school S] [--college C] [--class K]
                          [--password PW [--staging DIR]] [--no-proof] [--allow-conflicts] [--json]
    station merge OTHER.db... [--into SITE.db] [--no-copy-photos] [--photos-dir DIR]
    station merge --conflicts | --choose SHOT | --decide SHOT...
    station audit [--action A] [--limit N] [--json]

``--school`` picks one school where the database holds several (one school
needs no option; several without it: a message and exit 2). ``export photos``
exits 3 when students wait in 待处理/ (no valid ID number) or when undecided
merge conflicts stopped it before anything was written (``--allow-conflicts``
delivers the newest photo of each and lists them).

``--password -`` asks for the password instead of taking it from the command
line (where the shell history would keep it).
"""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="对账与勘误 / reconciliation and errata")
    rsub = rep.add_subparsers(dest="report_command", metavar="REPORT", required=True)

    p = rsub.add_parser("reconcile", help="对账表: 名单/已拍/未拍/重拍/签字核对 / reconciliation workbook")
    p.add_argument("--period", default="half", help="half (默认, 本半天) / morning / afternoon / day / all")
    p.add_argument("--date", help="YYYY-MM-DD (默认今天)")
    p.add_argument("--since", help="起始时间, 如 2019-03-16T08:00 或 08:00")
    p.add_argument("--until", help="结束时间")
    p.add_argument("--college", help="只含这个学院 (全部班级)")
    p.add_argument("--class", dest="class_name", help="只含这个班级")
    p.add_argument("--whole-roster", action="store_true", help="包含全部名单, 不只是本时段有拍摄的班级")
    p.add_argument("--school", help="学校 (xxmc); 数据库中有多所学校时必填 / the school, when the database holds several")
    p.add_argument("--out", help="输出 .xlsx (不给则只打印合计)")
    p.add_argument("--password", help="加密 xlsx ('-' = 输入)")
    p.add_argument("--password-file", metavar="FILE", help="从文件读密码 (第一行; 也可用环境变量 STATION_PASSWORD_FILE) / read the password from a file")
    p.add_argument("--json", action="store_true", help="合计以一行 JSON 输出")
    p.set_defaults(func=handler("app.commands.report_run:run_reconcile"))

    p = rsub.add_parser("errata", help="电子图像采集及勘误反馈表 (附件3) / errata form")
    p.add_argument("--out", required=True, help="输出 .xlsx")
    p.add_argument("--college")
    p.add_argument("--class", dest="class_name")
    p.add_argument("--password", help="加密 xlsx ('-' = 输入)")
    p.add_argument("--school", help="学校 (xxmc); 数据库中有多所学校时必填 / the school, when the database holds several")
    p.add_argument("--password-file", metavar="FILE", help="从文件读密码 (第一行; 也可用环境变量 STATION_PASSWORD_FILE) / read the password from a file")
    p.set_defaults(func=handler("app.commands.report_run:run_errata"))

    p = rsub.add_parser("signed", help="录入签字表人数 / enter a signed sheet's count")
    p.add_argument("--class", dest="class_name", help="班级")
    p.add_argument("--college", help="学院 (班级名在多个学院出现时必填)")
    p.add_argument("--group", type=int, default=0, help="组号 (十人一组, 按学号); 0 或不给 = 全班")
    p.add_argument("--count", type=int, help="签字表上的人数")
    p.add_argument("--date", help="YYYY-MM-DD (默认今天)")
    p.add_argument("--list", action="store_true", help="列出已录入的人数")
    p.set_defaults(func=handler("app.commands.report_run:run_signed"))

    p = rsub.add_parser("fees", help="费用结算函: 实拍人数 × 单价 / fee settlement letter")
    p.add_argument("--period", default="all", help="all (默认, 全部) / day / morning / afternoon / half")
    p.add_argument("--date", help="YYYY-MM-DD (与 --period day 等一起用)")
    p.add_argument("--since", help="起始时间")
    p.add_argument("--until", help="结束时间")
    p.add_argument("--school", help="只结算这个学校 (名单中有多个学校时)")
    p.add_argument("--unit-price", type=float, help="单价 (元/人; 默认设置 fees.unit_price, 12)")
    p.add_argument("--out", help="结算表 .xlsx")
    p.add_argument("--pdf", help="可打印的费用结算函 .pdf")
    p.add_argument("--password", help="加密 xlsx ('-' = 输入)")
    p.add_argument("--json", action="store_true", help='每个学校一行 JSON: {"school", "students", "unit_price", "total"}')
    p.set_defaults(func=handler("app.commands.report_run:run_fees"))

    p = rsub.add_parser("makeup", help="补拍名单和补拍通知 (未拍学生, 按学院) / make-up list and notice")
    p.add_argument("--college", help="只含这个学院")
    p.add_argument("--school", help="只含这个学校")
    p.add_argument("--out", help="补拍名单 .xlsx")
    p.add_argument("--pdf", help="可打印的补拍通知 .pdf (每个学院一页起)")
    p.add_argument("--password", help="加密 xlsx ('-' = 输入)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=handler("app.commands.report_run:run_makeup"))

    exp = sub.add_parser("export", help="交付导出 / delivery export")
    esub = exp.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    p = esub.add_parser("photos", help="照片交付: 原片 + 480×640, 清单, 校对单 / photo delivery")
    p.add_argument("--out", required=True, help="输出文件夹 (加密时为 .zip 文件)")
    p.add_argument("--format", default="chsi", help="交付格式 (默认 chsi: 480×640, 300 dpi, 30,000–60,000 字节; app/delivery_profiles/*.toml)")
    p.add_argument("--college")
    p.add_argument("--class", dest="class_name")
    p.add_argument("--password", help="打包为 AES 加密 zip ('-' = 输入)")
    p.add_argument("--password-file", metavar="FILE", help="从文件读密码 (第一行; 也可用环境变量 STATION_PASSWORD_FILE) / read the password from a file")
    p.add_argument("--staging", help="加密导出时明文暂存的文件夹 (默认在本机缓存中)")
    p.add_argument("--no-proof", action="store_true", help="不生成校对单 PDF")
    p.add_argument("--school", help="学校 (xxmc); 数据库中有多所学校时必填 / the school, when the database holds several")
    p.add_argument("--allow-conflicts", action="store_true",
                   help="有合并冲突 (两个机位都选定了照片) 时仍导出: 交付较新的一张, 列出其余 / deliver the newest of conflicting photos")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=handler("app.commands.report_run:run_export"))

    p = sub.add_parser("merge", help="合并机位数据库 / merge station databases")
    p.add_argument("sources", nargs="*", metavar="OTHER.db", help="其他机位的数据库文件")
    p.add_argument("--into", metavar="SITE.db", help="合并到这个数据库 (默认 --db)")
    p.add_argument("--no-copy-photos", action="store_true", help="不复制照片, 只记录找到的位置")
    p.add_argument("--photos-dir", help="照片存放位置 (默认: 目标数据库旁的 merged_photos/)")
    p.add_argument("--photos-from", action="append", default=[], metavar="DIR",
                   help="照片不在源数据库文件夹内时, 也从这个文件夹读取 (可多次) / also read photos from this folder")
    p.add_argument("--conflicts", action="store_true", help="列出两个机位都选定了照片的学生")
    p.add_argument("--choose", metavar="SHOT", help="选定这张照片 (编号前 6 位以上), 解决冲突")
    p.add_argument("--decide", metavar="SHOT", nargs="+",
                   help="决定合并冲突: 选定这些照片 (每人一张, 编号前 6 位以上; 见 --conflicts) / decide conflicts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=handler("app.commands.report_run:run_merge"))

    p = sub.add_parser("audit", help="审计记录 / audit log")
    p.add_argument("--action", help="只列这一类 (roster_import, report_reconcile, export_photos, merge ...)")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=handler("app.commands.report_run:run_audit"))
