"""`station plan` and `station sheets`: the timetable (xlsx, PDF, re-plan) and the sign-in sheets (the parsers
are in marshal_cmd.py)."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime

from sqlalchemy import select

from app import audit, settings
from app.db import open_db
from app.errors import InputError
from app.i18n import t
from app.models import Student
from app.signin_sheets import write_sheets
from app.timetable import output as plan_output
from app.timetable import parse, store


def _school_name(session, explicit: str | None) -> str:
    if explicit:
        return explicit
    name = str(settings.get(session, "school.name") or "")
    if name:
        return name
    names = Counter(session.scalars(select(Student.school).where(Student.active.is_(True)).limit(2000)))
    return names.most_common(1)[0][0] if names else ""


def run_plan(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
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
    db = open_db(getattr(args, "db", None))
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
