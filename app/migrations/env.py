"""Alembic environment: runs on the engine handed over by app.db (no alembic.ini)."""

from alembic import context

from app.db import make_engine, resolve_url
from app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(resolve_url(config.get_main_option("sqlalchemy.url")))
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
