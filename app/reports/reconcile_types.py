"""What the reconciliation is made of: its counts and lines (computed by app.reports.reconcile,
rendered by app.reports.reconcile_sheets; the definitions are in reconcile.py's docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.period import Period
from app.reports.common import StudentRow
from app.throughput import station_rate

COUNT_KEYS = (
    "roster",
    "photographed",
    "photographed_in_period",
    "not_photographed",
    "absent",
    "unexplained",
    "retakes",
    "overrides",
    "data_problems",
    "pending",
    "no_id_card",
)


@dataclass
class Counts:
    roster: int = 0
    photographed: int = 0
    photographed_in_period: int = 0
    not_photographed: int = 0
    absent: int = 0
    unexplained: int = 0
    retakes: int = 0
    overrides: int = 0
    data_problems: int = 0
    pending: int = 0  # 已拍未确认: shots, none accepted
    no_id_card: int = 0  # photographed, identified without an ID-card scan

    def add(self, other: Counts) -> None:
        for k in COUNT_KEYS:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def to_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in COUNT_KEYS}


@dataclass
class ClassLine:
    college: str
    class_name: str
    counts: Counts


@dataclass
class StationLine:
    station: str
    photographed: int
    shots: int
    retakes: int
    overrides: int
    first: datetime | None
    last: datetime | None

    times: tuple[datetime, ...] = ()  # every selection of the period, for the rate

    @property
    def rate(self) -> float | None:
        """人/小时 over the period, as every window shows it (:func:`app.throughput.station_rate`)."""
        r = station_rate(list(self.times), window=None)
        return round(r, 1) if r is not None else None


@dataclass
class MissingLine:
    student: StudentRow
    reason: str
    note: str


@dataclass
class OverrideLine:
    student: StudentRow
    station: str
    selected_at: datetime
    failed: str
    reason: str


@dataclass
class ProblemLine:
    student: StudentRow
    source: str
    field: str
    problem: str


@dataclass
class SignLine:
    day: str
    college: str
    class_name: str
    group_no: int
    signed: int
    counted: int
    involved: str

    @property
    def difference(self) -> int:
        return self.counted - self.signed


@dataclass
class Reconciliation:
    period: Period
    scope: str
    classes: list[ClassLine]
    totals: Counts
    stations: list[StationLine]
    hourly: list[tuple[datetime, dict[str, int]]]
    missing: list[MissingLine]
    overrides: list[OverrideLine]
    problems: list[ProblemLine]
    sign: list[SignLine]
    decisions: list[tuple[StudentRow, str]]
    target: tuple[int, int]
    generated_at: datetime = field(default_factory=datetime.now)

    @property
    def sign_mismatches(self) -> int:
        return sum(1 for s in self.sign if s.difference != 0)

    def totals_dict(self) -> dict:
        d = self.totals.to_dict()
        d.update(
            classes=len(self.classes),
            sign_sheets=len(self.sign),
            sign_mismatches=self.sign_mismatches,
            needs_decision=len(self.decisions),
            period=self.period.to_dict(),
        )
        return d
