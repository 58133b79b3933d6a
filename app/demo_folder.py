"""The demo's work folder: its database with the demo roster, its capture folder, the virtual camera's folder.

`station demo` (``ui/window_cmd.py``) and the benchmarks start from here; the
demo's portraits and check profile are in ``app/demo_portraits.py``.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path

from app.cli import main as station_main
from app.demo_data import write_demo_roster
from app.demo_portraits import DemoPortraits, write_demo_profile
from app.errors import StationError


def demo_db_url(work: Path, db_arg: str | None) -> str:
    """The demo's database: ``--db`` when given (a path or URL), else station.db in its work folder."""
    from app.db import resolve_url  # lazy: app.db loads SQLAlchemy; ui/window_cmd.py imports this module for station --help

    return resolve_url(db_arg) if db_arg else f"sqlite:///{work / 'station.db'}"


def prepare_demo(work: Path, *, n_students: int = 120, fresh: bool = False, url: str | None = None):
    """The demo work folder: database with the demo roster, capture folder, virtual camera's folder.

    Sets VCAMERADIR (before anything imports gphoto2), so the gphoto2
    backend finds libgphoto2's virtual camera serving the sample portraits.
    """
    if fresh and work.exists():
        for name in ("station.db", "station.db-wal", "station.db-shm"):
            (work / name).unlink(missing_ok=True)
        shutil.rmtree(work / "captures", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    captures = work / "captures"
    captures.mkdir(exist_ok=True)

    portraits = DemoPortraits(work)

    from sqlalchemy import func, select

    from app import settings  # lazy: SQLAlchemy and the models (1 s), not for station --help
    from app.db import open_db  # lazy: as above
    from app.models import Student  # lazy: as above

    url = url or f"sqlite:///{work / 'station.db'}"
    db = open_db(url)
    with db.session() as s:
        have = s.scalar(select(func.count(Student.id))) or 0
        settings.set_(s, "capture.folder", str(captures))
        settings.set_(s, "capture.backend", "gphoto2")
        settings.set_(s, "qc.profile", str(write_demo_profile(work)))
        s.commit()
    if have == 0:
        roster = work / "demo_roster.xlsx"
        write_demo_roster(roster, n=n_students, seed=0)
        # stdout is kept for the --auto JSON line: the import's summary goes to stderr
        with contextlib.redirect_stdout(sys.stderr):
            code = station_main(["--db", url, "roster", "import", str(roster),
                                 "--report", str(work / "demo_roster-问题报告.xlsx")])
        if code != 0:
            raise StationError(f"demo roster import failed (exit {code})", exit_code=code)
    return db, captures, portraits
