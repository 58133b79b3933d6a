"""Roles and personal data (PIPL): the supervisor's PIN, the audit of who did what, purge, owner-only files."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import AuditLog, Selection, Setting, Shot, Student
from tests.test_faults import _select_photos, astronaut_jpeg  # noqa: F401  (a real portrait as a JPEG)

PIN = "4817-29"


@pytest.fixture
def pin_file(tmp_path) -> Path:
    p = tmp_path / "pin.txt"
    p.write_text(PIN + "\n", encoding="utf-8")
    return p


def _set_pin(run_cli, pin_file) -> None:
    code, out, err = run_cli("pin", "set", "--new-pin-file", pin_file)
    assert code == 0, err


def test_the_pin_is_stored_as_salted_scrypt_and_guards_exports_imports_settings_and_overrides(
        import_demo_roster, run_cli, tmp_path, pin_file, monkeypatch):
    from app.demo_data import write_demo_roster

    db, _ = import_demo_roster(n=8, seed=2)  # no PIN yet: everything runs, as on a fresh station
    assert run_cli("pin", "status")[0] == 1
    _set_pin(run_cli, pin_file)
    assert run_cli("pin", "status")[0] == 0
    with db.session() as s:
        stored = s.get(Setting, "_supervisor.pin").value
    assert PIN not in stored
    d = json.loads(stored)
    assert d["scrypt"]["n"] >= 2**14 and len(bytes.fromhex(d["salt"])) == 16 and len(bytes.fromhex(d["hash"])) == 32

    guarded = [
        ("report", "reconcile", "--whole-roster", "--out", tmp_path / "r.xlsx"),
        ("report", "errata", "--out", tmp_path / "e.xlsx"),
        ("export", "photos", "--out", tmp_path / "d"),
        ("config", "station.name", "机位7"),
    ]
    roster = tmp_path / "r2.xlsx"
    write_demo_roster(roster, n=5, seed=9)
    guarded.append(("roster", "import", roster, "--no-report"))
    guarded.append(("shoot", "2019", "--reason", "人工核对合格", "--capture-folder", tmp_path / "c"))
    for args in guarded:
        code, _, err = run_cli(*args)
        assert code == 7 and "主管 PIN" in err and "Traceback" not in err, (args, code, err)
        code, _, err = run_cli("--pin", "0000", *args)
        assert code == 7 and "不对" in err, args
    assert not (tmp_path / "r.xlsx").exists() and not (tmp_path / "d").exists()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 8  # the second roster did not come in

    # what the photographer does freely
    assert run_cli("config", "station.name")[0] == 0
    assert run_cli("report", "reconcile", "--whole-roster")[0] == 0  # totals on screen, no file

    # with the PIN: --pin, or the file STATION_PIN_FILE names
    code, _, err = run_cli("--pin", PIN, "report", "reconcile", "--whole-roster", "--out", tmp_path / "r.xlsx")
    assert code == 0, err
    monkeypatch.setenv("STATION_PIN_FILE", str(pin_file))
    assert run_cli("config", "station.name", "机位7")[0] == 0
    assert run_cli("roster", "import", roster, "--no-report")[0] == 0
    with db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action.like("authorize_%")).order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == ["authorize_export", "authorize_settings", "authorize_roster_import"]
        assert all(r.actor and r.at and r.details == "role: supervisor" for r in rows)
        change = s.scalars(select(AuditLog).where(AuditLog.action == "settings_change")).one()
        assert json.loads(change.scope) == {"key": "station.name", "old": "机位1", "new": "机位7"}

    # changing the PIN needs the old one
    monkeypatch.delenv("STATION_PIN_FILE")
    new = tmp_path / "new.txt"
    new.write_text("9999-11\n", encoding="utf-8")
    assert run_cli("pin", "set", "--new-pin-file", new)[0] == 7
    assert run_cli("--pin", PIN, "pin", "set", "--new-pin-file", new)[0] == 0
    assert run_cli("--pin", PIN, "config", "station.name", "机位8")[0] == 7


def test_purge_deletes_a_delivered_schools_photos_and_personal_data(import_demo_roster, run_cli, tmp_path, db_url,
                                                                    astronaut_jpeg, pin_file):  # noqa: F811
    db, _ = import_demo_roster(n=10, seed=2)
    _select_photos(db, tmp_path, astronaut_jpeg, 6)
    with db.session() as s:
        school = s.scalars(select(Student.school)).first()
        names = list(s.scalars(select(Student.name)))
        ids = list(s.scalars(select(Student.id_number)))
        files = [Path(p) for p in s.scalars(select(Shot.path))]
    _set_pin(run_cli, pin_file)

    # not delivered yet: refused
    code, _, err = run_cli("--pin", PIN, "purge", "--school", school, "--yes")
    assert code == 2 and "没有导出交付" in err
    assert run_cli("--pin", PIN, "export", "photos", "--out", tmp_path / "delivery", "--no-proof")[0] == 0
    # no confirmation: nothing happens
    code, out, _ = run_cli("--pin", PIN, "purge", "--school", school)
    assert code == 1 and "--yes" in out and all(f.is_file() for f in files)
    # no PIN: refused
    assert run_cli("purge", "--school", school, "--yes")[0] == 7
    code, out, err = run_cli("--pin", PIN, "purge", "--school", school, "--yes")
    assert code == 0, err
    assert "学生 10 人" in out and "文件 6 个" in out
    assert not any(f.exists() for f in files)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 0
        assert s.scalar(select(func.count()).select_from(Shot)) == 0
        assert s.scalar(select(func.count()).select_from(Selection)) == 0
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "purge")).one()
        assert json.loads(entry.scope)["school"] == school and entry.rows == 10
        assert s.scalars(select(AuditLog).where(AuditLog.action == "authorize_purge")).one()
    db.dispose()
    # nothing of them is left in the database file (freed pages zeroed, vacuumed, WAL checkpointed)
    dbfile = Path(db_url.split(":///", 1)[1])
    raw = b"".join(p.read_bytes() for p in dbfile.parent.glob(dbfile.name + "*"))
    leaked = [n for n in names if n.encode("utf-8") in raw] + [i for i in ids if i and i.encode() in raw]
    assert leaked == []
    assert run_cli("purge", "--school", school, "--yes")[0] == 3  # gone: not found


def test_purge_before_a_date_keeps_the_later_students(import_demo_roster, run_cli, tmp_path, astronaut_jpeg):  # noqa: F811
    from datetime import datetime

    db, _ = import_demo_roster(n=6, seed=2)
    _select_photos(db, tmp_path, astronaut_jpeg, 6)
    with db.session() as s:
        school = s.scalars(select(Student.school)).first()
        for i, shot in enumerate(s.scalars(select(Shot).order_by(Shot.id))):
            shot.taken_at = datetime(2019, 3, 16 if i < 4 else 18, 10)
        for st in s.scalars(select(Student)):
            st.created_at = datetime(2019, 3, 1)
        s.commit()
    assert run_cli("export", "photos", "--out", tmp_path / "delivery", "--no-proof")[0] == 0
    code, out, err = run_cli("purge", "--school", school, "--before", "2019-03-17", "--yes")
    assert code == 0, err
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 2
        assert s.scalar(select(func.count()).select_from(Shot)) == 2


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_the_database_logs_photos_and_exports_are_owner_only(tmp_path, run_cli, astronaut_jpeg, monkeypatch):  # noqa: F811
    from app.db import open_db
    from app.demo_data import write_demo_roster

    import os

    os.umask(0o022)  # a usual login's umask: the station must not depend on it
    work = tmp_path / "site"
    work.mkdir()
    monkeypatch.delenv("STATION_LOG", raising=False)
    url = f"sqlite:///{work / 'station.db'}"
    roster = tmp_path / "r.xlsx"
    write_demo_roster(roster, n=5, seed=2)
    code, _, err = run_cli("--db", url, "roster", "import", roster, "--no-report", db=False)
    assert code == 0, err
    db = open_db(url)
    _select_photos(db, work, astronaut_jpeg, 3)
    db.dispose()
    code, _, err = run_cli("--db", url, "export", "photos", "--out", work / "delivery", "--no-proof", db=False)
    assert code == 0, err
    code, _, err = run_cli("--db", url, "report", "reconcile", "--whole-roster", "--out", work / "r.xlsx", db=False)
    assert code == 0, err
    assert _mode(work / "station.db") == 0o600 and _mode(work / "station.log") == 0o600
    assert _mode(work / "r.xlsx") == 0o600
    delivery = work / "delivery"
    assert all(_mode(p) == 0o700 for p in [delivery, *(p for p in delivery.rglob("*") if p.is_dir())])
    assert all(_mode(p) == 0o600 for p in delivery.rglob("*") if p.is_file())
    # a database and a log made before (world-readable) are tightened when the station opens them
    os.chmod(work / "station.db", 0o644)
    os.chmod(work / "station.log", 0o644)
    assert run_cli("--db", url, "config", db=False)[0] == 0
    assert _mode(work / "station.db") == 0o600 and _mode(work / "station.log") == 0o600


def test_the_privacy_notice_prints(run_cli, tmp_path):
    from pypdf import PdfReader

    assert run_cli("config", "school.name", "示例大学")[0] == 0
    code, out, _ = run_cli("privacy-notice")
    assert code == 0 and "示例大学" in out and "station purge" in out and "敏感个人信息" in out
    code, _, err = run_cli("privacy-notice", "--pdf", tmp_path / "notice.pdf")
    assert code == 0, err
    pages = PdfReader(tmp_path / "notice.pdf").pages
    assert len(pages) == 1 and "个人信息告知" in pages[0].extract_text()


def test_the_window_sets_the_pin_at_first_start_and_asks_for_it(qtbot, db):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from app import roles
    from ui.pin_dialog import PinDialog, ask_first_pin, authorize

    parent = QWidget()
    qtbot.addWidget(parent)
    assert authorize(parent, db, "export")  # no PIN yet: no question

    seen: list[str] = []

    def answer(*pins: str | None) -> None:
        """Type into the next PIN dialog: each value in turn (None = cancel)."""
        todo = list(pins)

        def go() -> None:
            dlg = QApplication.activeModalWidget()
            if not isinstance(dlg, PinDialog):
                QTimer.singleShot(20, go)
                return
            seen.append(dlg.error.text())
            value = todo.pop(0)
            if value is None:
                dlg.reject()
                return
            dlg.pin_edit.setText(value)
            if dlg.again_edit is not None:
                dlg.again_edit.setText(value)
            dlg._ok()
            if todo:
                QTimer.singleShot(20, go)

        QTimer.singleShot(20, go)

    answer("2468-13")
    assert ask_first_pin(parent, db)
    with db.session() as s:
        assert roles.check_pin(s, "2468-13") and not roles.check_pin(s, "0000")

    answer("0000", "2468-13")  # a wrong PIN first: the dialog says so and asks again
    assert authorize(parent, db, "export")
    assert "不对" in seen[-1]
    answer(None)  # cancelled: the action does not run
    assert not authorize(parent, db, "purge")
    with db.session() as s:
        acts = [r.action for r in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert acts == ["pin_set", "authorize_export"]


def test_the_pin_prompt_and_its_error_follow_the_windows_language(qtbot, db):
    """English set: the prompt names the action in English and a wrong PIN says so in English (the
    action's Chinese name and the Chinese half of the error showed before)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QWidget

    from app import roles
    from app.i18n import set_language
    from ui.pin_dialog import PinDialog, authorize

    with db.session() as s:
        roles.set_pin(s, "2468-13")
        s.commit()
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, str] = {}

    def answer_wrong_then_cancel() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, PinDialog):
            QTimer.singleShot(20, answer_wrong_then_cancel)
            return
        if "error" not in seen:
            seen["prompt"] = " ".join(w.text() for w in dlg.findChildren(QLabel))
            dlg.pin_edit.setText("0000")
            dlg._ok()
            QTimer.singleShot(20, answer_wrong_then_cancel)
            seen["error"] = ""
            return
        seen["error"] = dlg.error.text()
        dlg.reject()

    set_language("en")
    try:
        QTimer.singleShot(20, answer_wrong_then_cancel)
        assert not authorize(parent, db, "roster_import")
    finally:
        set_language("zh")
    assert "roster import" in seen["prompt"] and "导入名单" not in seen["prompt"], seen
    assert "Wrong supervisor PIN" in seen["error"] and "不对" not in seen["error"], seen
