"""Autogenerate a migration from the models: python scripts/new_migration.py "message"."""

import sys
import tempfile

from alembic import command

from app.db import _alembic_config, make_engine, migrate

with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{tmp}/scratch.db")
    migrate(engine)
    command.revision(_alembic_config(engine), message=sys.argv[1], autogenerate=True)
