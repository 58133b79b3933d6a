"""The marshal's view: counts, groups of ten, absences, calls and the cue, headless and from the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.roll_call import board as marshal
from app.errors import StationError
from app.models import Absence, MajorCollege, MarshalCall, Student
from tests.marshal_data import make_roster, photograph, station

CLASSES = [("文学院", "汉语言1班", 23), ("文学院", "汉语言2班", 30), ("理学院", "数学1班", 12)]


@pytest.fixture
def day(db):
    """A roster of three classes whose roster order is not the student-number order."""
    with db.session() as s:
        st = station(s)
        students = make_roster(s, CLASSES, shuffle_numbers=True)
        s.commit()
        ids = [x.id for x in students]
    return db, st.id, ids


def by_no(session, student_no: str) -> Student:
    return session.scalars(select(Student).where(Student.student_no == student_no)).one()


def test_counts_per_college_and_class(day):
    db, st_id, ids = day
    from app.models import Station

    with db.session() as s:
        stn = s.get(Station, st_id)
        for sid in ids[:5]:  # five of 汉语言1班
            photograph(s, s.get(Student, sid), stn)
        marshal.mark_absent(s, ids[6], "请假")
        marshal.mark_absent(s, ids[30], "internship")  # 汉语言2班, by key
        s.commit()
        snap = marshal.load(s)
    assert [c.college for c in snap.colleges] == ["文学院", "理学院"]
    c1 = snap.find_class("文学院", "汉语言1班")
    assert (c1.roster, c1.photographed, c1.absent, c1.remaining) == (23, 5, 1, 17)
    c2 = snap.find_class("文学院", "汉语言2班")
    assert (c2.roster, c2.photographed, c2.absent, c2.remaining) == (30, 0, 1, 29)
    wen = snap.colleges[0]
    assert (wen.roster, wen.photographed, wen.absent, wen.remaining) == (53, 5, 2, 46)
    assert (snap.roster, snap.photographed, snap.absent, snap.remaining) == (65, 5, 2, 58)
    assert not wen.complete


def test_remaining_are_in_roster_order_with_masked_ids(day):
    db, _st, ids = day
    with db.session() as s:
        snap = marshal.load(s)
        cls = snap.find_class("文学院", "汉语言1班")
        left = cls.remaining_students()
        assert [x.roster_order for x in left] == sorted(x.roster_order for x in left)
        for x in left:
            full = s.get(Student, x.id).id_number
            assert x.masked_id == full[:4] + "*" * 10 + full[-4:]
            assert full not in x.masked_id


def test_groups_of_ten_in_student_number_order(day):
    db, _st, _ids = day
    with db.session() as s:
        cls = marshal.load(s).find_class("文学院", "汉语言1班")
    assert cls.group_count == 2  # 23 = 10 + 13: the last three join group 2, not a group of their own
    numbers = [x.student_no for x in cls.students]
    assert numbers == sorted(numbers)  # roster was shuffled; groups are not
    assert [len(cls.group(g)) for g in (1, 2)] == [10, 13]
    assert [marshal.group_count_for(n) for n in (1, 3, 10, 11, 13, 14, 20, 23, 24)] == [1, 1, 1, 1, 1, 2, 2, 2, 3]
    assert {x.group_no for x in cls.group(2)} == {2}
    assert cls.group(2)[0].student_no == "19001011"


def test_student_number_order_is_natural():
    keys = ["A-10", "A-2", "A-1", "B-1"]
    assert sorted(keys, key=marshal.student_no_key) == ["A-1", "A-2", "A-10", "B-1"]


def test_next_group_skips_photographed_and_absent(day):
    db, st_id, _ids = day
    from app.models import Station

    with db.session() as s:
        stn = s.get(Station, st_id)
        for n in range(1, 11):  # group 1 of 汉语言1班 done
            photograph(s, by_no(s, f"19001{n:03d}"), stn)
        photograph(s, by_no(s, "19001012"), stn)  # came early with the first group
        marshal.mark_absent(s, by_no(s, "19001015").id, "实习")
        s.commit()
        snap = marshal.load(s)
    assert snap.current is not None and snap.current.auto
    # The last photo was of group 2, which still has people: it is the current group.
    assert snap.current.key == ("文学院", "汉语言1班", 2)
    assert snap.next.key == ("文学院", "汉语言2班", 1)  # 汉语言1班 has two groups (10 + 13)
    with db.session() as s:
        marshal.call_group(s, "文学院", "汉语言1班", 2, station_id=st_id)
        s.commit()
        snap = marshal.load(s)
    g2 = snap.current
    assert not g2.auto and g2.called_at is not None
    to_call = [m.student_no for m in g2.to_call]
    assert "19001012" not in to_call and "19001015" not in to_call
    assert to_call == [f"19001{n:03d}" for n in (11, 13, 14, *range(16, 24))]


def test_cue_when_eight_of_ten_are_done(day):
    db, st_id, _ids = day
    from app.models import Station

    with db.session() as s:
        stn = s.get(Station, st_id)
        g = marshal.call_next(s, station_id=st_id)
        s.commit()
        assert g.key == ("文学院", "汉语言1班", 1)
        cues = []
        for n in range(1, 11):
            photograph(s, by_no(s, f"19001{n:03d}"), stn)
            s.commit()
            snap = marshal.load(s)
            cues.append(snap.current.cue)
            assert snap.current.key == g.key  # a called group stays current until the next call
        assert cues == [False] * 7 + [True] * 3
        assert snap.current.complete
        # An absentee counts as done for the cue: 7 photographed + 1 absent.
    with db.session() as s:
        marshal.call_group(s, "文学院", "汉语言2班", 1, station_id=st_id)
        s.commit()
        cls = marshal.load(s).find_class("文学院", "汉语言2班")
        members = cls.group(1)
        for m in members[:7]:
            photograph(s, s.get(Student, m.id), s.get(Station, st_id))
        s.commit()
        assert not marshal.load(s).current.cue
        marshal.mark_absent(s, members[7].id, "已离校")
        s.commit()
        cur = marshal.load(s).current
        assert (cur.done, cur.absent, cur.remaining, cur.cue) == (7, 1, 2, True)


def test_undo_call_restores_previous_group(day):
    db, st_id, _ids = day
    with db.session() as s:
        first = marshal.call_next(s, station_id=st_id)
        second = marshal.call_next(s, station_id=st_id)
        s.commit()
        assert second.key == ("文学院", "汉语言1班", 2)
        assert marshal.load(s).current.key == second.key
        marshal.cancel_last_call(s, station_id=st_id)
        s.commit()
        snap = marshal.load(s)
        assert snap.current.key == first.key
        assert snap.next.key == second.key
        assert s.scalar(select(MarshalCall).where(MarshalCall.cancelled_at.is_not(None))) is not None


def test_every_group_called_means_no_next(day):
    db, st_id, _ids = day
    with db.session() as s:
        called = []
        while (g := marshal.call_next(s, station_id=st_id)) is not None:
            called.append(g.key)
        s.commit()
        assert len(called) == 2 + 3 + 1 == len(set(called))  # 23, 30, 12 students
        assert marshal.load(s).next is None


def test_absence_reasons_other_needs_text_and_photographed_cannot_be_absent(day):
    db, st_id, ids = day
    from app.models import Station

    with db.session() as s:
        with pytest.raises(StationError):
            marshal.mark_absent(s, ids[0], "其他")
        a = marshal.mark_absent(s, ids[0], "其他", "家中有事")
        assert (a.reason, a.text) == ("other", "家中有事")
        assert marshal.reason_label(a.reason, a.text) == "其他: 家中有事"
        with pytest.raises(StationError):
            marshal.mark_absent(s, ids[0], "生病了")  # not a reason
        # Changing the reason keeps one open absence.
        marshal.mark_absent(s, ids[0], "补拍")
        s.commit()
        open_ = s.scalars(select(Absence).where(Absence.student_id == ids[0], Absence.cleared_at.is_(None))).all()
        assert [x.reason for x in open_] == ["makeup"]
        photograph(s, s.get(Student, ids[1]), s.get(Station, st_id))
        with pytest.raises(StationError):
            marshal.mark_absent(s, ids[1], "请假")
        # Turned up after all: cleared, the record kept.
        assert marshal.clear_absence(s, ids[0]) == 1
        s.commit()
        assert s.scalar(select(Absence.cleared_at).where(Absence.student_id == ids[0])) is not None
        snap = marshal.load(s)
        st0 = next(x for c in snap.classes for x in c.students if x.id == ids[0])
        assert st0.status == marshal.STATUS_REMAINING


def test_absent_then_photographed_counts_as_photographed(day):
    db, st_id, ids = day
    from app.models import Station

    with db.session() as s:
        marshal.mark_absent(s, ids[2], "请假")
        photograph(s, s.get(Student, ids[2]), s.get(Station, st_id))
        s.commit()
        c = marshal.load(s).find_class("文学院", "汉语言1班")
        assert (c.photographed, c.absent) == (1, 0)


def test_college_from_major_and_unlisted_students(db):
    with db.session() as s:
        stn = station(s)
        students = make_roster(s, [("", "会计1班", 4)])
        for x in students:
            x.college = None
        s.add(MajorCollege(major="会计", college="商学院"))
        extra = Student(name="临时", student_no="X1", class_name="会计1班", college="商学院", unlisted=True)
        s.add(extra)
        s.flush()
        photograph(s, extra, stn)
        dropped = students[0]
        dropped.active = False  # a re-sent roster dropped this row
        s.commit()
        snap = marshal.load(s)
    assert [c.college for c in snap.colleges] == ["商学院"]
    cls = snap.find_class("商学院", "会计1班")
    assert (cls.roster, cls.photographed, cls.extra) == (3, 0, 1)


def test_college_complete_flag(db):
    with db.session() as s:
        stn = station(s)
        students = make_roster(s, [("外语学院", "英语1班", 3), ("理学院", "数学1班", 2)])
        for x in students[:2]:
            photograph(s, x, stn)
        marshal.mark_absent(s, students[2].id, "请假")
        s.commit()
        snap = marshal.load(s)
    assert snap.colleges[0].complete and not snap.colleges[1].complete


def test_queue_follows_the_stations_timetable(db):
    from app.timetable import store

    with db.session() as s:
        st1 = station(s, 2)  # this laptop is station 2
        make_roster(s, [("A", "k1", 30), ("A", "k2", 30), ("B", "k3", 30), ("B", "k4", 30)])
        p = store.plan_from_roster(s, start=datetime(2019, 3, 16, 8, 0), stations=2, rate=165, breaks="")
        store.save_plan(s, p)
        s.commit()
        mine = [sl.class_name for sl in p.slots if sl.station == 2]
        snap = marshal.load(s, st1.id)
    assert snap.station_no == 2
    assert [k[1] for k in snap.queue][:3] == [mine[0]] * 3
    assert {k[1] for k in snap.queue} == set(mine)
    assert snap.next.class_name == mine[0] and snap.next.slot is not None
    assert snap.next.slot.station_no == 2


def test_change_token_moves_with_shots_absences_and_calls(day):
    db, st_id, ids = day
    from app.models import Station

    with db.session() as s:
        t0 = marshal.change_token(s)
        photograph(s, s.get(Student, ids[0]), s.get(Station, st_id))
        s.commit()
        t1 = marshal.change_token(s)
        marshal.mark_absent(s, ids[1], "请假")
        s.commit()
        t2 = marshal.change_token(s)
        marshal.clear_absence(s, ids[1])
        s.commit()
        t3 = marshal.change_token(s)
        marshal.call_next(s, station_id=st_id)
        s.commit()
        t4 = marshal.change_token(s)
    assert len({t0, t1, t2, t3, t4}) == 5


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def cli_day(db_url, run_cli):
    from app.db import open_db

    d = open_db(db_url)
    with d.session() as s:
        stn = station(s)
        students = make_roster(s, CLASSES)
        for x in students[:9]:
            photograph(s, x, stn, datetime.now() - timedelta(minutes=10))
        s.commit()
    d.dispose()
    return run_cli


def test_cli_status_missing_absent_present_call(cli_day):
    run = cli_day
    code, out, _ = run("marshal", "status")
    assert code == 0
    assert "汉语言1班" in out and "请叫下一组" in out  # 9 of group 1 done
    code, out, err = run("marshal", "absent", "19001010", "--reason", "实习")
    assert code == 0 and "实习" in out
    code, out, err = run("marshal", "absent", "19001011", "--reason", "其他")
    assert code == 2 and "其他" in err
    code, out, err = run("marshal", "absent", "99999999", "--reason", "请假")
    assert code == 3
    code, out, _ = run("marshal", "missing", "--class", "汉语言1班")
    assert code == 0
    assert "缺席: 实习" in out and "19001011" in out and "19001001" not in out
    assert "3210**********" in out  # masked, never whole
    code, out, _ = run("marshal", "call")
    assert code == 0 and "第2组" in out
    code, out, _ = run("marshal", "status", "--json")
    data = json.loads(out)
    assert data["current"]["group"] == 2 and data["absent"] == 1
    assert data["colleges"][0]["classes"][0]["photographed"] == 9
    code, out, _ = run("marshal", "present", "19001010")
    assert code == 0 and "取消缺席" in out
    code, out, _ = run("marshal", "call", "--class", "汉语言2班", "--group", "2")
    assert code == 0 and "汉语言2班 第2组" in out
    code, out, _ = run("marshal", "call", "--undo")
    assert code == 0
    code, out, err = run("marshal", "call", "--class", "数学1班", "--group", "2")  # 12 students: one group
    assert code == 2


def test_cli_status_json_has_no_id_numbers(cli_day, db_url):
    from app.db import open_db

    code, out, _ = cli_day("marshal", "status", "--json")
    d = open_db(db_url)
    with d.session() as s:
        ids = [x for x in s.scalars(select(Student.id_number))]
    d.dispose()
    for idn in ids:
        assert idn not in out and idn[-6:] not in out and idn[:6] not in out
