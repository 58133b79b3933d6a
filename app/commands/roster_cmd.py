"""`station roster check|import|colleges` and `station find`.

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
import json
import sys

# Show progress on stderr for rosters at least this large (rows) or this heavy (bytes).
PROGRESS_ROWS = 5000
PROGRESS_BYTES = 1 << 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("roster", help="名单检查与导入 / roster check and import")
    rsub = p.add_subparsers(dest="roster_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    c = rsub.add_parser("check", help="只检查不导入 / read and validate without importing")
    c.add_argument("file", metavar="FILE", help="xlsx / xls / csv")
    c.add_argument("--password", metavar="PW", help="工作簿密码 (- 表示交互输入) / workbook password (- to prompt)")
    c.add_argument("--password-file", metavar="FILE", help="从文件读工作簿密码 (或 STATION_PASSWORD_FILE) / read the password from a file")
    c.add_argument("--json", action="store_true", help="每行一个 JSON 问题 / one JSON finding per line")
    c.set_defaults(func=run_check)

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
    i.set_defaults(func=run_import)

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
    g.set_defaults(func=run_colleges)

    f = sub.add_parser("find", help="查找学生 / find a student")
    f.add_argument("query", metavar="QUERY", help="学号、身份证号(或后6位)、考生号、姓名或拼音首字母")
    f.add_argument("--limit", type=int, default=20)
    f.add_argument("--exact", action="store_true", help="只按扫码的完整号码查 / whole scanned code only")
    f.add_argument("--json", action="store_true", help="每行一个 JSON / one JSON object per line")
    f.set_defaults(func=run_find)


def _password(args: argparse.Namespace) -> str | None:
    from app.passwords import get_password

    return get_password(getattr(args, "password", None), getattr(args, "password_file", None), use_env=False)


def _progress_printer(file_size: int):
    from app.i18n import t

    shown = {"on": file_size >= PROGRESS_BYTES}
    labels = {
        "read": t("读取名单…", "reading the roster…"),
        "check": t("检查 {total} 行…", "checking {total} rows…"),
        "write": t("写入数据库 {total} 行…", "writing {total} rows to the database…"),
        "done": t("完成", "done"),
    }

    def progress(stage: str, done: int, total: int) -> None:
        if total >= PROGRESS_ROWS:
            shown["on"] = True
        if shown["on"]:
            print(labels[stage].format(done=done, total=total), file=sys.stderr, flush=True)

    return progress


def _print_findings(findings, out=None) -> None:
    from app.i18n import t
    from app.roster.fields import label

    for f in findings:
        sev = t("错误", "error") if f.severity == "error" else t("警告", "warning")
        print(t(f"第{f.row}行", f"row {f.row}") + f"  {label(f.field)}  {sev}  {f.code}  {f.message}", file=out or sys.stdout)


def run_check(args: argparse.Namespace) -> int:
    from app.i18n import t
    from app.roster import check_roster

    checked = check_roster(args.file, _password(args))
    if args.json:
        for note in checked.raw.notes:
            print(note, file=sys.stderr)
        out = sys.stdout
        for f in checked.findings:
            out.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
        return 0
    for note in checked.raw.notes:
        print(note)
    _print_findings(checked.findings)
    print(
        t(
            f"学生 {checked.n} 人;错误 {checked.errors} 处(涉及 {len(checked.error_rows)} 行),警告 {checked.warnings} 处",
            f"{checked.n} students; {checked.errors} errors (on {len(checked.error_rows)} rows), {checked.warnings} warnings",
        )
    )
    return 0


def _default_report_path(roster: str):
    import os
    from pathlib import Path

    from app.i18n import t

    # Beside the roster (where the coordinator will look for it), unless that folder is read-only.
    src = Path(roster).expanduser().resolve()
    folder = src.parent if os.access(src.parent, os.W_OK) else Path.cwd()
    return folder / (src.stem + t("-问题报告.xlsx", "-findings.xlsx"))


def run_import(args: argparse.Namespace) -> int:
    import os

    from app.cli import open_db
    from app.i18n import t
    from app.roster import import_roster, write_report

    password = _password(args)
    try:
        size = os.path.getsize(args.file)
    except OSError:
        size = 0
    from app.roster import RemovalNeedsConfirmation

    db = open_db(args)
    from app import roles

    roles.authorize_cli(args, db, "roster_import", scope={"file": os.path.basename(str(args.file))})
    with db.session() as s:
        try:
            result = import_roster(s, args.file, password=password, progress=_progress_printer(size),
                                   replace=args.replace)
        except RemovalNeedsConfirmation as exc:
            # who would be dropped, before the message (the command exits 3, nothing written)
            print(t("新名单中没有的学生 (学校 学院 班级 学号 姓名):", "students the new roster no longer lists:"))
            for line in exc.lines(limit=200):
                print("  " + line)
            raise
    checked = result.checked
    report_path = None
    if not args.no_report and (checked.findings or args.report):
        report_path = args.report or _default_report_path(args.file)
        encrypt = password if checked.raw.encrypted else None
        write_report(checked, report_path, password=encrypt)
    if args.json:
        summary = result.summary() | {"report": str(report_path) if report_path else None, "seconds": round(result.seconds, 3)}
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    for note in checked.raw.notes:
        print(note)
    print(
        t(
            f"读取 {result.rows_read} 行;新增 {result.imported} 人,更新 {result.updated} 人,未变 {result.unchanged} 人",
            f"rows read {result.rows_read}; imported {result.imported}, updated {result.updated}, unchanged {result.unchanged}",
        )
    )
    print(
        t(
            f"有错误 {result.flagged} 人(共 {result.errors} 处),只有警告 {result.warned} 人(警告共 {result.warnings} 处)",
            f"flagged with errors {result.flagged} ({result.errors} errors), warnings only {result.warned} "
            f"({result.warnings} warnings)",
        )
    )
    for school in result.new_schools:
        print(t(f"新学校: {school} (与已有学校的学生分开, 学号相同也不合并)",
                f"new school: {school} (kept apart from the other schools' students, even with the same numbers)"))
    if result.deactivated or result.reactivated:
        print(
            t(
                f"新名单中已没有的 {result.deactivated} 人已标记为移出名单(保留其照片和记录);重新列入 {result.reactivated} 人",
                f"{result.deactivated} students no longer listed marked inactive (photos and records kept); "
                f"{result.reactivated} listed again",
            )
        )
    if report_path:
        enc = t(",已用名单密码加密", ", encrypted with the roster's password") if checked.raw.encrypted and password else ""
        print(t(f"问题报告: {report_path}{enc}", f"findings report: {report_path}{enc}"))
    elif not checked.findings:
        print(t("名单没有发现问题", "no problems found in the roster"))
    print(t(f"用时 {result.seconds:.2f} 秒", f"took {result.seconds:.2f} s"), file=sys.stderr)
    return 0


def run_colleges(args: argparse.Namespace) -> int:
    from app.cli import open_db
    from app.errors import StationError
    from app.i18n import t
    from app.roster.colleges import apply_college_map, college_overview, read_college_map

    mapping: dict[str, str] = {}
    if args.file:
        read, notes = read_college_map(args.file, _password(args))
        for n in notes:
            print(n)
        mapping.update(read)
    for item in args.set:
        major, sep, college = item.partition("=")
        if not sep or not major.strip() or not college.strip():
            raise StationError(t(f"--set 需要“专业=学院”: {item}", f"--set needs MAJOR=COLLEGE: {item}"), exit_code=2)
        mapping[major.strip()] = college.strip()
    db = open_db(args)
    with db.session() as s:
        if mapping:
            stored, updated = apply_college_map(s, mapping, overwrite=args.overwrite)
            s.commit()
            print(t(f"保存 {stored} 个专业的学院;更新 {updated} 名学生", f"{stored} majors mapped; {updated} students updated"))
        rows, without = college_overview(s)
    current = None
    for college, major, count in rows:
        if college != current:
            print(college)
            current = college
        print(f"  {major}  {count}")
    if without:
        print(t("没有学院的专业:", "majors without a college:"))
        for major, count in without:
            print(f"  {major}  {count}")
    return 0


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def _open_for_reading(args: argparse.Namespace):
    from app.cli import open_db

    return open_db(args)


def run_find(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from app.errors import NotFound
    from app.i18n import t
    from app.models import Selection, Shot
    from app.search import lookup_exact, search, student_summary

    db = _open_for_reading(args)
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
