"""headwear: no cap, hat, hood or scarf over the head (the notice's 露五官: the face and forehead uncovered).

Measured on the head view (the decoded photo resampled to ``eye_px`` pixels
between the pupils, so every length is in IOD and a 200x250 crop and a 24 MP
frame are judged alike), above the face mesh's forehead top (mesh point 10,
which the mesh places on the forehead whatever covers it):

- **crown skin**: the share of the person's pixels in the band above the
  forehead top (``crown_near`` to ``crown_far`` IOD up, ``crown_half_width``
  to each side) that have the colour of the person's own cheeks (CIE deltaE
  below ``skin_delta``). A bare forehead, a receding hairline or a bald head
  shows skin there; a cap's band or a hat's brim covers it completely.
- **brim edge**: in each column between the temples, the strongest vertical
  change of lightness between the brows and ``edge_far`` IOD above the
  forehead top; its median over the columns. A brim or a cap's band is a
  hard, continuous edge across the whole forehead; a hairline is soft and
  broken by strands.

A photo fails when the crown shows (almost) no skin *and* the edge is
strong: both cues together, since a thick fringe also hides the skin (the
eyebrows check judges a fringe) and a dark fringe on pale skin also makes an
edge, but weaker and broken. Figures, the measured set and the misses in
docs/benchmarks.md ("headwear"). Score: the brim edge mapped between
``score_low`` and ``score_high`` when the crown shows no skin, else 0.
"""

from __future__ import annotations

import numpy as np

from qc.base import Check, CheckResult, Region

FOREHEAD_TOP = 10
BROW_TOPS = (105, 66, 334, 296)
CHEEKS = ((117, 118, 101, 205, 187, 123), (346, 347, 330, 425, 411, 352))


def headwear_measures(a, p) -> dict[str, float] | None:
    """Crown skin share and brim edge strength (None when the crown is out of the photo)."""
    import cv2

    a.person_mask  # noqa: B018  (computed once, shared: the head view carries it)
    hv = a.head_view(float(p["eye_px"]))
    rgb = hv.rgb
    H, W = rgb.shape[:2]
    lab = cv2.cvtColor(rgb.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2Lab)  # CIE L*a*b*, D65
    pts, iod = hv.landmarks, hv.eye_px
    mask = hv.mask if hv.mask is not None else np.ones((H, W), np.float32)
    ft = pts[FOREHEAD_TOP]
    brow_top = float(min(pts[i][1] for i in BROW_TOPS))
    cheek = np.zeros((H, W), np.uint8)
    for poly in CHEEKS:
        cv2.fillPoly(cheek, [np.round(pts[list(poly)]).astype(np.int32)], 1)
    if cheek.sum() < int(p["cheek_min_pixels"]):
        return None
    skin = np.median(lab[cheek > 0], axis=0)

    # the crown band above the forehead top, inside the person (not the backdrop beside a bald head)
    cx = float(ft[0])
    x0, x1 = int(round(cx - float(p["crown_half_width"]) * iod)), int(round(cx + float(p["crown_half_width"]) * iod))
    y0 = int(round(ft[1] - float(p["crown_far"]) * iod))
    y1 = int(round(ft[1] - float(p["crown_near"]) * iod))
    # the head view repeats the photo's edge pixels beyond it: only rows inside the photo count
    top_in_photo = (0.0 - hv.box[1]) / max(hv.box[3] - hv.box[1], 1e-9) * H
    y0 = max(y0, int(np.ceil(top_in_photo)), 0)
    x0, x1 = max(x0, 0), min(x1, W)
    if y1 - y0 < int(p["min_band_px"]) or x1 - x0 < int(p["min_band_px"]):
        return None
    band = lab[y0:y1, x0:x1]
    inside = mask[y0:y1, x0:x1] > float(p["mask_min"])
    if inside.sum() < float(p["min_inside"]) * inside.size:
        return None
    d_skin = np.linalg.norm(band[inside] - skin, axis=1)
    crown_skin = float((d_skin < float(p["skin_delta"])).mean())
    crown_lab = np.median(band[inside], axis=0)

    # the brim's edge: strongest vertical lightness change per column, brows to above the forehead top
    g = cv2.Sobel(cv2.GaussianBlur(lab[..., 0].astype(np.float32), (0, 0), 1.0), cv2.CV_32F, 0, 1, ksize=3)
    ex0 = max(0, int(round(cx - float(p["edge_half_width"]) * iod)))
    ex1 = min(W, int(round(cx + float(p["edge_half_width"]) * iod)))
    ey0 = max(0, int(round(ft[1] - float(p["edge_far"]) * iod)), int(np.ceil(top_in_photo)) + 2)
    ey1 = int(round(brow_top - float(p["edge_brow_gap"]) * iod))
    if ey1 - ey0 < int(p["min_band_px"]) or ex1 - ex0 < int(p["min_band_px"]):
        return None
    edge = float(np.median(np.abs(g[ey0:ey1, ex0:ex1]).max(axis=0)))
    box = hv.to_norm([[x0, y0], [x1, max(y1, ey1)]])
    return {"crown_skin": crown_skin, "edge": edge, "crown_lab": tuple(float(v) for v in crown_lab),
            "box": (float(box[0, 0]), float(box[0, 1]), float(box[1, 0]), float(box[1, 1]))}


class HeadwearCheck(Check):
    name = "headwear"

    def run(self, a) -> CheckResult:
        p = self.params
        m = headwear_measures(a, p)
        if m is None:
            return CheckResult(self.name, "error", None, "头顶不在照片内,无法检查帽子",
                               "the top of the head is outside the photo: headwear not assessed")
        covered = m["crown_skin"] <= float(p["max_skin"])
        edge = m["edge"]
        lo, hi = float(p["score_low"]), float(p["score_high"])
        score = float(np.clip((edge - lo) / max(hi - lo, 1e-6), 0.0, 1.0)) if covered else 0.0
        box = tuple(float(np.clip(v, 0.0, 1.0)) for v in m["box"])
        if covered and edge >= float(p["edge_fail"]):
            return CheckResult(self.name, "fail", score, "请摘下帽子(头巾、帽兜),露出额头和五官",
                               "take off the cap, hat or hood: the forehead and face must be uncovered",
                               value=edge, regions=[Region("headwear", box)])
        if covered and edge >= float(p["edge_warn"]):
            return CheckResult(self.name, "warn", score, "额头被遮住: 如戴帽子请摘下",
                               "the forehead is covered: if it is a cap or hat, take it off",
                               value=edge, regions=[Region("headwear", box)])
        return CheckResult(self.name, "pass", score, "", "", value=edge)
