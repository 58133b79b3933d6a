"""The handlers of `station report ...`, `station export photos`, `station merge`, `station audit`
(the parsers are in report_cmd.py)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from app import audit, merge, roles
from app.crypto import check_password
from app.db import open_db
from app.delivery_plan import ConflictsBlockDelivery
from app.errors import InputError
from app.i18n import t
from app.models import AuditLog, Shot, SignSheetCount, Station, Student
from app.passwords import get_password
from app.privacy import mask_id
from app.reports import errata, fees, makeup, reconcile, service
from app.reports.signed import check_day, record_signed


def _password(value: str | None, file: str | None = None) -> str | None:
    return check_password(get_password(value, file, confirm=True))


def _db(args: argparse.Namespace):
    return open_db(getattr(args, "db", None))


def run_reconcile(args: argparse.Namespace) -> int:
    password = _password(args.password, args.password_file)
    db = _db(args)
    if getattr(args, "out", None):
        roles.authorize_cli(args, db, "export", scope={"command": "reconcile"})
    with db.session() as s:
        per = service.default_period(s, args.period, day=args.date, since=args.since, until=args.until)
        rec = service.reconcile_report(s, args.out, period=per, college=args.college, class_name=args.class_name,
                                       whole_roster=args.whole_roster, password=password, school=args.school)
    if args.json:
        print(json.dumps(rec.totals_dict(), ensure_ascii=False))
    else:
        print(reconcile.totals_text(rec))
        if args.out:
            print(t(f"已写入 {args.out}", f"written to {args.out}") + (t(" (已加密)", " (encrypted)") if password else ""))
    return 0


def run_errata(args: argparse.Namespace) -> int:
    password = _password(args.password, args.password_file)
    db = _db(args)
    if getattr(args, "out", None):
        roles.authorize_cli(args, db, "export", scope={"command": "errata"})
    with db.session() as s:
        form = service.errata_report(s, args.out, college=args.college, class_name=args.class_name, password=password,
                                     school=args.school)
    kinds = errata.by_kind(form)
    print(
        t(
            f"勘误表: {len(form.rows)} 人 (图像不符 {kinds.get('image_mismatch', 0)}, 身份证号错误 {kinds.get('id_wrong', 0)}, "
            f"其他 {kinds.get('other', 0)}); 交中心 {len(form.centre_rows)} 人, 名单的其他问题 {len(form.school_rows)} 人"
            f"在“学校核对”表 (不交中心), 已写入 {args.out}",
            f"errata: {len(form.rows)} students (photo mismatch {kinds.get('image_mismatch', 0)}, wrong ID "
            f"{kinds.get('id_wrong', 0)}, other {kinds.get('other', 0)}), written to {args.out}",
        )
    )
    return 0


def run_signed(args: argparse.Namespace) -> int:
    day = check_day(args.date)
    db = _db(args)
    with db.session() as s:
        if args.list:
            q = select(SignSheetCount).order_by(SignSheetCount.day, SignSheetCount.college, SignSheetCount.class_name, SignSheetCount.group_no)
            if args.date:
                q = q.where(SignSheetCount.day == day)
            for r in s.scalars(q):
                group = f"第{r.group_no}组" if r.group_no else "全班"
                print(f"{r.day}\t{r.college}\t{r.class_name}\t{group}\t{r.signed_count}")
            return 0
        if not args.class_name or args.count is None:
            raise InputError("需要 --class 和 --count (或 --list)")
        day, college = record_signed(s, class_name=args.class_name, count=args.count, college=args.college,
                                     group=args.group, day=day)
        s.commit()
    group = f"第{args.group}组" if args.group else "全班"
    print(f"{day} {college} {args.class_name} {group}: 签字 {args.count} 人")
    return 0


def run_fees(args: argparse.Namespace) -> int:
    password = _password(args.password)
    db = _db(args)
    with db.session() as s:
        per = service.default_period(s, args.period, day=args.date, since=args.since, until=args.until)
        statements = fees.build(s, per, school=args.school, unit_price=args.unit_price)
        if args.out:
            path = fees.write_xlsx(statements, args.out, password)
            audit.record(s, "report_fees", scope={"period": per.to_dict(), "school": args.school},
                         rows=sum(x.students for x in statements), path=path, encrypted=bool(password))
        if args.pdf:
            path = fees.write_pdf(statements, args.pdf, session=s)
            audit.record(s, "report_fees_letter", scope={"period": per.to_dict(), "school": args.school},
                         rows=sum(x.students for x in statements), path=path)
        s.commit()
    if args.json:
        for line in fees.json_lines(statements):
            print(line)
        return 0
    for st in statements:
        print(t(f"{st.school or '(未填学校)'} {st.period_text()}: 实拍 {st.students} 人 × {st.unit_price} 元 = {st.total} 元"
                + (f" (含名单外 {len(st.unlisted)} 人)" if st.unlisted else ""),
                f"{st.school}: {st.students} photographed × {st.unit_price} = {st.total}"))
    for what, path in ((t("结算表", "workbook"), args.out), (t("费用结算函", "letter"), args.pdf)):
        if path:
            print(t(f"{what}: {path}", f"{what}: {path}"))
    return 0


def run_makeup(args: argparse.Namespace) -> int:
    password = _password(args.password)
    db = _db(args)
    with db.session() as s:
        notice = makeup.build(s, college=args.college, school=args.school)
        if args.out:
            path = makeup.write_xlsx(notice, args.out, password)
            audit.record(s, "report_makeup", scope={"college": args.college, "school": args.school},
                         rows=notice.students, path=path, encrypted=bool(password))
        if args.pdf:
            path = makeup.write_pdf(notice, args.pdf)
            audit.record(s, "report_makeup_notice", scope={"college": args.college, "school": args.school},
                         rows=notice.students, path=path)
        s.commit()
    if args.json:
        print(json.dumps(notice.to_dict(), ensure_ascii=False))
        return 0
    print(t(f"未拍需补拍 {notice.students} 人, {len(notice.colleges)} 个学院; 补拍地点 {notice.address}, 时间 {notice.dates}",
            f"{notice.students} students to photograph at the centre, {len(notice.colleges)} colleges"))
    for c in notice.colleges:
        print(f"  {c.college}: {len(c.students)} 人")
    for what, path in ((t("补拍名单", "list"), args.out), (t("补拍通知", "notice"), args.pdf)):
        if path:
            print(t(f"{what}: {path}", f"{what}: {path}"))
    return 0


def run_export(args: argparse.Namespace) -> int:
    password = _password(args.password, args.password_file)
    db = _db(args)
    if getattr(args, "out", None):
        roles.authorize_cli(args, db, "export", scope={"command": "export"})
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 1.0:
            last[0] = now
            print(f"\r{done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    # Ctrl-C stops between students: what is written stays verified, the next run goes on from there
    cancel = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda *_a: cancel.set())
    try:
        with db.session() as s:
            res = service.export_delivery(
                s, args.out, fmt=args.format, college=args.college, class_name=args.class_name, password=password,
                staging=args.staging, proof_sheets=not args.no_proof,
                progress=progress if sys.stderr.isatty() else None, cancel=cancel,
                school=args.school, allow_conflicts=args.allow_conflicts,
            )
    except ConflictsBlockDelivery as exc:
        # who, before the message: nothing was written (exit 3)
        print(t("合并冲突 (两个机位都选定了照片, 照片编号 机位 拍摄时间 检查结论):",
                "merge conflicts (photos selected on two stations):"))
        for line in exc.lines():
            print("  " + line)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    zip_path, root = res.zip_path, res.out
    if args.json:
        print(json.dumps(res.summary(), ensure_ascii=False))
    else:
        print(
            t(
                f"交付 {res.exported}/{res.students} 人: 新写入照片 {res.written_photos}, 原片 {res.written_originals}, "
                f"已存在且校验一致 {res.unchanged}, 替换 {res.replaced}, 删除过期 {res.removed}; 校对单 {res.proof_sheets} 份",
                f"delivered {res.exported}/{res.students}: wrote {res.written_photos} photos, {res.written_originals} originals, "
                f"{res.unchanged} already in place and verified, {res.replaced} replaced, {res.removed} stale removed; "
                f"{res.proof_sheets} proof sheets",
            )
        )
        if res.pending:
            print(t(f"{len(res.pending)} 人没有有效身份证号, 照片未交付, 放在 待处理/ (学号_姓名.jpg), 需要决定 (原因见清单):",
                    f"{len(res.pending)} students have no valid ID number: not delivered, their photos wait in 待处理/ "
                    f"for a decision (reasons in the manifest):"))
            for p in res.pending[:20]:
                print(f"  {p.student.class_name} {p.student.student_no} {p.student.name}: {p.pending}")
            if len(res.pending) > 20:
                print(f"  ... {len(res.pending) - 20} more")
        if res.conflicts:
            print(t(f"{len(res.conflicts)} 人有合并冲突, 已交付较新的一张 (--allow-conflicts); 请用 station merge --decide 决定:",
                    f"{len(res.conflicts)} merge conflicts: the newest photo was delivered (--allow-conflicts); "
                    f"decide with station merge --decide:"))
            for p in res.conflicts:
                print(f"  {p.student.class_name} {p.student.student_no} {p.student.name}")
                for c in p.conflict:
                    print(f"      {c}")
        if res.size_out_of_range:
            print(t(f"{res.size_out_of_range} 张照片大小不在交付范围内 (见清单)", f"{res.size_out_of_range} photos outside the size range"))
        for p in res.failed[:20]:
            print(t(f"未导出 {p.student.class_name} {p.student.student_no} {p.student.name}: {p.error}",
                    f"not exported {p.student.class_name} {p.student.student_no} {p.student.name}: {p.error}"), file=sys.stderr)
        if len(res.failed) > 20:
            print(f"... {len(res.failed) - 20} more", file=sys.stderr)
        if zip_path is not None:
            print(t(f"加密压缩包: {zip_path}" + ("" if res.zip_written else " (未变, 未重写)"),
                    f"encrypted archive: {zip_path}" + ("" if res.zip_written else " (unchanged)")))
        else:
            print(t(f"输出: {root}", f"output: {root}"))
    return 1 if res.failed else 3 if res.pending else 0


def run_merge(args: argparse.Namespace) -> int:
    target = open_db(args.into) if args.into else _db(args)
    try:
        if args.decide:
            with target.session() as s:
                for ref in args.decide:
                    sel = merge.choose(s, ref)
                    audit.record(s, "merge_choose", scope={"shot": ref}, rows=1)
                    st = s.get(Student, sel.student_id)
                    print(t(f"已决定: {st.school} {st.class_name} {st.student_no} {st.name} → {ref}",
                            f"decided: {st.student_no} → {ref}"))
                s.commit()
                left = len(merge.open_conflicts(s))
            print(t(f"还有 {left} 人待决定", f"{left} left to decide"))
            return 0
        if args.conflicts or args.choose:
            with target.session() as s:
                if args.choose:
                    sel = merge.choose(s, args.choose)
                    audit.record(s, "merge_choose", scope={"shot": args.choose}, rows=1)
                    s.commit()
                    st = s.get(Student, sel.student_id)
                    print(t(f"已选定: {st.class_name} {st.student_no} {st.name}", f"selected for {st.student_no}"))
                    return 0
                conflicts = merge.open_conflicts(s)
                for c in conflicts:
                    st = s.get(Student, c.student_id)
                    print(f"{st.school}\t{st.class_name}\t{st.student_no}\t{st.name}\t{mask_id(st.id_number)}")
                    for label, shot_id in (("保留", c.kept_shot_id), ("另一", c.other_shot_id)):
                        shot = s.get(Shot, shot_id)
                        station = s.get(Station, shot.station_id)
                        print(f"    {label}: {shot.uid[:12]}  {station.name}  {shot.taken_at:%Y-%m-%d %H:%M}  "
                              f"{shot.qc_verdict or '-'}  {shot.path}")
                print(t(f"待决定 {len(conflicts)} 人; 用 station merge --decide 照片编号... 决定 (每人一张)",
                        f"{len(conflicts)} to decide; use station merge --decide SHOT..."))
                return 0
        if not args.sources:
            raise InputError("请给出要合并的数据库文件 (或 --conflicts / --decide)")
        results = merge.merge_files(
            target,
            args.sources,
            copy_photos=not args.no_copy_photos,
            photo_store=Path(args.photos_dir) if args.photos_dir else None,
            photo_roots=[Path(d) for d in args.photos_from],
        )
    finally:
        target.dispose()
    for r in results:
        if args.json:
            print(json.dumps(r.summary(), ensure_ascii=False))
            continue
        print(
            t(
                f"{r.source}: 新机位 {r.stations}, 学生 匹配 {r.students_matched} 新增 {r.students_added}, "
                f"照片 新增 {r.shots_added} 已有 {r.shots_known} 复制 {r.photos_copied}, 选定 新增 {r.selections_added}, "
                f"冲突 {r.conflicts}, 缺席 {r.absences_added}, 数据问题 {r.issues_added}, 签字人数 {r.sign_counts_added}",
                f"{r.source}: {r.stations} new stations, students matched {r.students_matched} added {r.students_added}, "
                f"shots added {r.shots_added} known {r.shots_known} copied {r.photos_copied}, selections added "
                f"{r.selections_added}, conflicts {r.conflicts}, absences {r.absences_added}, issues {r.issues_added}, "
                f"sign counts {r.sign_counts_added}",
            )
        )
        if r.multi_station_students:
            print(t(f"  在多个机位拍摄过的学生: {r.multi_station_students}", f"  students shot on several stations: {r.multi_station_students}"))
            for line in r.multi_station[:30]:
                print(f"    {line}")
            if len(r.multi_station) > 30:
                print(f"    ... {len(r.multi_station) - 30}")
        if r.photos_missing:
            print(t(f"  找不到照片文件 {len(r.photos_missing)} 张, 例如 {r.photos_missing[0]}",
                    f"  {len(r.photos_missing)} photo files not found, e.g. {r.photos_missing[0]}"), file=sys.stderr)
        if r.photos_refused:
            print(t(f"  {len(r.photos_refused)} 个照片路径在源数据库文件夹之外, 未读取: {r.photos_refused[0]}"
                    " (照片确实在别处时, 用 --photos-from 文件夹 允许)",
                    f"  {len(r.photos_refused)} photo paths lie outside the source's folder and were not read: "
                    f"{r.photos_refused[0]} (allow a folder with --photos-from DIR)"), file=sys.stderr)
        if r.not_taken:
            print(t(f"  {len(r.not_taken)} 行与本库同编号但内容不同, 保留本库的, 未采用:",
                    f"  {len(r.not_taken)} rows have a known uid but other data; ours kept, theirs not taken:"),
                  file=sys.stderr)
            for line in r.not_taken[:20]:
                print(f"    {line}", file=sys.stderr)
            if len(r.not_taken) > 20:
                print(f"    ... {len(r.not_taken) - 20}", file=sys.stderr)
        for c in r.sign_count_conflicts:
            print(t(f"  签字人数不一致 (保留已有): {c}", f"  sign count differs (kept ours): {c}"), file=sys.stderr)
    if any(r.conflicts for r in results):
        print(t("两个机位都为同一学生选定了照片: station merge --conflicts 查看", "conflicting selections: see station merge --conflicts"))
    return 0


def run_audit(args: argparse.Namespace) -> int:
    db = _db(args)
    with db.session() as s:
        q = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(args.limit)
        if args.action:
            q = q.where(AuditLog.action == args.action)
        rows = list(s.scalars(q))
    for r in rows:
        if args.json:
            print(
                json.dumps(
                    {
                        "at": r.at.isoformat(sep=" "),
                        "actor": r.actor,
                        "action": r.action,
                        "scope": json.loads(r.scope) if r.scope else None,
                        "rows": r.rows,
                        "path": r.path,
                        "sha256": r.file_sha256,
                        "encrypted": r.encrypted,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            enc = "加密" if r.encrypted else "明文"
            sha = (r.file_sha256 or "")[:12]
            print(f"{r.at:%Y-%m-%d %H:%M:%S}  {r.actor}  {r.action}  {r.rows if r.rows is not None else '-'} 行  {enc}  "
                  f"{sha}  {r.path or ''}")
    return 0
