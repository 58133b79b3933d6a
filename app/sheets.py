"""Sign-in sheets (签字表): one A4 page per group of ten, printed before the day.

附件4 puts "按组别打印的签字表" in the school's material pack: each group signs
its sheet at the station, the class teacher collects them, and the count of
signatures is later checked against the station's count (the reconciliation's
sign-sheet cross-check, ``SignSheetCount``). So each page carries what that
check needs: school, college, class, group number and time slot, and per
student the number, name and student number (never the ID number), with a
box to sign and a line for the count.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InputError
from app.i18n import t
from app.marshal import GROUP_SIZE, ClassView, SlotInfo, college_label, load_classes, plan_slots
from app.models import Student


@dataclass
class SheetsResult:
    path: Path
    pages: int
    classes: int
    students: int
    with_times: int  # pages with a time slot from the timetable


def _school(session: Session, cls: ClassView, fallback: str) -> str:
    if fallback:
        return fallback
    ids = [s.id for s in cls.students[:50]]
    names = Counter(session.scalars(select(Student.school).where(Student.id.in_(ids))))
    return names.most_common(1)[0][0] if names else ""


def select_classes(session: Session, college: str | None = None, class_name: str | None = None) -> list[ClassView]:
    classes = load_classes(session)
    if college:
        classes = [c for c in classes if c.college == college or college_label(c.college) == college]
    if class_name:
        classes = [c for c in classes if c.class_name == class_name]
    if not classes:
        what = " / ".join(x for x in (college, class_name) if x)
        raise InputError(
            t(f"没有符合条件的班级: {what}" if what else "名单中没有学生: 请先导入名单", f"no class matches {what or 'the roster'}")
        )
    return classes


def write_sheets(
    session: Session,
    path: str | Path,
    *,
    college: str | None = None,
    class_name: str | None = None,
    school: str | None = None,
) -> SheetsResult:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Table, TableStyle

    from app import settings
    from app.crypto import write_atomic
    from app.pdf import register_cjk_font

    font = register_cjk_font()
    classes = select_classes(session, college, class_name)
    school_setting = school if school is not None else str(settings.get(session, "school.name") or "")
    slots: dict[tuple[str, str, int], SlotInfo] = {}
    for s in plan_slots(session):
        slots.setdefault((s.college, s.class_name, s.group_no), s)

    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("签字表")
    c.setAuthor("station")
    margin = 18 * mm
    pages = with_times = students = 0
    made = datetime.now()
    for cls in classes:
        school_name = _school(session, cls, school_setting)
        for g in range(1, cls.group_count + 1):
            members = cls.group(g)
            slot = slots.get((cls.college, cls.class_name, g))
            pages += 1
            students += len(members)
            y = height - margin
            c.setFont(font, 18)
            c.drawCentredString(width / 2, y - 6 * mm, f"{school_name} 毕业生图像采集签字表".strip())
            y -= 16 * mm
            c.setFont(font, 11.5)
            c.drawString(margin, y, f"学院: {college_label(cls.college)}")
            c.drawString(width / 2, y, f"班级: {cls.class_name}")
            y -= 7 * mm
            c.drawString(margin, y, f"第 {g} 组 (共 {cls.group_count} 组, 本组 {len(members)} 人)")
            if slot is not None:
                with_times += 1
                d = slot.start_at
                c.drawString(
                    width / 2,
                    y,
                    f"{d.month}月{d.day}日 机位{slot.station_no}  候场 {slot.arrive_at:%H:%M}  采集 {slot.start_at:%H:%M}–{slot.end_at:%H:%M}",
                )
            else:
                c.drawString(width / 2, y, "日期 ____月____日   采集时间 ______–______")
            y -= 6 * mm
            data = [["序号", "姓名", "学号", "本人签名"]]
            for i, s in enumerate(members, start=1):
                data.append([str((g - 1) * GROUP_SIZE + i), s.name, s.student_no, ""])
            # Always ten rows: a short last group still gets a full sheet to sign on.
            for _ in range(GROUP_SIZE - len(members)):
                data.append(["", "", "", ""])
            row_h = 17 * mm
            tbl = Table(
                data,
                colWidths=[16 * mm, 38 * mm, 48 * mm, width - 2 * margin - 102 * mm],
                rowHeights=[10 * mm] + [row_h] * GROUP_SIZE,
            )
            tbl.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), font),
                        ("FONTSIZE", (0, 0), (-1, 0), 11),
                        ("FONTSIZE", (0, 1), (-1, -1), 12),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("ALIGN", (0, 0), (0, -1), "CENTER"),
                        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                    ]
                )
            )
            _w, h = tbl.wrapOn(c, width - 2 * margin, height)
            y -= h
            tbl.drawOn(c, margin, y)
            y -= 11 * mm
            c.setFont(font, 11.5)
            c.drawString(margin, y, f"应到 {len(members)} 人    实到 ______ 人")
            c.drawString(width / 2, y, "带队老师签字: ______________")
            y -= 9 * mm
            c.drawString(margin, y, "机位工作人员签字: ______________")
            c.setFont(font, 8)
            c.drawString(
                margin,
                12 * mm,
                f"拍摄合格、确认登记后签字离开。签字表交回机位工作人员, 实到人数用于半天核对。 生成于 {made:%Y-%m-%d %H:%M}",
            )
            c.drawRightString(width - margin, 12 * mm, f"{cls.class_name} 第{g}组 · 第 {pages} 页")
            c.showPage()
    c.save()
    out = write_atomic(path, buf.getvalue())
    return SheetsResult(out, pages, len(classes), students, with_times)
