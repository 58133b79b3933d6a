"""Every foreseeable fault a Chinese sentence, the right exit code, no traceback, nothing half-written left.

Real parts: a real SQLite database, real photos, real full disks (a 2 MB tmpfs,
mounted when the tests run as root, else skipped), a real second writer
holding the database's lock, a real read-only file system.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.errors import DatabaseBusy, DiskFull, PermissionDenied, as_station_error
from app.models import MergeConflict, Selection, Shot, Student


def _mount(path: Path, *opts: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(opts), "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace')}")
    return path


@pytest.fixture
def small_disk(tmp_path):
    """``small_disk(size="2m", ro=False)``: a fresh tmpfs of that size, unmounted after the test."""
    mounted: list[Path] = []

    def make(size: str = "2m", ro: bool = False) -> Path:
        p = _mount(tmp_path / f"disk{len(mounted)}", f"size={size}", *(["ro"] if ro else []))
        mounted.append(p)
        return p

    yield make
    for p in reversed(mounted):
        subprocess.run(["umount", "-l", str(p)], capture_output=True)


def _fill(disk: Path, leave: int = 0) -> None:
    """Fill the file system up to ``leave`` bytes."""
    free = shutil.disk_usage(disk).free - leave
    with open(disk / "filler.bin", "wb") as f:
        block = b"\0" * 65536
        try:
            while free > 0:
                f.write(block[: min(len(block), free)])
                free -= len(block)
            f.flush()
        except OSError:
            pass


def _no_part_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


def _select_photos(db, tmp_path: Path, astronaut_jpeg: Path, n: int) -> None:
    """Give the first n students a recorded, selected real photo (their own copy of the file)."""
    from app.audit import file_sha256
    from app.station import local_station

    folder = tmp_path / "captures"
    folder.mkdir(exist_ok=True)
    with db.session() as s:
        st = local_station(s)
        for stu in s.scalars(select(Student).order_by(Student.id).limit(n)):
            p = folder / f"S01_{stu.student_no}_01.jpg"
            shutil.copyfile(astronaut_jpeg, p)
            shot = Shot(student_id=stu.id, station_id=st.id, path=str(p), sha256=file_sha256(p),
                        bytes=p.stat().st_size, status="accepted", qc_verdict="pass")
            s.add(shot)
            s.flush()
            s.add(Selection(student_id=stu.id, shot_id=shot.id, station_id=st.id))
        s.commit()


@pytest.fixture(scope="session")
def astronaut_jpeg(tmp_path_factory, astronaut_rgb) -> Path:
    from PIL import Image

    p = tmp_path_factory.mktemp("astro") / "astronaut.jpg"
    Image.fromarray(astronaut_rgb).save(p, quality=92)
    return p


def _plain(err: str) -> None:
    assert "Traceback" not in err and err.strip(), err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err), f"no Chinese sentence: {err!r}"


# --- the mapping itself ---------------------------------------------------------------------


def test_the_mapping_knows_each_fault_by_its_type_and_words():
    import errno

    from sqlalchemy.exc import OperationalError

    full = as_station_error(OSError(errno.ENOSPC, "No space left on device", "/x/y.jpg"))
    assert isinstance(full, DiskFull) and full.exit_code == 5 and "磁盘已满" in full.message and "/x/y.jpg" in full.message
    wrapped = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    assert isinstance(as_station_error(wrapped), DiskFull)
    locked = OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
    assert isinstance(as_station_error(locked), DatabaseBusy) and as_station_error(locked).exit_code == 6
    denied = as_station_error(PermissionError(errno.EACCES, "Permission denied", "/root/x"))
    assert isinstance(denied, PermissionDenied) and denied.exit_code == 7
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system")
        except OSError as exc:
            raise RuntimeError("while writing the workbook") from exc
    except RuntimeError as outer:
        assert isinstance(as_station_error(outer), PermissionDenied)  # found through the cause
    assert as_station_error(ZeroDivisionError()) is None  # nobody foresaw it: no invented sentence


def test_an_unforeseen_error_is_a_sentence_and_the_traceback_goes_to_the_log(run_cli, tmp_path, monkeypatch):
    from app.commands import config_run

    monkeypatch.setenv("STATION_LOG", str(tmp_path / "x.log"))
    monkeypatch.delenv("STATION_DEBUG", raising=False)

    def boom(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(config_run, "run", boom)
    code, _, err = run_cli("config")
    assert code == 70
    _plain(err)
    assert "意外错误" in err and str(tmp_path / "x.log") in err
    assert "Traceback" in (tmp_path / "x.log").read_text(encoding="utf-8")


# --- station shoot refused by the free-space check ------------------------------------------


def test_shoot_refused_by_the_free_space_check_says_so(import_demo_roster, run_cli, tmp_path, monkeypatch):
    from capture.virtual import prepare_virtual_camera

    db, _ = import_demo_roster(n=3, seed=2)
    with db.session() as s:
        code0 = s.scalars(select(Student.student_no)).first()
    prepare_virtual_camera(tmp_path / "vc")
    assert run_cli("config", "capture.min_free_mb", "100000000")[0] == 0
    code, _, err = run_cli("shoot", code0, "--capture-folder", tmp_path / "c", "--backend", "gphoto2",
                           "--timeout", "10")
    assert code == 5
    _plain(err)
    assert "磁盘空间不足" in err
    with db.session() as s:
        assert s.scalars(select(Shot)).first() is None


# --- full disks ----------------------------------------------------------------------------


def test_the_database_disk_filling_is_a_message_and_the_database_stays_whole(run_cli, small_disk, tmp_path):
    from app.demo_data import write_demo_roster

    disk = small_disk("3m")
    url = f"sqlite:///{disk / 'station.db'}"
    roster = tmp_path / "r.xlsx"
    write_demo_roster(roster, n=400, seed=3)
    code, _, err = run_cli("--db", url, "roster", "import", roster, "--no-report")
    assert code == 0, err
    _fill(disk, leave=4096)
    big = tmp_path / "big.xlsx"
    write_demo_roster(big, n=3000, seed=4)
    # --replace: another roster of the school (the re-import guard would stop it before any write)
    code, _, err = run_cli("--db", url, "roster", "import", big, "--no-report", "--replace")
    assert code == 5, err
    _plain(err)
    assert "磁盘已满" in err
    (disk / "filler.bin").unlink()
    con = sqlite3.connect(disk / "station.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM students").fetchone()[0] == 400  # the old roster, whole
    con.close()


def test_export_to_a_full_disk_is_a_message_and_leaves_no_part_file(import_demo_roster, run_cli, small_disk,
                                                                     tmp_path, astronaut_jpeg):
    db, _ = import_demo_roster(n=30, seed=2)
    _select_photos(db, tmp_path, astronaut_jpeg, 30)
    disk = small_disk("2m")
    code, _, err = run_cli("export", "photos", "--out", disk / "delivery")
    assert code == 5, err
    _plain(err)
    assert "磁盘已满" in err
    assert _no_part_files(disk) == []


def test_reconcile_to_a_full_disk_is_a_message_and_leaves_no_part_file(import_demo_roster, run_cli, small_disk,
                                                                        tmp_path, astronaut_jpeg):
    db, _ = import_demo_roster(n=30, seed=2)
    _select_photos(db, tmp_path, astronaut_jpeg, 5)
    disk = small_disk("1m")
    _fill(disk, leave=2048)
    for args in (("report", "reconcile", "--whole-roster", "--out", disk / "r.xlsx"),
                 ("report", "errata", "--out", disk / "e.xlsx")):
        code, _, err = run_cli(*args)
        assert code == 5, err
        _plain(err)
        assert _no_part_files(disk) == [], args


# --- permission denied ------------------------------------------------------------------------


def test_a_read_only_place_is_a_message(import_demo_roster, run_cli, small_disk, tmp_path):
    import_demo_roster(n=5, seed=2)
    ro = small_disk("1m", ro=True)
    code, _, err = run_cli("report", "reconcile", "--whole-roster", "--out", ro / "r.xlsx")
    assert code == 7, err
    _plain(err)
    assert "没有权限" in err


# --- a locked database ---------------------------------------------------------------------------


def test_a_locked_database_waits_then_says_so(import_demo_roster, run_cli, db_url, monkeypatch):
    import_demo_roster(n=5, seed=2)
    monkeypatch.setenv("STATION_DB_BUSY_S", "0.5")
    holder = sqlite3.connect(db_url.split(":///", 1)[1], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing (a merge, a second station on a share)
    try:
        code, _, err = run_cli("config", "station.name", "机位9")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 6, err
    _plain(err)
    assert "数据库正被另一个程序占用" in err


# --- two processes selecting a photo for one student at once ---------------------------------------


def _durable_photo(folder: Path, src: Path, name: str):
    from datetime import datetime

    from capture.base import SavedPhoto
    from capture.durable import write_durable

    d = write_durable(src.read_bytes(), folder / name)
    return SavedPhoto(path=d.path, sha256=d.sha256, bytes=d.bytes, ms=0.0, taken_at=datetime.now(), source="app")


def test_two_writers_selecting_for_one_student_make_a_conflict_not_an_exception(import_demo_roster, db_url,
                                                                                 tmp_path, astronaut_jpeg):
    from app.conflicts import SelectionConflict
    from app.db import open_db
    from app.workflow import Workflow

    db, _ = import_demo_roster(n=5, seed=2)
    with db.session() as s:
        code = s.scalars(select(Student.student_no).order_by(Student.id)).first()
    db_a, db_b = open_db(db_url), open_db(db_url)  # two processes' own connections
    wf_a = Workflow(db_a, capture_folder=tmp_path / "a")
    wf_b = Workflow(db_b, capture_folder=tmp_path / "b")
    try:
        for wf in (wf_a, wf_b):
            wf.identify(code)
            wf.record_photo(_durable_photo(wf.capture_folder, astronaut_jpeg, wf.next_path(".jpg").name))

        # the other process accepts in the moment between B's look for a selection and B's insert
        fired = []

        def other_writer_first(session: Session, _ctx, _instances) -> None:
            if session.bind is db_b.engine and not fired and any(isinstance(o, Selection) for o in session.new):
                fired.append(1)
                t = threading.Thread(target=wf_a.accept)
                t.start()
                t.join()

        event.listen(Session, "before_flush", other_writer_first)
        try:
            with pytest.raises(SelectionConflict) as exc_info:
                wf_b.accept()
        finally:
            event.remove(Session, "before_flush", other_writer_first)
        assert fired
        assert "冲突" in exc_info.value.message
        # B's next student is not blocked by the conflicted shot
        # (the conflicted shot is settled: no decision left pending)
        wf_b.identify(code)
    finally:
        wf_a.close()
        wf_b.close()
    with db.session() as s:
        sels = s.scalars(select(Selection)).all()
        shots = s.scalars(select(Shot).order_by(Shot.id)).all()
        assert len(sels) == 1 and sels[0].shot_id == shots[0].id and sels[0].needs_decision
        conflict = s.scalars(select(MergeConflict)).one()
        assert (conflict.kept_shot_id, conflict.other_shot_id, conflict.source) == (shots[0].id, shots[1].id, "concurrent")
        assert all(Path(sh.path).is_file() for sh in shots)  # both photos kept
    db_a.dispose()
    db_b.dispose()


# --- the window ---------------------------------------------------------------------------------


def test_the_windows_workers_turn_a_full_disk_and_a_locked_database_into_sentences(qtbot):
    import errno

    from sqlalchemy.exc import OperationalError

    from ui.workers import Runner

    runner = Runner()
    got: list = []

    def full():
        raise OSError(errno.ENOSPC, "No space left on device", "/media/usb/r.xlsx")

    def locked():
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))

    for fn in (full, locked):
        runner.submit(fn, on_error=got.append)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    messages = sorted(e.message for e in got)  # what the window shows (getattr(exc, "message"))
    assert any("磁盘已满" in m and "/media/usb/r.xlsx" in m for m in messages)
    assert any("数据库正被另一个程序占用" in m for m in messages)


# --- a copied station database gets a new station identity ------------------------------------------


def test_a_copied_station_database_gets_a_new_identity_on_first_start(db, db_url, tmp_path, run_cli):
    from app.db import open_db
    from app.models import AuditLog, Station
    from app.station import local_station

    with db.session() as s:
        original = local_station(s).uid
        s.commit()
    with db.session() as s:
        assert local_station(s).uid == original  # the same file: the same station
        s.commit()
    db.dispose()
    src = Path(db_url.split(":///", 1)[1])
    copy = tmp_path / "laptop2" / "station.db"
    copy.parent.mkdir()
    a, b = sqlite3.connect(src), sqlite3.connect(copy)
    a.backup(b)
    a.close()
    b.close()
    other = open_db(f"sqlite:///{copy}")
    try:
        with other.session() as s:
            new = local_station(s)
            s.commit()
            assert new.uid != original and new.is_local
            old = s.scalars(select(Station).where(Station.uid == original)).one()
            assert not old.is_local
            assert s.scalars(select(AuditLog).where(AuditLog.action == "station_new_identity")).one()
        with other.session() as s:
            assert local_station(s).uid == new.uid  # once, not on every start
    finally:
        other.dispose()
    code, out, _ = run_cli("config")
    assert code == 0 and "_station.identity" not in out  # a private row, not a setting


# --- a kill inside the save: no "-2" duplicate, no name used twice ------------------------------------


def _killed_save(folder: Path, name: str, src: Path, point: str) -> None:
    """A real process writing a photo durably, killed with SIGKILL at ``point`` (capture/faultpoint.py)."""
    import signal
    import sys

    code = ("import sys; from pathlib import Path; from capture.durable import write_durable; "
            "write_durable(Path(sys.argv[1]).read_bytes(), Path(sys.argv[2]))")
    env = dict(os.environ, STATION_FAULT_AT=point, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    r = subprocess.run([sys.executable, "-c", code, str(src), str(folder / name)], env=env, capture_output=True)
    assert r.returncode == -signal.SIGKILL, r.stderr.decode(errors="replace")


def test_a_kill_between_link_and_unlink_leaves_no_duplicate_after_recovery(tmp_path, astronaut_jpeg):
    from app.recovery import finish_interrupted_writes

    folder = tmp_path / "captures"
    folder.mkdir()
    _killed_save(folder, "S01_2019001_01.jpg", astronaut_jpeg, "save.linked")
    names = sorted(p.name for p in folder.iterdir())
    assert "S01_2019001_01.jpg" in names and any(n.endswith(".part") for n in names)  # linked, not unlinked
    finished, aside = finish_interrupted_writes(folder, min_age_s=0)
    assert [p.name for p in finished] == ["S01_2019001_01.jpg"] and aside == []
    assert sorted(p.name for p in folder.iterdir()) == ["S01_2019001_01.jpg"]  # no -2 copy, no .part


def test_an_interrupted_writes_name_is_not_given_to_the_next_shot(import_demo_roster, db_url, tmp_path, astronaut_jpeg):
    from app.db import open_db
    from app.recovery import finish_interrupted_writes
    from app.workflow import Workflow

    db, _ = import_demo_roster(n=3, seed=2)
    with db.session() as s:
        code = s.scalars(select(Student.student_no).order_by(Student.id)).first()
    folder = tmp_path / "captures"
    wf = Workflow(db, capture_folder=folder)
    wf.identify(code)
    first = wf.next_path(".jpg")
    wf.close()
    first.parent.mkdir(parents=True, exist_ok=True)
    _killed_save(first.parent, first.name, astronaut_jpeg, "save.written")  # killed before the name was given
    assert not first.exists()
    # the station restarts; the same student is in front of the camera again
    db2 = open_db(db_url)
    wf2 = Workflow(db2, capture_folder=folder)
    try:
        wf2.identify(code)
        second = wf2.next_path(".jpg")
        assert second.name != first.name
        # and recovery later finishes the interrupted write under its own name, beside the new one
        second.write_bytes(astronaut_jpeg.read_bytes())
        finished, _ = finish_interrupted_writes(first.parent, min_age_s=0)
        assert [p.name for p in finished] == [first.name]
        assert not list(first.parent.glob("*-2.jpg"))
    finally:
        wf2.close()
        db2.dispose()


# --- passwords from a file or a prompt, never only the command line, never the log -----------------------


def test_passwords_come_from_a_file_or_the_environment_and_never_reach_the_log(import_demo_roster, run_cli, tmp_path,
                                                                                 monkeypatch):
    import msoffcrypto

    import_demo_roster(n=5, seed=2)
    log = tmp_path / "station.log"
    monkeypatch.setenv("STATION_LOG", str(log))
    secret = "Pw-in-a-file-8h3k"
    pw = tmp_path / "pw.txt"
    pw.write_text(secret + "\n", encoding="utf-8")
    pw.chmod(0o600)
    code, _, err = run_cli("-v", "report", "reconcile", "--whole-roster", "--out", tmp_path / "a.xlsx",
                           "--password-file", pw)
    assert code == 0, err
    monkeypatch.setenv("STATION_PASSWORD_FILE", str(pw))
    code, _, err = run_cli("-v", "report", "errata", "--out", tmp_path / "b.xlsx")
    assert code == 0, err
    for name in ("a.xlsx", "b.xlsx"):
        with open(tmp_path / name, "rb") as f:
            office = msoffcrypto.OfficeFile(f)
            assert office.is_encrypted()
            office.load_key(password=secret)  # opens with the file's password
    assert secret not in log.read_text(encoding="utf-8") and secret not in err
    monkeypatch.setenv("STATION_PASSWORD_FILE", str(tmp_path / "missing.txt"))
    code, _, err = run_cli("report", "errata", "--out", tmp_path / "c.xlsx")
    assert code == 2 and "找不到密码文件" in err


def test_no_camera_is_a_sentence_and_exit_4(import_demo_roster, run_cli, tmp_path, monkeypatch):
    from capture.virtual import use_virtual_camera

    import_demo_roster(n=3, seed=2)
    gone = tmp_path / "unplugged"  # the virtual camera's folder is gone: no camera on the bus
    monkeypatch.setenv("VCAMERADIR", str(gone))
    use_virtual_camera(gone)
    code, _, err = run_cli("camera", "shoot", "--out", tmp_path / "c", "--min-free-mb", "1", "--timeout", "3")
    assert code == 4
    _plain(err)
