"""Site mode figures on a real PostgreSQL server: replication lag, catch-up after an outage,
the marshal's refresh on a 20,000-student site.

    .venv/bin/python bench/bench_site.py [--students 20000] [--seconds 120] [--interval 10]

Three stations (three SQLite databases, each with the whole roster imported, as on a real
site) run the product's :class:`app.site.Replicator` threads at their default interval while
each records a shot and its selection every 20 s (180 an hour). Lag is the time from a
selection's commit on its station to the moment it is visible on the site, polled every
0.2 s. The shots are database records (no camera or photo checks here: those costs are in
bench_capture.py / bench_qc.py). Then an outage: each station records 30 students (10 minutes
at 180/h) with the server unreachable, and the first sync of each is timed. Last, the
marshal's snapshot (`app.roll_call.snapshot.load`) read from the site database. Prints medians and p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app import site_server  # noqa: E402
from app.db import open_db  # noqa: E402
from app.demo_data import write_big_roster  # noqa: E402
from app.models import Selection, Shot, Student  # noqa: E402
from app.roll_call import snapshot  # noqa: E402
from app.roster.importer import import_roster  # noqa: E402
from app.site import Replicator  # noqa: E402
from app.site_sync import connect_site, init_site, sync_once  # noqa: E402
from app.station import local_station  # noqa: E402


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def record(db, student_id: int) -> str:
    """One shot and its selection on a station, as the workflow writes them; returns the selection uid."""
    with db.session() as s:
        st = local_station(s)
        shot = Shot(student_id=student_id, station_id=st.id, path=f"/captures/{student_id}.jpg", sha256="0" * 64,
                    bytes=5_000_000, qc_verdict="pass", status="accepted")
        s.add(shot)
        s.flush()
        sel = Selection(student_id=student_id, shot_id=shot.id, station_id=st.id)
        s.add(sel)
        s.commit()
        return sel.uid


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--interval", type=float, default=10)
    ap.add_argument("--per-hour", type=float, default=180)
    args = ap.parse_args()
    if not site_server.available():
        print("no PostgreSQL binaries: scripts/bootstrap.sh --site")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-site-"))
    tmp.chmod(0o755)
    server = site_server.LocalPostgres(tmp / "pg", port=55440)
    server.init()
    server.start()
    try:
        url = server.create_database("site")
        site = init_site(url)
        roster = write_big_roster(tmp / "roster.xlsx", args.students)
        stations = []
        for i in (1, 2, 3):
            db = open_db(f"sqlite:///{tmp / f'st{i}.db'}")
            with db.session() as s:
                from app import settings

                settings.set_(s, "station.number", i)
                settings.set_(s, "station.name", f"{i}号机")
                s.commit()
            with db.session() as s:
                import_roster(s, roster)
            stations.append(db)
        t0 = time.perf_counter()
        for db in stations:
            sync_once(db, site)
        print(f"first sync of 3 stations with {args.students} students each: {time.perf_counter() - t0:.1f} s")
        with stations[0].session() as s:
            ids = [[r for r in s.scalars(select(Student.id).order_by(Student.id))][i::3] for i in range(3)]

        # 1. lag at 180/h per station, replicators at their interval
        reps = [Replicator(db, url, interval=args.interval) for db in stations]
        for r in reps:
            r.start()
        lags: list[float] = []
        lock = threading.Lock()
        probe = connect_site(url)
        waiting: dict[str, float] = {}
        stop = threading.Event()

        def shooter(k: int) -> None:
            gap = 3600 / args.per_hour
            time.sleep(k * gap / 3)
            n = 0
            while not stop.is_set():
                uid = record(stations[k], ids[k][n])
                with lock:
                    waiting[uid] = time.perf_counter()
                n += 1
                stop.wait(gap)

        threads = [threading.Thread(target=shooter, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end or waiting:
            with lock:
                uids = list(waiting)
            if uids:
                with probe.session() as s:
                    seen = set(s.scalars(select(Selection.uid).where(Selection.uid.in_(uids))))
                t = time.perf_counter()
                with lock:
                    for u in seen:
                        lags.append(t - waiting.pop(u))
            if time.perf_counter() >= end:
                stop.set()
            if time.perf_counter() > end + 4 * args.interval:
                break
            time.sleep(0.2)
        for t in threads:
            t.join()
        syncs = [x for r in reps for x in r.state.history]
        for r in reps:
            r.stop()
        print(f"replication lag, 3 stations at {args.per_hour:.0f}/h, interval {args.interval:.0f} s, "
              f"{len(lags)} selections: median {statistics.median(lags):.2f} s, p95 {p95(lags):.2f} s, "
              f"max {max(lags):.2f} s; one sync (push+pull) median {statistics.median(syncs):.2f} s, "
              f"p95 {p95(syncs):.2f} s")

        # 2. catch-up after a 10-minute outage (30 students per station recorded offline)
        server.stop()
        for k, db in enumerate(stations):
            for n in range(30):
                record(db, ids[k][-(n + 1)])
        server.start()
        site.dispose()
        site = connect_site(url)
        times = []
        for db in stations:
            t0 = time.perf_counter()
            rep = sync_once(db, site)
            times.append(time.perf_counter() - t0)
            assert rep.pushed_selections >= 30, rep
        t0 = time.perf_counter()
        for db in stations:
            sync_once(db, site)
        converge = time.perf_counter() - t0
        print(f"catch-up after a 10-minute outage (30 students per station): first sync per station "
              f"{', '.join(f'{x:.2f}' for x in times)} s; a further round to converge all three {converge:.2f} s")

        # 3. the marshal's refresh on the site database
        refresh = []
        for _ in range(7):
            with site.session() as s:
                t0 = time.perf_counter()
                snap = snapshot.load(s)
                refresh.append(time.perf_counter() - t0)
        print(f"marshal snapshot from the site database ({snap.roster} students, "
              f"{snap.photographed} photographed): median {statistics.median(refresh) * 1000:.0f} ms, "
              f"p95 {p95(refresh) * 1000:.0f} ms")
        probe.dispose()
        site.dispose()
        for db in stations:
            db.dispose()
    finally:
        server.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
