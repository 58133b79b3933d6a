"""Capture-to-durable-file latency on the virtual camera with 24-megapixel JPEGs.

Three ways to take the same shot, interleaved in rounds in one run (the
machine is shared: compare side by side, quote medians):

- station: the Gphoto2Camera backend, trigger() → photo event; ``ms`` runs from
  the trigger to the fsync'd, verified, renamed file. Its own overhead is ms
  minus libgphoto2's capture and download calls (timed inside the backend).
- libgphoto2: python-gphoto2's capture + file_get into memory, nothing written
  (the transfer the station cannot avoid).
- gphoto2 CLI: ``gphoto2 --capture-image-and-download`` (Debian's gphoto2, run
  on the wheel's libgphoto2 so it sees the same virtual camera), one process
  per shot as a shell script would use it; it writes without fsync or checks.

Beside them, on the same file: the durable writer alone (with and without the
decode check) and the strict decode alone at full size and at the 1/8 scale
the station uses.

Run: ``.venv/bin/python bench/bench_capture.py [--shots 30] [--rounds 3]``.
Prints one table per JPEG kind and a JSON line with the figures.

``--gil [--reopens 20]``: how long each libgphoto2 call keeps other Python
threads waiting. A camera thread opens the virtual camera, reads its status,
shoots, downloads, deletes and closes it, ``--reopens`` times, while a ticker
thread wakes every millisecond; a gap in its ticks is time it could not get
the GIL. Run once on python-gphoto2's own calls and once with the station's
ctypes path (capture/gp_nogil.py), side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_jpeg(path: Path, size: tuple[int, int], quality: int, noise: float) -> int:
    """A 24 MP portrait: scikit-image's astronaut upscaled with Pillow; ``noise`` adds sensor-like
    grain so the file is as large as a camera's (a plain upscale compresses unrealistically well)."""
    import numpy as np
    from PIL import Image
    from skimage import data

    im = Image.fromarray(data.astronaut()).resize(size, Image.LANCZOS)
    if noise > 0:
        a = np.asarray(im).astype(np.int16)
        grain = np.random.default_rng(1).normal(0, noise, a.shape[:2])[..., None]
        im = Image.fromarray(np.clip(a + grain, 0, 255).astype(np.uint8))
    im.save(path, "JPEG", quality=quality)
    return path.stat().st_size


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run_station(n: int, out: Path) -> dict[str, list[float]]:
    from capture.gphoto2_camera import Gphoto2Camera

    events: queue.Queue = queue.Queue()
    counter = [0]

    def namer(ext: str) -> Path:
        counter[0] += 1
        return out / f"01_bench_{counter[0]:04d}{ext}"

    res: dict[str, list[float]] = {"total": [], "lib": [], "overhead": [], "verify": [], "save": [], "events": []}
    done = 0
    while done < n:
        # the virtual camera holds 26 frames per session: one session per 25 shots, set up untimed
        cam = Gphoto2Camera(namer, events.put, folder=out, target="card", status_every_s=1e9)
        cam.start()
        assert cam.wait_connected(10), "virtual camera not found"
        try:
            for _ in range(min(25, n - done)):
                while cam.status.busy:
                    time.sleep(0.001)
                cam.trigger()
                while True:
                    ev = events.get(timeout=30)
                    if ev.kind == "error":
                        raise RuntimeError(ev.error)
                    if ev.kind == "photo":
                        break
                ph = ev.photo
                tm = ph.timings or {}
                lib = tm.get("capture_ms", 0.0) + tm.get("download_ms", 0.0)
                res["total"].append(ph.ms)
                res["lib"].append(lib)
                res["overhead"].append(ph.ms - lib)
                res["verify"].append(tm.get("verify_ms", 0.0))
                res["save"].append(tm.get("save_ms", 0.0))
                res["events"].append(tm.get("events_ms", 0.0))
                ph.path.unlink()
                done += 1
        finally:
            cam.stop()
    return res


def run_libgphoto2(n: int) -> dict[str, list[float]]:
    from capture.gp_calls import GpCalls

    calls = GpCalls()
    gp = calls.gp
    res: dict[str, list[float]] = {"total": []}
    done = 0
    while done < n:
        cam = calls.open()
        try:
            for _ in range(min(25, n - done)):
                t0 = time.perf_counter()
                folder, name = calls.capture(cam)
                data = calls.file_get(cam, folder, name)
                res["total"].append((time.perf_counter() - t0) * 1000)
                assert len(data) > 0
                done += 1
        finally:
            calls.exit(cam)
            del cam
    del gp
    return res


def cli_env(vcam: Path) -> dict[str, str]:
    import gphoto2

    lib = Path(gphoto2.__file__).parent / "libgphoto2"
    env = dict(os.environ)
    env.update(
        LD_LIBRARY_PATH=str(lib), CAMLIBS=str(lib / "camlibs"), IOLIBS=str(lib / "vusb"), VCAMERADIR=str(vcam)
    )
    return env


def run_cli(n: int, vcam: Path, out: Path) -> dict[str, list[float]]:
    exe = shutil.which("gphoto2")
    res: dict[str, list[float]] = {"total": []}
    if exe is None:
        return res
    env = cli_env(vcam)
    for i in range(n):
        target = out / f"cli_{i:04d}.jpg"
        t0 = time.perf_counter()
        r = subprocess.run(
            [exe, "--capture-image-and-download", "--filename", str(target), "--force-overwrite"],
            env=env,
            capture_output=True,
            cwd=out,
        )
        res["total"].append((time.perf_counter() - t0) * 1000)
        if r.returncode != 0 or not target.exists():
            raise RuntimeError(f"gphoto2 CLI failed: {r.stderr.decode()[-500:]}")
        target.unlink()
    return res


def run_writer(n: int, src: Path, out: Path) -> dict[str, list[float]]:
    """The durable writer alone on the same bytes: with the strict decode check and without it."""
    from capture.durable import write_durable

    data = src.read_bytes()
    res: dict[str, list[float]] = {"checked": [], "unchecked": []}
    for i in range(n):
        for key, verify in (("checked", True), ("unchecked", False)):
            t0 = time.perf_counter()
            d = write_durable(data, out / f"w_{key}_{i:04d}.jpg", verify=verify)
            res[key].append((time.perf_counter() - t0) * 1000)
            d.path.unlink()
    return res


def run_decode(n: int, src: Path) -> dict[str, list[float]]:
    """The strict decode alone on the same bytes: full size (RGB) and the station's 1/8-scale grey."""
    from capture.durable import decode_strict

    data = src.read_bytes()
    res: dict[str, list[float]] = {"full": [], "reduced": []}
    for _ in range(n):
        for key, reduced in (("full", False), ("reduced", True)):
            t0 = time.perf_counter()
            decode_strict(data, reduced=reduced)
            res[key].append((time.perf_counter() - t0) * 1000)
    return res


# --- the GIL micro-benchmark ------------------------------------------------------------


class _Ticker:
    """Wakes every millisecond and notes the time; a long gap is time it could not get the GIL."""

    def __init__(self) -> None:
        import threading

        self.ticks: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ticker", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.ticks.append(time.perf_counter())
            time.sleep(0.001)

    def start(self) -> None:
        self._thread.start()
        time.sleep(0.02)

    def stop(self) -> None:
        time.sleep(0.02)
        self._stop.set()
        self._thread.join()


def run_gil(reopens: int, release_gil: bool) -> dict:
    """Per call name: durations and the longest ticker gap it overlapped most; the run's longest gap."""
    import threading

    from capture.gp_calls import GpCalls

    spans: list[tuple[str, float, float]] = []

    class Timed(GpCalls):
        def call(self, name, fn, *args):
            t0 = time.perf_counter()
            try:
                return super().call(name, fn, *args)
            finally:
                spans.append((name, t0, time.perf_counter()))

    calls = Timed(release_gil=release_gil)
    failure: list[BaseException] = []

    def camera_thread() -> None:
        try:
            for _ in range(reopens):
                # what the backend does on each (re)connect, one shot, and the close
                calls.autodetect()
                cam = calls.open()
                calls.abilities(cam)
                calls.get_config_value(cam, "capturetarget")
                calls.get_config_value(cam, "batterylevel")
                calls.storage_info(cam)
                folder, name = calls.capture(cam)
                calls.wait_for_event(cam, 10)
                data = calls.file_get(cam, folder, name)
                calls.file_delete(cam, folder, name)
                calls.exit(cam)
                t0 = time.perf_counter()
                del cam, data  # gp_camera_unref / gp_file_unref, with the GIL
                spans.append(("free", t0, time.perf_counter()))
        except BaseException as exc:  # reported by the caller
            failure.append(exc)

    ticker = _Ticker()
    ticker.start()
    t = threading.Thread(target=camera_thread, name="camera")
    t.start()
    t.join()
    ticker.stop()
    if failure:
        raise failure[0]
    per: dict[str, dict] = {}
    for name, t0, t1 in spans:
        d = per.setdefault(name, {"n": 0, "ms": [], "gap_ms": 0.0})
        d["n"] += 1
        d["ms"].append((t1 - t0) * 1000)
    gaps = [(b - a) * 1000 for a, b in zip(ticker.ticks, ticker.ticks[1:])]
    for (a, b), gap in zip(zip(ticker.ticks, ticker.ticks[1:]), gaps):
        if gap < 3:
            continue
        best, overlap = None, 0.0
        for name, t0, t1 in spans:
            o = min(b, t1) - max(a, t0)
            if o > overlap:
                best, overlap = name, o
        if best is not None:
            per[best]["gap_ms"] = max(per[best]["gap_ms"], gap)
    return {"calls": per, "max_gap_ms": max(gaps, default=0.0), "gaps_over_50ms": sum(g > 50 for g in gaps)}


def gil_main(reopens: int) -> int:
    from capture.virtual import prepare_virtual_camera

    work = Path(tempfile.mkdtemp(prefix="bench-gil-"))
    try:
        prepare_virtual_camera(work / "vcam")
        run_gil(2, True)  # warm-up: driver files in the page cache
        results = {}
        for label, release in (("python-gphoto2", False), ("ctypes", True)):
            results[label] = run_gil(reopens, release)
        names = list(results["ctypes"]["calls"])
        print(f"GIL held per libgphoto2 call: {reopens} reopens of the virtual camera, ticker every 1 ms (ms)")
        print(f"  {'call':16s} {'n':>4s}  {'median call':>11s} {'max call':>9s}  {'longest tick gap: wrappers':>26s} {'ctypes':>7s}")
        for name in names:
            a, b = results["python-gphoto2"]["calls"].get(name), results["ctypes"]["calls"][name]
            print(
                f"  {name:16s} {b['n']:4d}  {statistics.median(b['ms']):11.1f} {max(b['ms']):9.1f}"
                f"  {a['gap_ms'] if a else float('nan'):26.1f} {b['gap_ms']:7.1f}"
            )
        for label, r in results.items():
            print(f"  {label}: longest tick gap {r['max_gap_ms']:.1f} ms, gaps over 50 ms: {r['gaps_over_50ms']}")
        load = round(os.getloadavg()[0], 2)
        print(f"load average (1 min) at the end: {load} on {os.cpu_count()} cores")
        print(
            json.dumps(
                {
                    label: {
                        "max_gap_ms": round(r["max_gap_ms"], 1),
                        "gaps_over_50ms": r["gaps_over_50ms"],
                        "gap_ms": {k: round(v["gap_ms"], 1) for k, v in r["calls"].items()},
                        "max_call_ms": {k: round(max(v["ms"]), 1) for k, v in r["calls"].items()},
                    }
                    for label, r in results.items()
                }
                | {"reopens": reopens, "loadavg_1min_at_end": load}
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def summary(xs: list[float]) -> str:
    return f"median {statistics.median(xs):7.1f}  p95 {pct(xs, 95):7.1f}" if xs else "n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shots", type=int, default=30, help="shots per method per JPEG kind and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--size", default="6000x4000")
    ap.add_argument("--quality", type=int, default=92)
    ap.add_argument("--kinds", default="upscaled,grain", help="upscaled (plain Pillow upscale), grain (camera-sized file)")
    ap.add_argument("--out", type=Path, help="folder for the photos (default: a temp folder on the working disk)")
    ap.add_argument("--gil", action="store_true", help="the GIL micro-benchmark instead (see above)")
    ap.add_argument("--reopens", type=int, default=20, help="--gil: camera reopens per path")
    args = ap.parse_args()
    if args.gil:
        return gil_main(args.reopens)
    size = tuple(int(x) for x in args.size.lower().split("x"))
    work = Path(tempfile.mkdtemp(prefix="bench-capture-", dir=args.out or ROOT))
    results = {"loadavg_1min_at_start": round(os.getloadavg()[0], 2)}
    try:
        from capture.virtual import use_virtual_camera

        for kind in args.kinds.split(","):
            vcam = work / f"vcam-{kind}"
            vcam.mkdir()
            nbytes = make_jpeg(vcam / "portrait.jpg", size, args.quality, 0.0 if kind == "upscaled" else 3.0)
            use_virtual_camera(vcam)
            out = work / f"out-{kind}"
            out.mkdir()
            st: dict[str, list[float]] = {}
            lib: dict[str, list[float]] = {"total": []}
            cli: dict[str, list[float]] = {"total": []}
            wr: dict[str, list[float]] = {"checked": [], "unchecked": []}
            dec: dict[str, list[float]] = {"full": [], "reduced": []}
            run_station(2, out)  # warm-up: imports, page cache
            for _ in range(args.rounds):
                for k, v in run_station(args.shots, out).items():
                    st.setdefault(k, []).extend(v)
                lib["total"] += run_libgphoto2(args.shots)["total"]
                cli["total"] += run_cli(args.shots, vcam, out)["total"]
                for k, v in run_writer(args.shots, vcam / "portrait.jpg", out).items():
                    wr[k] += v
                for k, v in run_decode(max(5, args.shots // 4), vcam / "portrait.jpg").items():
                    dec[k] += v
            n = len(st["total"])
            print(f"\n{kind}: {size[0]}x{size[1]} JPEG q{args.quality}, {nbytes / 1e6:.1f} MB, {n} shots per method (ms)")
            print(f"  station, trigger -> durable file   {summary(st['total'])}")
            print(f"    of which libgphoto2 calls        {summary(st['lib'])}")
            print(f"    station's own overhead           {summary(st['overhead'])}")
            print(f"    strict decode check (parallel)   {summary(st['verify'])}")
            print(f"    waiting for the shot's events    {summary(st['events'])}")
            print(f"  libgphoto2 capture+download only   {summary(lib['total'])}")
            print(f"  gphoto2 CLI, one process per shot  {summary(cli['total'])}")
            print(f"  durable writer alone, with check   {summary(wr['checked'])}")
            print(f"  durable writer alone, no decode    {summary(wr['unchecked'])}")
            print(f"  strict decode alone, full size     {summary(dec['full'])}")
            print(f"  strict decode alone, 1/8 scale     {summary(dec['reduced'])}")
            results[kind] = {
                "bytes": nbytes,
                "shots": n,
                "station_ms": {"p50": round(statistics.median(st["total"]), 1), "p95": round(pct(st["total"], 95), 1)},
                "overhead_ms": {"p50": round(statistics.median(st["overhead"]), 1), "p95": round(pct(st["overhead"], 95), 1)},
                "verify_ms": {"p50": round(statistics.median(st["verify"]), 1)},
                "events_ms": {"p50": round(statistics.median(st["events"]), 1)},
                "decode_full_ms": {"p50": round(statistics.median(dec["full"]), 1)},
                "decode_reduced_ms": {"p50": round(statistics.median(dec["reduced"]), 1)},
                "libgphoto2_ms": {"p50": round(statistics.median(lib["total"]), 1), "p95": round(pct(lib["total"], 95), 1)},
                "writer_checked_ms": {"p50": round(statistics.median(wr["checked"]), 1)},
                "writer_unchecked_ms": {"p50": round(statistics.median(wr["unchecked"]), 1)},
                "cli_ms": {"p50": round(statistics.median(cli["total"]), 1), "p95": round(pct(cli["total"], 95), 1)}
                if cli["total"]
                else None,
            }
        results["loadavg_1min_at_end"] = round(os.getloadavg()[0], 2)
        print(f"\nload average (1 min) at the end: {results['loadavg_1min_at_end']} on {os.cpu_count()} cores")
        print(json.dumps(results))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
