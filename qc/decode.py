"""Decode a photo once, at the smallest scale the checks need, the right way up.

A 24-megapixel camera JPEG costs ~250 ms to decode in full; the checks never
need that many pixels. JPEGs are decoded with libjpeg's DCT scaling (OpenCV's
reduced decode, or Pillow's ``draft`` for CMYK and damaged files), which skips
most of the work, to the smallest 1/2, 1/4 or 1/8
scale whose long side is still at least ``min_long_side``. Other formats are
decoded in full and then reduced.

Everything a camera, a phone or a scanner produces comes out as 8-bit RGB:
EXIF orientation applied (photographers shoot portrait; the camera only tags
the file), CMYK (Adobe-inverted too), grayscale, palette, 16-bit and alpha
(composited on white). A file that is not an image, is truncated or is empty
raises :class:`DecodeError` with a reason in Chinese and English; so does a JPEG
whose compressed data is damaged (libjpeg only warns and paints grey, which
would otherwise be judged like a photo), and an image with more pixels than
the station can decode in memory (checked from the header, before decoding:
:data:`MAX_PIXELS`, JPEGs get :data:`MAX_JPEG_PIXELS` as they decode reduced).
"""

from __future__ import annotations

import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Orientation tag values → PIL transpose operations (EXIF 2.3, tag 0x0112).
_EXIF_ORIENTATION = 0x0112

# Pixels decoded in full (PNG, TIFF, …): 60 MP covers the largest 35 mm sensors; a 12000×14000 16-bit
# PNG (168 MP) would take gigabytes. JPEGs decode at 1/8 scale, so their limit is higher.
MAX_PIXELS = 60_000_000
MAX_JPEG_PIXELS = 250_000_000


class DecodeError(Exception):
    """The file could not be turned into a picture (reason in both languages)."""

    def __init__(self, reason: str, reason_en: str):
        super().__init__(reason_en)
        self.reason = reason
        self.reason_en = reason_en


@dataclass
class Decoded:
    rgb: np.ndarray  # H x W x 3 uint8, oriented (EXIF applied), C-contiguous
    width: int  # oriented size of the original, in its own pixels
    height: int
    scale: float  # decoded pixels per original pixel (1, 1/2, 1/4, 1/8, or any after reduce)
    format: str  # "JPEG", "PNG", ... or "array"
    mode: str  # the file's own colour mode ("RGB", "CMYK", "L", "I;16", ...)
    orientation: int = 1  # EXIF orientation that was applied


def decode_path(path: str | os.PathLike, *, min_long_side: int = 1200) -> Decoded:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise DecodeError(f"找不到文件: {p.name}", f"file not found: {p}") from None
    except IsADirectoryError:
        raise DecodeError(f"这是一个文件夹,不是照片: {p.name}", f"is a folder, not a photo: {p}") from None
    except OSError as exc:
        raise DecodeError(f"无法读取文件: {p.name}", f"cannot read file: {exc}") from None
    return decode_bytes(data, min_long_side=min_long_side)


def decode_bytes(data: bytes, *, min_long_side: int = 1200) -> Decoded:
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise DecodeError("文件是空的(0 字节)", "the file is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: big camera files are normal here
            im = Image.open(io.BytesIO(data))  # lazy: reads the header only
            fmt = im.format or "?"
            mode = im.mode
            orientation = _orientation(im)
            full_w, full_h = im.size
            limit = MAX_JPEG_PIXELS if fmt == "JPEG" else MAX_PIXELS
            if full_w * full_h > limit:
                raise DecodeError(
                    f"图片像素太多 ({full_w}×{full_h}, {full_w * full_h / 1e6:.0f} 百万像素, 上限 {limit / 1e6:.0f}), 无法检查",
                    f"the image has too many pixels to check ({full_w}x{full_h}, {full_w * full_h / 1e6:.0f} MP; "
                    f"the limit is {limit / 1e6:.0f} MP)")
            k = _jpeg_factor(full_w, full_h, min_long_side) if fmt == "JPEG" else 1
            damage = _jpeg_damage(data) if fmt == "JPEG" else None
            if damage:
                raise DecodeError("JPEG 文件已损坏 (数据有误), 请重新导出或重拍", f"the JPEG data is damaged: {damage}")
            fast = _decode_jpeg_fast(data, k) if fmt == "JPEG" and mode in ("RGB", "L") else None
            if fast is not None and _grey_filled(fast):
                raise DecodeError("JPEG 文件不完整 (数据提前结束, 下方为灰色), 请重新导出或重拍",
                                  "the JPEG data ends early (the bottom is filled grey)")
            if fast is not None:
                rgb = fast
                scale = rgb.shape[1] / full_w
            else:
                scale = 1.0
                if k > 1:
                    # draft() picks the largest DCT reduction that keeps at least the requested size
                    im.draft(im.mode if im.mode in ("L", "CMYK") else "RGB", (full_w // k, full_h // k))
                    scale = im.size[0] / full_w
                im.load()
                rgb = None
    except DecodeError:
        raise
    except UnidentifiedImageError:
        raise DecodeError("不是可识别的图片文件", "not a recognised image file") from None
    except Image.DecompressionBombError:
        raise DecodeError("图片像素太多,无法检查", "the image has too many pixels to check") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        msg = str(exc)
        if "truncated" in msg or "broken data stream" in msg or isinstance(exc, EOFError):
            raise DecodeError("文件不完整(可能传输中断),请重新导出或重拍", f"the file is truncated: {msg}") from None
        raise DecodeError("图片文件已损坏,无法读取", f"the image file is damaged: {msg}") from None
    except MemoryError:
        raise DecodeError("图片太大,内存不足", "the image is too large for memory") from None

    if rgb is None:
        rgb = _to_rgb8(im)
    del im
    return _finish(rgb, full_w, full_h, scale, fmt, mode, orientation, min_long_side)


def decode_jpeg_strict(data: bytes | memoryview, *, min_long_side: int = 1200) -> Decoded:
    """A camera JPEG's one decode: the strict check and the checks' reduced-scale image in one pass.

    libjpeg-turbo (simplejpeg) decodes at the same 1/2, 1/4 or 1/8 DCT scale as
    :func:`decode_bytes` (the same pixels: both are libjpeg-turbo's islow IDCT
    and fancy upsampling), with its "corrupt data" warnings raised as errors:
    every entropy-coded segment is parsed, so a truncated, cut or damaged file
    fails here exactly as it fails the capture layer's strict check. The
    capture layer runs this as that check (``decoder``) and hands the image on,
    so the checks never read the file again. Raises :class:`DecodeError` for
    damaged data, and also for what it does not take (CMYK, too many pixels):
    the caller then falls back to its own check and to :func:`decode_path`.
    """
    import simplejpeg

    mv = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    try:
        full_h, full_w, colorspace, _sub = simplejpeg.decode_jpeg_header(mv)
    except ValueError as exc:
        raise DecodeError("不是可识别的 JPEG 文件", f"not a readable JPEG: {exc}") from None
    if colorspace not in ("YCbCr", "Gray"):
        raise DecodeError("JPEG 色彩空间需完整解码", f"{colorspace} JPEG: decoded the long way")
    if full_w * full_h > MAX_JPEG_PIXELS or min(full_w, full_h) <= 0:
        raise DecodeError("图片像素太多,无法检查", "the image has too many pixels to check")
    k = _jpeg_factor(full_w, full_h, min_long_side)
    try:
        rgb = simplejpeg.decode_jpeg(mv, colorspace="RGB", min_width=-(-full_w // k), min_height=-(-full_h // k),
                                     strict=True)
    except ValueError as exc:
        raise DecodeError("JPEG 文件已损坏 (数据有误), 请重新导出或重拍", f"the JPEG data is damaged: {exc}") from None
    orientation = _header_orientation(mv)
    mode = "RGB" if colorspace == "YCbCr" else "L"
    return _finish(rgb, full_w, full_h, rgb.shape[1] / full_w, "JPEG", mode, orientation, min_long_side)


def _jpeg_factor(full_w: int, full_h: int, min_long_side: int) -> int:
    """The DCT reduction (1, 2, 4 or 8) whose long side still has ``min_long_side`` pixels."""
    k = 1
    if min(full_w, full_h) > 0:
        while k < 8 and max(full_w, full_h) // (k * 2) >= min_long_side:
            k *= 2
    return k


def _header_orientation(mv: bytes | memoryview) -> int:
    """EXIF orientation read from the segments before the first scan (no copy of the compressed data)."""
    from PIL import Image

    i, n = 2, len(mv)
    while i + 4 <= n and mv[i] == 0xFF:
        marker = mv[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        i += 2 + int.from_bytes(bytes(mv[i + 2 : i + 4]), "big")
        if marker == 0xDA:
            break
    try:
        with Image.open(io.BytesIO(bytes(mv[: min(i, n)]))) as im:
            return _orientation(im)
    except Exception:  # a broken header block must not stop the photo being judged
        return 1


def _finish(rgb: np.ndarray, full_w: int, full_h: int, scale: float, fmt: str, mode: str, orientation: int,
            min_long_side: int) -> Decoded:
    """Orientation, a further reduction for what arrived big, the size check: the end of every decode."""
    rgb = _apply_orientation(rgb, orientation)
    if orientation in (5, 6, 7, 8):
        full_w, full_h = full_h, full_w

    # Non-JPEG files (or small JPEGs) arrive at full size: reduce big ones the same way.
    long_side = max(rgb.shape[:2])
    if long_side >= 2 * min_long_side:
        import cv2

        f = 1
        while long_side // (f * 2) >= min_long_side:
            f *= 2
        h, w = rgb.shape[:2]
        # integer factor: OpenCV's fast INTER_AREA path
        rgb = cv2.resize(np.ascontiguousarray(rgb), (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
        scale = rgb.shape[1] / full_w
    if rgb.shape[0] < 8 or rgb.shape[1] < 8:
        raise DecodeError("图片太小,无法检查", f"the image is too small to check ({rgb.shape[1]}x{rgb.shape[0]})")
    return Decoded(np.ascontiguousarray(rgb), full_w, full_h, scale, fmt, mode, orientation)


def _decode_jpeg_fast(data: bytes, k: int) -> np.ndarray | None:
    """OpenCV's reduced-scale JPEG decode (libjpeg-turbo DCT scaling), or None to use Pillow.

    About 20% faster than Pillow's draft mode here. libjpeg does not fail on a
    truncated file (it pads with grey), so this path only takes files that end
    with the EOI marker; anything else (truncated, trailing data, CMYK) goes
    through Pillow, which reports truncation and undoes Adobe's CMYK inversion.
    """
    import cv2

    if not data[-64:].rstrip(b"\0").endswith(b"\xff\xd9"):
        return None
    flag = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}[k] | cv2.IMREAD_IGNORE_ORIENTATION
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if bgr is None or bgr.ndim != 3:
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


_BAD_IN_SCAN = re.compile(rb"\xff[\x02-\xbf]")  # in entropy-coded data 0xFF is followed by 00, RSTn or a marker


def _jpeg_damage(data: bytes) -> str | None:
    """Why the JPEG's compressed data is damaged, or None (a cheap check of its structure, no decoding).

    libjpeg (OpenCV, Pillow) decodes a damaged file anyway: missing data turns
    into flat grey (128, 128, 128), a bad marker into garbage, with only a
    warning on stderr. Checked: the segments up to the first scan, bytes that
    cannot occur inside a scan, and an end marker right after a run of zeros.
    """
    if not data.startswith(b"\xff\xd8"):
        return "no start-of-image marker"
    i, n = 2, len(data)
    while True:  # the header segments, up to the first start-of-scan
        while i < n and data[i] == 0xFF and i + 1 < n and data[i + 1] == 0xFF:
            i += 1  # fill bytes
        if i + 4 > n or data[i] != 0xFF:
            return f"broken header segment at byte {i}"
        marker = data[i + 1]
        seg = int.from_bytes(data[i + 2 : i + 4], "big")
        if seg < 2 or i + 2 + seg > n:
            return f"segment 0x{marker:02X} at byte {i} runs past the end of the file"
        i += 2 + seg
        if marker == 0xDA:
            break
    end = data.find(b"\xff\xd9", i)
    if end < 0:
        return None  # truncated: Pillow reports it (no end marker), with its own message
    m = _BAD_IN_SCAN.search(data, i, end)
    if m:
        return f"invalid byte 0x{data[m.start() + 1]:02X} after 0xFF in the compressed data at byte {m.start()}"
    if end - i > 4096 and data[end - 64 : end].count(0) == 64:
        return "the compressed data ends in a run of zero bytes (the file was cut and padded)"
    return None


def _grey_filled(rgb: np.ndarray) -> bool:
    """libjpeg's mark of missing data: the last block row exactly (128, 128, 128) across the whole width,
    under a picture that is not (a flat grey card is a picture, not missing data)."""
    return rgb.shape[0] > 8 and bool((rgb[-1] == 128).all()) and not bool((rgb[0] == 128).all())


def from_array(rgb: np.ndarray) -> Decoded:
    """Wrap an RGB (or gray) array that is already the right way up."""
    a = np.asarray(rgb)
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise DecodeError("不是 RGB 图像数据", f"expected an RGB array, got shape {a.shape}")
    if a.shape[2] == 4:
        a = _composite_white(a)
    if a.dtype != np.uint8:
        if np.issubdtype(a.dtype, np.floating):
            a = np.clip(a * (255.0 if a.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        else:
            a = np.clip(a.astype(np.float64) / (257.0 if a.max() > 255 else 1.0), 0, 255).astype(np.uint8)
    if a.shape[0] < 8 or a.shape[1] < 8:
        raise DecodeError("图片太小,无法检查", f"the image is too small to check ({a.shape[1]}x{a.shape[0]})")
    return Decoded(np.ascontiguousarray(a), a.shape[1], a.shape[0], 1.0, "array", "RGB", 1)


def _orientation(im) -> int:
    try:
        value = int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # a broken EXIF block must not stop the photo being judged
        return 1
    return value if 1 <= value <= 8 else 1


def _apply_orientation(a: np.ndarray, orientation: int) -> np.ndarray:
    # numpy views cost nothing; the final ascontiguousarray makes one copy
    if orientation == 2:
        return a[:, ::-1]
    if orientation == 3:
        return a[::-1, ::-1]
    if orientation == 4:
        return a[::-1, :]
    if orientation == 5:
        return a.transpose(1, 0, 2)
    if orientation == 6:
        return np.rot90(a, k=-1)
    if orientation == 7:  # transverse: mirror across the anti-diagonal
        return a[::-1, ::-1].transpose(1, 0, 2)
    if orientation == 8:
        return np.rot90(a, k=1)
    return a


def _composite_white(a: np.ndarray) -> np.ndarray:
    rgb = a[:, :, :3].astype(np.float32)
    alpha = a[:, :, 3:4].astype(np.float32) / (65535.0 if a.dtype == np.uint16 else 255.0)
    top = 65535.0 if a.dtype == np.uint16 else 255.0
    out = rgb * alpha + top * (1.0 - alpha)
    return (out / (257.0 if a.dtype == np.uint16 else 1.0)).astype(np.uint8)


def _to_rgb8(im) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit (or 32-bit int) grayscale: Pillow's convert("RGB") would clip, scale instead (in integers:
        # a float64 copy of a big 16-bit scan costs four times the image)
        a = np.asarray(im)
        if mode.startswith("I;16") or a.max() > 255:
            g = (np.clip(a, 0, 65535).astype(np.uint16) >> 8).astype(np.uint8) if a.dtype != np.uint16 else (a >> 8).astype(np.uint8)
        else:
            g = np.clip(a, 0, 255).astype(np.uint8)
        del a
        return np.repeat(g[:, :, None], 3, axis=2)
    if mode == "F":
        a = np.asarray(im, dtype=np.float64)
        top = 1.0 if a.max() <= 1.0 else 255.0
        g = np.clip(a * (255.0 / top), 0, 255).astype(np.uint8)
        return np.repeat(g[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in im.info):
        return _composite_white(np.asarray(im.convert("RGBA")))
    if mode != "RGB":
        im = im.convert("RGB")  # L, 1, P, CMYK (Pillow undoes Adobe inversion), YCbCr, LAB
    return np.asarray(im)
