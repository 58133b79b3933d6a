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
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app.commands.window_cmd import prepare_demo
    from ui.app import run_window

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
    code = run_window(db, capture_folder=captures, camera="gphoto2", auto=args.n, event_hook=portraits.on_event,
                      result_out=out)
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
    return code


if __name__ == "__main__":
    sys.exit(main())
