"""Site mode on a real PostgreSQL server: three stations shoot, the server goes away and comes back,
a sync is SIGKILLed, two stations select a photo for one student at once — every shot arrives once.

Each station is its own SQLite database driven by `station shoot` subprocesses on libgphoto2's
virtual camera (the real shot path), and `station site sync` subprocesses replicate.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import open_db
from app.models import MergeConflict, Selection, Shot, SiteStation, Station, Student

ROOT = Path(__file__).resolve().parents[1]
N_STUDENTS = 30


@pytest.fixture(scope="module")
def cluster():
    from tests.pg_server import PgCluster

    c = PgCluster.create()
    if c is None:
        pytest.skip("no PostgreSQL server binaries (scripts/bootstrap.sh --test installs Debian's postgresql)")
    yield c
    c.destroy()


def _env(vcam: Path | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("STATION_SITE_URL", None)
    if vcam is not None:
        env["VCAMERADIR"] = str(vcam)
    return env


def _station(db_url: str, *argv, vcam: Path | None = None, check: bool = True, timeout: float = 180):
    p = subprocess.run([sys.executable, "-m", "app", "--db", db_url, *map(str, argv)], env=_env(vcam),
                       capture_output=True, text=True, timeout=timeout)
    if check:
        assert p.returncode == 0, (argv, p.stdout, p.stderr)
    return p


def _popen(db_url: str, *argv, vcam: Path | None = None):
    return subprocess.Popen([sys.executable, "-m", "app", "--db", db_url, *map(str, argv)], env=_env(vcam),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def site(cluster, tmp_path_factory, demo_portraits):
    """A migrated site database and three stations with the same roster, on the virtual camera."""
    from app.demo_portraits import write_demo_profile
    from app.demo_data import write_demo_roster
    from capture.virtual import prepare_virtual_camera

    tmp = tmp_path_factory.mktemp("site")
    url = cluster.create_database("site_" + uuid.uuid4().hex[:8])
    roster = tmp / "roster.xlsx"
    write_demo_roster(roster, n=N_STUDENTS, seed=11)
    profile = write_demo_profile(tmp)
    vcam = prepare_virtual_camera(tmp / "vcam", sources=[demo_portraits["pass"]])
    stations = []
    for i in (1, 2, 3):
        db_url = f"sqlite:///{tmp / f'st{i}.db'}"
        _station(db_url, "roster", "import", roster, "--no-report")
        for key, value in (("station.number", i), ("station.name", f"{i}号机"), ("qc.profile", str(profile))):
            _station(db_url, "config", key, value)
        stations.append(db_url)
    _station(stations[0], "site", "init", "--site", url)  # station 1 also sets its site.url
    for db_url in stations[1:]:
        _station(db_url, "config", "site.url", url)
    with open_db(stations[0]).session() as s:
        rows = list(s.scalars(select(Student).order_by(Student.student_no)))
    # the demo roster holds a few broken rows on purpose (a doubled 学号...): shoot the clean ones
    counts = {}
    for r in rows:
        counts[r.student_no] = counts.get(r.student_no, 0) + 1
    codes = [r.student_no for r in rows if not r.has_error and counts[r.student_no] == 1]
    assert len(codes) >= 21
    return {"url": url, "stations": stations, "codes": codes, "vcam": vcam, "tmp": tmp}


def _shoot(site, i: int, codes: list[str]) -> subprocess.Popen:
    return _popen(site["stations"][i], "shoot", *codes, "--capture-folder", site["tmp"] / f"cap{i}",
                  "--backend", "gphoto2", vcam=site["vcam"])


def _counts(db_url: str) -> dict:
    db = open_db(db_url)
    try:
        with db.session() as s:
            return {
                "shots": s.scalar(select(func.count()).select_from(Shot)),
                "distinct_shots": s.scalar(select(func.count(func.distinct(Shot.uid)))),
                "selections": s.scalar(select(func.count()).select_from(Selection)),
                "students_with_selection": s.scalar(select(func.count(func.distinct(Selection.student_id)))),
                "conflicts": s.scalar(select(func.count()).select_from(MergeConflict)),
            }
    finally:
        db.dispose()


def _own_shots(db_url: str) -> set[str]:
    db = open_db(db_url)
    try:
        with db.session() as s:
            return set(s.scalars(select(Shot.uid).join(Station).where(Station.is_local.is_(True))))
    finally:
        db.dispose()


def _site_shots(url: str) -> list[str]:
    db = open_db(url, migrate_schema=False)
    try:
        with db.session() as s:
            return list(s.scalars(select(Shot.uid)))
    finally:
        db.dispose()


def test_three_stations_outage_and_kill_every_shot_once(site, cluster):
    st, codes = site["stations"], site["codes"]
    # round 1: three stations shoot concurrently while syncing
    shooters = [_shoot(site, i, codes[i * 4:(i + 1) * 4]) for i in range(3)]
    while any(p.poll() is None for p in shooters):
        for db_url in st:
            _station(db_url, "site", "sync", check=False)
    for p in shooters:
        assert p.returncode == 0, (p.stdout.read(), p.stderr.read())

    # the server goes away: shooting goes on, a sync says so (exit 4, Chinese), status counts what waits
    cluster.stop()
    try:
        shooters = [_shoot(site, i, codes[12 + i * 2:12 + (i + 1) * 2]) for i in range(3)]
        for p in shooters:
            p.wait(timeout=180)
            assert p.returncode == 0, (p.stdout.read(), p.stderr.read())
        r = _station(st[0], "site", "sync", check=False)
        assert r.returncode == 4 and "连不上站点数据库" in r.stderr and "Traceback" not in r.stderr
        r = _station(st[0], "site", "status", "--json", check=False)
        assert r.returncode == 4
        mine = [x for x in json.loads(r.stdout)["stations"] if x["station"] == "1号机"][0]
        assert mine["pending"] >= 4  # two shots and two selections at least
    finally:
        cluster.start()

    # a sync killed at several moments, then run again: nothing lost, nothing doubled
    for delay in (0.3, 0.8, 1.5):
        p = _popen(st[1], "site", "sync")
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
    for _ in range(2):  # two rounds: everything pushed, then everything pulled everywhere
        for db_url in st:
            _station(db_url, "site", "sync")

    all_own = [_own_shots(db_url) for db_url in st]
    total = sum(len(x) for x in all_own)
    assert total == 18  # 4 + 2 students per station, one passing shot each
    site_uids = _site_shots(site["url"])
    assert len(site_uids) == len(set(site_uids)) == total
    assert set(site_uids) == set().union(*all_own)
    site_counts = _counts(site["url"])
    assert site_counts["selections"] == site_counts["students_with_selection"] == 18
    for db_url in st:  # converged: every station has every shot and selection once
        c = _counts(db_url)
        assert c["shots"] == c["distinct_shots"] == total
        assert c["selections"] == 18

    r = _station(st[2], "site", "status", "--json")
    out = json.loads(r.stdout)
    assert out["students_photographed"] == 18
    assert {x["station"] for x in out["stations"]} >= {"1号机", "2号机", "3号机"}
    assert all(x["pending"] == 0 and x["last_contact"] for x in out["stations"])

    # a student photographed at station 1 is recognised at station 3 (the card names the station)
    from app.workflow import Workflow

    db3 = open_db(st[2])
    try:
        found = Workflow(db3, capture_folder=site["tmp"] / "cap_probe").identify(codes[0])
        assert found.needs_confirmation and found.card.photographed_station == "1号机"
    finally:
        db3.dispose()


def test_two_stations_select_one_student_at_once_make_one_conflict(site):
    from app.site_sync import connect_site, sync_once

    st, code = site["stations"], site["codes"][-1]
    for i in (0, 1):  # both shoot the same student before either syncs
        p = _shoot(site, i, [code])
        p.wait(timeout=180)
        assert p.returncode == 0, (p.stdout.read(), p.stderr.read())
    site_db = connect_site(site["url"])
    locals_ = [open_db(st[0]), open_db(st[1])]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(local):
        try:
            barrier.wait()
            sync_once(local, site_db)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(db,)) for db in locals_]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with site_db.session() as s:
        sid = s.scalar(select(Student.id).where(Student.student_no == code))
        assert s.scalar(select(func.count()).select_from(Selection).where(Selection.student_id == sid)) == 1
        conflicts = list(s.scalars(select(MergeConflict).where(MergeConflict.student_id == sid)))
        assert len(conflicts) == 1
        assert s.scalar(select(Selection.needs_decision).where(Selection.student_id == sid)) is True
    for db in locals_:
        db.dispose()
    site_db.dispose()


def test_replicator_offline_then_catches_up(site, cluster, tmp_path):
    from app.site import Replicator

    local = open_db(site["stations"][2])
    seen = []
    rep = Replicator(local, site["url"], interval=0.2, on_change=lambda st: seen.append((st.online, st.line())))
    cluster.stop()
    try:
        p = _shoot(site, 2, [site["codes"][20]])
        p.wait(timeout=180)
        assert p.returncode == 0
        rep.sync()
        assert rep.state.online is False and rep.state.pending >= 2
        assert "站点离线" in rep.state.line() and "本机照常拍摄" in rep.state.line()
    finally:
        cluster.start()
    rep.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not rep.state.online:
        time.sleep(0.1)
    rep.stop()
    assert rep.state.online and rep.state.pending == 0
    assert "站点已同步" in rep.state.line()
    site_db = open_db(site["url"], migrate_schema=False)
    with site_db.session() as s:
        sid = s.scalar(select(Student.id).where(Student.student_no == site["codes"][20]))
        assert s.scalar(select(func.count()).select_from(Selection).where(Selection.student_id == sid)) == 1
        beat = s.scalar(select(SiteStation).where(SiteStation.name == "3号机"))
        assert beat is not None and beat.pending == 0
    site_db.dispose()
    local.dispose()


def test_site_url_never_stores_a_password(run_cli):
    code, _, err = run_cli("config", "site.url", "postgresql://station:secret@10.0.0.5/site")
    assert code == 2 and "密码" in err
    code, out, _ = run_cli("config", "site.url")
    assert "secret" not in out


def test_site_server_needs_its_password_on_the_network(tmp_path, monkeypatch):
    from app import site_server
    from app.site_sync import SiteUnavailable, connect_site, init_site

    if not site_server.available():
        pytest.skip("no PostgreSQL server binaries")
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="station-pgs-"))
    root.chmod(0o755)  # as root, the server runs as the postgres user, which must reach its folder
    server = site_server.LocalPostgres(root / "pg", listen="127.0.0.1", port=55434)
    password = site_server.new_password()
    server.init(password=password)
    server.start()
    try:
        server.create_database("site")
        monkeypatch.delenv("STATION_SITE_PASSWORD", raising=False)
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
        url = "postgresql://station@127.0.0.1:55434/site"
        with pytest.raises(SiteUnavailable, match="连不上站点数据库"):
            connect_site(url, check_schema=False)
        monkeypatch.setenv("STATION_SITE_PASSWORD", password)
        init_site(url).dispose()  # the password from the environment, never from the URL stored
        monkeypatch.delenv("STATION_SITE_PASSWORD")
        with pytest.raises(SiteUnavailable):
            connect_site(url)
        from app.site_url import remember_password

        remember_password(url, password, tmp_path / "pgpass")
        assert (tmp_path / "pgpass").stat().st_mode & 0o077 == 0
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
        connect_site(url).dispose()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
