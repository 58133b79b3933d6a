"""background: a plain backdrop of the profile's colour behind the student.

The backdrop is what the person mask leaves inside the delivery crop (the
mask's edge eroded, hair wisps and shadows at the outline ignored). Its
shading is modelled by a smooth quadratic surface in CIE L*a*b* (studio light
falls off across a backdrop, which is fine); pixels far from that surface
(an object, a door frame, another person, a hard shadow) make it
non-uniform; thin structures such as stray hair are ignored. The surface's
mean colour must belong to a class the profile accepts (``accept``: white,
light grey and the light blue of 学信网 photos by default) or requires
(``require``, e.g. "white" or "blue"; see ``qc/backdrop.py``). When the
station has been calibrated (``station calibrate backdrop``: the empty
backdrop shot once at set-up), the colour must also be that backdrop's, and
the backdrop's own marks measured then are allowed for in the evenness limit.
Score: the share of non-uniform pixels relative to the limit, or 1 for a
wrong colour.
"""

from __future__ import annotations

import numpy as np

from qc.backdrop import allowed_classes, colour_classes, describe, smooth_residual
from qc.base import Check, CheckResult, Region


def backdrop_mask(a, stride: int, person_max: float, erode: float) -> np.ndarray:
    """Backdrop pixels of ``small`` (every ``stride``-th pixel): person probability below ``person_max``
    (eroded by ``erode`` x the eye distance), inside the crop."""
    import cv2

    mask = a.person_mask[::stride, ::stride]
    h, w = mask.shape
    bg = (mask < person_max).astype(np.uint8)
    k = max(1, int(round(a.eye_distance * w / a.image.shape[1] * erode)))
    bg = cv2.erode(bg, np.ones((2 * k + 1, 2 * k + 1), np.uint8))
    if a.crop is not None:
        x0, y0, x1, y1 = a.crop.box
        box = np.zeros_like(bg)
        box[max(0, int(y0 * h)): max(0, int(np.ceil(y1 * h))), max(0, int(x0 * w)): max(0, int(np.ceil(x1 * w)))] = 1
        bg &= box
    # below the chin the backdrop beside the shoulders is often in shadow or cut by a chair: keep
    # the part at head height and above, which is what frames the face in the delivery
    if a.landmarks is not None:
        chin_y = int(a.landmarks[152, 1] * h)
        bg[chin_y:, :] = 0
    return bg.astype(bool)


class BackgroundCheck(Check):
    name = "background"
    needs_person_mask = True
    # the empty backdrop measured at set-up (qc.backdrop.Calibration), set by Checker.set_backdrop
    calibration = None

    def set_backdrop(self, calibration) -> None:
        self.calibration = calibration

    def run(self, a) -> CheckResult:
        p = self.params
        # a backdrop is smooth by definition: half the model image's resolution is plenty
        stride = 2 if max(a.small.shape[:2]) >= int(p["half_from"]) else 1
        mask = backdrop_mask(a, stride, float(p["person_max"]), float(p["person_erode"]))
        n = int(mask.sum())
        if n * stride * stride < int(p["min_pixels"]):
            return CheckResult(self.name, "error", None, "看不到足够的背景,无法判断",
                               "too little backdrop visible to judge")
        resid, mean, (xs, ys) = smooth_residual(a.lab_small[::stride, ::stride], mask)
        h, w = mask.shape
        far_img = np.zeros((h, w), np.uint8)
        far_img[ys, xs] = resid > float(p["deltae_far"])
        # stray hair, a few pixels wide, is not an object in the backdrop: an opening at a
        # fraction of the eye distance keeps only solid areas
        import cv2

        k = max(1, int(round(a.eye_distance * w / a.image.shape[1] * float(p["object_min_size"]))))
        far_img = cv2.morphologyEx(far_img, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
        far = far_img[ys, xs] > 0
        frac = float(far.mean())
        L, A, B = (float(v) for v in mean)
        chroma = float(np.hypot(A, B))
        hue = float(np.degrees(np.arctan2(B, A)) % 360)
        ok, zh, en = _colour_ok(L, chroma, hue, p, a.is_grayscale)
        cal = self.calibration() if callable(self.calibration) else self.calibration
        if ok and cal is not None and not a.is_grayscale:
            # the station's own backdrop, measured empty at set-up: this photo's backdrop should be it
            # (lightness weighs less: a student's shadow and the exposure move it more than its hue)
            d = np.array([L - cal.L, A - cal.a, B - cal.b]) * [float(p["calib_light_weight"]), 1.0, 1.0]
            delta = float(np.linalg.norm(d))
            if delta > float(p["calib_max_delta"]):
                ok = False
                zh = "背景与标定的背景不同(换了背景布或灯光?),请检查背景或重新标定"
                en = f"the backdrop differs from the calibrated one (deltaE {delta:.0f}): check it or recalibrate"
        if not ok:
            box = (float(xs.min() / w), float(ys.min() / h), float((xs.max() + 1) / w), float((ys.max() + 1) / h))
            return CheckResult(self.name, "fail", 1.0, zh, en, value=L, regions=[Region("background", box)])
        limit = float(p["max_nonuniform"])
        if cal is not None:  # the backdrop's own seams and marks, measured empty, are not the student's fault
            limit += cal.nonuniform
        score = float(np.clip(frac / (2 * limit), 0.0, 1.0))
        if frac > limit:
            fx, fy = xs[far], ys[far]
            box = (float(np.percentile(fx, 2) / w), float(np.percentile(fy, 2) / h),
                   float((np.percentile(fx, 98) + 1) / w), float((np.percentile(fy, 98) + 1) / h))
            return CheckResult(self.name, "fail", score, "背景不干净,请移开背景里的物品或人",
                               "the backdrop is not plain: clear objects or people out of view", value=frac,
                               regions=[Region("background", box)])
        return CheckResult(self.name, "pass", score, "", "", value=frac)


def _colour_ok(L: float, chroma: float, hue: float, p, gray: bool) -> tuple[bool, str, str]:
    allowed = allowed_classes(p)
    got = colour_classes(L, chroma, hue, p, gray)
    if got & set(allowed):
        return True, "", ""
    want_zh, want_en = describe(allowed)
    if ("grey" in allowed or "white" in allowed) and not got & {"blue", "light_blue"} and L < float(p["min_lightness"]):
        return False, f"背景太暗,请使用{want_zh}背景并打亮背景", f"the backdrop is too dark (L* {L:.0f}): use {want_en}"
    if allowed == ("blue", "light_blue"):
        return False, "背景应为蓝色", f"the backdrop is not blue (hue {hue:.0f} deg, chroma {chroma:.0f})"
    return False, f"背景颜色不对,应为{want_zh}", f"the backdrop (L* {L:.0f}, chroma {chroma:.0f}, hue {hue:.0f} deg) is not {want_en}"
