"""补拍: the students not photographed, per college, and the notice telling them where to go.

The notice (六): students who missed the shoot at school go to the centre
(南京市上海路 203 号) on working days from 8月1日 to 11月20日, in a white top,
with their ID card and student card. 附件4 (通知学生补拍, within a week after the
shoot): "强调补拍要求、地点和截止时间". This builds that list from the station's
records (the roster students with no selected photo, with the reason recorded
at the station: 请假, 实习, …, or 未到) and a printable notice per college. The
address, dates and what to bring are settings (``makeup.*``) whose defaults
are the notice's words.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.errors import InputError
from app.i18n import t
from app.models import Absence, Selection, Shot
from app.pdf import register_cjk_font
from app.reports.common import StudentRow, load_students
from app.reports.xlsx import Col, Table, write_tables
from app.roll_call.groups import reason_label
from capture.atomic import write_atomic


@dataclass
class MakeupLine:
    student: StudentRow
    reason: str


@dataclass
class MakeupCollege:
    college: str
    roster: int
    students: list[MakeupLine]


@dataclass
class MakeupNotice:
    school: str
    colleges: list[MakeupCollege]
    address: str
    dates: str
    bring: str
    info: str
    generated_at: datetime = field(default_factory=datetime.now)

    @property
    def students(self) -> int:
        return sum(len(c.students) for c in self.colleges)

    def to_dict(self) -> dict:
        return {
            "school": self.school,
            "students": self.students,
            "address": self.address,
            "dates": self.dates,
            "bring": self.bring,
            "colleges": [
                {"college": c.college, "roster": c.roster,
                 "students": [{"student_no": x.student.student_no, "name": x.student.name, "class": x.student.class_name,
                               "reason": x.reason} for x in c.students]}
                for c in self.colleges
            ],
        }


def build(session: Session, *, college: str | None = None, school: str | None = None) -> MakeupNotice:
    students = [s for s in load_students(session, college=college) if s.active and not s.unlisted]
    if school:
        students = [s for s in students if s.school == school]
    if not students:
        what = " / ".join(x for x in (school, college) if x)
        raise InputError(t(f"名单中没有学生{': ' + what if what else ''}", f"no students on the roster {what}"))
    conn = session.connection()
    done = set(conn.execute(select(Selection.student_id)).scalars())
    shot = set(conn.execute(select(Shot.student_id).where(Shot.student_id.is_not(None))).scalars())
    absent: dict[int, str] = {}
    for sid, reason, text, cleared in conn.execute(
        select(Absence.student_id, Absence.reason, Absence.text, Absence.cleared_at).order_by(Absence.marked_at, Absence.id)
    ):
        if cleared is not None:
            absent.pop(sid, None)
        else:
            absent[sid] = reason_label(reason, text)
    roster: dict[str, int] = defaultdict(int)
    by_college: dict[str, list[MakeupLine]] = defaultdict(list)
    for s in students:
        roster[s.college] += 1
        if s.id in done:
            continue
        reason = absent.get(s.id) or ("拍摄了但未选定照片" if s.id in shot else "未到")
        by_college[s.college].append(MakeupLine(s, reason))
    names = sorted({s.school for s in students if s.school})
    return MakeupNotice(
        school or "、".join(names),
        [MakeupCollege(c, roster[c], by_college[c]) for c in roster if by_college[c]],
        str(settings.get(session, "makeup.address")),
        str(settings.get(session, "makeup.dates")),
        str(settings.get(session, "makeup.bring")),
        str(settings.get(session, "makeup.info")),
    )


def write_xlsx(notice: MakeupNotice, path: str | Path, password: str | None = None) -> Path:
    rows = [[c.college, x.student.class_name, x.student.student_no, x.student.name, x.student.gender, x.reason]
            for c in notice.colleges for x in c.students]
    table = Table(
        "补拍名单",
        [Col("学院"), Col("班级"), Col("学号", 14), Col("姓名", 10), Col("性别", 6), Col("未拍原因")],
        rows,
        preamble=[
            f"{notice.school} 未参加现场采集的学生 (补拍名单)",
            f"补拍地点: {notice.address}; 时间: {notice.dates}; 要求: {notice.bring}",
        ],
        totals=["合计", f"{len(notice.colleges)} 个学院", "", f"{notice.students} 人", "", ""],
        empty_note="所有学生均已拍摄",
    )
    summary = Table(
        "按学院",
        [Col("学院"), Col("名单人数", 10), Col("需补拍", 10)],
        [[c.college, c.roster, len(c.students)] for c in notice.colleges],
        totals=["合计", sum(c.roster for c in notice.colleges), notice.students],
    )
    return write_tables(path, [table, summary], password)


def write_pdf(notice: MakeupNotice, path: str | Path) -> Path:
    """One notice per college (A4): what to do, then the college's students and their reasons."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=6)
    body = ParagraphStyle("b", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK")
    key = ParagraphStyle("k", parent=body, fontSize=13, leading=21, leftIndent=8)
    small = ParagraphStyle("s", parent=body, fontSize=9, leading=13)
    cell = ParagraphStyle("c", fontName=font, fontSize=10, leading=12.5, wordWrap="CJK")
    story = []
    for i, c in enumerate(notice.colleges):
        if i:
            story.append(PageBreak())
        story += [
            Paragraph(f"{notice.school} 毕业生图像补拍通知", title),
            Paragraph(f"{c.college}: 以下 {len(c.students)} 位同学未参加学校的现场集中采集, 请按以下要求到中心补拍:", body),
            Spacer(1, 2 * mm),
            Paragraph(f"<b>地点</b>: {notice.address}", key),
            Paragraph(f"<b>时间</b>: {notice.dates} (截止后不再补拍)", key),
            Paragraph(f"<b>要求</b>: {notice.bring}; 头发不得遮挡眉毛、眼睛和耳朵, 不佩戴眼镜和饰品。", key),
            Paragraph(notice.info, body),
            Spacer(1, 4 * mm),
        ]
        data = [["序号", "班级", "学号", "姓名", "未拍原因"]]
        for n, x in enumerate(c.students, start=1):
            data.append([str(n), Paragraph(x.student.class_name, cell), x.student.student_no, Paragraph(x.student.name, cell),
                         Paragraph(x.reason, cell)])
        tbl = Table(data, colWidths=[12 * mm, 50 * mm, 34 * mm, 28 * mm, 46 * mm], repeatRows=1)
        tbl.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 10),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ]))
        story += [tbl, Spacer(1, 5 * mm),
                  Paragraph(f"请学院在采集后一周内通知到每位同学 (附件4: 通知学生补拍)。 生成于 {notice.generated_at:%Y-%m-%d %H:%M}", small)]
    if not notice.colleges:
        story.append(Paragraph(f"{notice.school}: 所有学生均已拍摄, 无需补拍。", body))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=16 * mm, title="补拍通知", author="station")
    doc.build(story)
    return write_atomic(path, buf.getvalue())
