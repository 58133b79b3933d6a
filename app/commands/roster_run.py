"""`station roster check|import|colleges`: the handlers (the parser is roster_cmd.py; `station find` is find_run.py).

Output formats are stable (scripts and tests read them): see roster_cmd.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app import roles
from app.db import open_db
from app.errors import StationError
from app.i18n import t
from app.passwords import get_password
from app.roster.importer import RemovalNeedsConfirmation, check_roster, import_roster
from app.roster.report import write_report
from app.roster.colleges import apply_college_map, college_overview, read_college_map
from app.roster.fields import label

# Show progress on stderr for rosters at least this large (rows) or this heavy (bytes).
PROGRESS_ROWS = 5000
PROGRESS_BYTES = 1 << 20


def _open(args: argparse.Namespace):
    """The database named by --db / STATION_DB, migrated to the newest schema."""
    return open_db(getattr(args, "db", None))


def _password(args: argparse.Namespace) -> str | None:
    return get_password(getattr(args, "password", None), getattr(args, "password_file", None), use_env=False)


def _progress_printer(file_size: int):
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
    for f in findings:
        sev = t("错误", "error") if f.severity == "error" else t("警告", "warning")
        print(t(f"第{f.row}行", f"row {f.row}") + f"  {label(f.field)}  {sev}  {f.code}  {f.message}", file=out or sys.stdout)


def run_check(args: argparse.Namespace) -> int:
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
    # Beside the roster (where the coordinator will look for it), unless that folder is read-only.
    src = Path(roster).expanduser().resolve()
    folder = src.parent if os.access(src.parent, os.W_OK) else Path.cwd()
    return folder / (src.stem + t("-问题报告.xlsx", "-findings.xlsx"))


def run_import(args: argparse.Namespace) -> int:
    password = _password(args)
    try:
        size = os.path.getsize(args.file)
    except OSError:
        size = 0

    db = _open(args)
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
    db = _open(args)
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
