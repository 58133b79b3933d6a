"""Names from the roster as folder and file names: bytes, reserved names, dots, separators, collisions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import Student
from app.safe_names import UniqueNames, safe_component
from tests._reports_day import day  # noqa: F401


@pytest.mark.parametrize(
    "value,expected",
    [("软件1901", "软件1901"), (".", "_"), ("..", "_"), ("", "_"), ("  a b  ", "a b"), ("a/b\\c", "a_b_c"),
     ("x\x00y\x1fz", "x_y_z"), ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("Com1", "_Com1"), ("LPT9 ", "_LPT9"),
     ("班级. . ", "班级"), ('a<b>c:"d"|e?f*', "a_b_c__d__e_f_"), ("CONSOLE", "CONSOLE")],
)
def test_safe_component(value, expected):
    assert safe_component(value) == expected


def test_length_is_counted_in_bytes_with_the_extension():
    for ch in ("软", "a", "😀"):
        name = safe_component(ch * 300, ext=".pdf", max_chars=300)
        assert len(name.encode("utf-8")) <= 249 and name.endswith(".pdf")  # 6 bytes kept for ".NAME.part"
        assert len(safe_component(ch * 300).encode("utf-8")) <= 249
    # cut on a character boundary, never half a UTF-8 sequence, no trailing dot left by the cut
    assert safe_component("a" * 254 + ".x", max_chars=999, max_bytes=255) == "a" * 254


def test_unique_names_as_a_case_insensitive_disk_sees_them():
    u = UniqueNames()
    a, b, c, d = u.name("", "A" * 80 + "甲"), u.name("", "A" * 80 + "乙"), u.name("", "."), u.name("", "..")
    assert len({a, b, c, d}) == 4 and {a[:80], b[:80]} == {"A" * 80}
    assert u.name("", "A" * 80 + "甲") == a  # the same name again: the same folder
    assert u.name("", "abc") != u.name("", "ABC")
    assert u.name("x", "abc") == "abc"  # another folder: no clash
    assert u.renamed[("", "..")] == d


def _export(run_cli, out):
    code, stdout, err = run_cli("export", "photos", "--out", out, "--json")
    assert code in (0, 1), err  # 1: the fixture's coffee cup cannot be cropped
    return json.loads(stdout.strip().splitlines()[-1])


def _rename(db, renames: dict[str, str]) -> None:
    with db.session() as s:
        for old, new in renames.items():
            for st in s.scalars(select(Student).where(Student.class_name == old)):
                st.class_name = new
        s.commit()


def test_class_name_over_255_bytes_is_exported(day, db, run_cli, tmp_path):  # noqa: F811
    long = "软件工程𠀋𡈽" * 20  # 120 characters, 400 bytes (CJK extension B takes 4 bytes in UTF-8)
    _rename(db, {"软件1901": long})
    out = tmp_path / "d"
    res = _export(run_cli, out)
    assert res["exported"] == 46 and res["pending"] == 1 and res["proof_sheets"] == 3  # X1901010: no valid ID
    for p in out.rglob("*"):
        assert len(p.name.encode("utf-8")) <= 255
    from openpyxl import load_workbook

    renamed = [r for r in load_workbook(out / "清单.xlsx")["文件夹改名"].iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[1]) for r in renamed] == [("班级", long)]


@pytest.mark.parametrize("names", [(".", ".."), ("班" * 80 + "甲", "班" * 80 + "乙"), ("CON", "con"), ("a/b", "a_b")])
def test_classes_that_map_to_one_name_keep_their_own_proof_sheets(day, db, run_cli, tmp_path, names):  # noqa: F811
    import pypdf

    _rename(db, {"计算机1901": names[0], "软件1901": names[1]})  # both in 信息工程学院
    out = tmp_path / "d"
    res = _export(run_cli, out)
    assert res["exported"] == 46 and res["pending"] == 1 and res["proof_sheets"] == 3  # X1901010: no valid ID
    pdfs = sorted((out / "校对单").rglob("*.pdf"))
    assert len(pdfs) == 3
    counts = sorted(int(pypdf.PdfReader(p).pages[0].extract_text().split("共 ")[1].split(" 人")[0]) for p in pdfs)
    assert counts == [9, 15, 23]  # 汉语言1901 (9: the cup has no crop), 软件1901, 计算机1901 with 999
    folders = {p.parent.name for p in (out / "照片").rglob("*.jpg") if p.parent.parent.name == "信息工程学院"}
    assert len(folders) == 2
