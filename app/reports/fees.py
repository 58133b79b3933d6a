"""The fee settlement letter (费用结算函): who counts as 实拍, how many, at what price.

The notice: "每人 12 元,包含一份电子图像、六张纸质照片" (苏价费函〔2014〕69号), paid
"按照实拍人数(实拍人数以费用结算函为准)". The rule this letter prints and counts by:

- 实拍人数 = distinct students with a selected photo (选定照片) in the period:
  the photo the centre delivers. A student photographed on two stations is one
  student (the same ID number, or student number when the ID number is empty,
  counts once); retakes are shots, not students, and are not counted again.
- Students added at the camera (名单外) are counted, and listed by name so the
  school can check them.
- A student with shots but no selected photo, or absent, is not counted.

The count is the reconciliation's "已拍" of the same period and roster
(``app.reports.reconcile``), by construction and by test.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.errors import InputError
from app.i18n import t
from app.models import Selection
from app.pdf import register_cjk_font
from app.period import Period
from app.reports.common import StudentRow, load_students, station_labels
from app.reports.xlsx import Col, Table, write_tables
from capture.atomic import write_atomic

RULE = (
    "实拍人数按以下规则统计: 在本期间内有选定照片 (交付的电子图像) 的学生, 每人计一次; "
    "同一学生在两个机位拍摄只计一次, 重拍不重复计数; 现场补录的名单外学生计入并逐一列出; "
    "缺席或未选定照片的学生不计。"
)


@dataclass
class CollegeLine:
    college: str
    roster: int = 0
    students: int = 0  # 实拍
    unlisted: int = 0


@dataclass
class FeeStatement:
    school: str
    period: Period
    unit_price: Decimal
    price_basis: str
    colleges: list[CollegeLine]
    unlisted: list[tuple[StudentRow, str, datetime]]  # student, station, selected at
    duplicates: int  # rows of a student counted once (photographed on two stations)
    first: datetime | None
    last: datetime | None
    generated_at: datetime = field(default_factory=datetime.now)

    @property
    def students(self) -> int:
        return sum(c.students for c in self.colleges)

    @property
    def roster(self) -> int:
        return sum(c.roster for c in self.colleges)

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.students

    def period_text(self) -> str:
        if self.period.is_all and self.first and self.last:
            a, b = self.first.date(), self.last.date()
            return f"{a:%Y年%m月%d日}" if a == b else f"{a:%Y年%m月%d日}至{b:%Y年%m月%d日}"
        return self.period.label

    def to_dict(self) -> dict:
        def num(x: Decimal):
            return int(x) if x == x.to_integral_value() else float(x)

        return {
            "school": self.school,
            "students": self.students,
            "unit_price": num(self.unit_price),
            "total": num(self.total),
            "period": self.period.to_dict(),
            "unlisted": len(self.unlisted),
            "roster": self.roster,
            "colleges": [{"college": c.college, "students": c.students, "roster": c.roster} for c in self.colleges],
        }


def _identity(s: StudentRow) -> str:
    return f"id:{s.id_number.upper()}" if s.id_number else (f"no:{s.student_no}" if s.student_no else f"row:{s.id}")


def build(
    session: Session,
    period: Period,
    *,
    school: str | None = None,
    unit_price: Decimal | float | int | None = None,
) -> list[FeeStatement]:
    """One statement per school on the roster (or only ``school``)."""
    price = Decimal(str(unit_price if unit_price is not None else settings.get(session, "fees.unit_price")))
    if price < 0:
        raise InputError(t("单价不能为负", "the unit price cannot be negative"))
    basis = str(settings.get(session, "fees.price_basis"))
    students = load_students(session)
    labels = station_labels(session)
    conn = session.connection()
    sel = {
        r.student_id: r
        for r in conn.execute(select(Selection.student_id, Selection.station_id, Selection.selected_at)).all()
        if period.before_end(r.selected_at)
    }
    by_school: dict[str, list[StudentRow]] = defaultdict(list)
    for s in students:
        by_school[s.school or ""].append(s)
    if school:
        if school not in by_school:
            known = "、".join(sorted(k for k in by_school if k)) or "无"
            raise InputError(t(f"名单中没有学校 {school} (有: {known})", f"no school {school} on the roster (known: {known})"))
        by_school = {school: by_school[school]}
    out = []
    for name in sorted(by_school, key=lambda k: (k == "", k)):
        lines: dict[str, CollegeLine] = {}
        seen: set[str] = set()
        unlisted, dup = [], 0
        times = []
        for s in by_school[name]:
            line = lines.setdefault(s.college, CollegeLine(s.college))
            if not s.unlisted and s.active:
                line.roster += 1
            r = sel.get(s.id)
            if r is None:
                continue
            key = _identity(s)
            if key in seen:
                dup += 1  # the same student photographed (and selected) at another station
                continue
            seen.add(key)
            line.students += 1
            times.append(r.selected_at)
            if s.unlisted:
                line.unlisted += 1
                unlisted.append((s, labels.get(r.station_id, ""), r.selected_at))
        out.append(
            FeeStatement(name, period, price, basis, list(lines.values()), unlisted, dup,
                         min(times, default=None), max(times, default=None))
        )
    return out


# --- the workbook and the letter ---------------------------------------------------------


def tables(st: FeeStatement):
    money = "0.00"
    head = [
        f"{st.school} 毕业生图像采集费用结算表",
        f"期间: {st.period_text()}  单价: {st.unit_price} 元/人 ({st.price_basis}, 含一份电子图像、六张纸质照片)",
        RULE,
        f"实拍 {st.students} 人 × {st.unit_price} 元 = {st.total} 元",
    ]
    rows = [[c.college, c.roster, c.students, c.unlisted, float(st.unit_price * c.students)] for c in st.colleges]
    summary = Table(
        "结算",
        [Col("学院"), Col("名单人数", 10), Col("实拍人数", 10), Col("其中名单外", 10), Col("金额(元)", 12, money)],
        rows,
        preamble=head,
        totals=["合计", st.roster, st.students, len(st.unlisted), float(st.total)],
    )
    extra = Table(
        "名单外",
        [Col("学院"), Col("班级"), Col("学号", 14), Col("姓名", 10), Col("机位", 8), Col("选定时间", 17, "yyyy-mm-dd hh:mm")],
        [[s.college, s.class_name, s.student_no, s.name, stn, at] for s, stn, at in st.unlisted],
        preamble=[f"{st.school} 现场补录 (名单外) 已拍学生: 计入实拍人数, 请学校核对"],
        empty_note="没有名单外学生",
    )
    return [summary, extra]


def write_xlsx(statements: list[FeeStatement], path: str | Path, password: str | None = None) -> Path:
    out = []
    for st in statements:
        for tb in tables(st):
            if len(statements) > 1:
                tb.title = f"{tb.title}-{st.school}"[:31]
            out.append(tb)
    return write_tables(path, out, password)


def write_pdf(statements: list[FeeStatement], path: str | Path, *, session: Session | None = None) -> Path:
    """The letter, one or more A4 pages per school, with the school's and the crew's signature blocks."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    def setting(key: str) -> str:
        return str(settings.get(session, key) if session is not None else settings.DEFAULTS[key])

    font = register_cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=8)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=18, wordWrap="CJK", firstLineIndent=22)
    plain = ParagraphStyle("p", parent=body, firstLineIndent=0)
    small = ParagraphStyle("s", parent=plain, fontSize=9, leading=13)
    cell = ParagraphStyle("c", fontName=font, fontSize=9.5, leading=12, wordWrap="CJK")
    centre = setting("centre.name")
    story = []
    for i, st in enumerate(statements):
        if i:
            story.append(PageBreak())
        story += [
            Paragraph("毕业生图像采集费用结算函", title),
            Paragraph(f"{st.school or '（学校）'}:", plain),
            Spacer(1, 2 * mm),
            Paragraph(
                f"根据{st.price_basis}, 毕业生图像信息采集每人 {st.unit_price} 元, 包含一份电子图像、六张纸质照片。"
                f"{st.period_text()}, {centre}在贵校进行毕业生图像采集, 实拍 <b>{st.students}</b> 人, "
                f"应付费用 <b>{st.total}</b> 元 (大写: {_upper_yuan(st.total)})。",
                body,
            ),
            Paragraph(RULE + (f" 本期有 {st.duplicates} 条重复记录 (同一学生在两个机位拍摄) 已只计一次。" if st.duplicates else ""), body),
            Paragraph(setting("fees.payment"), body),
            Spacer(1, 3 * mm),
        ]
        data = [["学院", "名单人数", "实拍人数", "其中名单外", "金额(元)"]]
        for c in st.colleges:
            data.append([Paragraph(c.college, cell), str(c.roster), str(c.students), str(c.unlisted or ""), f"{st.unit_price * c.students:.2f}"])
        data.append(["合计", str(st.roster), str(st.students), str(len(st.unlisted) or ""), f"{st.total:.2f}"])
        tbl = Table(data, colWidths=[66 * mm, 24 * mm, 24 * mm, 24 * mm, 30 * mm], repeatRows=1, hAlign="CENTER")
        tbl.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F3F3F3")),
        ]))
        story.append(tbl)
        if st.unlisted:
            story.append(Spacer(1, 3 * mm))
            names = "、".join(f"{s.name}({s.student_no or '无学号'}, {s.class_name})" for s, _stn, _at in st.unlisted)
            story.append(Paragraph(f"名单外 (现场补录) 已拍 {len(st.unlisted)} 人, 已计入: {names}", small))
        sign = Table(
            [
                [Paragraph(f"学校 ({st.school or '          '}) 确认:", plain), Paragraph(f"采集方 ({centre}采集组):", plain)],
                [Paragraph("经办人签字: ______________", plain), Paragraph("采集组负责人签字: ______________", plain)],
                [Paragraph("联系电话: ______________", plain), Paragraph("联系电话: ______________", plain)],
                [Paragraph("单位 (盖章)", plain), Paragraph("单位 (盖章)", plain)],
                [Paragraph("日期: ______年____月____日", plain), Paragraph("日期: ______年____月____日", plain)],
            ],
            colWidths=[85 * mm, 85 * mm],
            rowHeights=[None, 12 * mm, 10 * mm, 16 * mm, 10 * mm],  # the heading row grows when it wraps
        )
        sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (0, -1), 0.5, colors.grey),
                                  ("BOX", (1, 0), (1, -1), 0.5, colors.grey)]))
        story += [Spacer(1, 8 * mm), KeepTogether([sign]), Spacer(1, 4 * mm),
                  Paragraph(f"生成于 {st.generated_at:%Y-%m-%d %H:%M} · 一式两份, 学校与采集方各执一份。", small)]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=16 * mm, title="费用结算函", author="station")
    doc.build(story)
    return write_atomic(path, buf.getvalue())


_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _upper_yuan(amount: Decimal) -> str:
    """12345.5 → 壹万贰仟叁佰肆拾伍元伍角 (the amount in words, as a payment letter writes it)."""
    amount = amount.quantize(Decimal("0.01"))
    yuan = int(amount)
    jiao, fen = int(amount * 10) % 10, int(amount * 100) % 10
    if yuan == 0 and not (jiao or fen):
        return "零元整"

    def four(n: int) -> str:
        out, zero = "", False
        for unit, d in zip("仟佰拾 ", (n // 1000 % 10, n // 100 % 10, n // 10 % 10, n % 10)):
            if d:
                if zero and out:
                    out += "零"
                out += _DIGITS[d] + unit.strip()
                zero = False
            else:
                zero = True
        return out

    parts = []
    for unit, n in (("亿", yuan // 10**8), ("万", yuan // 10**4 % 10**4), ("", yuan % 10**4)):
        if n:
            if parts and n < 1000:
                parts.append("零")
            parts.append(four(n) + unit)
    text = "".join(parts) + "元" if yuan else ""
    if jiao or fen:
        text += (_DIGITS[jiao] + "角" if jiao else ("零" if yuan else "")) + (_DIGITS[fen] + "分" if fen else "")
    else:
        text += "整"
    return text


def json_lines(statements: list[FeeStatement]) -> list[str]:
    return [json.dumps(st.to_dict(), ensure_ascii=False) for st in statements]
