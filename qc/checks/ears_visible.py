"""ears_visible: hair must not cover either ear (the notice: 头发不得遮挡耳朵).

The face mesh has no ear points, so each ear is looked for beside the face
outline (mesh 21..172 on the image-left side, 251..397 on the right), in a
band straightened along the outline (``outline_band``: rows down the outline
from the tragus level, mesh 234/454, columns outward from it, all in IOD).
Where an ear hangs depends on the head's pitch: the ear sits behind the
outline, so a raised chin lowers it against the face; the rows examined, from
``above`` IOD over the tragus level to ``below`` under it, move by
``pitch_shift`` IOD per degree.

Each pixel of the band is backdrop, hair, skin or neither:

* backdrop: close to the colour of the backdrop in the same rows (sampled
  beyond ``backdrop_far`` IOD, outside the person mask, so an unevenly lit
  wall or a phone photo's shading does not read as hair), or light and
  colourless;
* hair: much darker than the person's own cheek in the same rows (the strip
  just inside the outline, which shares the ear's light), or darker and
  greyer (colour photos); hair that is not dark (blond, light brown, red)
  by the person's own two colours: when the hair beside the temples and the
  cheek differ clearly (``own_hair_sep``), a pixel much nearer the hair's
  colour than the skin's (``own_hair_margin``) is hair; and, for hair whose
  colour is close to the skin's (blond on pale skin), a per-photo Fisher
  discriminant between the same two samples (log lightness and chroma per unit
  lightness, their pooled full covariance): a pixel past ``hair_lda_margin``
  beyond the midpoint towards the hair is hair, when the samples lie
  ``hair_lda_sep`` pooled spreads apart. A grayscale photo has one lightness
  cut (``gray_dark_ratio``);
* skin: the rest that keeps the cheek's saturation (colour photos) or is not
  backdrop (grayscale). Thin slivers of "skin" between hair and backdrop are
  the blend at the edge of a lock of hair, not an ear: they are dropped, and
  the skin mask is opened by ``skin_open`` IOD (an ear is a solid body).

A row is then judged the way a reviewer looks at it, outward from the face:
skin beyond the first lock of hair (``min_hair`` wide) is the ear showing
past the hair (visible); skin only on the face side of that lock is the
face's own edge unless it reaches ``face_edge`` IOD out (an ear with hair
behind it), else the lock lies over the ear (covered); a row without hair is
visible when it has ``min_skin`` IOD of skin beyond ``inner_visible``. A row
of backdrop only (a flat ear, a turned head) is not counted. The covered
share of an ear's counted rows is its measure; an ear with fewer than
``min_rows`` of its rows counted cannot be judged and is capped at
``uncertain_cap`` (below a warning: a flat ear is no reason to stop a student).

The rule is "hair hides about a third or more of an ear"; hair touching the
ear's top or lying beside it also darkens rows of the band, so the profile
fails an ear at ``fail_at`` of its rows covered and warns from ``warn_at``.
With the head turned (|yaw| above ``max_yaw_both``) the far ear hides behind
the head: only the near ear is judged.

Score: the worse ear's covered share, 0..1.

On real photos (bench/realset) the band's colour rules read ears, shadows and
dark backdrops as hair (half the photos with both ears free failed), so by
default each ear's verdict comes from a small learned model (``_learned``:
grey and skin-distance patches of the band beside the outline at the ear's
height, one model for both sides, trained person-disjoint on real photos);
``model = ""`` returns to the rule. Then an ear's covered share is the
model's probability that hair covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from qc import learned
from qc.base import Check, CheckResult, Region
from qc.face_view import SCALE, AlignedFace, OutlineBand, outline_band



@dataclass
class EarMeasure:
    side: int  # -1 image left, +1 image right
    covered: float  # covered share of the counted rows, 0..1
    rows_visible: int
    rows_covered: int
    rows: int  # rows examined
    judged: bool  # enough rows were counted to judge the ear
    box: tuple[float, float, float, float]  # canonical pixels: the part of the band examined


def _row_backdrop(band: OutlineBand, p: dict[str, Any]) -> np.ndarray:
    """Backdrop pixels of the band, against the backdrop's colour in the same rows."""
    lab, valid = band.lab, band.valid
    # without a person mask the far columns are taken for backdrop as they are
    mask = band.mask if band.mask is not None else np.zeros(valid.shape, np.float32)
    far = (band.off[None, :] > float(p["backdrop_far"])) & (mask < float(p["backdrop_mask"])) & valid
    n_rows = lab.shape[0]
    if far.sum() < int(p["backdrop_min_far"]):
        return (mask < float(p["backdrop_mask"])) & valid
    have = far.any(axis=1)
    med = np.zeros((n_rows, 3), np.float32)
    if have.any():
        vals = np.where(far[have][..., None], lab[have], np.nan)
        med[have] = np.nanmedian(vals, axis=1)  # every row here has at least one backdrop sample
    k = max(1, int(round(float(p["backdrop_smooth"]) * SCALE)))
    ker = np.ones(2 * k + 1, np.float32)
    w = np.convolve(have.astype(np.float32), ker, "same")
    ok = w > 0
    if ok.sum() < int(p["backdrop_min_rows"]):
        return (mask < float(p["backdrop_mask"])) & valid
    ref = np.empty((n_rows, 3), np.float32)
    rows = np.arange(n_rows)
    for c in range(3):
        sm = np.convolve(np.where(have, med[:, c], 0.0), ker, "same") / np.maximum(w, 1e-6)
        ref[:, c] = np.interp(rows, rows[ok], sm[ok])
    d = (lab - ref[:, None, :]) / np.array(p["backdrop_spread"], np.float32)
    # shading on a backdrop changes its lightness more than its colour
    dist = np.sqrt(float(p["backdrop_light_weight"]) * d[..., 0] ** 2 + d[..., 1] ** 2 + d[..., 2] ** 2)
    return (dist < float(p["backdrop_distance"])) & (mask < float(p["backdrop_person_max"])) & valid


def _chroma_feats(lab: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """log lightness and chroma per unit lightness: shading moves the first, keeps the others."""
    L = lab[..., 0]
    off, gain = float(p["sat_offset"]), float(p["feat_chroma_gain"])
    return np.stack([np.log(L + float(p["feat_log_offset"])), (lab[..., 1] - 128.0) / (L + off) * gain,
                     (lab[..., 2] - 128.0) / (L + off) * gain], axis=-1)


def _own_hair(lab: np.ndarray, band: OutlineBand, bg: np.ndarray, strip: np.ndarray, dark: np.ndarray,
              p: dict[str, Any]) -> np.ndarray:
    """Hair that is not dark (blond, light brown, red): pixels nearer this person's own hair colour than
    their skin's. The hair is sampled above the ear beside the temple, the skin in the cheek strip; the
    cue is used only when the two are far apart (``own_hair_sep``), and a pixel at least as far from the
    hair's redness as the cheek stays skin."""
    r0, r1 = (float(v) for v in p["hair_sample_rows"])
    c0, c1 = (float(v) for v in p["hair_sample_cols"])
    rows = (band.dv[:, None] > r0) & (band.dv[:, None] < r1)
    cols = (band.off[None, :] > c0) & (band.off[None, :] < c1)
    sample = rows & cols & ~bg & ~dark & band.valid
    if sample.sum() < int(p["hair_min_pixels"]) or strip.sum() < int(p["cheek_min_pixels"]):
        return np.zeros(bg.shape, bool)
    F = _chroma_feats(lab, p)
    S, Hs = F[strip], F[sample]
    s_med = np.median(S, axis=0)
    s_sd = np.maximum(np.median(np.abs(S - s_med), axis=0) * 1.4826, [float(p["spread_floor"])] * F.shape[-1])
    # the temple also shows skin (short hair, a high hairline): keep what is clearly not skin
    Hs = Hs[np.sqrt((((Hs - s_med) / s_sd) ** 2).sum(axis=1)) > float(p["hair_not_skin"])]
    if len(Hs) < int(p["hair_min_kept"]):
        return np.zeros(bg.shape, bool)
    h_med = np.median(Hs, axis=0)
    h_sd = np.maximum(np.median(np.abs(Hs - h_med), axis=0) * 1.4826, [float(p["spread_floor"])] * F.shape[-1])
    pooled = np.sqrt(0.5 * (s_sd**2 + h_sd**2))
    if np.sqrt((((h_med - s_med) / pooled) ** 2).sum()) < float(p["own_hair_sep"]):
        return np.zeros(bg.shape, bool)
    d_s = F - s_med
    d_s[..., 0] = np.maximum(d_s[..., 0], 0.0) + float(p["shade_weight"]) * np.minimum(d_s[..., 0], 0.0)  # a shaded ear is still skin
    ds = np.sqrt(((d_s / pooled) ** 2).sum(axis=-1))
    dh = np.sqrt((((F - h_med) / pooled) ** 2).sum(axis=-1))
    # on the far side of the skin from the hair in redness (an ear is often redder than the cheek): skin
    beyond_skin = (F[..., 1] - s_med[1]) * np.sign(s_med[1] - h_med[1]) > 0
    return (dh + float(p["own_hair_margin"]) < ds) & ~beyond_skin


def _hair_model(lab: np.ndarray, band: OutlineBand, bg: np.ndarray, strip: np.ndarray, dark: np.ndarray,
                p: dict[str, Any]) -> np.ndarray:
    """Hair that is neither dark nor far from the skin in colour (blond on pale skin, light brown), by a
    per-photo discriminant between this person's own hair and skin.

    Hair is sampled beside the temples above the ear (where hair nearly always is), skin in the cheek
    strip inside the outline. Features: log lightness and chroma per unit lightness (a colour cast
    shifts both samples alike: the model is per photo). A Fisher discriminant (the two samples' pooled
    full covariance, so a hue difference along a direction the skin does not vary in counts) projects
    each pixel to 0 (the skin's median) .. 1 (the hair's); it is used only when the samples are
    ``hair_lda_sep`` pooled spreads apart, and a pixel is hair from ``0.5 + hair_lda_margin`` of the
    way. (Strand texture was tried as a further feature: at the canonical 80 px per IOD it added
    nothing measurable and made the cue depend on the photo's resolution, so it is not used.)"""
    r0, r1 = (float(v) for v in p["hair_sample_rows"])
    c0, c1 = (float(v) for v in p["hair_sample_cols"])
    rows = (band.dv[:, None] > r0) & (band.dv[:, None] < r1)
    cols = (band.off[None, :] > c0) & (band.off[None, :] < c1)
    sample = rows & cols & ~bg & ~dark & band.valid
    if band.mask is not None:  # the person's own hair, not a busy backdrop beside the head
        sample &= band.mask >= float(p["backdrop_mask"])  # (below it the band counts as backdrop, as in _row_backdrop)
    if sample.sum() < int(p["hair_min_pixels"]) or strip.sum() < int(p["cheek_min_pixels"]):
        return np.zeros(bg.shape, bool)
    F = _chroma_feats(lab, p)
    S, Hs = F[strip], F[sample]
    s_med = np.median(S, axis=0)
    s_sd = np.maximum(np.median(np.abs(S - s_med), axis=0) * 1.4826, float(p["spread_floor"]))
    # the temple also shows skin (short hair, a high hairline): keep what is clearly not skin
    Hs = Hs[np.sqrt((((Hs - s_med) / s_sd) ** 2).sum(axis=1)) > float(p["hair_not_skin"])]
    if len(Hs) < int(p["hair_min_kept"]):
        return np.zeros(bg.shape, bool)
    h_med = np.median(Hs, axis=0)
    cov = 0.5 * (np.cov((S - s_med).T) + np.cov((Hs - h_med).T)) + np.diag(np.full(F.shape[-1], float(p["spread_floor"]) ** 2))
    diff = h_med - s_med
    w = np.linalg.solve(cov, diff)
    sep = float(np.sqrt(max(float(diff @ w), 0.0)))
    if sep < float(p["hair_lda_sep"]):
        return np.zeros(bg.shape, bool)
    t = ((F - s_med) @ w) / float(diff @ w)
    return t > 0.5 + float(p["hair_lda_margin"])


def classify_band(face: AlignedFace, band: OutlineBand, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hair, skin, backdrop) masks of the band, against this side's own cheek."""
    gray = bool(face.skin.gray)
    lab, valid = band.lab, band.valid
    L = lab[..., 0]
    sat = np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0) / (L + float(p["sat_offset"]))
    bg = _row_backdrop(band, p)
    # the cheek just inside the outline, round the tragus level: the ear's own light
    s0, s1 = (float(v) for v in p["cheek_cols"])
    strip = ((band.off[None, :] > s0) & (band.off[None, :] < s1)
             & (np.abs(band.dv[:, None] - float(p["cheek_level"])) < float(p["cheek_half_height"])) & valid & ~bg)
    if strip.sum() >= int(p["strip_min_pixels"]):
        ref_l, ref_s = float(np.median(L[strip])), float(np.median(sat[strip]))
    else:
        s_l = float(face.skin.lab[0])
        ref_l = s_l
        ref_s = float(np.hypot(face.skin.lab[1] - 128.0, face.skin.lab[2] - 128.0)) / (s_l + float(p["sat_offset"]))
    ref_s = max(ref_s, float(p["min_ref_sat"]))
    # without colour the "darker and greyer" cue is gone: one lightness cut, set higher, does its work
    hair = L < float(p["gray_dark_ratio" if gray else "dark_ratio"]) * ref_l
    if not gray:
        hair |= (L < float(p["grey_ratio"]) * ref_l) & (sat < float(p["grey_sat"]) * ref_s)
        bg = bg | ((sat < float(p["backdrop_sat"]) * ref_s) & (L > float(p["backdrop_lightness"]) * ref_l))
    if not gray and float(p["own_hair_sep"]) > 0:
        hair |= _own_hair(lab, band, bg, strip, hair, p)
    if not gray and float(p["hair_lda_sep"]) > 0:
        hair |= _hair_model(lab, band, bg, strip, hair, p)
    hair &= ~bg & valid
    skin = ~hair & ~bg & valid
    if not gray:
        skin &= sat >= float(p["backdrop_sat"]) * ref_s
    # the blend at the edge of a lock against the backdrop is neither skin nor an ear
    r = max(1, int(round(float(p["blend_width"]) * SCALE)))
    ker = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    near_hair = cv2.dilate(hair.astype(np.uint8), ker) > 0
    near_bg = cv2.dilate(bg.astype(np.uint8), ker) > 0
    skin &= ~(near_hair & near_bg)
    r = int(round(float(p["skin_open"]) * SCALE))
    if r > 0:
        ker = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        skin &= cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_OPEN, ker) > 0
    return hair, skin, bg


def row_states(skin: np.ndarray, hair: np.ndarray, off: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Per row: 0 not counted, 1 the ear shows, 2 hair lies over it (see the module doc).

    ``skin`` and ``hair`` are rows x cols masks over the columns ``off`` (IOD outward).
    """
    sel = (off >= float(p["inner"])) & (off <= float(p["outer"]))
    S, H, o = skin[:, sel], hair[:, sel], off[sel]
    n_rows, n = S.shape
    state = np.zeros(n_rows, np.int8)
    if n == 0:
        return state
    px = 1.0 / SCALE
    m = max(1, int(round(float(p["min_hair"]) * SCALE)))
    # first run of at least m hair pixels in each row
    ch = np.concatenate([np.zeros((n_rows, 1), np.int32), np.cumsum(H, axis=1, dtype=np.int32)], axis=1)
    runs = (ch[:, m:] - ch[:, :-m]) >= m if n >= m else np.zeros((n_rows, 0), bool)
    has_run = runs.any(axis=1) if runs.size else np.zeros(n_rows, bool)
    j0 = np.where(has_run, np.argmax(runs, axis=1) if runs.size else 0, n)
    # end of that run: the first non-hair pixel after its start
    cols = np.arange(n)[None, :]
    after = (~H) & (cols >= j0[:, None] + m)
    j1 = np.where(after.any(axis=1), np.argmax(after, axis=1), n)
    cs = np.concatenate([np.zeros((n_rows, 1), np.int32), np.cumsum(S, axis=1, dtype=np.int32)], axis=1)
    outside = (cs[:, -1] - cs[np.arange(n_rows), j1]) * px
    inside = S & (cols < j0[:, None])
    last_in = np.where(inside.any(axis=1), n - 1 - np.argmax(inside[:, ::-1], axis=1), -1)
    reach = np.where(last_in >= 0, o[np.clip(last_in, 0, n - 1)], -np.inf)
    ear_past_hair = (outside >= float(p["min_skin"])) | (reach >= float(p["face_edge"]))
    state[has_run & ear_past_hair] = 1
    state[has_run & ~ear_past_hair] = 2
    no_run = ~has_run
    beyond = (S & (o[None, :] >= float(p["inner_visible"]))).sum(axis=1) * px
    state[no_run & (beyond >= float(p["min_skin"]))] = 1
    return state


def ear_band(face: AlignedFace, side: int, p: dict[str, Any]) -> OutlineBand:
    """The band beside one side's outline that the profile's ``band_rows`` x ``band_cols`` cover."""
    return outline_band(face, side, tuple(float(v) for v in p["band_rows"]), tuple(float(v) for v in p["band_cols"]))


def measure_ear(face: AlignedFace, side: int, p: dict[str, Any], pitch: float = 0.0) -> EarMeasure:
    """The covered share of one ear (side -1: image left, +1: image right)."""
    band = ear_band(face, side, p)
    hair, skin, _bg = classify_band(face, band, p)
    # a pose estimate gone astray must not move the rows off the ear's band
    shift = float(np.clip(float(p["pitch_shift"]) * (pitch - float(p["pitch_level"])),
                          -float(p["pitch_shift_max"]), float(p["pitch_shift_max"])))
    rows = (band.dv >= -float(p["above"]) + shift) & (band.dv <= float(p["below"]) + shift)
    cols = (band.off >= float(p["inner"])) & (band.off <= float(p["outer"]))
    xs, ys = band.xs[rows][:, cols], band.ys[rows][:, cols]
    box = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())) if xs.size else (0.0, 0.0, 1.0, 1.0)
    st = row_states(skin[rows], hair[rows], band.off, p)
    vis, cov, n = int((st == 1).sum()), int((st == 2).sum()), int(rows.sum())
    judged = vis + cov >= float(p["min_rows"]) * max(1, n)
    share = cov / max(1, vis + cov)
    if not judged:
        share = min(share, float(p["uncertain_cap"]))
    return EarMeasure(side, float(share), vis, cov, n, bool(judged), box)


class EarsVisibleCheck(Check):
    name = "ears_visible"
    closeup = True  # unsure: the window shows ears and brows enlarged

    def run(self, a) -> CheckResult:
        face = a.evidence.view
        p = self.params
        yaw = float(getattr(a, "yaw", face.yaw))
        try:
            pitch = float(getattr(a, "pitch"))
        except Exception:  # a stripped-down analysis without a 3-D mesh: the level-head span
            pitch = float(p["pitch_level"])
        sides = [-1, 1]
        if abs(yaw) > float(p["max_yaw_both"]):
            # yaw > 0: the face turns towards image right, the image-right ear goes behind the head
            sides = [-1] if yaw > 0 else [1]
        ears = {s: measure_ear(face, s, p, pitch) for s in sides}
        model = learned.load(str(p["model"])) if p["model"] else None
        fail_at, warn_at = float(p["fail_at"]), float(p["warn_at"])
        if model is not None:
            confirm = float(p["rule_confirm_at"])
            for s_, e in ears.items():
                prob = model.probability(learned.ear_features(face, s_))
                # the rows' rule holds on studio backdrops: its fail stands when the model leans the same way
                if e.covered >= fail_at and prob >= confirm:
                    prob = max(prob, float(p["model_fail_at"]))
                e.covered = prob
            fail_at, warn_at = float(p["model_fail_at"]), float(p["model_warn_at"])
        worst = max(e.covered for e in ears.values())
        score = float(np.clip(worst, 0.0, 1.0))
        regions = []
        for s, e in ears.items():
            if e.covered >= warn_at:
                label = "left_ear" if s < 0 else "right_ear"  # image left / image right
                regions.append(Region(label, face.norm_box(*e.box)))
        if worst >= fail_at:
            both = sum(e.covered >= fail_at for e in ears.values()) == 2
            zh = "请把头发拨到耳后,露出双耳" if both else "请把头发拨到耳后,露出耳朵"
            en = "hair covers both ears: tuck it behind the ears" if both else "hair covers an ear: tuck it behind the ear"
            return CheckResult(self.name, "fail", score, zh, en, value=worst, regions=regions)
        if worst >= warn_at:
            return CheckResult(self.name, "warn", score, "头发靠近耳朵,请把头发拨到耳后",
                               "hair close to an ear: tuck it behind the ear", value=worst, regions=regions)
        return CheckResult(self.name, "pass", score, "", "", value=worst)
