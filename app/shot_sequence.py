"""One student at the camera, as one object: the shot sequence and the one rule for what may be accepted.

The photographer's window, ``station shoot`` and the ``--auto`` driver only send
:class:`ShotSequence` events and draw the :class:`View` it returns; none of them
keeps a state machine or an accept rule of its own. Events::

    scan(code) / typed(code) / choose(id) / add_unlisted(...)   a student comes to the camera
    shutter()                                                  Space (the camera's own button needs none)
    photo_arrived(photo)                                       a durable file from the camera
    verdict_arrived(shot)                                      the checks' verdict (late, in any order)
    enter(text)  r()  view(shot_id)  f4()  esc()  close()      the photographer's keys

States (``View.phase``)::

    ready ─scan→ student ─Space→ shooting ─photo→ checking ─verdict→ verdict ─Enter→ accepted → ready
              └→ confirm (already photographed: Enter = yes)              ├─Enter (failing)→ reason ─text→ accepted
                                                                          ├─R→ retake → student
                                                                          └─(strip) viewing ─F4→ selected-other → ready

A student with shots and no accepted photo is *pending* (已拍未确认): the window
closing, or the photographer leaving, keeps them so; they are listed at the
next start and scanning them again brings their last photo back for the
decision. Each method runs in one worker at a time (the window queues events
on one thread); the database work is :class:`app.workflow.Workflow`'s. A
refused key never raises: the view says why (``message``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from app.i18n import t
from app.workflow import Workflow
from app.workflow_types import (  # noqa: F401  (accept_rule: the sequence's rule, importable from here)
    Accepted,
    Identified,
    ShotInfo,
    StudentCard,
    WorkflowError,
    accept_rule,
)

PHASES = ("ready", "student", "confirm", "shooting", "checking", "verdict", "reason", "viewing")


@dataclass(frozen=True)
class View:
    """What the window draws after an event (and what ``station shoot`` reports)."""

    phase: str
    student: StudentCard | None = None
    shot: ShotInfo | None = None  # the photo awaiting the decision (on screen)
    viewed: ShotInfo | None = None  # an earlier photo looked at from the strip
    reason_for: int | None = None  # the photo a reason is being typed for
    event: str = ""
    outcome: str | None = None  # accepted | selected_other | retake | cleared | left_pending | refused
    accepted: Accepted | None = None  # the selection this event made
    identified: Identified | None = None  # the answer to a scan/search (candidates, unknown, ...)
    recorded: ShotInfo | None = None  # the photo this event recorded (to be checked)
    pending_left: StudentCard | None = None  # close(): the student left pending
    message: str = ""
    level: str = "info"  # info | ok | warn | error
    error: Exception | None = None
    version: int = 0
    rule: str | None = None  # accept_rule for the photo Enter/F4 would take (None: no photo awaits)


@dataclass(frozen=True)
class _State:
    student: StudentCard | None
    confirmed: bool
    pending: ShotInfo | None


class ShotSequence:
    """The states of one student at the camera, on top of :class:`app.workflow.Workflow`'s records."""

    def __init__(self, workflow: Workflow):
        self.wf = workflow
        self._lock = threading.RLock()
        self._shooting = False
        self._viewed: int | None = None
        self._reason_for: int | None = None
        self._version = 0
        self._card: StudentCard | None = None
        self._last = View("ready")

    # --- a student comes to the camera ----------------------------------------------

    def scan(self, code: str) -> View:
        """A code from a card reader (an ID card, a student card)."""
        return self._identify("scan", lambda: self.wf.identify(code, scanned=True))

    def typed(self, code: str) -> View:
        """A code typed and confirmed with Enter (a student number, a name)."""
        return self._identify("type", lambda: self.wf.identify(code, scanned=False))

    def choose(self, student_id: int) -> View:
        """A student picked from the candidates (name search) or a list (recent, pending)."""
        return self._identify("choose", lambda: self.wf.choose(student_id))

    def add_unlisted(self, **values: Any) -> View:
        """F2: a student who is not on the roster (checked by :meth:`Workflow.add_unlisted`)."""
        return self._identify("unlisted", lambda: self.wf.add_unlisted(**values))

    def _identify(self, event: str, call) -> View:
        with self._lock:
            if self._reason_for is not None:
                return self._refuse(event, t("请先完成当前照片: 填写原因, 或按 Esc 返回后按 R 重拍",
                                             "Finish the current photo first: a reason, or Esc then R"))
            try:
                found = call()
            except WorkflowError as exc:
                return self._refuse(event, exc.message, exc, "warn")
            if found.kind == "found":
                self._shooting = False
                self._viewed = self._reason_for = None
            accepted = None
            if found.accepted_previous is not None:
                accepted = found.accepted_previous
            return self._view(event, identified=found, recorded=found.pending,
                              outcome="accepted" if accepted is not None else None)

    # --- the camera ----------------------------------------------------------------------

    def shutter(self) -> View:
        """Space: trigger the camera for the student on the card."""
        with self._lock:
            phase = self._phase()
            if phase == "confirm":
                return self._refuse("shutter", t("该学生已拍摄过: 按回车确认后再拍",
                                                 "Already photographed: press Enter to confirm first"))
            if phase == "shooting":
                return self._refuse("shutter", t("相机正在传输上一张, 请稍候", "The camera is still sending the last photo"))
            if phase not in ("student", "checking", "verdict"):
                return self._refuse("shutter", t("请先扫描学生证件", "Scan the student's card first")
                                    if phase == "ready" else "")
            try:
                self.wf.check_can_shoot()
                if self.wf.camera is not None:
                    self.wf.shoot()
            except WorkflowError as exc:
                return self._refuse("shutter", exc.message, exc, "warn")
            except Exception as exc:  # the camera's own refusal (busy, disconnected): said, never raised
                busy = type(exc).__name__ == "CaptureBusy"
                return self._refuse("shutter", t("相机正在传输上一张, 请稍候", "The camera is still sending the last photo")
                                    if busy else str(exc), exc, "error")
            self._shooting = True
            self._viewed = None
            return self._view("shutter")

    def camera_failed(self, message: str = "") -> View:
        """The camera said it could not take the photo: back to where the shot began."""
        with self._lock:
            self._shooting = False
            return self._view("camera", message=message, level="error" if message else "info")

    def photo_arrived(self, photo: Any) -> View:
        """A durable photo from the camera (Space or its own button): recorded for the student it was named for."""
        with self._lock:
            info = self.wf.record_photo(photo)
            cur = self.wf.current_student_id
            msg, level = "", "info"
            if info.student_id is not None and info.student_id == cur:
                self._shooting = False
                self._viewed = None
                if self._reason_for is not None:
                    # The reason was being typed for another photo: it must not land on this one.
                    self._reason_for = None
                    msg, level = t("新照片已到: 原因输入已取消, 请重新判断", "A new photo arrived: the reason was "
                                   "cancelled, decide again"), "warn"
            elif info.student_id is None:
                msg, level = t("收到未扫描学生的照片: 请扫描学生证件, 照片将归属该学生",
                               "A photo for no scanned student: scan the student and it becomes theirs"), "warn"
            return self._view("photo", recorded=info, message=msg, level=level)

    def verdict_arrived(self, shot: ShotInfo) -> View:
        """The checks' verdict for a recorded photo (already stored by :meth:`Workflow.check_shot`)."""
        with self._lock:
            return self._view("verdict")

    # --- the photographer's keys ---------------------------------------------------------

    def enter(self, text: str = "") -> View:
        """Enter: confirm a re-shoot, accept the photo on screen, or give the reason being asked for."""
        with self._lock:
            phase = self._phase()
            if phase == "confirm":
                try:
                    self.wf.confirm_duplicate()
                except WorkflowError as exc:
                    return self._refuse("enter", exc.message, exc)
                return self._view("enter")
            if phase == "reason":
                reason = (text or "").strip()
                if not reason:
                    return self._refuse("enter", t("请填写接受原因 (或输入 1/2/3)", "Type the reason (or 1/2/3)"))
                return self._select("enter", self._reason_for, reason)
            if phase == "viewing":
                return self._refuse("enter", t("F4 选用此张 · Esc 返回", "F4 selects this photo · Esc goes back"))
            if phase in ("verdict", "checking"):
                shot = self._pending_info()
                rule = accept_rule(shot.qc_verdict, self.wf.checks_on)
                if rule == "wait":
                    return self._refuse("enter", t("照片正在检查, 请稍候", "The photo is being checked, one moment"))
                if rule == "reason":
                    self._reason_for = shot.id
                    return self._view("enter", message=t("照片未通过检查: 接受需要填写原因",
                                                         "The photo failed the checks: accepting needs a reason"),
                                      level="warn")
                return self._select("enter", shot.id, None)
            return self._view("enter")

    def r(self) -> View:
        """R: the photo on screen is a retake; the student stays."""
        with self._lock:
            if self._phase() not in ("checking", "verdict"):
                return self._view("r")
            try:
                self.wf.retake()
            except WorkflowError as exc:
                return self._refuse("r", exc.message, exc)
            return self._view("r", outcome="retake")

    def view(self, shot_id: int) -> View:
        """A click on the strip: look at an earlier photo of the student (F4 would select it)."""
        with self._lock:
            phase = self._phase()
            cur = self.wf.current_student_id
            if phase in ("shooting", "reason") or cur is None:
                return self._view("view")
            if self.wf.shot(shot_id).student_id != cur:
                return self._refuse("view", t("不是当前学生的照片", "Not a photo of the student on the card"))
            self._viewed = shot_id
            return self._view("view")

    def f4(self, shot_id: int | None = None) -> View:
        """F4: select the viewed photo (or ``shot_id``) instead of the one on screen; a failing one asks a reason."""
        with self._lock:
            if shot_id is not None and self._phase() != "viewing":
                self.view(shot_id)
            if self._phase() != "viewing" or self._viewed is None:
                return self._refuse("f4", t("先在下方点选一张照片, 再按 F4", "Click a photo in the strip first, then F4"))
            shot = self.wf.shot(self._viewed)
            if shot.selected:
                return self._refuse("f4", t("这张已是选用的照片", "This photo is already the selected one"))
            rule = accept_rule(shot.qc_verdict, self.wf.checks_on)
            if rule == "wait":
                return self._refuse("f4", t("照片正在检查, 请稍候", "The photo is being checked, one moment"))
            if rule == "reason":
                self._reason_for = shot.id
                return self._view("f4", message=t("照片未通过检查: 选用需要填写原因",
                                                  "The photo failed the checks: selecting it needs a reason"),
                                  level="warn")
            return self._select("f4", shot.id, None)

    def esc(self) -> View:
        """Esc: leave the reason or the viewed photo; let a student with no photo go."""
        with self._lock:
            phase = self._phase()
            if phase == "reason":
                self._reason_for = None
                return self._view("esc")
            if phase == "viewing":
                self._viewed = None
                return self._view("esc")
            if phase in ("student", "confirm"):
                try:
                    self.wf.clear()
                except WorkflowError as exc:
                    return self._refuse("esc", exc.message, exc)
                self._shooting = False
                return self._view("esc", outcome="cleared")
            if phase in ("checking", "verdict"):
                return self._refuse("esc", t("请先接受 (回车) 或重拍 (R) 当前照片",
                                             "Accept (Enter) or retake (R) the current photo first"), level="warn")
            return self._view("esc")

    def unfinished(self) -> StudentCard | None:
        """The student in front of the camera with photos but none accepted (close() would leave them pending)."""
        with self._lock:
            cur = self.wf.current_student_id
            if cur is None:
                return None
            card = self.wf.card(cur)
            return card if card.shots and not card.photographed else None

    def close(self) -> View:
        """The window closes: a student with photos and none accepted stays pending (listed at the next start)."""
        with self._lock:
            self._shooting = False
            self._viewed = self._reason_for = None
            left = self.wf.leave_pending()
            return self._view("close", outcome="left_pending" if left else None, pending_left=left)

    def current(self) -> View:
        """The state as it is (no event)."""
        with self._lock:
            return self._view("")

    # --- inside ------------------------------------------------------------------------------

    def _select(self, event: str, shot_id: int | None, reason: str | None) -> View:
        pending = self.wf.pending_shot_id
        try:
            if shot_id is None or shot_id == pending:
                result = self.wf.accept(reason)
            else:
                result = self.wf.select_other(shot_id, reason)
        except WorkflowError as exc:
            return self._refuse(event, exc.message, exc, "warn")
        other = shot_id is not None and shot_id != pending
        self._viewed = self._reason_for = None
        self._shooting = False
        name = result.student.name
        why = f" ({result.shot.override_reason})" if result.shot.override_reason else ""
        msg = (t(f"已改选照片: {name}", f"Photo changed: {name}") if other else
               t(f"已接受: {name}", f"Accepted: {name}")) + why
        return self._view(event, outcome="selected_other" if other else "accepted", accepted=result,
                          message=msg, level="ok")

    def _pending_info(self) -> ShotInfo | None:
        pid = self.wf.pending_shot_id
        return self.wf.shot(pid) if pid is not None else None

    def _phase(self) -> str:
        student, confirmed, pending, verdict = self.wf.facts()
        return self._derive(student, confirmed, pending, verdict)

    def _derive(self, student, confirmed, pending, verdict) -> str:
        if student is None:
            self._viewed = self._reason_for = None
            self._shooting = False
            return "ready"
        if self._reason_for is not None:
            return "reason"
        if self._viewed is not None:
            return "viewing"
        if not confirmed:
            return "confirm"
        if self._shooting:
            return "shooting"
        if pending is not None:
            return "checking" if accept_rule(verdict, self.wf.checks_on) == "wait" else "verdict"
        return "student"

    def _refuse(self, event: str, message: str, error: Exception | None = None, level: str = "warn") -> View:
        return self._view(event, outcome="refused", message=message, level=level, error=error)

    def _student(self, sid: int | None, event: str) -> StudentCard | None:
        """The card of the student at the camera, read again only after an event that can change it."""
        if sid is None:
            self._card = None
            return None
        if self._card is None or self._card.id != sid or event not in ("shutter", "verdict", "view", "esc", "", "f4",
                                                                       "r", "camera"):
            self._card = self.wf.card(sid)
        return self._card

    def _view(self, event: str, **kw: Any) -> View:
        sid, confirmed, pid, _verdict = self.wf.facts(with_verdict=False)
        student = self._student(sid, event if kw.get("outcome") in (None, "refused", "retake") else "changed")
        pending = self.wf.shot(pid) if pid is not None else None
        state = _State(student, confirmed, pending)
        phase = self._derive(state.student, state.confirmed, pending, pending.qc_verdict if pending else None)
        viewed = self.wf.shot(self._viewed) if phase in ("viewing", "reason") and self._viewed is not None else None
        rule_target = viewed if phase == "viewing" else state.pending
        if phase == "reason" and self._reason_for is not None:
            rule_target = self.wf.shot(self._reason_for)
        rule = None if rule_target is None else accept_rule(rule_target.qc_verdict, self.wf.checks_on)
        self._version += 1
        self._last = View(phase, state.student, state.pending, viewed, self._reason_for, event=event,
                          version=self._version, rule=rule, **kw)
        return self._last
