"""The timetable as the school publishes it: an xlsx to edit and a printable PDF in Chinese."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from app.pdf import register_cjk_font
from app.reports.xlsx import Col, Table, write_tables
from app.timetable.model import Plan, Slot
from capture.atomic import write_atomic

TIME_FMT = "hh:mm"
DATE_FMT = "yyyy-mm-dd"


def _note(sl: Slot) -> str:
    if sl.parts > 1:
        return f"分{sl.parts}段拍摄, 第{sl.part}段"
    return ""


def _params_line(plan: Plan) -> str:
    rates = sorted(set(round(r) for r in plan.rates))
    rate = f"{rates[0]}" if len(rates) == 1 else "/".join(str(r) for r in rates)
    parts = [
        f"开始 {plan.start:%Y-%m-%d %H:%M}",
        f"机位 {'/'.join(str(n) for n in plan.stations_by_day)} 台 (按天)" if plan.stations_by_day else f"机位 {plan.stations} 台",
        f"每台每小时 {rate} 人",
        f"每台每天不超过 {plan.max_per_day} 人",
        f"分 {plan.days_wanted} 天" if plan.days_wanted else "",
        f"休息 {plan.breaks_text() or '无'}",
        f"每天结束 {plan.day_end:%H:%M}" if plan.day_end else "",
        f"候场提前 {plan.lead} 分钟",
    ]
    return " · ".join(p for p in parts if p)


def _title(plan: Plan, school: str) -> str:
    what = "图像采集时间安排表" if plan.kind == "plan" else "图像采集时间安排表 (按现场进度重排)"
    return f"{school} 毕业生{what}" if school else f"毕业生{what}"


def slots_in_time_order(plan: Plan) -> list[Slot]:
    return sorted(plan.slots, key=lambda s: (s.start, s.station))


def plan_tables(plan: Plan, school: str = ""):
    multi_day = len(plan.days) > 1
    summary = [
        _title(plan, school),
        _params_line(plan) + f" · 共 {plan.students} 人, 预计结束 {plan.end:%Y-%m-%d %H:%M}",
        *plan.warnings,
    ]
    class_rows = [
        [
            sl.start.date(),
            sl.station,
            sl.college,
            sl.class_name,
            sl.students,
            sl.group_range,
            sl.arrive,
            sl.start,
            sl.end,
            sl.minutes,
            sl.place,
            _note(sl),
        ]
        for sl in slots_in_time_order(plan)
    ]
    classes = Table(
        "排期",
        [
            Col("日期", 11, DATE_FMT),
            Col("机位", 6),
            Col("学院"),
            Col("班级"),
            Col("人数", 6),
            Col("组别", 10),
            Col("候场时间", 9, TIME_FMT),
            Col("开始时间", 9, TIME_FMT),
            Col("结束时间", 9, TIME_FMT),
            Col("用时(分钟)", 10),
            Col("地点"),
            Col("备注"),
        ],
        class_rows,
        preamble=summary,
        totals=["合计", "", "", f"{len({(s.college, s.class_name) for s in plan.slots})} 个班", plan.students, "", "", "", "", "", "", ""],
    )
    group_rows = [
        [sl.start.date(), sl.station, sl.college, sl.class_name, g.group_no, g.students, g.arrive, g.start, g.end, sl.place]
        for sl in slots_in_time_order(plan)
        for g in sl.groups
    ]
    groups = Table(
        "分组",
        [
            Col("日期", 11, DATE_FMT),
            Col("机位", 6),
            Col("学院"),
            Col("班级"),
            Col("组号", 6),
            Col("人数", 6),
            Col("候场时间", 9, TIME_FMT),
            Col("开始时间", 9, TIME_FMT),
            Col("结束时间", 9, TIME_FMT),
            Col("地点"),
        ],
        group_rows,
        preamble=[_title(plan, school) + " (每 10 人一组)"],
    )
    station_rows = []
    for d in plan.days:
        for s in range(1, plan.stations + 1):
            first, last = plan.station_start(s, d), plan.station_end(s, d)
            if first is None:
                continue
            n_cls = len({(x.college, x.class_name) for x in plan.slots if x.station == s and x.start.date() == d})
            station_rows.append([d, s, first, last, plan.station_students(s, d), n_cls, round(plan.rates[s - 1])])
    stations = Table(
        "机位",
        [
            Col("日期", 11, DATE_FMT),
            Col("机位", 6),
            Col("开始", 9, TIME_FMT),
            Col("结束", 9, TIME_FMT),
            Col("人数", 8),
            Col("班级数", 8),
            Col("速度(人/小时)", 13),
        ],
        station_rows,
        preamble=[_title(plan, school) + (" (多天)" if multi_day else "")],
        totals=["合计", "", "", "", plan.students, "", ""],
    )
    return [classes, groups, stations]


def write_xlsx(plan: Plan, path: str | Path, school: str = "") -> Path:
    return write_tables(path, plan_tables(plan, school))


def write_pdf(plan: Plan, path: str | Path, school: str = "") -> Path:
    """A4 landscape, Chinese font embedded: per day, the stations' summary and every class in time order."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    font = register_cjk_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    head_style = ParagraphStyle("head", fontName=font, fontSize=12, leading=16, spaceBefore=6, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    warn = ParagraphStyle("warn", parent=body, textColor=colors.HexColor("#B00020"))
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=10.5, wordWrap="CJK")

    def grid(data, widths, header_rows=1):
        tbl = PdfTable(data, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
        tbl.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#DDEBF7")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#F7F7F7")]),
                ]
            )
        )
        return tbl

    story = [Paragraph(_title(plan, school), title_style), Paragraph(_params_line(plan), body)]
    story.append(Paragraph(f"共 {plan.students} 人, 预计结束 {plan.end:%Y-%m-%d %H:%M}。候场时间为到达候拍场地的时间, 每 10 人一组进入。", body))
    for w in plan.warnings:
        story.append(Paragraph(w, warn))
    by_day: dict = defaultdict(list)
    for sl in slots_in_time_order(plan):
        by_day[sl.start.date()].append(sl)
    for i, (d, slots) in enumerate(sorted(by_day.items())):
        if i:
            story.append(PageBreak())
        story.append(Paragraph(f"{d.year}年{d.month}月{d.day}日", head_style))
        rows = [["机位", "开始", "结束", "人数", "班级数"]]
        for s in range(1, plan.stations + 1):
            first, last = plan.station_start(s, d), plan.station_end(s, d)
            if first is None:
                continue
            n_cls = len({(x.college, x.class_name) for x in slots if x.station == s})
            rows.append([f"{s}", f"{first:%H:%M}", f"{last:%H:%M}", str(plan.station_students(s, d)), str(n_cls)])
        story.append(grid(rows, [18 * mm, 22 * mm, 22 * mm, 20 * mm, 20 * mm]))
        story.append(Spacer(1, 4 * mm))
        rows = [["机位", "学院", "班级", "人数", "组别", "候场", "采集时间", "地点" if plan.places else "备注"]]
        for sl in slots:
            rows.append(
                [
                    str(sl.station),
                    Paragraph(sl.college or "—", cell),
                    Paragraph(sl.class_name or "—", cell),
                    str(sl.students),
                    sl.group_range,
                    f"{sl.arrive:%H:%M}",
                    f"{sl.start:%H:%M}–{sl.end:%H:%M}",
                    Paragraph(" ".join(x for x in ((sl.place if plan.places else ""), _note(sl)) if x), cell),
                ]
            )
        story.append(grid(rows, [13 * mm, 55 * mm, 60 * mm, 13 * mm, 24 * mm, 16 * mm, 28 * mm, 48 * mm]))

    made = datetime.now()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(15 * mm, 8 * mm, f"毕业生图像采集机位 · 生成于 {made:%Y-%m-%d %H:%M}")
        canvas.drawRightString(landscape(A4)[0] - 15 * mm, 8 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    import io

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=_title(plan, school),
        author="station",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return write_atomic(path, buf.getvalue())
