"""Fuzzing the roster reader, the roster validator and the image loader (hypothesis, mutated real files).

    python -m tests._fuzz --budget 200 [--seed 1] [--target reader|image]

Each example is a real seed file (a roster as xlsx, xls, csv, UTF-16 csv and
HTML; a photo as JPEG, PNG and 16-bit PNG) with random mutations: bytes
flipped, cut short, bytes inserted, a slice repeated or zeroed. The reader
must return a table (then the validator runs on it) or raise the station's
InputError; the image loader must return a picture or raise DecodeError.
Anything else is a traceback. A crash or abort ends this process (the test
that runs it sees the exit code). Prints one JSON line per target:
files tried, findings (tables read with at least one finding), errors (clear
messages), tracebacks (with the first few), the slowest file in seconds and
the process's peak memory in MB.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path


def _roster_seeds(tmp: Path) -> list[tuple[str, bytes]]:
    from tests._roster_books import HEADERS, good_rows, make_book

    rows = good_rows(12)
    seeds = [(".xlsx", make_book(tmp / "seed.xlsx", rows, merge=["A14:A15"]).read_bytes())]
    text = "\r\n".join(",".join(r) for r in [HEADERS, *rows]) + "\r\n"
    seeds.append((".csv", ("\ufeff" + text).encode("utf-8")))
    seeds.append((".csv", text.encode("utf-16")))
    seeds.append((".csv", text.encode("gb18030")))
    html = "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in [HEADERS, *rows]) + "</table>"
    seeds.append((".xls", html.encode("utf-8")))
    try:
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        ws = book.add_sheet("名单")
        for r, row in enumerate([HEADERS, *rows]):
            for c, v in enumerate(row):
                ws.write(r, c, v)
        buf = io.BytesIO()
        book.save(buf)
        seeds.append((".xls", buf.getvalue()))
    except ImportError:
        pass
    return seeds


def _image_seeds() -> list[bytes]:
    import numpy as np
    from matplotlib import cbook
    from PIL import Image

    jpeg = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).read_bytes()
    rgb = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))[::4, ::4]
    png = io.BytesIO()
    Image.fromarray(rgb).save(png, "PNG")
    png16 = io.BytesIO()
    Image.fromarray((rgb[:, :, 0].astype(np.uint16) * 257)).save(png16, "PNG")
    return [jpeg, png.getvalue(), png16.getvalue()]


def _mutations(st):
    """A strategy for a list of edits to a byte string."""
    op = st.one_of(
        st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
        st.tuples(st.just("cut"), st.floats(0, 1), st.just(0)),
        st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 4096)),
        st.tuples(st.just("zero"), st.floats(0, 1), st.integers(1, 4096)),
        st.tuples(st.just("byte"), st.floats(0, 1), st.sampled_from([0x00, 0xFF, 0x7F, 0x80, 0x22, 0x3C, 0x0A, 0x2C])),
    )
    return st.lists(op, min_size=1, max_size=6)


def _apply(data: bytes, edits) -> bytes:
    b = bytearray(data)
    for kind, where, arg in edits:
        if not b:
            break
        i = min(int(where * len(b)), len(b) - 1)
        if kind == "flip":
            b[i] ^= arg
        elif kind == "cut":
            del b[max(i, 1):]
        elif kind == "insert":
            b[i:i] = arg
        elif kind == "repeat":
            b[i:i] = b[i : i + arg] * 3
        elif kind == "zero":
            b[i : i + arg] = bytes(len(b[i : i + arg]))
        elif kind == "byte":
            b[i] = arg
    return bytes(b)


def vm_hwm_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over from the parent
    across fork and exec, so a child of a big pytest process would report the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Tally:
    def __init__(self, target: str):
        self.target, self.files, self.findings, self.errors, self.ok = target, 0, 0, 0, 0
        self.tracebacks: list[str] = []
        self.slowest = 0.0

    def report(self, seconds: float) -> dict:
        return {
            "target": self.target, "files": self.files, "read": self.ok, "findings": self.findings,
            "errors": self.errors, "tracebacks": len(self.tracebacks), "first_tracebacks": self.tracebacks[:3],
            "max_seconds_per_file": round(self.slowest, 3), "seconds": round(seconds, 1),
            "peak_mb": round(vm_hwm_mb()),  # the .xls readers' children are capped by their own limit
        }


def fuzz_reader(budget: int, seed: int) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    from app.errors import StationError
    from app.roster.reader import read_roster
    from app.roster.validate import validate

    tmp = Path(tempfile.mkdtemp(prefix="fuzz-roster-"))
    seeds = _roster_seeds(tmp)
    print(f"# roster files under {tmp} (the one being read is kept if the process dies)", file=sys.stderr, flush=True)
    tally = Tally("roster reader + validator")

    @hseed(seed)
    @settings(max_examples=budget, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(range(len(seeds))), _mutations(st))
    def run(k, edits):
        suffix, data = seeds[k]
        path = tmp / f"f{tally.files}{suffix}"
        path.write_bytes(_apply(data, edits))
        tally.files += 1
        t0 = time.perf_counter()
        rss0 = vm_hwm_mb()
        try:
            raw = read_roster(path)
            checked = validate(raw)
            tally.ok += 1
            if checked.findings:
                tally.findings += 1
        except StationError:
            tally.errors += 1
        except Exception:  # noqa: BLE001 - what we are looking for
            tally.tracebacks.append(f"{path.name} (seed {k}, {edits!r}): {traceback.format_exc()[-1500:]}")
        finally:
            tally.slowest = max(tally.slowest, time.perf_counter() - t0)
            grew = vm_hwm_mb() - rss0
            if grew > 200:  # a file that made the reader take memory: kept and named
                keep = tmp / f"memory-{int(grew)}mb-{path.name}"
                path.rename(keep)
                print(f"# {keep} took {grew:.0f} MB more", file=sys.stderr, flush=True)
            if tally.files % 50 and path.exists():  # keep one in fifty for a look (the directory is small)
                path.unlink(missing_ok=True)

    t0 = time.perf_counter()
    run()
    return tally.report(time.perf_counter() - t0)


def fuzz_image(budget: int, seed: int) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    from qc.decode import DecodeError, decode_bytes

    seeds = _image_seeds()
    tally = Tally("image loader (qc.decode)")

    @hseed(seed)
    @settings(max_examples=budget, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(range(len(seeds))), _mutations(st))
    def run(k, edits):
        data = _apply(seeds[k], edits)
        tally.files += 1
        t0 = time.perf_counter()
        try:
            decode_bytes(data)
            tally.ok += 1
        except DecodeError:
            tally.errors += 1
        except Exception:  # noqa: BLE001
            tally.tracebacks.append(f"seed {k}, {edits!r}: {traceback.format_exc()[-1500:]}")
        finally:
            tally.slowest = max(tally.slowest, time.perf_counter() - t0)

    t0 = time.perf_counter()
    run()
    return tally.report(time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=int, default=100, help="examples per target")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", choices=("reader", "image"), action="append")
    args = ap.parse_args(argv)
    for target in args.target or ["reader", "image"]:
        res = (fuzz_reader if target == "reader" else fuzz_image)(args.budget, args.seed)
        print(json.dumps(res, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
