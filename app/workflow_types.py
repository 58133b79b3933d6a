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
