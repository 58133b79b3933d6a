"""The queue marshal's view of the day: who is done, who is missing, which ten to call next.

Headless: the marshal window, the phone page and ``station marshal ...`` all
read the same :class:`MarshalSnapshot`.

Groups of ten are fixed before the day, the way the school prints its sign-in
sheets (附件4: 按组别打印的签字表): a class's roster students in student-number
order, cut into tens. Group 3 of a class is therefore the same ten people on
the sheet, in the timetable and on the marshal's screen. Calling a group sends
only its members who are neither photographed nor marked absent.

The call order is the latest timetable (``station plan``) for this station
when there is one, otherwise the roster's order of colleges and classes. The
current group is the one the marshal last called; before any call it is the
group of the student photographed last ("auto"), so the view is useful even
when nobody presses the button.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound, StationError
from app.i18n import t
from app.models import (
    ABSENCE_REASONS,
    Absence,
    MajorCollege,
    MarshalCall,
    PlanSlot,
    Selection,
    Shot,
    Station,
    Student,
    now,
)
from app.privacy import mask_id

GROUP_SIZE = 10
GROUP_TAIL_JOIN = 3  # a class's last few students (≤ 3) join its previous group, not a page of their own


def group_count_for(n: int) -> int:
    """Groups of ten for a class of ``n``; a remainder of up to three joins the previous group (23 → 10 + 13)."""
    if n <= 0:
        return 0
    g = (n + GROUP_SIZE - 1) // GROUP_SIZE
    if g > 1 and 0 < n % GROUP_SIZE <= GROUP_TAIL_JOIN:
        g -= 1
    return g


def group_no_for(i: int, n: int) -> int:
    """The group (1-based) of the i-th student (0-based) of a class of ``n``."""
    return min(i // GROUP_SIZE + 1, group_count_for(n))
# 附件4: "前一组接近结束时引入下一组". The next group is cued when the current one
# has at most this many students left to photograph (8 of 10 done): two
# students take about the time the next group needs to walk in.
CUE_REMAINING = GROUP_SIZE - 8

NO_COLLEGE = ""

STATUS_REMAINING = "remaining"
STATUS_PHOTOGRAPHED = "photographed"
STATUS_ABSENT = "absent"
# Photographed but no photo accepted yet (the window closed, a failing photo not decided): 已拍未确认.
# Not called again, not "未拍"; the photographer finishes them (the window lists them at start-up).
STATUS_PENDING = "pending"

_DIGITS = re.compile(r"(\d+)")

ClassKey = tuple[str, str]  # (college, class_name)
GroupKey = tuple[str, str, int]  # (college, class_name, group_no)


def student_no_key(student_no: str) -> list:
    """Natural order of student numbers ("2019-2" before "2019-10").

    ``re.split`` with a capturing group puts text at even and digits at odd
    positions, so two keys never compare a number with a string.
    """
    parts = _DIGITS.split(student_no or "")
    return [int(p) if i % 2 else p for i, p in enumerate(parts)]


def college_label(college: str) -> str:
    return college or t("(未填学院)", "(no college)")


def reason_key(reason: str) -> str:
    """Accept a reason key (leave), its Chinese (请假) or its English (on leave)."""
    r = (reason or "").strip()
    for key, (zh, en) in ABSENCE_REASONS.items():
        if r.lower() in (key, zh, en.lower()):
            return key
    choices = " / ".join(zh for zh, _ in ABSENCE_REASONS.values())
    raise StationError(t(f"未知的缺席原因: {reason} (可选: {choices})", f"unknown absence reason: {reason}"), exit_code=2)


def reason_label(key: str | None, text: str | None = None) -> str:
    if not key:
        return ""
    zh, en = ABSENCE_REASONS.get(key, (key, key))
    label = t(zh, en)
    return f"{label}: {text}" if text else label


# --- the snapshot --------------------------------------------------------------


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


def college_map(session: Session) -> dict[str, str]:
    return dict(session.execute(select(MajorCollege.major, MajorCollege.college)).all())


def roster_token(session: Session) -> tuple:
    """Changes whenever the roster (or the major → college table) does."""
    q = select(
        select(func.count(Student.id)).scalar_subquery(),
        select(func.max(Student.id)).scalar_subquery(),
        select(func.max(Student.updated_at)).scalar_subquery(),
        select(func.count(MajorCollege.major)).scalar_subquery(),
    )
    return tuple(session.connection().execute(q).one())


# The roster's class structure, per database, reused while the roster is unchanged:
# a poll then reads only the selections, absences and calls (about 10x less).
_ROSTER_CACHE: dict[str, tuple[tuple, list[ClassView]]] = {}
_ROSTER_LOCK = threading.Lock()


def _build_classes(session: Session) -> list[ClassView]:
    majors = college_map(session)
    # Core, not ORM: 20,000 rows come back in a third of the time.
    rows = session.connection().execute(
        select(
            Student.id,
            Student.student_no,
            Student.name,
            Student.gender,
            Student.id_number,
            Student.college,
            Student.major,
            Student.class_name,
            Student.roster_order,
            Student.has_error,
            Student.roster_row,
        ).where(Student.active.is_(True), Student.unlisted.is_(False))
    )
    by_class: dict[ClassKey, list[MarshalStudent]] = defaultdict(list)
    first_seen: dict[ClassKey, tuple[int, int]] = {}
    college_first: dict[str, tuple[int, int]] = {}
    for sid, sno, name, gender, idn, college, major, cls, order, err, row in rows:
        col = college or majors.get(major or "", NO_COLLEGE)
        key = (col, cls or "")
        st = MarshalStudent(sid, sno or "", name or "", gender or "", mask_id(idn), col, cls or "", order or 0, bool(err))
        st.roster_row = row
        by_class[key].append(st)
        pos = (st.roster_order, sid)
        if key not in first_seen or pos < first_seen[key]:
            first_seen[key] = pos
        if col not in college_first or pos < college_first[col]:
            college_first[col] = pos
    out = []
    for key in sorted(by_class, key=lambda k: (college_first[k[0]], first_seen[k])):
        members = sorted(by_class[key], key=lambda s: (student_no_key(s.student_no), s.roster_order, s.id))
        for i, s in enumerate(members):
            s.group_no = group_no_for(i, len(members))
        out.append(ClassView(key[0], key[1], members))
    return out


def load_classes(session: Session) -> list[ClassView]:
    """The roster as classes of students in student-number order with their group numbers.

    Statuses are left at "remaining"; :func:`load` fills them in. Colleges and
    classes come in the roster's order (first appearance). The result is the
    caller's to change (fresh student objects each call).
    """
    key = str(session.get_bind().url)
    token = roster_token(session)
    with _ROSTER_LOCK:
        hit = _ROSTER_CACHE.get(key)
    if hit is None or hit[0] != token:
        classes = _build_classes(session)
        with _ROSTER_LOCK:
            _ROSTER_CACHE[key] = (token, classes)
    else:
        classes = hit[1]
    return [ClassView(c.college, c.class_name, [_clone(s) for s in c.students]) for c in classes]


def _clone(s: MarshalStudent) -> MarshalStudent:
    # A slotted dataclass built field by field: the cheapest copy for 20,000 students.
    c = MarshalStudent(s.id, s.student_no, s.name, s.gender, s.masked_id, s.college, s.class_name, s.roster_order, s.has_error, s.group_no)
    c.roster_row = s.roster_row
    return c


def change_token(session: Session) -> tuple:
    """Cheap fingerprint of everything the snapshot depends on (polled every ~0.5 s)."""
    q = select(
        select(func.count(Selection.id)).scalar_subquery(),
        select(func.max(Selection.id)).scalar_subquery(),
        select(func.max(Selection.selected_at)).scalar_subquery(),
        select(func.count(Absence.id)).scalar_subquery(),
        select(func.max(Absence.marked_at)).scalar_subquery(),
        select(func.max(Absence.cleared_at)).scalar_subquery(),
        select(func.count(MarshalCall.id)).scalar_subquery(),
        select(func.max(MarshalCall.cancelled_at)).scalar_subquery(),
        select(func.count(Student.id)).scalar_subquery(),
        select(func.max(Student.updated_at)).scalar_subquery(),
        select(func.max(PlanSlot.id)).scalar_subquery(),
        select(func.max(Shot.id)).scalar_subquery(),  # a photo taken, nothing accepted: 已拍未确认
    )
    return tuple(session.execute(q).one())


def latest_plan_uid(session: Session) -> str | None:
    return session.scalar(select(PlanSlot.plan_uid).order_by(PlanSlot.created_at.desc(), PlanSlot.id.desc()).limit(1))


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


# A kept plan never changes, so it is read once per plan (2,000 groups take a quarter second).
_PLAN_CACHE: dict[tuple[str, str], list[SlotInfo]] = {}


def plan_slots(session: Session, plan_uid: str | None = None) -> list[SlotInfo]:
    """The groups of the latest (or the given) timetable, by start time then station."""
    plan_uid = plan_uid or latest_plan_uid(session)
    if plan_uid is None:
        return []
    key = (str(session.get_bind().url), plan_uid)
    with _ROSTER_LOCK:
        hit = _PLAN_CACHE.get(key)
    if hit is not None:
        return hit
    cols = [getattr(PlanSlot, f) for f in SlotInfo.__dataclass_fields__]
    q = select(*cols).where(PlanSlot.plan_uid == plan_uid).order_by(PlanSlot.start_at, PlanSlot.station_no, PlanSlot.id)
    slots = [SlotInfo(*row) for row in session.connection().execute(q)]
    with _ROSTER_LOCK:
        if len(_PLAN_CACHE) > 16:
            _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = slots
    return slots


def _queue(classes: list[ClassView], slots: list[SlotInfo], station_no: int | None) -> list[GroupKey]:
    roster_order = [(c.college, c.class_name, g) for c in classes for g in range(1, c.group_count + 1)]
    if not slots:
        return roster_order
    stations = {s.station_no for s in slots}
    mine = [s for s in slots if station_no is None or station_no not in stations or s.station_no == station_no]
    order: list[GroupKey] = []
    seen: set[GroupKey] = set()
    for s in mine:
        k = (s.college, s.class_name, s.group_no)
        if k not in seen:
            seen.add(k)
            order.append(k)
    planned = {(s.college, s.class_name, s.group_no) for s in slots}
    # Students added after the plan was made must still be called by someone.
    order += [k for k in roster_order if k not in planned]
    valid = set(roster_order)
    return [k for k in order if k in valid]


def local_station_row(session: Session) -> Station | None:
    return session.scalars(select(Station).where(Station.is_local.is_(True)).order_by(Station.id)).first()


def load(session: Session, station_id: int | None = None, *, at: datetime | None = None) -> MarshalSnapshot:
    """Everything the marshal sees, from a handful of queries (about 0.1 s for 20,000 students)."""
    token = change_token(session)
    taken_at = at or now()
    classes = load_classes(session)
    by_id = {s.id: s for c in classes for s in c.students}

    station_numbers = dict(session.execute(select(Station.id, Station.number)).all())
    if station_id is None:
        local = local_station_row(session)
        station_id = local.id if local else None
    station_no = station_numbers.get(station_id) if station_id is not None else None

    last_change: datetime | None = None
    last_sel: tuple[datetime, int, int] | None = None  # (time, selection id, student id)
    rows = session.execute(select(Selection.student_id, Selection.selected_at, Selection.station_id, Selection.id))
    for sid, at_, st_id, sel_id in rows:
        s = by_id.get(sid)
        if at_ is not None and (last_change is None or at_ > last_change):
            last_change = at_
        if s is None:
            continue
        s.status = STATUS_PHOTOGRAPHED
        s.photographed_at = at_
        s.photographed_station = station_numbers.get(st_id)
        if (station_id is None or st_id == station_id) and at_ is not None and (last_sel is None or (at_, sel_id) > last_sel[:2]):
            last_sel = (at_, sel_id, sid)
    absences = session.execute(
        select(Absence.student_id, Absence.reason, Absence.text, Absence.marked_at)
        .where(Absence.cleared_at.is_(None))
        .order_by(Absence.marked_at, Absence.id)
    )
    for sid, reason, text, marked in absences:
        if marked is not None and (last_change is None or marked > last_change):
            last_change = marked
        s = by_id.get(sid)
        if s is None or s.status == STATUS_PHOTOGRAPHED:
            continue  # turned up after all: the photo wins
        s.status, s.absence_reason, s.absence_text = STATUS_ABSENT, reason, text
    # Photographed, no photo accepted yet: at the camera already, so neither 未拍 nor absent.
    shot_rows = session.execute(
        select(Shot.student_id).where(Shot.student_id.is_not(None), Shot.status != "rejected").distinct()
    )
    for (sid,) in shot_rows:
        s = by_id.get(sid)
        if s is not None and s.status != STATUS_PHOTOGRAPHED:
            s.status = STATUS_PENDING

    # Students photographed although added at the camera: counted apart from the roster.
    extra = session.execute(
        select(Student.college, Student.class_name, func.count(Student.id))
        .join(Selection, Selection.student_id == Student.id)
        .where(Student.unlisted.is_(True))
        .group_by(Student.college, Student.class_name)
    ).all()
    extra_by_class = {(c or NO_COLLEGE, k or ""): n for c, k, n in extra}

    # Recompute the per-class counts now that statuses are known.
    classes = [ClassView(c.college, c.class_name, c.students, extra_by_class.get(c.key, 0)) for c in classes]
    colleges: list[CollegeView] = []
    for c in classes:
        if not colleges or colleges[-1].college != c.college:
            colleges.append(CollegeView(c.college, []))
        colleges[-1].classes.append(c)
    colleges = [CollegeView(col.college, col.classes) for col in colleges]

    slots = plan_slots(session)
    plan_uid = slots[0].plan_uid if slots else None
    queue = _queue(classes, slots, station_no)
    slot_of: dict[GroupKey, SlotInfo] = {}
    for s in slots:  # a group's slot on this station wins over another station's
        k = (s.college, s.class_name, s.group_no)
        if k not in slot_of or (s.station_no == station_no and slot_of[k].station_no != station_no):
            slot_of[k] = s
    by_key = {c.key: c for c in classes}

    def group_view(key: GroupKey, **kw) -> GroupView | None:
        cls = by_key.get(key[:2])
        if cls is None or not 1 <= key[2] <= cls.group_count:
            return None
        return GroupView(key[0], key[1], key[2], cls.group_count, cls.group(key[2]), slot=slot_of.get(key), **kw)

    calls = session.execute(
        select(MarshalCall.college, MarshalCall.class_name, MarshalCall.group_no, MarshalCall.called_at)
        .where(MarshalCall.cancelled_at.is_(None), *([MarshalCall.station_id == station_id] if station_id else []))
        .order_by(MarshalCall.called_at, MarshalCall.id)
    ).all()
    called: dict[GroupKey, datetime] = {(c, k, g): at_ for c, k, g, at_ in calls}

    current: GroupView | None = None
    if calls:
        c, k, g, at_ = calls[-1]
        current = group_view((c, k, g), called_at=at_)
    if current is None and last_sel is not None:
        s = by_id[last_sel[2]]
        current = group_view((s.college, s.class_name, s.group_no), auto=True)

    nxt = _next_group(queue, current, called, group_view)
    return MarshalSnapshot(
        taken_at=taken_at,
        last_change=last_change,
        colleges=colleges,
        queue=queue,
        current=current,
        next=nxt,
        station_no=station_no,
        plan_uid=plan_uid,
        token=token,
    )


def _next_group(queue, current, called, group_view) -> GroupView | None:
    """The first group after the current one in the call order with someone to call.

    Groups already called are skipped (their stragglers are the marshal's to
    chase or mark absent); the search wraps round to earlier groups with people
    still waiting.
    """
    start = 0
    if current is not None and current.key in queue:
        start = queue.index(current.key) + 1
    for key in queue[start:] + queue[:start]:
        if current is not None and key == current.key:
            continue
        if key in called:
            continue
        g = group_view(key)
        if g is not None and g.to_call:
            return g
    return None


# --- actions -------------------------------------------------------------------


def find_students(session: Session, code: str) -> list[Student]:
    """Students whose student number or ID number is exactly ``code`` (active roster rows)."""
    code = (code or "").strip()
    if not code:
        return []
    q = select(Student).where(
        Student.active.is_(True), (Student.student_no == code) | (Student.id_number == code) | (Student.id_number18 == code.upper())
    )
    return list(session.scalars(q))


def one_student(session: Session, code: str) -> Student:
    found = find_students(session, code)
    if not found:
        raise NotFound(t(f"名单中没有学号或身份证号为 {code} 的学生", f"no student with number {code}"))
    if len(found) > 1:
        listing = ", ".join(f"{s.class_name} {s.name}" for s in found)
        raise StationError(t(f"{code} 对应多名学生 ({listing}), 请用身份证号", f"{code} matches several students"), exit_code=2)
    return found[0]


def mark_absent(
    session: Session, student_id: int, reason: str, text: str | None = None, *, station_id: int | None = None
) -> Absence:
    """Mark a student absent (or change the reason of an existing mark)."""
    key = reason_key(reason)
    text = (text or "").strip() or None
    if key == "other" and not text:
        raise StationError(t("原因为\u201c其他\u201d时请写明具体原因", "reason 'other' needs a text"), exit_code=2)
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(t("没有这个学生", "no such student"))
    if session.scalar(select(Selection.id).where(Selection.student_id == student_id)) is not None:
        raise StationError(t(f"{student.name} 已拍照, 不能标记缺席", f"{student.name} is already photographed"), exit_code=2)
    if station_id is None:
        local = local_station_row(session)
        station_id = local.id if local else None
    open_ = session.scalars(
        select(Absence).where(Absence.student_id == student_id, Absence.cleared_at.is_(None)).order_by(Absence.id)
    ).all()
    if open_:
        absence = open_[-1]
        absence.reason, absence.text, absence.marked_at = key, text, now()
        for extra in open_[:-1]:
            extra.cleared_at = now()
    else:
        absence = Absence(student_id=student_id, station_id=station_id, reason=key, text=text)
        session.add(absence)
    session.flush()
    return absence


def clear_absence(session: Session, student_id: int) -> int:
    """The student turned up after all: the absence mark is kept, closed (for the record)."""
    n = 0
    for a in session.scalars(select(Absence).where(Absence.student_id == student_id, Absence.cleared_at.is_(None))):
        a.cleared_at = now()
        n += 1
    session.flush()
    return n


def call_group(
    session: Session, college: str, class_name: str, group_no: int, *, station_id: int | None = None
) -> MarshalCall:
    if station_id is None:
        from app.station import local_station

        station_id = local_station(session).id
    call = MarshalCall(station_id=station_id, college=college, class_name=class_name, group_no=group_no)
    session.add(call)
    session.flush()
    return call


def call_next(session: Session, *, station_id: int | None = None) -> GroupView | None:
    """Record the call of the next group; returns it (None when nobody is left to call)."""
    if station_id is None:
        from app.station import local_station

        station_id = local_station(session).id
    snap = load(session, station_id)
    if snap.next is None:
        return None
    g = snap.next
    call = call_group(session, g.college, g.class_name, g.group_no, station_id=station_id)
    g.called_at = call.called_at
    return g


def cancel_last_call(session: Session, *, station_id: int | None = None) -> MarshalCall | None:
    """Undo a call made by mistake: the group before it becomes current again."""
    conds = [MarshalCall.cancelled_at.is_(None)]
    if station_id is not None:
        conds.append(MarshalCall.station_id == station_id)
    call = session.scalars(select(MarshalCall).where(*conds).order_by(MarshalCall.called_at.desc(), MarshalCall.id.desc())).first()
    if call is not None:
        call.cancelled_at = now()
        session.flush()
    return call
