"""Roster benchmarks: import speed against python-calamine alone, look-up latency, start-up.

    .venv/bin/python bench/bench_roster.py [--rows 50000] [--repeat 5] [--queries 2000]

1. Import: a 50,000-row roster (app.demo_data.write_big_roster, about one row
   in 200 broken), in two forms: as openpyxl writes it (inline strings) and as
   Excel saves it (a shared-strings table). For each, alternately and each in a
   fresh process: python-calamine alone reading the sheet, and
   ``import_roster`` (read + validate + write to a new SQLite file). Medians
   and the ratio. Targets: import <= 1.5 s and <= 3x calamine.
2. Look-up: p50/p99 of ``app.search`` over the 50,000 imported students, for
   each kind of query. Target: p99 <= 2 ms.
3. Start-up: wall time of ``station --help`` and ``station find`` (median).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def to_shared_strings(src: Path, dst: Path) -> Path:
    """Rewrite openpyxl's inline strings into a shared-strings table, as Excel saves."""
    cell = re.compile(r'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.S)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        index: dict[str, int] = {}
        count = 0
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                def repl(m: re.Match) -> str:
                    nonlocal count
                    count += 1
                    k = index.setdefault(m.group(3), len(index))
                    return f'<c r="{m.group(1)}"{m.group(2) or ""} t="s"><v>{k}</v></c>'

                data = cell.sub(repl, data.decode("utf-8")).encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSharedStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            zout.writestr(item, data)
        sst = "".join(f"<si><t>{s}</t></si>" for s in index)
        zout.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" '
            f'uniqueCount="{len(index)}">{sst}</sst>',
        )
    return dst


# --- one measurement per process ---------------------------------------------------


def _one_calamine(path: str) -> dict:
    t0 = time.perf_counter()
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(path)
    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return {"seconds": time.perf_counter() - t0, "rows": len(rows)}


def _one_import(path: str, db_path: str) -> dict:
    from app.db import open_db

    db = open_db(f"sqlite:///{db_path}")
    with db.session() as s:
        from app.roster.importer import import_roster

        t0 = time.perf_counter()
        res = import_roster(s, path)
        took = time.perf_counter() - t0
    db.dispose()
    return {"seconds": took, "timings": res.timings, **res.summary()}


def _run_one(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh_db(tmp: Path, name: str) -> Path:
    p = tmp / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(p) + suffix).unlink(missing_ok=True)
    return p


def bench_import(tmp: Path, files: dict[str, Path], repeat: int) -> dict:
    """calamine alone and the whole import, alternately and for both files in every round."""
    cal: dict[str, list[float]] = {k: [] for k in files}
    imp: dict[str, list[float]] = {k: [] for k in files}
    last: dict[str, dict] = {}
    for k in range(repeat):
        for label, path in files.items():
            cal[label].append(_run_one("calamine", str(path))["seconds"])
            last[label] = _run_one("import", str(path), str(_fresh_db(tmp, f"imp-{k}.db")))
            imp[label].append(last[label]["seconds"])
    results = {}
    for label, path in files.items():
        c, i = statistics.median(cal[label]), statistics.median(imp[label])
        ratios = [b / a for a, b in zip(cal[label], imp[label])]
        results[label] = {"calamine_s": c, "import_s": i, "ratio": i / c}
        print(
            f"import [{label}] {path.stat().st_size / 1e6:.1f} MB: calamine median {c:.3f} s, import median {i:.3f} s,"
            f" ratio of medians {i / c:.2f}x, median of per-round ratios {statistics.median(ratios):.2f}x"
        )
        print(f"    calamine runs: {', '.join(f'{x:.2f}' for x in cal[label])}")
        print(f"    import runs:   {', '.join(f'{x:.2f}' for x in imp[label])}")
        tm = last[label]["timings"]
        print(
            "    last import stages: " + ", ".join(f"{k} {v:.3f}" for k, v in tm.items())
            + f"; rows {last[label]['rows_read']}, flagged {last[label]['flagged']}, warnings {last[label]['warnings']}"
        )
    return results


def bench_reimport(tmp: Path, path: Path) -> float:
    db = _fresh_db(tmp, "reimport.db")
    _run_one("import", str(path), str(db))
    r = _run_one("import", str(path), str(db))
    print(f"re-import of the same {r['rows_read']} rows (all matched, {r['unchanged']} unchanged): {r['seconds']:.3f} s")
    return r["seconds"]


def bench_lookup(db_path: Path, n_queries: int) -> dict:
    from sqlalchemy import select

    from app.db import open_db
    from app.models import Student
    from app.search import lookup_exact, search

    db = open_db(f"sqlite:///{db_path}")
    with db.session() as s:
        students = list(s.execute(select(Student.student_no, Student.id_number, Student.id_last6, Student.exam_no, Student.name, Student.name_initials).where(Student.active.is_(True))))
    rng = random.Random(5)
    sample = [students[rng.randrange(len(students))] for _ in range(n_queries)]
    kinds = {
        "student number (scan)": (lookup_exact, [x[0] for x in sample]),
        "ID number (scan)": (lookup_exact, [x[1] for x in sample]),
        "student number (typed)": (search, [x[0] for x in sample]),
        "ID number (typed)": (search, [x[1] for x in sample]),
        "ID last 6": (search, [x[2] for x in sample if x[2]]),
        "exam number": (search, [x[3] for x in sample]),
        "name": (search, [x[4] for x in sample]),
        "pinyin initials": (search, [x[5] for x in sample if x[5]]),
        "student-number prefix (8 chars)": (search, [x[0][:8] for x in sample]),
        "surname only": (search, [x[4][:1] for x in sample]),
    }
    out = {}
    for label, (fn, queries) in kinds.items():
        times, cpu = [], []
        hits = 0
        for q in queries:
            with db.session() as s:
                c0 = time.thread_time()
                t0 = time.perf_counter()
                found = fn(s, q)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
            hits += bool(found)

        def pct(xs: list[float], p: float) -> float:
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(len(xs) * p))]

        p50, p99 = pct(times, 0.5), pct(times, 0.99)
        out[label] = (p50, p99)
        print(
            f"lookup {label:32s} wall p50 {p50:.3f} ms  p99 {p99:.3f} ms | own CPU p50 {pct(cpu, 0.5):.3f} ms"
            f"  p99 {pct(cpu, 0.99):.3f} ms  ({len(queries)} queries, {hits} found something)"
        )
    db.dispose()
    return out


def bench_startup(db_path: Path, query: str, repeat: int = 5) -> None:
    station = [sys.executable, "-m", "app.cli"]
    for label, argv in (("station --help", ["--help"]), ("station find", ["--db", str(db_path), "find", query])):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([*station, *argv], capture_output=True, cwd=ROOT, check=True)
            times.append(time.perf_counter() - t0)
        print(f"start-up {label:16s} median {statistics.median(times):.3f} s  (runs: {', '.join(f'{x:.2f}' for x in times)})")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--only", choices=["import", "lookup"], help="run one part (with start-up in lookup)")
    ap.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        kind, *rest = args.one
        res = _one_calamine(*rest) if kind == "calamine" else _one_import(*rest)
        print(json.dumps(res))
        return 0

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as d:
        tmp = Path(d)
        from app.demo_data import write_big_roster

        t0 = time.perf_counter()
        inline = write_big_roster(tmp / "roster-inline.xlsx", args.rows)
        shared = to_shared_strings(inline, tmp / "roster-shared.xlsx")
        print(f"wrote the {args.rows}-row roster in {time.perf_counter() - t0:.1f} s")
        if args.only != "lookup":
            bench_import(tmp, {"as Excel saves it (shared strings)": shared, "as openpyxl writes it (inline strings)": inline}, args.repeat)
            bench_reimport(tmp, shared)
        if args.only == "import":
            print(f"load average at the end {os.getloadavg()[0]:.1f}")
            return 0
        db = _fresh_db(tmp, "lookup.db")
        _run_one("import", str(shared), str(db))
        bench_lookup(db, args.queries)
        import sqlite3

        xh = sqlite3.connect(db).execute("select student_no from students limit 1 offset 1234").fetchone()[0]
        bench_startup(db, xh)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
