"""Shared geometry for the hair/glasses/jewelry checks: one upright, scale-normalised face view.

The four checks of this family (glasses, eyebrows_visible, ears_visible,
jewelry) all look at small regions whose size follows the face, not the photo.
So the face is warped once into a canonical view where the eye line is
horizontal and the inter-ocular distance (IOD, between the eye centres taken
from the eye corners) is ``SCALE`` pixels, whatever the photo's resolution:
a 200x250 crop and a 24-megapixel frame give the same picture of the face,
and every threshold is in IOD units. Canonical coordinates are written (u, v):
u to image right, v down, in IOD, origin between the eyes.

The view is made once per photo by the shared evidence (``qc/evidence.py``,
``analysis.evidence.view``), so the four checks pay for one warp and one skin
model per photo. ``outline_band`` straightens the strip beside either side of
the face outline (rows down the outline, columns outward from it) for the
checks that look at the ears. ``AlignedFace.cache`` is the view's own memo for
the maps derived from it here (a blurred Lab copy); checks only read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import cv2
import numpy as np

SCALE = 80.0  # canonical pixels per IOD: enough for frame rims and strand texture, cheap to warp
U_RANGE = (-2.0, 2.0)  # covers both ears with hair around them
V_RANGE = (-1.6, 3.0)  # from the hairline to the upper chest (necklaces)

# Mesh indices (mediapipe face mesh, 478 points with the refined iris).
# "Image left" is the subject's right side when the subject faces the camera.
EYE_L_CORNERS = (33, 133)  # image-left eye: outer, inner
EYE_R_CORNERS = (263, 362)  # image-right eye: outer, inner
BROW_L_UPPER = (70, 63, 105, 66, 107)  # image-left brow, outer -> inner
BROW_L_LOWER = (46, 53, 52, 65, 55)
BROW_R_UPPER = (300, 293, 334, 296, 336)  # image-right brow, outer -> inner
BROW_R_LOWER = (276, 283, 282, 295, 285)
EYE_L_RING = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
EYE_R_RING = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
# The face outline from the temple down to the jaw corner, where an ear attaches.
CONTOUR_L = (21, 162, 127, 234, 93, 132, 58, 172)
CONTOUR_R = (251, 389, 356, 454, 323, 361, 288, 397)
CHEEK_L = (117, 118, 101, 205, 187, 123)
CHEEK_R = (346, 347, 330, 425, 411, 352)
NOSE_TIP = 1
CHIN = 152
FOREHEAD_TOP = 10


@dataclass
class SkinModel:
    """Robust colour statistics of the subject's own cheek skin (OpenCV 8-bit Lab)."""

    lab: np.ndarray  # median L, a, b
    spread: np.ndarray  # robust std of L, a, b (floored)
    gray: bool  # the photo carries no colour: only luminance and texture can be used

    def distance(self, lab_img: np.ndarray) -> np.ndarray:
        """Per-pixel colour distance to the skin, in units of the skin's own spread."""
        d = (lab_img.astype(np.float32) - self.lab) / self.spread
        if self.gray:
            return np.abs(d[..., 0])
        return np.sqrt(d[..., 0] ** 2 * 0.5 + d[..., 1] ** 2 + d[..., 2] ** 2)


@dataclass
class AlignedFace:
    """The canonical face view and the maps from it back to the oriented photo."""

    rgb: np.ndarray  # HxWx3 uint8, canonical view
    lab: np.ndarray  # HxWx3 uint8, OpenCV Lab of ``rgb``
    lum: np.ndarray  # HxW float32 luminance 0..255
    mask: np.ndarray | None  # HxW float32 person probability, or None when not available
    pts: np.ndarray  # 478x2 landmarks in canonical pixels
    to_canon: np.ndarray  # 2x3 affine: oriented-image pixels -> canonical pixels
    to_image: np.ndarray  # 2x3 affine: canonical pixels -> oriented-image pixels
    image_size: tuple[int, int]  # (width, height) of the oriented image
    src_iod: float  # IOD in oriented-image pixels (how much real detail there is)
    yaw: float  # degrees, positive when the face turns towards image right (estimated here)
    skin: SkinModel
    cache: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def skin_distance(self) -> np.ndarray:
        """Per-pixel colour distance to the cheek skin, clipped to 0..20 (the learned models' input)."""
        return np.clip(self.skin.distance(self.lab), 0, 20).astype(np.float32)

    # -- coordinates -------------------------------------------------------
    def px(self, u: float, v: float) -> tuple[float, float]:
        """Canonical (u, v) in IOD units -> canonical pixel."""
        return (u - U_RANGE[0]) * SCALE, (v - V_RANGE[0]) * SCALE

    def uv(self, x: np.ndarray | float, y: np.ndarray | float):
        return x / SCALE + U_RANGE[0], y / SCALE + V_RANGE[0]

    def norm_box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A canonical-pixel box -> the bounding box in the oriented image, normalised 0..1."""
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
        img = corners @ self.to_image[:, :2].T + self.to_image[:, 2]
        w, h = self.image_size
        xs = np.clip(img[:, 0] / w, 0.0, 1.0)
        ys = np.clip(img[:, 1] / h, 0.0, 1.0)
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())

    def norm_polygon(self, pts: np.ndarray) -> list[tuple[float, float]]:
        img = np.asarray(pts, np.float64) @ self.to_image[:, :2].T + self.to_image[:, 2]
        w, h = self.image_size
        return [(float(np.clip(x / w, 0, 1)), float(np.clip(y / h, 0, 1))) for x, y in img]


def _eye_centres(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    left = pts[list(EYE_L_CORNERS), :2].mean(axis=0)
    right = pts[list(EYE_R_CORNERS), :2].mean(axis=0)
    return left, right


def estimate_yaw(pts: np.ndarray) -> float:
    """Yaw from the nose tip's place between the face outline points, in degrees.

    Positive when the nose moves towards image right (the image-left ear
    turns towards the camera and the image-right ear away from it).
    """
    left = pts[234, :2]
    right = pts[454, :2]
    nose = pts[NOSE_TIP, :2]
    axis = right - left
    width = float(np.linalg.norm(axis))
    if width < 1e-6:
        return 0.0
    t = float(np.dot(nose - left, axis) / width**2)  # 0.5 when frontal
    return float(np.degrees(np.arcsin(np.clip((t - 0.5) * 2.0, -1.0, 1.0))))


def skin_model(lab: np.ndarray, pts: np.ndarray, gray: bool) -> SkinModel:
    h, w = lab.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    for poly in (CHEEK_L, CHEEK_R):
        cv2.fillPoly(mask, [np.round(pts[list(poly), :2]).astype(np.int32)], 1)
    samples = lab[mask > 0].astype(np.float32)
    if len(samples) < 20:  # degenerate landmarks: fall back to the area under the eyes
        cx, cy = pts[:, 0].mean(), pts[:, 1].mean()
        r = max(2, int(SCALE * 0.2))
        samples = lab[int(cy) - r : int(cy) + r, int(cx) - r : int(cx) + r].reshape(-1, 3).astype(np.float32)
    med = np.median(samples, axis=0)
    mad = np.median(np.abs(samples - med), axis=0) * 1.4826
    # Floors stop a perfectly flat (or synthetic) cheek from making every pixel "far from skin".
    spread = np.maximum(mad, np.array([6.0, 2.5, 2.5], np.float32))
    return SkinModel(lab=med.astype(np.float32), spread=spread.astype(np.float32), gray=gray)


def is_gray(rgb: np.ndarray) -> bool:
    if rgb.ndim == 2 or rgb.shape[2] == 1:
        return True
    sub = rgb[:: max(1, rgb.shape[0] // 64), :: max(1, rgb.shape[1] // 64)].astype(np.int16)
    return int(np.abs(sub[..., 0] - sub[..., 1]).max()) <= 3 and int(np.abs(sub[..., 1] - sub[..., 2]).max()) <= 3


def align_face(
    image: np.ndarray,
    landmarks: np.ndarray,
    mask: np.ndarray | None = None,
    gray: bool | None = None,
) -> AlignedFace:
    """Warp the face into the canonical view.

    ``image`` is the oriented RGB photo (any resolution), ``landmarks`` the 478
    mesh points in that image's pixels (x, y[, z]), ``mask`` an optional person
    probability map of any size covering the same image.
    """
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    pts = np.asarray(landmarks, np.float64)[:, :2]
    el, er = _eye_centres(pts)
    d = er - el
    iod = float(np.hypot(*d))
    if iod < 2.0:
        raise ValueError("eye landmarks collapse")
    angle = np.arctan2(d[1], d[0])
    s = SCALE / iod
    cos, sin = np.cos(-angle) * s, np.sin(-angle) * s
    mid = (el + er) / 2.0
    ox, oy = -U_RANGE[0] * SCALE, -V_RANGE[0] * SCALE
    # Rotate about the eye midpoint, scale, then move the midpoint to the canonical origin.
    to_canon = np.array(
        [[cos, -sin, ox - (cos * mid[0] - sin * mid[1])], [sin, cos, oy - (sin * mid[0] + cos * mid[1])]],
        np.float64,
    )
    out_w = int(round((U_RANGE[1] - U_RANGE[0]) * SCALE))
    out_h = int(round((V_RANGE[1] - V_RANGE[0]) * SCALE))

    src = image
    m = to_canon
    k = int(np.floor(1.0 / s)) if s < 0.5 else 1
    if k >= 2:
        # Shrinking a lot with a plain warp aliases hair and frames: shrink the region round the
        # face first by a whole factor with area averaging (OpenCV's fast path), then warp the
        # rest of the way (a factor between 0.5 and 1).
        inv = cv2.invertAffineTransform(to_canon)
        corners = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float64)
        img_c = corners @ inv[:, :2].T + inv[:, 2]
        x0 = int(max(0, np.floor(img_c[:, 0].min()) - 2))
        y0 = int(max(0, np.floor(img_c[:, 1].min()) - 2))
        x1 = int(min(image.shape[1], np.ceil(img_c[:, 0].max()) + 2))
        y1 = int(min(image.shape[0], np.ceil(img_c[:, 1].max()) + 2))
        # whole multiples of k, so the area resize is an exact k x k average
        x1 = x0 + max(k, (x1 - x0) // k * k)
        y1 = y0 + max(k, (y1 - y0) // k * k)
        region = image[y0:y1, x0:x1]
        if region.shape[0] >= k and region.shape[1] >= k:
            rw, rh = region.shape[1] // k, region.shape[0] // k
            src = cv2.resize(region, (rw, rh), interpolation=cv2.INTER_AREA)
            fx, fy = rw / region.shape[1], rh / region.shape[0]
            pre = np.array([[fx, 0, -x0 * fx], [0, fy, -y0 * fy]], np.float64)
            # canonical = to_canon * pre^-1 * (pre * image)
            pre_inv = cv2.invertAffineTransform(pre)
            m = np.hstack([to_canon[:, :2] @ pre_inv[:, :2], (to_canon[:, :2] @ pre_inv[:, 2] + to_canon[:, 2])[:, None]])
    rgb = cv2.warpAffine(src, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    to_image = cv2.invertAffineTransform(to_canon)

    cmask = None
    if mask is not None:
        mh, mw = mask.shape[:2]
        sx, sy = mw / image.shape[1], mh / image.shape[0]
        # Mask pixels -> image pixels -> canonical.
        mm = np.hstack([to_canon[:, :2] @ np.diag([1 / sx, 1 / sy]), to_canon[:, 2:3]])
        cmask = cv2.warpAffine(
            mask.astype(np.float32), mm, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0
        )

    cpts = pts @ to_canon[:, :2].T + to_canon[:, 2]
    if gray is None:
        gray = is_gray(image)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lum = lab[..., 0].astype(np.float32)  # OpenCV stores L* scaled to 0..255
    return AlignedFace(
        rgb=rgb,
        lab=lab,
        lum=lum,
        mask=cmask,
        pts=cpts,
        to_canon=to_canon,
        to_image=to_image,
        image_size=(image.shape[1], image.shape[0]),
        src_iod=iod,
        yaw=estimate_yaw(pts),
        skin=skin_model(lab, cpts, gray),
    )


# ------------------------------------------------------------------------------------------------
# The strip beside the face outline, straightened
# ------------------------------------------------------------------------------------------------
@dataclass
class OutlineBand:
    """The region beside one side's face outline, resampled so that rows run down the outline.

    Row ``i`` lies ``dv[i]`` IOD below the tragus level (mesh 234/454); column
    ``j`` lies ``off[j]`` IOD outward from the outline (negative: inside the
    face). Ears, the hair over them and the backdrop beyond all sit at the
    same place in this band whatever the photo's size or the head's roll.
    """

    lab: np.ndarray  # rows x cols x 3 float32, OpenCV 8-bit Lab of the lightly smoothed canonical view
    mask: np.ndarray | None  # rows x cols float32 person probability, or None
    valid: np.ndarray  # rows x cols bool: inside the canonical view
    dv: np.ndarray  # rows: IOD below the tragus level
    off: np.ndarray  # cols: IOD outward from the outline
    xs: np.ndarray  # rows x cols canonical x of each sample (for regions)
    ys: np.ndarray  # rows x cols canonical y


def outline_band(face: AlignedFace, side: int, rows: tuple[float, float], cols: tuple[float, float],
                 blur: float = 1.0) -> OutlineBand:
    """Straighten the strip beside the outline of ``side`` (-1 image left, +1 image right).

    ``rows`` (top, bottom) in IOD from the tragus level, ``cols`` (inner,
    outer) in IOD from the outline; one sample per canonical pixel.
    """
    cont = face.pts[list(CONTOUR_L if side < 0 else CONTOUR_R)]
    order = np.argsort(cont[:, 1])
    tx, ty = face.pts[234 if side < 0 else 454]
    ys = ty + np.arange(int(np.floor(rows[0] * SCALE)), int(np.ceil(rows[1] * SCALE)) + 1, dtype=np.float64)
    xl = np.interp(ys, cont[order, 1], cont[order, 0])
    offs = np.arange(int(np.floor(cols[0] * SCALE)), int(np.ceil(cols[1] * SCALE)) + 1, dtype=np.float64)
    X = (xl[:, None] + side * offs[None, :]).astype(np.float32)
    Y = np.repeat(ys[:, None], len(offs), axis=1).astype(np.float32)
    key = ("lab_blur", blur)
    if key not in face.cache:
        face.cache[key] = cv2.cvtColor(cv2.GaussianBlur(face.rgb, (0, 0), blur), cv2.COLOR_RGB2LAB)
    lab = cv2.remap(face.cache[key], X, Y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    mask = None
    if face.mask is not None:
        mask = cv2.remap(face.mask, X, Y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    h, w = face.lum.shape
    valid = (X >= 0) & (X <= w - 1) & (Y >= 0) & (Y <= h - 1)
    return OutlineBand(lab=lab, mask=mask, valid=valid, dv=(ys - ty) / SCALE, off=offs / SCALE, xs=X, ys=Y)


