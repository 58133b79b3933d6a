"""The standard crop: from the face landmarks to the 480×640 delivery format.

The delivery format (a profile setting, ``[crop]``) puts the pupils'
line ``eye_line_min``–``eye_line_max`` px from the top and makes the face
(cheek to cheek at the tragus level, mesh points 234–454)
``face_width_min``–``face_width_max`` px wide, centred. The crop aims at the
targets and, when the photo is framed tightly, moves within the allowed ranges
(a slightly larger face, a higher or lower eye line) before giving up: a
photo that can be delivered is not sent back for a retake.

The checks use it (``framing``) and so does the export later:
``QcReport.crop`` holds the box normalised to the oriented photo, and
:func:`crop_to_delivery` cuts the full-resolution original with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class CropBox:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 normalised to the oriented photo (may leave 0..1)
    out_size: tuple[int, int]  # delivery width, height in px (480, 640)
    scale: float  # delivery px per px of the analysed image
    eye_line: float  # px from the top of the delivery image
    face_width: float  # px in the delivery image
    fits: bool  # the box lies inside the photo
    overflow: dict[str, float] = field(default_factory=dict)  # side -> fraction of the crop outside the photo

    @property
    def outside(self) -> list[str]:
        return [k for k, v in self.overflow.items() if v > 0]


def standard_crop(analysis: Any, params: dict[str, Any], head_top: float | None = None) -> CropBox | None:
    """Work out the delivery crop for the analysed face (None without a face).

    ``head_top``: the top of the hair (normalised y), when known; the crop then
    lowers the eye line (within its range) to leave ``head_room`` above it.
    """
    if analysis.landmarks is None:
        return None
    out_w, out_h = int(params["width"]), int(params["height"])
    e_lo, e_hi, e_t = float(params["eye_line_min"]), float(params["eye_line_max"]), float(params["eye_line_target"])
    f_lo, f_hi, f_t = (float(params["face_width_min"]), float(params["face_width_max"]),
                       float(params["face_width_target"]))
    # stay a little inside the allowed ranges so rounding never lands on the limit
    inset = float(params.get("range_inset", 0.1))
    e_lo2, e_hi2 = e_lo + inset * (e_hi - e_lo), e_hi - inset * (e_hi - e_lo)
    f_lo2, f_hi2 = f_lo + inset * (f_hi - f_lo), f_hi - inset * (f_hi - f_lo)

    h, w = analysis.image.shape[:2]
    left, right = analysis.eye_centres
    ey = float((left[1] + right[1]) / 2)
    p = analysis.points3d
    cx = float((p[234, 0] + p[454, 0]) / 2)
    fw = max(analysis.face_width, 1e-6)

    # s: delivery px per image px. Bigger s = tighter crop (smaller box in the photo).
    s_target = f_t / fw
    s_lo, s_hi = f_lo2 / fw, f_hi2 / fw
    def need(e: float) -> float:
        """The smallest s at which the box fits inside the photo with the eye line at e."""
        return max((out_w / 2) / max(min(cx, w - cx), 1e-6), e / max(ey, 1e-6), (out_h - e) / max(h - ey, 1e-6))

    if need(e_t) <= s_target:
        e, s = e_t, s_target
    else:
        # the eye line that needs the least zoom splits the free space in proportion
        e = float(np.clip(out_h * ey / max(h, 1), e_lo2, e_hi2))
        s = max(s_target, need(e))
    s = float(np.clip(s, s_lo, s_hi))
    if head_top is not None:
        room = float(params.get("head_room", 0.03)) * out_h
        y_hair = head_top * h

        def e_for_hair(scale: float) -> float:
            return (ey - y_hair) * scale + room

        if e < e_for_hair(s):
            if e_for_hair(s) > e_hi2 and ey > y_hair:
                # tall hair: zoom out (a smaller face, still in range) before giving up
                s = float(max(s_lo, min(s, (e_hi2 - room) / (ey - y_hair))))
            e = float(min(max(e, e_for_hair(s)), e_hi2))

    x0 = cx - (out_w / 2) / s
    y0 = ey - e / s
    x1 = x0 + out_w / s
    y1 = y0 + out_h / s
    bw, bh = x1 - x0, y1 - y0
    overflow = {
        "top": max(0.0, -y0) / bh,
        "bottom": max(0.0, y1 - h) / bh,
        "left": max(0.0, -x0) / bw,
        "right": max(0.0, x1 - w) / bw,
    }
    fits = all(v <= 1e-6 for v in overflow.values())
    return CropBox(
        box=(x0 / w, y0 / h, x1 / w, y1 / h),
        out_size=(out_w, out_h),
        scale=s,
        eye_line=e,
        face_width=fw * s,
        fits=fits,
        overflow=overflow,
    )


def crop_to_delivery(image: Any, crop_box: Any, size: tuple[int, int] = (480, 640)):
    """Cut the delivery image (PIL.Image, ``size``) from a photo with the standard crop.

    ``image``: a PIL image or RGB array, oriented (EXIF applied), at any
    resolution — normally the full-resolution original. ``crop_box``: a
    :class:`CropBox` or the normalised (x0, y0, x1, y1) of ``QcReport.crop``.
    Where the box leaves the photo (framing failed), the edge pixels are
    repeated rather than painting black bars.
    """
    from PIL import Image

    if isinstance(crop_box, CropBox):
        size = crop_box.out_size
        crop_box = crop_box.box
    if isinstance(image, np.ndarray):
        image = Image.fromarray(np.ascontiguousarray(image[:, :, :3]) if image.ndim == 3 else image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    w, h = image.size
    x0, y0, x1, y1 = (float(v) for v in crop_box)
    px = (x0 * w, y0 * h, x1 * w, y1 * h)
    if px[0] >= 0 and px[1] >= 0 and px[2] <= w and px[3] <= h:
        return image.resize(size, Image.Resampling.LANCZOS, box=px, reducing_gap=3.0)
    import cv2

    # pad with the edge pixels, then cut: only for photos that failed framing
    pad_l, pad_t = int(np.ceil(max(0.0, -px[0]))), int(np.ceil(max(0.0, -px[1])))
    pad_r, pad_b = int(np.ceil(max(0.0, px[2] - w))), int(np.ceil(max(0.0, px[3] - h)))
    arr = cv2.copyMakeBorder(np.asarray(image), pad_t, pad_b, pad_l, pad_r, cv2.BORDER_REPLICATE)
    padded = Image.fromarray(arr)
    box = (px[0] + pad_l, px[1] + pad_t, px[2] + pad_l, px[3] + pad_t)
    return padded.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
