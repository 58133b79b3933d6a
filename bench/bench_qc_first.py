"""First-shot latency: the first 24 MP photo's verdict after the checker is loaded, without and with warm-up.

    nice -n 10 .venv/bin/python bench/bench_qc_first.py            # 8 fresh processes per mode
    nice -n 10 .venv/bin/python bench/bench_qc_first.py --rounds 4

Each round starts a fresh Python process per mode (the cost being measured
happens once per process), alternating the two modes side by side so both see
the same machine load:

- ``before``: ``Checker()`` as the station loaded it until issue 12 (graphs
  built and fed one blank frame), then the first photo;
- ``after``: ``Checker()`` then ``Checker.warm_up()`` (one dummy portrait end to
  end, what ``Workflow.load_checker`` now does while the window starts), then
  the first photo.

The first photo is a 24 MP camera JPEG (6000x4000, EXIF orientation 6, sensor
noise) made from a real portrait in ../shared/faces (Grace Hopper's without
it), a different one each round; four more photos follow for the steady-state
figure. Times are wall time of ``Checker.check_path``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def child(mode: str, files: list[str]) -> None:
    t = time.perf_counter()
    from qc.checker import Checker

    checker = Checker()
    load_ms = (time.perf_counter() - t) * 1000
    warm_ms = checker.warm_up() if mode == "after" else 0.0
    times, cpu, headwear = [], [], []
    for f in files:
        t, c = time.perf_counter(), time.process_time()
        report = checker.check_path(f)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        headwear.append(report.timings.get("check.headwear", 0.0))
    print(json.dumps({"mode": mode, "load_ms": load_ms, "warm_ms": warm_ms, "times": times, "cpu": cpu,
                      "headwear": headwear}))


def pct(v: list[float], q: float) -> float:
    s = sorted(v)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return 0
    from bench_qc import camera_frame, sources, write_camera_jpeg

    n = args.rounds + 4
    with tempfile.TemporaryDirectory(prefix="bench-first-") as d:
        paths = []
        for i, rgb in enumerate(sources(n)):
            p = Path(d) / f"IMG_{i:04d}.JPG"
            write_camera_jpeg(camera_frame(rgb, 6000, 4000, seed=i), p)
            paths.append(str(p))
        while len(paths) < n:
            paths.append(paths[len(paths) % max(1, len(paths))])
        res: dict[str, list[dict]] = {"before": [], "after": []}
        for r in range(args.rounds):
            files = [paths[r]] + paths[args.rounds: args.rounds + 4]
            for mode in (("before", "after") if r % 2 == 0 else ("after", "before")):
                out = subprocess.run([sys.executable, __file__, "--child", mode, *files], capture_output=True,
                                     text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
                res[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(mode, "wall", [round(x) for x in res[mode][-1]["times"]], "cpu",
                      [round(x) for x in res[mode][-1]["cpu"]], flush=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; {args.rounds} fresh processes per mode")
    hw = [t for rows in res.values() for x in rows for t in x["headwear"][1:]]
    print(f"headwear check alone, later photos: median {statistics.median(hw):.1f} ms")
    print("wall = elapsed time; cpu = CPU time of the process (all its threads): the work itself, which the")
    print("other jobs on a shared machine do not inflate (a check uses a little over one core at most)")
    print(f"{'mode':8} {'what':5} {'load ms':>8} {'warm-up ms':>10} {'1st p50':>8} {'1st p95':>8} {'1st max':>8} "
          f"{'later p50':>9} {'later p95':>9}")
    for mode, rows in res.items():
        for what in ("times", "cpu"):
            first = [x[what][0] for x in rows]
            later = [t for x in rows for t in x[what][1:]]
            print(f"{mode:8} {'wall' if what == 'times' else 'cpu':5} "
                  f"{statistics.median(x['load_ms'] for x in rows):8.0f} "
                  f"{statistics.median(x['warm_ms'] for x in rows):10.0f} {statistics.median(first):8.0f} "
                  f"{pct(first, 0.95):8.0f} {max(first):8.0f} {statistics.median(later):9.0f} {pct(later, 0.95):9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
