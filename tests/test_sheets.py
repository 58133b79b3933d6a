"""Sign-in sheets: one A4 page per group of ten, Chinese text extractable, font embedded, no ID numbers."""

from __future__ import annotations

from datetime import datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.errors import InputError
from app.models import AuditLog, Student
from app.signin_sheets import write_sheets
from app.timetable import store
from tests.marshal_data import make_roster

CLASSES = [("文学院", "汉语言1班", 23), ("文学院", "汉语言2班", 30), ("理学院", "数学1班", 12), ("理学院", "物理1班", 7)]


@pytest.fixture
def roster(db):
    with db.session() as s:
        make_roster(s, CLASSES, shuffle_numbers=True)
        s.commit()
    return db


def pages_text(path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def test_one_a4_page_per_group_of_ten(roster, tmp_path):
    with roster.session() as s:
        r = write_sheets(s, tmp_path / "all.pdf", school="扬州大学")
    expected = 2 + 3 + 1 + 1  # 23 = 10 + 13 and 12 = one group: a remainder of ≤ 3 joins the group before
    assert (r.pages, r.classes, r.students, r.with_times) == (expected, 4, 72, 0)
    reader = PdfReader(tmp_path / "all.pdf")
    assert len(reader.pages) == expected
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.28) < 1 and abs(h - 841.89) < 1  # A4 portrait


def test_chinese_text_names_numbers_and_no_id_numbers(roster, tmp_path):
    with roster.session() as s:
        write_sheets(s, tmp_path / "s.pdf", school="扬州大学")
        students = s.scalars(select(Student).order_by(Student.id)).all()
    texts = pages_text(tmp_path / "s.pdf")
    first = texts[0]
    for needle in ("扬州大学", "毕业生图像采集签字表", "学院: 文学院", "班级: 汉语言1班", "第 1 组 (共 2 组, 本组 10 人)", "本人签名", "应到 10 人"):
        assert needle in first, needle
    everything = "\n".join(texts)
    for st in students:
        assert st.name in everything and st.student_no in everything
        assert st.id_number not in everything and st.id_number[-6:] not in everything
    # Group 2 of 汉语言1班 lists students 11..23 by student number, whatever the roster order:
    # the last three joined it instead of a page of their own.
    second = texts[1]
    assert "第 2 组" in second
    numbers = [f"19001{n:03d}" for n in range(11, 24)]
    assert all(n in second for n in numbers)
    assert "19001010" not in second
    assert second.index(numbers[0]) < second.index(numbers[-1])
    assert "本组 13 人" in second and "应到 13 人" in second
    assert "备注/缺席原因" in first and "地点" in first
    # The last, short group of a class still says how many should sign.
    assert "本组 7 人" in texts[-1] and "应到 7 人" in texts[-1]


def test_font_is_embedded(roster, tmp_path):
    with roster.session() as s:
        write_sheets(s, tmp_path / "s.pdf", class_name="物理1班")
    page = PdfReader(tmp_path / "s.pdf").pages[0]
    fonts = page["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        desc = font.get("/FontDescriptor")
        if desc is None and "/DescendantFonts" in font:
            desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        if desc is not None:
            desc = desc.get_object()
            embedded.append(any(k in desc for k in ("/FontFile2", "/FontFile", "/FontFile3")))
    assert embedded and all(embedded)


def test_filters_by_college_and_class(roster, tmp_path):
    with roster.session() as s:
        r = write_sheets(s, tmp_path / "c.pdf", college="理学院")
        assert (r.pages, r.classes) == (2, 2)
        r = write_sheets(s, tmp_path / "k.pdf", class_name="汉语言2班")
        assert r.pages == 3
        with pytest.raises(InputError):
            write_sheets(s, tmp_path / "x.pdf", class_name="没有这个班")
    assert len(PdfReader(tmp_path / "k.pdf").pages) == 3
    assert all("汉语言2班" in t for t in pages_text(tmp_path / "k.pdf"))


def test_time_slots_come_from_the_timetable(roster, tmp_path):
    with roster.session() as s:
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=2, rate=165, breaks="", lead=10)
        store.save_plan(s, p)
        s.commit()
        r = write_sheets(s, tmp_path / "t.pdf", class_name="数学1班")
    assert r.with_times == r.pages == 1
    slot = next(sl for sl in p.slots if sl.class_name == "数学1班")
    g1 = slot.groups[0]
    text = pages_text(tmp_path / "t.pdf")[0]
    assert f"机位{slot.station}" in text
    assert f"候场 {g1.arrive:%H:%M}" in text and f"采集 {g1.start:%H:%M}–{g1.end:%H:%M}" in text
    assert "3月16日" in text


def test_sheets_command_writes_an_audit_record(roster, run_cli, tmp_path):
    out = tmp_path / "cmd.pdf"
    code, stdout, err = run_cli("sheets", "--out", out, "--college", "文学院")
    assert code == 0, err
    assert "5 页" in stdout
    assert len(PdfReader(out).pages) == 5
    with roster.session() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "sign_sheets")).one()
        assert entry.rows == 53 and entry.file_sha256
    code, _, err = run_cli("sheets", "--out", tmp_path / "none.pdf", "--class", "不存在")
    assert code == 2 and "不存在" in err


LONG_CLASS = "机械设计制造及其自动化(中外合作办学)2015级1班"


def _text_runs(path):
    """Every text run on every page as (page, text, x0, x1, y, size), widths from the embedded font's metrics."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.pdf import register_cjk_font

    font = register_cjk_font()
    out = []
    for n, page in enumerate(PdfReader(path).pages):
        def visit(text, cm, tm, _font, size, n=n):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = (tm[0] * cm[0]) or 1
            out.append((n, text, x, x + stringWidth(text, font, size * scale), y, size * scale))

        page.extract_text(visitor_text=visit)
    return out


def test_a_long_class_name_never_overprints(db, tmp_path):
    with db.session() as s:
        make_roster(s, [("机械工程学院(中外合作办学项目管理办公室)", LONG_CLASS, 23)])
        s.commit()
        write_sheets(s, tmp_path / "long.pdf", school="南京航空航天大学金城学院")
    runs = _text_runs(tmp_path / "long.pdf")
    assert runs
    page_w = 595.28
    for n, text, x0, x1, y, size in runs:
        assert x0 >= 10 and x1 <= page_w - 10, (text, x0, x1)  # inside the page's margins
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            if a[0] != b[0] or abs(a[4] - b[4]) > 0.6 * min(a[5], b[5]):
                continue  # other page or other line
            overlap = min(a[3], b[3]) - max(a[2], b[2])
            assert overlap <= 0.5, (a[1], b[1], overlap)  # nothing drawn over anything on the same line
    everything = "".join(pages_text(tmp_path / "long.pdf")).replace("\n", "")
    assert LONG_CLASS in everything.replace(" ", "") or "2015级1班" in everything


def test_a_reprint_shows_recorded_absence_reasons(roster, tmp_path):
    from app.roll_call import board as marshal

    with roster.session() as s:
        st = s.scalars(select(Student).where(Student.student_no == "19004003")).one()
        marshal.mark_absent(s, st.id, "实习", "在苏州实习")
        s.commit()
        write_sheets(s, tmp_path / "r.pdf", class_name="物理1班")
    text = pages_text(tmp_path / "r.pdf")[0]
    assert "备注/缺席原因" in text and "在苏州实习" in text
