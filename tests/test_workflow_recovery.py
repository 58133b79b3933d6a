"""Start-up recovery and the photos waiting for a student (app/startup_check.py, app/waiting_photos.py), headless.

Real files written the way the camera backend writes them (capture.durable),
a real roster, real SQLite and the real photo checks; the "killed" station is
a Workflow that named and saved a photo but never recorded it, and a new
Workflow on the same database and folder is the restarted station.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import AuditLog, Selection, Shot, Student
from app.workflow import Workflow, WorkflowError
from capture.durable import write_durable


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=30, seed=7)[0]


@pytest.fixture
def station(roster_db, tmp_path, demo_checker):
    """``station()`` starts (or restarts) the station on the same database and capture folder."""
    made = []

    def start() -> Workflow:
        wf = Workflow(roster_db, capture_folder=tmp_path / "captures")
        wf.checker = demo_checker
        made.append(wf)
        return wf

    yield start
    for wf in made:
        wf.close()


def students(db, n=2):
    with db.session() as s:
        rows = s.scalars(select(Student).where(Student.has_error.is_(False)).order_by(Student.roster_order).limit(n))
        return [(st.id, st.id_number, st.student_no, st.name) for st in rows]


def saved_not_recorded(wf: Workflow, source: Path) -> Path:
    """What a station killed between save and record leaves: the durable file under the workflow's name."""
    return write_durable(source.read_bytes(), wf.next_path(".jpg")).path


def test_a_photo_saved_but_never_recorded_is_found_suggested_and_assigned(station, roster_db, demo_portraits):
    (sid, idn, sno, name), _ = students(roster_db)
    before = station()
    before.identify(idn)
    path = saved_not_recorded(before, demo_portraits["pass"])
    before.close()  # killed here: the file is on disk, the database does not know it

    wf = station()
    result = wf.recover()
    assert (result.recorded, result.waiting, result.problems) == (1, 1, ())
    assert "待分配照片 1" in result.summary() and result.needs_attention
    waiting = wf.waiting_shots()
    assert len(waiting) == 1 and waiting[0].file_ok
    shot = waiting[0].shot
    assert Path(shot.path) == path and shot.source == "recovered" and shot.student_id is None
    assert waiting[0].suggestion is not None and waiting[0].suggestion.id == sid  # the file name names them

    done = wf.assign_shot(shot.id, sid, select_if_none=True)
    assert done.selected and done.shot.qc_verdict in ("pass", "warn") and done.student.photographed
    with roster_db.session() as s:
        sel = s.scalar(select(Selection).where(Selection.student_id == sid))
        assert sel.shot_id == shot.id and s.get(Shot, shot.id).status == "accepted"
        assert s.scalar(select(AuditLog.action).where(AuditLog.action == "shot_assign")) == "shot_assign"
    assert wf.waiting_count() == 0 and wf.waiting_shots() == []
    assert station().recover().recorded == 0  # known now: a second start finds nothing new


def test_a_failing_photo_is_assigned_but_not_selected(station, roster_db, demo_portraits):
    (sid, idn, *_), _ = students(roster_db)
    before = station()
    before.identify(idn)
    saved_not_recorded(before, demo_portraits["fail"])
    wf = station()
    wf.recover()
    shot = wf.waiting_shots()[0].shot
    done = wf.assign_shot(shot.id, sid, select_if_none=True)
    assert not done.selected and done.shot.qc_verdict == "fail" and "未通过" in done.note
    assert not wf.card(sid).photographed and wf.card(sid).shots == 1
    with pytest.raises(WorkflowError):
        wf.assign_shot(shot.id, sid)  # it belongs to a student now


def test_an_unclaimed_camera_button_photo_waits_and_can_be_discarded(station, roster_db, demo_portraits):
    wf = station()
    photo = wf.next_path(".jpg")  # nobody scanned: an "unassigned_..." name
    saved = write_durable(demo_portraits["pass"].read_bytes(), photo)
    from capture.base import SavedPhoto

    fresh = write_durable(demo_portraits["fail"].read_bytes(), wf.next_path(".jpg"))
    just_now = wf.record_photo(SavedPhoto(path=fresh.path, sha256=fresh.sha256, bytes=fresh.bytes, ms=1.0,
                                          taken_at=datetime.now(), source="button"))
    assert wf.waiting_count() == 0  # within its grace the next scan takes it: nothing to decide yet
    shot = wf.record_photo(SavedPhoto(path=saved.path, sha256=saved.sha256, bytes=saved.bytes, ms=1.0,
                                      taken_at=datetime.now() - timedelta(minutes=5), source="button"))
    assert shot.student_id is None
    assert wf.waiting_count() == 2  # the grace of the last one has passed: both wait for a decision
    wf.discard_shot(just_now.id)
    waiting = wf.waiting_shots()
    assert [w.shot.id for w in waiting] == [shot.id] and waiting[0].suggestion is None
    gone = wf.discard_shot(shot.id, "试拍")
    assert gone.status == "rejected" and wf.waiting_shots() == []
    assert Path(shot.path).is_file()  # never deleted
    with roster_db.session() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "shot_discard").order_by(AuditLog.id.desc()))
        assert entry.details == "试拍" and shot.path in entry.scope
    (sid, idn, *_), _ = students(roster_db)
    assert wf.identify(idn).pending is None  # a discarded photo never lands on the next student
    with pytest.raises(WorkflowError):
        wf.assign_shot(shot.id, sid)


def test_missing_changed_and_moved_files_are_listed_plainly(station, roster_db, demo_portraits):
    (a, ida, sno_a, name_a), (b, idb, sno_b, name_b) = students(roster_db)
    wf = station()
    paths = {}
    for sid, idn in ((a, ida), (b, idb)):
        wf.identify(idn)
        shot = wf.process_photo(_saved(wf, demo_portraits["pass"]))
        wf.accept()
        paths[sid] = Path(shot.path)
    third = station()
    third.identify(students(roster_db, 3)[2][1])
    # another photo: recovery tells a moved file by its checksum
    moved_shot = third.process_photo(_saved(third, demo_portraits["fail"]))
    third.accept("测试")
    third.close()

    paths[a].unlink()  # deleted by hand
    data = bytearray(paths[b].read_bytes())
    data[-100] ^= 0xFF  # same size, different bytes: only the checksum can tell
    paths[b].write_bytes(bytes(data))
    elsewhere = paths[b].parent.parent / "moved" / Path(moved_shot.path).name
    elsewhere.parent.mkdir()
    shutil.move(moved_shot.path, elsewhere)

    wf2 = station()
    quick = wf2.recover()  # before the camera: names and sizes only
    assert [(p.problem, p.shot_id) for p in quick.problems] == [("missing", _shot_of(roster_db, a)),
                                                                  ("moved", moved_shot.id)]
    assert quick.problems[0].student == f"{name_a} {sno_a}" and "文件不见了" in quick.problems[0].text()
    assert quick.moved == 1 and wf2.shot(moved_shot.id).path == str(elsewhere)  # the record follows the file
    full = wf2.verify_files()
    kinds = {(p.problem, p.shot_id) for p in full.problems}
    assert ("changed", _shot_of(roster_db, b)) in kinds and ("missing", _shot_of(roster_db, a)) in kinds
    assert full.verified and wf2.file_problems() == full.problems
    assert "校验值不符 1" in full.summary() and "记录缺文件 1" in full.summary()


def test_verify_stops_when_asked(station, roster_db, demo_portraits):
    import threading

    (a, ida, *_), _ = students(roster_db)
    wf = station()
    wf.identify(ida)
    wf.process_photo(_saved(wf, demo_portraits["pass"]))
    wf.accept()
    stop = threading.Event()
    stop.set()
    assert wf.verify_files(stop=stop).problems == ()  # nothing read, nothing claimed


def _saved(wf: Workflow, source: Path):
    from capture.base import SavedPhoto

    saved = write_durable(source.read_bytes(), wf.next_path(".jpg"))
    return SavedPhoto(path=saved.path, sha256=saved.sha256, bytes=saved.bytes, ms=1.0, taken_at=datetime.now(),
                      source="app")


def _shot_of(db, student_id: int) -> int:
    with db.session() as s:
        return s.scalar(select(Shot.id).where(Shot.student_id == student_id))
