"""Sign-in sheets (签字表): one A4 page per group of ten, printed before the day.

附件4 puts "按组别打印的签字表" in the school's material pack: each group signs
its sheet at the station, the class teacher collects them, and the count of
signatures is later checked against the station's count (the reconciliation's
sign-sheet cross-check, ``SignSheetCount``). So each page carries what that
check needs: school, college, class, group number and time slot, and per
student the number, name and student number (never the ID number), with a
box to sign, a 备注/缺席原因 column, the place (附件4: 批次、时间、人数、地点)
and a line for the count. Every line is fitted to its width (shrunk, then
wrapped), so a long class name never overprints. A class's last two or three
students join its previous group (``app.roll_call.groups.group_count_for``) instead of
a page of their own.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.errors import InputError
from app.i18n import t
from app.models import Absence, Selection, Student
from app.pdf import register_cjk_font
from app.roll_call.groups import GROUP_SIZE, college_label, reason_label
from app.roll_call.queries import load_classes, plan_slots
from app.roll_call.views import ClassView, SlotInfo
from app.timetable.places import Places
from app.timetable.store import latest_places
from capture.atomic import write_atomic


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


def _fit(c, text: str, font: str, size: float, width: float, min_size: float = 6.5) -> tuple[float, list[str]]:
    """The font size and lines that put ``text`` inside ``width``: shrink first, then wrap (never overprint)."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > min_size and stringWidth(text, font, size) > width:
        size -= 0.5
    if stringWidth(text, font, size) <= width:
        return size, [text]
    return size, simpleSplit(text, font, size, width) or [text]


def _draw_fit(c, x: float, y: float, text: str, font: str, size: float, width: float, *, right: bool = False,
              up: bool = False) -> float:
    """Draw ``text`` within ``width`` from (x, y) (right-aligned at x with ``right``); returns the height used.

    Extra lines go down (or up with ``up``, for a footer that must stay above the edge).
    """
    size, lines = _fit(c, text, font, size, width)
    c.setFont(font, size)
    lead = size * 1.2
    if up:
        y += lead * (len(lines) - 1)
    for i, line in enumerate(lines):
        yy = y - i * lead
        if right:
            c.drawRightString(x, yy, line)
        else:
            c.drawString(x, yy, line)
    return lead * len(lines)


def _absence_notes(session: Session, ids: list[int]) -> dict[int, str]:
    """Reasons already recorded for students not photographed (printed in 备注/缺席原因 on a reprint)."""
    if not ids:
        return {}
    done = set(session.scalars(select(Selection.student_id).where(Selection.student_id.in_(ids))))
    out = {}
    for sid, reason, text in session.execute(
        select(Absence.student_id, Absence.reason, Absence.text).where(Absence.student_id.in_(ids), Absence.cleared_at.is_(None))
    ):
        if sid not in done:
            out[sid] = reason_label(reason, text)
    return out


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
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, Table, TableStyle

    font = register_cjk_font()
    classes = select_classes(session, college, class_name)
    school_setting = school if school is not None else str(settings.get(session, "school.name") or "")
    slots: dict[tuple[str, str, int], SlotInfo] = {}
    for s in plan_slots(session):
        slots.setdefault((s.college, s.class_name, s.group_no), s)
    places = latest_places(session) if slots else Places(str(settings.get(session, "plan.place") or ""))
    notes = _absence_notes(session, [m.id for cls in classes for m in cls.students])
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=10.5, wordWrap="CJK")

    buf = io.BytesIO()
    width, height = A4
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle("签字表")
    c.setAuthor("station")
    margin = 18 * mm
    inner = width - 2 * margin
    half = inner / 2 - 3 * mm
    pages = with_times = students = 0
    made = datetime.now()
    for cls in classes:
        school_name = _school(session, cls, school_setting)
        place = places.for_class(cls.college, cls.class_name)
        for g in range(1, cls.group_count + 1):
            members = cls.group(g)
            slot = slots.get((cls.college, cls.class_name, g))
            pages += 1
            students += len(members)
            y = height - margin
            title = f"{school_name} 毕业生图像采集签字表".strip()
            size, lines = _fit(c, title, font, 18, inner, min_size=12)
            c.setFont(font, size)
            for i, line in enumerate(lines[:2]):
                c.drawCentredString(width / 2, y - 6 * mm - i * size * 1.15, line)
            y -= 16 * mm
            used = max(
                _draw_fit(c, margin, y, f"学院: {college_label(cls.college)}", font, 11.5, half),
                _draw_fit(c, width / 2, y, f"班级: {cls.class_name}", font, 11.5, half),
            )
            y -= max(7 * mm, used + 1.5 * mm)
            _draw_fit(c, margin, y, f"第 {g} 组 (共 {cls.group_count} 组, 本组 {len(members)} 人)", font, 11.5, half)
            if slot is not None:
                with_times += 1
                d = slot.start_at
                when = f"{d.month}月{d.day}日 机位{slot.station_no}  候场 {slot.arrive_at:%H:%M}  采集 {slot.start_at:%H:%M}–{slot.end_at:%H:%M}"
            else:
                when = "日期 ____月____日   采集时间 ______–______"
            _draw_fit(c, width / 2, y, when, font, 11.5, half)
            y -= 7 * mm
            y -= _draw_fit(c, margin, y, f"地点: {place}" if place else "地点: ________________________", font, 11.5, inner)
            y -= 1 * mm
            data = [["序号", "姓名", "学号", "本人签名", "备注/缺席原因"]]
            for i, s in enumerate(members, start=1):
                note = notes.get(s.id, "")
                data.append([str((g - 1) * GROUP_SIZE + i), Paragraph(s.name, cell) if len(s.name) > 6 else s.name,
                             s.student_no, "", Paragraph(note, cell) if note else ""])
            # At least ten rows: a short group still gets a full sheet to sign on.
            rows = max(GROUP_SIZE, len(members))
            for _ in range(rows - len(members)):
                data.append(["", "", "", "", ""])
            row_h = min(16 * mm, (y - 42 * mm - 10 * mm) / rows)
            tbl = Table(
                data,
                colWidths=[13 * mm, 30 * mm, 36 * mm, inner - 13 * mm - 30 * mm - 36 * mm - 40 * mm, 40 * mm],
                rowHeights=[10 * mm] + [row_h] * rows,
            )
            tbl.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), font),
                        ("FONTSIZE", (0, 0), (-1, 0), 10.5),
                        ("FONTSIZE", (0, 1), (-1, -1), 12),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("ALIGN", (0, 0), (0, -1), "CENTER"),
                        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                    ]
                )
            )
            _w, h = tbl.wrapOn(c, inner, height)
            y -= h
            tbl.drawOn(c, margin, y)
            y -= 10 * mm
            c.setFont(font, 11.5)
            c.drawString(margin, y, f"应到 {len(members)} 人    实到 ______ 人")
            c.drawString(width / 2, y, "带队老师签字: ______________")
            y -= 8 * mm
            c.drawString(margin, y, "机位工作人员签字: ______________")
            # Footer: the note above, the class and page below, each fitted to its width.
            _draw_fit(c, margin, 16 * mm, "拍摄合格、确认登记后签字离开。签字表交回机位工作人员, 实到人数用于半天核对; "
                      "未到的学生请在备注栏写明原因。", font, 8, inner, up=True)
            stamp = f"生成于 {made:%Y-%m-%d %H:%M}"
            c.setFont(font, 8)
            c.drawString(margin, 10 * mm, stamp)
            from reportlab.pdfbase.pdfmetrics import stringWidth

            room = inner - stringWidth(stamp, font, 8) - 6 * mm
            _draw_fit(c, width - margin, 10 * mm, f"{cls.class_name} 第{g}组 · 第 {pages} 页", font, 8, room, right=True, up=True)
            c.showPage()
    c.save()
    out = write_atomic(path, buf.getvalue())
    return SheetsResult(out, pages, len(classes), students, with_times)
