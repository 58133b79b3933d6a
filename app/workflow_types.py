"""What the shot workflow hands out: plain frozen records and the errors the window shows.

Nothing here touches the database or Qt; ``app.workflow`` builds these from
its rows so no ORM object (and no lazy load) ever crosses to another thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import StationError
from app.i18n import t

# A verdict that may be accepted without a reason; anything else needs one.
ACCEPTABLE = ("pass", "warn")


def accept_rule(verdict: str | None, checks_on: bool) -> str:
    """The one rule: ``"ok"`` (accept as is), ``"reason"`` (only with a reason) or ``"wait"`` (not yet judged).

    A passing or warning photo is accepted as is; a failing one, or one the checks could not judge
    (``error``), needs the photographer's reason; an unchecked photo waits for its verdict, unless
    the station runs without checks. (The shot sequence's rule, :mod:`app.shot_sequence`; here so the
    workflow applies it without importing the sequence.)
    """
    if verdict in ACCEPTABLE:
        return "ok"
    if verdict is None:
        return "wait" if checks_on else "ok"
    return "reason"


@dataclass(frozen=True)
class ShotIdentity:
    """Whose photo the next file is, fixed when the camera asks for its name (on the camera thread).

    The workflow hands it to the camera layer with the path (``capture.base.PhotoName``) and gets it
    back on the photo (``SavedPhoto.identity``): the student travels with the photo, not in its file
    name. ``student_id`` None: nobody was scanned (a camera-button shot waiting for a student).
    """

    student_id: int | None
    id_method: str | None = None  # how the student was identified (a key of app.models.ID_METHODS)
    id_read: str | None = None  # what was read or typed
    file_key: str = ""  # the student number (or ID number) in the file name: a human label only


# --- errors the window turns into a message (never a blocking dialog) ----------


class WorkflowError(StationError):
    """An action that cannot happen in the current state; the message says why."""

    exit_code = 4


class NoStudent(WorkflowError):
    pass


class NeedsConfirmation(WorkflowError):
    """The student already has a selected photo: a new shot needs an explicit yes."""


class DecisionPending(WorkflowError):
    """The last shot has neither been accepted nor sent for a retake."""


class ReasonRequired(WorkflowError):
    """A shot that failed (or could not be judged by) the checks needs a reason to be accepted."""


# --- what the caller sees ---------------------------------------------------------


@dataclass(frozen=True)
class StudentCard:
    id: int
    name: str
    gender: str
    student_no: str
    id_masked: str
    exam_no: str
    major: str
    class_name: str
    college: str
    school: str
    has_error: bool = False
    has_warning: bool = False
    unlisted: bool = False
    problems: tuple[str, ...] = ()  # roster findings (errors first), in Chinese
    shots: int = 0
    selected_shot_id: int | None = None
    photographed_at: datetime | None = None  # when the selected shot was chosen
    photographed_station: str | None = None
    absent: bool = False

    @property
    def photographed(self) -> bool:
        return self.selected_shot_id is not None

    @property
    def group(self) -> str:
        return self.college or self.major


@dataclass(frozen=True)
class CheckView:
    """One check's outcome, as the window draws it (from a fresh report or the stored JSON)."""

    name: str
    verdict: str
    reason: str
    reason_en: str = ""
    regions: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()

    def text(self) -> str:
        return t(self.reason, self.reason_en or self.reason)


@dataclass(frozen=True)
class ShotInfo:
    id: int
    student_id: int | None
    path: str
    taken_at: datetime
    source: str
    status: str
    qc_verdict: str | None
    qc_ms: float | None
    checks: tuple[CheckView, ...] = ()
    qc_error: str | None = None
    crop: tuple[float, float, float, float] | None = None
    selected: bool = False
    override_reason: str | None = None
    assigned_now: bool = False  # a camera-button shot just given to this student

    def failing(self) -> list[CheckView]:
        return [c for c in self.checks if c.verdict == "fail"]

    def warnings(self) -> list[CheckView]:
        return [c for c in self.checks if c.verdict == "warn"]

    def not_assessed(self) -> list[CheckView]:
        return [c for c in self.checks if c.verdict == "error"]

    @property
    def acceptable(self) -> bool:
        return self.qc_verdict in ACCEPTABLE


@dataclass(frozen=True)
class Identified:
    """The answer to a scan or a typed code."""

    code: str
    kind: str  # "found" | "ambiguous" | "unknown"
    card: StudentCard | None = None
    candidates: tuple[StudentCard, ...] = ()
    needs_confirmation: bool = False
    accepted_previous: ShotInfo | None = None  # a passing shot accepted by moving on
    pending: ShotInfo | None = None  # a camera-button shot now belonging to this student


@dataclass(frozen=True)
class Accepted:
    shot: ShotInfo
    student: StudentCard
    reselected: bool  # an earlier selection was replaced


@dataclass(frozen=True)
class RecentItem:
    """A student this station finished lately (the window lists them to re-open one)."""

    student_id: int
    name: str
    class_name: str
    selected_at: datetime
    verdict: str | None
    override_reason: str | None


@dataclass(frozen=True)
class WorkflowState:
    student: StudentCard | None
    confirmed: bool
    pending: ShotInfo | None


def qc_to_json(report: Any) -> str:
    """The full report, with both languages of every reason (the window may switch)."""
    d = report.to_dict("zh")
    for name, chk in report.checks.items():
        d["checks"][name]["reason_en"] = chk.reason_en
    if getattr(report, "error", None):
        d["reason"] = report.error
    return json.dumps(d, ensure_ascii=False)


def checks_from_json(text: str | None) -> tuple[tuple[CheckView, ...], str | None, tuple | None]:
    if not text:
        return (), None, None
    try:
        d = json.loads(text)
    except ValueError:
        return (), None, None
    views = []
    for name, c in (d.get("checks") or {}).items():
        regions = tuple(
            (r.get("label", ""), tuple(float(v) for v in r["box"])) for r in c.get("regions") or () if "box" in r
        )
        views.append(
            CheckView(name, c.get("verdict", ""), c.get("reason") or "", c.get("reason_en") or "", regions)
        )
    crop = tuple(d["crop"]) if d.get("crop") else None
    return tuple(views), d.get("reason"), crop


# --- start-up recovery and photos waiting for a student ---------------------------


@dataclass(frozen=True)
class FileProblem:
    """A recorded shot whose file is not as it was recorded (or a file recovery could not use)."""

    problem: str  # "missing" | "changed" | "moved" | "incomplete" | "raw_only"
    path: str
    shot_id: int | None = None
    student: str = ""  # "姓名 学号" of the shot's student, when it has one
    new_path: str | None = None  # "moved": where the file is now (the record follows it)

    def text(self) -> str:
        who = f" ({self.student})" if self.student else ""
        return {
            "missing": t(f"文件不见了{who}: {self.path}", f"file missing{who}: {self.path}"),
            "changed": t(f"文件校验值不符 (拍摄后被修改或损坏){who}: {self.path}",
                         f"file changed or damaged since it was recorded{who}: {self.path}"),
            "moved": t(f"文件被移动{who}, 记录已更新: {self.path} → {self.new_path}",
                       f"file moved{who}, record updated: {self.path} → {self.new_path}"),
            "incomplete": t(f"不完整的写入 (已移到一旁, 未删除): {self.path}",
                            f"incomplete write (set aside, not deleted): {self.path}"),
            "raw_only": t(f"只有 RAW 没有 JPEG 的文件 (未登记): {self.path}",
                          f"RAW file with no JPEG (not recorded): {self.path}"),
        }.get(self.problem, f"{self.problem}: {self.path}")


@dataclass(frozen=True)
class RecoveryResult:
    """What the start-up check of the capture folder found and did."""

    folder: str
    recorded: int = 0  # unknown photos now waiting for a student
    moved: int = 0  # records pointed at their file's new place
    finished: int = 0  # interrupted writes completed (they are among ``recorded``)
    waiting: int = 0  # every photo waiting for a student, these and earlier ones
    problems: tuple[FileProblem, ...] = ()
    verified: bool = False  # checksums compared (False: file sizes only)
    ms: float = 0.0

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.problem == kind)

    @property
    def needs_attention(self) -> bool:
        return bool(self.waiting or any(p.problem != "moved" for p in self.problems))

    def summary(self) -> str:
        parts = []
        if self.recorded:
            parts.append(t(f"找回未登记照片 {self.recorded} 张", f"{self.recorded} unrecorded photos found"))
        if self.waiting:
            parts.append(t(f"待分配照片 {self.waiting} 张", f"{self.waiting} photos waiting for a student"))
        for kind, zh, en in (("missing", "记录缺文件", "records missing their file"),
                             ("changed", "文件校验值不符", "files changed"),
                             ("moved", "文件被移动 (已更新)", "files moved (records updated)"),
                             ("incomplete", "不完整的写入", "incomplete writes"),
                             ("raw_only", "无 JPEG 的 RAW", "RAW files with no JPEG")):
            n = self.count(kind)
            if n:
                parts.append(t(f"{zh} {n}", f"{en}: {n}"))
        if not parts:
            return t("照片文件夹与数据库一致", "the capture folder matches the database")
        return t("启动检查: ", "Start-up check: ") + t("，", ", ").join(parts)


@dataclass(frozen=True)
class WaitingShot:
    """A photo that belongs to no student yet (recovered, or a camera-button shot nobody claimed)."""

    shot: ShotInfo
    file_ok: bool
    suggestion: StudentCard | None = None  # the student its file name names, when exactly one


@dataclass(frozen=True)
class Assigned:
    shot: ShotInfo
    student: StudentCard
    selected: bool  # it became the student's selected photo
    note: str = ""  # why it was not selected, in the station's language
