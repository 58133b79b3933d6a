"""exposure: the face is neither too dark nor too bright, and not clipped.

Measured on the face's skin (the face oval without eyes, eyebrows and
mouth) in CIE L*: the median lightness within the profile's range, at most
``max_clipped`` of the skin blown out to white and ``max_crushed`` crushed to black,
and a warning when one cheek is much darker than the other (hard side
light). Score: how far outside the range (0 inside, 1 far outside).
"""

from __future__ import annotations

import numpy as np

from qc.mesh import box_of
from qc.base import Check, CheckResult, Region


class ExposureCheck(Check):
    name = "exposure"

    def run(self, a) -> CheckResult:
        p = self.params
        shape = a.small.shape
        mask = a.skin_mask(shape)  # shared: the face oval's skin (analysis)
        if mask.sum() < int(p["min_skin_pixels"]):
            return CheckResult(self.name, "error", None, "人脸太小,无法判断曝光", "face too small to judge exposure")
        lab = a.lab_small
        L = lab[:, :, 0][mask]
        rgb = a.small[mask]
        med = float(np.median(L))
        # blown out = white: every channel at the top (a red channel alone at 255 on bright skin is not)
        clipped = float(np.mean(rgb.min(axis=1) >= int(p["clip_level"])))
        crushed = float(np.mean(rgb.max(axis=1) <= int(p["crush_level"])))
        region = [Region("face", box_of(a.landmarks[:, :2]))]
        lo, hi = float(p["min_lightness"]), float(p["max_lightness"])
        # dark skin is legitimately dark: call a face underexposed only when the
        # scene's highlights (backdrop, white top) are dark too
        highlight = float(np.percentile(lab[::4, ::4, 0], int(p["highlight_percentile"])))
        underexposed = med < float(p["dark_face_lightness"]) and highlight < float(p["min_scene_highlight"])
        if med < lo or crushed > float(p["max_crushed"]) or underexposed:
            score = float(np.clip((lo - med) / int(p["dark_score_span"]) + 0.5, 0.5, 1.0))
            return CheckResult(self.name, "fail", score, "脸部太暗,请补光或调整曝光",
                               f"the face is too dark (L* {med:.0f}): add light or exposure", value=med, regions=region)
        if med > hi or clipped > float(p["max_clipped"]):
            score = float(np.clip((med - hi) / int(p["bright_score_span"]) + 0.5, 0.5, 1.0))
            return CheckResult(self.name, "fail", score, "脸部过亮(曝光过度),请减少曝光",
                               f"the face is overexposed (L* {med:.0f}, {clipped:.0%} blown out)", value=med,
                               regions=region)
        # side light: compare the skin left and right of the nose
        h, w = shape[:2]
        nose_x = a.points_px((h, w), [1])[0, 0]
        xs = np.nonzero(mask)[1]
        left, right = L[xs < nose_x], L[xs >= nose_x]
        if left.size > int(p["side_min_pixels"]) and right.size > int(p["side_min_pixels"]):
            ml, mr = float(np.median(left)), float(np.median(right))
            ratio = max(ml, mr) / max(min(ml, mr), 1.0)
            if ratio > float(p["max_side_ratio"]):
                return CheckResult(self.name, "warn", 0.4, "脸部一侧偏暗,请调整灯光",
                                   "one side of the face is much darker: even out the light", value=med,
                                   regions=region)
        centre = (lo + hi) / 2
        return CheckResult(self.name, "pass", float(abs(med - centre) / (hi - lo)), "", "", value=med)
