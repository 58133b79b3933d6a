"""Start-up reconciliation of the capture folder with the database (real files, real SQLite)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from app.models import Shot
from app.recovery import INCOMPLETE_DIR, apply_moves, record_unknown, scan_capture_folder
from app.station import local_station
from capture.durable import temp_path_for, write_durable


@pytest.fixture
def jpeg(astronaut_rgb) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut_rgb).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _old(p: Path) -> None:
    t = time.time() - 60
    os.utime(p, (t, t))


def _record(s, path: Path, data: bytes, companion: Path | None = None) -> Shot:
    st = local_station(s)
    shot = Shot(
        station_id=st.id,
        path=str(path),
        companion_path=str(companion) if companion else None,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        source="app",
    )
    s.add(shot)
    s.flush()
    return shot


def test_unknown_files_missing_and_changed_records_are_all_found(db, tmp_path, jpeg, grace_hopper_path):
    folder = tmp_path / "captures"
    day = folder / "2019-03-16"
    gh = Path(grace_hopper_path).read_bytes()
    known = write_durable(jpeg, day / "S01_2019001_01.jpg").path
    raw = write_durable(b"RAW" * 1000, day / "S01_2019001_01.nef").path
    changed = write_durable(jpeg, day / "S01_2019002_01.jpg").path
    gone = day / "S01_2019003_01.jpg"
    unknown = write_durable(gh, day / "S01_2019004_01.jpg").path
    unknown_raw = write_durable(b"R" * 500, day / "S01_2019004_01.nef").path
    lone_raw = write_durable(b"L" * 500, day / "S01_2019005_01.nef").path
    with db.session() as s:
        _record(s, known, jpeg, companion=raw)
        ch = _record(s, changed, jpeg)
        gn = _record(s, gone, jpeg)
        s.commit()
        changed.write_bytes(jpeg[:-10] + b"0123456789")  # edited after it was recorded
        rep = scan_capture_folder(s, folder)
        assert [u.path for u in rep.unknown] == [unknown]
        u = rep.unknown[0]
        assert u.sha256 == hashlib.sha256(gh).hexdigest() and u.bytes == len(gh)
        assert (u.width, u.height) == (512, 600) and u.companions == (unknown_raw,)
        assert rep.unknown_raw == [lone_raw]
        assert [(m.shot_id, m.problem) for m in rep.missing] == [(gn.id, "missing")]
        assert [(c.shot_id, c.problem) for c in rep.changed] == [(ch.id, "changed")]
        assert rep.known == 3 and not rep.clean
        text = "\n".join(rep.lines())
        assert "未登记照片" in text and "文件不见了" in text and "校验值不符" in text

        shots = record_unknown(s, rep.unknown)
        s.commit()
        assert [(x.student_id, x.source, x.companion_path) for x in shots] == [(None, "recovered", str(unknown_raw))]
        again = scan_capture_folder(s, folder)
        assert again.unknown == [] and len(again.missing) == 1 and len(again.changed) == 1


def test_quick_mode_compares_sizes_only(db, tmp_path, jpeg):
    folder = tmp_path / "c"
    p = write_durable(jpeg, folder / "a.jpg").path
    with db.session() as s:
        _record(s, p, jpeg)
        s.commit()
        p.write_bytes(jpeg[:-1] + b"x")  # same size, different content
        assert scan_capture_folder(s, folder, verify_hashes=False).changed == []
        assert len(scan_capture_folder(s, folder).changed) == 1


def test_a_moved_file_is_reported_as_moved_and_can_be_repointed(db, tmp_path, jpeg):
    folder = tmp_path / "c"
    p = write_durable(jpeg, folder / "a.jpg").path
    with db.session() as s:
        shot = _record(s, p, jpeg)
        s.commit()
        new = folder / "sub" / "a.jpg"
        new.parent.mkdir()
        p.rename(new)
        rep = scan_capture_folder(s, folder)
        assert rep.missing == [] and rep.unknown == []
        assert [(m.shot_id, m.new_path) for m in rep.moved] == [(shot.id, str(new))]
        apply_moves(s, rep.moved)
        s.commit()
        assert scan_capture_folder(s, folder).clean


def test_interrupted_writes_are_finished_or_set_aside(db, tmp_path, jpeg):
    folder = tmp_path / "c"
    folder.mkdir()
    complete = temp_path_for(folder / "S01_2019007_01.jpg")
    complete.write_bytes(jpeg)  # killed after fsync, before the rename
    partial = temp_path_for(folder / "S01_2019008_01.jpg")
    partial.write_bytes(jpeg[: len(jpeg) // 2])  # killed mid-write
    young = temp_path_for(folder / "S01_2019009_01.jpg")
    young.write_bytes(jpeg[:100])  # still being written by a running capture
    for p in (complete, partial):
        _old(p)
    with db.session() as s:
        rep = scan_capture_folder(s, folder)
    final = folder / "S01_2019007_01.jpg"
    assert final.read_bytes() == jpeg and not complete.exists()
    assert [(u.path, u.finished_from_temp) for u in rep.unknown] == [(final, True)]
    assert rep.incomplete == [folder / INCOMPLETE_DIR / partial.name]
    assert (folder / INCOMPLETE_DIR / partial.name).read_bytes() == jpeg[: len(jpeg) // 2]  # kept, not deleted
    assert not (folder / "S01_2019008_01.jpg").exists()  # a half file never gets a final name
    assert young.exists()


def test_other_stations_shots_are_not_reported_missing(db, tmp_path, jpeg):
    from app.models import Station

    with db.session() as s:
        other = Station(number=2, name="机位2", is_local=False)
        s.add(other)
        s.flush()
        s.add(Shot(station_id=other.id, path="/elsewhere/x.jpg", sha256="0" * 64, bytes=1))
        s.commit()
        assert scan_capture_folder(s, tmp_path / "nothing").clean
