"""Benchmark of the photographer's window: `station demo --auto N`, with where the time goes.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_demo.py [N] [--dir DIR]

Runs the same code as ``station demo --auto N`` (the real window, offscreen,
driven through N students: scan, shoot on libgphoto2's virtual camera, check,
accept) in this process, prints the command's JSON line, then the median
time from the scan to each state of the window, the late ticks of the stall
probe, and the resident memory every ten students (memory must stay flat).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=200)
    ap.add_argument("--dir", default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--memory", action="store_true",
                    help="where memory goes: anon/file RSS, malloc arenas, Python objects every 50 students; with "
                         "--trace also tracemalloc's growth by line (slower: not for the timing figures)")
    ap.add_argument("--trace", action="store_true", help="with --memory: tracemalloc snapshots")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app.demo_folder import prepare_demo
    from app.demo_workflow import DemoWorkflow
    from ui.station_launch import run_window

    # The virtual camera declares its store full every 26 shots and the backend reopens it; note when,
    # to tell the stalls that reopening causes from the rest.
    import logging
    import time

    reopens: list[float] = []

    class ReopenWatch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "reopening the camera" in record.getMessage():
                reopens.append(time.perf_counter())

    logging.getLogger("capture").addHandler(ReopenWatch(logging.WARNING))

    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-demo-"))
    db, captures, portraits = prepare_demo(work, n_students=args.n + args.n // 4 + 10, fresh=True)
    out: dict = {}
    mem = MemoryProbe(db, trace=args.trace, n=args.n) if args.memory else None
    code = run_window(db, capture_folder=captures, camera="gphoto2", auto=args.n, result_out=out,
                      on_student=mem.sample if mem else None, workflow_class=DemoWorkflow,
                      workflow_options={"portraits": portraits})
    r = out.get("result")
    if r is None:
        return code or 1
    print(f"# machine: {os.cpu_count()} cores; students {r.students}, accepted {r.accepted}, "
          f"accepted with a reason {r.with_reason}")
    order = ("student", "shooting", "checking", "verdict", "reason", "ready")
    print("# median ms from the scan to each state:")
    for state in order:
        vals = [p[state] for p in r.phases if state in p]
        if vals:
            print(f"#   {state:9s} {statistics.median(vals):7.1f}  (n={len(vals)})")
    ms = sorted(r.per_student_ms)
    print(f"# per student: min {ms[0]:.0f}  p50 {statistics.median(ms):.0f}  "
          f"p95 {ms[int(0.95 * (len(ms) - 1))]:.0f}  max {ms[-1]:.0f} ms")
    late = sorted(r.stalls, reverse=True)[:10]
    print(f"# stall probe: max {r.max_ui_stall_ms:.1f} ms; ticks later than 20 ms: {len(r.stalls)}; "
          f"worst: {[round(x) for x in late]}")
    import bisect

    worst = sorted(r.stall_details, reverse=True)[:5]
    print("# worst late ticks (late ms, UI-thread CPU ms, whole-process CPU ms in that gap, during student #):",
          [(round(a), round(b), round(c), bisect.bisect(r.starts, t)) for a, b, c, t in worst])
    near = [d for d in r.stall_details if any(0 <= d[3] - t <= 1.0 for t in reopens)]
    other = [d[0] for d in r.stall_details if d not in near]
    print(f"# virtual-camera reopens (store full every 26 shots): {len(reopens)}; late ticks within 1 s after "
          f"one: {len(near)}, worst {max((d[0] for d in near), default=0):.0f} ms; "
          f"max late tick elsewhere: {max(other, default=0):.0f} ms")
    print("# rss_mb every 10 students:", json.dumps([(n, round(mb, 1)) for n, mb in r.rss_trace]))
    if mem is not None:
        mem.report()
    startup_check(db, captures)
    return code


def startup_check(db, captures: Path, lost: int = 20) -> None:
    """What the window's start-up check costs on this run's folder: the pass before the camera opens
    (names and sizes; unknown photos hashed and recorded) and the checksum pass after it, with ``lost``
    photos saved but never recorded (copies under new names, as a station killed between the two leaves)."""
    import shutil
    import time

    from app.workflow import Workflow

    photos = sorted(captures.rglob("*.jpg"))
    for i, src in enumerate(photos[:lost]):
        shutil.copyfile(src, src.with_name(f"S01_lost{i:03d}_01.jpg"))
    wf = Workflow(db, capture_folder=captures)
    try:
        t0 = time.perf_counter()
        first = wf.recover()
        t1 = time.perf_counter()
        full = wf.verify_files()
        t2 = time.perf_counter()
    finally:
        wf.close()
    mb = sum(p.stat().st_size for p in captures.rglob("*.jpg")) / 2**20
    print(f"# start-up check of {len(photos) + lost} photos ({mb:.0f} MB), {lost} of them never recorded: before the "
          f"camera {1000 * (t1 - t0):.0f} ms (recorded {first.recorded}), checksums after it {1000 * (t2 - t1):.0f} ms "
          f"({mb / max(t2 - t1, 1e-6):.0f} MB/s; problems {len(full.problems)})")


def proc_status() -> dict[str, float]:
    """RssAnon / RssFile / RssShmem in MB: anonymous memory grows with data; file pages grow as code is touched."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("RssAnon", "RssFile", "RssShmem", "VmRSS")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out


def malloc_mb() -> tuple[float, float]:
    """glibc's view: (bytes handed out and still in use, bytes held from the OS), in MB."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        m = libc.mallinfo2()
    except (OSError, AttributeError):
        return 0.0, 0.0
    return (m.uordblks + m.hblkhd) / 2**20, (m.arena + m.hblkhd) / 2**20


def sqlite_mb() -> float:
    """Memory SQLite's allocator holds (page caches of every connection, statements), in MB."""
    import ctypes
    import ctypes.util
    import sqlite3  # noqa: F401  (loads the library the station's connections use)

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        return lib.sqlite3_memory_used() / 2**20
    except (OSError, AttributeError):
        return 0.0


class MemoryProbe:
    """Called after every student: every 50, what the process holds and where it grew."""

    EVERY = 50

    def __init__(self, db, *, trace: bool, n: int):
        import gc
        import tracemalloc

        self.db, self.trace, self.n = db, trace, n
        self.rows: list[tuple] = []
        self.first = None
        self.types0: dict[str, int] | None = None
        if trace:
            tracemalloc.start(8)
        self._gc = gc

    def _types(self) -> dict[str, int]:
        from collections import Counter

        return Counter(type(o).__qualname__ for o in self._gc.get_objects())

    def sample(self, done: int) -> None:
        import tracemalloc

        if done % self.EVERY and done != self.n:
            return
        st = proc_status()
        used, held = malloc_mb()
        traced = tracemalloc.get_traced_memory()[0] / 2**20 if self.trace else 0.0
        objs = len(self._gc.get_objects())
        self.rows.append((done, st.get("VmRSS", 0), st.get("RssAnon", 0), st.get("RssFile", 0),
                          st.get("RssShmem", 0), used, held, sqlite_mb(), traced, objs))
        if done == self.EVERY:
            self.types0 = self._types()
            if self.trace:
                self.first = tracemalloc.take_snapshot()
        elif done == self.n and self.types0 is not None:
            self.types1 = self._types()
            if self.trace:
                self.last = tracemalloc.take_snapshot()

    def report(self) -> None:
        print("# memory every 50 students (MB): students, VmRSS, RssAnon, RssFile, RssShmem, malloc in use, "
              "malloc held, SQLite, tracemalloc, Python objects (gc)")
        for r in self.rows:
            print("#  ", r[0], *(f"{v:.1f}" for v in r[1:9]), r[9])
        if self.types0 is not None and hasattr(self, "types1"):
            grew = sorted(((self.types1[k] - self.types0.get(k, 0), k) for k in self.types1), reverse=True)[:12]
            print(f"# Python objects that grew from student {self.EVERY} to {self.n}:", [(k, d) for d, k in grew if d > 0])
        if self.trace and self.first is not None and hasattr(self, "last"):
            import tracemalloc

            filt = [tracemalloc.Filter(False, tracemalloc.__file__)]
            stats = self.last.filter_traces(filt).compare_to(self.first.filter_traces(filt), "traceback")
            print(f"# tracemalloc: biggest growth from student {self.EVERY} to {self.n}:")
            for stat in stats[:12]:
                print(f"#   +{stat.size_diff / 1024:.0f} KiB in {stat.count_diff:+d} blocks")
                for line in stat.traceback.format()[-8:]:
                    print("#       " + line.strip())


if __name__ == "__main__":
    sys.exit(main())
