"""`station marshal status|missing|absent|present|call` and `station phone`: the marshal's headless actions and
the phone page without a window (the parsers are in marshal_cmd.py)."""

from __future__ import annotations

import argparse
import json
import time
import unicodedata

from app import settings
from app.db import open_db
from app.errors import InputError
from app.i18n import t
from app.phone import PhoneServer
from app.phone_page import student_tag
from app.privacy import short_name
from app.roll_call import board
from app.roll_call.groups import college_label
from app.station import local_station


# --- the phone page ---------------------------------------------------------------------


def run_phone(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        port = args.port if args.port is not None else int(settings.get(s, "phone.port"))
        local = board.local_station_row(s)
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


def run_status(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        snap = board.load(s)
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
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)


def run_missing(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        snap = board.load(s)
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
            state = (t(f"缺席: {st.reason}", f"absent: {st.reason}") if st.status == board.STATUS_ABSENT else
                     t("已拍未确认", "photographed, not confirmed") if st.status == board.STATUS_PENDING else
                     t("未到", "not yet"))
            print(f"  {_pad(st.student_no, 16)}{_pad(st.name, 10)}{st.masked_id}  {t('第', 'group ')}{st.group_no}{t('组', '')}  {state}")
            total += 1
    print(t(f"共 {total} 人未拍", f"{total} not photographed"))
    return 0


def run_absent(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        st = board.one_student(s, args.code)
        a = board.mark_absent(s, st.id, args.reason, args.text)
        s.commit()
        print(t(f"{st.name} ({st.student_no}) 已标记缺席: {board.reason_label(a.reason, a.text)}",
                f"{st.name} ({st.student_no}) marked absent: {board.reason_label(a.reason, a.text)}"))
    return 0


def run_present(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        st = board.one_student(s, args.code)
        n = board.clear_absence(s, st.id)
        s.commit()
    print(t(f"{st.name} ({st.student_no}) 已取消缺席" if n else f"{st.name} 没有缺席记录",
            f"{st.name} ({st.student_no}) is back" if n else f"{st.name} was not marked absent"))
    return 0


def run_call(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        station_id = local_station(s).id
        if args.undo:
            call = board.cancel_last_call(s, station_id=station_id)
            s.commit()
            print(t("已撤销上一次叫组" if call else "没有可撤销的叫组", "last call undone" if call else "no call to undo"))
            return 0
        if args.class_name or args.group:
            if not (args.class_name and args.group):
                raise InputError(t("指定组时需要 --class 和 --group", "--class and --group go together"))
            snap = board.load(s, station_id)
            matches = snap.classes_named(args.class_name, args.college)
            if len(matches) != 1:
                raise InputError(t(f"班级 {args.class_name} 匹配 {len(matches)} 个 (用 --college 区分)", f"class {args.class_name} matches {len(matches)}"))
            cls = matches[0]
            g = snap.group(cls.college, cls.class_name, args.group)
            if g is None:
                raise InputError(t(f"{cls.class_name} 只有 {cls.group_count} 组", f"{cls.class_name} has {cls.group_count} groups"))
            board.call_group(s, g.college, g.class_name, g.group_no, station_id=station_id)
        else:
            g = board.call_next(s, station_id=station_id)
            if g is None:
                print(t("没有待叫的组", "nobody left to call"))
                return 0
        s.commit()
    names = "、".join(f"{m.name}({m.student_no})" for m in g.to_call)
    print(t(f"已叫 {g.title}: {len(g.to_call)} 人: {names}", f"called {g.title}: {len(g.to_call)}: {names}"))
    return 0
