"""Shared fixtures: a fresh station database per test, real sample photos."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("STATION_LANG", "zh")
# Commands run in-process log to a file; keep it out of the repository.
os.environ.setdefault("STATION_LOG", os.path.join(__import__("tempfile").gettempdir(), "station-tests.log"))
# `station demo` remembers its database in a per-user state file: the tests' own, never the user's.
os.environ["XDG_STATE_HOME"] = __import__("tempfile").mkdtemp(prefix="station-tests-state-")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _language_per_test():
    """`station qc --lang en` in one test sets the process's language: later tests start in Chinese again."""
    yield
    from app.i18n import set_language

    set_language(os.environ.get("STATION_LANG", "zh"))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'station.db'}"


@pytest.fixture
def db(db_url: str):
    from app.db import open_db

    database = open_db(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def astronaut_rgb():
    """A real portrait that ships inside scikit-image (numpy RGB array)."""
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def grace_hopper_path() -> Path:
    """A real portrait that ships inside matplotlib (dark uniform: white_top must fail)."""
    import matplotlib.cbook as cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


@pytest.fixture
def run_cli(db_url: str, capsys):
    """Run `station --db <test db> ...` in-process; returns (exit code, stdout, stderr)."""
    from app.cli import main

    def _run(*argv: str, db: bool = True):
        args = (["--db", db_url] if db else []) + [str(a) for a in argv]
        code = main(args)
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


@pytest.fixture(scope="session")
def pg_server_url():
    """A PostgreSQL server for the whole session (tests/pg_server.py), or skip."""
    from tests.pg_server import postgres_server

    with postgres_server() as url:
        if url is None:
            pytest.skip("no PostgreSQL server (set STATION_TEST_PG_URL or install postgresql)")
        yield url


@pytest.fixture
def pg_db(pg_server_url):
    """A fresh, migrated station database on PostgreSQL (its own schema-free database)."""
    import uuid

    from sqlalchemy import create_engine, text

    from app.db import open_db

    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server_url.replace("/postgres?", f"/{name}?")
    database = open_db(url)
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def dev_set_reports():
    """(label row, QcReport) for every development portrait, checked once per session; or skip."""
    from tests import dev_set

    if not dev_set.AVAILABLE:
        pytest.skip("../shared/faces not available")
    from qc.checker import Checker

    with Checker() as checker:
        return [(row, checker.check_path(dev_set.FACES / "images" / row["file"])) for row in dev_set.rows()]


# --- the demo's parts, shared by the workflow and window tests ------------------------------------


@pytest.fixture(scope="session")
def checker():
    """The real checks with the default profile (the notice), loaded once for the whole run."""
    from qc.checker import Checker

    with Checker() as c:
        yield c


@pytest.fixture(scope="session")
def grace_rgb(grace_hopper_path):
    """Grace Hopper's portrait as an RGB array (she wears glasses and a dark uniform)."""
    import cv2

    return cv2.cvtColor(cv2.imread(str(grace_hopper_path)), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="session")
def demo_checker(tmp_path_factory):
    """The real checks with the demo's profile (the default rules without ears_visible), loaded once."""
    from app.demo_portraits import write_demo_profile
    from qc.checker import Checker

    with Checker(profile=write_demo_profile(tmp_path_factory.mktemp("profile"))) as checker:
        yield checker


@pytest.fixture
def wf(roster_db, tmp_path, demo_checker):
    """The shot workflow on the test module's ``roster_db``, with the demo's checks, closed at the end."""
    from app.workflow import Workflow

    w = Workflow(roster_db, capture_folder=tmp_path / "captures")
    w.checker = demo_checker
    yield w
    w.close()


@pytest.fixture
def make_window(qtbot, tmp_path, demo_checker, demo_portraits):
    """``make_window(db, portrait="pass", camera=True, checks=None, camera_options=None, wait_qc=False)``:
    the real photographer's window on ``db``, started (recovery first, then libgphoto2's virtual
    camera serving the demo portrait), closed at the end of the test."""
    from app.workflow import Workflow
    from capture.virtual import prepare_virtual_camera
    from ui.controller import StationController
    from ui.main_window import MainWindow
    from ui.qt_app import create_application

    made = []

    def make(db, *, portrait: str = "pass", camera: bool = True, checks=None, camera_options: dict | None = None,
             wait_qc: bool = False, timeout_ms: int = 30_000):
        create_application("zh")
        wf = Workflow(db, capture_folder=tmp_path / "captures")
        wf.checker = checks or demo_checker
        if camera:
            prepare_virtual_camera(tmp_path / f"vcam-{portrait}", sources=[demo_portraits[portrait]])
        options = {"folder": wf.capture_folder, **(camera_options or {})}
        ctl = StationController(wf, camera="gphoto2", camera_options=options)
        win = MainWindow(ctl)
        win.ask_on_close = False  # pytest-qt closes the window at teardown: no modal question then
        qtbot.addWidget(win)
        win.show()
        ctl.start(with_camera=camera)
        if camera:
            qtbot.waitUntil(lambda: ctl.camera_connected and (ctl.qc_ready or not wait_qc) and win.state == "ready",
                            timeout=timeout_ms)
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()


@pytest.fixture(scope="session")
def demo_portraits(tmp_path_factory) -> dict:
    """The demo's sample portraits: one that passes the checks, one that fails them, and all names."""
    from app.demo_portraits import demo_variants

    cache = tmp_path_factory.mktemp("portraits")
    variants = dict(demo_variants(cache))
    return {
        "pass": cache / "1_astronaut_white_suit.jpg",
        "fail": cache / "2_grace_hopper.jpg",
        "names": sorted(variants),
    }


@pytest.fixture
def import_demo_roster(db, run_cli, tmp_path):
    """``import_demo_roster(n, seed)`` imports an invented roster into the test database."""
    from app.demo_data import write_demo_roster

    def _import(n: int = 40, seed: int = 5):
        path = tmp_path / "roster.xlsx"
        write_demo_roster(path, n=n, seed=seed)
        code, out, err = run_cli("roster", "import", path, "--no-report")
        assert code == 0, err
        return db, out

    return _import
