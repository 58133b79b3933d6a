"""The shot workflow (app/workflow.py), headless, on a real roster, real photos and the real checks.

The roster is the demo workbook imported with `station roster import`; photos
are the package-shipped portraits (astronaut: passes once made a white-suit
portrait for the demo; Grace Hopper: dark uniform, fails ``white_top``),
handed to the workflow as the capture contract's ``SavedPhoto``; one test
shoots through the real gphoto2 backend on libgphoto2's virtual camera.
"""

from __future__ import annotations

import hashlib
import queue
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Absence, DataIssue, Selection, Shot, Student
from app.workflow import (
    DecisionPending,
    NeedsConfirmation,
    NoStudent,
    ReasonRequired,
    Workflow,
    WorkflowError,
)
from capture.base import SavedPhoto


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=40, seed=3)[0]


def students(db, n=3):
    with db.session() as s:
        rows = s.scalars(
            select(Student).where(Student.has_error.is_(False)).order_by(Student.roster_order).limit(n)
        ).all()
        return [(st.id, st.id_number, st.student_no, st.name) for st in rows]


def deliver(wf: Workflow, source: Path, ext: str = ".jpg", source_kind: str = "app") -> SavedPhoto:
    """What a camera backend does with a shot: take the workflow's name (and whose), write the file, report it."""
    named = wf.name_photo(ext)
    path = named.path
    shutil.copyfile(source, path)
    data = path.read_bytes()
    return SavedPhoto(path=path, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), ms=1.0,
                      taken_at=datetime.now(), source=source_kind, identity=named.identity)


def test_a_scanned_id_number_finds_the_student_and_names_the_files(wf, roster_db):
    sid, idn, sno, name = students(roster_db, 1)[0]
    found = wf.identify(idn, scanned=True)
    assert found.kind == "found" and found.card.id == sid and found.card.name == name
    assert found.card.id_masked != idn and found.card.id_masked.endswith(idn[-4:])  # never the whole number
    assert not found.needs_confirmation
    p1, p2 = wf.next_path(".JPG"), wf.next_path(".jpg")
    assert p1.name == f"S01_{sno}_01.jpg" and p2.name == f"S01_{sno}_02.jpg"
    assert p1.parent.name == datetime.now().strftime("%Y-%m-%d")


def test_a_raw_plus_jpeg_pair_shares_one_stem(wf, roster_db):
    wf.identify(students(roster_db, 1)[0][1])
    jpg, raw = wf.next_path(".jpg"), wf.next_path(".nef")
    assert jpg.stem == raw.stem and raw.suffix == ".nef"
    assert wf.next_path(".jpg").stem != jpg.stem  # the next shot


def test_typed_search_and_unknown_codes(wf, roster_db):
    sid, idn, sno, name = students(roster_db, 1)[0]
    assert sid in [c.id for c in wf.search(idn[-6:])]
    assert sid in [c.id for c in wf.search(name)]
    unknown = wf.identify("99999999999", scanned=True)
    assert unknown.kind == "unknown" and unknown.card is None
    typed = wf.identify(sno, scanned=False)
    assert typed.kind == "found" and typed.card.id == sid


def test_shoot_check_accept_records_everything(wf, roster_db, demo_portraits):
    sid, idn, *_ = students(roster_db, 1)[0]
    wf.identify(idn)
    shot = wf.process_photo(deliver(wf, demo_portraits["pass"]))
    assert shot.student_id == sid and shot.qc_verdict in ("pass", "warn"), shot.checks
    assert shot.qc_ms and shot.qc_ms > 0 and {c.name for c in shot.checks} >= {"face_count", "white_top"}
    done = wf.accept()
    assert done.student.photographed and done.shot.selected and not done.reselected
    with roster_db.session() as s:
        row = s.get(Shot, shot.id)
        assert row.status == "accepted" and row.qc_json and row.sha256 and Path(row.path).is_file()
        sel = s.scalar(select(Selection).where(Selection.student_id == sid))
        assert sel.shot_id == shot.id and sel.override_reason is None
    assert wf.current_student_id is None and wf.pending_shot_id is None
    tp = wf.throughput()
    assert tp.today == 1 and tp.last_hour == 1 and tp.group_remaining == tp.group_total - 1


def test_a_failing_photo_is_accepted_only_with_a_reason(wf, roster_db, demo_portraits):
    sid, idn, *_ = students(roster_db, 1)[0]
    wf.identify(idn)
    shot = wf.process_photo(deliver(wf, demo_portraits["fail"]))
    assert shot.qc_verdict == "fail"
    failing = {c.name for c in shot.failing()}
    assert "white_top" in failing
    white = next(c for c in shot.checks if c.name == "white_top")
    assert white.reason and white.regions  # a Chinese sentence and where to draw it
    with pytest.raises(ReasonRequired):
        wf.accept()
    assert wf.pending_shot_id == shot.id  # still waiting
    state = wf.state()
    assert state.student.id == sid and state.confirmed and state.pending.id == shot.id
    wf.accept("学生坚持使用此照片")
    with roster_db.session() as s:
        sel = s.scalar(select(Selection).where(Selection.student_id == sid))
        assert sel.override_reason == "学生坚持使用此照片"
        assert s.get(Shot, shot.id).override_reason == "学生坚持使用此照片"


def test_retake_keeps_every_shot_and_reselect_later(wf, roster_db, demo_portraits):
    sid, idn, *_ = students(roster_db, 1)[0]
    wf.identify(idn)
    first = wf.process_photo(deliver(wf, demo_portraits["fail"]))
    retaken = wf.retake()
    assert retaken.id == first.id and retaken.status == "retake"
    with pytest.raises(DecisionPending):
        wf.accept()
    second = wf.process_photo(deliver(wf, demo_portraits["pass"]))
    wf.accept()
    shots = wf.shots_of(sid)
    assert [s.id for s in shots] == [first.id, second.id]
    assert all(Path(s.path).is_file() for s in shots)
    assert [s.selected for s in shots] == [False, True]
    # Later the photographer prefers the first one after all: it failed, so a reason is needed.
    with pytest.raises(ReasonRequired):
        wf.reselect(first.id)
    again = wf.reselect(first.id, "检查误判, 人工核对合格")
    assert again.reselected and again.shot.id == first.id
    with roster_db.session() as s:
        assert s.scalar(select(func.count(Selection.id)).where(Selection.student_id == sid)) == 1
        assert s.get(Shot, second.id).status == "new"  # kept, no longer the chosen one


def test_a_new_shot_while_one_waits_makes_the_first_a_retake(wf, roster_db, demo_portraits):
    wf.identify(students(roster_db, 1)[0][1])
    a = wf.process_photo(deliver(wf, demo_portraits["fail"]))
    b = wf.process_photo(deliver(wf, demo_portraits["pass"]))
    assert wf.pending_shot_id == b.id and wf.shot(a.id).status == "retake"


def test_an_already_photographed_student_needs_confirmation(wf, roster_db, demo_portraits):
    sid, idn, *_ = students(roster_db, 1)[0]
    wf.identify(idn)
    wf.process_photo(deliver(wf, demo_portraits["pass"]))
    wf.accept()
    again = wf.identify(idn)
    assert again.needs_confirmation and again.card.photographed and again.card.shots == 1
    assert again.card.photographed_station == "机位1" and again.card.photographed_at is not None
    with pytest.raises(NeedsConfirmation):
        wf.check_can_shoot()
    wf.confirm_duplicate()
    wf.check_can_shoot()


def test_moving_on_accepts_a_passing_shot_but_not_a_failing_one(wf, roster_db, demo_portraits):
    (a, ida, *_), (b, idb, *_), (c, idc, *_) = students(roster_db, 3)
    wf.identify(ida)
    wf.process_photo(deliver(wf, demo_portraits["pass"]))
    moved = wf.identify(idb)
    assert moved.accepted_previous is not None and moved.card.id == b
    assert wf.card(a).photographed
    wf.process_photo(deliver(wf, demo_portraits["fail"]))
    with pytest.raises(DecisionPending):
        wf.identify(idc)
    assert wf.current_student_id == b  # still the same student


def test_escape_needs_no_pending_shot(wf, roster_db, demo_portraits):
    wf.identify(students(roster_db, 1)[0][1])
    wf.clear()
    assert wf.current_student_id is None
    with pytest.raises(NoStudent):
        wf.check_can_shoot()


def test_an_unlisted_student_is_photographed_and_flagged(wf, roster_db, demo_portraits):
    found = wf.add_unlisted(name="林小雨", student_no="2099000001", gender="女", class_name="计科2301班")
    assert found.kind == "found" and found.card.unlisted
    shot = wf.process_photo(deliver(wf, demo_portraits["pass"]))
    assert shot.student_id == found.card.id and Path(shot.path).name.startswith("S01_2099000001_")
    wf.accept()
    with roster_db.session() as s:
        st = s.get(Student, found.card.id)
        assert st.unlisted and st.name_initials == "lxy" and st.school  # the roster's school
        issue = s.scalar(select(DataIssue).where(DataIssue.student_id == st.id))
        assert issue.source == "unlisted"
    assert found.card.id in [c.id for c in wf.search("lxy")]


def test_a_data_problem_reported_at_the_camera(wf, roster_db):
    sid, idn, *_ = students(roster_db, 1)[0]
    wf.identify(idn)
    with pytest.raises(WorkflowError):
        wf.report_data_issue("id_wrong")  # the correct value is required
    fixed = idn[:-1] + ("0" if idn[-1] != "0" else "1")
    wf.report_data_issue("id_wrong", correct_value=fixed, note="学生出示身份证")
    with roster_db.session() as s:
        issue = s.scalar(select(DataIssue).where(DataIssue.student_id == sid))
        assert (issue.kind, issue.field, issue.original_value, issue.correct_value, issue.source) == (
            "id_wrong", "Sfzh", idn, fixed, "camera")


def test_a_camera_button_shot_before_the_scan_goes_to_the_next_student(wf, roster_db, demo_portraits):
    photo = deliver(wf, demo_portraits["pass"], source_kind="button")
    assert "unassigned" in photo.path.name
    shot = wf.record_photo(photo)
    assert shot.student_id is None
    sid, idn, *_ = students(roster_db, 1)[0]
    found = wf.identify(idn)
    assert found.pending is not None and found.pending.id == shot.id and found.pending.assigned_now
    assert wf.pending_shot_id == shot.id and wf.shot(shot.id).student_id == sid


def test_a_returning_absent_student_is_no_longer_absent(wf, roster_db, demo_portraits):
    sid, idn, *_ = students(roster_db, 1)[0]
    with roster_db.session() as s:
        s.add(Absence(student_id=sid, reason="leave"))
        s.commit()
    assert wf.identify(idn).card.absent
    wf.process_photo(deliver(wf, demo_portraits["pass"]))
    wf.accept()
    with roster_db.session() as s:
        assert s.scalar(select(Absence).where(Absence.student_id == sid)).cleared_at is not None


def test_the_whole_flow_through_the_virtual_camera(wf, roster_db, demo_portraits, tmp_path):
    """Real libgphoto2 virtual camera, real durable save, the workflow's namer."""
    from capture.virtual import prepare_virtual_camera

    prepare_virtual_camera(tmp_path / "vcam", sources=[demo_portraits["pass"]])
    events: queue.Queue = queue.Queue()
    cam = wf.open_camera(events.put, "gphoto2", folder=wf.capture_folder)
    assert cam.wait_connected(15)
    sid, idn, sno, _ = students(roster_db, 1)[0]
    wf.identify(idn)
    wf.shoot()
    deadline = datetime.now() + timedelta(seconds=15)
    while True:
        ev = events.get(timeout=15)
        assert ev.kind != "error", ev.error
        if ev.kind == "photo":
            break
        assert datetime.now() < deadline
    assert ev.photo.path.name == f"S01_{sno}_01.jpg"
    assert ev.photo.identity.student_id == sid  # whose it is travels with the photo
    # decoded once: the camera layer's strict check made the checks' reduced image
    side, decoded = ev.photo.decoded
    assert side == wf.checker.decode_long_side
    from qc.decode import decode_path

    again = decode_path(ev.photo.path, min_long_side=side)
    assert decoded.rgb.shape == again.rgb.shape and (decoded.rgb == again.rgb).all()
    assert (decoded.width, decoded.height, decoded.orientation) == (again.width, again.height, again.orientation)
    shot = wf.process_photo(ev.photo)
    assert shot.student_id == sid and shot.qc_verdict in ("pass", "warn")
    assert shot.qc_verdict == wf.checker.check_path(ev.photo.path).verdict
    assert hashlib.sha256(Path(shot.path).read_bytes()).hexdigest() == ev.photo.sha256
    wf.accept()
    assert wf.card(sid).photographed


def test_a_photo_goes_to_the_student_it_was_named_for_not_to_its_file_name(wf, roster_db, demo_portraits):
    """The student travels with the photo (its identity), never parsed out of the file name: a photo
    named for A that arrives after B was scanned is A's, even renamed to B's number."""
    (a, idn_a, _sno_a, _), (b, idn_b, sno_b, _) = students(roster_db, 2)
    wf.identify(idn_a)
    photo = deliver(wf, demo_portraits["pass"])
    wf.identify(idn_b)  # the next student is scanned before A's download arrives
    disguised = photo.path.with_name(f"S01_{sno_b}_07.jpg")
    photo.path.rename(disguised)
    shot = wf.record_photo(SavedPhoto(**{**photo.__dict__, "path": disguised}))
    assert shot.student_id == a
    assert wf.pending_shot_id is None  # not B's photo awaiting a decision


def test_the_size_recorded_is_the_one_the_camera_layer_measured(wf, roster_db, demo_portraits):
    wf.identify(students(roster_db, 1)[0][1])
    photo = deliver(wf, demo_portraits["pass"])
    shot = wf.record_photo(SavedPhoto(**{**photo.__dict__, "width": 111, "height": 222}))
    with roster_db.session() as s:
        assert (s.get(Shot, shot.id).width, s.get(Shot, shot.id).height) == (111, 222)


# --- throughput (app/throughput.py) ---------------------------------------------------


def _select_at(db, times: list[datetime], station_id: int, college="信息工程学院") -> list[int]:
    """Selections at the given times for students of one college (shots made to match)."""
    with db.session() as s:
        studs = s.scalars(select(Student).where(Student.college == college).order_by(Student.roster_order)).all()
        ids = []
        for st, at in zip(studs, times):
            shot = Shot(student_id=st.id, station_id=station_id, path=f"/x/{st.id}.jpg", sha256="0" * 64, bytes=1,
                        taken_at=at, qc_verdict="pass", status="accepted")
            s.add(shot)
            s.flush()
            s.add(Selection(student_id=st.id, shot_id=shot.id, station_id=station_id, selected_at=at))
            ids.append(st.id)
        s.commit()
        return ids


def test_throughput_rate_average_remaining_and_finish(wf, roster_db):
    from app import throughput

    now = datetime(2026, 5, 15, 10, 0, 0)
    # 10 students at 30 s intervals ending now; two more two hours earlier.
    times = [now - timedelta(hours=2, minutes=1), now - timedelta(hours=2)]
    times += [now - timedelta(seconds=30 * k) for k in range(9, -1, -1)]
    assert len(_select_at(roster_db, times, wf.station_id)) == 12
    with roster_db.session() as s:
        total, left = throughput.remaining(s, "信息工程学院")
        tp = throughput.snapshot(s, station_id=wf.station_id, at=now, college="信息工程学院")
        other = throughput.snapshot(s, station_id=wf.station_id + 1, at=now)
    assert tp.last_hour == 10 and tp.today == 12
    # one student every 30 s: 120 an hour, and the same figure as 30 s per student
    assert tp.rate == pytest.approx(120.0) and tp.level == "near"
    assert tp.rate == pytest.approx(3600 / tp.avg_seconds)
    assert tp.avg_seconds == pytest.approx(30.0)  # the 2-hour gap is a break, not a slow student
    assert (tp.group_total, tp.group_remaining) == (total, left) and left == total - 12 > 0
    assert tp.projected_finish == now + timedelta(hours=left / tp.rate)
    assert other.last_hour == 0 and other.rate is None and other.level == "idle"


def test_throughput_levels_and_absent_students(roster_db, wf):
    from app import throughput

    assert throughput.rate_level(None, 150, 180) == "idle"
    assert throughput.rate_level(100, 150, 180) == "low"
    assert throughput.rate_level(125, 150, 180) == "near"
    assert throughput.rate_level(160, 150, 180) == "ok"
    assert throughput.rate_level(400, 150, 180) == "high"
    # three quick students right at the start are not a rate of 180 per hour, one is no rate at all
    at = datetime(2026, 5, 15, 8, 0, 30)
    quick = [at - timedelta(seconds=40), at - timedelta(seconds=20), at]
    assert throughput.rolling_rate(quick, at) is None
    assert throughput.rolling_rate([at], at) is None
    steady = [at - timedelta(seconds=40 * k) for k in range(6, -1, -1)]  # 4 minutes, one every 40 s
    assert throughput.rolling_rate(steady, at) == pytest.approx(90.0)
    with roster_db.session() as s:
        total, left = throughput.remaining(s, "信息工程学院")
        st = s.scalar(select(Student).where(Student.college == "信息工程学院"))
        s.add(Absence(student_id=st.id, reason="leave"))
        s.commit()
        assert throughput.remaining(s, "信息工程学院") == (total, left - 1)
        assert throughput.projected_finish(0, None, at) == at
        assert throughput.projected_finish(5, None, at) is None
