"""`station find`: the handler (the parser is roster_cmd.py). Kept apart from roster_run.py so that
`station find` starts without the roster reader and import."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from sqlalchemy import func, select

from app.db import open_db
from app.errors import NotFound
from app.i18n import t
from app.models import Selection, Shot
from app.search import lookup_exact, search, student_summary


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def run_find(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        found = lookup_exact(s, args.query) if args.exact else search(s, args.query, limit=args.limit)
        if not found:
            raise NotFound(t(f"没有找到: {args.query}", f"no student matches: {args.query}"))
        if getattr(found, "note", ""):
            print(found.note, file=sys.stderr)
        ids = [st.id for st in found]
        shots = dict(s.execute(select(Shot.student_id, func.count()).where(Shot.student_id.in_(ids)).group_by(Shot.student_id)).all())
        chosen = set(s.scalars(select(Selection.student_id).where(Selection.student_id.in_(ids))))
        rows = []
        for st in found:
            d = student_summary(st)
            d["shots"] = shots.get(st.id, 0)
            d["selected"] = st.id in chosen
            rows.append(d)
    if args.json:
        for d in rows:
            print(json.dumps(d, ensure_ascii=False))
        return 0
    head = [t("学号", "Student no."), t("姓名", "Name"), t("性别", "Sex"), t("学院", "College"), t("专业", "Major"),
            t("班级", "Class"), t("身份证号", "ID number"), t("考生号", "Exam no."), t("状态", "Status")]
    several = len({d["school"] for d in rows}) > 1  # schools number independently: say whose student each is
    if several:
        head.insert(0, t("学校", "School"))
    table = [head]
    for d in rows:
        status = []
        if d["selected"]:
            status.append(t("已拍", "photographed"))
        elif d["shots"]:
            status.append(t(f"已拍{d['shots']}张未选定", f"{d['shots']} shots, none chosen"))
        if d["has_error"]:
            status.append(t("名单有误", "roster problem"))
        if not d["active"]:
            status.append(t("已移出名单", "no longer listed"))
        if d["unlisted"]:
            status.append(t("名单外", "not on the roster"))
        table.append([d["school"]] * several + [d["student_no"], d["name"], d["gender"], d["college"], d["major"],
                                                d["class_name"], d["id_number"], d["exam_no"], ",".join(status)])
    widths = [max(_width(r[k]) for r in table) for k in range(len(head))]
    for r in table:
        print("  ".join(_pad(v, w) for v, w in zip(r, widths)).rstrip())
    return 0
