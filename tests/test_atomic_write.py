"""The one atomic durable write (capture/durable.py): old file or new file, never half; the folder fsync'd."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from capture.atomic import ReadBackMismatch, atomic_path, atomic_temp_path, atomic_writer, copy_atomic, write_atomic


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def fsyncs(monkeypatch):
    """Every os.fsync the code makes, as 'dir' or 'file' (the real fsync still runs)."""
    seen: list[tuple[str, int]] = []
    real = os.fsync

    def watching(fd):
        st = os.fstat(fd)
        seen.append(("dir" if stat.S_ISDIR(st.st_mode) else "file", st.st_ino))
        return real(fd)

    monkeypatch.setattr(os, "fsync", watching)
    return seen


def test_write_replaces_the_file_and_fsyncs_file_and_folder(tmp_path, fsyncs):
    target = tmp_path / "sub" / "清单.csv"
    assert write_atomic(target, b"new") == target
    assert target.read_bytes() == b"new"
    assert leftovers(target.parent) == []
    assert ("file", target.stat().st_ino) in fsyncs
    assert ("dir", target.parent.stat().st_ino) in fsyncs
    # the folder is fsync'd after the file got its name (else the rename may not survive a power cut)
    assert fsyncs.index(("dir", target.parent.stat().st_ino)) > fsyncs.index(("file", target.stat().st_ino))


def test_an_exception_mid_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, fsyncs):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old contents")
    with pytest.raises(OSError, match="injected"):
        with atomic_writer(target) as f:
            f.write(b"half of the new")
            assert atomic_temp_path(target).is_file()  # the bytes go to the hidden temporary file
            raise OSError(28, "No space left on device (injected)")
    assert target.read_bytes() == b"old contents"
    assert leftovers(tmp_path) == []
    assert not any(kind == "dir" for kind, _ in fsyncs)  # nothing was renamed


def test_ctrl_c_mid_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "state.json"
    target.write_bytes(b"{}")
    with pytest.raises(KeyboardInterrupt):
        with atomic_writer(target) as f:
            f.write(b'{"half":')
            raise KeyboardInterrupt
    assert target.read_bytes() == b"{}" and leftovers(tmp_path) == []


def test_a_sha256_read_back_that_differs_refuses_the_file(tmp_path):
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"old")
    data = b"new photo bytes"
    with pytest.raises(ReadBackMismatch):
        write_atomic(target, data, expect_sha256=hashlib.sha256(b"something else").hexdigest())
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []
    # the caller's own error instead of the default one
    with pytest.raises(ValueError, match="photo.jpg"):
        write_atomic(target, data, expect_sha256="0" * 64, mismatch=lambda p: ValueError(f"bad {p.name}"))
    write_atomic(target, data, expect_sha256=hashlib.sha256(data).hexdigest())
    assert target.read_bytes() == data


def test_a_writer_by_name_and_its_check(tmp_path, fsyncs):
    target = tmp_path / "delivery.zip"
    target.write_bytes(b"old archive")

    def refuse(tmp):
        assert tmp.read_bytes() == b"written by name"
        raise RuntimeError("the archive does not read back")

    with pytest.raises(RuntimeError):
        with atomic_path(target, check=refuse) as tmp:
            tmp.write_bytes(b"written by name")
    assert target.read_bytes() == b"old archive" and leftovers(tmp_path) == []
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"written by name")
    assert target.read_bytes() == b"written by name"
    assert ("file", target.stat().st_ino) in fsyncs and ("dir", tmp_path.stat().st_ino) in fsyncs


def test_copy_verified_and_a_missing_source(tmp_path):
    src = tmp_path / "src.jpg"
    src.write_bytes(os.urandom(3 << 20))  # more than one copy block
    dst = tmp_path / "out" / "dst.jpg"
    copy_atomic(src, dst, expect_sha256=hashlib.sha256(src.read_bytes()).hexdigest())
    assert dst.read_bytes() == src.read_bytes()
    with pytest.raises(FileNotFoundError):
        copy_atomic(tmp_path / "gone.jpg", dst)
    assert dst.read_bytes() == src.read_bytes() and leftovers(dst.parent) == []


def test_a_report_workbook_and_an_encrypted_archive_go_through_it(tmp_path, fsyncs):
    """The station's writers use the one helper: a report's folder is fsync'd (the old hand-written
    write did not), and an archive interrupted mid-pack leaves the previous one and no hidden file."""
    from app.crypto import zip_tree
    from app.reports.xlsx import Col, Table, write_tables

    out = tmp_path / "reports" / "对账.xlsx"
    write_tables(out, [Table("汇总", [Col("学号")], [["2019001"]])])
    assert ("dir", out.parent.stat().st_ino) in fsyncs and leftovers(out.parent) == []

    src = tmp_path / "delivery"
    src.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (src / name).write_bytes(os.urandom(1000))
    archive = tmp_path / "delivery.zip"
    archive.write_bytes(b"the previous archive")

    def unplugged(done, total):
        if done == 1:
            raise OSError(5, "Input/output error (the stick was pulled)")

    with pytest.raises(OSError, match="stick"):
        zip_tree(src, archive, "secret-pw", progress=unplugged)
    assert archive.read_bytes() == b"the previous archive" and leftovers(tmp_path) == []
    assert set(zip_tree(src, archive, "secret-pw")) == {"a.jpg", "b.jpg"}
    assert ("dir", tmp_path.stat().st_ino) in fsyncs and leftovers(tmp_path) == []
