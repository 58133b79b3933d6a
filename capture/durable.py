"""Putting a photo on the station's disk so that it survives a crash, a pulled plug or a full disk.

The order is the whole point: write the bytes to a hidden temporary file in
the final folder, fsync it, check its size, check that the JPEG decodes,
hash it, and only then give it its final name (a hard link, so an existing
photo is never overwritten) and fsync the folder. A file that carries a final
name is therefore always complete; a process killed earlier leaves at most a
``.NAME.xxxx.part`` file, which start-up recovery (app/recovery.py) finishes
or sets aside.

The decode check runs on a helper thread while this thread writes, fsyncs and
hashes (simplejpeg, hashlib and the file calls all release the GIL), so the
check costs the station little more than the decode itself. The decode is
at 1/8 scale (libjpeg-turbo's DCT scaling): each 8×8 block's inverse DCT
shrinks to its DC term, but the entropy decoder still parses every
coefficient of every block, so it rejects exactly the files a full-size
decode rejects (tests/test_capture_durable.py compares the two on truncated,
zeroed, cut and bit-flipped files) in 40-60 % of its time. That parse is the
floor of the check: it grows with the file's size (docs/benchmarks.md). A
decode check is not a checksum: a cut-off file is always found, damage
inside the data only where it breaks the entropy code.

Given a ``decode`` function (the workflow passes the checks' reduced-scale
decoder, strict in the same way), that decode *is* the check: the photo is
entropy-decoded once, and the image it made travels on with the file
(:attr:`DurableFile.decoded`, then ``SavedPhoto.decoded``) so the checks
never read the file again. Should the decoder fail, the plain strict check
above has the last word (a file the decoder cannot use is not thereby corrupt).
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
import secrets
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from capture.atomic import TEMP_SUFFIX, fsync_dir
from capture.base import CaptureError
from capture.faultpoint import fault_point
from capture.i18n import t

log = logging.getLogger(__name__)

JPEG_EXTS = (".jpg", ".jpeg")
RAW_EXTS = (".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".pef", ".dng", ".x3f", ".3fr", ".iiq")
_TEMP_RE = re.compile(r"^\.(?P<final>.+)\.(?P<token>[0-9a-f]{8})\.part$")

_verifier: ThreadPoolExecutor | None = None  # the decode-check thread, started by the first photo (not at import)
_verifier_lock = threading.Lock()


def _verify_thread() -> ThreadPoolExecutor:
    global _verifier
    with _verifier_lock:
        if _verifier is None:
            _verifier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jpeg-verify")
        return _verifier


@dataclass(frozen=True)
class DurableFile:
    path: Path
    sha256: str
    bytes: int
    width: int | None = None
    height: int | None = None
    write_ms: float = 0.0  # write + fsync + hash + rename + folder fsync, decode running beside it
    verify_ms: float = 0.0  # the decode check alone
    decoded: Any = field(default=None, compare=False, repr=False)  # the ``decode`` function's image, if given


class CorruptImage(CaptureError):
    def __init__(self, message: str):
        super().__init__(message, code="corrupt")


def is_jpeg_name(name: str | os.PathLike) -> bool:
    return str(name).lower().endswith(JPEG_EXTS)


def is_raw_name(name: str | os.PathLike) -> bool:
    return str(name).lower().endswith(RAW_EXTS)


def temp_path_for(final: Path) -> Path:
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def final_name_of_temp(name: str) -> str | None:
    """The final name a temporary file was meant to get, or None if it is not one of ours."""
    m = _TEMP_RE.match(name)
    return m.group("final") if m else None


def decode_strict(data: bytes | memoryview, *, reduced: bool = True):
    """The JPEG decoded by libjpeg-turbo with its "corrupt data" warnings raised as errors (ValueError).

    ``reduced``: grey at 1/8 scale, the check the station runs (see the
    module doc); ``False``: full size in RGB, what a viewer does, for the
    tests and the benchmark that compare the two.
    """
    import simplejpeg

    if reduced:
        return simplejpeg.decode_jpeg(
            data, colorspace="Gray", fastdct=True, fastupsample=True, min_width=1, min_height=1, strict=True
        )
    return simplejpeg.decode_jpeg(data, colorspace="RGB", strict=True)


def verify_jpeg(data: bytes | memoryview, *, strict: bool = True) -> tuple[int, int]:
    """(width, height) of a JPEG that decodes completely; CorruptImage otherwise.

    ``strict`` decodes with :func:`decode_strict` at 1/8 scale: simplejpeg
    turns libjpeg's "corrupt data" warnings into errors, where Pillow decodes
    straight through a zeroed or cut-out middle, or a truncated file with an
    end marker appended, and calls it fine. ``strict=False`` is Pillow's
    lenient decode, for a camera file that fails the strict check identically
    on every download.
    """
    mv = memoryview(data)
    _check_markers(mv)
    try:
        if strict:
            import simplejpeg

            h, w, _cs, _sub = simplejpeg.decode_jpeg_header(mv)
            decode_strict(mv)
            return w, h
        from PIL import Image

        with Image.open(io.BytesIO(mv)) as im:
            if im.format != "JPEG":
                raise CorruptImage(t("文件不是 JPEG", "not a JPEG file"))
            w, h = im.size
            im.draft("L" if im.mode == "L" else "RGB", (max(1, w // 8), max(1, h // 8)))
            im.load()
            return w, h
    except CorruptImage:
        raise
    except Exception as exc:  # simplejpeg raises ValueError, Pillow OSError/SyntaxError for bad data
        raise CorruptImage(t(f"JPEG 无法完整解码: {exc}", f"JPEG does not decode cleanly: {exc}")) from exc


def _check_markers(mv: memoryview) -> None:
    n = len(mv)
    if n < 4 or mv[0] != 0xFF or mv[1] != 0xD8:
        raise CorruptImage(t("文件不是 JPEG（开头不对）", "not a JPEG file (bad start)"))
    # Some cameras pad after the end marker; look for it near the end only.
    tail = bytes(mv[max(0, n - 65536) :])
    if tail.rfind(b"\xff\xd9") < 0:
        raise CorruptImage(t("JPEG 文件不完整（没有结束标记）", "JPEG is incomplete (no end marker)"))


def free_mb(folder: Path) -> float:
    """Free space for the folder (or its nearest existing parent), in MB."""
    p = Path(folder).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free / 1e6


def check_free_space(folder: Path, min_free_mb: float) -> float:
    """Free MB; CaptureError(code="disk_low") when below the threshold (setting capture.min_free_mb)."""
    free = free_mb(folder)
    if free < min_free_mb:
        raise CaptureError(
            t(
                f"照片文件夹所在磁盘空间不足：剩余 {free:.0f} MB，至少需要 {min_free_mb:.0f} MB。"
                f"请先导出并清理旧照片，或在设置中换一个照片文件夹（{folder}）。",
                f"Not enough disk space for photos: {free:.0f} MB free, {min_free_mb:.0f} MB needed. "
                f"Export and clear old photos or choose another capture folder ({folder}).",
            ),
            code="disk_low",
        )
    return free


def _disk_full(path: Path) -> CaptureError:
    return CaptureError(
        t(
            f"磁盘已满，照片未能保存到 {path.parent}。请腾出空间；相机中的照片不会被删除。",
            f"Disk full: the photo could not be saved to {path.parent}. Free some space; "
            "the photo stays on the camera.",
        ),
        code="disk_full",
    )


def _unique(final: Path) -> Path:
    stem, suffix = final.stem, final.suffix
    for i in range(2, 10000):
        cand = final.with_name(f"{stem}-{i}{suffix}")
        if not cand.exists():
            return cand
    raise CaptureError(t(f"无法为 {final} 找到空闲文件名", f"no free file name for {final}"), code="name")


def publish(tmp: Path, final: Path) -> Path:
    """Give a verified temporary file its final name without ever replacing an existing file.

    A hard link fails if the name exists; on file systems without hard links
    (exFAT/FAT USB disks) a rename after an existence check is the fallback.
    Returns the name used: a taken name gets ``-2``, ``-3``... (and a warning),
    because losing the new photo would be worse than an unexpected name.
    """
    while True:
        try:
            os.link(tmp, final)
        except FileExistsError:
            if _same_photo(tmp, final):
                # killed between link and unlink last time (recovery finishing it now): the name is already
                # this photo's, so only the unlink is left to do; another name would make a "-2" duplicate
                os.unlink(tmp)
                return final
            log.warning("%s already exists; the new photo gets another name", final)
            final = _unique(final)
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            if final.exists():
                final = _unique(final)
            os.rename(tmp, final)
            return final
        fault_point("save.linked")
        os.unlink(tmp)
        return final


def _same_photo(a: Path, b: Path) -> bool:
    """One file under two names (a hard link), or two files with the same bytes."""
    try:
        if os.path.samefile(a, b):
            return True
        import filecmp

        return os.path.getsize(a) == os.path.getsize(b) and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def taken_stems(folder: Path) -> set[str]:
    """The stems a new photo in ``folder`` must not use: its files, its interrupted writes
    (``.NAME.xxxx.part``, which recovery will finish under NAME) and those set aside in ``.incomplete/``."""
    stems: set[str] = set()
    for sub in (Path(folder), Path(folder) / ".incomplete"):
        try:
            names = os.listdir(sub)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            stems.add((final_name_of_temp(name) or name).partition(".")[0])
    stems.discard("")
    return stems


def write_durable(data: bytes | memoryview, final: Path, *, verify: bool | str | None = None,
                  decode: Callable[[memoryview], Any] | None = None) -> DurableFile:
    """Write ``data`` to ``final`` durably and verified (see the module doc).

    ``verify``: True/"strict" decodes the data as a JPEG strictly, "lenient"
    with Pillow, False not at all (a RAW companion is checked by size); the
    default is strict for .jpg/.jpeg names. ``decode`` (strict only): the
    caller's strict reduced-scale decoder, run as the check; its image comes
    back in ``DurableFile.decoded``. Raises CaptureError with code
    ``disk_full`` (nothing is left behind), ``corrupt`` or ``write``.
    """
    final = Path(final)
    if verify is None:
        verify = is_jpeg_name(final)
    mv = memoryview(data).cast("B")
    t0 = time.perf_counter()
    strict = verify != "lenient"
    check = _verify_thread().submit(_timed_verify, mv, strict, decode if strict else None) if verify else None
    folder = final.parent
    tmp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_for(final)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            done = 0
            while done < len(mv):
                done += os.write(fd, mv[done:])
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        fault_point("save.written")
        if size != len(mv):
            raise CaptureError(
                t(f"写入的文件大小不对（{size} / {len(mv)} 字节）", f"written size is wrong ({size} of {len(mv)} bytes)"),
                code="write",
            )
        digest = hashlib.sha256(mv).hexdigest()
        wh, verify_ms, decoded = check.result() if check else ((None, None), 0.0, None)
        check = None
        final = publish(tmp, final)
        tmp = None
        fsync_dir(folder)
        fault_point("save.published")
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise _disk_full(final) from exc
        raise CaptureError(
            t(f"照片无法写入 {final}: {exc.strerror or exc}", f"could not write the photo {final}: {exc.strerror or exc}"),
            code="write",
        ) from exc
    finally:
        if check is not None:  # an error before the check was collected: don't leave it running on our buffer
            try:
                check.result()
            except Exception:
                pass
        if tmp is not None:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.error("could not remove the temporary file %s: %s", tmp, str(exc))
    return DurableFile(
        path=final,
        sha256=digest,
        bytes=len(mv),
        width=wh[0],
        height=wh[1],
        write_ms=(time.perf_counter() - t0) * 1000,
        verify_ms=verify_ms,
        decoded=decoded,
    )


def warm_up() -> None:
    """Import the decoder on the verify thread now, so the day's first photo does not wait for it (~55 ms)."""

    def _import() -> None:
        import simplejpeg  # noqa: F401

    _verify_thread().submit(_import)


def _timed_verify(mv: memoryview, strict: bool, decode: Callable[[memoryview], Any] | None = None,
                  ) -> tuple[tuple[int, int], float, Any]:
    t0 = time.perf_counter()
    if decode is not None:
        wh, decoded = verify_and_decode(mv, decode)
        return wh, (time.perf_counter() - t0) * 1000, decoded
    wh = verify_jpeg(mv, strict=strict)
    return wh, (time.perf_counter() - t0) * 1000, None


def verify_and_decode(data: bytes | memoryview, decode: Callable[[memoryview], Any]) -> tuple[tuple[int, int], Any]:
    """The strict check and the checks' decode in one pass: ((width, height), the decoder's image).

    The file's structure is checked as in :func:`verify_jpeg`, then ``decode``
    (strict: libjpeg's "corrupt data" warnings are errors) parses every
    entropy-coded segment once. When the decoder fails, the plain strict check
    (:func:`verify_jpeg`) decides: CorruptImage if it fails too, else the
    photo is sound and goes on without an image (the checks read the file).
    """
    mv = memoryview(data)
    _check_markers(mv)
    try:
        decoded = decode(mv)
    except Exception as exc:
        log.debug("the photo decoder declined (%s); the plain strict check decides", exc)
        return verify_jpeg(mv, strict=True), None
    import simplejpeg

    h, w, _cs, _sub = simplejpeg.decode_jpeg_header(mv)
    return (w, h), decoded
