"""The database, migrations, settings and the command line's frame."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from app import settings
from app.db import head_revision, open_db, resolve_url
from app.models import Base, Student
from app.privacy import mask_id, short_name
from app.station import local_station, open_session


def test_migrations_build_the_models_schema(db):
    """The migrated schema has every table and column the models declare."""
    insp = inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        assert insp.has_table(table.name), table.name
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert {c.name for c in table.columns} <= cols, table.name


def test_no_model_change_without_a_migration(db):
    """Alembic's autogenerate finds nothing to add: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_reopening_is_idempotent_and_at_head(db_url):
    for _ in range(2):
        d = open_db(db_url)
        with d.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        d.dispose()


def test_db_url_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("STATION_DB", raising=False)
    assert resolve_url(None) == "sqlite:///station.db"
    monkeypatch.setenv("STATION_DB", "sqlite:///env.db")
    assert resolve_url(None) == "sqlite:///env.db"
    assert resolve_url("sqlite:///cli.db") == "sqlite:///cli.db"
    assert resolve_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"


def test_settings_defaults_and_roundtrip(db):
    with db.session() as s:
        assert settings.get(s, "rate.target_low") == 150
        settings.set_(s, "station.number", "4")
        s.commit()
    with db.session() as s:
        assert settings.get(s, "station.number") == 4
        with pytest.raises(KeyError):
            settings.set_(s, "no.such.key", 1)


def test_local_station_and_session(db):
    with db.session() as s:
        settings.set_(s, "station.number", 2)
        st = local_station(s)
        sess = open_session(s, "photographer")
        s.commit()
        assert st.number == 2 and sess.station_id == st.id
        second = open_session(s)
        s.commit()
        assert sess.ended_at is not None and second.ended_at is None


def test_student_model_roundtrip(db):
    with db.session() as s:
        s.add(Student(student_no="2019001", id_number="32010219990101001X", name="张三"))
        s.commit()
        row = s.query(Student).one()
        assert row.uid and len(row.uid) == 32 and row.active


def test_masks():
    assert mask_id("32102319990101593X") == "3210**********593X"
    assert mask_id("") == ""
    assert short_name("张三明") == "张*明"
    assert short_name("张三") == "张*"
    assert short_name("欧阳娜娜") == "欧阳*娜"


def test_cli_help_and_version():
    out = subprocess.run([sys.executable, "-m", "app", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "roster" in out.stdout and "--db" in out.stdout
    out = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("station ")


def test_cli_does_not_import_heavy_modules_for_help():
    code = (
        "import sys; from app.cli import build_parser; build_parser();"
        "heavy=[m for m in ('PySide6','cv2','mediapipe','numpy') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_config_command(run_cli):
    code, out, _ = run_cli("config", "station.name", "南门机位")
    assert code == 0
    code, out, _ = run_cli("config", "station.name")
    assert code == 0 and "南门机位" in out
    code, _, err = run_cli("config", "nope")
    assert code == 2 and "nope" in err


def test_only_ui_imports_qt():
    """The design's one rule that a grep can check: app/, capture/ and qc/ never import Qt."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pat = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt5|PyQt6|shiboken6)\b", re.M)
    offenders = [
        str(p.relative_to(root))
        for pkg in ("app", "capture", "qc")
        for p in (root / pkg).rglob("*.py")
        if pat.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_fast_head_revision_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    from app.db import _alembic_config

    heads = ScriptDirectory.from_config(_alembic_config(None)).get_heads()
    assert heads == [head_revision()]


def test_opening_a_current_database_does_not_import_alembic(db_url):
    open_db(db_url).dispose()
    code = (
        "import sys; from app.db import open_db; open_db(sys.argv[1]).dispose();"
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, db_url], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_log_file_beside_the_database(tmp_path, monkeypatch):
    """Camera errors and other events are logged with a timestamp to <db>.log, not to the console."""
    import logging

    from app.cli import main

    monkeypatch.delenv("STATION_LOG", raising=False)
    db = tmp_path / "site.db"
    assert main(["--db", str(db), "config", "station.name", "机位9"]) == 0
    logging.getLogger("capture.test").error("相机断开")
    for h in logging.getLogger().handlers:
        h.flush()
    text = (tmp_path / "site.log").read_text(encoding="utf-8")
    assert "相机断开" in text and text[:4].isdigit()  # starts with the timestamp
    # the next command in the same process moves the log with the database
    assert main(["--db", str(tmp_path / "other.db"), "config"]) == 0
    logging.getLogger("capture.test").error("second")
    for h in logging.getLogger().handlers:
        h.flush()
    assert "second" in (tmp_path / "other.log").read_text(encoding="utf-8")
    assert "second" not in (tmp_path / "site.log").read_text(encoding="utf-8")
