"""Opening the station database: URL resolution, SQLite pragmas, migrations on start.

The URL comes from ``--db`` (given before the subcommand), else ``STATION_DB``,
else ``sqlite:///station.db`` in the working folder. A bare path is accepted
too. The schema is brought to the newest Alembic revision every time a
database is opened, so an old station.db keeps working after an update.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StationError

DEFAULT_URL = "sqlite:///station.db"
_MIGRATIONS = Path(__file__).with_name("migrations")


def resolve_url(cli_value: str | None = None) -> str:
    url = cli_value or os.environ.get("STATION_DB") or DEFAULT_URL
    if "://" not in url:  # a plain file path
        url = "sqlite:///" + str(Path(url).expanduser())
    return url


def busy_timeout_s() -> float:
    """How long a writer waits for another one's lock before "database is locked" (STATION_DB_BUSY_S, default 10 s)."""
    try:
        return max(0.0, float(os.environ.get("STATION_DB_BUSY_S", "10")))
    except ValueError:
        return 10.0


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL: the window's readers never block the capture writer; NORMAL is durable
    # across application crashes (the photos themselves are fsync'd separately).
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s() * 1000)}")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            parent = Path(path).expanduser().parent
            if not parent.exists():
                raise StationError(f"数据库所在文件夹不存在: {parent}", exit_code=2)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s(), "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


_REV_RE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$", re.M)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration, read from the files' revision lines.

    Parsing the two assignments directly keeps every command from importing
    Alembic (a third of a second) just to learn the schema is current.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REV_RE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"].strip()))
        down = ast.literal_eval(found.get("down_revision", "None").strip())
        parents.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (no-op when already there)."""
    head = head_revision()
    if current_revision(engine) == head:
        return
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def open_db(url: str | None = None, *, migrate_schema: bool = True) -> Database:
    url = resolve_url(url)
    engine = make_engine(url)
    try:
        if migrate_schema:
            migrate(engine)
    except StationError:
        raise
    except Exception as exc:  # a corrupt file, a server that is down...
        engine.dispose()
        raise StationError(f"无法打开数据库 {url}: {exc}", exit_code=2) from exc
    owner_only(url)
    return Database(url, engine, sessionmaker(engine, expire_on_commit=False))


def owner_only(url: str) -> None:
    """A SQLite database (and its WAL) readable by its owner alone: it holds names, ID numbers, faces' paths.

    New files are created so by the station's umask (app/cli.py); this tightens a file made before."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return
    path = Path(url.split(":///", 1)[1]).expanduser()
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:  # not there, or not ours: nothing to tighten
            pass
