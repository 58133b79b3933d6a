"""`station marshal`, `station phone`, `station plan`, `station sheets`: the queue marshal's commands.

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


def add_actions(p: argparse.ArgumentParser) -> None:
    """The headless actions under ``station marshal`` (the parser itself, which opens the window
    when no action is given, is made by ``ui/marshal_cmd.py``)."""
    acts = p.add_subparsers(dest="marshal_action", metavar="ACTION")

    a = acts.add_parser("status", help="各学院/班级进度, 当前组和下一组 / counts, current and next group")
    a.add_argument("--college", help="只看这个学院 / one college")
    a.add_argument("--json", action="store_true", help="JSON 输出 (不含身份证号) / JSON (no ID numbers)")
    a.set_defaults(func=run_status)

    a = acts.add_parser("missing", help="未拍名单 (与带队老师核对) / who is not photographed yet")
    a.add_argument("--college", help="学院 / college")
    a.add_argument("--class", dest="class_name", help="班级 / class")
    a.set_defaults(func=run_missing)

    a = acts.add_parser("absent", help="标记缺席 / mark a student absent")
    a.add_argument("code", help="学号或身份证号 / student number or ID number")
    a.add_argument("--reason", required=True, help="请假 / 实习 / 已离校 / 补拍 / 其他")
    a.add_argument("--text", help="具体原因 (其他 时必填) / details (required for 其他)")
    a.set_defaults(func=run_absent)

    a = acts.add_parser("present", help="取消缺席 (学生到了) / clear an absence")
    a.add_argument("code", help="学号或身份证号 / student number or ID number")
    a.set_defaults(func=run_present)

    a = acts.add_parser("call", help="记录叫组 (默认叫下一组) / record a group call (default: the next)")
    a.add_argument("--college", help="学院 / college")
    a.add_argument("--class", dest="class_name", help="班级 / class")
    a.add_argument("--group", type=int, help="组号 / group number")
    a.add_argument("--undo", action="store_true", help="撤销上一次叫组 / undo the last call")
    a.set_defaults(func=run_call)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("phone", help="候场引导手机页面 (局域网, 只读) / the marshal's phone page")
    p.add_argument("--host", default="0.0.0.0", help="监听地址 / address to listen on (default: all, local network clients only)")
    p.add_argument("--port", type=int, help="端口 / port (default: setting phone.port, 8765)")
    p.add_argument("--code", help="访问码 (默认随机) / access code (default: random)")
    p.set_defaults(func=run_phone)

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
    p.set_defaults(func=run_plan)

    p = sub.add_parser("sheets", help="签字表: 每 10 人一页, A4 / sign-in sheets, one page per group of ten")
    p.add_argument("--out", required=True, metavar="PDF", help="输出 PDF / output PDF")
    p.add_argument("--college", help="只打印这个学院 / one college")
    p.add_argument("--class", dest="class_name", help="只打印这个班级 / one class")
    p.add_argument("--school", help="学校名称 / school name (default: setting school.name, else the roster)")
    p.set_defaults(func=run_sheets)


# --- the phone page ---------------------------------------------------------------------


def run_phone(args: argparse.Namespace) -> int:
    import time

    from app import settings
    from app.roll_call import board as marshal
    from app.cli import open_db
    from app.i18n import t
    from app.phone import PhoneServer

    db = open_db(args)
    with db.session() as s:
        port = args.port if args.port is not None else int(settings.get(s, "phone.port"))
        local = marshal.local_station_row(s)
    server = PhoneServer(db, host=args.host, port=port, code=args.code, station_id=local.id if local else None).start()
    print(server.qr_text(), end="")
    print(t(f"手机页面已打开 (仅限局域网, 只读): {server.url}", f"phone page on (local network only, read-only): {server.url}"))
    print(t(f"访问码: {server.code}    按 Ctrl+C 关闭", f"access code: {server.code}    Ctrl+C stops it"), flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(t("手机页面已关闭", "phone page off"))
    return 0


# --- headless marshal actions -------------------------------------------------------------


def _snapshot(args):
    from app.roll_call import board as marshal
    from app.cli import open_db

    db = open_db(args)
    return db, marshal


def run_status(args: argparse.Namespace) -> int:
    import json

    from app.i18n import t
    from app.roll_call.board import college_label
    from app.phone_page import student_tag
    from app.privacy import short_name

    db, marshal = _snapshot(args)
    with db.session() as s:
        snap = marshal.load(s)
    colleges = [c for c in snap.colleges if not args.college or c.college == args.college or c.label == args.college]

    def group_dict(g):
        if g is None:
            return None
        return {
            "college": g.college,
            "class": g.class_name,
            "group": g.group_no,
            "groups": g.group_count,
            "size": g.size,
            "done": g.done,
            "absent": g.absent,
            "remaining": g.remaining,
            "cue": g.cue,
            "auto": g.auto,
            "to_call": [f"{short_name(m.name)} ·{student_tag(m.student_no)}" for m in g.to_call],
        }

    if args.json:
        out = {
            "at": snap.taken_at.isoformat(timespec="seconds"),
            "roster": snap.roster,
            "photographed": snap.photographed,
            "absent": snap.absent,
            "remaining": snap.remaining,
            "current": group_dict(snap.current),
            "next": group_dict(snap.next),
            "colleges": [
                {
                    "college": c.college,
                    "roster": c.roster,
                    "photographed": c.photographed,
                    "absent": c.absent,
                    "remaining": c.remaining,
                    "classes": [
                        {"class": k.class_name, "roster": k.roster, "photographed": k.photographed, "absent": k.absent, "remaining": k.remaining,
                         "pending": k.pending}
                        for k in c.classes
                    ],
                }
                for c in colleges
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(_pad(t("学院 / 班级", "college / class"), 28) + t("  名单   已拍   缺席   未拍", "roster   done absent   left"))
    for c in colleges:
        flag = t("  ✓ 已拍完, 请与带队老师核对", "  ✓ done: check with the teacher") if c.complete else ""
        print(f"{_pad(college_label(c.college), 28)}{c.roster:>6}{c.photographed:>7}{c.absent:>7}{c.remaining:>7}{flag}")
        for k in c.classes:
            print(f"{_pad('  ' + k.class_name, 28)}{k.roster:>6}{k.photographed:>7}{k.absent:>7}{k.remaining:>7}")
    print(t(f"合计 名单 {snap.roster} · 已拍 {snap.photographed} · 缺席 {snap.absent} · 未拍 {snap.remaining}",
            f"total roster {snap.roster} · done {snap.photographed} · absent {snap.absent} · left {snap.remaining}")
          + (t(f" · 已拍未确认 {snap.pending}", f" · not confirmed {snap.pending}") if snap.pending else ""))
    cur, nxt = snap.current, snap.next
    if cur is not None:
        auto = t(" (自动)", " (auto)") if cur.auto else ""
        print(t(f"当前组{auto}: {cur.title} 已拍 {cur.done}/{cur.size} 缺席 {cur.absent}",
                f"current group{auto}: {cur.title} done {cur.done}/{cur.size} absent {cur.absent}"))
        if cur.cue:
            print(t(">>> 请叫下一组", ">>> call the next group"))
    if nxt is not None:
        names = "、".join(f"{m.name}({m.student_no})" for m in nxt.to_call)
        print(t(f"下一组: {nxt.title} 要叫 {len(nxt.to_call)} 人: {names}", f"next group: {nxt.title}, {len(nxt.to_call)} to call: {names}"))
    else:
        print(t("没有待叫的组", "nobody left to call"))
    return 0


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal where a Chinese character takes two columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)


def run_missing(args: argparse.Namespace) -> int:
    from app.errors import InputError
    from app.i18n import t
    from app.roll_call.board import college_label

    db, marshal = _snapshot(args)
    with db.session() as s:
        snap = marshal.load(s)
    classes = [
        c
        for c in snap.classes
        if (not args.college or c.college == args.college or college_label(c.college) == args.college)
        and (not args.class_name or c.class_name == args.class_name)
    ]
    if not classes:
        raise InputError(t("没有符合条件的班级", "no class matches"))
    total = 0
    for c in classes:
        rows = c.not_photographed()
        if not rows:
            continue
        print(t(f"{college_label(c.college)} {c.class_name}: 未拍 {c.remaining}, 缺席 {c.absent} (名单 {c.roster})",
                f"{college_label(c.college)} {c.class_name}: left {c.remaining}, absent {c.absent} (roster {c.roster})"))
        for st in rows:
            state = (t(f"缺席: {st.reason}", f"absent: {st.reason}") if st.status == marshal.STATUS_ABSENT else
                     t("已拍未确认", "photographed, not confirmed") if st.status == marshal.STATUS_PENDING else
                     t("未到", "not yet"))
            print(f"  {_pad(st.student_no, 16)}{_pad(st.name, 10)}{st.masked_id}  {t('第', 'group ')}{st.group_no}{t('组', '')}  {state}")
            total += 1
    print(t(f"共 {total} 人未拍", f"{total} not photographed"))
    return 0


def run_absent(args: argparse.Namespace) -> int:
    from app.i18n import t

    db, marshal = _snapshot(args)
    with db.session() as s:
        st = marshal.one_student(s, args.code)
        a = marshal.mark_absent(s, st.id, args.reason, args.text)
        s.commit()
        print(t(f"{st.name} ({st.student_no}) 已标记缺席: {marshal.reason_label(a.reason, a.text)}",
                f"{st.name} ({st.student_no}) marked absent: {marshal.reason_label(a.reason, a.text)}"))
    return 0


def run_present(args: argparse.Namespace) -> int:
    from app.i18n import t

    db, marshal = _snapshot(args)
    with db.session() as s:
        st = marshal.one_student(s, args.code)
        n = marshal.clear_absence(s, st.id)
        s.commit()
    print(t(f"{st.name} ({st.student_no}) 已取消缺席" if n else f"{st.name} 没有缺席记录",
            f"{st.name} ({st.student_no}) is back" if n else f"{st.name} was not marked absent"))
    return 0


def run_call(args: argparse.Namespace) -> int:
    from app.errors import InputError
    from app.i18n import t
    from app.station import local_station

    db, marshal = _snapshot(args)
    with db.session() as s:
        station_id = local_station(s).id
        if args.undo:
            call = marshal.cancel_last_call(s, station_id=station_id)
            s.commit()
            print(t("已撤销上一次叫组" if call else "没有可撤销的叫组", "last call undone" if call else "no call to undo"))
            return 0
        if args.class_name or args.group:
            if not (args.class_name and args.group):
                raise InputError(t("指定组时需要 --class 和 --group", "--class and --group go together"))
            snap = marshal.load(s, station_id)
            matches = snap.classes_named(args.class_name, args.college)
            if len(matches) != 1:
                raise InputError(t(f"班级 {args.class_name} 匹配 {len(matches)} 个 (用 --college 区分)", f"class {args.class_name} matches {len(matches)}"))
            cls = matches[0]
            g = snap.group(cls.college, cls.class_name, args.group)
            if g is None:
                raise InputError(t(f"{cls.class_name} 只有 {cls.group_count} 组", f"{cls.class_name} has {cls.group_count} groups"))
            marshal.call_group(s, g.college, g.class_name, g.group_no, station_id=station_id)
        else:
            g = marshal.call_next(s, station_id=station_id)
            if g is None:
                print(t("没有待叫的组", "nobody left to call"))
                return 0
        s.commit()
    names = "、".join(f"{m.name}({m.student_no})" for m in g.to_call)
    print(t(f"已叫 {g.title}: {len(g.to_call)} 人: {names}", f"called {g.title}: {len(g.to_call)}: {names}"))
    return 0


# --- the timetable and the sheets ----------------------------------------------------------


def _school_name(session, explicit: str | None) -> str:
    from collections import Counter

    from sqlalchemy import select

    from app import settings
    from app.models import Student

    if explicit:
        return explicit
    name = str(settings.get(session, "school.name") or "")
    if name:
        return name
    names = Counter(session.scalars(select(Student.school).where(Student.active.is_(True)).limit(2000)))
    return names.most_common(1)[0][0] if names else ""


def run_plan(args: argparse.Namespace) -> int:
    from datetime import datetime

    from app import settings
    from app.timetable import parse, store
    from app.cli import open_db
    from app.errors import InputError
    from app.i18n import t

    db = open_db(args)
    with db.session() as s:
        if args.replan:
            at = parse.parse_start(args.now) if args.now else datetime.now()
            p, measured = store.replan(
                s, at=at, stations=parse.parse_stations(args.stations), rate=args.rate, breaks=args.breaks, day_end=args.day_end,
                lead=args.lead, max_per_day=args.max_per_day,
            )
            for m in sorted(measured.values(), key=lambda m: m.station_no):
                if m.rate:
                    print(t(f"机位{m.station_no} 实测 {m.rate:.0f} 人/小时 (近 60 分钟 {m.students} 人)",
                            f"station {m.station_no}: measured {m.rate:.0f}/h ({m.students} in the last hour)"))
        else:
            if not args.start:
                raise InputError(t("请用 --start 指定开始时间, 如 --start 2019-03-16T08:00", "--start is required, e.g. 2019-03-16T08:00"))
            p = store.plan_from_roster(
                s,
                start=parse.parse_start(args.start),
                stations=parse.parse_stations(args.stations) or 1,
                rate=args.rate,
                breaks=args.breaks,
                day_end=args.day_end,
                lead=args.lead,
                colleges=args.college,
                classes=args.class_name,
                days=args.days,
                max_per_day=args.max_per_day,
                place=args.place if args.place is not None else (str(settings.get(s, "plan.place") or "") or None),
            )
        school = _school_name(s, args.school)
        if not p.slots:
            print(t("没有剩余的学生需要排期", "nobody left to plan"))
            return 0
        if not args.dry_run:
            store.save_plan(s, p)
            s.commit()
    _print_plan(p)
    from app.timetable import output as plan_output

    if args.out:
        plan_output.write_xlsx(p, args.out, school)
        print(t(f"排期表: {args.out}", f"timetable: {args.out}"))
    if args.pdf:
        plan_output.write_pdf(p, args.pdf, school)
        print(t(f"可打印排期表: {args.pdf}", f"printable timetable: {args.pdf}"))
    if not args.dry_run:
        print(t("已保存为当前排期 (签字表的时间段和候场引导的叫组顺序将按此排期)",
                "kept as the current timetable (sign-in sheets and the marshal's call order follow it)"))
    return 0


def _print_plan(p) -> None:
    from app.i18n import t

    kind = t("重排", "re-plan") if p.kind == "replan" else t("排期", "plan")
    print(t(f"{kind}: {p.students} 人, {len({(x.college, x.class_name) for x in p.slots})} 个班, {p.stations} 个机位, "
            f"从 {p.start:%Y-%m-%d %H:%M} 到 {p.end:%Y-%m-%d %H:%M}",
            f"{kind}: {p.students} students, {len({(x.college, x.class_name) for x in p.slots})} classes, {p.stations} stations, "
            f"{p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M}"))
    for d in p.days:
        for st in range(1, p.stations + 1):
            first, last = p.station_start(st, d), p.station_end(st, d)
            if first is None:
                continue
            print(t(f"  {d:%m-%d} 机位{st}: {first:%H:%M}–{last:%H:%M}, {p.station_students(st, d)} 人 (上限 {p.max_per_day}), {p.rates[st - 1]:.0f} 人/小时",
                    f"  {d:%m-%d} station {st}: {first:%H:%M}–{last:%H:%M}, {p.station_students(st, d)} students at {p.rates[st - 1]:.0f}/h"))
    for w in p.warnings:
        print(t(f"注意: {w}", f"note: {w}"))


def run_sheets(args: argparse.Namespace) -> int:
    from app import audit
    from app.cli import open_db
    from app.i18n import t
    from app.signin_sheets import write_sheets

    db = open_db(args)
    with db.session() as s:
        r = write_sheets(s, args.out, college=args.college, class_name=args.class_name, school=_school_name(s, args.school))
        audit.record(
            s,
            "sign_sheets",
            scope={"college": args.college, "class": args.class_name},
            rows=r.students,
            path=r.path,
            details=f"{r.pages} pages",
        )
        s.commit()
    print(t(f"签字表: {r.path} ({r.pages} 页, {r.classes} 个班, {r.students} 人; {r.with_times} 页带排期时间)",
            f"sign-in sheets: {r.path} ({r.pages} pages, {r.classes} classes, {r.students} students; {r.with_times} with times)"))
    return 0
