"""glasses: spectacles or sunglasses on the face (the notice: 去眼镜).

What it looks for is what every pair of glasses has and a bare face does
not: the lower rim of each lens, a thin line (dark rim, bright metal, or the
polished edge of a rimless lens) that runs across the whole width of the
lens below the eye, below the lower eyelid and its creases, and continues
past both eye corners.

In the canonical face view (eye line level, inter-ocular distance fixed,
see ``_face_regions``) the luminance's thin-line response (largest Hessian
eigenvalue over three scales, relative to the local brightness, so exposure
and skin tone do not matter) is turned into line *evidence*: a horizontal
line here, minus the response a little above and below it (so broad
shading such as dark circles or the cheek's edge gives none). For each eye a
dynamic-programming path finds the best smooth line across the lens width
below the eye; the score combines the path's mean evidence with the evidence
of its weakest third (an eyelid crease or an eye bag covers the middle
only, a rim covers all three thirds).

Lengths are in IOD units and the evidence is contrast-relative, so a
200x250 crop and a 24 MP frame are judged alike, in colour or grayscale.
Tinted lenses are caught by the same rim; the lens darkening the skin
round the eye adds evidence. So do the arms: a horizontal line running from
each hinge back to the ear on both sides of the face, which a bare face
(hair and the face outline run vertically there) does not have; it catches
frames whose lower rims are faint, such as clear or pale acetate.

Score: 0 (no trace of a rim) .. 1 (a clear rim under both eyes).

On real photos (bench/realset) this rule alone misses thin and rimless frames
on small webcam crops and fails on eye bags, so by default the verdict comes
from a small learned model (``_learned``: the periocular patch plus the four
rim measures above, trained person-disjoint on real photos); ``model = ""``
in the profile returns to the rule. Then score and value are the model's
probability of glasses, and ``model_fail_at`` / ``model_warn_at`` apply.
"""

from __future__ import annotations

import cv2
import numpy as np

from qc.base import Check, CheckResult, Region
from qc.checks import _learned
from qc.checks._face_regions import SCALE, AlignedFace, aligned_face, face_lines

# Periocular region of the canonical view the line maps are computed on (IOD units),
# wide enough for the temples where the arms run back to the ears.
ROI = (-1.3, 1.3, -0.65, 0.75)
# Where the arms (temples) run from the hinges to the ears, beside the face outline.
TEMPLE_U = (0.92, 1.25)
TEMPLE_V = (-0.45, 0.1)
# Where a lens's lower rim can be: below the lower lid, above the cheekbone's middle.
RIM_V = (0.18, 0.62)
RIM_HALF_WIDTH = 0.4  # the path spans the lens width centred under each eye


def horizontal_evidence(rel: np.ndarray, ang: np.ndarray) -> np.ndarray:
    """0..1 evidence of a thin horizontal line: on-line response minus the response beside it."""
    tau = float(np.median(rel)) + 0.005  # the face's own texture level
    d = int(round(0.075 * SCALE))
    on = cv2.dilate(rel * np.abs(np.cos(ang)), np.ones((5, 1), np.uint8))
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


def rim_evidence(face: AlignedFace) -> dict[str, float | list]:
    """The lower-rim measures for both eyes (cached on the face view)."""
    if "glasses" in face.cache:
        return face.cache["glasses"]
    x0, y0 = (int(round(v)) for v in face.px(ROI[0], ROI[2]))
    x1, y1 = (int(round(v)) for v in face.px(ROI[1], ROI[3]))
    rel_all, ang_all, lx, ly = face_lines(face)  # shared with the hair checks
    rel = rel_all[y0 - ly:y1 - ly, x0 - lx:x1 - lx]
    ang = ang_all[y0 - ly:y1 - ly, x0 - lx:x1 - lx]
    ev = horizontal_evidence(rel, ang)
    means, thirds, paths = [], [], []
    for c in (-0.5, 0.5):
        a0, b0 = face.px(c - RIM_HALF_WIDTH, RIM_V[0])
        a1, b1 = face.px(c + RIM_HALF_WIDTH, RIM_V[1])
        sub = ev[int(round(b0)) - y0:int(round(b1)) - y0, int(round(a0)) - x0:int(round(a1)) - x0]
        mean, vals, rows = best_path(sub)
        k = max(1, len(vals) // 3)
        thirds.append(float(min(vals[:k].mean(), vals[k:2 * k].mean(), vals[2 * k:].mean())))
        means.append(mean)
        paths.append((a0, b0, rows))
    # the arms: a horizontal line from each hinge back towards the ear, on BOTH sides
    arms = []
    for side in (-1, 1):
        ua, ub = sorted((side * TEMPLE_U[0], side * TEMPLE_U[1]))
        a0, b0 = face.px(ua, TEMPLE_V[0])
        a1, b1 = face.px(ub, TEMPLE_V[1])
        sub = ev[int(round(b0)) - y0:int(round(b1)) - y0, int(round(a0)) - x0:int(round(a1)) - x0]
        arms.append(best_path(sub)[0] if sub.size else 0.0)
    out = {"mean": float(min(means)), "third": float(min(thirds)), "temple": float(min(arms)), "paths": paths}
    # tinted lenses darken the skin round the eye against the cheek below the lens
    out["tint"] = _tint(face)
    face.cache["glasses"] = out
    return out


def _tint(face: AlignedFace) -> float:
    def mean(u0: float, u1: float, v0: float, v1: float) -> float:
        a0, b0 = face.px(u0, v0)
        a1, b1 = face.px(u1, v1)
        return float(face.lum[int(b0):int(b1), int(a0):int(a1)].mean())

    peri = np.mean([mean(c - 0.2, c + 0.2, 0.14, 0.3) for c in (-0.5, 0.5)])
    cheek = np.mean([mean(c - 0.2, c + 0.2, 0.6, 0.8) for c in (-0.5, 0.5)])
    return float(1.0 - peri / max(cheek, 1.0))


class GlassesCheck(Check):
    name = "glasses"

    def run(self, a) -> CheckResult:
        face = aligned_face(a)
        m = rim_evidence(face)
        p = self.params
        raw = float(p["mean_weight"]) * m["mean"] + m["third"]
        tint = m["tint"]
        if tint >= float(p["tint_fail"]):
            raw = max(raw, float(p["fail_at"]) + (tint - float(p["tint_fail"])))
        if m["temple"] >= float(p["temple_fail"]):
            # both arms clearly visible: glasses even when the lens rims are faint (clear acetate)
            raw = max(raw, float(p["fail_at"]) + (m["temple"] - float(p["temple_fail"])))
        lo, hi = float(p["score_low"]), float(p["score_high"])
        score = float(np.clip((raw - lo) / (hi - lo), 0.0, 1.0))
        fail_at, warn_at = float(p["fail_at"]), float(p["warn_at"])
        model = _learned.load(str(p["model"])) if p["model"] else None
        if model is not None:
            extra = np.array([m["mean"], m["third"], m["temple"], m["tint"]], np.float32)
            raw = score = model.probability(_learned.glasses_features(face), extra)
            fail_at, warn_at = float(p["model_fail_at"]), float(p["model_warn_at"])
        region = Region("glasses", face.norm_box(*face.px(-1.0, -0.4), *face.px(1.0, 0.62)))
        if raw >= fail_at:
            return CheckResult(self.name, "fail", score, "请摘下眼镜", "glasses: please take them off",
                               value=raw, regions=[region])
        if raw >= warn_at:
            return CheckResult(self.name, "warn", score, "可能戴着眼镜,如戴眼镜请摘下",
                               "possibly glasses: if so, please take them off", value=raw, regions=[region])
        return CheckResult(self.name, "pass", score, "", "", value=raw)
