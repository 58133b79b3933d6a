"""jewelry: earrings or a necklace (the notice: 不得佩戴耳环、项链等饰品). A warning only.

Earrings. Beside each ear (placed from the face outline like ``ears_visible``:
from the helix above the tragus level down to below the lobe) it looks at
every compact local highlight (a morphological top-hat of the lightness,
0.02-0.12 IOD across; hoops up to 0.3) and judges it by what surrounds it,
because that is what tells a stud from a look through to the backdrop:

- a clear highlight: lighter than the skin and than the backdrop beside that
  ear (measured per side: light is often uneven across a phone picture), or
  gold (far more saturated and yellower than the skin), with skin round it;
- a stud: where earrings are worn (the lobe, or the helix/upper ear), with
  ear skin round it and little backdrop (the gap between a lobe and the jaw
  is a backdrop-coloured spot ringed by skin: the usual false alarm) or hair,
  and lit like metal: nearly as light as the backdrop's white (a skin sheen
  under studio light is duller), or far lighter than dark skin. A strong one
  (clear contrast, all skin round it) counts alone; a weaker one only with a
  partner at the mirror place on the other ear (earrings come in pairs);
- gold on the ear, as above, with the stud's contrast.

Lightness is all it needs, so grayscale photos are judged the same way
(colour only adds gold). More than a few accepted spots beside one ear are
light hair or a textured backdrop and do not count. Sizes and places are in
IOD units, contrasts relative to the subject's own skin.

Necklace. Below the chin, over the neck's skin, a chain or a cord is a thin
line running across the neck: the same line evidence as the glasses check
(thin-line response minus the response beside it), followed by a smooth
path across the neck; the path must have skin on both sides (a collar's
edge has cloth below it, so it does not count). Off in the default profile
(``necklace = false``): collarbone and tendon highlights, neck creases and
collar edges give the same evidence as the chains of the development set
(see docs/benchmarks.md, "jewelry, third round").

Score: the strongest evidence, 0..1 (1 = clear earrings or a clear chain).
"""

from __future__ import annotations

import cv2
import numpy as np

from qc.base import Check, CheckResult, Region
from qc.evidence import FaceEvidence, best_path
from qc.face_view import CONTOUR_L, CONTOUR_R, SCALE, AlignedFace

TRAGUS = {-1: 234, 1: 454}


def _backdrop_l(face: AlignedFace, p: dict) -> float | None:
    if face.mask is None:
        return None
    h, w = face.lum.shape
    m = max(2, int(float(p["backdrop_strip"]) * SCALE))
    side = np.zeros((h, w), bool)
    side[:, :m] = True
    side[:, -m:] = True
    sample = face.lum[side & (face.mask < float(p["backdrop_mask"]))]
    return float(np.median(sample)) if sample.size >= int(p["backdrop_min_pixels"]) else None


def _side_backdrop(face: AlignedFace, side: int, y0: int, y1: int, p: dict) -> float | None:
    """The backdrop's lightness beside one ear (outside the person mask, same rows).

    Per side, because light is often uneven across a phone picture or a
    studio backdrop: one global level makes the brighter side's backdrop
    look like highlights.
    """
    if face.mask is None:
        return None
    h, w = face.lum.shape
    ya, yb = max(0, y0 - int(float(p["backdrop_above"]) * SCALE)), min(h, y1)
    band = slice(0, w // 2) if side < 0 else slice(w // 2, w)
    sample = face.lum[ya:yb, band][face.mask[ya:yb, band] < float(p["backdrop_mask"])]
    return float(np.median(sample)) if sample.size >= int(p["backdrop_min_pixels"]) else None


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _in_zone(dv: float, off: float, p: dict) -> bool:
    """Where earrings are worn: the lobe below the tragus, the helix/upper ear above it (IOD)."""
    lobe = float(p["lobe_top"]) <= dv <= float(p["lobe_bottom"]) and float(p["lobe_inner"]) <= off <= float(p["lobe_outer"])
    upper = -float(p["ear_above"]) <= dv < float(p["lobe_top"]) and float(p["helix_inner"]) <= off <= float(p["helix_outer"])
    return lobe or upper


def earring_spots(face: AlignedFace, p: dict, debug: list | None = None) -> list[dict]:
    """Compact highlights or metallic spots on each ear, with their boxes (canonical pixels).

    ``debug``, when a list, receives the measures of every highlight judged (for tuning tools).
    """
    lab = face.lab.astype(np.float32)
    lum = lab[..., 0]
    a, b = lab[..., 1] - 128.0, lab[..., 2] - 128.0
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a))
    sat = chroma / (lum + float(p["sat_offset"]))
    skin_l = float(face.skin.lab[0])
    skin_c = float(np.hypot(face.skin.lab[1] - 128.0, face.skin.lab[2] - 128.0))
    skin_sat = max(skin_c / (skin_l + float(p["sat_offset"])), float(p["min_skin_sat"]))
    gray = face.skin.gray
    r = max(2, int(round(float(p["spot_max"]) * SCALE / 2)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    h, w = lum.shape
    amin = (float(p["spot_min"]) * SCALE) ** 2 * 0.5
    amax = (float(p["spot_max"]) * SCALE) ** 2
    m = max(2, round(float(p["ring"]) * SCALE))
    back_g = _backdrop_l(face, p)
    # a photo with little detail (a small crop: few pixels per IOD) blurs a stud into its lobe and
    # lowers its contrast: the stud thresholds follow the photo's own resolution
    detail = min(1.0, face.src_iod / float(p["detail_iod"])) ** float(p["detail_power"])
    c_stud = float(p["stud_contrast"]) * detail
    c_partner = float(p["partner_contrast"]) * detail
    c_single = float(p["stud_single_contrast"]) * detail
    gold_lo, gold_hi = (int(x) for x in p["gold_hue"])
    found = []
    studs: list[dict] = []
    for side in (-1, 1):
        cont = face.pts[list(CONTOUR_L if side < 0 else CONTOUR_R)]
        yt = face.pts[TRAGUS[side], 1]
        xc = float(np.interp(yt, np.sort(cont[:, 1]), cont[np.argsort(cont[:, 1]), 0]))
        y0 = int(max(0, yt - float(p["ear_above"]) * SCALE))
        y1 = int(min(h, yt + float(p["ear_below"]) * SCALE))
        xa = xc - side * float(p["ear_inner"]) * SCALE
        xb = xc + side * float(p["ear_outer"]) * SCALE
        x0, x1 = int(max(0, min(xa, xb))), int(min(w, max(xa, xb)))
        if x1 - x0 < int(p["min_band_px"]) or y1 - y0 < int(p["min_band_px"]):
            continue
        sl = (slice(y0, y1), slice(x0, x1))
        L, S, H = lum[sl], sat[sl], hue[sl]
        # the backdrop's white beside this ear (light is often uneven across a phone picture)
        back_l = _side_backdrop(face, side, y0, y1, p)
        if back_g is not None:
            back_l = back_g if back_l is None else max(back_l, back_g)
        tophat = cv2.morphologyEx(L, cv2.MORPH_TOPHAT, kernel)
        bright = (tophat > float(p["spot_contrast"]) * skin_l) & (L > float(p["spot_lightness"]) * skin_l)
        if back_l is not None:
            bright &= L > back_l + float(p["backdrop_margin"])
        metal = ((chroma[sl] > float(p["metal_chroma"]) * max(skin_c, float(p["metal_min_chroma"])))
                 & (H > gold_lo) & (H < gold_hi) & (L > float(p["metal_lightness"]) * skin_l))
        # clear highlights and gold first, then every weaker local highlight, judged by what surrounds it
        comps = []
        for clear, cand in ((True, bright | metal), (False, tophat > float(p["weak_contrast"]) * c_stud * skin_l)):
            n, labels, stats, _ = cv2.connectedComponentsWithStats(cand.astype(np.uint8), connectivity=8)
            comps.extend((clear, labels, i, stats[i]) for i in range(1, n))
        side_spots: list[dict] = []
        for clear, labels, i, (x, y, bw, bh, area) in comps:
            # a stud or a drop is compact; a hoop is a thin ring, larger across but as small in area
            if not (amin <= area <= amax and max(bw, bh) <= float(p["hoop_max"]) * SCALE):
                continue
            box = (x0 + x - 2, y0 + y - 2, x0 + x + bw + 2, y0 + y + bh + 2)
            if not clear and any(_overlap(sp["box"], box) for sp in side_spots):
                continue
            ya, yb = max(0, y - m), min(y1 - y0, y + bh + m)
            xa_, xb_ = max(0, x - m), min(x1 - x0, x + bw + m)
            inside = labels[ya:yb, xa_:xb_] == i
            rl = L[ya:yb, xa_:xb_][~inside]
            if rl.size == 0:
                continue
            rs = S[ya:yb, xa_:xb_][~inside]
            # an earring sits on the ear: skin round the spot (not light hair, not the backdrop)
            skinlike = (rl > float(p["ring_skin_low"]) * skin_l) & (rl < float(p["ring_skin_high"]) * skin_l)
            if not gray:
                skinlike &= rs > float(p["ring_skin_sat"]) * skin_sat
            skin_share = float(skinlike.mean())
            kind = None
            if clear:
                if skin_share >= float(p["spot_skin"]):
                    kind = "highlight"
            else:
                dv = (y0 + y + bh / 2 - yt) / SCALE
                off = side * ((x0 + x + bw / 2) - xc) / SCALE
                if not _in_zone(dv, off, p):
                    continue
                pl = L[ya:yb, xa_:xb_][inside]
                peak = float(pl.max())
                contrast = (peak - float(np.median(rl))) / skin_l
                if contrast < c_partner:
                    continue
                hair_share = float((rl < float(p["hair_dark_ratio"]) * skin_l).mean())
                back_share = float((np.abs(rl - back_l) < float(p["backdrop_near"])).mean()) if back_l is not None else 0.0
                white = float(p["stud_lightness"]) * skin_l
                if back_l is not None:
                    white = min(white, back_l - float(p["stud_white"]) * skin_l)
                spot_sat = float(S[ya:yb, xa_:xb_][inside].mean()) / skin_sat
                spot_hue = float(np.median(H[ya:yb, xa_:xb_][inside]))
                size = max(bw, bh) / SCALE
                # a stud: ear skin round it (not a gap to the backdrop between lobe and jaw, not hair),
                # compact, and lit like metal: nearly as light as the backdrop's white (under studio
                # light a skin sheen is duller; on dark skin, far lighter than the skin)
                on_ear = (skin_share >= float(p["pair_skin"]) and back_share <= float(p["pair_backdrop"])
                          and hair_share <= float(p["stud_hair"]) and size <= float(p["stud_max"]))
                lit = peak >= white and contrast >= c_stud
                if on_ear:
                    # a strong stud counts alone; a weaker one only with a partner at the mirror place
                    # on the other ear (earrings come in pairs), see below
                    strong = (lit and skin_share >= float(p["stud_skin"]) and back_share <= float(p["stud_backdrop"])
                              and contrast >= c_single
                              and peak >= white + float(p["stud_single_white"]) * skin_l)
                    studs.append({"side": side, "kind": "stud", "box": box, "area": int(area), "dv": dv, "off": off,
                                  "strong": strong, "lit": lit})
                # gold on the ear: far more saturated than the skin, yellow
                gold = (not gray and contrast >= c_stud and skin_share >= float(p["spot_skin"])
                        and spot_sat >= float(p["gold_sat"]) and gold_lo < spot_hue < gold_hi)
                if gold and not (on_ear and lit):
                    kind = "gold"
                if debug is not None:
                    debug.append({"side": side, "contrast": contrast, "white": (peak - white) / skin_l, "dv": dv,
                                  "off": off, "size": size, "skin": skin_share, "backdrop": back_share,
                                  "hair": hair_share, "sat": spot_sat, "hue": spot_hue, "on_ear": on_ear, "lit": lit,
                                  "xy": (x0 + x + bw / 2, y0 + y + bh / 2)})
            if kind:
                side_spots.append({"side": side, "kind": kind, "box": box, "area": int(area)})
        side_spots.extend(sp for sp in studs if sp["side"] == side and sp["strong"]
                          and not any(_overlap(o["box"], sp["box"]) for o in side_spots))
        # many bright specks beside one ear are light hair or a textured backdrop, not jewellery
        if len(side_spots) <= int(p["max_spots"]):
            found.extend(side_spots)
    # weaker studs in pairs: one on each ear at about the mirror place, at least one of them lit; the
    # partner needs only partner_contrast (a stud turned a little from the light); many pairs are texture
    pairs = [(s1, s2) for s1 in studs if s1["side"] < 0 for s2 in studs if s2["side"] > 0
             if (s1["lit"] or s2["lit"]) and abs(s1["dv"] - s2["dv"]) <= float(p["pair_dv"])
             and abs(s1["off"] - s2["off"]) <= float(p["pair_off"])]
    paired = [sp for sp in studs if any(sp is q for pair in pairs for q in pair)]
    if all(sum(sp["side"] == side for sp in paired) <= int(p["max_spots"]) for side in (-1, 1)):
        found.extend(sp for sp in paired if not any(_overlap(o["box"], sp["box"]) for o in found))
    return found


def necklace_path(face: AlignedFace, p: dict, evidence: FaceEvidence) -> dict:
    """Best thin line across the neck with skin on both sides."""
    chin_v = face.uv(*face.pts[152])[1]
    v0 = chin_v + float(p["neck_top"])
    v1 = min(chin_v + float(p["neck_bottom"]), float(p["neck_limit"]))
    half = float(p["neck_half_width"])
    x0, y0 = (int(round(c)) for c in face.px(-half, v0))
    x1, y1 = (int(round(c)) for c in face.px(half, v1))
    h, w = face.lum.shape
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if y1 - y0 < int(p["neck_min_px"]) or x1 - x0 < int(p["neck_min_px"]):
        return {"evidence": 0.0, "skin_sides": 0.0, "box": None}
    lum = face.lum[y0:y1, x0:x1].astype(np.float32)
    # a chain is lighter than the skin round it (metal catches the light); creases, collar
    # shadows and cords' shadows are darker lines and do not count
    rel_any, _ = evidence.line_maps(lum)
    rel, ang = evidence.line_maps(lum, polarity="bright")
    tau = float(np.median(rel_any)) + float(p["neck_tau"])
    d = max(2, int(round(float(p["neck_side"]) * SCALE)))
    on = cv2.dilate(rel * np.abs(np.cos(ang)) ** 0.5, np.ones((3, 1), np.uint8))
    off = np.maximum(np.roll(rel, d, axis=0), np.roll(rel, -d, axis=0))
    ev = np.clip((on - off) / tau, 0, 1)
    ev[:d] = 0
    ev[-d:] = 0
    mean, vals, rows = best_path(ev, max_step=2)
    # skin on both sides of the path: cloth (a collar's edge) or the backdrop is not a neck
    lab = face.lab[y0:y1, x0:x1].astype(np.float32)
    sat = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128) / (lab[..., 0] + float(p["sat_offset"]))
    s_l = float(face.skin.lab[0])
    s_sat = float(np.hypot(face.skin.lab[1] - 128, face.skin.lab[2] - 128)) / (s_l + float(p["sat_offset"]))
    skin = (lab[..., 0] > float(p["neck_skin_low"]) * s_l) & (lab[..., 0] < float(p["neck_skin_high"]) * s_l)
    if not face.skin.gray:
        skin &= sat > float(p["neck_skin_sat"]) * s_sat
    cols = np.arange(len(rows))
    up = np.clip(rows - d, 0, y1 - y0 - 1)
    dn = np.clip(rows + d, 0, y1 - y0 - 1)
    both = skin[up, cols] & skin[dn, cols]
    top, bot = int(rows.min()) + y0, int(rows.max()) + y0
    return {"evidence": float(mean), "skin_sides": float(both.mean()),
            "box": (x0, top - d, x1, bot + d)}


class JewelryCheck(Check):
    name = "jewelry"
    closeup = True  # unsure: the window shows ears and brows enlarged

    def run(self, a) -> CheckResult:
        face = a.evidence.view
        p = self.params
        spots = earring_spots(face, p)
        neck = necklace_path(face, p, a.evidence) if bool(p["necklace"]) else {"evidence": 0.0, "skin_sides": 0.0, "box": None}
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
