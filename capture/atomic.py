"""File-safety primitives shared by the camera layer and the station: the one sha256 of a file and the
one atomic durable write.

Reports, manifests, delivery files, copies, archives, state files: a reader sees the old file or the new
one, never half of one; a crash or a full disk leaves the old one. Order: a hidden ``.NAME.part`` beside
the final name (app/safe_names.py keeps 6 bytes of a name for it) → write → flush → fsync → (read back
and hash, when the caller knows the sha256) → os.replace → fsync the folder. Any error on the way removes
the temporary file. A new photo is never replaced but published (capture/durable.py's write_durable).
It lives in capture/ so that app/ and capture/ share it (the arrows run app → capture).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from capture.base import CaptureError
from capture.i18n import t

TEMP_SUFFIX = ".part"  # capture/durable.py's temporary files end the same way


def sha256_file(path: Path | str, chunk: int = 1 << 20, *, missing_ok: bool = False) -> str | None:
    """The file's sha256 (hex), read in 1 MB blocks: the one helper the station uses for every file.

    ``missing_ok``: None for a file that is not there (instead of FileNotFoundError).
    """
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while block := f.read(chunk):
                h.update(block)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise
    return h.hexdigest()

# a folder fsync some file systems cannot do (network/FUSE mounts, Windows): not a failed write
_NO_DIR_FSYNC = (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EISDIR, errno.EACCES)


class ReadBackMismatch(CaptureError):
    """A file read back after its fsync does not hash to what was written (a failing disk)."""

    def __init__(self, path: Path):
        super().__init__(t(f"写入校验失败 (磁盘有问题?): {path}", f"the written file does not verify: {path}"), code="verify")
        self.path = path


def atomic_temp_path(final: Path | str) -> Path:
    """The temporary name of an atomic write to ``final``: ``.NAME.part`` in the same folder."""
    final = Path(final)
    return final.with_name(f".{final.name}{TEMP_SUFFIX}")


def fsync_file(path: Path | str) -> None:
    """fsync a file written and closed by name (by a library that wants a path)."""
    fd = os.open(path, (os.O_RDWR if os.name == "nt" else os.O_RDONLY) | getattr(os, "O_CLOEXEC", 0))  # Windows: a writable handle
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path | str) -> None:
    """fsync a folder, so a name just created or replaced in it survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        if exc.errno in _NO_DIR_FSYNC:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise
    finally:
        os.close(fd)


@contextmanager
def atomic_path(
    final: Path | str,
    *,
    expect_sha256: str | None = None,
    mismatch: Callable[[Path], BaseException] | None = None,
    check: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """Write ``final`` atomically and durably through the yielded temporary path.

    The block writes and closes the file at that path (a zip library, a PDF writer). On leaving
    it the file is fsync'd, hashed and compared with ``expect_sha256`` (a mismatch raises
    ``mismatch(final)``, by default :class:`ReadBackMismatch`), given to ``check`` (which raises
    to refuse it), renamed over ``final`` and the folder fsync'd. An exception in the block or on
    the way removes the temporary file and leaves the old ``final`` as it was.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = atomic_temp_path(final)
    try:
        yield tmp
        fsync_file(tmp)
        if expect_sha256 is not None and sha256_file(tmp) != expect_sha256:
            raise (mismatch or ReadBackMismatch)(final)
        if check is not None:
            check(tmp)
        os.replace(tmp, final)
        fsync_dir(final.parent)
    except BaseException:  # a full disk, a refused check, Ctrl-C: no hidden half-written file is left
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_writer(final: Path | str, **kw) -> Iterator[BinaryIO]:
    """:func:`atomic_path` for a writer that produces the file piece by piece: yields the open binary file."""
    with atomic_path(final, **kw) as tmp, open(tmp, "wb") as f:
        yield f


def write_atomic(final: Path | str, data: bytes | memoryview, **kw) -> Path:
    """``data`` to ``final`` atomically and durably (:func:`atomic_path`'s ``expect_sha256``, ``mismatch``)."""
    with atomic_writer(final, **kw) as f:
        f.write(data)
    return Path(final)


def copy_atomic(src: Path | str, final: Path | str, **kw) -> Path:
    """``src`` copied to ``final`` atomically and durably (:func:`atomic_path`'s ``expect_sha256``, ``mismatch``)."""
    with atomic_writer(final, **kw) as fo, open(src, "rb") as fi:
        shutil.copyfileobj(fi, fo, 1 << 20)
    return Path(final)
