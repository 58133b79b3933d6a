"""One domain API style for the windows: services that own their sessions; ui/ never opens one (issue 17).

The windows call ``app.window_services`` / ``app.marshal_service`` (each method opens,
commits and closes its own session, as ``app.workflow.Workflow`` does) from the worker
pool; nothing under ui/ builds a query, opens a session or imports SQLAlchemy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import roles, settings
from app.errors import InputError, PermissionDenied
from app.marshal_service import MarshalService
from app.models import AuditLog, PlanSlot, SignSheetCount
from app.window_services import RolesService, SettingsService, SignedCountsService, current_school
from tests.marshal_data import make_roster, photograph, station

ROOT = Path(__file__).resolve().parents[1]


def session_uses(path: Path) -> list[str]:
    """``.session(`` calls and SQLAlchemy imports in one file (by its syntax tree, not its comments)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "session":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .session(")
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [f"{path.relative_to(ROOT)}:{node.lineno} import {n}" for n in names if n.split(".")[0] == "sqlalchemy"]
    return found


def test_no_file_under_ui_opens_a_database_session_or_imports_sqlalchemy():
    offenders = [hit for p in sorted((ROOT / "ui").rglob("*.py")) for hit in session_uses(p)]
    assert offenders == [], "ui/ calls a service in app/ instead: " + ", ".join(offenders)


def test_the_check_finds_a_session_opened_in_ui(tmp_path):
    """The rule bites: a window file that opens a session or imports SQLAlchemy is named."""
    bad = tmp_path / "ui" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("from sqlalchemy import select\n\ndef f(db):\n    with db.session() as s:\n        return s\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert session_uses(bad) == ["ui/bad.py:1 import sqlalchemy", "ui/bad.py:4 .session("]
    finally:
        ROOT = saved


def test_settings_service_reads_and_writes_in_its_own_sessions(db):
    svc = SettingsService(db)
    assert svc.all()["language"] == svc.get("language")
    svc.save({"station.name": "机位9", "rate.target_low": 140})
    with db.session() as s:
        assert settings.get(s, "station.name") == "机位9" and settings.get(s, "rate.target_low") == 140


def test_roles_service_first_pin_then_authorize(db):
    svc = RolesService(db)
    assert not svc.pin_is_set() and svc.allow_without_pin("settings")  # no PIN yet: nothing to ask
    with pytest.raises(InputError):
        svc.set_first_pin("12")  # too short
    svc.set_first_pin("246810")
    assert svc.pin_is_set() and not svc.allow_without_pin("settings")
    with pytest.raises(PermissionDenied):
        svc.authorize("settings", "000000")
    svc.authorize("settings", "246810")
    with db.session() as s:
        assert roles.check_pin(s, "246810")
        actions = [a.action for a in s.query(AuditLog)]
    assert "pin_set" in actions and "authorize_settings" in actions


def test_signed_counts_and_marshal_services(db):
    with db.session() as s:
        st = station(s)
        for x in make_roster(s, [("文学院", "汉语言1班", 12)], seed=2)[:3]:
            photograph(s, x, st)
        s.commit()
    assert current_school(db) == "扬州大学"  # the one school on the roster: the window's title
    signed = SignedCountsService(db)
    (row,) = [r for r in signed.rows("2019-03-16", None) if r.group_no == 1]
    assert signed.save("2019-03-16", [(row.college, row.class_name, 1, 3)]) == 1
    with db.session() as s:
        assert s.query(SignSheetCount).one().signed_count == 3

    m = MarshalService(db)
    key, view = m.view_if_changed()
    assert view.snap.photographed == 3 and view.stations[0].photographed == 3
    assert m.view_if_changed(key) == (key, None)  # nothing changed: not recomputed
    student = view.snap.find_class("文学院", "汉语言1班").remaining_students()[0]
    m.mark_absent(student.id, "leave")
    key2, view2 = m.view_if_changed(key)
    assert key2 != key and view2.snap.absent == 1
    m.clear_absence(student.id)
    assert m.view_if_changed()[1].snap.absent == 0
    m.replan()
    with db.session() as s:
        assert s.query(PlanSlot).count() > 0
