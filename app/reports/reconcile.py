"""The half-day reconciliation: does the station's count match the roster and the signed sheets?

Definitions (the same in the workbook, the printed totals and the tests):

- scope: the classes the report covers. With ``--college``/``--class`` or
  ``--whole-roster`` (or the period "all"), every matching student of the
  roster; otherwise the classes with any activity in the period (a shot taken,
  a shot selected or an absence marked), so the morning's report does not list
  the afternoon's classes as missing.
- photographed: the student has a selected shot, selected before the period
  ended (cumulative); "this period" counts the selections made inside it.
- not photographed = roster − photographed; each has a reason: the recorded
  absence (请假, 实习, …), 已拍未确认 (shots taken, none accepted: the
  student *was* at the camera, counted in ``pending``, never 未到), or 未到
  when nothing is known. "unexplained" = not photographed, no shot and no
  recorded absence.
- without ID card: photographed students identified at the camera by another
  means than a scan of their ID card (the notice asks for 二代身份证); shots
  from before the station recorded how (no method) are not counted.
- retakes: shots taken in the period beyond the first per student.
- accepted despite a failed check: selections in the period whose shot failed
  QC or that carry an override reason.
- data problems: students with a roster error or an open data issue.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.i18n import t as tr
from app.models import (
    ABSENCE_REASONS,
    DATA_ISSUE_KINDS,
    Absence,
    DataIssue,
    RosterFinding,
    Selection,
    Shot,
    SignSheetCount,
)
from app.period import Period
from app.reports.common import StudentRow, class_groups, load_students, station_labels
from app.reports.reconcile_sheets import tables
from app.reports.reconcile_types import (
    ClassLine,
    Counts,
    MissingLine,
    OverrideLine,
    ProblemLine,
    Reconciliation,
    SignLine,
    StationLine,
)
from app.reports.xlsx import write_tables


def _failed_checks(qc_json: str | None) -> str:
    if not qc_json:
        return ""
    try:
        report = json.loads(qc_json)
    except ValueError:
        return ""
    parts = []
    for name, check in (report.get("checks") or {}).items():
        if check.get("verdict") == "fail":
            parts.append(check.get("reason") or name)
    return "; ".join(parts)


def build(
    session: Session,
    period: Period,
    *,
    college: str | None = None,
    class_name: str | None = None,
    whole_roster: bool = False,
    target: tuple[int, int] | None = None,
    school: str | None = None,
) -> Reconciliation:
    if target is None:
        target = (int(settings.get(session, "rate.target_low")), int(settings.get(session, "rate.target_high")))
    students = load_students(session, college=college, class_name=class_name, school=school)
    by_id = {s.id: s for s in students}
    labels = station_labels(session)
    conn = session.connection()  # Core rows, fetched in one go

    sel_rows = conn.execute(
        select(
            Selection.student_id,
            Selection.shot_id,
            Selection.station_id,
            Selection.selected_at,
            Selection.override_reason,
            Selection.needs_decision,
        )
    ).all()
    selection = {r.student_id: r for r in sel_rows if r.student_id in by_id and period.before_end(r.selected_at)}

    shots_in_period: dict[int, list] = defaultdict(list)
    shots_before_end: Counter[int] = Counter()
    shot_info: dict[int, tuple] = {}
    shot_stations: dict[int, set[int]] = defaultdict(set)
    for r in conn.execute(
        select(Shot.id, Shot.student_id, Shot.station_id, Shot.taken_at, Shot.qc_verdict, Shot.override_reason,
               Shot.id_method, Shot.status)
    ).all():
        shot_id, student_id, station_id, taken_at = r[0], r[1], r[2], r[3]
        if student_id not in by_id:
            continue
        shot_info[shot_id] = r
        shot_stations[student_id].add(station_id)
        if period.before_end(taken_at) and r.status != "rejected":
            shots_before_end[student_id] += 1
            if period.contains(taken_at):
                shots_in_period[student_id].append(r)

    absence: dict[int, tuple[str, str | None, datetime]] = {}
    for r in conn.execute(
        select(Absence.student_id, Absence.reason, Absence.text, Absence.marked_at, Absence.cleared_at).order_by(
            Absence.marked_at
        )
    ):
        if r.student_id not in by_id or not period.before_end(r.marked_at):
            continue
        if r.cleared_at is not None and period.before_end(r.cleared_at):
            absence.pop(r.student_id, None)
            continue
        absence[r.student_id] = (r.reason, r.text, r.marked_at)

    problems: list[ProblemLine] = []
    problem_students: set[int] = set()
    for r in conn.execute(
        select(DataIssue.student_id, DataIssue.kind, DataIssue.field, DataIssue.source, DataIssue.note).where(
            DataIssue.resolved_at.is_(None)
        )
    ):
        if r.student_id in by_id:
            label = DATA_ISSUE_KINDS.get(r.kind, (r.kind, r.kind))[0]
            problems.append(ProblemLine(by_id[r.student_id], _source_label(r.source), r.field or "", _join(label, r.note)))
            problem_students.add(r.student_id)
    error_students = {s.id for s in students if s.has_error}
    if error_students:
        for r in conn.execute(
            select(RosterFinding.student_id, RosterFinding.field, RosterFinding.message, RosterFinding.row).where(
                RosterFinding.severity == "error"
            )
        ):
            if r.student_id in error_students:
                problems.append(ProblemLine(by_id[r.student_id], f"名单第{r.row}行", r.field, r.message))
                problem_students.add(r.student_id)
        for sid in error_students - problem_students:
            problems.append(ProblemLine(by_id[sid], "名单", "", "名单数据有误"))
            problem_students.add(sid)

    # --- scope -------------------------------------------------------------
    if whole_roster or college or class_name or period.is_all:
        in_scope = students
        scope = "全部名单" if not (college or class_name) else "、".join(x for x in (college, class_name) if x)
    else:
        active_classes = set()
        for sid in set(shots_in_period) | {k for k, v in selection.items() if period.contains(v.selected_at)} | {
            k for k, v in absence.items() if period.contains(v[2])
        }:
            s = by_id[sid]
            active_classes.add((s.college, s.class_name))
        in_scope = [s for s in students if (s.college, s.class_name) in active_classes]
        scope = f"本时段有拍摄的 {len(active_classes)} 个班级"
    scope_ids = {s.id for s in in_scope}

    # --- per class, missing list, overrides ---------------------------------
    lines: dict[tuple[str, str], ClassLine] = {}
    missing: list[MissingLine] = []
    overrides: list[OverrideLine] = []
    totals = Counts()
    for s in in_scope:
        key = (s.college, s.class_name)
        line = lines.get(key)
        if line is None:
            line = lines[key] = ClassLine(s.college, s.class_name, Counts())
        c = line.counts
        c.roster += 1
        sel = selection.get(s.id)
        if sel is not None:
            c.photographed += 1
            picked = shot_info.get(sel.shot_id)
            if picked is not None and picked.id_method and picked.id_method != "id_card":
                c.no_id_card += 1
            if period.contains(sel.selected_at):
                c.photographed_in_period += 1
                shot = shot_info.get(sel.shot_id)
                reason = sel.override_reason or (shot.override_reason if shot else None)
                if reason or (shot is not None and shot.qc_verdict == "fail"):
                    c.overrides += 1
                    overrides.append(
                        OverrideLine(s, labels.get(sel.station_id, "?"), sel.selected_at, "", reason or "(未填写原因)")
                    )
        else:
            c.not_photographed += 1
            ab = absence.get(s.id)
            n_shots = shots_before_end.get(s.id, 0)
            note = f"有 {n_shots} 张照片但未选定" if n_shots else ""
            if n_shots:
                c.pending += 1  # at the camera already: never 未到
                reason = "已拍未确认"
            elif ab:
                c.absent += 1
                reason = _join(ABSENCE_REASONS.get(ab[0], (ab[0],))[0], ab[1])
            else:
                c.unexplained += 1
                reason = "未到"
            missing.append(MissingLine(s, reason, note))
        shots = shots_in_period.get(s.id)
        if shots:
            c.retakes += len(shots) - 1
        if s.id in problem_students:
            c.data_problems += 1
    for line in lines.values():
        totals.add(line.counts)
    _fill_failed_checks(session, overrides, selection)

    # --- per station, per hour ------------------------------------------------
    st_sel: Counter[int] = Counter()
    st_over: Counter[int] = Counter()
    st_first: dict[int, datetime] = {}
    st_last: dict[int, datetime] = {}
    st_times: dict[int, list[datetime]] = defaultdict(list)
    hourly: dict[datetime, Counter[str]] = defaultdict(Counter)
    for sid, sel in selection.items():
        if sid not in scope_ids or not period.contains(sel.selected_at):
            continue
        st = sel.station_id
        st_sel[st] += 1
        t = sel.selected_at
        st_first[st] = min(st_first.get(st, t), t)
        st_last[st] = max(st_last.get(st, t), t)
        st_times[st].append(t)
        hourly[t.replace(minute=0, second=0, microsecond=0)][labels.get(st, "?")] += 1
    for o in overrides:
        st_over[selection[o.student.id].station_id] += 1
    st_shots: Counter[int] = Counter()
    st_students: dict[int, set[int]] = defaultdict(set)
    for sid, shots in shots_in_period.items():
        if sid not in scope_ids:
            continue
        for r in shots:
            st_shots[r.station_id] += 1
            st_students[r.station_id].add(sid)
    stations = [
        StationLine(
            labels.get(st, "?"),
            st_sel[st],
            st_shots[st],
            st_shots[st] - len(st_students[st]),
            st_over[st],
            st_first.get(st),
            st_last.get(st),
            tuple(sorted(st_times.get(st, ()))),
        )
        for st in sorted(set(st_sel) | set(st_shots), key=lambda x: labels.get(x, "?"))
    ]

    decisions = []
    for sid, sel in selection.items():
        if sel.needs_decision and sid in scope_ids:
            stations_of = sorted(labels.get(st, "?") for st in shot_stations[sid])
            decisions.append((by_id[sid], "、".join(stations_of)))

    sign = _sign_cross_check(session, period, in_scope, selection)
    problems = [p for p in problems if p.student.id in scope_ids]
    return Reconciliation(
        period=period,
        scope=scope,
        classes=list(lines.values()),
        totals=totals,
        stations=stations,
        hourly=_continuous_hours(hourly),
        missing=missing,
        overrides=overrides,
        problems=problems,
        sign=sign,
        decisions=decisions,
        target=target,
    )


def _continuous_hours(hourly: dict[datetime, Counter]) -> list[tuple[datetime, dict[str, int]]]:
    """Every hour from the first to the last, so an hour with nobody photographed shows as 0."""
    if not hourly:
        return []
    hours, h = [], min(hourly)
    last = max(hourly)
    while h <= last:
        if h in hourly or h.date() == last.date() or h.date() == min(hourly).date():
            hours.append((h, dict(hourly.get(h, {}))))
        h += timedelta(hours=1)
    return hours


def _fill_failed_checks(session: Session, overrides: list[OverrideLine], selection: dict) -> None:
    """Read the QC reports of the overridden shots only (the JSON is the bulky column)."""
    if not overrides:
        return
    shot_ids = [selection[o.student.id].shot_id for o in overrides]
    reports: dict[int, str | None] = {}
    for i in range(0, len(shot_ids), 500):
        chunk = shot_ids[i : i + 500]
        reports.update(session.execute(select(Shot.id, Shot.qc_json).where(Shot.id.in_(chunk))).all())
    for o, shot_id in zip(overrides, shot_ids):
        o.failed = _failed_checks(reports.get(shot_id))


def _sign_cross_check(session: Session, period: Period, in_scope: list[StudentRow], selection: dict) -> list[SignLine]:
    q = select(SignSheetCount).order_by(SignSheetCount.day, SignSheetCount.college, SignSheetCount.class_name)
    if period.start is not None:
        q = q.where(SignSheetCount.day >= period.start.date().isoformat())
    if period.end is not None:
        q = q.where(SignSheetCount.day <= (period.end - timedelta(microseconds=1)).date().isoformat())
    counts = list(session.scalars(q))
    if not counts:
        return []
    by_class: dict[str, list[StudentRow]] = defaultdict(list)
    for s in in_scope:
        by_class[s.class_name].append(s)
    out = []
    for sc in counts:
        members = [s for s in by_class.get(sc.class_name, []) if not sc.college or s.college == sc.college]
        if not members:
            continue  # a class outside this report's scope
        college = sc.college or members[0].college
        extra: list[StudentRow] = []
        if sc.group_no:
            groups = class_groups(members)
            # students added at the camera are on no printed sheet: named, not counted in a group
            extra = [s for s in members if s.id not in groups and _done_on(s, selection, sc.day)]
            members = [s for s in members if groups.get(s.id) == sc.group_no]
        done = [s for s in members if _done_on(s, selection, sc.day)]
        counted = len(done)
        notes = []
        if counted < sc.signed_count:
            done_ids = {s.id for s in done}
            notes.append("未拍: " + "、".join(f"{s.name}({s.student_no})" for s in members if s.id not in done_ids))
        elif counted > sc.signed_count:
            notes.append("已拍: " + "、".join(f"{s.name}({s.student_no})" for s in done))
        if extra and counted != sc.signed_count:
            notes.append("名单外已拍(未计入分组): " + "、".join(f"{s.name}({s.student_no})" for s in extra))
        involved = "; ".join(notes)
        out.append(
            SignLine(sc.day, college, sc.class_name, sc.group_no, sc.signed_count, counted, involved)
        )
    return out


def _done_on(s: StudentRow, selection: dict, day: str) -> bool:
    sel = selection.get(s.id)
    return sel is not None and sel.selected_at.date().isoformat() == day


def _join(a: str, b: str | None) -> str:
    return f"{a}: {b}" if b else a


def _source_label(source: str) -> str:
    return {"camera": "现场报告", "roster": "名单", "unlisted": "名单外"}.get(source, source)


def write(rec: Reconciliation, path: str | Path, password: str | None = None) -> Path:
    return write_tables(path, tables(rec), password)


def totals_text(rec: Reconciliation, *, cli_hints: bool = True) -> str:
    """The totals as printed; ``cli_hints`` adds the command-line options that would help."""
    c = rec.totals
    label = rec.period.label if tr("zh", "en") == "zh" else rec.period.label_en
    lines = [
        tr(f"对账 {label}, {rec.scope}", f"reconciliation {label}, {len(rec.classes)} classes"),
        tr(
            f"名单 {c.roster} 人, 已拍 {c.photographed} (本时段 {c.photographed_in_period}), 未拍 {c.not_photographed}: "
            f"缺席有原因 {c.absent}, 未说明 {c.unexplained}, 已拍未确认 {c.pending}",
            f"roster {c.roster}, photographed {c.photographed} (this period {c.photographed_in_period}), not photographed "
            f"{c.not_photographed}: absent with reason {c.absent}, unexplained {c.unexplained}, "
            f"photographed but not confirmed {c.pending}",
        ),
        tr(
            f"重拍 {c.retakes} 张, 未通过仍采用 {c.overrides}, 名单数据问题 {c.data_problems}, "
            f"未出示身份证 {c.no_id_card}",
            f"retakes {c.retakes}, accepted despite a failed check {c.overrides}, data problems {c.data_problems}, "
            f"photographed without an ID card scan {c.no_id_card}",
        ),
    ]
    if not rec.classes and rec.period.kind == "afternoon":
        lines.append(tr("本时段还没有拍摄" + ("; 上午的对账请加 --period morning" if cli_hints else ""),
                        "nothing shot this afternoon yet" + ("; for the morning add --period morning" if cli_hints else "")))
    for s in rec.stations:
        rate = s.rate if s.rate is not None else "-"
        lines.append(tr(f"  {s.station}: 已拍 {s.photographed}, 拍摄 {s.shots} 张, 每小时 {rate}",
                        f"  {s.station}: photographed {s.photographed}, shots {s.shots}, per hour {rate}"))
    if rec.sign:
        lines.append(tr(f"签字核对 {len(rec.sign)} 项, 不一致 {rec.sign_mismatches}",
                        f"sign sheets {len(rec.sign)}, differing {rec.sign_mismatches}"))
    if rec.decisions:
        lines.append(tr(f"待决定(两个机位都选定了照片) {len(rec.decisions)} 人",
                        f"to decide (selected on two stations): {len(rec.decisions)}"))
    return "\n".join(lines)

