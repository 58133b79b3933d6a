"""The reconciliation's sheets: what :func:`app.reports.reconcile.build` found, laid out for the school.

Sheet names are Chinese (汇总, 学院汇总, 机位统计, 每小时进度, 未拍名单,
未通过仍采用, 名单数据问题, 签字核对, and 待决定 when a merge left conflicts).
"""

from __future__ import annotations

from datetime import timedelta

from app.privacy import mask_id
from app.reports.reconcile_types import COUNT_KEYS, Counts, Reconciliation
from app.reports.xlsx import BAD_FILL, GOOD_FILL, WARN_FILL, Col, Highlight, Table


def tables(rec: Reconciliation) -> list:
    head = [
        f"对账时段: {rec.period.label}    范围: {rec.scope}",
        f"生成时间: {rec.generated_at:%Y-%m-%d %H:%M}",
    ]
    count_cols = [
        Col("名单人数"),
        Col("已拍(累计)"),
        Col("本时段已拍"),
        Col("未拍"),
        Col("缺席(有原因)"),
        Col("未说明"),
        Col("重拍张数"),
        Col("未通过仍采用"),
        Col("名单数据问题"),
        Col("已拍未确认"),
        Col("未出示身份证"),
    ]

    def counts_row(c: Counts) -> list[int]:
        return [getattr(c, k) for k in COUNT_KEYS]

    t = rec.totals
    summary = Table(
        "汇总",
        [Col("学院"), Col("班级"), *count_cols],
        [[line.college, line.class_name, *counts_row(line.counts)] for line in rec.classes],
        preamble=head,
        totals=["合计", f"{len(rec.classes)} 个班级", *counts_row(t)],
        highlight=[Highlight("$H{r}>0", WARN_FILL)],  # unexplained absences stand out
    )
    by_college: dict[str, Counts] = {}
    for line in rec.classes:
        by_college.setdefault(line.college, Counts()).add(line.counts)
    colleges = Table(
        "学院汇总",
        [Col("学院"), *count_cols],
        [[name, *counts_row(c)] for name, c in by_college.items()],
        preamble=head,
        totals=["合计", *counts_row(t)],
    )
    lo, hi = rec.target
    stations = Table(
        "机位统计",
        [
            Col("机位"),
            Col("本时段已拍"),
            Col("拍摄张数"),
            Col("重拍张数"),
            Col("未通过仍采用"),
            Col("首位时间", number_format="hh:mm"),
            Col("末位时间", number_format="hh:mm"),
            Col("平均每小时"),
            Col(f"目标 {lo}–{hi}/小时"),
        ],
        [
            [
                s.station,
                s.photographed,
                s.shots,
                s.retakes,
                s.overrides,
                s.first,
                s.last,
                s.rate,
                _vs_target(s.rate, lo, hi),
            ]
            for s in rec.stations
        ],
        preamble=head,
        totals=[
            "合计",
            sum(s.photographed for s in rec.stations),
            sum(s.shots for s in rec.stations),
            sum(s.retakes for s in rec.stations),
            sum(s.overrides for s in rec.stations),
            None,
            None,
            None,
            None,
        ],
    )
    station_names = [s.station for s in rec.stations]
    spans = {s.station: (s.first, s.last) for s in rec.stations}

    def hour_fill(i: int, row) -> str | None:
        hour = rec.hourly[i][0]
        for name, n in rec.hourly[i][1].items():
            first, last = spans.get(name, (None, None))
            # Only whole hours inside a station's working span are judged against the target.
            if first and last and first <= hour and hour + timedelta(hours=1) <= last and n < lo:
                return BAD_FILL
        return None

    hourly = Table(
        "每小时进度",
        [Col("时段", number_format="yyyy-mm-dd hh:mm"), *[Col(n) for n in station_names], Col("合计")],
        [[h, *[c.get(n, 0) for n in station_names], sum(c.values())] for h, c in rec.hourly],
        preamble=[*head, f"目标: 每机位每小时 {lo}–{hi} 人; 红色: 整小时内某机位低于 {lo} 人"],
        row_fill=hour_fill,
        empty_note="本时段没有选定的照片",
    )
    missing = Table(
        "未拍名单",
        [Col("学院"), Col("班级"), Col("学号"), Col("姓名"), Col("身份证号(脱敏)"), Col("原因"), Col("备注")],
        [
            [m.student.college, m.student.class_name, m.student.student_no, m.student.name, mask_id(m.student.id_number), m.reason, m.note]
            for m in rec.missing
        ],
        preamble=head,
        highlight=[Highlight('$F{r}="未到"', WARN_FILL)],
        empty_note="全部已拍",
    )
    overrides = Table(
        "未通过仍采用",
        [
            Col("学院"),
            Col("班级"),
            Col("学号"),
            Col("姓名"),
            Col("机位"),
            Col("选定时间"),
            Col("未通过的检查", width=40),
            Col("采用原因", width=30),
        ],
        [
            [o.student.college, o.student.class_name, o.student.student_no, o.student.name, o.station, o.selected_at, o.failed, o.reason]
            for o in rec.overrides
        ],
        preamble=head,
        empty_note="无",
    )
    problems = Table(
        "名单数据问题",
        [Col("学院"), Col("班级"), Col("学号"), Col("姓名"), Col("来源"), Col("字段"), Col("问题", width=50)],
        [[p.student.college, p.student.class_name, p.student.student_no, p.student.name, p.source, p.field, p.problem] for p in rec.problems],
        preamble=head,
        empty_note="无",
    )
    sign = Table(
        "签字核对",
        [
            Col("日期"),
            Col("学院"),
            Col("班级"),
            Col("组"),
            Col("签字人数"),
            Col("机位已拍"),
            Col("差异"),
            Col("结果"),
            Col("涉及学生", width=60),
        ],
        [
            [
                s.day,
                s.college,
                s.class_name,
                s.group_no or "全班",
                s.signed,
                s.counted,
                s.difference,
                "一致" if s.difference == 0 else "不一致",
                s.involved,
            ]
            for s in rec.sign
        ],
        preamble=[*head, "用 station report signed --class 班级 [--group 组] --count 人数 录入签字表人数"],
        row_fill=lambda i, row: BAD_FILL if row[6] else GOOD_FILL,
        empty_note="尚未录入签字表人数",
    )
    out = [summary, colleges, stations, hourly, missing, overrides, problems, sign]
    if rec.decisions:
        out.append(
            Table(
                "待决定",
                [Col("学院"), Col("班级"), Col("学号"), Col("姓名"), Col("拍摄机位")],
                [[s.college, s.class_name, s.student_no, s.name, where] for s, where in rec.decisions],
                preamble=[*head, "两个机位都为这些学生选定了照片: 用 station merge --conflicts 查看, --choose 决定"],
            )
        )
    return out


def _vs_target(rate: float | None, lo: int, hi: int) -> str:
    if rate is None:
        return ""
    if rate < lo:
        return "低于目标"
    if rate > hi:
        return "高于目标"
    return "达标"
