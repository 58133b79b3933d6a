"""Benchmark: site merge + reconciliation at full size, and the delivery export rate.

    .venv/bin/python bench/bench_reports.py [--students 20000] [--shots 15000] [--stations 6]
                                            [--repeat 5] [--photos 40] [--mp 24]

1. Builds one database per station (each imported the same 20,000-student
   roster itself, so student uids differ), with its share of 15,000 shots
   (retakes included), selections, absences and data issues over one day;
   merges the six into a new site database (``station merge`` code path,
   photos not copied since these shots have no files) and times it.
2. Times the reconciliation of the merged site for the whole day and the whole
   roster (the biggest report: every missing student listed), build + xlsx,
   median of ``--repeat`` runs; then once more through the `station` command
   in a fresh process (imports included).
3. Exports ``--photos`` students whose originals are real ``--mp``-megapixel
   JPEGs (the astronaut scaled up) and reports photos per second for the first
   run (copy + verify + crop + JPEG size search + proof sheets) and for a second
   run (everything already in place: hash and compare only). The frames carry
   sensor-like noise so that each original weighs what a camera's JPEG does.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from app.db import open_db  # noqa: E402
from app.models import Absence, DataIssue, Selection, Shot, Station, Student  # noqa: E402

DAY = datetime(2019, 3, 16)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(i: int) -> str:
    body = f"32100219{98 + i % 3:02d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def roster(n: int) -> list[dict]:
    rows = []
    per_class, classes_per_college = 40, 50
    for i in range(n):
        c = i // per_class
        college = f"学院{c // classes_per_college + 1:02d}"
        rows.append(
            dict(grad_year="2019", school="扬州大学", major=f"专业{c // 5:03d}", class_name=f"班级{c:04d}",
                 student_no=f"2015{i:06d}", id_number=id_number(i), name=f"学生{i}", gender="男女"[i % 2],
                 exam_no=f"15321002{i:06d}", college=college, roster_order=i, roster_row=i + 2)
        )
    return rows


def qc_json(verdict: str) -> str:
    # the size of a real report (twelve checks, regions, crop)
    checks = {
        name: {"verdict": "pass", "score": 0.1, "value": 0.2, "reason": "", "regions": [{"label": name, "box": [0.1, 0.2, 0.3, 0.4]}]}
        for name in ("face_count", "framing", "pose", "eyes_open", "glasses", "eyebrows_visible", "ears_visible",
                     "white_top", "sharpness", "exposure", "background", "jewelry")
    }
    if verdict == "fail":
        checks["white_top"].update(verdict="fail", reason="上衣不是白色, 请换白色上衣")
    return json.dumps({"path": None, "verdict": verdict, "checks": checks, "ms": 140.0, "size": [6000, 4000],
                       "crop": [0.3, 0.1, 0.7, 0.7]}, ensure_ascii=False)


def build_stations(folder: Path, n_students: int, n_shots: int, n_stations: int, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    base = roster(n_students)
    order = list(range(n_students))
    rng.shuffle(order)
    retakes = n_shots * 2 // 15  # ~13 % of shots are retakes
    photographed = order[: n_shots - retakes]
    absent = order[n_shots - retakes : n_shots - retakes + 1000]
    share = [photographed[i::n_stations] for i in range(n_stations)]
    retake_set = set(rng.sample(photographed, retakes))
    pass_json, fail_json = qc_json("pass"), qc_json("fail")
    paths = []
    for k in range(n_stations):
        path = folder / f"station{k + 1}.db"
        db = open_db(f"sqlite:///{path}")
        with db.session() as s:
            s.execute(insert(Station), [dict(uid=uuid.uuid4().hex, number=k + 1, name=f"机位{k + 1}", is_local=True)])
            st_id = 1
            s.execute(insert(Student), [dict(r, uid=uuid.uuid4().hex) for r in base])
            shots, sels = [], []
            t = DAY.replace(hour=8)
            for j, idx in enumerate(share[k]):
                t = DAY.replace(hour=8) + timedelta(seconds=j * 8 * 3600 / len(share[k]))
                sid = idx + 1
                if idx in retake_set:
                    shots.append(dict(uid=uuid.uuid4().hex, student_id=sid, station_id=st_id, path=f"/captures/{k}/{idx}a.jpg",
                                      sha256=f"{idx:064x}", bytes=6_000_000, taken_at=t - timedelta(seconds=15),
                                      qc_verdict="fail", qc_json=fail_json, status="retake"))
                override = "复核通过" if idx % 50 == 0 else None
                shots.append(dict(uid=uuid.uuid4().hex, student_id=sid, station_id=st_id, path=f"/captures/{k}/{idx}.jpg",
                                  sha256=f"{idx + 1:064x}", bytes=6_000_000, taken_at=t,
                                  qc_verdict="fail" if override else "pass", qc_json=fail_json if override else pass_json,
                                  status="accepted", override_reason=override))
                sels.append(dict(uid=uuid.uuid4().hex, student_id=sid, station_id=st_id, selected_at=t + timedelta(seconds=5),
                                 override_reason=override))
            s.execute(insert(Shot), shots)
            # shot ids follow insertion order: the accepted shot of each student is its last one
            last_shot = {}
            for i, row in enumerate(shots, start=1):
                last_shot[row["student_id"]] = i
            for sel in sels:
                sel["shot_id"] = last_shot[sel["student_id"]]
            s.execute(insert(Selection), sels)
            s.execute(insert(Absence), [dict(uid=uuid.uuid4().hex, student_id=idx + 1, station_id=st_id, reason="leave",
                                             marked_at=DAY.replace(hour=9)) for idx in absent[k::n_stations]])
            s.execute(insert(DataIssue), [dict(uid=uuid.uuid4().hex, student_id=idx + 1, station_id=st_id, kind="id_wrong",
                                               field="Sfzh", source="camera", reported_at=DAY.replace(hour=10))
                                          for idx in share[k][:10]])
            s.commit()
        db.dispose()
        paths.append(path)
    return paths


def bench_reconcile(args, tmp: Path) -> dict:
    t0 = time.perf_counter()
    stations = build_stations(tmp, args.students, args.shots, args.stations)
    build_s = time.perf_counter() - t0
    from app import merge

    site = open_db(f"sqlite:///{tmp / 'site.db'}")
    t0 = time.perf_counter()
    results = merge.merge_files(site, [str(p) for p in stations], copy_photos=False)
    merge_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = merge.merge_files(site, [str(p) for p in stations], copy_photos=False)
    remerge_s = time.perf_counter() - t0
    assert sum(r.shots_added for r in again) == 0

    from app import period
    from app.reports import reconcile

    per = period.resolve(split=period.parse_split("12:30"), name="day", day="2019-03-16")
    builds, writes, totals, cpu = [], [], [], []
    for _ in range(args.repeat):
        with site.session() as s:
            c0 = time.process_time()
            t0 = time.perf_counter()
            rec = reconcile.build(s, per, whole_roster=True)
            t1 = time.perf_counter()
            reconcile.write(rec, tmp / "rec.xlsx")
            t2 = time.perf_counter()
            cpu.append(time.process_time() - c0)
        builds.append(t1 - t0)
        writes.append(t2 - t1)
        totals.append(t2 - t0)
    site.dispose()

    def run(*argv: str) -> tuple[float, subprocess.CompletedProcess]:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp / "site.db"), *argv],
                              cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        return time.perf_counter() - t0, proc

    cli, base = [], []
    for _ in range(3):
        # side by side: the whole command, and what any `station` command pays to start and open the database
        dt, proc = run("report", "reconcile", "--date", "2019-03-16", "--period", "day", "--whole-roster",
                       "--out", str(tmp / "rec_cli.xlsx"), "--json")
        cli.append(dt)
        base.append(run("config", "day.half_day_split")[0])
    cli_s = statistics.median(cli)
    data = json.loads(proc.stdout)
    return {
        "students": args.students,
        "shots": sum(r.shots_added for r in results),
        "stations": args.stations,
        "build_station_dbs_s": round(build_s, 2),
        "merge_s": round(merge_s, 2),
        "remerge_s": round(remerge_s, 2),
        "reconcile_build_median_s": round(statistics.median(builds), 3),
        "reconcile_xlsx_median_s": round(statistics.median(writes), 3),
        "reconcile_total_median_s": round(statistics.median(totals), 3),
        "reconcile_total_runs_s": [round(x, 3) for x in totals],
        "reconcile_cpu_median_s": round(statistics.median(cpu), 3),  # this process only: less noisy on a shared box
        "reconcile_cli_wall_median_s": round(cli_s, 2),
        "station_config_wall_median_s": round(statistics.median(base), 2),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "roster": data["roster"],
        "photographed": data["photographed"],
        "not_photographed": data["not_photographed"],
        "xlsx_bytes": (tmp / "rec.xlsx").stat().st_size,
    }


def bench_export(args, tmp: Path) -> dict:
    from PIL import Image
    from skimage import data

    from app import export
    from qc.checker import Checker

    w = int((args.mp * 1e6 * 1.5) ** 0.5)
    h = int(w / 1.5)
    # a portrait-orientation camera frame: the astronaut scaled into the middle of a light backdrop
    frame = Image.new("RGB", (h, w), (235, 235, 235))
    face = Image.fromarray(data.astronaut()).resize((h, h), Image.Resampling.LANCZOS)
    frame.paste(face, (0, (w - h) // 2))
    # sensor noise, so the originals weigh what a camera's do (a clean upscale compresses 5x better)
    import numpy as np

    arr = np.asarray(frame, dtype=np.int16)
    arr = arr + np.random.default_rng(0).normal(0, 4, arr.shape).astype(np.int16)
    frame = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    del arr
    crop = Checker().check_image(np.asarray(frame.resize((h // 8, w // 8)))).crop
    if crop is None:
        raise SystemExit("the checker found no face in the benchmark frame")
    photos = tmp / "photos"
    photos.mkdir()
    db = open_db(f"sqlite:///{tmp / 'export.db'}")
    import hashlib

    with db.session() as s:
        s.add(Station(number=1, name="机位1"))
        s.flush()
        for i in range(args.photos):
            frame.putpixel((i, 0), (i, i, i))
            buf = io.BytesIO()
            frame.save(buf, "JPEG", quality=92)
            p = photos / f"IMG_{i:04d}.jpg"
            p.write_bytes(buf.getvalue())
            st = Student(school="扬州大学", college="学院01", major="专业", class_name=f"班级{i // 30}",
                         student_no=f"2015{i:06d}", id_number=id_number(i), name=f"学生{i}", roster_order=i)
            s.add(st)
            s.flush()
            shot = Shot(student_id=st.id, station_id=1, path=str(p), sha256=hashlib.sha256(buf.getvalue()).hexdigest(),
                        bytes=len(buf.getvalue()), taken_at=DAY.replace(hour=9), qc_verdict="pass",
                        qc_json=json.dumps({"verdict": "pass", "checks": {}, "crop": list(crop)}))
            s.add(shot)
            s.flush()
            s.add(Selection(student_id=st.id, shot_id=shot.id, station_id=1))
        s.commit()
    size_mb = sum(p.stat().st_size for p in photos.iterdir()) / len(list(photos.iterdir())) / 1e6
    out = {"photos": args.photos, "megapixels": round(w * h / 1e6, 1), "original_mb": round(size_mb, 1),
           "workers": min(4, os.cpu_count() or 1)}
    for label in ("first_run", "second_run"):
        with db.session() as s:
            t0 = time.perf_counter()
            res = export.export_photos(s, tmp / "out")
            dt = time.perf_counter() - t0
        assert res.exported == args.photos, res.summary()
        out[f"{label}_s"] = round(dt, 2)
        out[f"{label}_photos_per_s"] = round(args.photos / dt, 1)
        out[f"{label}_written"] = res.written_photos + res.written_originals
    sizes = [p.stat().st_size for p in (tmp / "out" / "照片").rglob("*.jpg")]
    out["delivery_kb_min_max"] = [round(min(sizes) / 1024, 1), round(max(sizes) / 1024, 1)]
    db.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=20000)
    ap.add_argument("--shots", type=int, default=15000)
    ap.add_argument("--stations", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--photos", type=int, default=40)
    ap.add_argument("--mp", type=float, default=24)
    ap.add_argument("--skip-export", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        rec = bench_reconcile(args, Path(tmp))
        print(json.dumps({"reconcile": rec}, ensure_ascii=False), flush=True)
    if not args.skip_export:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
            print(json.dumps({"export": bench_export(args, Path(tmp))}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
