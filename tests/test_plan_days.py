"""What the notice counts in a timetable: 700–900 a machine-day, days spread evenly, re-plans keep the day, places."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest

from app.models import PlanSlot
from app.timetable import store
from app.timetable.days import schedule_days
from app.timetable.model import ClassLoad
from app.timetable.parse import parse_breaks
from app.timetable.rules import check_invariants, machine_day_loads
from app.timetable.scheduler import schedule
from tests.marshal_data import make_roster, photograph, station

DAY = date(2019, 3, 16)


def load(name: str, n: int, college: str = "学院") -> ClassLoad:
    return ClassLoad(college, name, [(g + 1, min(10, n - 10 * g)) for g in range((n + 9) // 10)])


def school(total: int, size: int = 45, colleges: int = 8) -> list[ClassLoad]:
    out, i = [], 0
    while total > 0:
        n = min(size, total)
        out.append(load(f"班{i}", n, f"学院{i % colleges}"))
        total -= n
        i += 1
    return out


def test_no_machine_day_is_loaded_past_900_by_default():
    classes = school(6000)
    p = schedule(classes, stations=6, rate=165, start=datetime.combine(DAY, time(8)), breaks=parse_breaks("12:00-13:30"),
                 day_end=time(16))
    loads = machine_day_loads(p)
    assert max(loads.values()) <= 900, loads
    assert check_invariants(p, classes) == [] and p.students == 6000
    assert len(p.days) == 2  # 6,000 over 6 stations at ≤ 900 each: a second day
    # the limit is a setting: 700 a day takes longer
    p7 = schedule(classes, stations=6, rate=165, start=datetime.combine(DAY, time(8)), breaks=parse_breaks("12:00-13:30"),
                  day_end=time(16), max_per_day=700)
    assert max(machine_day_loads(p7).values()) <= 700 and check_invariants(p7, classes) == []


def test_station_plan_with_6000_students_on_6_stations_never_passes_900(db_url, run_cli, tmp_path):
    from app.db import open_db

    d = open_db(db_url)
    with d.session() as s:
        make_roster(s, [(f"学院{i % 8}", f"班{i:03d}", 40) for i in range(150)])
        s.commit()
    d.dispose()
    code, out, err = run_cli("plan", "--start", "2019-03-16T08:00", "--stations", "6", "--out", tmp_path / "p.xlsx")
    assert code == 0, err
    with open_db(db_url).session() as s:
        per = defaultdict(int)
        for r in s.query(PlanSlot):
            per[(r.start_at.date(), r.station_no)] += r.students
    assert sum(per.values()) == 6000
    assert max(per.values()) <= 900, dict(per)
    assert "上限 900" in out


def test_a_big_class_on_one_station_is_cut_at_the_machine_day():
    classes = [load("巨班", 1200)]
    p = schedule(classes, stations=1, rate=165, start=datetime.combine(DAY, time(8)), day_end=time(18))
    assert max(machine_day_loads(p).values()) <= 900 and check_invariants(p, classes) == []


def test_days_spread_a_school_evenly_with_whole_classes():
    # the school: 2,924 students on 4 stations over 2 days
    classes = school(2924, size=37)
    start = datetime.combine(DAY, time(8))
    p = schedule_days(classes, days=2, stations=4, rate=165, start=start, breaks=parse_breaks("12:00-13:30"),
                      day_end=time(16))
    assert check_invariants(p, classes) == []
    per_day = defaultdict(int)
    for sl in p.slots:
        per_day[sl.start.date()] += sl.students
    assert sorted(per_day) == [DAY, DAY + timedelta(days=1)]
    assert abs(per_day[DAY] - per_day[DAY + timedelta(days=1)]) <= 37  # within a class of even
    days_of_class = defaultdict(set)
    for sl in p.slots:
        days_of_class[sl.class_name].add(sl.start.date())
    assert all(len(v) == 1 for v in days_of_class.values())  # classes whole: never split overnight
    # day two no longer gets the 21–40 minutes a cut day 1 left it: ~366 students a station each day
    for d in (DAY, DAY + timedelta(days=1)):
        for no in range(1, 5):
            first, last = p.station_start(no, d), p.station_end(no, d)
            assert (last - first) > timedelta(hours=2)
            assert p.station_students(no, d) == pytest.approx(2924 / 8, abs=37)
    assert max(machine_day_loads(p).values()) <= 900


def test_days_follow_the_station_count_of_each_day():
    classes = school(2000, size=40)
    p = schedule_days(classes, days=2, stations=[6, 4], rate=165, start=datetime.combine(DAY, time(8)),
                      breaks=parse_breaks("12:00-13:30"), day_end=time(16))
    per_day = defaultdict(int)
    for sl in p.slots:
        per_day[sl.start.date()] += sl.students
        if sl.start.date() > DAY:
            assert sl.station <= 4
    assert per_day[DAY] == pytest.approx(1200, abs=40) and per_day[DAY + timedelta(days=1)] == pytest.approx(800, abs=40)
    assert p.stations_by_day == [6, 4]


def test_too_few_days_spill_over_with_a_warning():
    classes = school(3000, size=40)
    p = schedule_days(classes, days=1, stations=2, rate=165, start=datetime.combine(DAY, time(8)), day_end=time(16))
    assert len(p.days) > 1 and any("排不下" in w for w in p.warnings)
    assert max(machine_day_loads(p).values()) <= 900 and check_invariants(p, classes) == []


def test_a_short_day_warns_below_700():
    p = schedule(school(400), stations=1, rate=165, start=datetime.combine(DAY, time(8)), day_end=time(12))
    assert any("700—900" in w for w in p.warnings)
    p = schedule(school(400), stations=1, rate=165, start=datetime.combine(DAY, time(8)), day_end=time(16))
    assert not any("700—900" in w for w in p.warnings)


def test_small_school_rule_counts_the_school_not_the_part_planned(db):
    with db.session() as s:
        make_roster(s, [("文学院", f"汉语言{i}班", 40) for i in range(20)] + [("理学院", "数学1班", 40)] * 0
                    + [("理学院", f"数学{i}班", 36) for i in range(8)])
        # only 理学院 (288 students) on one station from 11:00: lunch makes it 3.3 h on site
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 11, 0), stations=1, rate=165, breaks="12:00-13:30",
                                  colleges=["理学院"])
    assert p.students == 288 and p.school_students == 1088
    assert not any("3 小时" in w for w in p.warnings)  # the school has 1,088: the 8-hour rule applies


def test_replan_keeps_the_day_end_days_and_station_counts(db):
    with db.session() as s:
        st1 = station(s, 1)
        students = make_roster(s, [(f"学院{i % 3}", f"班{i:02d}", 40) for i in range(30)])  # 1,200
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=[2, 1], rate=165, breaks="",
                                  day_end="12:00")
        store.save_plan(s, p)
        s.commit()
        assert max(sl.end for sl in p.slots if sl.start.date() == DAY).time() <= time(12)
        at = datetime(2019, 3, 16, 10, 0)
        for i, x in enumerate(students[:60]):
            photograph(s, x, st1, at - timedelta(seconds=25 * (60 - i)))
        s.commit()
        rp, _ = store.replan(s, at=at)
    assert rp.day_end == time(12)
    for sl in rp.slots:
        assert sl.end.time() <= time(12) or sl.end.time() == time(0)  # the 12:00 day is kept (was 15:56)
        if sl.start.date() > DAY:
            assert sl.station == 1  # one station from the second day, as planned
            assert sl.start.time() >= time(8)
    assert rp.stations == 2
    assert max(machine_day_loads(rp).values()) <= 900


def test_places_show_on_the_timetable(db, tmp_path):
    import openpyxl

    from app.timetable import output as plan_output
    from app.timetable.places import parse_places
    from app.timetable.store import latest_places

    sheet = tmp_path / "地点.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["学院", "班级", "地点"])
    wb.active.append(["文学院", "", "图书馆一楼报告厅"])
    wb.active.append(["", "数学1班", "理科楼 B203"])
    wb.save(sheet)
    with db.session() as s:
        make_roster(s, [("文学院", "汉语言1班", 23), ("理学院", "数学1班", 12), ("理学院", "物理1班", 12)])
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=1, rate=165, breaks="", place=str(sheet))
        store.save_plan(s, p)
        s.commit()
        places = latest_places(s)
    by_class = {sl.class_name: sl.place for sl in p.slots}
    assert by_class == {"汉语言1班": "图书馆一楼报告厅", "数学1班": "理科楼 B203", "物理1班": ""}
    assert places.for_class("理学院", "数学1班") == "理科楼 B203"
    plan_output.write_xlsx(p, tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "p.xlsx")["排期"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(r for r in rows if r and r[0] == "日期")
    assert "地点" in head
    assert any("理科楼 B203" in (c or "") for r in rows for c in r if isinstance(c, str))
    pairs = parse_places("文学院=A101;数学1班=B203;*=操场", {"数学1班"}, {"文学院"})
    assert pairs.for_class("文学院", "x") == "A101" and pairs.for_class("理学院", "数学1班") == "B203"
    assert pairs.for_class("理学院", "物理1班") == "操场"
    assert parse_places("体育馆").for_class("a", "b") == "体育馆"


def test_station_plan_days_and_place_on_the_command_line(db_url, run_cli, tmp_path):
    from pypdf import PdfReader

    from app.db import open_db

    d = open_db(db_url)
    with d.session() as s:
        make_roster(s, [(f"学院{i % 4}", f"班{i:02d}", 37) for i in range(40)])  # 1,480 students
        s.commit()
    d.dispose()
    code, out, err = run_cli("plan", "--start", "2019-03-16T08:00", "--stations", "4,3", "--days", "2", "--day-end", "16:00",
                             "--place", "学院0=图书馆报告厅;*=体育馆", "--pdf", tmp_path / "p.pdf")
    assert code == 0, err
    with open_db(db_url).session() as s:
        per_day = defaultdict(int)
        stations = defaultdict(set)
        for r in s.query(PlanSlot):
            per_day[r.start_at.date()] += r.students
            stations[r.start_at.date()].add(r.station_no)
    assert sorted(per_day) == [DAY, DAY + timedelta(days=1)]
    assert per_day[DAY] == pytest.approx(1480 * 4 / 7, abs=37) and stations[DAY + timedelta(days=1)] <= {1, 2, 3}
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "p.pdf").pages)
    assert "图书馆报告厅" in text and "体育馆" in text and "地点" in text
    code, out, err = run_cli("sheets", "--out", tmp_path / "s.pdf", "--class", "班00")
    assert code == 0, err
    sheet = PdfReader(tmp_path / "s.pdf").pages[0].extract_text()
    assert "地点: 图书馆报告厅" in sheet
    code, out, err = run_cli("sheets", "--out", tmp_path / "s1.pdf", "--class", "班01")
    assert "地点: 体育馆" in PdfReader(tmp_path / "s1.pdf").pages[0].extract_text()


def test_replan_keeps_later_days_classes_on_their_days(db):
    with db.session() as s:
        st1 = station(s, 1)
        students = make_roster(s, [(f"学院{i % 3}", f"班{i:02d}", 40) for i in range(30)])  # 1,200
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=2, rate=165, breaks="12:00-13:30",
                                  day_end="16:00", days=2)
        store.save_plan(s, p)
        s.commit()
        published = {sl.class_name: sl.start.date() for sl in p.slots}
        assert set(published.values()) == {DAY, DAY + timedelta(days=1)}
        at = datetime(2019, 3, 16, 10, 0)
        for i, x in enumerate(students[:40]):
            photograph(s, x, st1, at - timedelta(seconds=20 * (40 - i)))
        s.commit()
        rp, _ = store.replan(s, at=at)
    for sl in rp.slots:
        if published[sl.class_name] > DAY:
            assert sl.start.date() == published[sl.class_name], sl.class_name  # not pulled into today
        assert sl.end.time() <= time(16) or sl.end.time() == time(0)
    assert sum(sl.students for sl in rp.slots) == 1200 - 40
    assert max(machine_day_loads(rp).values()) <= 900


from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 130), min_size=1, max_size=40),
    stations=st.one_of(st.integers(1, 6), st.lists(st.integers(1, 6), min_size=2, max_size=3)),
    cap=st.integers(150, 900),
    day_end=st.sampled_from([time(12), time(16), time(18)]),
    done=st.integers(0, 140),
)
def test_no_machine_day_passes_the_limit_for_any_school(sizes, stations, cap, day_end, done):
    classes = [load(f"班{i}", n, f"学院{i // 5}") for i, n in enumerate(sizes)]
    p = schedule(classes, stations=stations, rate=165, start=datetime.combine(DAY, time(8)),
                 breaks=parse_breaks("12:00-13:30"), day_end=day_end, max_per_day=cap, done_today={1: min(done, cap)})
    assert check_invariants(p, classes) == []
    loads = machine_day_loads(p)
    for (d, stn), n in loads.items():
        already = min(done, cap) if (d, stn) == (DAY, 1) else 0
        assert n + already <= cap, (d, stn, n, already, cap)


def test_the_setting_sets_the_machine_day(db):
    from app import settings

    with db.session() as s:
        make_roster(s, [(f"学院{i % 3}", f"班{i:02d}", 40) for i in range(40)])  # 1,600
        settings.set_(s, "plan.max_per_machine_day", "700")
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=2, rate=165, breaks="")
    assert p.max_per_day == 700 and max(machine_day_loads(p).values()) <= 700 and len(p.days) == 2
