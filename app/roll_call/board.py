"""The marshal's board under one name: the roll call's public names for the window, the phone page, the
commands and the tests (``from app.roll_call import board``). Modules lower in the house import the layer
they need (:mod:`app.roll_call.groups` for the groups of ten) instead."""

from __future__ import annotations

from app.roll_call.actions import call_group, call_next, cancel_last_call, clear_absence, mark_absent
from app.roll_call.groups import (
    CUE_REMAINING,
    GROUP_SIZE,
    GROUP_TAIL_JOIN,
    NO_COLLEGE,
    STATUS_ABSENT,
    STATUS_PENDING,
    STATUS_PHOTOGRAPHED,
    STATUS_REMAINING,
    ClassKey,
    GroupKey,
    college_label,
    group_count_for,
    group_no_for,
    reason_key,
    reason_label,
    student_no_key,
)
from app.roll_call.queries import (
    change_token,
    college_map,
    find_students,
    latest_plan_uid,
    load_classes,
    local_station_row,
    one_student,
    plan_slots,
    roster_token,
)
from app.roll_call.snapshot import load
from app.roll_call.views import ClassView, CollegeView, GroupView, MarshalSnapshot, MarshalStudent, SlotInfo

__all__ = [
    "CUE_REMAINING", "GROUP_SIZE", "GROUP_TAIL_JOIN", "NO_COLLEGE", "STATUS_ABSENT", "STATUS_PENDING", "STATUS_PHOTOGRAPHED",
    "STATUS_REMAINING", "ClassKey", "ClassView", "CollegeView", "GroupKey", "GroupView", "MarshalSnapshot", "MarshalStudent",
    "SlotInfo", "call_group", "call_next", "cancel_last_call", "change_token", "clear_absence", "college_label", "college_map",
    "find_students", "group_count_for", "group_no_for", "latest_plan_uid", "load", "load_classes", "local_station_row",
    "mark_absent", "one_student", "plan_slots", "reason_key", "reason_label", "roster_token", "student_no_key",
]
