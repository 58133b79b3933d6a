"""The same models and migrations on PostgreSQL (a site database)."""

from __future__ import annotations

from sqlalchemy import inspect, select

from app import settings
from app.db import head_revision
from app.models import Base, Selection, Shot, Student
from app.station import local_station


def test_migrations_run_on_postgres(pg_db):
    insp = inspect(pg_db.engine)
    for table in Base.metadata.sorted_tables:
        assert insp.has_table(table.name), table.name
    with pg_db.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_models_roundtrip_on_postgres(pg_db):
    with pg_db.session() as s:
        settings.set_(s, "station.number", 5)
        st = local_station(s)
        stu = Student(student_no="2019001", id_number="32010219990101001X", name="张三明", college="文学院")
        s.add(stu)
        s.flush()
        shot = Shot(student_id=stu.id, station_id=st.id, path="/x.jpg", sha256="0" * 64, bytes=10)
        s.add(shot)
        s.flush()
        s.add(Selection(student_id=stu.id, shot_id=shot.id, station_id=st.id))
        s.commit()
    with pg_db.session() as s:
        sel = s.scalars(select(Selection)).one()
        assert sel.student.name == "张三明" and sel.shot.station.number == 5
