"""`station roster check|import|colleges` and `station find`, as scripts call them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from app.demo_data import write_demo_roster
from tests._roster_books import encrypt_file, good_rows, make_book

ROOT = Path(__file__).resolve().parents[1]


def test_check_json_lines(run_cli, tmp_path):
    path = write_demo_roster(tmp_path / "demo.xlsx")
    code, out, err = run_cli("roster", "check", path, "--json")
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert lines and all(list(x) == ["row", "field", "code", "severity", "message"] for x in lines)
    assert {x["field"] for x in lines} <= {"Bynd", "xxmc", "Zymc", "Bjmc", "Xh", "Sfzh", "Xm", "Xb", "Ksh", "Xymc"}
    assert {"id_checksum", "id_stored_as_number", "duplicate", "fullwidth", "hidden_chars", "lowercase_x"} <= {x["code"] for x in lines}
    assert all(isinstance(x["row"], int) and x["row"] >= 2 for x in lines)
    assert "学生名单" in err  # which sheet was read goes to stderr, stdout stays JSON


def test_check_text_output(run_cli, tmp_path):
    code, out, _ = run_cli("roster", "check", write_demo_roster(tmp_path / "demo.xlsx"))
    assert code == 0 and "id_checksum" in out and "学生 120 人" in out


def test_check_exit_2_when_unreadable(run_cli, tmp_path):
    code, out, err = run_cli("roster", "check", tmp_path / "nope.xlsx", "--json")
    assert code == 2 and out == "" and "找不到" in err
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    code, _, err = run_cli("roster", "check", bad, "--json")
    assert code == 2 and err


def test_wrong_or_missing_password_exit_2(run_cli, tmp_path):
    enc = encrypt_file(make_book(tmp_path / "p.xlsx", good_rows(3)), tmp_path / "e.xlsx", "right")
    code, _, err = run_cli("roster", "import", enc, "--password", "wrong")
    assert code == 2 and "密码不对" in err
    code, _, err = run_cli("roster", "check", enc)
    assert code == 2 and "--password" in err
    code, out, _ = run_cli("roster", "check", enc, "--password", "right", "--json")
    assert code == 0 and out == ""


def test_import_summary_report_and_find(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_demo_roster(tmp_path / "demo.xlsx")
    code, out, _ = run_cli("roster", "import", path)
    assert code == 0
    assert "读取 120 行;新增 120 人,更新 0 人" in out
    assert "有错误 3 人" in out
    report = tmp_path / "demo-问题报告.xlsx"
    assert f"问题报告: {report}" in out and report.is_file()
    assert openpyxl.load_workbook(report).sheetnames == ["问题清单", "问题行", "说明"]

    ws = openpyxl.load_workbook(path).active
    xh, sfzh, name = ws["E2"].value, ws["F2"].value, ws["G2"].value
    for query in (xh, sfzh, sfzh[-6:], name):
        code, out, _ = run_cli("find", query)
        assert code == 0, query
        assert name in out and xh in out
        assert sfzh not in out  # masked
        assert sfzh[:4] + "*" * 10 + sfzh[-4:] in out
    code, out, _ = run_cli("find", xh, "--json")
    d = json.loads(out)
    assert d["student_no"] == xh and "*" in d["id_number"] and d["shots"] == 0

    code, _, err = run_cli("find", "没有这个人")
    assert code == 3 and "没有找到" in err

    # Importing the same file again changes nobody.
    code, out, _ = run_cli("roster", "import", path, "--no-report")
    assert "新增 0 人,更新 0 人,未变 120 人" in out


def test_import_json_summary(run_cli, tmp_path):
    path = make_book(tmp_path / "r.xlsx", good_rows(5))
    code, out, _ = run_cli("roster", "import", path, "--json", "--no-report")
    d = json.loads(out)
    assert code == 0 and (d["rows_read"], d["imported"], d["updated"], d["flagged"]) == (5, 5, 0, 0)
    assert d["report"] is None


def test_encrypted_roster_gets_an_encrypted_report(run_cli, tmp_path):
    import msoffcrypto

    rows = good_rows(3)
    rows[0][7] = "x"
    enc = encrypt_file(make_book(tmp_path / "p.xlsx", rows), tmp_path / "e.xlsx", "pw1")
    code, out, _ = run_cli("roster", "import", enc, "--password", "pw1", "--report", tmp_path / "rep.xlsx")
    assert code == 0 and "加密" in out
    with open(tmp_path / "rep.xlsx", "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()


def test_colleges_command(run_cli, tmp_path):
    rows = good_rows(6)
    run_cli("roster", "import", make_book(tmp_path / "r.xlsx", rows), "--no-report")
    code, out, _ = run_cli("roster", "colleges")
    assert code == 0 and "没有学院的专业" in out
    args = [a for r in {r[2] for r in rows} for a in ("--set", f"{r}=测试学院")]
    code, out, _ = run_cli("roster", "colleges", *args)
    assert code == 0 and "更新 6 名学生" in out and "测试学院" in out and "没有学院的专业" not in out
    code, _, err = run_cli("roster", "colleges", "--set", "no-equals-sign")
    assert code == 2


def test_station_find_starts_without_heavy_imports(tmp_path):
    """`station find` must not import Qt, OpenCV or mediapipe (it has to start fast)."""
    db = tmp_path / "s.db"
    code = (
        "import sys; from app.cli import main; rc = main(['--db', sys.argv[1], 'find', '2021']);"
        "heavy = [m for m in ('PySide6', 'cv2', 'mediapipe', 'openpyxl', 'pypinyin') if m in sys.modules];"
        "print(rc, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(db)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "3 []", out.stderr


def test_control_characters_in_a_skipped_row_are_reported_not_a_crash(run_cli, tmp_path):
    """A row that is not a student (a 合计 line) holding control characters (one carries an ESC, which
    would drive the operator's terminal): the import finishes, its report workbook is written, the
    finding says what the row held with the control characters shown, never raw (exit 70 before)."""
    roster = tmp_path / "r.csv"
    roster.write_text(
        "Bynd,xxmc,Zymc,Bjmc,Xh,Sfzh,Xm,Xb,Ksh\n"
        "2026,测试大学,计算机,计科1班,2022001,11010519491231002X,张三,男,26110101001\n"
        "\x01合计\x1b[2J,,,,,,,,\n",
        encoding="utf-8",
    )
    report = tmp_path / "rep.xlsx"
    code, out, err = run_cli("roster", "import", roster, "--report", report)
    assert code in (0, 1), err
    assert "意外错误" not in err and "Traceback" not in err
    assert "\x1b" not in out + err and "\x01" not in out + err
    wb = openpyxl.load_workbook(report)
    messages = [str(c.value) for row in wb.worksheets[0].iter_rows(min_row=2) for c in row if c.value]
    assert any("合计" in m for m in messages)
    code, out, _ = run_cli("find", "张三")
    assert code == 0 and "2022001" in out
