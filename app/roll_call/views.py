"""What the marshal sees, as plain frozen-in-time objects: students, classes, colleges, groups, timetable slots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.i18n import t
from app.roll_call.groups import (
    CUE_REMAINING,
    GROUP_SIZE,
    STATUS_ABSENT,
    STATUS_PENDING,
    STATUS_PHOTOGRAPHED,
    STATUS_REMAINING,
    ClassKey,
    GroupKey,
    college_label,
    group_count_for,
    reason_label,
)


@dataclass(slots=True)
class MarshalStudent:
    id: int
    student_no: str
    name: str
    gender: str
    masked_id: str
    college: str
    class_name: str
    roster_order: int
    has_error: bool
    group_no: int = 0
    status: str = STATUS_REMAINING
    absence_reason: str | None = None
    absence_text: str | None = None
    photographed_at: datetime | None = None
    photographed_station: int | None = None  # station number
    roster_row: int | None = None  # the row in the school's Excel file (header = 1)

    @property
    def reason(self) -> str:
        return reason_label(self.absence_reason, self.absence_text)


def _counts(students: list[MarshalStudent]) -> tuple[int, int, int, int, int]:
    done = sum(1 for s in students if s.status == STATUS_PHOTOGRAPHED)
    absent = sum(1 for s in students if s.status == STATUS_ABSENT)
    pending = sum(1 for s in students if s.status == STATUS_PENDING)
    return len(students), done, absent, len(students) - done - absent - pending, pending


@dataclass
class ClassView:
    college: str
    class_name: str
    students: list[MarshalStudent]  # student-number order
    extra: int = 0  # students added at the camera (not on the roster) and photographed

    def __post_init__(self) -> None:
        self.roster, self.photographed, self.absent, self.remaining, self.pending = _counts(self.students)

    @property
    def key(self) -> ClassKey:
        return (self.college, self.class_name)

    @property
    def group_count(self) -> int:
        return group_count_for(len(self.students))

    def group(self, group_no: int) -> list[MarshalStudent]:
        end = len(self.students) if group_no == self.group_count else group_no * GROUP_SIZE
        return self.students[(group_no - 1) * GROUP_SIZE : end]

    def remaining_students(self) -> list[MarshalStudent]:
        """Still to photograph, in roster order (the order of the school's list)."""
        left = [s for s in self.students if s.status == STATUS_REMAINING]
        return sorted(left, key=lambda s: (s.roster_order, s.id))

    def not_photographed(self) -> list[MarshalStudent]:
        """Remaining and absent, in roster order: the "已拍未拍" check with the class teacher."""
        left = [s for s in self.students if s.status != STATUS_PHOTOGRAPHED]
        return sorted(left, key=lambda s: (s.roster_order, s.id))


@dataclass
class CollegeView:
    college: str
    classes: list[ClassView]

    def __post_init__(self) -> None:
        self.roster = sum(c.roster for c in self.classes)
        self.photographed = sum(c.photographed for c in self.classes)
        self.absent = sum(c.absent for c in self.classes)
        self.remaining = sum(c.remaining for c in self.classes)
        self.pending = sum(c.pending for c in self.classes)

    @property
    def label(self) -> str:
        return college_label(self.college)

    @property
    def complete(self) -> bool:
        """Nobody left to call: time to check 已拍未拍 with the college's teacher."""
        return self.roster > 0 and self.remaining == 0 and self.pending == 0


@dataclass
class GroupView:
    college: str
    class_name: str
    group_no: int
    group_count: int  # groups in the class
    members: list[MarshalStudent]
    called_at: datetime | None = None
    auto: bool = False  # current group guessed from the last photo, not called
    slot: SlotInfo | None = None  # its place in the latest timetable, if any

    def __post_init__(self) -> None:
        self.size, self.done, self.absent, self.remaining, self.pending = _counts(self.members)

    @property
    def key(self) -> GroupKey:
        return (self.college, self.class_name, self.group_no)

    @property
    def to_call(self) -> list[MarshalStudent]:
        return [s for s in self.members if s.status == STATUS_REMAINING]

    @property
    def complete(self) -> bool:
        return self.remaining == 0

    @property
    def cue(self) -> bool:
        """Time to call the next group (8 of 10 done, absentees count as done)."""
        return self.remaining <= CUE_REMAINING

    @property
    def title(self) -> str:
        return t(
            f"{college_label(self.college)} {self.class_name} 第{self.group_no}组 (共{self.group_count}组)",
            f"{college_label(self.college)} {self.class_name} group {self.group_no} of {self.group_count}",
        )


@dataclass
class MarshalSnapshot:
    taken_at: datetime
    last_change: datetime | None  # newest photo or absence the snapshot saw
    colleges: list[CollegeView]
    queue: list[GroupKey]  # the call order
    current: GroupView | None
    next: GroupView | None
    station_no: int | None
    plan_uid: str | None
    token: tuple = ()
    _classes: dict[ClassKey, ClassView] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._classes = {c.key: c for col in self.colleges for c in col.classes}
        self.roster = sum(c.roster for c in self.colleges)
        self.photographed = sum(c.photographed for c in self.colleges)
        self.absent = sum(c.absent for c in self.colleges)
        self.remaining = sum(c.remaining for c in self.colleges)
        self.pending = sum(c.pending for c in self.colleges)

    @property
    def classes(self) -> list[ClassView]:
        return list(self._classes.values())

    def find_class(self, college: str, class_name: str) -> ClassView | None:
        return self._classes.get((college, class_name))

    def classes_named(self, class_name: str, college: str | None = None) -> list[ClassView]:
        return [c for c in self._classes.values() if c.class_name == class_name and (college is None or c.college == college)]

    def group(self, college: str, class_name: str, group_no: int) -> GroupView | None:
        cls = self.find_class(college, class_name)
        if cls is None or not 1 <= group_no <= cls.group_count:
            return None
        return GroupView(college, class_name, group_no, cls.group_count, cls.group(group_no))


@dataclass(frozen=True)
class SlotInfo:
    """One group's place in a kept timetable (a read-only copy of a ``PlanSlot`` row)."""

    plan_uid: str
    kind: str
    station_no: int
    college: str
    class_name: str
    group_no: int
    students: int
    arrive_at: datetime
    start_at: datetime
    end_at: datetime
    rate: float
