"""Render realistic spectacles, fringes, hair over the ears and jewelry onto real face photos.

The development set has nobody in glasses and one fringe, so the detectors
for ``glasses`` and ``eyebrows_visible`` are measured on real faces with
rendered accessories. The renderer is built to look like the real thing,
so that a detector tuned on it relies on what real spectacles and fringes
look like rather than on renderer quirks:

* geometry from the face mesh in 3D (the frame sits on the nose bridge in
  front of the eyes and turns with the head, so yaw foreshortens it; the
  fringe hangs from the forehead's top and follows the brow line),
* spectacles: thin metal, thick plastic, half-rim (browline), rimless,
  tinted and sun lenses, aviators and clear frames, with rims shaded like
  metal or plastic, lens tint and refraction (the eye behind a lens is
  slightly scaled), reflections of windows and softboxes, the frame's soft
  shadow on the skin, temples running back to the ears, and optional strands
  of hair over the frame,
* fringes: thousands of anti-aliased strands with tapering tips, coloured
  from the person's own hair where it is visible (else a natural hair
  colour), with strand texture, clumping, shading and a soft shadow on the
  forehead; blunt, curtain, side-swept and see-through ("air") fringes, short
  ones that leave the brows free and long ones that cover them,
* the label of a fringe render is measured, not assumed: the share of each
  eyebrow's area under hair.

Nothing here is used at run time by the checks, so it lives outside the
``qc`` package (it does not ship in the wheel): it makes test images for
``bench/make_synth_set.py`` and the unit tests, which import it from here
(``from bench.support import synth``; bench never imports ``tests/``). All functions take the
oriented RGB image (uint8) and the 478 mesh points in its pixels (x, y, z
with z scaled like x, as ``FaceAnalysis.points3d`` gives them) and return a
new image plus a dict describing what was drawn.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import cv2
import numpy as np

# Mesh indices (mediapipe face mesh). "l"/"r" are IMAGE left/right.
_EYE_L = (33, 133)
_EYE_R = (263, 362)
_BROW_L_UP = (70, 63, 105, 66, 107)
_BROW_L_LO = (46, 53, 52, 65, 55)
_BROW_R_UP = (300, 293, 334, 296, 336)
_BROW_R_LO = (276, 283, 282, 295, 285)
_FOREHEAD_ARC = (162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389)

GLASSES_FAMILIES = ("metal", "plastic", "half_rim", "rimless", "sun")
# Styles kept out of tuning: the held-out part of the renderer's parameter space.
GLASSES_HELDOUT_FAMILIES = ("aviator", "clear", "round_tortoise")
FRINGE_KINDS = ("blunt", "curtain", "side_swept", "wispy")
FRINGE_HELDOUT_KINDS = ("choppy", "long_side")


# ----------------------------------------------------------------------------------------------
# Face frame
# ----------------------------------------------------------------------------------------------
@dataclass
class FaceFrame:
    """A 3D frame on the face: origin between the eyes, unit vectors, scale = IOD."""

    origin: np.ndarray  # (3,) pixels
    ex: np.ndarray  # towards image-right eye
    ey: np.ndarray  # down the face
    ez: np.ndarray  # towards the camera
    iod: float  # pixels

    def project(self, p: np.ndarray) -> np.ndarray:
        """(N, 3) face-frame points in IOD units -> (N, 2) image pixels (orthographic)."""
        p = np.asarray(p, np.float64).reshape(-1, 3) * self.iod
        world = self.origin + p[:, :1] * self.ex + p[:, 1:2] * self.ey + p[:, 2:3] * self.ez
        return world[:, :2]

    def local(self, world_xyz: np.ndarray) -> np.ndarray:
        d = (np.asarray(world_xyz, np.float64).reshape(-1, 3) - self.origin) / self.iod
        return np.column_stack([d @ self.ex, d @ self.ey, d @ self.ez])


def face_frame(pts: np.ndarray) -> FaceFrame:
    pts = np.asarray(pts, np.float64)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    el = pts[list(_EYE_L)].mean(axis=0)
    er = pts[list(_EYE_R)].mean(axis=0)
    origin = (el + er) / 2
    ex = er - el
    iod = float(np.linalg.norm(ex))
    ex = ex / iod
    down = pts[152] - pts[10]
    ey = down - ex * float(down @ ex)
    ey /= np.linalg.norm(ey)
    ez = np.cross(ex, ey)
    # mediapipe's z grows away from the camera; the nose tip is the point nearest to it, so
    # the face's own z (towards the camera) is the side the nose tip is on
    if float((pts[1] - origin) @ ez) < 0:
        ez = -ez
    return FaceFrame(origin=origin, ex=ex, ey=ey, ez=ez, iod=iod)


# ----------------------------------------------------------------------------------------------
# Small drawing helpers (supersampled, anti-aliased)
# ----------------------------------------------------------------------------------------------
class Canvas:
    """A supersampled region of interest for anti-aliased masks."""

    def __init__(self, shape: tuple[int, int], box: tuple[int, int, int, int], ss: int = 4):
        h, w = shape
        x0, y0, x1, y1 = box
        self.x0, self.y0 = max(0, int(x0)), max(0, int(y0))
        self.x1, self.y1 = min(w, int(x1)), min(h, int(y1))
        self.ss = ss
        self.w = max(1, self.x1 - self.x0)
        self.h = max(1, self.y1 - self.y0)

    def new(self) -> np.ndarray:
        return np.zeros((self.h * self.ss, self.w * self.ss), np.uint8)

    def pts(self, p: np.ndarray) -> np.ndarray:
        q = (np.asarray(p, np.float64).reshape(-1, 2) - [self.x0, self.y0]) * self.ss
        return np.round(q * 16).astype(np.int32)  # 4 fractional bits for cv2's shift argument

    def fill(self, m: np.ndarray, poly: np.ndarray, value: int = 255) -> None:
        cv2.fillPoly(m, [self.pts(poly)], value, lineType=cv2.LINE_AA, shift=4)

    def line(self, m: np.ndarray, poly: np.ndarray, width_px: float, closed: bool = False, value: int = 255) -> None:
        t = max(1, int(round(width_px * self.ss)))
        cv2.polylines(m, [self.pts(poly)], closed, value, thickness=t, lineType=cv2.LINE_AA, shift=4)

    def down(self, m: np.ndarray) -> np.ndarray:
        """Supersampled uint8 mask -> float32 coverage 0..1 at image resolution."""
        return cv2.resize(m, (self.w, self.h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0

    @property
    def slc(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y1), slice(self.x0, self.x1)


def _blend(roi: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha[..., None]
    return roi * (1 - a) + colour * a


def _superellipse(n_pts: int, a: float, b: float, p: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n_pts, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    x = a * np.sign(c) * np.abs(c) ** (2 / p)
    y = b * np.sign(s) * np.abs(s) ** (2 / p)
    return np.column_stack([x, y])


# ----------------------------------------------------------------------------------------------
# Spectacles
# ----------------------------------------------------------------------------------------------
@dataclass
class GlassesStyle:
    family: str
    shape: str  # round, oval, rect, wayfarer, cat_eye, aviator
    lens_w: float  # IOD units
    lens_h: float
    rim: float  # rim thickness, IOD units (0 for rimless)
    top_rim: float  # browline frames: a heavier top bar
    colour: tuple[int, int, int]
    frame_alpha: float
    metal: bool
    tortoise: bool
    tint: tuple[int, int, int] | None  # lens colour
    tint_strength: float  # 0 clear .. 0.9 dark sunglasses
    tint_gradient: bool
    refraction: float  # scale of what is seen through the lens (0.9 myopia .. 1.08 hyperopia)
    reflections: int
    reflection_strength: float
    shadow: float
    lens_drop: float  # lens centre below the eye line, IOD
    lens_out: float  # lens centre outward from the eye centre, IOD
    bridge_arch: float
    double_bridge: bool
    nose_pads: bool
    temples: bool
    blur: float  # pixels at the source resolution
    hair_strands: int  # strands of hair drawn over the frame afterwards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_FRAME_COLOURS = {
    "black": (18, 18, 20),
    "dark_brown": (52, 34, 24),
    "brown": (96, 62, 38),
    "navy": (24, 30, 58),
    "burgundy": (88, 22, 34),
    "grey": (90, 90, 96),
    "gold": (196, 164, 96),
    "silver": (178, 180, 186),
    "gunmetal": (84, 86, 92),
    "rose_gold": (196, 142, 120),
    "red": (160, 30, 36),
    "blue": (40, 70, 150),
    "clear": (220, 214, 205),
    "tortoise": (92, 56, 30),
}


def random_glasses_style(rng: np.random.Generator, family: str | None = None,
                         families: tuple[str, ...] = GLASSES_FAMILIES) -> GlassesStyle:
    fam = family or str(rng.choice(families))
    u = rng.uniform
    shape = str(rng.choice(["round", "oval", "rect", "wayfarer", "cat_eye"]))
    lens_w = u(0.72, 0.92)
    lens_h = lens_w * u(0.55, 0.85)
    metal = fam in ("metal", "rimless", "aviator")
    colour_name = str(rng.choice(["gold", "silver", "gunmetal", "black", "rose_gold"] if metal
                                 else ["black", "dark_brown", "brown", "navy", "burgundy", "grey", "red", "blue"]))
    st = GlassesStyle(
        family=fam, shape=shape, lens_w=lens_w, lens_h=lens_h, rim=0.0, top_rim=0.0,
        colour=_FRAME_COLOURS[colour_name], frame_alpha=1.0, metal=metal, tortoise=False,
        tint=None, tint_strength=0.0, tint_gradient=False, refraction=float(u(0.9, 1.06)),
        reflections=int(rng.integers(0, 3)), reflection_strength=float(u(0.15, 0.55)),
        shadow=float(u(0.1, 0.35)), lens_drop=float(u(0.0, 0.09)), lens_out=float(u(0.0, 0.05)),
        bridge_arch=float(u(0.0, 0.08)), double_bridge=False, nose_pads=metal, temples=True,
        blur=float(u(0.3, 1.0)), hair_strands=int(rng.integers(0, 2) * rng.integers(0, 12)),
    )
    # Rim widths follow real frames seen from the front: a metal rim with its lens groove is
    # 1-2 mm (0.016-0.032 of a 62 mm eye distance), an acetate rim 3-6 mm.
    if fam == "metal":
        st.rim = float(u(0.016, 0.032))
    elif fam == "plastic":
        st.rim = float(u(0.045, 0.1))
        st.shape = str(rng.choice(["rect", "wayfarer", "oval", "cat_eye", "round"]))
        st.tortoise = bool(rng.random() < 0.25)
        if st.tortoise:
            st.colour = _FRAME_COLOURS["tortoise"]
    elif fam == "half_rim":
        st.rim = float(u(0.006, 0.012))  # the nylon line under the lens: barely visible
        st.top_rim = float(u(0.05, 0.1))
        st.metal = False
        st.colour = _FRAME_COLOURS[str(rng.choice(["black", "dark_brown", "tortoise", "navy"]))]
        st.shape = str(rng.choice(["rect", "oval", "wayfarer"]))
    elif fam == "rimless":
        st.rim = 0.0
        st.shape = str(rng.choice(["rect", "oval"]))
        st.lens_h = lens_w * u(0.5, 0.7)
    elif fam == "sun":
        st.rim = float(u(0.02, 0.08))
        st.metal = bool(rng.random() < 0.35)
        st.tint = tuple(int(c) for c in rng.choice([[20, 20, 22], [45, 35, 25], [25, 45, 30], [30, 35, 60], [70, 40, 20]]))
        st.tint_strength = float(u(0.55, 0.9))
        st.tint_gradient = bool(rng.random() < 0.3)
        st.reflection_strength = float(u(0.2, 0.6))
        st.refraction = 1.0
        st.lens_w = float(u(0.82, 1.0))
        st.lens_h = st.lens_w * u(0.65, 0.9)
    # held-out families
    elif fam == "aviator":
        st.shape = "aviator"
        st.rim = float(u(0.016, 0.028))
        st.double_bridge = True
        st.lens_w = float(u(0.85, 1.0))
        st.lens_h = st.lens_w * u(0.75, 0.9)
        if rng.random() < 0.6:
            st.tint = tuple(int(c) for c in rng.choice([[40, 50, 40], [60, 45, 30], [30, 30, 35]]))
            st.tint_strength = float(u(0.3, 0.85))
            st.tint_gradient = bool(rng.random() < 0.5)
    elif fam == "clear":
        st.rim = float(u(0.045, 0.08))
        st.colour = _FRAME_COLOURS["clear"]
        st.frame_alpha = float(u(0.35, 0.6))
        st.shape = str(rng.choice(["rect", "round", "oval"]))
    elif fam == "round_tortoise":
        st.shape = "round"
        st.rim = float(u(0.035, 0.07))
        st.tortoise = True
        st.colour = _FRAME_COLOURS["tortoise"]
        st.lens_h = st.lens_w * u(0.85, 0.98)
    else:
        raise ValueError(f"unknown glasses family {fam!r}")
    if st.tint is None and rng.random() < 0.2 and fam not in ("sun",):
        # light fashion/photochromic tint on ordinary glasses
        st.tint = tuple(int(c) for c in rng.choice([[120, 90, 60], [80, 90, 110], [100, 80, 100]]))
        st.tint_strength = float(u(0.08, 0.25))
    return st


def _lens_outline(st: GlassesStyle, n: int = 96) -> np.ndarray:
    """Lens outline in lens-local IOD units (x outward from the nose, y down), centred."""
    a, b = st.lens_w / 2, st.lens_h / 2
    p = {"round": 2.0, "oval": 2.2, "rect": 4.5, "wayfarer": 4.0, "cat_eye": 3.2, "aviator": 2.3}[st.shape]
    pts = _superellipse(n, a, b, p)
    x, y = pts[:, 0], pts[:, 1]
    if st.shape == "round":
        pts[:, 1] = np.clip(y, -a, a) * (b / a) if a > 0 else y
    if st.shape == "wayfarer":
        # wider at the top, the top edge lifted at the outer side
        y = y + np.where(y < 0, -0.06 * b * (x / a + 1), 0)
        x = x * np.where(y > 0, 1 - 0.12 * (y / b), 1.0)
        pts = np.column_stack([x, y])
    elif st.shape == "cat_eye":
        lift = np.clip(x / a, 0, 1) ** 2 * np.clip(-y / b, 0, 1) * 0.35 * b
        x2 = x * np.where(y < 0, 1 + 0.08 * np.clip(x / a, 0, 1), 1)
        pts = np.column_stack([x2, y - lift])
    elif st.shape == "aviator":
        # teardrop: the lower inner part drops towards the nose, the top is flat
        drop = np.clip(y / b, 0, 1) * np.clip(-x / a + 0.3, 0, 1.3) * 0.35 * b
        flat = np.where(y < 0, 0.25, 0.0) * y
        pts = np.column_stack([x * (1 + 0.05 * np.clip(y / b, 0, 1)), y + drop - flat])
    return pts


def render_glasses(rgb: np.ndarray, pts: np.ndarray, style: GlassesStyle,
                   rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
    """Draw spectacles on the face; returns the new image and what was drawn (regions in pixels)."""
    img = rgb.astype(np.float32)
    h, w = img.shape[:2]
    fr = face_frame(pts)
    iod = fr.iod
    st = style

    # Lens centres in the face frame (IOD units); the lenses wrap slightly round the face.
    depth = float(fr.local(np.asarray(pts)[168])[0, 2]) + 0.02  # on the nose bridge, a little in front
    outline = _lens_outline(st)
    lenses_px = []
    rims3d = []
    for side in (-1, 1):
        cx = side * (0.5 + st.lens_out)
        o = outline.copy()
        o[:, 0] *= side  # outward is -x on the image-left lens
        xs = cx + o[:, 0]
        ys = st.lens_drop + o[:, 1]
        zs = depth - 0.12 * np.clip(np.abs(xs) - 0.3, 0, None) ** 2
        p3 = np.column_stack([xs, ys, zs])
        rims3d.append(p3)
        lenses_px.append(fr.project(p3))
    # Bridge: from the inner top-ish points of the lenses, arching up.
    inner = []
    for i, side in enumerate((-1, 1)):
        p3 = rims3d[i]
        k = np.argmin(np.abs(p3[:, 0]) + 0.6 * np.abs(p3[:, 1] - (st.lens_drop - st.lens_h * 0.22)))
        inner.append(p3[k])
    bx = np.linspace(inner[0][0], inner[1][0], 24)
    by = np.linspace(inner[0][1], inner[1][1], 24) - st.bridge_arch * np.sin(np.linspace(0, np.pi, 24))
    bridge3d = np.column_stack([bx, by, np.full(24, depth + 0.03)])
    bridges = [fr.project(bridge3d)]
    if st.double_bridge:
        top = [r[np.argmin(r[:, 1] + 0.3 * np.abs(r[:, 0]))] for r in rims3d]
        tb = np.column_stack([np.linspace(top[0][0] * 0.8, top[1][0] * 0.8, 24),
                              np.full(24, min(top[0][1], top[1][1]) + 0.01),
                              np.full(24, depth + 0.02)])
        bridges.append(fr.project(tb))
    # Temples: from the outer top of each lens back towards the ear, in depth.
    temples = []
    if st.temples:
        for i, side in enumerate((-1, 1)):
            p3 = rims3d[i]
            k = np.argmin(-side * p3[:, 0] * 1.0 + 0.8 * np.abs(p3[:, 1] - (st.lens_drop - st.lens_h * 0.3)))
            hinge = p3[k]
            ear = fr.local(np.asarray(pts)[234 if side < 0 else 454])[0]
            end = np.array([ear[0] + side * 0.06, hinge[1] + 0.06, ear[2] - 0.9])
            t = np.linspace(0, 1, 20)[:, None]
            temples.append(fr.project(hinge + (end - hinge) * t))

    allp = np.vstack(lenses_px + bridges + temples)
    pad = 0.3 * iod
    cv_ = Canvas((h, w), (allp[:, 0].min() - pad, allp[:, 1].min() - pad, allp[:, 0].max() + pad, allp[:, 1].max() + pad))
    sl = cv_.slc
    roi = img[sl].copy()
    rw = st.rim * iod

    # --- lens interior: refraction, tint, reflections (under the frame) -----------------------
    lens_mask = cv_.new()
    for lp in lenses_px:
        cv_.fill(lens_mask, lp)
    lens_a = cv_.down(lens_mask)
    if abs(st.refraction - 1.0) > 0.005:
        for lp in lenses_px:
            c = lp.mean(axis=0) - [cv_.x0, cv_.y0]
            m = np.array([[1 / st.refraction, 0, c[0] * (1 - 1 / st.refraction)],
                          [0, 1 / st.refraction, c[1] * (1 - 1 / st.refraction)]])
            warped = cv2.warpAffine(roi, m, (cv_.w, cv_.h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
            one = cv_.new()
            cv_.fill(one, lp)
            a1 = cv_.down(one)
            roi = _blend(roi, warped, a1)
    if st.tint is not None and st.tint_strength > 0:
        tint = np.array(st.tint, np.float32)
        strength = np.full(lens_a.shape, st.tint_strength, np.float32)
        if st.tint_gradient:
            ys = np.linspace(0, 1, cv_.h)[:, None]
            top = min(lp[:, 1].min() for lp in lenses_px) - cv_.y0
            bot = max(lp[:, 1].max() for lp in lenses_px) - cv_.y0
            g = np.clip((np.arange(cv_.h)[:, None] - top) / max(1.0, bot - top), 0, 1)
            strength = strength * (1.0 - 0.75 * g) * np.ones((1, cv_.w), np.float32)
            del ys
        # a tinted lens is a filter: it darkens and colours what is behind it
        filt = roi * (1 - strength[..., None]) + (roi * tint / 255.0 * 0.6 + tint * 0.4) * strength[..., None]
        roi = _blend(roi, filt, lens_a)
    if st.reflections > 0:
        refl = np.zeros(lens_a.shape, np.float32)
        for _ in range(st.reflections):
            lp = lenses_px[int(rng.integers(0, 2))]
            c = lp.mean(axis=0) - [cv_.x0, cv_.y0]
            ww = iod * rng.uniform(0.08, 0.3)
            hh = iod * rng.uniform(0.05, 0.25)
            ang = rng.uniform(-0.6, 0.6)
            off = rng.uniform(-0.25, 0.25, 2) * [st.lens_w * iod, st.lens_h * iod]
            quad = _superellipse(24, ww, hh, rng.uniform(3, 8))
            rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
            quad = quad @ rot.T + c + off
            m1 = np.zeros((cv_.h, cv_.w), np.uint8)
            cv2.fillPoly(m1, [np.round(quad).astype(np.int32)], 255)
            soft = cv2.GaussianBlur(m1.astype(np.float32) / 255.0, (0, 0), max(0.8, iod * rng.uniform(0.01, 0.04)))
            refl = np.maximum(refl, soft * rng.uniform(0.5, 1.0))
        refl *= lens_a * st.reflection_strength
        sky = np.array(rng.choice([[250, 250, 250], [235, 242, 255], [255, 248, 235]]), np.float32)
        roi = roi + (sky - roi) * refl[..., None]
    if st.rim == 0.0 or st.family == "rimless":
        # the polished edge of a rimless lens catches the light and throws a thin dark line
        edge = cv_.new()
        for lp in lenses_px:
            cv_.line(edge, lp, max(0.6, rng.uniform(0.01, 0.02) * iod), closed=True)
        ea = cv_.down(edge)
        tone = 255.0 if rng.random() < 0.5 else 40.0
        roi = _blend(roi, np.full(3, tone, np.float32), ea * rng.uniform(0.35, 0.7))

    # --- the frame --------------------------------------------------------------------------
    frame = cv_.new()
    for lp in lenses_px:
        if st.rim > 0:
            cv_.line(frame, lp, rw, closed=True)
        if st.top_rim > 0:
            top = lp[lp[:, 1] <= np.percentile(lp[:, 1], 45)]
            top = top[np.argsort(top[:, 0])]
            cv_.line(frame, top, st.top_rim * iod)
    bridge_w = max(rw, 0.014 * iod) if st.rim > 0 else 0.012 * iod
    for b in bridges:
        cv_.line(frame, b, bridge_w * (1.6 if not st.metal and st.rim > 0.03 else 1.0))
    for t in temples:
        cv_.line(frame, t, max(0.012 * iod, rw * 0.8))
    if st.rim == 0.0:
        # rimless: the hinge blocks where the temples meet the lens
        for t in temples:
            cv_.line(frame, t[:3], 0.03 * iod)
    if st.nose_pads:
        for i, side in enumerate((-1, 1)):
            c3 = np.array([side * 0.14, st.lens_drop + st.lens_h * 0.12, depth - 0.02])
            pad_pts = fr.project(c3 + np.column_stack([_superellipse(16, 0.035, 0.055, 2.0), np.zeros(16)]))
            cv_.fill(frame, pad_pts, 70)  # clear silicone pads: faint
    fa = cv_.down(frame) * st.frame_alpha

    # shadow on the skin: the frame's silhouette, offset down and blurred
    if st.shadow > 0:
        off = np.float32([[1, 0, 0.02 * iod], [0, 1, 0.05 * iod]])
        sh = cv2.warpAffine(fa, off, (cv_.w, cv_.h))
        sh = cv2.GaussianBlur(sh, (0, 0), max(1.0, 0.03 * iod))
        roi = roi * (1 - st.shadow * sh[..., None])

    base = np.array(st.colour, np.float32)
    yy = (np.arange(cv_.h, dtype=np.float32)[:, None] / max(1, cv_.h - 1)) * np.ones((1, cv_.w), np.float32)
    if st.metal:
        # polished wire: a bright highlight along one side of the wire and a dark reflection
        # along the other (what makes thin metal rims visible on pale skin), a few glints
        shift = max(1, int(round(max(rw, 0.015 * iod) * cv_.ss * 0.45)))
        lit = np.zeros_like(frame)
        lit[:-shift] = frame[shift:]
        lit = cv_.down(cv2.bitwise_and(lit, frame))
        shade = (1.15 - 0.4 * yy) * (0.55 + 0.75 * lit)
        glint = (rng.random((cv_.h, cv_.w)) > 0.997).astype(np.float32)
        glint = cv2.GaussianBlur(glint, (0, 0), 0.8) * 4
        col = base * shade[..., None] + (255 * np.clip(glint, 0, 1) * 0.6 + 40 * lit)[..., None]
    else:
        shade = 1.15 - 0.35 * yy
        col = base * shade[..., None]
        if st.tortoise:
            blobs = cv2.GaussianBlur(rng.random((cv_.h, cv_.w)).astype(np.float32), (0, 0), max(1.0, 0.02 * iod))
            blobs = (blobs - blobs.mean()) / (blobs.std() + 1e-6)
            mix = np.clip(0.5 + 0.6 * blobs, 0, 1)[..., None]
            col = col * (0.35 + 0.9 * mix) + np.array([30, 18, 5], np.float32) * mix
        # plastic: a soft highlight line along the rim
        hl = cv2.erode(frame, np.ones((3, 3), np.uint8), iterations=max(1, int(rw * cv_.ss * 0.35)))
        hl = cv_.down(hl)
        col = col + (255 - col) * (hl * 0.25)[..., None]
    col = np.clip(col, 0, 255)
    if st.blur > 0:
        # the camera's own blur acts on the frame's edges only: the skin seen through and around
        # the frame keeps its texture (blurring it would be a renderer signature, not a glasses cue)
        fa_b = cv2.GaussianBlur(fa, (0, 0), st.blur)
        col = cv2.GaussianBlur(col * fa[..., None], (0, 0), st.blur) / np.maximum(fa_b, 1e-3)[..., None]
        fa = fa_b
    noise = rng.normal(0, 2.0, col.shape).astype(np.float32)
    roi = _blend(roi, np.clip(col + noise, 0, 255), fa)
    img[sl] = roi
    out = np.clip(img, 0, 255).astype(np.uint8)

    info: dict[str, Any] = {"style": st.to_dict(), "lenses": [lp.tolist() for lp in lenses_px]}
    if st.hair_strands > 0:
        out, _ = _strands_over(out, pts, fr, rng, st.hair_strands)
    xs = allp[:, 0]
    ys = allp[:, 1]
    info["box"] = [float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())]
    return out, info


# ----------------------------------------------------------------------------------------------
# Hair: colour from the person, strands, fringes
# ----------------------------------------------------------------------------------------------
_HAIR_PALETTE = np.array([
    [14, 12, 12], [22, 18, 16], [34, 26, 22], [48, 36, 28], [66, 48, 34],
    [92, 66, 44], [124, 92, 60], [168, 132, 88], [196, 164, 112], [110, 52, 30],
], np.float32)


def hair_colours(rgb: np.ndarray, pts: np.ndarray, mask: np.ndarray | None,
                 rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """(N, 3) colour samples of the person's own hair (from above the forehead), or a palette colour.

    Returns the samples and whether they came from the photo.
    """
    pts = np.asarray(pts, np.float64)
    fr = face_frame(pts)
    h, w = rgb.shape[:2]
    top = fr.local(pts[10])[0]
    # a band above the mesh's forehead top, between the temples
    grid_u = np.linspace(-0.7, 0.7, 40)
    grid_v = np.linspace(top[1] - 0.55, top[1] - 0.12, 16)
    uu, vv = np.meshgrid(grid_u, grid_v)
    p = fr.project(np.column_stack([uu.ravel(), vv.ravel(), np.full(uu.size, top[2])]))
    xi = np.clip(np.round(p[:, 0]).astype(int), 0, w - 1)
    yi = np.clip(np.round(p[:, 1]).astype(int), 0, h - 1)
    inside = (p[:, 0] >= 0) & (p[:, 0] < w) & (p[:, 1] >= 0) & (p[:, 1] < h)
    samples = rgb[yi, xi].astype(np.float32)
    if mask is not None:
        mh, mw = mask.shape[:2]
        mv = mask[np.clip((yi * mh / h).astype(int), 0, mh - 1), np.clip((xi * mw / w).astype(int), 0, mw - 1)]
        inside &= mv > 0.5
    # drop skin-coloured samples (a high forehead or a bald head)
    cheek = rgb[np.clip(pts[[117, 346], 1].astype(int), 0, h - 1), np.clip(pts[[117, 346], 0].astype(int), 0, w - 1)]
    skin = cheek.astype(np.float32).mean(axis=0)
    far = np.linalg.norm(samples - skin, axis=1) > 45
    # hair is not lighter than the face (a light backdrop or a bald head is not hair);
    # blond people get a palette colour instead
    darker = samples.mean(axis=1) < 0.95 * skin.mean()
    good = samples[inside & far & darker]
    if len(good) >= 40 and np.linalg.norm(np.median(good, axis=0) - skin) > 60:
        return good, True
    base = _HAIR_PALETTE[int(rng.integers(0, len(_HAIR_PALETTE)))]
    return np.clip(base * rng.uniform(0.7, 1.3, (64, 1)) + rng.normal(0, 6, (64, 3)), 0, 255), False


@dataclass
class FringeStyle:
    kind: str  # blunt, curtain, side_swept, wispy (tuning); choppy, long_side (held out)
    tip: float  # where the tips end, IOD below the brow line's top (negative = above the brows)
    tip_jitter: float
    density: float  # strands per IOD of width
    width: float  # strand width at the root, IOD
    alpha: float
    clump: float  # 0..1 how much strands gather into locks
    span: float  # half-width of the fringe, IOD from the face centre
    sweep: float  # lateral drift of the tips, IOD (side-swept)
    part: float  # curtain fringe: how far the tips rise at the centre parting, IOD
    shadow: float
    colour_from_photo: bool = True
    seed_colour: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def random_fringe_style(rng: np.random.Generator, kind: str | None = None, covering: bool | None = None,
                        kinds: tuple[str, ...] = FRINGE_KINDS) -> FringeStyle:
    """A fringe; ``covering`` picks tips below the brows' top (True) or well above them (False)."""
    k = kind or str(rng.choice(kinds))
    u = rng.uniform
    if covering is None:
        covering = bool(rng.random() < 0.5)
    tip = u(0.12, 0.35) if covering else u(-0.45, -0.14)
    st = FringeStyle(kind=k, tip=float(tip), tip_jitter=float(u(0.01, 0.05)), density=float(u(200, 420)),
                     width=float(u(0.008, 0.018)), alpha=float(u(0.6, 0.9)), clump=float(u(0.2, 0.8)),
                     span=float(u(0.85, 1.1)), sweep=float(u(-0.05, 0.05)), part=0.0, shadow=float(u(0.1, 0.3)))
    if k == "curtain":
        st.part = float(u(0.25, 0.5))
        if covering:
            st.tip = float(u(0.2, 0.4))  # the sides must reach down over the brows
    elif k == "side_swept":
        st.sweep = float(u(0.25, 0.5)) * (1 if rng.random() < 0.5 else -1)
        if not covering:
            st.tip -= 0.15  # the swept side hangs lower: keep it off the brows
    elif k == "wispy":
        st.density = float(u(60, 140))
        st.width = float(u(0.006, 0.012))
        st.alpha = float(u(0.6, 0.9))
        st.clump = float(u(0.5, 0.9))
    elif k == "choppy":
        st.tip_jitter = float(u(0.06, 0.12))
        st.clump = float(u(0.7, 1.0))
    elif k == "long_side":
        st.sweep = float(u(0.45, 0.7)) * (1 if rng.random() < 0.5 else -1)
        if not covering:
            st.tip -= 0.15
        st.span = float(u(1.0, 1.2))
        st.density = float(u(180, 320))
    else:
        if k != "blunt":
            raise ValueError(f"unknown fringe kind {k!r}")
    return st


def _brow_line(fr: FaceFrame, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Brow top line as (u, v) samples across the face, IOD units (v down), sorted by u."""
    up = fr.local(pts[list(_BROW_L_UP) + list(_BROW_R_UP)])
    lo = fr.local(pts[list(_BROW_L_LO) + list(_BROW_R_LO)])
    order = np.argsort(up[:, 0])
    return up[order, :2], lo[np.argsort(lo[:, 0]), :2]


def _fringe_lines(st: FringeStyle, fr: FaceFrame, pts: np.ndarray, u: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root line v, root depth and tip line v of the fringe at the columns ``u`` (IOD units)."""
    up, _lo = _brow_line(fr, pts)
    arc = fr.local(pts[list(_FOREHEAD_ARC)])
    arc = arc[np.argsort(arc[:, 0])]
    root_v = np.interp(u, arc[:, 0], arc[:, 1]) - 0.25
    root_z = np.interp(u, arc[:, 0], arc[:, 2])
    brow_v = np.interp(np.clip(u, up[0, 0] - 0.3, up[-1, 0] + 0.3), up[:, 0], up[:, 1])
    tip_v = brow_v + st.tip
    if st.part > 0:
        tip_v = tip_v - st.part * np.clip(1 - np.abs(u) / 0.45, 0, 1)
    if st.kind in ("side_swept", "long_side"):
        tip_v = tip_v + 0.18 * np.sign(st.sweep) * u / max(st.span, 1e-3)
    if st.kind == "choppy":
        tip_v = tip_v + 0.08 * np.sin(u * rng.uniform(9, 14) + rng.uniform(0, 6))
    # beyond the temples the hair hangs lower, framing the face
    tip_v = tip_v + np.clip(np.abs(u) - 0.75, 0, None) * 1.2
    tip_v = np.maximum(tip_v, root_v + 0.08)
    return root_v, root_z, tip_v


def _strand_paths(st: FringeStyle, fr: FaceFrame, pts: np.ndarray, rng: np.random.Generator,
                  lines: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> list[np.ndarray]:
    grid, root_line, z_line, tip_line = lines
    n = int(st.density * 2 * st.span)
    roots_u = rng.uniform(-st.span, st.span, n)
    if st.clump > 0:
        # strands gather into locks: pull each root towards one of a few lock centres
        locks = rng.uniform(-st.span, st.span, max(4, int(12 * st.span)))
        nearest = locks[np.argmin(np.abs(roots_u[:, None] - locks[None, :]), axis=1)]
        roots_u = roots_u + (nearest - roots_u) * st.clump * rng.uniform(0.2, 0.8, n)
    root_v = np.interp(roots_u, grid, root_line) - rng.uniform(0.0, 0.1, n)
    root_z = np.interp(roots_u, grid, z_line)
    paths = []
    tt = np.linspace(0, 1, 9)[:, None]
    for i in range(n):
        drift = st.sweep * (1 + rng.normal(0, 0.2)) + rng.normal(0, 0.02)
        end_u = roots_u[i] + drift
        tip_v = float(np.interp(end_u, grid, tip_line)) + rng.normal(0, st.tip_jitter) + rng.uniform(-0.02, 0.03)
        r = np.array([roots_u[i], root_v[i], root_z[i] + 0.04])
        t_ = np.array([end_u, max(tip_v, root_v[i] + 0.05), root_z[i] + 0.02])
        ctrl = (r + t_) / 2 + np.array([rng.normal(0, 0.05) + drift * 0.3, -0.03, 0.04])
        curve = (1 - tt) ** 2 * r + 2 * (1 - tt) * tt * ctrl + tt**2 * t_
        curve[:, 0] += 0.012 * np.sin(tt[:, 0] * rng.uniform(3, 9) + rng.uniform(0, 6))  # a little wave
        paths.append(fr.project(curve))
    return paths


def _hair_texture(shape: tuple[int, int], width_px: float, angle: float, rng: np.random.Generator) -> np.ndarray:
    """Zero-mean, unit-std streaks along the hair's direction (strands seen at this scale)."""
    h, w = shape
    noise = rng.normal(0, 1, (h, w)).astype(np.float32)
    kl = max(5, int(width_px * 14) | 1)
    k = np.zeros((kl, kl), np.float32)
    c = kl // 2
    dx, dy = np.sin(angle), np.cos(angle)
    for t in np.linspace(-c, c, kl * 2):
        k[int(round(c + t * dy)), int(round(c + t * dx))] = 1.0
    k /= k.sum()
    fine = cv2.filter2D(noise, -1, k)
    coarse = cv2.filter2D(cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), max(1.0, width_px * 1.5)), -1, k)
    tex = fine / (fine.std() + 1e-6) + 0.7 * coarse / (coarse.std() + 1e-6)
    return tex / (tex.std() + 1e-6)


def _draw_strands(img: np.ndarray, paths: list[np.ndarray], colours: np.ndarray, width_px: float,
                  alpha: float, rng: np.random.Generator, shadow: float = 0.2, groups: int = 8,
                  body: np.ndarray | None = None, body_alpha: float = 0.0,
                  angle: float = 0.0) -> tuple[np.ndarray, np.ndarray, tuple[slice, slice]]:
    """Composite a hair mass: an optional textured body polygon plus strands with tapered tips."""
    h, w = img.shape[:2]
    allp = np.vstack(paths + ([body] if body is not None else []))
    pad = width_px * 4 + 4
    cv_ = Canvas((h, w), (allp[:, 0].min() - pad, allp[:, 1].min() - pad, allp[:, 0].max() + pad, allp[:, 1].max() + pad), ss=3)
    roi = img[cv_.slc]
    order = rng.permutation(len(paths))
    masks = []
    for g in range(groups):
        m = cv_.new()
        for i in order[g::groups]:
            p = paths[i]
            k = len(p)
            cv_.line(m, p[: int(k * 0.7)], width_px)
            cv_.line(m, p[int(k * 0.6):], max(0.35, width_px * 0.5))
        masks.append(cv_.down(m))
    body_a = np.zeros((cv_.h, cv_.w), np.float32)
    if body is not None and body_alpha > 0:
        m = cv_.new()
        cv_.fill(m, body)
        body_a = cv2.GaussianBlur(cv_.down(m), (0, 0), max(0.7, width_px)) * body_alpha
    # the roots blend into the hair above (no pasted top edge): fade in over the top of the mass
    top = allp[:, 1].min() - cv_.y0
    depth = max(2.0, 0.3 * (allp[:, 1].max() - allp[:, 1].min()))
    fade = np.clip((np.arange(cv_.h, dtype=np.float32)[:, None] - top) / depth, 0, 1) ** 1.5
    masks = [m * fade for m in masks]
    body_a = body_a * fade
    union = np.clip(np.sum(masks, axis=0) * alpha + body_a, 0, 1)
    if shadow > 0:
        # the hair's soft shadow on the skin just below it
        sh = cv2.GaussianBlur(union, (0, 0), max(1.0, width_px * 3))
        sh = np.roll(sh, int(max(1, width_px * 2)), axis=0)
        roi = roi * (1 - shadow * sh[..., None])
    tex = _hair_texture((cv_.h, cv_.w), width_px, angle, rng)
    base = np.median(colours, axis=0)
    # lighting across the hair mass: darker at the roots, a sheen band, darker tips
    ys = np.linspace(0, 1, cv_.h, dtype=np.float32)[:, None]
    sheen = 1.0 + 0.18 * np.exp(-((ys - 0.35) / 0.12) ** 2) - 0.12 * (1 - ys)
    spread = np.clip(colours.std(axis=0).mean() / max(1.0, base.mean()), 0.08, 0.35)
    if body_a.any():
        layer = np.clip(base * (sheen * (1.0 + spread * tex))[..., None], 0, 255)
        roi = _blend(roi, layer, body_a)
    cover = body_a.copy()
    cols = colours[rng.integers(0, len(colours), groups)]
    for g, m in enumerate(masks):
        # strands stay close to the mass's colour: real hair varies little from strand to strand
        c = base + (cols[g] - base) * 0.5
        layer = np.clip(c * (sheen * (1.0 + 0.6 * spread * tex))[..., None], 0, 255)
        a = m * alpha
        roi = _blend(roi, layer, a)
        cover = cover + a * (1 - cover)
    img[cv_.slc] = roi
    return img, cover, cv_.slc


def render_fringe(rgb: np.ndarray, pts: np.ndarray, style: FringeStyle, rng: np.random.Generator,
                  mask: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Draw a fringe; ``info['brow_cover']`` is the measured share of each brow under hair."""
    pts = np.asarray(pts, np.float64)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    fr = face_frame(pts)
    colours, from_photo = hair_colours(rgb, pts, mask, rng)
    if not style.colour_from_photo:
        base = _HAIR_PALETTE[style.seed_colour % len(_HAIR_PALETTE)]
        colours = np.clip(base * rng.uniform(0.75, 1.25, (64, 1)), 0, 255)
        from_photo = False
    grid = np.linspace(-style.span, style.span, 61)
    root_line, z_line, tip_line = _fringe_lines(style, fr, pts, grid, rng)
    paths = _strand_paths(style, fr, pts, rng, (grid, root_line, z_line, tip_line))
    # the body ends a little above the strands' tips, so the lower edge is made of strands
    body_tip = tip_line - rng.uniform(0.03, 0.08)
    body3d = np.vstack([np.column_stack([grid, root_line, z_line + 0.04]),
                        np.column_stack([grid[::-1], np.maximum(body_tip, root_line + 0.02)[::-1], z_line[::-1] + 0.02])])
    body = fr.project(body3d)
    body_alpha = {"wispy": rng.uniform(0.2, 0.45)}.get(style.kind, rng.uniform(0.85, 1.0))
    img = rgb.astype(np.float32)
    width_px = max(0.6, style.width * fr.iod)
    angle = float(np.arctan2(style.sweep, 0.6))
    img, cover, sl = _draw_strands(img, paths, colours, width_px, style.alpha, rng, style.shadow,
                                   body=body, body_alpha=float(body_alpha), angle=angle)
    roi = img[sl]
    soft = cv2.GaussianBlur(roi, (0, 0), 0.5)
    img[sl] = _blend(roi, soft, np.clip(cover * 2, 0, 1))
    out = np.clip(img, 0, 255).astype(np.uint8)
    full_cover = np.zeros(rgb.shape[:2], np.float32)
    full_cover[sl] = cover
    brow_cover = []
    for up, lo in ((_BROW_L_UP, _BROW_L_LO), (_BROW_R_UP, _BROW_R_LO)):
        poly = np.vstack([pts[list(up), :2], pts[list(lo)[::-1], :2]])
        m = np.zeros(rgb.shape[:2], np.uint8)
        cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
        inside = full_cover[m > 0]
        # the share of the brow's appearance replaced by hair: a see-through wisp over a brow
        # counts for its opacity, not as a full cover
        brow_cover.append(float(inside.mean()) if inside.size else 0.0)
    allp = np.vstack(paths)
    info = {
        "style": style.to_dict(),
        "brow_cover": brow_cover,
        "colour_from_photo": from_photo,
        "box": [float(allp[:, 0].min()), float(allp[:, 1].min()), float(allp[:, 0].max()), float(allp[:, 1].max())],
    }
    return out, info


def _strands_over(rgb: np.ndarray, pts: np.ndarray, fr: FaceFrame, rng: np.random.Generator,
                  n: int) -> tuple[np.ndarray, np.ndarray]:
    """A few loose strands falling over the temples/frame (partial occlusion)."""
    colours, _ = hair_colours(rgb, pts, None, rng)
    paths = []
    tt = np.linspace(0, 1, 9)[:, None]
    for _ in range(n):
        side = -1 if rng.random() < 0.5 else 1
        u0 = side * rng.uniform(0.6, 1.0)
        r = np.array([u0, -rng.uniform(0.5, 0.8), 0.05])
        t_ = np.array([u0 + side * rng.uniform(-0.05, 0.15), rng.uniform(0.0, 0.5), 0.1])
        ctrl = (r + t_) / 2 + np.array([rng.normal(0, 0.06), 0, 0.05])
        paths.append(fr.project((1 - tt) ** 2 * r + 2 * (1 - tt) * tt * ctrl + tt**2 * t_))
    img, cover, _ = _draw_strands(rgb.astype(np.float32), paths, colours, max(0.6, 0.008 * fr.iod), 0.7, rng, 0.1, groups=3)
    return np.clip(img, 0, 255).astype(np.uint8), cover


# ----------------------------------------------------------------------------------------------
# Hair over the ears, jewelry
# ----------------------------------------------------------------------------------------------
def render_ear_hair(rgb: np.ndarray, pts: np.ndarray, rng: np.random.Generator, sides: tuple[int, ...] = (-1, 1),
                    cover: float = 0.7, mask: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Locks of the person's hair hanging over the ear(s): ``cover`` = share of the ear's height hidden."""
    pts = np.asarray(pts, np.float64)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    fr = face_frame(pts)
    colours, from_photo = hair_colours(rgb, pts, mask, rng)
    paths = []
    tt = np.linspace(0, 1, 10)[:, None]
    for side in sides:
        ear = fr.local(pts[234 if side < 0 else 454])[0]
        top_v = ear[1] - 0.35  # the ear's top, about
        tip_v = top_v + cover * 0.95
        for _ in range(int(rng.uniform(160, 320))):
            u0 = ear[0] + side * rng.uniform(-0.12, 0.42)
            r = np.array([u0 - side * 0.15, top_v - rng.uniform(0.35, 0.7), ear[2]])
            t_ = np.array([u0 + side * rng.uniform(0.0, 0.12), tip_v + rng.normal(0, 0.05), ear[2] + 0.05])
            ctrl = (r + t_) / 2 + np.array([side * rng.uniform(0.05, 0.15), 0, 0.05])
            paths.append(fr.project((1 - tt) ** 2 * r + 2 * (1 - tt) * tt * ctrl + tt**2 * t_))
    img, _cov, _ = _draw_strands(rgb.astype(np.float32), paths, colours, max(0.6, 0.012 * fr.iod), 0.95, rng, 0.15)
    return np.clip(img, 0, 255).astype(np.uint8), {"sides": list(sides), "cover": cover, "colour_from_photo": from_photo}


def render_earrings(rgb: np.ndarray, pts: np.ndarray, rng: np.random.Generator, kind: str = "stud",
                    metal: tuple[int, int, int] = (212, 180, 100)) -> tuple[np.ndarray, dict[str, Any]]:
    """Studs or hoops on both ear lobes (placed from the face outline), shaded like polished metal."""
    pts = np.asarray(pts, np.float64)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    fr = face_frame(pts)
    img = rgb.astype(np.float32)
    h, w = img.shape[:2]
    boxes = []
    for side in (-1, 1):
        ear = fr.local(pts[234 if side < 0 else 454])[0]
        lobe = np.array([ear[0] + side * 0.1, ear[1] + 0.45, ear[2]])
        c = fr.project(lobe)[0]
        r = (0.04 if kind == "stud" else 0.12) * fr.iod
        cv_ = Canvas((h, w), (c[0] - 3 * r - 4, c[1] - 2 * r - 4, c[0] + 3 * r + 4, c[1] + 4 * r + 4))
        m = cv_.new()
        if kind == "stud":
            cv_.fill(m, _superellipse(24, r, r, 2.0) + c)
        else:
            ring = _superellipse(48, r, r * 1.1, 2.0) + c + [0, r]
            cv_.line(m, ring, max(0.8, 0.015 * fr.iod), closed=True)
        a = cv_.down(m)
        yy = np.linspace(1.3, 0.6, cv_.h)[:, None] * np.ones((1, cv_.w))
        col = np.clip(np.array(metal, np.float32) * yy[..., None], 0, 255)
        spec = cv2.GaussianBlur((rng.random((cv_.h, cv_.w)) > 0.97).astype(np.float32), (0, 0), 0.7) * 3
        col = np.clip(col + 255 * np.clip(spec, 0, 1)[..., None] * 0.7, 0, 255)
        img[cv_.slc] = _blend(img[cv_.slc], col, a)
        boxes.append([cv_.x0, cv_.y0, cv_.x1, cv_.y1])
    return np.clip(img, 0, 255).astype(np.uint8), {"kind": kind, "boxes": boxes}


def render_necklace(rgb: np.ndarray, pts: np.ndarray, rng: np.random.Generator,
                    metal: tuple[int, int, int] = (200, 200, 205), beads: bool = False) -> tuple[np.ndarray, dict[str, Any]]:
    """A chain (or a string of beads) hanging round the neck below the chin."""
    pts = np.asarray(pts, np.float64)
    if pts.shape[1] == 2:
        pts = np.column_stack([pts, np.zeros(len(pts))])
    fr = face_frame(pts)
    img = rgb.astype(np.float32)
    h, w = img.shape[:2]
    chin = fr.local(pts[152])[0]
    half = rng.uniform(0.45, 0.65)
    t = np.linspace(-1, 1, 60)
    us = t * half
    vs = chin[1] + 0.45 + rng.uniform(0.0, 0.35) * (1 - t**2) + 0.1 * np.abs(t)
    curve = fr.project(np.column_stack([us, vs, np.full_like(us, chin[2])]))
    cv_ = Canvas((h, w), (curve[:, 0].min() - 10, curve[:, 1].min() - 10, curve[:, 0].max() + 10, curve[:, 1].max() + 10))
    m = cv_.new()
    width = max(0.8, (0.03 if beads else 0.012) * fr.iod)
    if beads:
        for p in curve[::3]:
            cv_.fill(m, _superellipse(12, width, width, 2.0) + p)
    else:
        cv_.line(m, curve, width)
    a = cv_.down(m)
    spark = cv2.GaussianBlur((rng.random((cv_.h, cv_.w)) > 0.9).astype(np.float32), (0, 0), 0.6) * 2
    col = np.clip(np.array(metal, np.float32) * (0.7 + 0.6 * np.clip(spark, 0, 1))[..., None], 0, 255)
    img[cv_.slc] = _blend(img[cv_.slc], col, a)
    return np.clip(img, 0, 255).astype(np.uint8), {"box": [cv_.x0, cv_.y0, cv_.x1, cv_.y1], "beads": beads}


def jpeg_roundtrip(rgb: np.ndarray, quality: int = 90) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        return rgb
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@dataclass
class RenderedExample:
    rgb: np.ndarray
    labels: dict[str, str]  # label columns as the faces README names them (glasses, eyebrows_covered, ...)
    meta: dict[str, Any] = field(default_factory=dict)
