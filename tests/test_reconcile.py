"""The reconciliation workbook against the database: counts, missing list, sign sheets, period, password."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.models import AuditLog, Selection, Shot, SignSheetCount, Student
from app.reports.xlsx import load_workbook
from tests._reports_day import AFTERNOON, DAY, MORNING, MORNING_MISSING, day, sheet_rows  # noqa: F401

KEYS = list(MORNING)
SUMMARY_HEADERS = ["名单人数", "已拍(累计)", "本时段已拍", "未拍", "缺席(有原因)", "未说明", "重拍张数", "未通过仍采用", "名单数据问题",
                   "已拍未确认", "未出示身份证"]


def totals_row(ws) -> dict[str, int]:
    header, rows = sheet_rows(ws, "学院")
    total = rows[-1]
    assert total[0] == "合计"
    return dict(zip(KEYS, total[2:]))


def test_morning_reconciliation_matches_the_day_and_the_database(day, db, run_cli, tmp_path):
    out = tmp_path / "morning.xlsx"
    code, stdout, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--out", out)
    assert code == 0
    assert "名单 39 人, 已拍 33 (本时段 33), 未拍 6: 缺席有原因 3, 未说明 2, 已拍未确认 1" in stdout
    wb = load_workbook(out)
    assert wb.sheetnames[:8] == ["汇总", "学院汇总", "机位统计", "每小时进度", "未拍名单", "未通过仍采用", "名单数据问题", "签字核对"]
    ws = wb["汇总"]
    assert totals_row(ws) == MORNING
    header, rows = sheet_rows(ws, "学院")
    assert header[2:] == SUMMARY_HEADERS
    by_class = {r[1]: r for r in rows[:-1]}
    assert set(by_class) == {"计算机1901", "汉语言1901"}  # the afternoon's and the idle classes are not in scope
    with db.session() as s:
        for klass, row in by_class.items():
            roster = s.scalar(select(func.count()).select_from(Student).where(Student.class_name == klass))
            photographed = s.scalar(
                select(func.count()).select_from(Selection).join(Student).where(
                    Student.class_name == klass, Selection.selected_at < datetime(2019, 3, 16, 12, 30)
                )
            )
            shots = s.scalar(
                select(func.count()).select_from(Shot).join(Student, Shot.student_id == Student.id).where(
                    Student.class_name == klass, Shot.taken_at < datetime(2019, 3, 16, 12, 30)
                )
            )
            shot_students = s.scalar(
                select(func.count(func.distinct(Shot.student_id))).join(Student, Shot.student_id == Student.id).where(
                    Student.class_name == klass, Shot.taken_at < datetime(2019, 3, 16, 12, 30)
                )
            )
            assert row[2] == roster
            assert row[3] == photographed
            assert row[5] == roster - photographed
            assert row[8] == shots - shot_students
    # every sheet: header frozen, filter on, widths set
    for ws in wb.worksheets:
        assert ws.freeze_panes is not None and ws.freeze_panes.startswith("A")
        assert ws.auto_filter.ref
        assert ws.column_dimensions["A"].width and ws.column_dimensions["A"].width >= 6


def test_missing_list_has_reasons_and_masked_ids_only(day, db, run_cli, tmp_path):
    out = tmp_path / "m.xlsx"
    run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--out", out)
    wb = load_workbook(out)
    _, rows = sheet_rows(wb["未拍名单"], "学院")
    assert {r[2]: r[5] for r in rows} == MORNING_MISSING
    assert [r for r in rows if r[2] == "X1901025"][0][6] == "有 1 张照片但未选定"
    # 未到 rows are coloured by a conditional format over the whole list (survives sorting and filters)
    rules = [(str(cf.sqref), rule.formula) for cf in wb["未拍名单"].conditional_formatting for rule in cf.rules]
    assert rules == [("A4:G9", ['$F4="未到"'])]
    with db.session() as s:
        ids = {st.student_no: st.id_number for st in s.scalars(select(Student))}
    for r in rows:
        full = ids[r[2]]
        assert r[4] == full[:4] + "*" * 10 + full[-4:]
    # no full ID number anywhere in the reconciliation
    every_cell = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert not every_cell & set(ids.values())


def test_overrides_retakes_stations_and_hours(day, run_cli, tmp_path):
    out = tmp_path / "m.xlsx"
    run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--out", out)
    wb = load_workbook(out)
    _, over = sheet_rows(wb["未通过仍采用"], "学院")
    assert len(over) == 1 and over[0][2] == "X1901005"
    assert over[0][7] == "复核: 背景反光, 不影响使用"
    assert over[0][6]  # the failed checks' reasons, from the stored QC report
    _, stations = sheet_rows(wb["机位统计"], "机位")
    st = {r[0]: r for r in stations}
    assert st["机位1"][1:5] == [23, 27, 3, 1]  # photographed, shots, retakes, overrides
    assert st["机位2"][1:5] == [10, 10, 0, 0]
    assert st["合计"][1] == MORNING["photographed_in_period"]
    header, hours = sheet_rows(wb["每小时进度"], "时段")
    assert header == ["时段", "机位1", "机位2", "合计"]
    assert [h[0].hour for h in hours] == [8, 9, 10, 11]  # 10:00 had nobody selected: shown as 0
    assert sum(h[3] for h in hours) == 33
    assert hours[0][1:] == [7, 0, 7]  # 08:34..08:58 on 机位1


def test_sign_sheet_cross_check_highlights_the_difference(day, db, run_cli, tmp_path):
    out = tmp_path / "m.xlsx"
    run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--out", out)
    wb = load_workbook(out)
    ws = wb["签字核对"]
    _, rows = sheet_rows(ws, "日期")
    assert [(r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("计算机1901", 1, 10, 10, 0, "一致"),
        ("计算机1901", 3, 3, 2, -1, "不一致"),
        ("汉语言1901", "全班", 10, 10, 0, "一致"),
    ]
    assert rows[1][8].startswith("未拍: ") and all(f"X19010{n}" in rows[1][8] for n in (23, 24, 25, 26))
    assert "名单外已拍(未计入分组): 名单外(X1901999)" in rows[1][8]  # explains the extra signature
    fills = {c.row: c.fill.fgColor.rgb for c in ws["G"] if isinstance(c.value, int)}
    assert sorted(fills.values()) == ["00C6EFCE", "00C6EFCE", "00FFC7CE"]  # the mismatch is red

    # the coordinator strikes the unlisted student's line from group 3's sheet
    code, stdout, _ = run_cli("report", "signed", "--class", "计算机1901", "--group", "3", "--count", "2", "--date", "2019-03-16")
    assert code == 0 and "第3组: 签字 2 人" in stdout
    code, stdout, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--json")
    assert json.loads(stdout)["sign_mismatches"] == 0
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SignSheetCount)) == 3  # updated, not added


def test_signed_count_input_is_checked(day, run_cli):
    code, _, err = run_cli("report", "signed", "--class", "没有这个班", "--count", "3")
    assert code == 3 and "没有班级" in err
    code, _, err = run_cli("report", "signed", "--class", "计算机1901", "--group", "3", "--count", "9")
    assert code == 2 and "只有 6 人" in err  # group 3 = 021..026 (999 is on no printed sheet)
    code, _, err = run_cli("report", "signed", "--class", "计算机1901", "--group", "4", "--count", "1")
    assert code == 2 and "只有 3 组" in err
    code, _, _ = run_cli("report", "signed", "--class", "临床1901", "--count", "8", "--date", "2019-03-17")
    assert code == 0
    code, out, _ = run_cli("report", "signed", "--list")
    assert "2019-03-17\t医学院\t临床1901\t全班\t8" in out


def test_afternoon_day_and_whole_roster(day, run_cli):
    code, out, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "下午", "--json")
    data = json.loads(out)
    assert {k: data[k] for k in KEYS} == AFTERNOON
    assert data["classes"] == 1
    code, out, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "day", "--json")
    data = json.loads(out)
    assert data["roster"] == 39 + 15 and data["photographed"] == 48 and data["retakes"] == 4
    code, out, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "day", "--whole-roster", "--json")
    data = json.loads(out)
    assert data["roster"] == 62 and data["unexplained"] == 2 + 8  # 临床1901 never came
    assert data["pending"] == 1  # X1901025: photographed, nothing accepted (not 未到)
    code, out, _ = run_cli("report", "reconcile", "--period", "all", "--college", "文学院", "--json")
    data = json.loads(out)
    assert (data["roster"], data["photographed"], data["absent"]) == (12, 10, 1)


def test_custom_span_and_configured_split(day, run_cli):
    code, out, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--since", "09:00", "--until", "10:00", "--json")
    data = json.loads(out)
    # 机位1: 09:02..09:58 (15 students), 机位2: 09:05..09:50 (10)
    assert data["photographed_in_period"] == 25
    assert data["period"]["start"] == "2019-03-16 09:00:00"
    # with the half day split at 11:00, the unlisted student selected at 11:50 belongs to the afternoon
    assert run_cli("config", "day.half_day_split", "11:00")[0] == 0
    code, out, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--json")
    data = json.loads(out)
    assert data["photographed"] == 32 and data["period"]["end"] == "2019-03-16 11:00:00"
    code, _, err = run_cli("report", "reconcile", "--since", "10:00", "--until", "09:00")
    assert code == 2


def test_default_period_is_the_current_half_day():
    from datetime import time

    from app.period import resolve

    split = time(12, 30)
    p = resolve(split=split, now=datetime(2019, 3, 16, 12, 29))
    assert (p.kind, p.start, p.end) == ("morning", datetime(2019, 3, 16), datetime(2019, 3, 16, 12, 30))
    p = resolve(split=split, now=datetime(2019, 3, 16, 12, 30))
    assert (p.kind, p.start, p.end) == ("afternoon", datetime(2019, 3, 16, 12, 30), datetime(2019, 3, 17))
    assert not p.contains(datetime(2019, 3, 17, 0, 0)) and p.contains(datetime(2019, 3, 16, 23, 59))


def test_encrypted_workbook_opens_only_with_the_password(day, db, run_cli, tmp_path):
    from app.crypto import decrypt_office, is_encrypted_office
    from app.errors import InputError

    out = tmp_path / "secret.xlsx"
    code, _, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--out", out,
                         "--password", "s3cret-pw")
    assert code == 0 and is_encrypted_office(out)
    import openpyxl

    with pytest.raises(Exception):
        openpyxl.load_workbook(out)
    with pytest.raises(InputError):
        decrypt_office(out, "wrong-password")
    wb = load_workbook(out, password="s3cret-pw")
    assert totals_row(wb["汇总"]) == MORNING
    with db.session() as s:
        rec = s.scalars(select(AuditLog).where(AuditLog.action == "report_reconcile")).one()
        from app.audit import file_sha256

        assert rec.encrypted and rec.file_sha256 == file_sha256(out) and rec.rows == 39
        assert json.loads(rec.scope)["period"]["kind"] == "morning"
    code, _, err = run_cli("report", "reconcile", "--out", tmp_path / "x.xlsx", "--password", "abc")
    assert code == 2 and "至少 6 位" in err


def test_dropped_students_count_only_when_photographed(day, db, run_cli):
    with db.session() as s:
        for no in ("L1901001", "X1901002"):  # never photographed / photographed in the morning
            s.scalars(select(Student).where(Student.student_no == no)).one().active = False
        s.commit()
    code, out, _ = run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "day", "--whole-roster", "--json")
    data = json.loads(out)
    assert data["roster"] == 62 - 1 and data["photographed"] == 48 and data["unexplained"] == 2 + 7
