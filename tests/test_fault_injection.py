"""Fault injection: the real shot path killed with SIGKILL at each step in turn, then restarted.

scripts/fault_shot.py drives app.workflow.Workflow as `station shoot` does
(scan → capture on libgphoto2's virtual camera → save → record → check →
select) in a child process; ``STATION_FAULT_AT=<point>:<n>`` kills it at that
point of the n-th student (capture/faultpoint.py). The restart is what a
station does on start (Workflow.recover, a minute later: interrupted writes
older than their grace are finished), and then:

- every photo the camera delivered is recorded: as the student's shot, or
  waiting for a student (offered for recovery) — lost = 0;
- no record points to a missing file or to a file with another sha256;
- every photo file is recorded once; no ``.part`` is left; no ``-2`` copy;
- ``PRAGMA integrity_check`` is ok;
- the next shot of the killed student gets a name no file has had.

One run per point in the suite (the real photo checks only at the check
points). ``FAULT_RUNS=5`` runs each point 5 times, on the 1st..3rd student in turn,
and prints the table for docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "fault_shot.py"
sys.path.insert(0, str(ROOT / "scripts"))
from fault_shot import DELIVERED_FROM, POINTS  # noqa: E402

CODES_PER_RUN = 3


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A station database with an invented roster, copied for each run."""
    from app.db import open_db
    from app.demo_data import write_demo_roster
    from app.roster.importer import import_roster

    d = tmp_path_factory.mktemp("fault_template")
    write_demo_roster(d / "r.xlsx", n=12, seed=7)
    db = open_db(f"sqlite:///{d / 'station.db'}")
    with db.session() as s:
        import_roster(s, d / "r.xlsx")
        s.commit()
        from app.models import Student

        codes = [x for x in s.scalars(select(Student.student_no).order_by(Student.id).limit(CODES_PER_RUN))]
    db.dispose()
    return d / "station.db", codes


@pytest.fixture(scope="module")
def camera_folder(tmp_path_factory, demo_portraits):
    from capture.virtual import prepare_virtual_camera

    return prepare_virtual_camera(tmp_path_factory.mktemp("fault_vcam"), sources=[demo_portraits["pass"]])


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def run_point(point: str, nth: int, work: Path, template_db: Path, codes: list[str], camera: Path) -> dict:
    """Kill the shot path at ``point`` on the ``nth`` student, restart, check; returns the row's figures."""
    from app.db import open_db
    from app.models import Shot
    from app.workflow import Workflow

    work.mkdir(parents=True)
    dbfile = work / "station.db"
    a, b = sqlite3.connect(template_db), sqlite3.connect(dbfile)
    a.backup(b)
    a.close()
    b.close()
    captures = work / "captures"
    env = dict(os.environ, STATION_FAULT_AT=f"{point}:{nth}", VCAMERADIR=str(camera), PYTHONPATH=str(ROOT),
               STATION_LOG=str(work / "station.log"))
    cmd = [sys.executable, str(SCRIPT), "--db", f"sqlite:///{dbfile}", "--captures", str(captures), *codes]
    if point.startswith("check."):
        cmd.insert(2, "--checks")
    r = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    killed = r.returncode == -signal.SIGKILL
    assert killed, f"{point}:{nth} not reached (exit {r.returncode}): {r.stdout.decode()} {r.stderr.decode()[-2000:]}"
    steps = [json.loads(x) for x in r.stdout.decode().splitlines() if x.startswith("{")]
    delivered = (nth - 1) + (1 if POINTS.index(point) >= POINTS.index(DELIVERED_FROM) else 0)

    # the restart, a minute later (what the window and `station shoot` do first)
    for p in captures.rglob("*.part"):
        os.utime(p, (time.time() - 60, time.time() - 60))
    db = open_db(f"sqlite:///{dbfile}")
    wf = Workflow(db, capture_folder=captures)
    try:
        res = wf.recover(verify_hashes=True)
        files = sorted(p for p in captures.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(captures).parts))
        hidden = sorted(p for p in captures.rglob("*") if p.is_file() and p not in files)
        with db.session() as s:
            shots = s.scalars(select(Shot)).all()
            by_path = {}
            for sh in shots:
                p = Path(sh.path)
                assert p.is_file(), f"{point}: a record points to a missing file {p}"
                assert _sha(p) == sh.sha256, f"{point}: a record points to a different file {p}"
                by_path.setdefault(p.resolve(), []).append(sh.id)
            waiting = sum(1 for sh in shots if sh.student_id is None)
        assert all(len(v) == 1 for v in by_path.values()), f"{point}: a file recorded twice"
        unrecorded = [p for p in files if p.resolve() not in by_path]
        assert unrecorded == [], f"{point}: photo files nobody recorded: {unrecorded}"
        assert hidden == [], f"{point}: left behind: {hidden}"
        assert not [p for p in files if p.stem.rsplit("-", 1)[-1].isdigit() and "-" in p.stem], f"{point}: a -2 copy"
        lost = delivered - len(files)
        assert lost == 0, f"{point}:{nth}: delivered {delivered}, on disk and recorded {len(files)}"
        con = sqlite3.connect(dbfile)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        # the killed student is photographed again: the new name is one no file has had
        killed_code = codes[nth - 1]
        found = wf.identify(killed_code)
        if found.needs_confirmation:
            wf.confirm_duplicate()
        new = wf.next_path(".jpg")
        assert new.stem not in {p.stem for p in files}, f"{point}: name {new.name} reused"
    finally:
        wf.close()
        db.dispose()
    return {"point": point, "delivered": delivered, "recovered": res.recorded, "finished": res.finished,
            "waiting": waiting, "lost": lost, "steps": len(steps)}


def test_the_shot_path_killed_at_each_step_loses_nothing(tmp_path, template, camera_folder):
    template_db, codes = template
    runs = int(os.environ.get("FAULT_RUNS", "1"))
    rows: dict[str, dict] = {}
    t0 = time.monotonic()
    for point in POINTS:
        for i in range(runs):
            nth = 2 if runs == 1 else 1 + i % CODES_PER_RUN
            got = run_point(point, nth, tmp_path / f"{point}-{i}", template_db, codes, camera_folder)
            row = rows.setdefault(point, {"runs": 0, "delivered": 0, "recovered": 0, "lost": 0})
            row["runs"] += 1
            for k in ("delivered", "recovered", "lost"):
                row[k] += got[k]
    took = time.monotonic() - t0
    table = ["| step (killed at) | runs | delivered | recovered at restart | lost |", "|---|---:|---:|---:|---:|"]
    for point, row in rows.items():
        table.append(f"| `{point}` | {row['runs']} | {row['delivered']} | {row['recovered']} | {row['lost']} |")
    print("\n".join(table) + f"\n\n{sum(r['runs'] for r in rows.values())} kills in {took:.0f} s")
    assert all(r["lost"] == 0 for r in rows.values())
    # the points after the save but before the record are where recovery earns its keep
    assert rows["save.published"]["recovered"] >= 1 and rows["record.flushed"]["recovered"] >= 1
