"""Benchmark: the planner, the marshal snapshot and the sign-in sheets on a 20,000-student school.

    .venv/bin/python bench/bench_plan.py [--students 20000] [--stations 6] [--repeat 7] [--sheets]

Prints one line per figure (median of --repeat runs, and the spread). The
roster is made up (bench/support/roster_data.py), in a temporary SQLite database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times), result


def report(label: str, med: float, lo: float, hi: float, extra: str = "") -> None:
    print(f"{label:<58} median {med * 1000:9.1f} ms  (min {lo * 1000:.1f}, max {hi * 1000:.1f}){extra}", flush=True)


def school(students: int, seed: int = 1) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    out, total, i = [], 0, 0
    while total < students:
        n = min(rng.randint(20, 60), students - total)
        out.append((f"学院{i // 15 + 1:02d}", f"专业{i:03d}班", n))
        total += n
        i += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=20000)
    ap.add_argument("--stations", type=int, default=6)
    ap.add_argument("--rate", type=float, default=165)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sheets", action="store_true", help="also time the sign-in sheets for the whole roster")
    ap.add_argument("--window", action="store_true", help="also time the marshal window's update after a shot (offscreen)")
    args = ap.parse_args()

    from app import signin_sheets
    from app.db import open_db
    from app.roll_call import queries, snapshot
    from app.timetable import output as plan_output
    from app.timetable import store
    from app.timetable.model import ClassLoad
    from app.timetable.parse import parse_breaks
    from app.timetable.rules import check_invariants
    from app.timetable.scheduler import schedule
    from bench.support.roster_data import make_roster, photograph, station

    spec = school(args.students)
    loads = [ClassLoad(c, k, [(g + 1, min(10, n - 10 * g)) for g in range((n + 9) // 10)]) for c, k, n in spec]
    start = datetime(2019, 3, 16, 8, 0)
    lunch = parse_breaks("12:00-13:30")
    print(f"{args.students} students, {len(spec)} classes, {sum(len(x.groups) for x in loads)} groups of ten, "
          f"{args.stations} stations at {args.rate:.0f}/h; python {sys.version.split()[0]}", flush=True)

    med, lo, hi, p = timed(lambda: schedule(loads, stations=args.stations, rate=args.rate, start=start, breaks=lunch), args.repeat)
    assert check_invariants(p, loads) == []
    report("schedule(): one day, lunch break", med, lo, hi, f"  -> ends {p.end:%m-%d %H:%M}")
    med, lo, hi, p = timed(
        lambda: schedule(loads, stations=args.stations, rate=args.rate, start=start, breaks=lunch, day_end=datetime(2019, 3, 16, 16).time()),
        args.repeat,
    )
    assert check_invariants(p, loads) == []
    report("schedule(): days of 08:00-16:00, lunch break", med, lo, hi, f"  -> {len(p.days)} days, ends {p.end:%m-%d %H:%M}")

    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        with db.session() as s:
            st = station(s)
            students = make_roster(s, spec)
            for x in students[: len(students) // 4]:  # a quarter photographed
                photograph(s, x, st)
            s.commit()
        print(f"(made the roster and {len(students) // 4} shots in {time.perf_counter() - t0:.1f} s)", flush=True)

        def from_db():
            queries._ROSTER_CACHE.clear()  # cold: what a fresh `station plan` pays
            with db.session() as s:
                pl = store.plan_from_roster(s, start=start, stations=args.stations, rate=args.rate, breaks="12:00-13:30")
                store.save_plan(s, pl)
                s.rollback()
                return pl

        med, lo, hi, _ = timed(from_db, args.repeat)
        report("plan from the DB (cold): read roster, schedule, store", med, lo, hi)
        with db.session() as s:
            pl = store.plan_from_roster(s, start=start, stations=args.stations, rate=args.rate, breaks="12:00-13:30")
            store.save_plan(s, pl)
            s.commit()
        med, lo, hi, _ = timed(lambda: plan_output.write_xlsx(pl, Path(tmp) / "plan.xlsx", "扬州大学"), max(3, args.repeat // 2))
        report("plan xlsx (3 sheets)", med, lo, hi)
        med, lo, hi, _ = timed(lambda: plan_output.write_pdf(pl, Path(tmp) / "plan.pdf", "扬州大学"), max(3, args.repeat // 2))
        report("plan PDF", med, lo, hi)

        def replan():
            with db.session() as s:
                return store.replan(s, at=datetime(2019, 3, 16, 10, 0), stations=args.stations)[0]

        med, lo, hi, rp = timed(replan, args.repeat)
        report("re-plan from live counts", med, lo, hi, f"  -> {rp.students} left")

        def token():
            with db.session() as s:
                return queries.change_token(s)

        med, lo, hi, _ = timed(token, args.repeat * 3)
        report("marshal change token (polled every 0.5 s)", med, lo, hi)

        def snap():
            with db.session() as s:
                return snapshot.load(s)

        med, lo, hi, sn = timed(snap, args.repeat)
        report("marshal snapshot (all colleges, classes, groups)", med, lo, hi, f"  -> {sn.remaining} left")

        from app.phone_page import render_fragment

        med, lo, hi, html = timed(lambda: render_fragment(sn), args.repeat)
        report("phone page fragment", med, lo, hi, f"  -> {len(html.encode()) // 1024} KiB")

        import subprocess

        cmd = [sys.executable, "-m", "app", "--db", f"sqlite:///{tmp}/bench.db", "plan", "--start", "2019-03-16T08:00",
               "--stations", str(args.stations), "--rate", str(args.rate), "--breaks", "12:00-13:30"]
        base = [sys.executable, "-m", "app", "--db", f"sqlite:///{tmp}/bench.db", "config", "plan.rate"]
        med, lo, hi, _ = timed(lambda: subprocess.run(base, check=True, capture_output=True, cwd=ROOT), 3)
        report("baseline: `station config plan.rate` (start-up + DB open)", med, lo, hi)
        med, lo, hi, _ = timed(lambda: subprocess.run(cmd + ["--dry-run"], check=True, capture_output=True, cwd=ROOT), 3)
        report("`station plan` whole command (process start to exit)", med, lo, hi)
        med, lo, hi, _ = timed(lambda: subprocess.run(cmd + ["--dry-run", "--out", f"{tmp}/c.xlsx", "--pdf", f"{tmp}/c.pdf"],
                                                      check=True, capture_output=True, cwd=ROOT), 3)
        report("`station plan --out x.xlsx --pdf x.pdf` whole command", med, lo, hi)
        with db.session() as s:
            one = snapshot.load(s).classes[0]
        med, lo, hi, r = timed(lambda: _sheets(db, signin_sheets, Path(tmp) / "one.pdf", one.class_name), max(3, args.repeat // 2))
        report(f"sign-in sheets, one class ({r.pages} pages)", med, lo, hi)
        if args.sheets:
            med, lo, hi, r = timed(lambda: _sheets(db, signin_sheets, Path(tmp) / "all.pdf", None), 1)
            report(f"sign-in sheets, whole roster ({r.pages} pages)", med, lo, hi,
                   f"  -> {(Path(tmp) / 'all.pdf').stat().st_size // 1024} KiB")
        if args.window:
            _window_latency(db, f"sqlite:///{tmp}/bench.db", students[len(students) // 4 :], args.repeat)
        db.dispose()
    return 0


def _window_latency(db, url, waiting, repeat):
    """Shot accepted through another connection → the marshal window shows the new count."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.db import open_db
    from app.models import Station, Student
    from bench.support.roster_data import photograph
    from ui.qt_app import create_application
    from ui.marshal_window import MarshalWindow

    app = create_application("zh")
    win = MarshalWindow(db)
    win.show()
    deadline = time.monotonic() + 30
    while win.view is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    other = open_db(url)
    times = []
    for x in waiting[:repeat]:
        before = win.view.snap.photographed
        with other.session() as s:
            t0 = time.perf_counter()
            photograph(s, s.get(Student, x.id), s.query(Station).first())
            s.commit()
        while win.view.snap.photographed == before and time.perf_counter() - t0 < 10:
            app.processEvents()
            time.sleep(0.002)
        times.append(time.perf_counter() - t0)
    win.shutdown()
    win.close()
    win.deleteLater()
    app.processEvents()
    other.dispose()
    report(f"marshal window: shot committed -> counts shown ({repeat} shots)", statistics.median(times), min(times), max(times))


def _sheets(db, sheets, path, class_name):
    with db.session() as s:
        return sheets.write_sheets(s, path, class_name=class_name, school="扬州大学")


if __name__ == "__main__":
    sys.exit(main())
