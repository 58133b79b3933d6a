"""Every finding code, from real workbooks: the right row, field, code and severity."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.roster.importer import check_roster
from app.roster.findings import CODES, ERROR, WARNING
from tests._roster_books import HEADERS, by_code, good_rows, make_book, valid_id


def _every_code_rows():
    rows = good_rows(21)
    r = {k: rows[k - 2] for k in range(2, 23)}  # keyed by the Excel row they land on
    r[3][8] = ""  # empty Ksh
    r[4][5] = 321084199001011234  # Excel keeps 15 digits: the last are lost
    r[5][5] = r[5][5][:17]  # 17 characters
    last = r[6][5][-1]
    r[6][5] = r[6][5][:-1] + ("1" if last != "1" else "2")  # wrong check character
    r[7][5] = valid_id("32010219990230123")  # 30 February, correct check character
    r[8][5] = valid_id(r[8][5][:16] + "3")  # a man's sequence digit...
    r[8][7] = "女"  # ...but the gender column says woman
    r[9][4] = r[2][4]  # the same student number as row 2, another student
    r[10][7] = "未知"  # not 男/女
    # row 11 stays blank (inserted below)
    r[12][6] = r[12][6][0] + "\u200b" + r[12][6][1:]  # zero-width space in the name
    r[12][3] = r[12][3] + "\u00a0"  # no-break space after the class
    r[13][4] = r[13][4][:-2] + "１２"  # full-width digits
    r[14][2] = "  " + r[14][2] + " "  # spaces around the major
    body = "32010219990101123"
    while valid_id(body)[-1] != "X":
        body = body[:14] + f"{int(body[14:]) + 2:03d}"
    r[15][5] = valid_id(body)[:-1] + "x"
    r[15][7] = "男" if int(body[16]) % 2 else "女"
    r[16][5] = "110105491231002"  # legacy 15 digits (a woman)
    r[16][7] = "女"
    r[17][4] = float(r[17][4])  # student number stored as a number
    r[17][8] = float(r[17][8])  # exam number too
    r[18][5] = r[18][5][:10] + "A" + r[18][5][11:]  # a letter inside
    r[19][7] = "男性" if r[19][7] == "男" else "女性"
    r[20][0] = datetime(2025, 6, 30)  # a date cell
    r[21] = ["合计 19 人"] + [""] * 8  # a totals line
    ordered = [r[k] for k in range(2, 11)] + [[None] * 9] + [r[k] for k in range(12, 23)]
    return ordered


def test_every_code_on_its_row(tmp_path):
    path = make_book(tmp_path / "roster.xlsx", _every_code_rows())
    checked = check_roster(path)
    got = {(f.row, f.field, f.code) for f in checked.findings}
    expected = {
        (3, "Ksh", "empty"),
        (4, "Sfzh", "id_stored_as_number"),
        (5, "Sfzh", "id_length"),
        (6, "Sfzh", "id_checksum"),
        (7, "Sfzh", "id_birthdate"),
        (8, "Sfzh", "id_gender_mismatch"),
        (9, "Xh", "duplicate"),
        (10, "Xb", "invalid_value"),
        (12, "Xm", "hidden_chars"),
        (12, "Bjmc", "hidden_chars"),
        (13, "Xh", "fullwidth"),
        (14, "Zymc", "spaces"),
        (15, "Sfzh", "lowercase_x"),
        (16, "Sfzh", "id_legacy_15"),
        (17, "Xh", "stored_as_number"),
        (17, "Ksh", "stored_as_number"),
        (18, "Sfzh", "id_format"),
        (19, "Xb", "gender_text"),
        (20, "Bynd", "stored_as_date"),
        (21, "Bynd", "skipped_row"),
    }
    assert got == expected
    for f in checked.findings:
        assert f.severity == CODES[f.code][0]
        assert f.message and isinstance(f.message, str)
    # The issue's list, all present; the skipped totals row is not a student.
    issue_codes = {
        "empty", "id_stored_as_number", "id_length", "id_checksum", "id_birthdate", "id_gender_mismatch",
        "duplicate", "invalid_value", "hidden_chars", "fullwidth", "spaces", "lowercase_x", "id_legacy_15",
        "stored_as_number",
    }  # fmt: skip
    assert issue_codes <= {c for _, _, c in got}
    assert checked.n == 19


def test_repairs_are_applied_and_recorded(tmp_path):
    rows = _every_code_rows()
    path = make_book(tmp_path / "roster.xlsx", rows)
    checked = check_roster(path)
    v = checked.values
    i = checked.rownos.index
    assert "\u200b" not in v["Xm"][i(12)] and v["Xm"][i(12)] == rows[10][6].replace("\u200b", "")
    assert v["Bjmc"][i(12)] == rows[10][3].rstrip("\u00a0")
    assert v["Xh"][i(13)].endswith("12")
    assert v["Zymc"][i(14)] == rows[12][2].strip()
    assert v["Sfzh"][i(15)].endswith("X")
    assert v["Sfzh"][i(16)] == "110105491231002" and checked.id18[i(16)] == "11010519491231002X"
    assert v["Xh"][i(17)] == str(int(rows[15][4]))
    assert v["Bynd"][i(20)] == "2025-06-30"
    assert v["Xb"][i(19)] in ("男", "女")
    codes = by_code(checked.findings)
    hidden = [f for f in codes["hidden_chars"] if f.field == "Xm"][0]
    assert "⟨U+200B⟩" in hidden.original and hidden.fixed == v["Xm"][i(12)]
    # The digits Excel lost are not invented: the stored value ends in zeros and the row is an error.
    assert v["Sfzh"][i(4)] == "321084199001011000"
    assert i(4) in checked.id_lost and i(4) in checked.error_rows
    # Errors keep the row's values (the student is still imported).
    assert v["Sfzh"][i(6)] == rows[4][5]


def test_error_rows_and_warning_rows(tmp_path):
    checked = check_roster(make_book(tmp_path / "r.xlsx", _every_code_rows()))
    err_rows = {checked.rownos[i] for i in checked.error_rows}
    assert 11 not in checked.rownos and 21 not in checked.rownos  # blank and totals rows
    warn_rows = {checked.rownos[i] for i in checked.warning_rows}
    assert err_rows == {3, 4, 5, 6, 7, 8, 9, 10, 18}
    assert {12, 13, 14, 15, 16, 17, 19, 20} <= warn_rows
    assert all(f.severity in (ERROR, WARNING) for f in checked.findings)


def test_missing_column_is_one_finding_not_one_per_row(tmp_path):
    rows = [r[:8] for r in good_rows(5)]
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows, header=["Bynd", "xxmc", "Zymc", "Bjmc", "Xh", "Sfzh", "Xm", "Xb"]))
    assert [(f.row, f.field, f.code, f.severity) for f in checked.findings] == [(1, "Ksh", "missing_column", "error")]


def test_exact_repeat_of_a_row_is_one_student(tmp_path):
    rows = good_rows(4)
    rows.append(list(rows[1]))
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    dups = [(f.row, f.field) for f in checked.findings if f.code == "duplicate"]
    assert dups == [(6, "Xh"), (6, "Sfzh"), (6, "Ksh")]
    assert checked.same_as == {4: 1}
    assert "整行相同" in checked.findings[0].message


def test_duplicate_id_across_15_and_18_digit_forms(tmp_path):
    rows = good_rows(3)
    rows[0][5], rows[0][7] = "110105491231002", "女"
    rows[2][5], rows[2][7] = "11010519491231002X", "女"
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    assert [(f.row, f.field) for f in checked.findings if f.code == "duplicate"] == [(4, "Sfzh")]


def test_birthdate_plausibility_uses_the_graduation_year(tmp_path):
    rows = good_rows(2)
    year = int(rows[0][0])
    child = valid_id(f"320102{year - 5}0101002")  # five years old at graduation
    rows[0][5], rows[0][7] = child, "女"
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    assert [(f.row, f.code) for f in checked.findings] == [(2, "id_birthdate")]
    assert "不合理" in checked.findings[0].message


def test_numbers_typed_as_text_and_scientific_notation(tmp_path):
    rows = good_rows(3)
    rows[0][4] = rows[0][4] + ".0"  # a number pasted as text
    rows[1][5] = "3.21084E+17"  # what a CSV saved from Excel carries
    rows[2][4] = "2.02101E+12"
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    got = {(f.row, f.field, f.code, f.severity) for f in checked.findings}
    assert got == {
        (2, "Xh", "stored_as_number", "warning"),
        (3, "Sfzh", "id_stored_as_number", "error"),
        (4, "Xh", "invalid_value", "error"),
    }
    assert checked.values["Xh"][0] == rows[0][4][:-2]


def test_year_typed_as_number_is_reported_once_for_the_column(tmp_path):
    rows = good_rows(6)
    for r in rows:
        r[0] = int(r[0])
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    assert [(f.row, f.field, f.code) for f in checked.findings] == [(1, "Bynd", "stored_as_number")]
    assert "6" in checked.findings[0].message
    assert set(checked.values["Bynd"]) == {str(rows[0][0])}


@pytest.mark.parametrize(
    "name, code",
    [("张三3", "invalid_value"), ("李?", "invalid_value"), ("王\ufffd", "invalid_value"), ("张  三", "spaces"),
     ("\u3000王五", "fullwidth"), ("John  Smith", "spaces")],
)  # fmt: skip
def test_names(tmp_path, name, code):
    rows = good_rows(1)
    rows[0][6] = name
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    assert code in {f.code for f in checked.findings if f.field == "Xm"}


def test_inner_spaces_of_a_latin_name_are_kept(tmp_path):
    rows = good_rows(1)
    rows[0][6] = "John  Smith"
    checked = check_roster(make_book(tmp_path / "r.xlsx", rows))
    assert checked.values["Xm"][0] == "John Smith"


def test_clean_roster_has_no_findings(tmp_path):
    checked = check_roster(make_book(tmp_path / "r.xlsx", good_rows(40, college=True), header=[*HEADERS, "学院"]))
    assert checked.findings == []
    assert checked.values["Xymc"] is not None


def test_demo_roster_shows_its_deliberate_problems(tmp_path):
    from app.demo_data import write_demo_roster

    checked = check_roster(write_demo_roster(tmp_path / "demo.xlsx"))
    codes = {f.code for f in checked.findings}
    assert {"id_checksum", "id_stored_as_number", "fullwidth", "hidden_chars", "lowercase_x", "duplicate"} <= codes
    assert checked.n == 120
    assert len(set(checked.values["Xymc"])) == 3
    assert date.today().year - 1 <= int(checked.values["Bynd"][0]) <= date.today().year + 1
