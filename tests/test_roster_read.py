"""Reading rosters as schools send them: titles above the header, Chinese and
odd-cased headers, hidden sheets, extra columns, merged cells, CSV, encryption."""

from __future__ import annotations

import pytest

from app.errors import InputError, PasswordNeeded
from app.roster.importer import check_roster
from app.roster.reader import read_roster
from tests._roster_books import HEADERS, ZH_HEADERS, encrypt_file, good_rows, make_book


def test_header_below_a_title_and_blank_rows_keep_excel_row_numbers(tmp_path):
    rows = good_rows(4)
    rows[2][5] = rows[2][5][:-1] + ("0" if rows[2][5][-1] != "0" else "1")
    data = [rows[0], [None] * 9, rows[1], [None] * 9, [None] * 9, rows[2], rows[3]]
    path = make_book(tmp_path / "r.xlsx", data, above=[["2025届毕业生图像采集名单"], []])
    raw = read_roster(path)
    assert raw.header_row == 3
    assert raw.rownos == [4, 6, 9, 10]
    checked = check_roster(path)
    assert [(f.row, f.code) for f in checked.findings] == [(9, "id_checksum")]
    assert "第 3 行" in raw.notes[0]


def test_data_starting_in_a_later_column(tmp_path):
    rows = good_rows(2)
    path = make_book(tmp_path / "r.xlsx", rows, start_col=3, above=[["名单"]])
    raw = read_roster(path)
    assert raw.header_row == 2 and raw.rownos == [3, 4]
    assert list(raw.columns["Xm"]) == [rows[0][6], rows[1][6]]


@pytest.mark.parametrize(
    "header",
    [
        ZH_HEADERS,
        [" BYND ", "XXMC", "zymc", "BjMc", " xh", "SFZH ", "XM", "xb", "Ksh"],
        ["毕业年份", "学校", "专业", "班级", "学号", "身份证号码(18位)", "学生姓名", "性别", "高考考生号"],
        ["Ｂｙｎｄ", "xxmc", "Zymc", "Bjmc", "Xh", "Sfzh", "Xm", "Xb", "Ksh（必填）"],
    ],
)
def test_header_spellings(tmp_path, header):
    rows = good_rows(3)
    raw = read_roster(make_book(tmp_path / "r.xlsx", rows, header=header))
    assert set(raw.columns) == set(HEADERS)
    assert list(raw.columns["Sfzh"]) == [r[5] for r in rows]
    assert check_roster(make_book(tmp_path / "r.xlsx", rows, header=header)).findings == []


def test_columns_in_another_order_with_a_college_and_extra_columns(tmp_path):
    rows = good_rows(3, college=True)
    order = [6, 4, 5, 7, 2, 3, 9, 1, 0, 8]
    header = ["姓名", "学号", "身份证号", "性别", "专业名称", "班级名称", "院系", "学校名称", "毕业年度", "考生号"]
    data = [[r[k] for k in order] + ["13800000000", "备注"] for r in rows]
    raw = read_roster(make_book(tmp_path / "r.xlsx", data, header=header + ["联系电话", "备注"]))
    assert list(raw.columns["Xymc"]) == [r[9] for r in rows]
    assert list(raw.columns["Zymc"]) == [r[2] for r in rows]
    assert raw.extra_columns == ["联系电话", "备注"]
    ignored = [n for n in raw.notes if "忽略" in n]
    assert len(ignored) == 1 and "联系电话" in ignored[0]


def test_hidden_sheet_is_skipped_and_named(tmp_path):
    rows = good_rows(3)
    old = good_rows(5, seed=99)
    path = make_book(
        tmp_path / "r.xlsx",
        rows,
        sheet="2025名单",
        before_sheets=[("旧名单", "hidden", [HEADERS, *old]), ("封面", "visible", [["某某大学毕业生名单"]])],
    )
    raw = read_roster(path)
    assert raw.sheet == "2025名单"
    assert list(raw.columns["Xh"]) == [r[4] for r in rows]
    assert any("隐藏" in n and "旧名单" in n for n in raw.notes)
    assert "2025名单" in raw.notes[0]


def test_only_a_hidden_sheet_has_the_roster(tmp_path):
    path = make_book(tmp_path / "r.xlsx", [["x"]], header=["说明"], before_sheets=[("名单", "hidden", [HEADERS, *good_rows(2)])])
    with pytest.raises(InputError) as e:
        read_roster(path)
    assert "隐藏" in e.value.message and e.value.exit_code == 2


def test_a_second_roster_sheet_is_pointed_out(tmp_path):
    path = make_book(tmp_path / "r.xlsx", good_rows(2), after_sheets=[("二班", "visible", [HEADERS, *good_rows(2, seed=5)])])
    raw = read_roster(path)
    assert raw.n == 2
    assert any("二班" in n for n in raw.notes)


def test_no_header_is_a_clear_error(tmp_path):
    path = make_book(tmp_path / "r.xlsx", [["a", "b"]], header=["foo", "bar"])
    with pytest.raises(InputError) as e:
        read_roster(path)
    assert "表头" in e.value.message and e.value.exit_code == 2


def test_not_a_workbook(tmp_path):
    p = tmp_path / "r.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InputError):
        read_roster(p)
    with pytest.raises(InputError):
        read_roster(tmp_path / "missing.xlsx")


def test_merged_cells_are_filled_and_reported(tmp_path):
    rows = good_rows(4)
    for r in rows[1:]:
        r[3] = None
    path = make_book(tmp_path / "r.xlsx", rows, merge=["D2:D5"])
    checked = check_roster(path)
    assert checked.values["Bjmc"] == [rows[0][3]] * 4
    assert [(f.row, f.field, f.code) for f in checked.findings] == [(3, "Bjmc", "merged_cell"), (4, "Bjmc", "merged_cell"), (5, "Bjmc", "merged_cell")]


def test_repeated_header_row_is_skipped(tmp_path):
    rows = good_rows(4)
    data = rows[:2] + [HEADERS] + rows[2:]
    checked = check_roster(make_book(tmp_path / "r.xlsx", data))
    assert checked.n == 4
    assert [(f.row, f.code) for f in checked.findings] == [(4, "skipped_row")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-8"])
def test_csv(tmp_path, encoding):
    rows = good_rows(3)
    rows[1][4] = rows[1][4] + ".0"
    lines = [",".join(ZH_HEADERS)] + [",".join(r) for r in rows]
    p = tmp_path / "r.csv"
    p.write_bytes("\r\n".join(lines).encode(encoding))
    checked = check_roster(p)
    assert checked.raw.sheet is None
    assert checked.values["Xm"] == [r[6] for r in rows]
    assert [(f.row, f.field, f.code) for f in checked.findings] == [(3, "Xh", "stored_as_number")]


def test_encrypted_workbook(tmp_path):
    rows = good_rows(3)
    plain = make_book(tmp_path / "plain.xlsx", rows)
    enc = encrypt_file(plain, tmp_path / "enc.xlsx", "密码123")
    raw = read_roster(enc, "密码123")
    assert raw.encrypted and list(raw.columns["Xm"]) == [r[6] for r in rows]

    with pytest.raises(PasswordNeeded) as e:
        read_roster(enc, "wrong")
    assert e.value.exit_code == 2 and "密码不对" in e.value.message and e.value.wrong

    with pytest.raises(PasswordNeeded) as e:
        read_roster(enc)
    assert e.value.exit_code == 2 and "--password" in e.value.message and not e.value.wrong


def test_password_on_a_plain_workbook_is_ignored_with_a_note(tmp_path):
    raw = read_roster(make_book(tmp_path / "r.xlsx", good_rows(1)), "whatever")
    assert not raw.encrypted and any("--password" in n for n in raw.notes)


def test_xls_that_is_really_tab_separated_text(tmp_path):
    rows = good_rows(3)
    p = tmp_path / "export.xls"
    p.write_bytes(("\t".join(HEADERS) + "\n" + "\n".join("\t".join(r) for r in rows)).encode("gb18030"))
    checked = check_roster(p)
    assert checked.findings == [] and list(checked.values["Xm"]) == [r[6] for r in rows]
    assert any("文本" in n for n in checked.raw.notes)


def test_xls_that_is_really_an_html_table(tmp_path):
    rows = good_rows(3)
    cells = lambda r: "".join(f"<td style=\"mso-number-format:'\\@'\">{v}</td>" for v in r)  # noqa: E731
    html = "<html><body><table><tr>" + "".join(f"<td>{h}</td>" for h in HEADERS) + "</tr>"
    html += "".join(f"<tr>{cells(r)}</tr>" for r in rows) + "</table></body></html>"
    p = tmp_path / "export.xls"
    p.write_text(html, encoding="utf-8")
    checked = check_roster(p)
    assert checked.findings == [] and checked.rownos == [2, 3, 4]
    assert list(checked.values["Sfzh"]) == [r[5] for r in rows]


def test_binary_junk_with_an_xls_name(tmp_path):
    p = tmp_path / "x.xls"
    p.write_bytes(b"\x00\x01\x02binary" * 50)
    with pytest.raises(InputError):
        read_roster(p)
