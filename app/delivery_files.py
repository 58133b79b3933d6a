"""The photo delivery, writing one student's files: the original byte for byte, the 480×640 image.

Every file already in place is hashed and compared with what it should be;
only what is missing or different is written, through the one atomic durable
write (:mod:`capture.durable`: a temporary name, fsync'd, hashed again,
renamed, the folder fsync'd). The delivery image is cut from the original by
the standard crop of ``qc/`` and converted to sRGB (:mod:`app.colour`).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from app.colour import source_profile, to_srgb
from app.delivery_plan import DeliveryProfile, Planned
from app.errors import StationError
from capture.atomic import copy_atomic, write_atomic
from capture.atomic import sha256_file as durable_sha256
from qc.crop import crop_to_delivery

COLOUR_VERSION = 1  # the delivery image is converted to sRGB (bump when the conversion changes)
CANCELLED = "已取消"

# the delivery compares files that may not be there yet: None for a missing one
sha256_file = partial(durable_sha256, missing_ok=True)


def _copy_verified(src: Path, dst: Path, sha: str) -> None:
    copy_atomic(src, dst, expect_sha256=sha, mismatch=_copy_mismatch)


def _copy_mismatch(dst: Path) -> StationError:
    return StationError(f"复制校验失败 (磁盘有问题?): {dst}", exit_code=4)


def _write_mismatch(path: Path) -> StationError:
    return StationError(f"写入校验失败 (磁盘有问题?): {path}", exit_code=4)


def encode_delivery(image, profile: DeliveryProfile) -> tuple[bytes, int, bool]:
    """JPEG bytes at the highest quality whose size is at most ``profile.max_bytes``.

    Every candidate is measured as encoded (bytes, not KiB), so the result
    never passes the maximum. JPEG size is not strictly monotonic in quality,
    so the binary search is followed by a look at the few qualities just above
    the one found. A simple image that stays under the minimum even at the top
    quality is reported (``ok`` False), not padded.
    """
    lo, hi = profile.quality_range
    cache: dict[int, bytes] = {}

    def enc(q: int) -> bytes:
        if q not in cache:
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=q, dpi=(profile.dpi, profile.dpi), optimize=True)
            cache[q] = buf.getvalue()
        return cache[q]

    def fits(q: int) -> bool:
        return len(enc(q)) <= profile.max_bytes

    if fits(hi):
        best = hi
    elif not fits(lo):
        return enc(lo), lo, False  # not even the lowest quality fits: flagged, never passed silently
    else:
        a, b = lo, hi  # enc(a) fits, enc(b) does not
        while b - a > 1:
            m = (a + b) // 2
            if fits(m):
                a = m
            else:
                b = m
        best = a
        for q in range(best + 1, min(best + 4, hi)):  # a non-monotonic step just above
            if fits(q):
                best = q
    data = enc(best)
    return data, best, profile.min_bytes <= len(data) <= profile.max_bytes


def _open_oriented(path: str, crop: list[float], profile: DeliveryProfile):
    """The photo, EXIF-oriented, decoded at the smallest JPEG scale that still covers 480×640 in the crop."""
    from PIL import Image, ImageOps

    im = Image.open(path)
    x0, y0, x1, y1 = crop
    if im.format == "JPEG":
        w, h = im.size
        swap = (im.getexif().get(0x0112) or 1) in (5, 6, 7, 8)
        ow, oh = (h, w) if swap else (w, h)
        need = max(profile.width / max((x1 - x0) * ow, 1), profile.height / max((y1 - y0) * oh, 1))
        if need < 1:
            im.draft("RGB", (int(w * need) + 1, int(h * need) + 1))
    return ImageOps.exif_transpose(im)


class CropSource:
    """The standard crop of a shot: from its QC report, else from running the checker once."""

    def __init__(self, cached: dict[str, list[float]]):
        self.cached = cached
        self._checker = None
        self._checker_error: str | None = None

    def crop_for(self, p: Planned) -> list[float] | None:
        if p.qc_json:
            try:
                crop = json.loads(p.qc_json).get("crop")
            except ValueError:
                crop = None
            if crop and len(crop) == 4:
                return [float(v) for v in crop]
        if p.shot_sha in self.cached:
            return self.cached[p.shot_sha]
        if self._checker_error:
            p.error = self._checker_error
            return None
        if self._checker is None:
            try:
                from qc.checker import Checker  # lazy: mediapipe and its models load in seconds; only unchecked shots need it

                self._checker = Checker()
            except Exception as exc:  # noqa: BLE001 - qc not installed or its models failed to load
                self._checker_error = f"照片未经检查且无法运行检查程序 ({exc})"
                p.error = self._checker_error
                return None
        try:
            report = self._checker.check_path(p.shot_path)
        except Exception as exc:  # noqa: BLE001 - a corrupt or missing file: report it, go on
            p.error = f"无法检查照片 {p.shot_path}: {exc}"
            return None
        if not report.crop:
            p.error = "检查程序未能确定标准裁剪框 (未找到人脸?)"
            return None
        crop = [round(float(v), 4) for v in report.crop]
        self.cached[p.shot_sha] = crop
        return crop


def process_student(p: Planned, root: Path, profile: DeliveryProfile, prev: dict[str, Any], cancel: Any = None) -> dict[str, int]:
    """Make both files of one student right; returns counters. Runs in a worker thread."""
    counts = Counter()
    if cancel is not None and cancel.is_set():
        p.error = CANCELLED
        return counts
    src = Path(p.shot_path)
    # the original, byte for byte
    dst = root / p.original_rel
    have = sha256_file(dst)
    if have == p.shot_sha:
        counts["unchanged"] += 1
    else:
        if not src.is_file():
            p.error = f"原片文件不存在: {src}"
            return counts
        if sha256_file(src) != p.shot_sha:
            p.error = f"原片与拍摄时记录的校验值不符 (文件已损坏或被改动): {src}"
            return counts
        _copy_verified(src, dst, p.shot_sha)
        counts["written_originals"] += 1
        if have is not None:
            counts["replaced"] += 1
    p.original_sha = p.shot_sha
    # the delivery image: deterministic from (original, crop, profile)
    inputs = inputs_of(p, profile)
    dst = root / p.photo_rel
    rec = prev.get(p.photo_rel)
    have = sha256_file(dst)
    if rec and rec.get("inputs") == inputs and have == rec.get("sha256"):
        counts["unchanged"] += 1
        p.photo_sha, p.photo_bytes, p.quality, p.size_ok = rec["sha256"], rec["bytes"], rec["quality"], rec["size_ok"]
        return counts
    original = _open_oriented(str(src), p.crop, profile)
    icc = source_profile(original)  # an Adobe RGB photo is delivered in sRGB
    image = to_srgb(crop_to_delivery(original, p.crop, (profile.width, profile.height)), icc)
    data, quality, ok = encode_delivery(image, profile)
    sha = hashlib.sha256(data).hexdigest()
    if have != sha:
        write_atomic(dst, data, expect_sha256=sha, mismatch=_write_mismatch)
        counts["written_photos"] += 1
        if have is not None:
            counts["replaced"] += 1
    else:
        counts["unchanged"] += 1
    p.photo_sha, p.photo_bytes, p.quality, p.size_ok = sha, len(data), quality, ok
    return counts


def inputs_of(p: Planned, prof: DeliveryProfile) -> dict[str, Any]:
    """What a delivery image is made from: the same inputs give the same file (so it is not redone)."""
    return {"src": p.shot_sha, "crop": p.crop, "profile": prof.name, "colour": COLOUR_VERSION}
