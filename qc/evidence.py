"""Shared evidence: what two or more checks read about one face, computed once per photo.

The analysis (``qc/analysis.py``) owns one :class:`FaceEvidence` per photo
(``analysis.evidence``); each piece is computed on first use and kept there,
so a check never computes what another check also needs, never imports
another check, and never writes onto the analysis. Every constant of the
evidence is in the profile's ``[evidence]`` section.

- ``view``: the canonical face view (``qc/face_view.py``: eye line level,
  ``SCALE`` pixels per inter-ocular distance) with the cheek skin model;
- ``lines``: thin-line strength and direction over the face (spectacle
  rims, strands of hair), read by the rims and the hair cues;
- ``rims``: the lower rims of spectacle lenses and the arms (glasses; the
  eyebrows check drops its edge cue when a frame is there);
- ``hair``: hair against the person's own cheek skin, by colour and by
  strand texture (eyebrows);
- ``line_maps``: the same line measure on any patch (the necklace).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import cv2
import numpy as np

from qc.face_view import SCALE, AlignedFace, align_face
from qc.profile import load_profile


@functools.lru_cache(maxsize=1)
def default_params() -> dict[str, Any]:
    """The default profile's ``[evidence]`` (for an analysis made outside a Checker)."""
    return load_profile().section("evidence")


class FaceEvidence:
    """The evidence of one photo's face, each piece made on first use (see the module's doc).

    ``analysis`` is the photo's :class:`qc.analysis.FaceAnalysis`; ``params`` the profile's
    ``[evidence]`` section.
    """

    def __init__(self, analysis: Any, params: dict[str, Any] | None = None):
        self._analysis = analysis
        self.params = dict(default_params() if params is None else params)

    @classmethod
    def of_view(cls, view: AlignedFace, params: dict[str, Any] | None = None) -> FaceEvidence:
        """Evidence over a canonical view made elsewhere (tools, and tests that draw on the view)."""
        evidence = cls(None, params)
        evidence.__dict__["view"] = view  # what the cached property would hold
        return evidence

    @cached_property
    def view(self) -> AlignedFace:
        """The canonical view, from the decoded image (no second decode), the mesh and the person mask."""
        a = self._analysis
        try:
            mask = a.person_mask
        except Exception:  # no segmentation (e.g. a stripped-down analysis): colour cues only
            mask = None
        return align_face(a.image, a.points3d, mask, gray=bool(a.is_grayscale))

    @cached_property
    def lines(self) -> tuple[np.ndarray, np.ndarray, int, int]:
        """``line_maps`` of the view over ``line_roi``: rel, angle, and the ROI's x0, y0 in the view."""
        return face_lines(self.view, self.params)

    @cached_property
    def rims(self) -> dict[str, Any]:
        """The lower-rim measures for both eyes and the arms (see :func:`rim_evidence`)."""
        return rim_evidence(self.view, self.lines, self.params)

    @cached_property
    def hair(self) -> HairCues:
        """Hair cues of the view against the cheek skin (see :func:`hair_cues`)."""
        return hair_cues(self.view, self.lines, self.params)

    def line_maps(self, lum: np.ndarray, polarity: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:func:`line_maps` at the profile's scales."""
        return line_maps(lum, polarity, self.sigmas, self.params)

    @property
    def sigmas(self) -> tuple[float, ...]:
        return tuple(float(s) for s in self.params["line_sigmas"])


# ------------------------------------------------------------------------------------------------
# Thin lines (spectacle rims, strands of hair)
# ------------------------------------------------------------------------------------------------
def line_maps(lum: np.ndarray, polarity: str | None, sigmas: tuple[float, ...],
              p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Thin-line strength (relative to local brightness) and the line's direction, per pixel.

    The largest Hessian eigenvalue over a few scales, scale-normalised, divided
    by the local brightness (``p``: the ``[evidence]`` section's ``local_sigma``, ``local_offset``) so
    that exposure and skin tone do not matter.
    ``polarity``: None for any line, "bright" for lines lighter than their
    sides (metal), "dark" for darker ones.
    """
    best = np.zeros(lum.shape, np.float32)
    ang = np.zeros(lum.shape, np.float32)
    for s in sigmas:
        g = cv2.GaussianBlur(lum, (0, 0), s)
        dxx = cv2.Sobel(g, cv2.CV_32F, 2, 0, ksize=3)
        dyy = cv2.Sobel(g, cv2.CV_32F, 0, 2, ksize=3)
        dxy = cv2.Sobel(g, cv2.CV_32F, 1, 1, ksize=3)
        root = np.sqrt((dxx - dyy) ** 2 + 4 * dxy**2)
        l1 = (dxx + dyy + root) / 2
        l2 = (dxx + dyy - root) / 2
        big1 = np.abs(l1) > np.abs(l2)
        lam = np.where(big1, l1, l2)
        r = np.abs(lam) * (s * s / 4.0)  # the 3x3 Sobel second derivative is 4x the derivative
        if polarity == "bright":
            r = np.where(lam < 0, r, 0.0)
        elif polarity == "dark":
            r = np.where(lam > 0, r, 0.0)
        theta = 0.5 * np.arctan2(2 * dxy, dxx - dyy)
        normal = np.where(big1, theta, theta + np.pi / 2)
        upd = r > best
        best = np.where(upd, r, best)
        ang = np.where(upd, normal + np.pi / 2, ang)  # the line runs across its normal
    local = cv2.GaussianBlur(lum, (0, 0), int(p["local_sigma"])) + float(p["local_offset"])
    return best / local, ang


def face_lines(face: AlignedFace, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``line_maps`` of the canonical view over the profile's ``line_roi``: rel, angle, x0, y0."""
    u0, u1, v0, v1 = (float(v) for v in params["line_roi"])
    x0, y0 = (int(round(v)) for v in face.px(u0, v0))
    x1, y1 = (int(round(v)) for v in face.px(u1, v1))
    rel, ang = line_maps(face.lum[y0:y1, x0:x1].astype(np.float32), None,
                         tuple(float(s) for s in params["line_sigmas"]), params)
    return rel, ang, x0, y0


# ------------------------------------------------------------------------------------------------
# Hair against skin
# ------------------------------------------------------------------------------------------------
@dataclass
class HairCues:
    """Per-pixel hair cues of the canonical view, relative to the person's own cheek skin."""

    dark: np.ndarray  # bool: hair by colour (much darker than the skin, or darker and greyer)
    strands: np.ndarray  # float32: vertical thin-line energy in units of the cheeks' own texture
    lum: np.ndarray  # float32: luminance, lightly smoothed
    sat_ratio: np.ndarray  # float32: saturation (chroma / lightness) relative to the skin's


def hair_cues(face: AlignedFace, lines: tuple[np.ndarray, np.ndarray, int, int], p: dict[str, Any]) -> HairCues:
    """Colour and texture cues for hair (made once per photo: ``FaceEvidence.hair``).

    Colour: hair is much darker than the subject's own cheek skin (any hair
    colour but blond on pale skin), or darker and much less saturated (grey,
    brown and black hair; shaded skin keeps its saturation). Texture: strands
    are thin near-vertical lines, measured as the thin-line response in the
    vertical direction against the texture level of the cheeks, so it works on
    grayscale photos and blond hair too (when the photo resolves the strands).
    ``lines``: :func:`face_lines` of ``face``; ``p``: the profile's ``[evidence]``.
    """
    dark_ratio, grey_ratio, grey_sat = (float(p[k]) for k in ("hair_dark_ratio", "hair_grey_ratio", "hair_grey_sat"))
    rgb = cv2.GaussianBlur(face.rgb, (0, 0), 1.0)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    lum = lab[..., 0]
    chroma = np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0)
    sat = chroma / (lum + float(p["sat_offset"]))
    s_l = float(face.skin.lab[0])
    s_sat = float(np.hypot(face.skin.lab[1] - 128.0, face.skin.lab[2] - 128.0)) / (s_l + float(p["sat_offset"]))
    sat_ratio = sat / max(s_sat, float(p["min_skin_sat"]))
    dark = lum < dark_ratio * s_l
    if not face.skin.gray:
        dark |= (lum < grey_ratio * s_l) & (sat_ratio < grey_sat)

    # strands: near-vertical thin lines, against the cheeks' own texture
    rel, ang, x0, y0 = lines
    vert = rel * np.abs(np.sin(ang))
    cheeks = []
    cheek_u, cheek_half = float(p["texture_cheek_u"]), float(p["texture_cheek_half_width"])
    cheek_v0, cheek_v1 = (float(v) for v in p["texture_cheek_v"])
    for cu in (-cheek_u, cheek_u):
        a0, b0 = face.px(cu - cheek_half, cheek_v0)
        a1, b1 = face.px(cu + cheek_half, cheek_v1)
        cheeks.append(rel[int(b0) - y0:int(b1) - y0, int(a0) - x0:int(a1) - x0].ravel())
    tau = float(np.median(np.concatenate(cheeks))) + float(p["strand_tau"])
    strands = np.zeros(face.lum.shape, np.float32)
    hh, ww = vert.shape
    strands[y0:y0 + hh, x0:x0 + ww] = cv2.GaussianBlur(vert, (0, 0), float(p["strand_blur"])) / tau
    cues = HairCues(dark=dark, strands=strands, lum=cv2.GaussianBlur(face.lum, (0, 0), 1.0), sat_ratio=sat_ratio)
    return cues


# ------------------------------------------------------------------------------------------------
# Spectacle rims (glasses; the eyebrows check reads them too) and a smooth line's path
# ------------------------------------------------------------------------------------------------
def horizontal_evidence(rel: np.ndarray, ang: np.ndarray, offset: float, p: dict[str, Any]) -> np.ndarray:
    """0..1 evidence of a thin horizontal line: on-line response (spread over ``rim_spread`` rows) minus
    the response ``offset`` IOD above and below it, in units of the face's texture plus ``rim_tau``."""
    tau = float(np.median(rel)) + float(p["rim_tau"])  # the face's own texture level
    d = int(round(offset * SCALE))
    on = cv2.dilate(rel * np.abs(np.cos(ang)), np.ones((int(p["rim_spread"]), 1), np.uint8))
    above = np.roll(rel, d, axis=0)
    below = np.roll(rel, -d, axis=0)
    return np.clip((on - np.maximum(above, below)) / tau, 0.0, 1.0)


def best_path(e: np.ndarray, max_step: int = 1) -> tuple[float, np.ndarray, np.ndarray]:
    """Best left-to-right path through ``e`` (one row per column, |dy| <= max_step).

    Returns its mean evidence, the evidence along it and its rows.
    """
    h, w = e.shape
    acc = e[:, 0].astype(np.float64).copy()
    back = np.zeros((h, w), np.int16)
    neg = np.full(h, -1e9)
    for x in range(1, w):
        best = acc.copy()
        arg = np.zeros(h, np.int16)
        for s in range(1, max_step + 1):
            up = neg.copy()
            up[s:] = acc[:-s]
            dn = neg.copy()
            dn[:-s] = acc[s:]
            m = up > best
            best = np.where(m, up, best)
            arg = np.where(m, -s, arg)
            m = dn > best
            best = np.where(m, dn, best)
            arg = np.where(m, s, arg)
        acc = best + e[:, x]
        back[:, x] = arg
    y = int(np.argmax(acc))
    total = float(acc[y] / w)
    ys = [y]
    for x in range(w - 1, 0, -1):
        y = y + int(back[y, x])
        ys.append(y)
    rows = np.array(ys[::-1])
    return total, e[rows, np.arange(w)], rows


def rim_evidence(face: AlignedFace, lines: tuple[np.ndarray, np.ndarray, int, int],
                 p: dict[str, Any]) -> dict[str, Any]:
    """The lower-rim measures for both eyes, the arms and the lenses' tint.

    ``lines``: :func:`face_lines` of ``face`` (shared with the hair cues); ``p``: the profile's
    ``[evidence]``. ``combined`` is the rim evidence the glasses rule scores
    (``rim_mean_weight`` x the paths' mean + their weakest third).
    """
    roi = [float(v) for v in p["rim_roi"]]
    rim_v = [float(v) for v in p["rim_v"]]
    half = float(p["rim_half_width"])
    temple_u = [float(v) for v in p["temple_u"]]
    temple_v = [float(v) for v in p["temple_v"]]
    x0, y0 = (int(round(v)) for v in face.px(roi[0], roi[2]))
    x1, y1 = (int(round(v)) for v in face.px(roi[1], roi[3]))
    rel_all, ang_all, lx, ly = lines
    rel = rel_all[y0 - ly:y1 - ly, x0 - lx:x1 - lx]
    ang = ang_all[y0 - ly:y1 - ly, x0 - lx:x1 - lx]
    ev = horizontal_evidence(rel, ang, float(p["rim_offset"]), p)
    means, thirds, paths = [], [], []
    for c in (-0.5, 0.5):
        a0, b0 = face.px(c - half, rim_v[0])
        a1, b1 = face.px(c + half, rim_v[1])
        sub = ev[int(round(b0)) - y0:int(round(b1)) - y0, int(round(a0)) - x0:int(round(a1)) - x0]
        mean, vals, rows = best_path(sub)
        k = max(1, len(vals) // 3)
        thirds.append(float(min(vals[:k].mean(), vals[k:2 * k].mean(), vals[2 * k:].mean())))
        means.append(mean)
        paths.append((a0, b0, rows))
    # the arms: a horizontal line from each hinge back towards the ear, on BOTH sides
    arms = []
    for side in (-1, 1):
        ua, ub = sorted((side * temple_u[0], side * temple_u[1]))
        a0, b0 = face.px(ua, temple_v[0])
        a1, b1 = face.px(ub, temple_v[1])
        sub = ev[int(round(b0)) - y0:int(round(b1)) - y0, int(round(a0)) - x0:int(round(a1)) - x0]
        arms.append(best_path(sub)[0] if sub.size else 0.0)
    out = {"mean": float(min(means)), "third": float(min(thirds)), "temple": float(min(arms)), "paths": paths}
    # tinted lenses darken the skin round the eye against the cheek below the lens
    out["tint"] = _tint(face, p)
    out["combined"] = float(p["rim_mean_weight"]) * out["mean"] + out["third"]
    return out


def _tint(face: AlignedFace, p: dict[str, Any]) -> float:
    def mean(u0: float, u1: float, v0: float, v1: float) -> float:
        a0, b0 = face.px(u0, v0)
        a1, b1 = face.px(u1, v1)
        return float(face.lum[int(b0):int(b1), int(a0):int(a1)].mean())

    half = float(p["tint_half_width"])
    (pv0, pv1), (cv0, cv1) = ((float(v) for v in p[k]) for k in ("tint_peri_v", "tint_cheek_v"))
    peri = np.mean([mean(c - half, c + half, pv0, pv1) for c in (-0.5, 0.5)])  # under each eye (eyes at u = +-0.5)
    cheek = np.mean([mean(c - half, c + half, cv0, cv1) for c in (-0.5, 0.5)])
    return float(1.0 - peri / max(cheek, 1.0))
