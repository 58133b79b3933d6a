"""The timetable: invariants over random schools, the break and split policy, re-planning, outputs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.models import PlanSlot, Station
from app.timetable import model, parse, store
from app.timetable.model import ClassLoad
from app.timetable.parse import parse_breaks
from app.timetable.rules import check_invariants
from app.timetable.scheduler import schedule
from tests.marshal_data import make_roster, photograph, station

DAY = date(2019, 3, 16)


def load(name: str, n: int, college: str = "学院") -> ClassLoad:
    return ClassLoad(college, name, [(g + 1, min(10, n - 10 * g)) for g in range((n + 9) // 10)])


@st.composite
def schools(draw, by_day: bool = False):
    """A random school; ``by_day``: a station count per day (2–3 days), which needs an end of the day."""
    sizes = draw(st.lists(st.integers(1, 130), min_size=1, max_size=30 if by_day else 25))
    classes = [load(f"班{i}", n, f"学院{i // 4}") for i, n in enumerate(sizes)]
    stations = draw(st.lists(st.integers(1, 6), min_size=2, max_size=3) if by_day else st.integers(1, 6))
    rate = draw(st.floats(120, 200))
    start = datetime.combine(DAY, time(draw(st.integers(7, 10 if by_day else 14)), draw(st.sampled_from([0, 5, 30, 59]))))
    breaks = draw(st.sets(st.sampled_from(["10:00-10:10", "12:00-13:30", "15:00-15:15"])))
    day_end = draw(st.sampled_from([time(15, 0), time(17, 0), time(18, 0)] if by_day else [None, time(17, 0), time(21, 0)]))
    if day_end is not None and day_end <= start.time():
        day_end = None
    return classes, stations, rate, start, ",".join(sorted(breaks)), day_end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schools())
def test_invariants_hold_for_any_school(school):
    classes, stations, rate, start, breaks, day_end = school
    p = schedule(classes, stations=stations, rate=rate, start=start, breaks=parse_breaks(breaks), day_end=day_end)
    assert check_invariants(p, classes) == []
    assert p.students == sum(c.students for c in classes)
    for sl in p.slots:
        assert 1 <= sl.station <= stations
        for g in sl.groups:
            assert g.start.second == g.end.second == g.arrive.second == 0  # to the minute
            assert g.arrive == g.start - timedelta(minutes=p.lead)
        if day_end is not None:
            assert sl.end.time() <= day_end or sl.end.time() == time(0)
            assert sl.start.time() >= start.time()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schools(by_day=True))
def test_station_count_by_day_is_respected(school):
    classes, per_day, rate, start, breaks, day_end = school
    p = schedule(classes, stations=per_day, rate=rate, start=start, breaks=parse_breaks(breaks), day_end=day_end)
    assert check_invariants(p, classes) == []
    assert p.students == sum(c.students for c in classes) and p.stations == max(per_day)
    for sl in p.slots:
        d = (sl.start.date() - DAY).days
        open_today = per_day[min(d, len(per_day) - 1)]
        assert sl.station <= open_today, (sl.station, d, per_day)  # no slot on a station shut that day
        assert sl.start.date() == sl.end.date() or sl.end.time() == time(0)


def test_fewer_stations_on_the_second_day_moves_work_to_the_open_ones():
    classes = [load(f"班{i}", 45) for i in range(200)]  # 9,000 students: more than a day of 6 stations
    start = datetime(2019, 3, 16, 8)
    same = schedule(classes, stations=6, rate=165, start=start, breaks=parse_breaks("12:00-13:30"), day_end=time(17))
    fewer = schedule(classes, stations=[6, 3], rate=165, start=start, breaks=parse_breaks("12:00-13:30"),
                     day_end=time(17))
    day2 = date(2019, 3, 17)
    assert {sl.station for sl in same.slots if sl.start.date() == day2} > {1, 2, 3}
    assert {sl.station for sl in fewer.slots if sl.start.date() == day2} <= {1, 2, 3}
    assert fewer.end > same.end  # the same students take longer with half the stations
    assert check_invariants(fewer, classes) == []
    with pytest.raises(InputError):
        schedule(classes, stations=[6, 3], rate=165, start=start)  # by day needs an end of the day
    # short days push work many days out: a station shut from day two stays shut on every later day
    short = schedule([load(f"班{i}", 20) for i in range(6)], stations=[2, 1], rate=165, start=start,
                     day_end=time(8, 15))
    assert len(short.days) >= 4
    assert all(sl.station == 1 for sl in short.slots if sl.start.date() > start.date())
    assert parse.parse_stations("6,4") == [6, 4] and parse.parse_stations("5") == 5
    with pytest.raises(InputError):
        parse.parse_stations("6,x")


def test_invariant_checker_catches_broken_plans():
    classes = [load("甲", 30), load("乙", 20)]
    p = schedule(classes, stations=1, rate=165, start=datetime(2019, 3, 16, 8), breaks=parse_breaks("12:00-13:30"))
    assert check_invariants(p, classes) == []
    a, b = p.slots
    b.groups[0].start = a.end - timedelta(minutes=1)  # double-booked
    assert any("overlap" in x for x in check_invariants(p, classes))
    p = schedule(classes, stations=1, rate=165, start=datetime(2019, 3, 16, 8))
    p.slots[0].groups.pop()  # a group of students lost
    assert any("planned 0" in x for x in check_invariants(p, classes))
    p = schedule(classes, stations=1, rate=165, start=datetime(2019, 3, 16, 8))
    p.slots[0].rate = 500  # planned at 165/h, claims 500/h: fine; claim slower than real
    p.slots[0].rate = 60
    assert any("students in" in x for x in check_invariants(p, classes))


def test_minutes_follow_the_rate():
    p = schedule([load("甲", 40)], stations=1, rate=165, start=datetime(2019, 3, 16, 8, 0))
    (sl,) = p.slots
    # 40 students at 165/h = 14.5 min: 15 whole minutes, groups back to back.
    assert (sl.start, sl.end) == (datetime(2019, 3, 16, 8, 0), datetime(2019, 3, 16, 8, 15))
    assert [(g.start.minute, g.end.minute) for g in sl.groups] == [(0, 4), (4, 8), (8, 11), (11, 15)]
    assert sl.arrive == datetime(2019, 3, 16, 7, 50)
    assert model.minutes_for(11, 165) == 4  # exactly 4 minutes stays 4


def test_class_split_over_lunch_at_a_group_boundary_on_the_same_station():
    # 11:40 start, lunch at 12:00: 20 min fit 55 students at 165/h, so 50 (5 groups) before lunch.
    p = schedule([load("大班", 80)], stations=1, rate=165, start=datetime(2019, 3, 16, 11, 40), breaks=parse_breaks("12:00-13:30"))
    first, second = p.slots
    assert (first.part, first.parts, second.part, second.parts) == (1, 2, 2, 2)
    assert first.students == 50 and second.students == 30
    assert first.end <= datetime(2019, 3, 16, 12, 0)
    assert second.start == datetime(2019, 3, 16, 13, 30) and second.station == first.station
    assert [g.group_no for g in first.groups + second.groups] == list(range(1, 9))


def test_a_smaller_class_fills_the_time_before_a_break():
    classes = [load("大班", 60), load("小班", 12)]
    p = schedule(classes, stations=1, rate=165, start=datetime(2019, 3, 16, 11, 52), breaks=parse_breaks("12:00-13:30"))
    order = [(s.class_name, s.start.strftime("%H:%M")) for s in p.slots]
    assert order == [("小班", "11:52"), ("大班", "13:30")]  # neither split


def test_station_waits_rather_than_split_off_one_group():
    # 6 minutes before lunch fit one group only: the class is not split for ten students.
    p = schedule([load("甲", 30)], stations=1, rate=165, start=datetime(2019, 3, 16, 11, 54), breaks=parse_breaks("12:00-13:30"))
    (sl,) = p.slots
    assert sl.start == datetime(2019, 3, 16, 13, 30) and sl.parts == 1


def test_huge_class_is_shared_between_stations():
    classes = [load("巨班", 300), load("小班", 20)]
    p = schedule(classes, stations=3, rate=165, start=datetime(2019, 3, 16, 8, 0))
    parts = [s for s in p.slots if s.class_name == "巨班"]
    assert len({s.station for s in parts}) == 3  # 300 > share of 107: three parts of whole groups
    assert sum(s.students for s in parts) == 300
    assert all(s.start == datetime(2019, 3, 16, 8, 0) for s in parts)
    assert check_invariants(p, classes) == []


def test_classes_stay_whole_when_they_fit():
    classes = [load(f"班{i}", n) for i, n in enumerate([35, 42, 28, 51, 33, 47, 30, 38])]
    p = schedule(classes, stations=3, rate=165, start=datetime(2019, 3, 16, 8, 0))
    assert all(s.parts == 1 for s in p.slots)
    assert len(p.slots) == len(classes)
    # Roster order is kept as stations free up: every class starts no earlier than the one before it.
    starts = {s.class_name: s.start for s in p.slots}
    names = [c.class_name for c in classes]
    assert all(starts[a] <= starts[b] for a, b in zip(names, names[1:]))


def test_days_are_cut_at_the_end_of_the_day():
    classes = [load(f"班{i}", 40) for i in range(40)]  # 1,600 students, one station
    p = schedule(
        classes, stations=1, rate=165, start=datetime(2019, 3, 16, 8, 0), breaks=parse_breaks("12:00-13:30"), day_end=time(16, 0)
    )
    assert check_invariants(p, classes) == []
    assert len(p.days) == 2
    assert all(s.parts == 1 for s in p.slots)  # nobody comes back the next day
    day2 = [s for s in p.slots if s.start.date() == date(2019, 3, 17)]
    assert min(s.start for s in day2) == datetime(2019, 3, 17, 8, 0)
    assert all(s.end.time() <= time(16, 0) for s in p.slots)
    assert any(b.overnight for b in p.breaks)


def test_warnings_follow_the_notice():
    p = schedule([load("甲", 250)], stations=1, rate=165, start=datetime(2019, 3, 16, 8, 0))
    assert p.warnings == []  # 250 students in 91 minutes
    p = schedule([load("甲", 250)], stations=1, rate=60, start=datetime(2019, 3, 16, 8, 0))
    assert any("3 小时" in w for w in p.warnings)  # 300 students or fewer: at most 3 hours
    assert any("150–180" in w for w in p.warnings)
    p = schedule([load(f"班{i}", 50) for i in range(30)], stations=1, rate=165, start=datetime(2019, 3, 16, 8, 0),
                 max_per_day=10**6)  # no machine-day limit: one long day
    assert any("8 小时" in w for w in p.warnings)
    # with the limit (900 a machine-day) the same school takes two days and no day is too long
    p = schedule([load(f"班{i}", 50) for i in range(30)], stations=1, rate=165, start=datetime(2019, 3, 16, 8, 0))
    assert len(p.days) == 2 and not any("8 小时" in w for w in p.warnings)


def test_bad_input_is_refused():
    with pytest.raises(InputError):
        parse_breaks("12:00-11:00")
    with pytest.raises(InputError):
        parse_breaks("noon")
    with pytest.raises(InputError):
        parse.parse_start("16/03/2019")
    with pytest.raises(InputError):
        schedule([load("甲", 10)], stations=0, rate=165, start=datetime(2019, 3, 16, 8))
    with pytest.raises(InputError):
        schedule([load("甲", 10)], stations=1, rate=0, start=datetime(2019, 3, 16, 8))
    assert parse_breaks("12:00-13:30，15:00～15:15, 13:00-13:40") == [(time(12), time(13, 40)), (time(15), time(15, 15))]


# --- from the database: plan, keep, re-plan -------------------------------------------------


def test_plan_from_roster_is_kept_for_sheets_and_marshal(db):
    with db.session() as s:
        make_roster(s, [("文学院", "汉语言1班", 23), ("理学院", "数学1班", 12)])
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=2, rate=165, breaks="")
        uid = store.save_plan(s, p)
        s.commit()
        rows = s.query(PlanSlot).filter_by(plan_uid=uid).all()
    assert sum(r.students for r in rows) == 35
    # 23 = 10 + 13 and 12 = one group (a remainder of ≤ 3 joins the group before)
    assert {(r.class_name, r.group_no) for r in rows} == {("汉语言1班", 1), ("汉语言1班", 2), ("数学1班", 1)}


def test_replan_uses_what_remains_and_the_measured_rate(db):
    from app.roll_call import board as marshal

    now = datetime(2019, 3, 16, 10, 0)
    with db.session() as s:
        st1, _st2 = station(s, 1), station(s, 2, local=False)
        students = make_roster(s, [("文学院", "汉语言1班", 40), ("文学院", "汉语言2班", 40), ("理学院", "数学1班", 40)])
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=2, rate=165, breaks="")
        store.save_plan(s, p)
        # Station 1 shot 25 of 汉语言1班 one every 30 s (120/h); station 2 has not started.
        for i, x in enumerate(students[:25]):
            photograph(s, x, st1, now - timedelta(seconds=30 * (25 - i)))
        marshal.mark_absent(s, students[40].id, "请假")  # 汉语言2班 group 1
        s.commit()
        rp, measured = store.replan(s, at=now, breaks="12:00-13:30")
    assert measured[1].rate == pytest.approx(120, rel=0.01)
    assert measured[2].rate is None
    assert rp.kind == "replan" and rp.stations == 2
    assert rp.rates == [pytest.approx(120, rel=0.01)] * 2  # no measurement on 2: the mean of the others
    assert rp.students == 120 - 25 - 1
    assert rp.start == now
    first = [s for s in rp.slots if s.class_name == "汉语言1班"]
    assert [s.station for s in first] == [1]  # in progress: stays on station 1
    assert first[0].start == now
    assert [g.group_no for g in first[0].groups] == [3, 4]  # groups 1-2 done, 3 half done
    assert first[0].groups[0].students == 5
    remaining = [
        ClassLoad("文学院", "汉语言1班", [(3, 5), (4, 10)]),
        ClassLoad("文学院", "汉语言2班", [(1, 9), (2, 10), (3, 10), (4, 10)]),
        ClassLoad("理学院", "数学1班", [(1, 10), (2, 10), (3, 10), (4, 10)]),
    ]
    assert check_invariants(rp, remaining) == []


def test_replan_with_a_given_rate(db):
    with db.session() as s:
        make_roster(s, [("文学院", "汉语言1班", 30)])
        rp, _ = store.replan(s, at=datetime(2019, 3, 16, 9, 0), stations=1, rate=150, breaks="")
    (sl,) = rp.slots
    assert sl.rate == 150 and sl.minutes == 12


# --- outputs and the command --------------------------------------------------------------


def _xlsx_rows(path, sheet):
    import openpyxl

    ws = openpyxl.load_workbook(path)[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r and r[0] == "日期")
    return rows[head], [r for r in rows[head + 1 :] if r and r[0] != "合计"]


def test_station_plan_command_end_to_end(db_url, run_cli, tmp_path):
    from app.db import open_db

    d = open_db(db_url)
    with d.session() as s:
        make_roster(s, [("文学院", "汉语言1班", 23), ("文学院", "汉语言2班", 30), ("理学院", "数学1班", 62), ("理学院", "物理1班", 41)])
        s.commit()
    d.dispose()
    out, pdf = tmp_path / "plan.xlsx", tmp_path / "plan.pdf"
    code, stdout, err = run_cli(
        "plan", "--start", "2019-03-16T11:30", "--stations", "2", "--rate", "165", "--breaks", "12:00-13:30", "--out", out, "--pdf", pdf
    )
    assert code == 0, err
    assert "156 人" in stdout and "机位2" in stdout
    head, rows = _xlsx_rows(out, "排期")
    assert head[:9] == ["日期", "机位", "学院", "班级", "人数", "组别", "候场时间", "开始时间", "结束时间"]
    assert sum(r[4] for r in rows) == 156
    assert {r[3] for r in rows} == {"汉语言1班", "汉语言2班", "数学1班", "物理1班"}
    for r in rows:
        assert isinstance(r[7], datetime) and r[7].second == 0 and r[8] > r[7]
        assert not (r[7] < datetime(2019, 3, 16, 13, 30) and r[8] > datetime(2019, 3, 16, 12, 0))
    ghead, groups = _xlsx_rows(out, "分组")
    assert sum(r[5] for r in groups) == 156 and len(groups) == 2 + 3 + 6 + 4  # 23, 30, 62, 41: remainders ≤ 3 join
    from pypdf import PdfReader

    text = "".join(pg.extract_text() for pg in PdfReader(pdf).pages)
    assert "图像采集时间安排表" in text and "数学1班" in text and "候场" in text
    # Kept: the sheets can print the slots.
    code, stdout, _ = run_cli("sheets", "--out", tmp_path / "s.pdf", "--class", "数学1班")
    assert code == 0 and "6 页带排期时间" in stdout


def test_station_plan_command_errors(db_url, run_cli, tmp_path):
    code, _, err = run_cli("plan", "--start", "2019-03-16T08:00", "--out", tmp_path / "p.xlsx")
    assert code == 2 and "名单" in err  # nothing imported yet
    code, _, err = run_cli("plan", "--out", tmp_path / "p.xlsx")
    assert code == 2 and "--start" in err
    code, _, err = run_cli("plan", "--start", "tomorrow")
    assert code == 2
    code, _, err = run_cli("plan", "--start", "2019-03-16T08:00", "--breaks", "13:00-12:00")
    assert code == 2


def test_station_plan_replan_command(db_url, run_cli, tmp_path):
    from app.db import open_db

    d = open_db(db_url)
    with d.session() as s:
        stn = station(s)
        students = make_roster(s, [("文学院", "汉语言1班", 30)])
        t0 = datetime.now() - timedelta(minutes=20)
        for i, x in enumerate(students[:20]):
            photograph(s, x, stn, t0 + timedelta(seconds=22 * i))
        s.commit()
    d.dispose()
    code, out, err = run_cli("plan", "--replan", "--out", tmp_path / "r.xlsx")
    assert code == 0, err
    assert "实测" in out and "10 人" in out
    with open_db(db_url).session() as s:
        kinds = {r.kind for r in s.query(PlanSlot)}
        assert kinds == {"replan"}
        assert s.query(Station).count() == 1
