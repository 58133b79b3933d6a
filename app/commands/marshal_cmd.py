"""`station marshal`, `station phone`, `station plan`, `station sheets`: the queue marshal's commands (the parsers,
standard library only; the handlers are in marshal_run.py and timetable_run.py).

- ``station marshal status|missing|absent|present|call`` do the marshal
  window's things headless; ``station marshal`` alone opens the window
  (``--phone`` also switches the phone page on): that launcher and the
  ``marshal`` parser are in ``ui/marshal_cmd.py``, which adds these actions.
- ``station phone`` serves the read-only phone page without a window (prints
  the address, the access code and a QR code in the terminal; Ctrl+C stops it).
- ``station plan`` makes the minute-precise timetable (xlsx, PDF), or with
  ``--replan`` re-plans what remains at the measured rate.
- ``station sheets`` prints the sign-in sheets, one A4 page per group of ten.
"""

from __future__ import annotations

import argparse

from app.commands import handler


def add_actions(p: argparse.ArgumentParser) -> None:
    """The headless actions under ``station marshal`` (the parser itself, which opens the window
    when no action is given, is made by ``ui/marshal_cmd.py``)."""
    acts = p.add_subparsers(dest="marshal_action", metavar="ACTION")

    a = acts.add_parser("status", help="各学院/班级进度, 当前组和下一组 / counts, current and next group")
    a.add_argument("--college", help="只看这个学院 / one college")
    a.add_argument("--json", action="store_true", help="JSON 输出 (不含身份证号) / JSON (no ID numbers)")
    a.set_defaults(func=handler("app.commands.marshal_run:run_status"))

    a = acts.add_parser("missing", help="未拍名单 (与带队老师核对) / who is not photographed yet")
    a.add_argument("--college", help="学院 / college")
    a.add_argument("--class", dest="class_name", help="班级 / class")
    a.set_defaults(func=handler("app.commands.marshal_run:run_missing"))

    a = acts.add_parser("absent", help="标记缺席 / mark a student absent")
    a.add_argument("code", help="学号或身份证号 / student number or ID number")
    a.add_argument("--reason", required=True, help="请假 / 实习 / 已离校 / 补拍 / 其他")
    a.add_argument("--text", help="具体原因 (其他 时必填) / details (required for 其他)")
    a.set_defaults(func=handler("app.commands.marshal_run:run_absent"))

    a = acts.add_parser("present", help="取消缺席 (学生到了) / clear an absence")
    a.add_argument("code", help="学号或身份证号 / student number or ID number")
    a.set_defaults(func=handler("app.commands.marshal_run:run_present"))

    a = acts.add_parser("call", help="记录叫组 (默认叫下一组) / record a group call (default: the next)")
    a.add_argument("--college", help="学院 / college")
    a.add_argument("--class", dest="class_name", help="班级 / class")
    a.add_argument("--group", type=int, help="组号 / group number")
    a.add_argument("--undo", action="store_true", help="撤销上一次叫组 / undo the last call")
    a.set_defaults(func=handler("app.commands.marshal_run:run_call"))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("phone", help="候场引导手机页面 (局域网, 只读) / the marshal's phone page")
    p.add_argument("--host", default="0.0.0.0", help="监听地址 / address to listen on (default: all, local network clients only)")
    p.add_argument("--port", type=int, help="端口 / port (default: setting phone.port, 8765)")
    p.add_argument("--code", help="访问码 (默认随机) / access code (default: random)")
    p.set_defaults(func=handler("app.commands.marshal_run:run_phone"))

    p = sub.add_parser(
        "plan",
        help="排期: 精确到分钟的采集和候场时间表 / minute-precise timetable",
        description="按名单的学院、班级人数排出每个班在哪个机位、几点候场、几点拍摄 (xlsx 和 PDF)。",
    )
    p.add_argument("--start", help="开始时间 / start, e.g. 2019-03-16T08:00 (default with --replan: now)")
    p.add_argument("--stations", help="机位数, 或按天 6,4 / number of stations, or one per day: 6,4 "
                                      "(default 1; --replan: as planned)")
    p.add_argument("--rate", type=float, help="每台每小时人数 / students per hour per station (setting plan.rate, 165)")
    p.add_argument("--breaks", help='午休和休息 / breaks "12:00-13:30,15:00-15:10" ("" for none; setting plan.breaks)')
    p.add_argument("--day-end", help='每天结束 / end of each day HH:MM ("none": no limit; default: 8 h after the start)')
    p.add_argument("--lead", type=int, help="提前候场分钟数 / minutes at the waiting area before the slot (setting, 10)")
    p.add_argument("--college", action="append", help="只排这个学院 (可重复) / only this college (repeatable)")
    p.add_argument("--class", dest="class_name", action="append", help="只排这个班级 (可重复) / only this class (repeatable)")
    p.add_argument("--days", type=int, help="分 N 天拍完, 每天人数按机位数均分, 班级不拆 / spread the school evenly over N days")
    p.add_argument("--max-per-day", type=int, help="每台机器每天最多人数 / students per machine-day at most "
                                                   "(setting plan.max_per_machine_day, 900; 附件1: 700—900)")
    p.add_argument("--place", help="地点: 一个地点, 或 学院=地点;班级=地点, 或含“地点”列的表格 (.xlsx/.csv) / "
                                   "place: one for all, college=place pairs, or a sheet with 地点 and 学院/班级 columns")
    p.add_argument("--replan", action="store_true", help="按现场进度和实测速度重排剩余学生 (保留原排期的每天结束时间、天数和机位数) / re-plan what remains")
    p.add_argument("--now", help="重排的当前时间 / the time to re-plan from (default: now)")
    p.add_argument("--out", metavar="XLSX", help="排期表 / timetable workbook")
    p.add_argument("--pdf", metavar="PDF", help="可打印的排期表 / printable timetable")
    p.add_argument("--school", help="学校名称 (默认: 设置 school.name 或名单) / school name")
    p.add_argument("--dry-run", action="store_true", help="不保存为当前排期 / do not keep it as the current timetable")
    p.set_defaults(func=handler("app.commands.timetable_run:run_plan"))

    p = sub.add_parser("sheets", help="签字表: 每 10 人一页, A4 / sign-in sheets, one page per group of ten")
    p.add_argument("--out", required=True, metavar="PDF", help="输出 PDF / output PDF")
    p.add_argument("--college", help="只打印这个学院 / one college")
    p.add_argument("--class", dest="class_name", help="只打印这个班级 / one class")
    p.add_argument("--school", help="学校名称 / school name (default: setting school.name, else the roster)")
    p.set_defaults(func=handler("app.commands.timetable_run:run_sheets"))
