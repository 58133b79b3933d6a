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

Run: ``.venv/bin/python bench/bench_capture.py [--shots 30] [--rounds 3]``.
Prints one table per JPEG kind and a JSON line with the figures.
"""

from __future__ import annotations

import argparse
import io
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

    res: dict[str, list[float]] = {"total": [], "lib": [], "overhead": [], "verify": [], "save": []}
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
    args = ap.parse_args()
    size = tuple(int(x) for x in args.size.lower().split("x"))
    work = Path(tempfile.mkdtemp(prefix="bench-capture-", dir=args.out or ROOT))
    results = {}
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
            run_station(2, out)  # warm-up: imports, page cache
            for _ in range(args.rounds):
                for k, v in run_station(args.shots, out).items():
                    st.setdefault(k, []).extend(v)
                lib["total"] += run_libgphoto2(args.shots)["total"]
                cli["total"] += run_cli(args.shots, vcam, out)["total"]
                for k, v in run_writer(args.shots, vcam / "portrait.jpg", out).items():
                    wr[k] += v
            n = len(st["total"])
            print(f"\n{kind}: {size[0]}x{size[1]} JPEG q{args.quality}, {nbytes / 1e6:.1f} MB, {n} shots per method (ms)")
            print(f"  station, trigger -> durable file   {summary(st['total'])}")
            print(f"    of which libgphoto2 calls        {summary(st['lib'])}")
            print(f"    station's own overhead           {summary(st['overhead'])}")
            print(f"    strict decode check (parallel)   {summary(st['verify'])}")
            print(f"  libgphoto2 capture+download only   {summary(lib['total'])}")
            print(f"  gphoto2 CLI, one process per shot  {summary(cli['total'])}")
            print(f"  durable writer alone, with check   {summary(wr['checked'])}")
            print(f"  durable writer alone, no decode    {summary(wr['unchecked'])}")
            results[kind] = {
                "bytes": nbytes,
                "shots": n,
                "station_ms": {"p50": round(statistics.median(st["total"]), 1), "p95": round(pct(st["total"], 95), 1)},
                "overhead_ms": {"p50": round(statistics.median(st["overhead"]), 1), "p95": round(pct(st["overhead"], 95), 1)},
                "verify_ms": {"p50": round(statistics.median(st["verify"]), 1)},
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
