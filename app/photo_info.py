"""What a photographer reads under the picture: the exposure (EXIF) and a small histogram.

Read with Pillow (no Qt), from the file the camera delivered: shutter speed,
aperture, ISO and focal length from the EXIF block, and a luminance and RGB
histogram from a reduced decode (JPEG draft mode: an eighth of the pixels is
plenty for 64 bins) with the share of clipped shadows and highlights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BINS = 64
CLIP_SHARE = 0.01  # more than 1 % of the pixels at 0 or 255 in a channel: marked as clipped

_EXPOSURE_TIME, _FNUMBER, _ISO, _FOCAL = 0x829A, 0x829D, 0x8827, 0x920A
_EXIF_IFD = 0x8769


@dataclass(frozen=True)
class PhotoInfo:
    shutter: str | None  # "1/125 s"
    aperture: str | None  # "f/8"
    iso: str | None  # "ISO 100"
    focal: str | None  # "85 mm"
    width: int
    height: int
    hist: tuple[tuple[float, ...], ...]  # luminance, R, G, B: BINS shares each, each summing to 1
    shadows_clipped: float  # share of pixels with a channel at 0
    highlights_clipped: float  # share of pixels with a channel at 255

    def exif_line(self) -> str:
        parts = [p for p in (self.shutter, self.aperture, self.iso, self.focal) if p]
        return "  ".join(parts)

    @property
    def clipped_low(self) -> bool:
        return self.shadows_clipped > CLIP_SHARE

    @property
    def clipped_high(self) -> bool:
        return self.highlights_clipped > CLIP_SHARE


def _num(v) -> float | None:
    try:
        if isinstance(v, tuple) and len(v) == 2:
            return float(v[0]) / float(v[1]) if v[1] else None
        return float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def format_shutter(seconds: float | None) -> str | None:
    if not seconds or seconds <= 0:
        return None
    if seconds >= 0.3:
        return f"{seconds:.1f}".rstrip("0").rstrip(".") + " s"
    return f"1/{round(1 / seconds)} s"


def format_aperture(f: float | None) -> str | None:
    if not f or f <= 0:
        return None
    return f"f/{f:.1f}".replace(".0", "") if f < 10 else f"f/{f:.0f}"


def read_exif(img) -> dict[str, str | None]:
    exif = img.getexif()
    sub = {}
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except Exception:  # a damaged EXIF block: no exposure line, never an error
        sub = {}

    def get(tag):
        return sub.get(tag, exif.get(tag))

    iso = get(_ISO)
    if isinstance(iso, (tuple, list)):
        iso = iso[0] if iso else None
    focal = _num(get(_FOCAL))
    return {
        "shutter": format_shutter(_num(get(_EXPOSURE_TIME))),
        "aperture": format_aperture(_num(get(_FNUMBER))),
        "iso": f"ISO {int(iso)}" if isinstance(iso, (int, float)) and iso > 0 else None,
        "focal": f"{focal:.0f} mm" if focal else None,
    }


def histogram(rgb) -> tuple[tuple[tuple[float, ...], ...], float, float]:
    """(luminance, R, G, B histograms of BINS shares; shadows clipped; highlights clipped) of an RGB array."""
    import numpy as np

    a = np.asarray(rgb)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    a = a[..., :3]
    n = a.shape[0] * a.shape[1] or 1
    lum = (a.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.uint8)
    out = []
    for ch in (lum, a[..., 0], a[..., 1], a[..., 2]):
        h = np.bincount((ch.ravel() >> 2).astype(np.intp), minlength=BINS)[:BINS] / n
        out.append(tuple(float(x) for x in h))
    low = float((a == 0).any(axis=2).sum()) / n
    high = float((a == 255).any(axis=2).sum()) / n
    return tuple(out), low, high


def photo_info(path: str | Path) -> PhotoInfo:
    from PIL import Image

    with Image.open(path) as img:
        ex = read_exif(img)
        w, h = img.size
        img.draft("RGB", (max(1, w // 8), max(1, h // 8)))
        small = img.convert("RGB")  # orientation does not change a histogram
        if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # shown turned a quarter
            w, h = h, w
        hist, low, high = histogram(small)
    return PhotoInfo(ex["shutter"], ex["aperture"], ex["iso"], ex["focal"], w, h, hist, low, high)
