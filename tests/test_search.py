"""Finding students: scanned codes, typed numbers, names and pinyin initials."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Student
from app.roster.importer import import_roster
from app.roster.pinyin import initials
from app.search import lookup_exact, normalise, search, student_summary
from tests._roster_books import good_rows, make_book, valid_id


@pytest.fixture
def roster(db, tmp_path):
    rows = good_rows(40)
    rows[0][6] = "张三明"
    rows[1][6] = "张三"
    rows[2][6] = "单田芳"
    rows[3][5], rows[3][7] = "110105491231002", "女"  # legacy 15-digit number
    rows[4][5] = 321084199001011234  # stored as a number by Excel
    rows[5][6] = "欧阳娜娜"
    rows[6][6] = "张三"  # two students of the same name
    with db.session() as s:
        import_roster(s, make_book(tmp_path / "r.xlsx", rows))
    return rows


def _nos(found):
    return [s.student_no for s in found]


def test_scanned_id_card_number(db, roster):
    with db.session() as s:
        assert _nos(lookup_exact(s, roster[0][5])) == [roster[0][4]]
        # The ID card reader types 18 characters; the roster has the legacy number.
        assert _nos(lookup_exact(s, "11010519491231002X")) == [roster[3][4]]
        assert _nos(lookup_exact(s, "11010519491231002x")) == [roster[3][4]]
        # Excel lost the last digits of this one; the card still finds the flagged row.
        (lost,) = lookup_exact(s, "321084199001011234")
        assert lost.student_no == roster[4][4] and lost.has_error


def test_scanned_student_and_exam_numbers(db, roster):
    with db.session() as s:
        assert _nos(lookup_exact(s, roster[7][4])) == [roster[7][4]]
        assert _nos(lookup_exact(s, roster[7][8])) == [roster[7][4]]
        assert _nos(lookup_exact(s, " " + roster[7][4] + "\u200b")) == [roster[7][4]]
        full = "".join(chr(ord(c) + 0xFEE0) for c in roster[7][4])
        assert _nos(lookup_exact(s, full)) == [roster[7][4]]
        assert lookup_exact(s, roster[7][4][:-1]) == []  # exact means exact
        assert lookup_exact(s, "") == []


def test_search_by_each_kind(db, roster):
    with db.session() as s:
        assert _nos(search(s, roster[9][4]))[0] == roster[9][4]
        assert _nos(search(s, roster[9][5])) == [roster[9][4]]
        assert roster[9][4] in _nos(search(s, roster[9][5][-6:]))
        assert _nos(search(s, "31002X")) == [roster[3][4]]  # last 6 of the derived 18-digit number
        assert _nos(search(s, roster[9][8])) == [roster[9][4]]
        assert _nos(search(s, "张三明")) == [roster[0][4]]
        assert _nos(search(s, "zsm")) == [roster[0][4]]
        assert _nos(search(s, "ZSM")) == [roster[0][4]]
        assert _nos(search(s, "stf")) == [roster[2][4]]  # 单 as a surname is Shàn
        assert _nos(search(s, "oynn")) == [roster[5][4]]


def test_exact_before_prefix(db, roster):
    with db.session() as s:
        found = search(s, "张三")
        assert _nos(found)[:3] == [roster[1][4], roster[6][4], roster[0][4]]  # 张三 exactly, then 张三明
        zs = search(s, "zs")
        assert _nos(zs)[:2] == [roster[1][4], roster[6][4]] and roster[0][4] in _nos(zs)


def test_typing_a_student_number_narrows_down(db, roster):
    with db.session() as s:
        prefix = roster[0][4][:8]
        expected = sorted(r[4] for r in roster if r[4].startswith(prefix))
        found = _nos(search(s, prefix, limit=100))
        assert sorted(found) == expected and len(expected) > 1
        assert len(search(s, prefix, limit=3)) == 3
        assert search(s, roster[0][4][:2]) == []  # too short for a prefix search


def test_inactive_students_come_last(db, roster, tmp_path):
    with db.session() as s:
        x = s.scalars(select(Student).where(Student.student_no == roster[1][4])).one()
        x.active = False
        s.commit()
        # Among equally good matches the student still on the roster comes first.
        assert _nos(search(s, "张三"))[:3] == [roster[6][4], roster[1][4], roster[0][4]]


def test_summary_masks_the_id_number(db, roster):
    with db.session() as s:
        (x,) = lookup_exact(s, roster[0][5])
        d = student_summary(x)
        assert d["id_number"] == roster[0][5][:4] + "*" * 10 + roster[0][5][-4:]
        assert student_summary(x, mask=False)["id_number"] == roster[0][5]


def test_normalise():
    assert normalise(" ２０２１００１\u200b ") == "2021001"
    assert normalise("11010519491231002x") == "11010519491231002X"
    assert normalise("张 三") == "张三"
    assert normalise("John  Smith") == "John Smith"


@pytest.mark.parametrize(
    "name, expected",
    [("张三明", "zsm"), ("单田芳", "stf"), ("曾小贤", "zxx"), ("欧阳娜娜", "oynn"), ("尉迟恭", "ycg"),
     ("阿依古丽·买买提", "ayglmmt"), ("John Smith", "js"), ("李", "l"), ("", "")],
)  # fmt: skip
def test_initials(name, expected):
    assert initials(name) == expected


def test_valid_id_helper_is_consistent():
    assert len(valid_id("11010519491231002")) == 18


def test_initials_agree_with_pypinyin_first_letters():
    """The readings table is pypinyin's: the same first letters as its public API."""
    import random

    from pypinyin import Style, lazy_pinyin

    rng = random.Random(1)
    chars = [chr(rng.randrange(0x4E00, 0x9FA6)) for _ in range(3000)]
    ours = [initials("王" + c)[1:] for c in chars]  # after a surname, so no surname reading applies
    ref = lazy_pinyin(chars, style=Style.FIRST_LETTER, errors=lambda s: [""] * len(s))
    ref = [r[:1].lower() if r[:1].isascii() and r[:1].isalpha() else "" for r in ref]
    assert ours == ref
