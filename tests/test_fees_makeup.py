"""The fee settlement letter and the 补拍 notice, from a real shooting day (tests/_reports_day.py)."""

from __future__ import annotations

import json
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from app.models import Selection, Shot, Station, Student
from app.period import everything
from app.reports import fees, makeup, reconcile
from tests._reports_day import DAY, SCHOOL, day  # noqa: F401


def test_fees_json_agrees_with_the_reconciliation_of_the_same_period(day, db, run_cli):  # noqa: F811
    code, out, err = run_cli("report", "fees", "--json")
    assert code == 0, err
    (line,) = out.strip().splitlines()
    got = json.loads(line)
    # by hand from the day: 计算机1901 001–022 + the unlisted 999, 汉语言1901 001–010, 软件1901 all 15
    assert got["school"] == SCHOOL and got["students"] == 23 + 10 + 15
    assert got["unit_price"] == 12 and got["total"] == 48 * 12
    with db.session() as s:
        rec = reconcile.build(s, everything(), whole_roster=True)
    assert got["students"] == rec.totals.photographed
    code, out, _ = run_cli("report", "reconcile", "--period", "all", "--json")
    assert json.loads(out)["photographed"] == got["students"]
    # the same for one day's period
    code, out, _ = run_cli("report", "fees", "--json", "--period", "day", "--date", DAY.isoformat())
    code2, out2, _ = run_cli("report", "reconcile", "--period", "day", "--date", DAY.isoformat(), "--whole-roster", "--json")
    assert json.loads(out)["students"] == json.loads(out2)["photographed"] == 48


def test_the_rule_retakes_two_stations_and_unlisted(day, db):  # noqa: F811
    with db.session() as s:
        st = fees.build(s, everything())[0]
        assert st.students == 48 and len(st.unlisted) == 1 and st.unlisted[0][0].student_no == "X1901999"
        retakes = s.query(Shot).count() - s.query(Selection).count()
        assert retakes > 0  # retakes exist and are not counted: one per selected student
        by_college = {c.college: c.students for c in st.colleges}
        assert by_college == {"信息工程学院": 23 + 15, "文学院": 10, "医学院": 0}
        # the unlisted student photographed again at station 2 (a second row after a merge): counted once
        x = s.query(Student).filter_by(student_no="X1901999").one()
        twin = Student(school=x.school, college=x.college, major=x.major, class_name=x.class_name, student_no=x.student_no,
                       id_number=x.id_number, id_number18=x.id_number18, name=x.name, gender=x.gender, unlisted=True,
                       roster_order=999)
        s.add(twin)
        s.flush()
        s2 = s.query(Station).filter_by(number=2).one()
        shot = Shot(student_id=twin.id, station_id=s2.id, path="/x.jpg", sha256="f" * 64, bytes=1, taken_at=DAY_AT(),
                    qc_verdict="pass", status="accepted")
        s.add(shot)
        s.flush()
        s.add(Selection(student_id=twin.id, shot_id=shot.id, station_id=s2.id, selected_at=DAY_AT()))
        s.flush()
        again = fees.build(s, everything(), unit_price=Decimal("12.5"))[0]
        assert again.students == 48 and again.duplicates == 1
        assert again.total == Decimal("600.0")
        s.rollback()


def DAY_AT():
    from datetime import datetime, time

    return datetime.combine(DAY, time(15, 0))


def test_fee_letter_and_workbook(day, run_cli, tmp_path):  # noqa: F811
    out, pdf = tmp_path / "结算.xlsx", tmp_path / "费用结算函.pdf"
    code, stdout, err = run_cli("report", "fees", "--out", out, "--pdf", pdf)
    assert code == 0, err
    assert "实拍 48 人 × 12 元 = 576 元" in stdout
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    for needle in ("费用结算函", SCHOOL, "苏价费函〔2014〕69号", "实拍人数按以下规则统计", "重拍不重复计数", "576", "伍佰柒拾陆元整",
                   "经办人签字", "采集组负责人签字", "盖章", "2019年03月16日", "名单外", "X1901999"):
        assert needle in text.replace("\n", ""), needle
    wb = load_workbook(out)
    ws = wb["结算"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    total = next(r for r in rows if r and r[0] == "合计")
    assert total[2] == 48 and total[4] == 576
    assert wb["名单外"].max_row >= 2
    assert fees._upper_yuan(Decimal("10010.5")) == "壹万零壹拾元伍角"
    assert fees._upper_yuan(Decimal("36012")) == "叁万陆仟零壹拾贰元整"


def test_makeup_list_and_notice(day, run_cli, tmp_path):  # noqa: F811
    out, pdf = tmp_path / "补拍名单.xlsx", tmp_path / "补拍通知.pdf"
    code, stdout, err = run_cli("report", "makeup", "--out", out, "--pdf", pdf, "--json")
    assert code == 0, err
    got = json.loads(stdout)
    assert got["students"] == 4 + 2 + 8
    reasons = {x["student_no"]: x["reason"] for c in got["colleges"] for x in c["students"]}
    assert reasons["X1901023"] == "请假" and reasons["X1901024"] == "实习: 在苏州实习"
    assert reasons["X1901026"] == "未到" and reasons["H1901011"] == "补拍"
    assert reasons["H1901012"] == "未到"  # marked absent, then turned up and was not photographed
    assert reasons["X1901025"] == "拍摄了但未选定照片"
    assert "X1901999" not in reasons and "X1901001" not in reasons
    assert [c["college"] for c in got["colleges"]] == ["信息工程学院", "文学院", "医学院"]
    pages = [p.extract_text().replace("\n", "") for p in PdfReader(pdf).pages]
    assert len(pages) == 3  # one notice per college
    for needle in ("南京市上海路 203 号", "8月1日—11月20日", "白色上衣", "身份证和学生证", "补拍通知"):
        assert all(needle in p for p in pages), needle
    assert "在苏州实习" in pages[0] and "L1901" in pages[2]
    ws = load_workbook(out)["补拍名单"]
    assert any(r and r[2] == "X1901024" for r in ws.iter_rows(values_only=True))


def test_makeup_settings_change_the_notice(day, db, run_cli, tmp_path):  # noqa: F811
    code, _, err = run_cli("config", "makeup.address", "中心二楼 (南京市上海路 203 号)")
    assert code == 0, err
    with db.session() as s:
        n = makeup.build(s, college="文学院")
    assert n.address.startswith("中心二楼") and [c.college for c in n.colleges] == ["文学院"]
