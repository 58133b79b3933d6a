"""`station roster check|import|colleges` and `station find`: the parser (standard library only);
the handlers are in roster_run.py (check, import, colleges) and find_run.py (find).

Output formats are stable (scripts and tests read them):

- ``roster check FILE --json``: one JSON object per finding per line,
  ``{"row", "field", "code", "severity", "message"}``; notes go to stderr.
  Exit 0 when the file was read (whatever it found), 2 when it could not be.
- ``roster import FILE``: notes, then a summary line per count; the findings
  report (xlsx) is written unless ``--no-report``. Exit 0 / 2 as above; exit 3
  (nothing imported) when the roster would mark more than 5 students of a
  school as removed: it lists them and needs ``--replace``.
- ``find QUERY``: one line per student, ID numbers masked; exit 3 when nothing
  matches. ``--json`` prints one object per line.
"""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("roster", help="名单检查与导入 / roster check and import")
    rsub = p.add_subparsers(dest="roster_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    c = rsub.add_parser("check", help="只检查不导入 / read and validate without importing")
    c.add_argument("file", metavar="FILE", help="xlsx / xls / csv")
    c.add_argument("--password", metavar="PW", help="工作簿密码 (- 表示交互输入) / workbook password (- to prompt)")
    c.add_argument("--password-file", metavar="FILE", help="从文件读工作簿密码 (或 STATION_PASSWORD_FILE) / read the password from a file")
    c.add_argument("--json", action="store_true", help="每行一个 JSON 问题 / one JSON finding per line")
    c.set_defaults(func=handler("app.commands.roster_run:run_check"))

    i = rsub.add_parser("import", help="导入名单 / import the roster")
    i.add_argument("file", metavar="FILE", help="xlsx / xls / csv")
    i.add_argument("--password", metavar="PW", help="工作簿密码 (- 表示交互输入) / workbook password (- to prompt)")
    i.add_argument("--password-file", metavar="FILE", help="从文件读工作簿密码 (或 STATION_PASSWORD_FILE) / read the password from a file")
    i.add_argument("--report", metavar="OUT.xlsx", help="问题报告路径 / findings report (default: <name>-问题报告.xlsx here)")
    i.add_argument("--no-report", action="store_true", help="不写问题报告 / do not write the report")
    i.add_argument("--json", action="store_true", help="以 JSON 输出汇总 / print the summary as JSON")
    i.add_argument("--replace", action="store_true",
                   help="确认替换整份名单: 新名单中没有的学生 (超过 5 人) 标记为移出名单 / "
                        "confirm that this roster replaces the school's list (drops more than 5 students)")
    i.set_defaults(func=handler("app.commands.roster_run:run_import"))

    g = rsub.add_parser(
        "colleges",
        help="专业与学院对应 / major → college mapping",
        description="无参数: 列出学院、专业和人数; FILE: 导入“专业-学院”对照表; --set 专业=学院: 逐条设置",
    )
    g.add_argument("file", metavar="FILE", nargs="?", help="两列对照表 (专业, 学院) / two-column list")
    g.add_argument("--password", metavar="PW")
    g.add_argument("--password-file", metavar="FILE", help="从文件读工作簿密码 (或 STATION_PASSWORD_FILE) / read the password from a file")
    g.add_argument("--set", metavar="MAJOR=COLLEGE", action="append", default=[], help="专业=学院")
    g.add_argument("--overwrite", action="store_true", help="覆盖已有学院 / replace colleges already set")
    g.set_defaults(func=handler("app.commands.roster_run:run_colleges"))

    f = sub.add_parser("find", help="查找学生 / find a student")
    f.add_argument("query", metavar="QUERY", help="学号、身份证号(或后6位)、考生号、姓名或拼音首字母")
    f.add_argument("--limit", type=int, default=20)
    f.add_argument("--exact", action="store_true", help="只按扫码的完整号码查 / whole scanned code only")
    f.add_argument("--json", action="store_true", help="每行一个 JSON / one JSON object per line")
    f.set_defaults(func=handler("app.commands.find_run:run_find"))
