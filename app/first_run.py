"""The first run without traps: which database a command opens when none is named.

``station demo`` keeps its students in its own database (``demo/station.db``,
or ``--db``). It says so, and remembers that database in a small per-user state
file (``$XDG_STATE_HOME/graduate-station/state.json``). A command that shows
students (``station``, ``station marshal``, ``station find``, ``station shoot``,
``station phone``) given no ``--db`` and no ``STATION_DB``, in a folder whose
``station.db`` is absent or holds no roster, opens the demo's database instead
and says so on the console. Commands that write a roster or a setting never
fall back: a real import always goes into ``station.db``.

A command that reads students from a database without a roster says so and how
to import one (or to run the demo), instead of showing an empty list.

Standard library (and the station's atomic write) only: this runs before every command.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

from app.i18n import t
from capture.atomic import write_atomic

# Commands that only show or use the roster: they may open the demo's database.
SHOWS_STUDENTS = {"run", "marshal", "find", "shoot", "phone"}
# Commands that read the roster: an empty one is worth a line on the console.
NEEDS_ROSTER = SHOWS_STUDENTS | {"report", "export", "plan", "sheets"}


def state_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "graduate-station" / "state.json"


def _read_state() -> dict:
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def remember_demo_db(url: str) -> None:
    """Called by ``station demo``: the database a later plain ``station marshal`` should find."""
    data = _read_state()
    data["demo_db"] = url
    path = state_file()
    try:
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError:
        pass  # a read-only home must not stop the demo


def remembered_demo_db() -> str | None:
    url = _read_state().get("demo_db")
    return url if isinstance(url, str) and url else None


def sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.split(":///", 1)[1]).expanduser()
    if "://" not in url:
        return Path(url).expanduser()
    return None


def student_count(url: str) -> int | None:
    """Active students in a SQLite database (0 when absent or empty); None for other databases."""
    path = sqlite_file(url)
    if path is None:
        return None
    if not path.is_file():
        return 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            return int(con.execute("SELECT count(*) FROM students").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def choose_db(command: str | None, db_arg: str | None, out=None) -> str | None:
    """The ``--db`` value a command should run with (``db_arg`` unless the demo's database is meant).

    Prints, on ``out`` (stderr), which database was opened and why, when it is
    not the one the user named, and that no roster is loaded when there is none.
    """
    out = out if out is not None else sys.stderr
    if command is None:
        command = "run"
    if db_arg or os.environ.get("STATION_DB") or command not in NEEDS_ROSTER:
        if command in NEEDS_ROSTER:
            _say_if_empty(db_arg or os.environ.get("STATION_DB"), out)
        return db_arg
    from app.db import DEFAULT_URL, resolve_url  # lazy: SQLAlchemy (~0.2 s) only once a command needs a roster; this module runs before every command

    here = resolve_url(None)
    if command in SHOWS_STUDENTS and not student_count(here):
        demo = remembered_demo_db()
        if demo and demo != here and student_count(demo):
            print(t(f"本文件夹的 station.db 里没有名单: 打开上次演示的数据库 {sqlite_file(demo) or demo}"
                    f" (正式拍摄请先导入名单: station roster import 名单.xlsx)",
                    f"No roster in this folder's station.db: opening the last demo's database "
                    f"{sqlite_file(demo) or demo} (for a real shoot, import the roster first: "
                    f"station roster import roster.xlsx)"), file=out)
            return demo
    _say_if_empty(DEFAULT_URL, out)
    return db_arg


def no_roster_message(where: str) -> str:
    return t(f"数据库 {where} 里还没有名单。导入名单: station roster import 名单.xlsx; "
             f"或运行 station demo 看演示 (示例名单和虚拟相机)。",
             f"No roster is loaded in {where}. Import one: station roster import roster.xlsx; "
             f"or run station demo (a sample roster and the virtual camera).")


def _say_if_empty(url: str | None, out) -> None:
    from app.db import resolve_url  # lazy: SQLAlchemy, as above

    url = resolve_url(url)
    if student_count(url) == 0:
        print(no_roster_message(str(sqlite_file(url) or url)), file=out)


def roster_size(db) -> int:
    """Active students in an open station database (the window asks, off the UI thread)."""
    from sqlalchemy import func, select

    from app.models import Student  # lazy: SQLAlchemy, as above

    with db.session() as s:
        return int(s.scalar(select(func.count(Student.id)).where(Student.active.is_(True))) or 0)
