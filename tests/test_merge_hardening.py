"""`station merge` against a crafted, foreign or newer database, and beside a station that keeps shooting."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from tests.test_merge import counts, site  # noqa: F401  (the site fixture: station1.db and 机位2 on a stick)


def _add_shot(db_path: Path, path: str, sha: str, size: int) -> str:
    uid = uuid.uuid4().hex
    con = sqlite3.connect(db_path)
    with con:
        sid = con.execute("SELECT id FROM students ORDER BY id LIMIT 1").fetchone()[0]
        st = con.execute("SELECT id FROM stations").fetchone()[0]
        con.execute(
            "INSERT INTO shots (uid, student_id, station_id, path, sha256, bytes, taken_at, source, status)"
            " VALUES (?, ?, ?, ?, ?, ?, '2019-03-16 16:00:00.000000', 'app', 'new')",
            (uid, sid, st, path, sha, size),
        )
    con.close()
    return uid


def test_a_crafted_database_cannot_copy_files_from_outside_its_folder(site, run_cli):  # noqa: F811
    secret = site["tmp"] / "outside" / "secret.txt"  # a file beside, not inside, the stick's folder
    secret.parent.mkdir()
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    sha = hashlib.sha256(secret.read_bytes()).hexdigest()
    passwd = Path("/etc/passwd")
    psha = hashlib.sha256(passwd.read_bytes()).hexdigest() if passwd.is_file() else sha
    _add_shot(site["st2"], str(secret), sha, secret.stat().st_size)  # absolute, outside
    _add_shot(site["st2"], "../outside/secret.txt", sha, secret.stat().st_size)  # leads out with ..
    _add_shot(site["st2"], "/etc/passwd", psha, 10)
    link = site["st2"].parent / "photos" / "station2" / "evil.jpg"
    link.symlink_to(secret)  # a symlink inside that points out
    _add_shot(site["st2"], str(link), sha, secret.stat().st_size)
    from app import merge
    from app.db import open_db

    target = open_db(f"sqlite:///{site['st1']}")
    try:
        (res,) = merge.merge_files(target, [str(site["st2"])])
    finally:
        target.dispose()
    assert len(res.photos_refused) == 4 and res.photos_copied == 26
    stored = [p.read_bytes() for p in (site["tmp"] / "merged_photos").rglob("*") if p.is_file()]
    assert len(stored) == 26 and not any(b"root:" in b for b in stored)


def test_an_unrelated_sqlite_file_is_refused(site, run_cli, tmp_path):  # noqa: F811
    other = tmp_path / "browser_history.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO urls (url) VALUES ('http://example.org')")
    con.commit()
    con.close()
    before = counts(site["st1"])
    code, _, err = run_cli("--db", site["st1"], "merge", other, db=False)
    assert code == 2 and "不是机位数据库" in err and "Traceback" not in err
    assert counts(site["st1"]) == before


def test_a_database_from_a_newer_version_is_refused(site, run_cli):  # noqa: F811
    con = sqlite3.connect(site["st2"])
    with con:
        con.execute("UPDATE alembic_version SET version_num = 'z99_from_the_future'")
    con.close()
    before = counts(site["st1"])
    code, _, err = run_cli("--db", site["st1"], "merge", site["st2"], db=False)
    assert code == 2 and "更新版本" in err and "z99_from_the_future" in err
    assert counts(site["st1"]) == before


def test_refused_paths_are_said(site, run_cli):  # noqa: F811
    _add_shot(site["st2"], "/etc/passwd", "0" * 64, 10)
    code, _, err = run_cli("--db", site["st1"], "merge", site["st2"], db=False)
    assert code == 0 and "之外" in err and "/etc/passwd" in err


def test_rows_with_a_known_uid_and_other_data_are_reported(site, run_cli):  # noqa: F811
    # station 1 and the stick share students by uid in the reference day; change one on the stick
    c1 = sqlite3.connect(site["st1"])
    uid, name = c1.execute("SELECT uid, name FROM students ORDER BY id LIMIT 1").fetchone()
    c1.close()
    c2 = sqlite3.connect(site["st2"])
    with c2:
        c2.execute("UPDATE students SET uid = ?, name = ? WHERE id = (SELECT id FROM students ORDER BY id LIMIT 1)",
                   (uid, name + "改"))
    c2.close()
    code, out, err = run_cli("--db", site["st1"], "merge", site["st2"], "--json", db=False)
    assert code == 0, err
    assert json.loads(out)["not_taken"] >= 1
    code, out, err = run_cli("--db", site["st1"], "merge", site["st2"], db=False)
    assert "未采用" in err and f"{name} ≠ {name}改" in err
    c1 = sqlite3.connect(site["st1"])
    assert c1.execute("SELECT name FROM students WHERE uid = ?", (uid,)).fetchone()[0] == name  # ours kept
    c1.close()


def test_a_station_beside_the_merge_keeps_writing_while_photos_are_copied(site, run_cli):  # noqa: F811
    # make 机位2's photos camera-sized (8 MB each: padding after the JPEG's end) so copying them takes a while
    con = sqlite3.connect(site["st2"])
    with con:
        for sid, path in con.execute("SELECT id, path FROM shots").fetchall():
            p = site["st2"].parent / "photos" / "station2" / Path(path).name
            data = p.read_bytes() + bytes(8_000_000)
            p.write_bytes(data)
            con.execute("UPDATE shots SET sha256 = ?, bytes = ? WHERE id = ?",
                        (hashlib.sha256(data).hexdigest(), len(data), sid))
    con.close()
    w = sqlite3.connect(site["st1"], timeout=0.5, isolation_level=None, check_same_thread=False)
    w.execute("PRAGMA busy_timeout=500")
    w.execute("CREATE TABLE IF NOT EXISTS probe (t REAL)")
    stop = threading.Event()
    errors: list[str] = []
    writes = [0]

    def station_shooting() -> None:  # a write every 20 ms, as a busy station records shots
        while not stop.is_set():
            try:
                w.execute("INSERT INTO probe VALUES (?)", (time.time(),))
                writes[0] += 1
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
            time.sleep(0.02)

    th = threading.Thread(target=station_shooting)
    th.start()
    t0 = time.monotonic()
    try:
        code, out, err = run_cli("--db", site["st1"], "merge", site["st2"], "--json", db=False)
    finally:
        stop.set()
        th.join()
        w.close()
    took = time.monotonic() - t0
    assert code == 0, err
    assert json.loads(out)["photos_copied"] == 26
    assert errors == [], f"{len(errors)} writes failed during a {took:.1f} s merge: {errors[:1]}"
    assert writes[0] > 5


def test_photos_kept_elsewhere_are_read_from_a_folder_the_operator_names(site, run_cli):  # noqa: F811
    # 机位2's capture folder is not beside its database: refused, then allowed with --photos-from
    elsewhere = site["tmp"] / "data" / "captures"
    elsewhere.parent.mkdir()
    (site["st2"].parent / "photos").rename(elsewhere)
    con = sqlite3.connect(site["st2"])
    with con:
        for sid, path in con.execute("SELECT id, path FROM shots").fetchall():
            con.execute("UPDATE shots SET path = ? WHERE id = ?", (str(elsewhere / "station2" / Path(path).name), sid))
    con.close()
    from app import merge
    from app.db import open_db

    other = site["tmp"] / "other_site" / "site.db"
    other.parent.mkdir()
    target = open_db(f"sqlite:///{other}")
    try:
        (res,) = merge.merge_files(target, [str(site["st2"])])
        assert res.photos_copied == 0 and len(res.photos_refused) == 26
    finally:
        target.dispose()
    fresh = site["tmp"] / "fresh.db"
    code, out, err = run_cli("--db", fresh, "merge", site["st1"], site["st2"], "--photos-from", elsewhere,
                             "--json", db=False)
    assert code == 0, err
    second = json.loads(out.strip().splitlines()[-1])
    assert second["photos_copied"] == 26 and second["photos_refused"] == 0
