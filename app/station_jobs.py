"""The long jobs the photographer's window starts from its menus, headless.

Roster import, the reconciliation, the errata form and the photo delivery:
each function opens its own database session, calls the same service the
`station` command calls (``app.roster.importer``, ``app.reports.service``),
and returns a :class:`JobResult` with the lines to show, in the station's
language, and the file or folder written. The window runs them in a worker
thread and only shows the result. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import audit, merge
from app.errors import InputError, PasswordNeeded  # noqa: F401  (PasswordNeeded: callers catch it from here)
from app.export import ConflictsBlockDelivery
from app.i18n import t
from app.models import Selection, Shot, Station, Student
from app.reports import errata as er
from app.reports import reconcile as rc
from app.reports import service
from app.roster.importer import RemovalNeedsConfirmation
from app.roster.report import write_report
from app.roster.importer import import_roster as do_import

# Sub-folder of the station's work folder (beside the capture folder) where reports go unless the user says.
REPORTS_FOLDER = "reports"
PERIOD_CHOICES = ("half", "morning", "afternoon", "day")
_PERIOD_ZH = {"morning": "上午", "afternoon": "下午", "day": "全天"}


@dataclass(frozen=True)
class JobResult:
    title: str
    lines: tuple[str, ...]
    path: Path | None = None  # the file or folder written
    report: Path | None = None  # a second file worth opening (the roster's findings report)
    ok: bool = True  # False: done, but with failures the lines name
    counts: dict[str, Any] | None = None  # the figures, for tests and scripts
    data: Any = None  # the service's own result
    confirm: str | None = None  # nothing was done: ask this, then run the job again confirmed (a roster's removals)

    def text(self) -> str:
        return "\n".join(self.lines)


def reports_folder(capture_folder: str | Path) -> Path:
    return Path(capture_folder).expanduser().resolve().parent / REPORTS_FOLDER


def suggested_outputs(db, folder: str | Path, *, today: date | None = None) -> dict[str, Path]:
    """Where each job writes unless the user chooses: ``reconcile:<period>``, ``errata``, ``delivery``."""
    folder = Path(folder)
    day = (today or date.today()).isoformat()
    out: dict[str, Path] = {}
    with db.session() as s:
        for name in PERIOD_CHOICES:
            per = service.default_period(s, name, day=day)
            kind = _PERIOD_ZH.get(per.kind, per.kind)
            out[f"reconcile:{name}"] = folder / f"对账表_{day}_{kind}.xlsx"
    out["errata"] = folder / f"勘误表_{day}.xlsx"
    out["delivery"] = folder / f"照片交付_{day}"
    return out


# --- reports -----------------------------------------------------------------------------


def reconcile(db, out: str | Path, *, period: str = "half", day: str | date | None = None,
              password: str | None = None) -> JobResult:
    """The reconciliation workbook for ``period`` (half / morning / afternoon / day) of ``day`` (today),
    and its printed totals."""
    out = _prepare(out)
    with db.session() as s:
        per = service.default_period(s, period, day=day.isoformat() if isinstance(day, date) else day)
        rec = service.reconcile_report(s, out, period=per, password=password, default_current_school=True)
    lines = rc.totals_text(rec, cli_hints=False).splitlines()
    lines.append(_written(out, password))
    return JobResult(t("对账表", "Reconciliation"), tuple(lines), out, counts=rec.totals_dict(), data=rec)


def errata(db, out: str | Path, *, password: str | None = None) -> JobResult:
    """The errata form of attachment 3 (勘误反馈表)."""
    out = _prepare(out)
    with db.session() as s:
        form = service.errata_report(s, out, password=password, default_current_school=True)
    kinds = er.by_kind(form)
    counts = {"rows": len(form.rows), "centre": len(form.centre_rows), "school": len(form.school_rows),
              **{k: kinds.get(k, 0) for k in ("image_mismatch", "id_wrong", "other")}}
    lines = (
        t(f"勘误表: {counts['rows']} 人 (图像不符 {counts['image_mismatch']}, 身份证号错误 {counts['id_wrong']}, "
          f"其他 {counts['other']}); 交中心 {counts['centre']} 人, 其他问题在“学校核对”表",
          f"errata: {counts['rows']} students (photo mismatch {counts['image_mismatch']}, wrong ID "
          f"{counts['id_wrong']}, other {counts['other']})"),
        _written(out, password),
    )
    return JobResult(t("勘误表", "Errata form"), lines, out, counts=counts, data=form)


def deliver(db, out: str | Path, *, password: str | None = None,
            progress: Callable[[int, int], None] | None = None, cancel=None) -> JobResult:
    """The photo delivery into folder ``out`` (with a password: the AES zip ``out``.zip).

    The school being shot, where the database holds several. Undecided merge
    conflicts deliver nothing: the result lists them (``ok`` False).
    ``cancel`` (a ``threading.Event``) stops it between students (``app.export.ExportCancelled``)."""
    out = Path(out).expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    with db.session() as s:
        try:
            res = service.export_delivery(s, out, password=password, progress=progress, cancel=cancel,
                                          default_current_school=True)
        except ConflictsBlockDelivery as exc:
            lines = (exc.message, *exc.lines())
            return JobResult(t("照片交付: 有合并冲突", "Photo delivery: merge conflicts"), lines, None, ok=False,
                             counts={"conflicts": len(exc.rows)}, data=exc)
    lines = [
        t(f"交付 {res.exported}/{res.students} 人: 新写入照片 {res.written_photos}, 原片 {res.written_originals}, "
          f"已存在且校验一致 {res.unchanged}, 替换 {res.replaced}, 删除过期 {res.removed}; 校对单 {res.proof_sheets} 份",
          f"delivered {res.exported}/{res.students}: wrote {res.written_photos} photos, {res.written_originals} "
          f"originals, {res.unchanged} already in place and verified, {res.replaced} replaced, {res.removed} stale "
          f"removed; {res.proof_sheets} proof sheets"),
    ]
    if res.school:
        lines.insert(0, t(f"学校: {res.school}", f"school: {res.school}"))
    if res.pending:
        lines.append(t(f"{len(res.pending)} 人没有有效身份证号, 照片未交付, 放在 待处理/ 等待决定 (原因见清单)",
                       f"{len(res.pending)} students have no valid ID number: not delivered, their photos wait in "
                       f"待处理/ for a decision (see the manifest)"))
        for p in res.pending[:20]:
            lines.append(f"  {p.student.class_name} {p.student.student_no} {p.student.name}: {p.pending}")
    if res.size_out_of_range:
        lines.append(t(f"{res.size_out_of_range} 张照片大小不在交付范围内 (见清单)",
                       f"{res.size_out_of_range} photos outside the size range (see the manifest)"))
    for p in res.failed[:20]:
        lines.append(t(f"未导出 {p.student.class_name} {p.student.student_no} {p.student.name}: {p.error}",
                       f"not exported {p.student.class_name} {p.student.student_no} {p.student.name}: {p.error}"))
    if len(res.failed) > 20:
        lines.append(t(f"… 另有 {len(res.failed) - 20} 人未导出", f"… {len(res.failed) - 20} more not exported"))
    where = res.zip_path or res.out
    lines.append(t(f"加密压缩包: {where}", f"encrypted archive: {where}") if res.zip_path
                 else t(f"输出文件夹: {where}", f"output folder: {where}"))
    return JobResult(t("照片交付", "Photo delivery"), tuple(lines), Path(where), ok=not res.failed and not res.pending,
                     counts=res.summary(), data=res)


# --- the roster ------------------------------------------------------------------------------


def import_roster(db, path: str | Path, *, password: str | None = None, report_dir: str | Path | None = None,
                  progress: Callable[[str, int, int], None] | None = None, replace: bool = False) -> JobResult:
    """Import a roster file; write its findings report (encrypted like the roster) when it has findings.

    Raises :class:`PasswordNeeded` when the workbook is encrypted and no
    password, or a wrong one, was given. A roster that would mark more than a
    few students of a school as removed imports nothing and returns a result
    with ``confirm`` set and the students in its lines; run it again with
    ``replace=True`` once the user confirmed.
    """
    path = Path(path).expanduser()
    with db.session() as s:
        try:
            result = do_import(s, path, password=password, progress=progress, replace=replace)
        except RemovalNeedsConfirmation as exc:
            lines = (exc.message, t("新名单中没有的学生:", "students the new roster no longer lists:"),
                     *exc.lines(limit=50))
            question = t(f"确认这份名单替换原名单, 把以上 {len(exc.removals)} 名学生标记为移出名单?",
                         f"Does this roster replace the list? Mark these {len(exc.removals)} students as no longer listed?")
            return JobResult(t("名单导入: 需要确认", "Roster import: confirm"), lines, path, ok=False,
                             counts={"to_remove": len(exc.removals)}, data=exc, confirm=question)
    checked = result.checked
    report = None
    if checked.findings:
        folder = Path(report_dir) if report_dir else path.parent
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / (path.stem + t("-问题报告.xlsx", "-findings.xlsx"))
        write_report(checked, report, password=password if checked.raw.encrypted else None)
    error_rows = len(checked.error_rows)
    lines = [
        t(f"读取 {result.rows_read} 行; 新增 {result.imported} 人, 更新 {result.updated} 人, 未变 {result.unchanged} 人",
          f"rows read {result.rows_read}; imported {result.imported}, updated {result.updated}, "
          f"unchanged {result.unchanged}"),
        t(f"有错误的行: {error_rows} 行 (共 {result.errors} 处错误, 涉及 {result.flagged} 名学生); "
          f"只有警告的学生 {result.warned} 人 (警告 {result.warnings} 处)",
          f"rows with errors: {error_rows} ({result.errors} errors, {result.flagged} students); "
          f"warnings only: {result.warned} students ({result.warnings} warnings)"),
    ]
    for school in result.new_schools:
        lines.append(t(f"新学校: {school} (与已有学校的学生分开, 学号相同也不合并)",
                       f"new school: {school} (kept apart from the other schools' students)"))
    if result.deactivated or result.reactivated:
        lines.append(t(f"新名单中已没有的 {result.deactivated} 人已标记为移出名单 (保留其照片和记录); "
                       f"重新列入 {result.reactivated} 人",
                       f"{result.deactivated} no longer listed marked inactive (photos and records kept); "
                       f"{result.reactivated} listed again"))
    lines += list(checked.raw.notes)
    if report is not None:
        enc = t(" (已用名单密码加密)", " (encrypted with the roster's password)") if checked.raw.encrypted and password else ""
        lines.append(t(f"问题报告: {report}{enc}", f"findings report: {report}{enc}"))
    else:
        lines.append(t("名单没有发现问题", "no problems found in the roster"))
    counts = result.summary() | {"error_rows": error_rows}
    return JobResult(t("名单导入", "Roster import"), tuple(lines), path, report=report, counts=counts, data=result)


# --- merge conflicts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictPhoto:
    shot_uid: str
    label: str  # 照片编号 机位 时间 检查结论
    path: str
    selected: bool  # the one the merge kept for now


@dataclass(frozen=True)
class Conflict:
    """A student with photos selected on two stations (``station merge``), waiting for a decision."""

    student: str  # 学校 学院 班级 学号 姓名
    photos: tuple[ConflictPhoto, ...]


def merge_conflicts(db) -> list[Conflict]:
    """The undecided merge conflicts, for the window's list (the same as ``station merge --conflicts``)."""
    out = []
    with db.session() as s:
        by_student: dict[int, list[int]] = {}
        for c in merge.open_conflicts(s):
            ids = by_student.setdefault(c.student_id, [])
            ids.extend(i for i in (c.kept_shot_id, c.other_shot_id) if i not in ids)
        for sid, shot_ids in by_student.items():
            st = s.get(Student, sid)
            chosen = s.scalar(select_shot_of(sid))
            photos = []
            for shot_id in shot_ids:
                shot = s.get(Shot, shot_id)
                station = s.get(Station, shot.station_id)
                photos.append(ConflictPhoto(shot.uid, f"{shot.uid[:12]}  {station.name if station else '?'}  "
                                            f"{shot.taken_at:%Y-%m-%d %H:%M}  {shot.qc_verdict or '-'}",
                                            shot.path, shot.id == chosen))
            college = st.college or ""
            out.append(Conflict(f"{st.school} {college} {st.class_name} {st.student_no} {st.name}".replace("  ", " "),
                                tuple(photos)))
    return out


def select_shot_of(student_id: int):
    return select(Selection.shot_id).where(Selection.student_id == student_id)


def decide_conflict(db, shot_uid: str) -> JobResult:
    """Select this photo for its student and close the student's merge conflicts (``station merge --decide``)."""
    with db.session() as s:
        sel = merge.choose(s, shot_uid)
        audit.record(s, "merge_choose", scope={"shot": shot_uid}, rows=1)
        s.commit()
        left = len(merge.open_conflicts(s))
        student = sel.student_id
    return JobResult(t("合并冲突", "Merge conflict"),
                     (t(f"已选定照片 {shot_uid[:12]}; 还有 {left} 人待决定", f"photo {shot_uid[:12]} selected; {left} left"),),
                     counts={"left": left, "student_id": student})


# --- helpers -------------------------------------------------------------------------------------


def _prepare(out: str | Path) -> Path:
    out = Path(out).expanduser()
    if out.is_dir():
        raise InputError(t(f"输出位置是一个文件夹, 请给出文件名: {out}", f"The output is a folder; give a file name: {out}"))
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _written(out: Path, password: str | None) -> str:
    return t(f"已写入 {out}", f"written to {out}") + (t(" (已加密)", " (encrypted)") if password else "")
