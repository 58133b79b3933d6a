"""jewelry: earrings or a necklace (the notice: 不得佩戴耳环、项链等饰品). A warning only.

Earrings. Beside each ear (placed from the face outline like ``ears_visible``,
down to below the lobe) it looks for what studs, hoops and drops look like
in a photo: small compact spots that stand out from their surroundings by
a specular highlight (brighter than both the skin and the backdrop) or by a
metallic colour (gold: far more saturated and yellower than the skin).
Spot sizes are in IOD units (0.02-0.12 IOD across, hoops up to 0.3), so a
pore or a hair gap against the backdrop does not count.

Necklace. Below the chin, over the neck's skin, a chain or a cord is a thin
line running across the neck: the same line evidence as the glasses check
(thin-line response minus the response beside it), followed by a smooth
path across the neck; the path must have skin on both sides (a collar's
edge has cloth below it, so it does not count).

Score: the strongest evidence, 0..1 (1 = clear earrings or a clear chain).
"""

from __future__ import annotations

import cv2
import numpy as np

from qc.base import Check, CheckResult, Region
from qc.checks._face_regions import CONTOUR_L, CONTOUR_R, SCALE, AlignedFace, aligned_face, line_maps
from qc.checks.glasses import best_path

TRAGUS = {-1: 234, 1: 454}


def _backdrop_l(face: AlignedFace) -> float | None:
    if face.mask is None:
        return None
    h, w = face.lum.shape
    m = max(2, int(0.2 * SCALE))
    side = np.zeros((h, w), bool)
    side[:, :m] = True
    side[:, -m:] = True
    sample = face.lum[side & (face.mask < 0.05)]
    return float(np.median(sample)) if sample.size >= 50 else None


def earring_spots(face: AlignedFace, p: dict) -> list[dict]:
    """Compact bright or metallic spots beside each ear, with their boxes (canonical pixels)."""
    lab = face.lab.astype(np.float32)
    lum = lab[..., 0]
    a, b = lab[..., 1] - 128.0, lab[..., 2] - 128.0
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a))
    skin_l = float(face.skin.lab[0])
    skin_c = float(np.hypot(face.skin.lab[1] - 128.0, face.skin.lab[2] - 128.0))
    back_l = _backdrop_l(face)
    r = max(2, int(round(float(p["spot_max"]) * SCALE / 2)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    h, w = lum.shape
    found = []
    for side in (-1, 1):
        cont = face.pts[list(CONTOUR_L if side < 0 else CONTOUR_R)]
        yt = face.pts[TRAGUS[side], 1]
        xc = float(np.interp(yt, np.sort(cont[:, 1]), cont[np.argsort(cont[:, 1]), 0]))
        y0 = int(max(0, yt - float(p["ear_above"]) * SCALE))
        y1 = int(min(h, yt + float(p["ear_below"]) * SCALE))
        xa = xc - side * float(p["ear_inner"]) * SCALE
        xb = xc + side * float(p["ear_outer"]) * SCALE
        x0, x1 = int(max(0, min(xa, xb))), int(min(w, max(xa, xb)))
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        sl = (slice(y0, y1), slice(x0, x1))
        tophat = cv2.morphologyEx(lum[sl], cv2.MORPH_TOPHAT, kernel)
        bright = (tophat > float(p["spot_contrast"]) * skin_l) & (lum[sl] > float(p["spot_lightness"]) * skin_l)
        if back_l is not None:
            bright &= lum[sl] > back_l + float(p["backdrop_margin"])
        metal = ((chroma[sl] > float(p["metal_chroma"]) * max(skin_c, 5.0)) & (hue[sl] > 65) & (hue[sl] < 100)
                 & (lum[sl] > 0.6 * skin_l))
        cand = (bright | metal).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(cand, connectivity=8)
        amin = (float(p["spot_min"]) * SCALE) ** 2 * 0.5
        amax = (float(p["spot_max"]) * SCALE) ** 2
        sat = chroma[sl] / (lum[sl] + 20.0)
        skin_sat = skin_c / (skin_l + 20.0)
        side_spots = []
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            # a stud or a drop is compact; a hoop is a thin ring, larger across but as small in area
            if not (amin <= area <= amax and max(bw, bh) <= float(p["hoop_max"]) * SCALE):
                continue
            # an earring sits on the ear: skin round the spot (not light hair, not the backdrop)
            m = max(2, int(round(0.03 * SCALE)))
            ya, yb = max(0, y - m), min(y1 - y0, y + bh + m)
            xa, xb = max(0, x - m), min(x1 - x0, x + bw + m)
            ring = (labels[ya:yb, xa:xb] != i)
            rl = lum[sl][ya:yb, xa:xb][ring]
            rs = sat[ya:yb, xa:xb][ring]
            skinlike = (rl > 0.45 * skin_l) & (rl < 1.25 * skin_l)
            if not face.skin.gray:
                skinlike &= rs > 0.5 * skin_sat
            if rl.size and skinlike.mean() >= float(p["spot_skin"]):
                side_spots.append({"side": side, "box": (x0 + x - 2, y0 + y - 2, x0 + x + bw + 2, y0 + y + bh + 2),
                                   "area": int(area)})
        # many bright specks beside one ear are light hair or a textured backdrop, not jewellery
        if len(side_spots) <= int(p["max_spots"]):
            found.extend(side_spots)
    return found


def necklace_path(face: AlignedFace, p: dict) -> dict:
    """Best thin line across the neck with skin on both sides."""
    chin_v = face.uv(*face.pts[152])[1]
    v0 = chin_v + float(p["neck_top"])
    v1 = min(chin_v + float(p["neck_bottom"]), 2.95)
    half = float(p["neck_half_width"])
    x0, y0 = (int(round(c)) for c in face.px(-half, v0))
    x1, y1 = (int(round(c)) for c in face.px(half, v1))
    h, w = face.lum.shape
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if y1 - y0 < 8 or x1 - x0 < 8:
        return {"evidence": 0.0, "skin_sides": 0.0, "box": None}
    lum = face.lum[y0:y1, x0:x1].astype(np.float32)
    # a chain is lighter than the skin round it (metal catches the light); creases, collar
    # shadows and cords' shadows are darker lines and do not count
    rel_any, _ = line_maps(lum)
    rel, ang = line_maps(lum, polarity="bright")
    tau = float(np.median(rel_any)) + 0.005
    d = max(2, int(round(0.06 * SCALE)))
    on = cv2.dilate(rel * np.abs(np.cos(ang)) ** 0.5, np.ones((3, 1), np.uint8))
    off = np.maximum(np.roll(rel, d, axis=0), np.roll(rel, -d, axis=0))
    ev = np.clip((on - off) / tau, 0, 1)
    ev[:d] = 0
    ev[-d:] = 0
    mean, vals, rows = best_path(ev, max_step=2)
    # skin on both sides of the path: cloth (a collar's edge) or the backdrop is not a neck
    lab = face.lab[y0:y1, x0:x1].astype(np.float32)
    sat = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128) / (lab[..., 0] + 20)
    s_l = float(face.skin.lab[0])
    s_sat = float(np.hypot(face.skin.lab[1] - 128, face.skin.lab[2] - 128)) / (s_l + 20)
    skin = (lab[..., 0] > 0.45 * s_l) & (lab[..., 0] < 1.35 * s_l)
    if not face.skin.gray:
        skin &= sat > 0.5 * s_sat
    cols = np.arange(len(rows))
    up = np.clip(rows - d, 0, y1 - y0 - 1)
    dn = np.clip(rows + d, 0, y1 - y0 - 1)
    both = skin[up, cols] & skin[dn, cols]
    top, bot = int(rows.min()) + y0, int(rows.max()) + y0
    return {"evidence": float(mean), "skin_sides": float(both.mean()),
            "box": (x0, top - d, x1, bot + d)}


class JewelryCheck(Check):
    name = "jewelry"

    def run(self, a) -> CheckResult:
        face = aligned_face(a)
        p = self.params
        spots = earring_spots(face, p)
        neck = necklace_path(face, p) if bool(p["necklace"]) else {"evidence": 0.0, "skin_sides": 0.0, "box": None}
        regions = []
        ear_score = min(1.0, len(spots) / 2.0)
        for s in spots:
            regions.append(Region("earring", face.norm_box(*s["box"])))
        neck_hit = neck["evidence"] >= float(p["necklace_evidence"]) and neck["skin_sides"] >= float(p["necklace_skin"])
        neck_score = float(np.clip(neck["evidence"] / max(float(p["necklace_evidence"]), 1e-6), 0, 1)) if neck_hit else 0.0
        if neck_hit and neck["box"] is not None:
            regions.append(Region("necklace", face.norm_box(*neck["box"])))
        score = max(ear_score, neck_score)
        value = float(len(spots)) + (1.0 if neck_hit else 0.0)
        if spots and neck_hit:
            return CheckResult(self.name, "warn", score, "请摘下耳环和项链", "jewellery: please take off earrings and necklace",
                               value=value, regions=regions)
        if spots:
            return CheckResult(self.name, "warn", score, "请摘下耳环", "earrings: please take them off",
                               value=value, regions=regions)
        if neck_hit:
            return CheckResult(self.name, "warn", score, "请摘下项链", "necklace: please take it off",
                               value=value, regions=regions)
        return CheckResult(self.name, "pass", score, "", "", value=value)
