"""Colour spaces of the delivery: every delivered JPEG is sRGB.

Cameras can shoot in Adobe RGB. The file then carries either an embedded ICC
profile or, the way most cameras do it (the DCF rule), no profile at all and
only the EXIF marks ColorSpace = "uncalibrated" and interoperability index
"R03". Delivered as they are, such photos look dull and greenish-pale on the
centre's sRGB systems. :func:`to_srgb` converts them with LittleCMS (bundled
in Pillow's wheel); an sRGB photo (or one with no colour information) is left
alone, byte for byte in its pixels.

The Adobe RGB (1998) profile is built here from its published primaries,
white point and gamma (563/256), so no profile file is needed on the station.
"""

from __future__ import annotations

import io
import struct
from functools import lru_cache
from typing import Any

EXIF_IFD = 0x8769
INTEROP_IFD = 0xA005
COLOR_SPACE = 0xA001
UNCALIBRATED = 0xFFFF
INTEROP_INDEX = 0x0001

# Adobe RGB (1998): colorants adapted to the D50 connection space (Bradford), as in Adobe's own profile
ADOBE_RGB_D50 = (
    (0.60974, 0.31111, 0.01947),
    (0.20528, 0.62567, 0.06087),
    (0.14919, 0.06322, 0.74457),
)
ADOBE_RGB_GAMMA = 563 / 256
D50 = (0.9642, 1.0, 0.8249)
D65_WHITE = (0.95045, 1.0, 1.08905)


def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _xyz(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ " + b"\0" * 4 + b"".join(_s15(v) for v in xyz)


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)


def _curve(gamma: float) -> bytes:
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, int(round(gamma * 256))) + b"\0\0"


def matrix_trc_profile(description: str, colorants_d50, gamma: float, white=D65_WHITE) -> bytes:
    """An ICC v2 display profile (matrix + one gamma curve per channel)."""
    tags = [
        (b"desc", _desc(description)),
        (b"cprt", b"text" + b"\0" * 4 + b"No copyright, use freely\0"),
        (b"wtpt", _xyz(white)),
        (b"rXYZ", _xyz(colorants_d50[0])),
        (b"gXYZ", _xyz(colorants_d50[1])),
        (b"bXYZ", _xyz(colorants_d50[2])),
    ]
    curve = _curve(gamma)
    offset = 128 + 4 + 12 * (len(tags) + 3)
    table, body = [], b""
    for sig, data in tags:
        table.append((sig, offset + len(body), len(data)))
        body += data + b"\0" * (-len(data) % 4)
    curve_at = offset + len(body)
    body += curve  # the three channels share one curve (the ICC format allows shared tag data)
    for sig in (b"rTRC", b"gTRC", b"bTRC"):
        table.append((sig, curve_at, len(curve)))
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24
              + struct.pack(">I", 0) + b"".join(_s15(v) for v in D50) + b"\0" * 4)
    header += b"\0" * (128 - len(header))
    tag_table = struct.pack(">I", len(table)) + b"".join(sig + struct.pack(">II", o, n) for sig, o, n in table)
    return header + tag_table + body


@lru_cache(maxsize=1)
def adobe_rgb_profile() -> bytes:
    return matrix_trc_profile("Adobe RGB (1998) compatible", ADOBE_RGB_D50, ADOBE_RGB_GAMMA)


def source_profile(im: Any) -> bytes | None:
    """The photo's colour profile if it is not plain sRGB: the embedded ICC, or Adobe RGB by EXIF."""
    icc = im.info.get("icc_profile")
    if icc:
        return None if _is_srgb(icc) else icc
    try:
        exif = im.getexif()
        space = exif.get_ifd(EXIF_IFD).get(COLOR_SPACE)
        index = exif.get_ifd(INTEROP_IFD).get(INTEROP_INDEX)
    except Exception:  # unreadable EXIF: no colour information, sRGB by convention
        return None
    if space == UNCALIBRATED and str(index or "").strip("\0 ").upper() == "R03":
        return adobe_rgb_profile()
    return None


def _is_srgb(icc: bytes) -> bool:
    from PIL import ImageCms

    try:
        desc = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except Exception:  # a broken profile says nothing reliable: treat the pixels as sRGB
        return True
    return "srgb" in desc.lower().replace(" ", "").replace("-", "")


def to_srgb(image: Any, profile: bytes | None) -> Any:
    """``image`` (PIL, RGB) converted from ``profile`` to sRGB; unchanged when ``profile`` is None."""
    if not profile:
        return image
    from PIL import ImageCms

    src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    dst = ImageCms.createProfile("sRGB")
    out = ImageCms.profileToProfile(image.convert("RGB"), src, dst, renderingIntent=ImageCms.Intent.PERCEPTUAL,
                                    outputMode="RGB")
    out.info.pop("icc_profile", None)
    return out
