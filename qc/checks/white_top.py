"""white_top: the visible top has the colour the profile requires (white, for the notice).

Where: the person mask below the chin, out to the shoulders and down to the
bottom of the delivery crop. What is not clothing is taken out, so that a
tightly framed photo (a 200x250 ID crop shows little more than the neck and
the collar) is judged on its top too: the neck and a V-neck's skin (the
face's skin colour near the body's midline; off the midline, bare shoulders
of a wide neckline, only pixels close to the face's own colour), the shaded
blend where the neck meets the collar, and long hair falling over the
shoulders (the colour of the hair above the forehead, connected to hair
beside the face). Skin and hair are only taken out while enough of the top
remains (``hair_keep``): a top the colour of skin or hair is still judged.

How each pixel is judged, in CIE L*a*b* after white balance on the backdrop
(when the profile's backdrop is light and nearly neutral, its tint is the
light's tint): *white* is nearly colourless (chroma ≤ ``white_max_chroma``)
and bright relative to what the same light shows elsewhere — at least
``white_min_relative`` × the face's skin lightness and
``white_min_vs_background`` × the backdrop's, and at least
``white_min_lightness`` absolutely. Comparing with the face and the backdrop
rather than with fixed RGB values is what separates white from light grey
or cream under uneven studio light and any exposure. *blue* is a hue range
with some chroma. The visible top passes when the share of required colours
is at least ``min_fraction`` and the share of forbidden colours at most
``max_fraction``.

Score: the share of the visible top that breaks the rule (0..1).
"""

from __future__ import annotations

import numpy as np

from qc.imageops import linear_to_lab, srgb_to_linear
from qc.base import Check, CheckResult, Region

COLOURS = ("white", "blue")


def top_region(a, p: dict, bottom: float | None = None) -> np.ndarray:
    """Boolean mask (shape of ``small``) of the visible clothing candidates below the chin."""
    import cv2

    mask = a.person_mask
    h, w = mask.shape
    pts = a.points_px(mask.shape)
    fw = float(np.hypot(*(pts[454] - pts[234])))
    cx = float((pts[234, 0] + pts[454, 0]) / 2)
    chin = float(pts[152, 1])
    y0 = int(max(0, chin + float(p["top_below_chin"]) * fw))
    y1 = h if bottom is None else int(min(h, max(0.0, bottom) * h))
    half = float(p["top_half_width"])
    x0, x1 = int(max(0, cx - half * fw)), int(min(w, cx + half * fw))
    region = np.zeros((h, w), bool)
    if y1 <= y0 or x1 <= x0:
        return region
    region[y0:y1, x0:x1] = True
    k = max(1, int(round(float(p["body_erode"]) * fw)))
    body = cv2.erode((mask > 0.5).astype(np.uint8), np.ones((2 * k + 1, 2 * k + 1), np.uint8)) > 0
    return region & body


def skin_pixels(a, p: dict) -> np.ndarray:
    """sRGB pixels (N, 3) of the face's skin (cheeks and nose, below the eyebrows)."""
    m = a.skin_mask(a.small.shape)
    if m.sum() < int(p["skin_min_pixels"]):
        m = a.face_mask(a.small.shape)
    return a.small[m]


def backdrop_pixels(a, p: dict) -> np.ndarray | None:
    """sRGB pixels (N, 3) of the backdrop beside and above the head, or None if too few."""
    # every other row and column: a median over a smooth backdrop needs no more
    mask = a.person_mask[::2, ::2]
    h = mask.shape[0]
    bg = mask < float(p["backdrop_person_max"])
    bg[int(max(0, a.landmarks[152, 1]) * h):, :] = False
    if bg.sum() < int(p["backdrop_min_pixels"]):
        return None
    return a.small[::2, ::2][bg]


class WhiteTopCheck(Check):
    name = "white_top"
    needs_person_mask = True

    def run(self, a) -> CheckResult:
        p = self.params
        required = [str(c) for c in p["required"]]
        forbidden = [str(c) for c in p["forbidden"]]
        for c in required + forbidden:
            if c not in COLOURS:
                raise ValueError(f"white_top: unknown colour {c!r} (known: {', '.join(COLOURS)})")
        bottom = a.crop.box[3] if a.crop is not None else None
        region = top_region(a, p, bottom)
        min_px = int(p["min_pixels"]) * (a.small.shape[0] * a.small.shape[1]) / int(p["min_pixels_per"])
        n_region = int(region.sum())
        if n_region < min_px:
            return CheckResult(self.name, "error", None, "看不到上衣,无法判断,请把镜头拉远一点",
                               "the top is not visible enough to judge: zoom out")
        gray = a.is_grayscale
        ys, xs = np.nonzero(region)
        if len(ys) > int(p["max_samples"]):  # shares, not counts, decide: a regular sample is as good and cheaper
            step = len(ys) // int(p["max_samples"]) + 1
            ys, xs = ys[::step], xs[::step]
        lin = srgb_to_linear(a.small[ys, xs])
        skin_lin = np.median(srgb_to_linear(skin_pixels(a, p)), axis=0)
        bg_px = backdrop_pixels(a, p)
        bg_lin = None if bg_px is None else np.median(srgb_to_linear(bg_px), axis=0)
        bgref = None if bg_lin is None else linear_to_lab(bg_lin)
        # White balance (von Kries, in linear light) on a light, not strongly coloured backdrop: its
        # tint is the light's. Colour is judged both as shot and balanced, and the less coloured
        # reading counts, so neither a tinted light nor a tinted wall turns a white top coloured;
        # lightness does the hard work below.
        gains = np.ones(3, np.float32)
        if bgref is not None and not gray and bgref[0] >= int(p["light_backdrop"]) and np.hypot(bgref[1], bgref[2]) <= float(p["wb_max_chroma"]):
            gains = (bg_lin.mean() / np.maximum(bg_lin, 1e-6)).astype(np.float32)
        px_raw = linear_to_lab(lin)
        px = linear_to_lab(lin * gains)
        skin = linear_to_lab(skin_lin * gains)
        ab = px[:, 1:]
        chroma_wb = np.hypot(ab[:, 0], ab[:, 1])
        chroma = np.minimum(chroma_wb, np.hypot(px_raw[:, 1], px_raw[:, 2]))
        L = px[:, 0]

        # neck / V-neck skin near the midline: the face's own colour, not clothing
        pts = a.points_px(a.small.shape)
        fw = float(np.hypot(*(pts[454] - pts[234])))
        cx = float((pts[234, 0] + pts[454, 0]) / 2)
        near_mid = np.abs(xs - cx) < float(p["neck_half_width"]) * fw
        sk_ab = np.asarray(skin[1:], dtype=np.float64)
        sk_chroma = float(np.hypot(*sk_ab))
        if gray or sk_chroma < int(p["skin_min_chroma"]):
            skin_like = np.abs(L - skin[0]) < int(p["gray_skin_lightness"])
        else:
            hue_d = np.degrees(np.abs(np.angle(np.exp(1j * (np.arctan2(ab[:, 1], ab[:, 0]) - np.arctan2(sk_ab[1], sk_ab[0]))))))
            skin_like = ((hue_d < int(p["skin_hue"])) & (chroma_wb > float(p["skin_chroma_low"]) * sk_chroma)
                         & (chroma_wb < float(p["skin_chroma_high"]) * sk_chroma + int(p["skin_chroma_pad"]))
                         & (L > skin[0] - int(p["skin_darker"])) & (L < skin[0] + int(p["skin_lighter"])))
        cloth = ~(near_mid & skin_like)
        # a wide neckline shows skin out to the shoulders: off the midline only the face's own colour
        # counts as skin, and only if clothing remains (a skin-coloured top is still judged)
        near_skin = skin_like & (np.linalg.norm(px - skin, axis=1) < float(p["skin_distance"]))
        if (cloth & ~near_skin).sum() >= float(p["hair_keep"]) * cloth.sum():
            cloth &= ~near_skin
        # the blend and shade where the neck meets the collar: no more colourful than the skin
        blend = _collar_blend(a, ys, xs, ~cloth, fw, float(p["collar_blend"]))
        cloth &= ~(blend & (chroma_wb <= sk_chroma + float(p["collar_chroma_pad"])))
        hair = _hanging_hair(a, ys, xs, fw, p) & cloth
        # hair over the shoulders is not clothing, unless it is nearly all there is (a top the hair's colour)
        if hair.any() and (cloth & ~hair).sum() >= float(p["hair_keep"]) * cloth.sum():
            cloth &= ~hair
        if cloth.sum() * (n_region / max(len(ys), 1)) < min_px:
            return CheckResult(self.name, "error", None, "看不到上衣,无法判断,请把镜头拉远一点",
                               "the top is not visible enough to judge: zoom out")
        Lc, cc, abc, cwb = L[cloth], chroma[cloth], ab[cloth], chroma_wb[cloth]

        thr = float(p["white_min_lightness"])
        thr = max(thr, float(p["white_min_relative"]) * skin[0])
        if bgref is not None and bgref[0] >= int(p["light_backdrop"]):
            # a blown-out backdrop says little about the light on the student: cap its reading
            thr = max(thr, float(p["white_min_vs_background"]) * min(bgref[0], float(p["background_cap"])))
        classes = {
            "white": (Lc >= thr) & (cc <= float(p["white_max_chroma"]) if not gray else Lc >= thr),
            "blue": _blue(abc, cwb, p) if not gray else np.zeros(len(Lc), bool),
        }
        fy, fx = ys[cloth], xs[cloth]
        h, w = a.small.shape[:2]
        box = (float(fx.min() / w), float(fy.min() / h), float((fx.max() + 1) / w), float((fy.max() + 1) / h))
        regions = [Region("top", box)]
        share = {c: float(classes[c].mean()) for c in COLOURS}

        if required:
            ok = np.zeros(len(Lc), bool)
            for c in required:
                ok |= classes[c]
            frac = float(ok.mean())
            if frac < float(p["min_fraction"]):
                zh, en = _required_reason(required)
                return CheckResult(self.name, "fail", 1.0 - frac, zh, en, value=frac, regions=regions)
        if forbidden:
            bad = np.zeros(len(Lc), bool)
            for c in forbidden:
                bad |= classes[c]
            frac_bad = float(bad.mean())
            if frac_bad > float(p["max_fraction"]):
                zh, en = _forbidden_reason(forbidden, share)
                return CheckResult(self.name, "fail", frac_bad, zh, en, value=frac_bad, regions=regions)
        if required:
            return CheckResult(self.name, "pass", 1.0 - frac, "", "", value=frac, regions=regions)
        return CheckResult(self.name, "pass", 0.0, "", "", value=0.0, regions=regions)


def _collar_blend(a, ys: np.ndarray, xs: np.ndarray, skin: np.ndarray, fw: float, width: float) -> np.ndarray:
    """Samples within ``width`` face widths of the neck's skin: the shaded blend where neck meets collar."""
    import cv2

    h, w = a.small.shape[:2]
    r = int(round(width * fw))
    if r < 1 or not skin.any():
        return np.zeros(len(ys), bool)
    m = np.zeros((h, w), np.uint8)
    m[ys[skin], xs[skin]] = 1
    # the samples may be a regular subsample of the region: close the gaps before growing
    m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    return m[ys, xs] > 0


def _hanging_hair(a, ys: np.ndarray, xs: np.ndarray, fw: float, p) -> np.ndarray:
    """Samples of the top region that are the person's hair falling over the shoulders.

    The hair's colour is sampled on the head above the forehead (person mask,
    above mesh 10, not the face's skin); a sample of the top is hair when it is
    near that colour (``hair_distance`` CIE ΔE, as shot: hair and top share the light)
    and belongs to a connected stretch of hair-coloured pixels that reaches up
    beside the face (between the eyes' and the mouth's level, outside the face
    oval) — hair falls from the head; a top does not start there.
    """
    import cv2

    pts = a.points_px(a.small.shape)
    h, w = a.small.shape[:2]
    top_y = a.head_top
    forehead = float(pts[10, 1])
    y_hi = forehead - float(p["scalp_gap"]) * fw
    y_lo = max(0.0, (top_y * h) if top_y is not None else forehead - float(p["scalp_height"]) * fw)
    if y_hi - y_lo < int(p["scalp_min_rows"]):
        return np.zeros(len(ys), bool)
    x0, x1 = int(max(0, pts[234, 0])), int(min(w, pts[454, 0]))
    scalp = np.zeros((h, w), bool)
    scalp[int(y_lo):int(y_hi), x0:x1] = True
    scalp &= a.person_mask > 0.5
    if scalp.sum() < int(p["scalp_min_pixels"]):
        return np.zeros(len(ys), bool)
    lab_all = a.lab_small
    hair_lab = np.median(lab_all[scalp], axis=0)
    # the scalp must be hair (a bald head or a light cap gives no hair colour to look for)
    if hair_lab[0] > float(p["white_min_lightness"]):
        return np.zeros(len(ys), bool)
    # a colour near the hair's, over the part of the photo from the eyes down (every other pixel)
    eye_y = int(min(pts[33, 1], pts[263, 1]))
    lab = lab_all[eye_y::2, ::2]
    near = (np.linalg.norm(lab - hair_lab, axis=-1) < float(p["hair_distance"])).astype(np.uint8)
    near &= (a.person_mask[eye_y::2, ::2] > 0.5).astype(np.uint8)
    n, labels = cv2.connectedComponents(near, connectivity=8)
    if n <= 1:
        return np.zeros(len(ys), bool)
    # the seed: beside the face between the eyes and the mouth (a jacket's collar can rise beside the jaw)
    mouth = float(pts[14, 1])
    face = a.face_mask(a.small.shape)[eye_y::2, ::2]
    rows = np.arange(labels.shape[0])[:, None] * 2 + eye_y
    seed = (rows < mouth) & ~face & (near > 0)
    hanging = np.unique(labels[seed])
    hanging = hanging[hanging > 0]
    if not len(hanging):
        return np.zeros(len(ys), bool)
    ly, lx = (ys - eye_y) // 2, xs // 2
    inside = (ly >= 0) & (ly < labels.shape[0]) & (lx < labels.shape[1])
    out = np.zeros(len(ys), bool)
    out[inside] = np.isin(labels[ly[inside], lx[inside]], hanging) & (np.linalg.norm(lab_all[ys[inside], xs[inside]] - hair_lab, axis=1) < float(p["hair_distance"]))
    return out


def _blue(ab: np.ndarray, chroma: np.ndarray, p) -> np.ndarray:
    hue = np.degrees(np.arctan2(ab[:, 1], ab[:, 0])) % 360
    return (hue >= float(p["blue_hue_min"])) & (hue <= float(p["blue_hue_max"])) & (chroma >= float(p["blue_min_chroma"]))


_NAMES = {"white": ("白色", "white"), "blue": ("蓝色", "blue")}


def _required_reason(required: list[str]) -> tuple[str, str]:
    zh = "或".join(_NAMES[c][0] for c in required)
    en = " or ".join(_NAMES[c][1] for c in required)
    return f"请换{zh}上衣(外套请脱掉)", f"the top is not {en}: change into a {en} top (take off the jacket)"


def _forbidden_reason(forbidden: list[str], share: dict[str, float]) -> tuple[str, str]:
    worst = max(forbidden, key=lambda c: share.get(c, 0.0))
    return (f"不能穿{_NAMES[worst][0]}上衣,请换其他颜色", f"a {_NAMES[worst][1]} top is not allowed here: change the top")
