"""乱码 in the roster (附件2: 不能包含乱码): an error on any field; real names stay clean."""

from __future__ import annotations

import itertools
import random

import pytest

from app.demo_data import COMPOUND_SURNAMES, FEMALE_CHARS, MALE_CHARS, SURNAMES, students
from app.roster.importer import check_roster
from app.roster.findings import CODES, ERROR
from app.roster.garbled import garbled_indices, garbled_reason
from tests._roster_books import good_rows, make_book

# The four names of the issue, each garbled a different way.
GARBLED = {
    "锟斤拷": "锟斤拷",
    "çŽ‹èŠ³": "王芳",  # UTF-8 read as cp1252
    "ÍõÃ÷": "王明",  # GBK read as Latin-1
    "鏉庡洓": "李四",  # UTF-8 read as GBK
}


@pytest.mark.parametrize("text,original", GARBLED.items())
def test_the_issues_examples_are_garbled(text, original):
    why = garbled_reason(text)
    assert why and original in why


@pytest.mark.parametrize(
    "text",
    ["王\ufffd", "\ue001张伟", "张\U000f0001", "烫烫烫", "屯屯屯屯"],
)
def test_replacement_private_use_and_fill_characters(text):
    assert garbled_reason(text)


@pytest.mark.parametrize("name", ["张三", "王芳", "李明", "欧阳娜娜", "诸葛亮", "信息工程学院", "软工2101班"])
def test_every_way_of_misreading_a_real_name_is_caught(name):
    misread = [
        name.encode("utf-8").decode("gbk", errors="replace"),
        name.encode("gbk").decode("latin-1"),
        name.encode("gbk").decode("cp1252", errors="replace"),
        name.encode("utf-8").decode("cp1252", errors="replace"),
        name.encode("utf-8").decode("latin-1"),
    ]
    for m in misread:
        assert garbled_reason(m), (name, m)


def _real_names() -> list[str]:
    names = [r[6] for r in students(6000, seed=11)]
    given = sorted(set(MALE_CHARS + FEMALE_CHARS))
    names += [s + g for s in SURNAMES for g in given]  # every surname with every given character
    names += [s + a + b for s in COMPOUND_SURNAMES + tuple(SURNAMES[:20]) for a, b in itertools.product(given, repeat=2)]
    names += ["买买提·艾力", "阿依古丽·吐尔逊", "迪丽热巴·迪力木拉提", "阿卜杜拉·买买提", "达瓦次仁", "扎西顿珠", "乌兰托娅"]
    names += ["Zhang Wei", "John Smith", "O'Brien", "Anne-Marie", "José García", "Zoë Müller", "Ñoño", "Renée", "Łukasz"]
    return names


def test_a_long_list_of_real_names_gives_no_finding():
    names = _real_names()
    assert len(names) > 30_000
    assert garbled_indices(names) == []


def test_every_gb2312_character_and_random_names_from_them_stay_clean():
    level1 = [bytes((a, b)).decode("gb2312") for a in range(0xB0, 0xD8) for b in range(0xA1, 0xFF) if (a, b) < (0xD7, 0xFA)]
    assert len(level1) == 3755
    rng = random.Random(0)
    names = level1 + ["".join(rng.choice(level1) for _ in range(rng.choice((2, 3, 4)))) for _ in range(20_000)]
    assert garbled_indices(names) == []


def test_garbled_is_an_error_on_any_field_of_a_roster(tmp_path):
    rows = good_rows(8)
    rows[0][6] = "鏉庡洓"  # name (row 2)
    rows[1][6] = "çŽ‹èŠ³"
    rows[2][6] = "ÍõÃ÷"
    rows[3][6] = "锟斤拷"
    rows[4][3] = "软工2101班".encode("utf-8").decode("gbk", errors="replace")  # class
    rows[5][2] = "软件工程".encode("gbk").decode("latin-1")  # major
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    got = {(f.row, f.field) for f in checked.findings if f.code == "garbled"}
    assert got == {(2, "Xm"), (3, "Xm"), (4, "Xm"), (5, "Xm"), (6, "Bjmc"), (7, "Zymc")}
    assert CODES["garbled"][0] == ERROR
    assert all(f.severity == ERROR for f in checked.findings if f.code == "garbled")
    assert {2, 3, 4, 5, 6, 7} <= {f.row for f in checked.findings if f.severity == ERROR}
    msg = next(f.message for f in checked.findings if f.code == "garbled" and f.row == 2)
    assert "姓名" in msg and "李四" in msg


def test_a_clean_roster_has_no_garbled_finding(tmp_path):
    checked = check_roster(make_book(tmp_path / "r.xlsx", good_rows(300, college=False)))
    assert not [f for f in checked.findings if f.code == "garbled"]
