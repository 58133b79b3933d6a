"""Merging station databases: the site view equals the single-database view; idempotent; conflicts."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import open_db
from app.models import MergeConflict, Selection, Shot, Station, Student
from tests._reports_day import build_day

TABLES = ["stations", "students", "shots", "selections", "absences", "data_issues", "sign_sheet_counts",
          "roster_findings", "merge_conflicts"]


def clone(src: Path, dst: Path) -> Path:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    with b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def keep_station(path: Path, number: int, *, new_student_uids: bool) -> None:
    """Turn a copy of the whole day into what one station's own database holds."""
    con = sqlite3.connect(path)
    with con:
        other = con.execute("SELECT id FROM stations WHERE number != ?", (number,)).fetchone()[0]
        for table in ("selections", "shots", "absences", "data_issues"):
            con.execute(f"DELETE FROM {table} WHERE station_id = ?", (other,))
        con.execute("DELETE FROM stations WHERE id = ?", (other,))
        con.execute("UPDATE stations SET is_local = 1")
        if number == 2:
            # 机位2 never saw the unlisted student nor the sign sheets, and imported the roster itself
            con.execute("DELETE FROM students WHERE unlisted = 1")
            con.execute("DELETE FROM sign_sheet_counts")
        if new_student_uids:
            for (sid,) in con.execute("SELECT id FROM students").fetchall():
                con.execute("UPDATE students SET uid = ? WHERE id = ?", (uuid.uuid4().hex, sid))
    con.close()


def counts(db_path: Path) -> dict[str, int]:
    con = sqlite3.connect(db_path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


@pytest.fixture
def site(tmp_path):
    """reference.db (the whole day in one database), station1.db, and 机位2's folder copied to a USB stick."""
    ref = tmp_path / "reference.db"
    db = open_db(f"sqlite:///{ref}")
    with db.session() as s:
        build_day(s, tmp_path / "photos")
    db.dispose()
    st1 = keep_station(clone(ref, tmp_path / "station1.db"), 1, new_student_uids=False) or tmp_path / "station1.db"
    usb = tmp_path / "usb"
    usb.mkdir()
    st2 = clone(ref, usb / "station.db")
    keep_station(st2, 2, new_student_uids=True)
    # the stick holds 机位2's photos; the paths in its database are those of the other laptop
    shutil.move(tmp_path / "photos" / "station2", usb / "photos" / "station2")
    return {"ref": ref, "st1": st1, "st2": st2, "tmp": tmp_path}


def reconcile_json(run_cli, db_path: Path, *args) -> dict:
    code, out, err = run_cli("--db", db_path, "report", "reconcile", "--date", "2019-03-16", *args, "--json", db=False)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("period", ["morning", "afternoon", "day"])
def test_merged_site_reconciles_like_one_database(site, run_cli, period):
    code, out, err = run_cli("--db", site["st1"], "merge", site["st2"], db=False)
    assert code == 0, err
    merged = reconcile_json(run_cli, site["st1"], "--period", period, "--whole-roster")
    reference = reconcile_json(run_cli, site["ref"], "--period", period, "--whole-roster")
    assert merged == reference
    c = counts(site["st1"])
    ref = counts(site["ref"])
    assert {k: c[k] for k in ("students", "shots", "selections", "absences", "data_issues", "sign_sheet_counts")} == {
        k: ref[k] for k in ("students", "shots", "selections", "absences", "data_issues", "sign_sheet_counts")
    }
    assert c["roster_findings"] == ref["roster_findings"]  # matched students bring no duplicate findings


def test_photos_are_found_on_the_stick_copied_and_verified(site, run_cli):
    code, out, err = run_cli("--db", site["st1"], "merge", site["st2"], "--json", db=False)
    res = json.loads(out)
    assert res["photos_copied"] == res["shots_added"] == 26 and res["photos_missing"] == 0
    assert res["students_matched"] == 61 and res["students_added"] == 0
    db = open_db(f"sqlite:///{site['st1']}")
    with db.session() as s:
        st2 = s.scalars(select(Station).where(Station.number == 2)).one()
        shots = list(s.scalars(select(Shot).where(Shot.station_id == st2.id)))
        assert not st2.is_local
    db.dispose()
    store = site["tmp"] / "merged_photos"
    for shot in shots:
        p = Path(shot.path)
        assert store in p.parents and hashlib.sha256(p.read_bytes()).hexdigest() == shot.sha256
    # the site can deliver 机位2's students
    code, out, err = run_cli("--db", site["st1"], "export", "photos", "--out", site["tmp"] / "d", "--class", "软件1901",
                             "--no-proof", "--json", db=False)
    assert code == 0 and json.loads(out)["exported"] == 15


def test_merge_twice_is_merge_once(site, run_cli):
    src_sha = hashlib.sha256(site["st2"].read_bytes()).hexdigest()
    run_cli("--db", site["st1"], "merge", site["st2"], db=False)
    once = counts(site["st1"])
    files = sorted(p.name for p in (site["tmp"] / "merged_photos").rglob("*.jpg"))
    code, out, _ = run_cli("--db", site["st1"], "merge", site["st2"], "--json", db=False)
    res = json.loads(out)
    assert code == 0
    assert (res["shots_added"], res["selections_added"], res["absences_added"], res["issues_added"], res["students_added"],
            res["photos_copied"], res["conflicts"]) == (0, 0, 0, 0, 0, 0, 0)
    assert counts(site["st1"]) == once
    assert sorted(p.name for p in (site["tmp"] / "merged_photos").rglob("*.jpg")) == files
    # the source database was only read
    assert hashlib.sha256(site["st2"].read_bytes()).hexdigest() == src_sha


def test_merge_into_a_new_site_database(site, run_cli):
    site_db = site["tmp"] / "site" / "site.db"
    site_db.parent.mkdir()
    code, out, err = run_cli("--db", site["st1"], "merge", site["st1"], site["st2"], "--into", site_db, db=False)
    assert code == 0, err
    assert reconcile_json(run_cli, site_db, "--period", "day", "--whole-roster") == reconcile_json(
        run_cli, site["ref"], "--period", "day", "--whole-roster"
    )
    c = counts(site_db)
    assert c["stations"] == 2 and c["students"] == 62 and c["roster_findings"] == 1
    code, out, _ = run_cli("--db", site_db, "audit", "--action", "merge", "--json", db=False)
    assert len(out.strip().splitlines()) == 2


def test_two_selections_for_one_student_are_flagged_and_decided(site, run_cli):
    # 机位2 also photographed and selected X1901001, who was selected on 机位1
    src = site["tmp"] / "photos" / "station1" / "IMG_0001.jpg"
    extra = site["tmp"] / "usb" / "photos" / "station2" / "IMG_9999.jpg"
    shutil.copy(src, extra)
    data = extra.read_bytes()
    extra_uid = uuid.uuid4().hex
    con = sqlite3.connect(site["st2"])
    with con:
        sid = con.execute("SELECT id FROM students WHERE student_no = 'X1901001'").fetchone()[0]
        st = con.execute("SELECT id FROM stations").fetchone()[0]
        cur = con.execute(
            "INSERT INTO shots (uid, student_id, station_id, path, sha256, bytes, taken_at, source, status, qc_verdict)"
            " VALUES (?, ?, ?, ?, ?, ?, '2019-03-16 15:00:00.000000', 'app', 'accepted', 'pass')",
            (extra_uid, sid, st, str(extra), hashlib.sha256(data).hexdigest(), len(data)),
        )
        con.execute(
            "INSERT INTO selections (uid, student_id, shot_id, station_id, selected_at, needs_decision)"
            " VALUES (?, ?, ?, ?, '2019-03-16 15:00:20.000000', 0)",
            (uuid.uuid4().hex, sid, cur.lastrowid, st),
        )
    con.close()
    code, out, err = run_cli("--db", site["st1"], "merge", site["st2"], db=False)
    assert code == 0 and "冲突 1" in out
    assert "在多个机位拍摄过的学生: 1" in out and "X1901001" in out and "(机位1、机位2)" in out
    assert reconcile_json(run_cli, site["st1"], "--period", "day")["needs_decision"] == 1
    code, out, _ = run_cli("--db", site["st1"], "merge", "--conflicts", db=False)
    assert "X1901001" in out and extra_uid[:12] in out and "待决定 1 人" in out
    assert "3210" in out and "**********" in out  # masked ID on screen

    code, out, err = run_cli("--db", site["st1"], "merge", "--choose", extra_uid[:10], db=False)
    assert code == 0, err
    db = open_db(f"sqlite:///{site['st1']}")
    with db.session() as s:
        x1 = s.scalars(select(Student).where(Student.student_no == "X1901001")).one()
        sel = s.scalars(select(Selection).where(Selection.student_id == x1.id)).one()
        assert s.get(Shot, sel.shot_id).uid == extra_uid and not sel.needs_decision
        assert s.scalars(select(MergeConflict)).one().decided_at is not None
    db.dispose()
    # merging the stick again does not bring the decided conflict back
    code, out, _ = run_cli("--db", site["st1"], "merge", site["st2"], "--json", db=False)
    assert json.loads(out)["conflicts"] == 0
    assert reconcile_json(run_cli, site["st1"], "--period", "day")["needs_decision"] == 0
    assert counts(site["st1"])["merge_conflicts"] == 1


def test_bad_sources_are_refused(site, run_cli):
    code, _, err = run_cli("--db", site["st1"], "merge", site["st1"], db=False)
    assert code == 2 and "自己" in err
    code, _, err = run_cli("--db", site["st1"], "merge", site["tmp"] / "nope.db", db=False)
    assert code == 3 and "找不到" in err
    junk = site["tmp"] / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    code, _, err = run_cli("--db", site["st1"], "merge", junk, db=False)
    assert code == 2
    before = counts(site["st1"])
    assert counts(site["st1"]) == before
    db = open_db(f"sqlite:///{site['st1']}")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Shot)) == before["shots"]
    db.dispose()
