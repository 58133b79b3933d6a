"""The marshal's snapshot computed from the database reads: statuses, counts, the call order, current and next group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Absence, MarshalCall, Selection, Shot, Station, Student, now
from app.roll_call.groups import NO_COLLEGE, STATUS_ABSENT, STATUS_PENDING, STATUS_PHOTOGRAPHED, GroupKey
from app.roll_call.queries import change_token, load_classes, local_station_row, plan_slots
from app.roll_call.views import ClassView, CollegeView, GroupView, MarshalSnapshot, SlotInfo


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
