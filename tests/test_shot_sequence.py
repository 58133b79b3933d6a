"""The shot sequence (app/shot_sequence.py) under random event sequences (hypothesis stateful testing).

The real SQLite database (a migrated template copied per example) and the real
Workflow underneath; no camera and no photo checks inside the machine: the
camera's files are written where the workflow names them and arrive as
events, late and in any order, and so do the verdicts.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import delete, select

from app.db import open_db
from app.models import Selection, Shot, Student
from app.shot_sequence import PHASES, ShotSequence, accept_rule
from app.workflow import Workflow
from capture.base import SavedPhoto

# Valid GB 11643 numbers for the little roster (check characters computed, not typed).
from app.roster.idcard import check_char

ROSTER = [
    ("张三", "2021001", "11010519990307" + "123", "男"),
    ("李四", "2021002", "11010520000215" + "222", "女"),
    ("王五", "2021003", "32010219991101" + "315", "男"),
    ("赵六", "2021004", "44030520000808" + "426", "女"),
]
ROSTER = [(n, sno, idn + check_char(idn), g) for n, sno, idn, g in ROSTER]
REASONS = ["学生坚持使用此照片", "检查误判, 人工核对合格"]

_SHARED: dict = {}


def _database():
    """One migrated database with the roster for the whole run; each example empties its shots first."""
    if "db" not in _SHARED:
        folder = Path(tempfile.mkdtemp(prefix="seq_db_"))
        db = open_db(f"sqlite:///{folder / 'station.db'}")
        with db.session() as s:
            for i, (name, sno, idn, gender) in enumerate(ROSTER):
                s.add(Student(name=name, student_no=sno, id_number=idn, id_number18=idn, gender=gender,
                              college="信息工程学院", class_name="计科1班", school="甲大学", grad_year="2024",
                              roster_order=i, id_last6=idn[-6:]))
            s.commit()
        _SHARED["db"] = db
    db = _SHARED["db"]
    with db.session() as s:
        s.execute(delete(Selection))
        s.execute(delete(Shot))
        s.commit()
    return db


def _jpeg() -> bytes:
    if "jpeg" not in _SHARED:
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (12, 16), (200, 200, 200)).save(buf, "JPEG")
        _SHARED["jpeg"] = buf.getvalue()
    return _SHARED["jpeg"]


class SequenceMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="seq_"))
        self.db = _database()
        self.wf = Workflow(self.db, capture_folder=self.dir / "captures")
        self.wf.checks_required = True  # verdicts arrive as events
        self.seq = ShotSequence(self.wf)
        with self.db.session() as s:
            self.ids = [st.id for st in s.scalars(select(Student).order_by(Student.roster_order))]
        self.in_flight: list[Path] = []  # named by the camera, not yet delivered
        self.unchecked: list[int] = []  # recorded, no verdict yet
        self.chosen: dict[int, int] = {}  # student -> the shot the operator chose last
        self.reasons: dict[int, str] = {}  # shot -> the reason given for it
        self.view = self.seq.current()

    # --- what the operator saw and what the sequence did -------------------------------

    def _took(self, view, expected: int | None, reason: str | None = None) -> None:
        """An event that selected a photo: it must be the one the operator had in front of them."""
        self.view = view
        if view.accepted is None:
            return
        shot = view.accepted.shot
        assert shot.id == expected, (view.event, shot.id, expected)
        # accepted or selected-other: the student is done, nothing of theirs waits for a later Enter
        assert view.phase == "ready" and view.shot is None and self.wf.pending_shot_id is None
        self.chosen[shot.student_id] = shot.id
        if reason is not None and accept_rule(shot.qc_verdict, True) == "reason":
            self.reasons[shot.id] = reason

    def _moved_on(self, before, view) -> None:
        """A scan that moved on accepted the passing photo that was on screen, and nothing else."""
        found = view.identified
        self.view = view
        if found is not None and found.accepted_previous is not None:
            prev = found.accepted_previous
            assert before.shot is not None and prev.id == before.shot.id
            assert accept_rule(prev.qc_verdict, True) == "ok"
            self.chosen[prev.student_id] = prev.id

    # --- events ----------------------------------------------------------------------

    @rule(i=st.integers(0, len(ROSTER) - 1), how=st.sampled_from(["id_card", "student_card", "typed", "name_search"]))
    def identify(self, i, how):
        name, sno, idn, _g = ROSTER[i]
        before = self.view
        view = {"id_card": lambda: self.seq.scan(idn), "student_card": lambda: self.seq.scan(sno),
                "typed": lambda: self.seq.typed(sno), "name_search": lambda: self.seq.choose(self.ids[i])}[how]()
        self._moved_on(before, view)
        if view.identified is not None and view.identified.kind == "found":
            assert view.student.id == self.ids[i]

    @precondition(lambda self: self.view.student is not None)
    @rule()
    def shutter(self):
        view = self.seq.shutter()
        if view.outcome != "refused":
            assert view.phase == "shooting"
            self.in_flight.append(self.wf.name_photo(".jpg"))  # the camera names its file when it downloads
        self.view = view

    @precondition(lambda self: self.view.student is not None)
    @rule(verdict=st.sampled_from(["pass", "fail"]))
    def shoot_and_check(self, verdict):
        """The common path in one step: Space, the photo, its verdict (the granular rules mix the order)."""
        view = self.seq.shutter()
        self.view = view
        if view.outcome == "refused":
            return
        named = self.wf.name_photo(".jpg")
        body = _jpeg()
        named.path.write_bytes(body)
        photo = SavedPhoto(path=named.path, sha256=hashlib.sha256(body).hexdigest(), bytes=len(body), ms=1.0,
                           taken_at=datetime.now(), source="app", identity=named.identity)
        shot = self.seq.photo_arrived(photo).recorded
        self.view = self.seq.verdict_arrived(self.wf.record_verdict(shot.id, verdict, None, 5.0))

    @rule()
    def camera_button(self):
        """The camera's own shutter button: no key in the window, whatever the state."""
        self.in_flight.append(self.wf.name_photo(".jpg"))

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data())
    def photo_arrives(self, data):
        named = self.in_flight.pop(data.draw(st.integers(0, len(self.in_flight) - 1)))
        path = named.path
        body = _jpeg()
        path.write_bytes(body)
        photo = SavedPhoto(path=path, sha256=hashlib.sha256(body).hexdigest(), bytes=len(body), ms=1.0,
                           taken_at=datetime.now(), source="app", identity=named.identity)
        view = self.seq.photo_arrived(photo)
        assert view.recorded is not None and Path(view.recorded.path) == path.resolve()
        # never under the wrong ID: the photo is the student's it was named for, whoever is at the camera now
        assert view.recorded.student_id == named.identity.student_id
        self.unchecked.append(view.recorded.id)
        self.view = view

    @precondition(lambda self: self.unchecked)
    @rule(data=st.data(), verdict=st.sampled_from(["pass", "warn", "fail", "error"]))
    def verdict_arrives(self, data, verdict):
        shot_id = self.unchecked.pop(data.draw(st.integers(0, len(self.unchecked) - 1)))
        self.view = self.seq.verdict_arrived(self.wf.record_verdict(shot_id, verdict, None, 5.0))

    @precondition(lambda self: self.view.student is not None)
    @rule()
    def enter(self):
        before = self.view
        expected = before.shot.id if before.phase in ("verdict", "checking") and before.shot else None
        self._took(self.seq.enter(), expected)

    @precondition(lambda self: self.view.student is not None)
    @rule(reason=st.sampled_from(REASONS + ["", "  "]))
    def enter_reason(self, reason):
        before = self.view
        if before.phase == "reason":
            expected = before.reason_for  # the reason is for the photo it was asked for
        else:  # Enter with text elsewhere: the photo on screen, when it needs no reason
            expected = before.shot.id if before.phase in ("verdict", "checking") and before.shot else None
        self._took(self.seq.enter(reason), expected, reason.strip() or None)

    @precondition(lambda self: self.view.student is not None)
    @rule()
    def r(self):
        self.view = self.seq.r()

    @precondition(lambda self: self.view.student is not None)
    @rule(data=st.data())
    def view_then_f4(self, data):
        cur = self.wf.current_student_id
        if cur is None:
            self.view = self.seq.f4()
            return
        shots = self.wf.shots_of(cur)
        if not shots:
            return
        shot = shots[data.draw(st.integers(0, len(shots) - 1))]
        before = self.view = self.seq.view(shot.id)
        self._took(self.seq.f4(), before.viewed.id if before.viewed else None)

    @precondition(lambda self: self.view.student is not None)
    @rule()
    def esc(self):
        self.view = self.seq.esc()

    @precondition(lambda self: self.view.student is not None)
    @rule()
    def close(self):
        view = self.seq.close()
        assert view.phase == "ready" and self.wf.current_student_id is None
        self.view = view

    # --- invariants (one read of the database per step) -----------------------------------

    @invariant()
    def the_view_is_consistent(self):
        v = self.view
        assert v.phase in PHASES
        if v.phase == "ready":
            assert v.student is None and v.shot is None
        else:
            assert v.student is not None
        if v.phase in ("checking", "verdict"):
            assert v.shot is not None and v.shot.student_id == v.student.id
            assert (v.shot.qc_verdict is None) == (v.phase == "checking")
        if v.phase == "reason":
            assert v.reason_for is not None

    @invariant()
    def selections_reasons_and_pending(self):
        with self.db.session() as s:
            rows = s.execute(select(Selection.student_id, Selection.shot_id, Selection.override_reason,
                                    Shot.student_id, Shot.qc_verdict)
                             .join(Shot, Shot.id == Selection.shot_id)).all()
            shots = s.execute(select(Shot.id, Shot.student_id, Shot.override_reason)).all()
        # the selected photo is the one the operator chose last
        assert {r[0]: r[1] for r in rows} == self.chosen
        for student, shot_id, sel_reason, shot_student, verdict in rows:
            assert shot_student == student
            if verdict in ("fail", "error"):  # never without the reason given for that very photo
                assert sel_reason and sel_reason == self.reasons[shot_id]
            else:
                assert sel_reason is None
        # a reason given for a failing photo stays with that photo
        stored = {i: why for i, _st, why in shots if why is not None}
        assert stored == self.reasons
        # every photographed student is accepted, selected-other or pending
        photographed = {st for _i, st, _w in shots if st is not None}
        assert set(self.chosen) <= photographed

    def teardown(self):
        if hasattr(self, "wf"):
            try:
                with self.db.session() as s:  # the station's own list of 已拍未确认 says the same
                    photographed = set(s.scalars(select(Shot.student_id).where(Shot.student_id.is_not(None))))
                    selected = set(s.scalars(select(Selection.student_id)))
                assert {c.id for c in self.wf.pending_students()} == photographed - selected
            finally:
                self.wf.close()
                shutil.rmtree(self.dir, ignore_errors=True)


SequenceMachine.TestCase.settings = settings(
    max_examples=500, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_shot_sequence_under_random_events = SequenceMachine.TestCase
