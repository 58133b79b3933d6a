"""ears_visible: hair must not cover either ear (the notice: 头发不得遮挡耳朵).

The face mesh has no ear points, so each ear is placed from the face outline
(mesh points 21..172 on the image-left side, 251..397 on the right): an ear
hangs beside the outline from about 0.3 IOD above the tragus level (mesh
234/454) to 0.6 IOD below it. In the canonical face view every row of that
span is examined laterally from just outside the outline (``inner``) to
``outer`` IOD: a row where ear skin shows (``min_skin`` IOD of skin) is a
visible row; a row with no skin but ``min_hair`` IOD of hair is a covered
row; a row of backdrop only (a flat ear, a turned head) is not counted.

Skin and hair are told apart against the person's own skin on the same
side of the face (the cheek strip next to the ear, which shares its light):
hair is much darker, or darker and greyer; skin keeps its saturation in
the shade; the backdrop is recognised by the person mask and by its colour.
The covered share of an ear's rows is its measure. The rule is "hair hides a
third or more of an ear"; rows beside the ear's top are often hair even when
the ear shows (hair touching its top, or behind it), so the profile fails an
ear at half of its rows covered, which keeps false rejects at or under 3%.

With the head turned (|yaw| above ``max_yaw_both``) the far ear hides behind
the head: only the near ear is judged.

Score: the worse ear's covered share, 0..1.
"""

from __future__ import annotations

import cv2
import numpy as np

from qc.base import Check, CheckResult, Region
from qc.checks._face_regions import CONTOUR_L, CONTOUR_R, SCALE, AlignedFace, aligned_face

TRAGUS = {-1: 234, 1: 454}


def _backdrop_model(face: AlignedFace) -> tuple[np.ndarray, np.ndarray] | None:
    """Robust Lab colour of the backdrop, sampled at the view's sides outside the person."""
    if "ear_backdrop" in face.cache:
        return face.cache["ear_backdrop"]
    m = max(2, int(0.2 * SCALE))
    model = None
    if face.mask is not None:
        sides = np.concatenate([face.lab[:, :m].reshape(-1, 3), face.lab[:, -m:].reshape(-1, 3)]).astype(np.float32)
        msk = np.concatenate([face.mask[:, :m].ravel(), face.mask[:, -m:].ravel()])
        sample = sides[msk < 0.05]
        if len(sample) >= 50:
            med = np.median(sample, axis=0)
            sd = np.maximum(np.median(np.abs(sample - med), axis=0) * 1.4826, [3.0, 1.5, 1.5])
            model = (med, sd)
    face.cache["ear_backdrop"] = model
    return model


def ear_rows(face: AlignedFace, side: int, p: dict) -> dict:
    """Row counts for one ear (side -1: image left, +1: image right)."""
    h, w = face.lum.shape
    cont = face.pts[list(CONTOUR_L if side < 0 else CONTOUR_R)]
    order = np.argsort(cont[:, 1])
    cy, cx = cont[order, 1], cont[order, 0]
    yt = face.pts[TRAGUS[side], 1]
    y0 = int(max(0, yt - float(p["above"]) * SCALE))
    y1 = int(min(h, yt + float(p["below"]) * SCALE))
    inner, outer = float(p["inner"]) * SCALE, float(p["outer"]) * SCALE
    ys = np.arange(y0, y1)
    xline = np.interp(ys, cy, cx)
    offs = np.arange(int(inner), int(outer))
    # the ear's rows and the cheek strip next to it (its lighting), in one small window
    strip_in, strip_out = 0.08 * SCALE, 0.25 * SCALE
    xs_all = np.concatenate([xline - side * strip_out, xline + side * outer])
    wx0 = int(max(0, np.floor(xs_all.min()) - 3))
    wx1 = int(min(w, np.ceil(xs_all.max()) + 3))
    if y1 - y0 < 4 or wx1 - wx0 < 4:
        return {"covered": 0.0, "rows_visible": 0, "rows_covered": 0, "box": (wx0, y0, wx1, y1)}
    lab = cv2.cvtColor(cv2.GaussianBlur(face.rgb[y0:y1, wx0:wx1], (0, 0), 1.2), cv2.COLOR_RGB2LAB).astype(np.float32)
    lum = lab[..., 0]
    sat = np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0) / (lum + 20.0)
    rr = np.arange(len(ys))[:, None]
    # reference: the cheek strip, same rows' middle part (tragus level +-0.25 IOD)
    mid = np.abs(ys - yt) <= 0.25 * SCALE
    sx = (xline[:, None] - side * np.linspace(strip_in, strip_out, 8)[None, :]).round().astype(int) - wx0
    sx = np.clip(sx, 0, wx1 - wx0 - 1)
    ref_l_px = lum[rr, sx][mid]
    ref_s_px = sat[rr, sx][mid]
    if ref_l_px.size < 10:
        ref_l, ref_s = float(face.skin.lab[0]), 0.2
    else:
        ref_l, ref_s = float(np.median(ref_l_px)), float(np.median(ref_s_px))
    X = (xline[:, None] + side * offs[None, :]).round().astype(int)
    inside = (X >= wx0) & (X < wx1)
    Xc = np.clip(X - wx0, 0, wx1 - wx0 - 1)
    L = lum[rr, Xc]
    Sa = sat[rr, Xc]
    hair = L < float(p["dark_ratio"]) * ref_l
    gray = face.skin.gray
    if not gray:
        hair |= (L < float(p["grey_ratio"]) * ref_l) & (Sa < float(p["grey_sat"]) * ref_s)
    # backdrop: outside the person and of the backdrop's colour, or light and colourless
    bg = np.zeros_like(hair)
    model = _backdrop_model(face)
    mask = face.mask[y0:y1][rr, np.clip(X, 0, w - 1)] if face.mask is not None else None
    if model is not None and mask is not None:
        med, sd = model
        d = np.sqrt((((lab[rr, Xc] - med) / sd) ** 2).sum(axis=-1))
        bg = (d < float(p["backdrop_distance"])) & (mask < 0.5)
    elif mask is not None:
        bg = mask < 0.2
    if not gray:
        bg |= (Sa < float(p["backdrop_sat"]) * ref_s) & (L > 0.8 * ref_l)
    hair &= ~bg
    skin = ~hair & ~bg
    if not gray:
        skin &= Sa >= float(p["backdrop_sat"]) * ref_s
    elif mask is not None:
        skin &= mask > 0.5
    hair &= inside
    skin &= inside
    k = skin.sum(axis=1) / SCALE
    hh = hair.sum(axis=1) / SCALE
    visible = k > float(p["min_skin"])
    covered = ~visible & (hh > float(p["min_hair"]))
    vis, cov = int(visible.sum()), int(covered.sum())
    x_in = float(np.interp(yt, cy, cx))
    x_out = x_in + side * outer
    box = (min(x_in, x_out), y0, max(x_in, x_out), y1)
    return {"covered": cov / max(1, cov + vis), "rows_visible": vis, "rows_covered": cov, "box": box}


class EarsVisibleCheck(Check):
    name = "ears_visible"

    def run(self, a) -> CheckResult:
        face = aligned_face(a)
        p = self.params
        yaw = float(getattr(a, "yaw", face.yaw))
        sides = [-1, 1]
        if abs(yaw) > float(p["max_yaw_both"]):
            # yaw > 0: the face turns towards image right, the image-right ear goes behind the head
            sides = [-1] if yaw > 0 else [1]
        ears = {s: ear_rows(face, s, p) for s in sides}
        worst = max(e["covered"] for e in ears.values())
        score = float(np.clip(worst, 0.0, 1.0))
        fail_at, warn_at = float(p["fail_at"]), float(p["warn_at"])
        regions = []
        for s, e in ears.items():
            if e["covered"] >= warn_at:
                label = "left_ear" if s < 0 else "right_ear"  # image left / image right
                regions.append(Region(label, face.norm_box(*e["box"])))
        if worst >= fail_at:
            both = sum(e["covered"] >= fail_at for e in ears.values()) == 2
            zh = "请把头发拨到耳后,露出双耳" if both else "请把头发拨到耳后,露出耳朵"
            return CheckResult(self.name, "fail", score, zh, "hair covers an ear: tuck it behind the ear",
                               value=worst, regions=regions)
        if worst >= warn_at:
            return CheckResult(self.name, "warn", score, "头发靠近耳朵,请把头发拨到耳后",
                               "hair close to an ear: tuck it behind the ear", value=worst, regions=regions)
        return CheckResult(self.name, "pass", score, "", "", value=worst)
