"""eyebrows_visible: a fringe must not hide the eyebrows (the notice: 头发不得遮挡眉毛).

Each eyebrow (its mesh contour, in the canonical face view) is examined in
columns along its length. A column counts as covered when one of two things
a reviewer sees is true:

* hair sits right on the brow: the thin band just above the brow's top
  (``band_near``..``band_far`` IOD) is hair, by colour (much darker than the
  person's own cheek skin, or darker and greyer) or by texture (vertical
  strands, measured against the cheeks' own texture, which also catches
  blond hair and works on grayscale photos);
* the brow has lost its upper edge: a visible brow is darker than the skin
  above it about as much as than the skin below it; hair over the brow makes
  the upper contrast vanish while the lower one stays.

A fringe that ends above the brows leaves the band and the upper edge free,
so it passes; so does a brow seen through a few loose strands. The share of
covered columns per brow (the two cues weighted) is the measure; the worse
brow decides. Thick spectacle frames also darken the skin above the brows,
so when the shared spectacle-rim evidence (``qc/evidence.py``, the rims the glasses check
scores) sees a frame, only the hair band is used.

Score: the worse brow's covered share, 0..1.

On real photos (bench/realset) the columns also fire on dark East Asian brows
and miss fringes that lie flat on the brow, so by default the verdict comes
from a small learned model (``qc/learned.py``: grey and skin-distance patches of
the brows and the forehead above them, plus the covered share above, trained
person-disjoint on real photos); ``model = ""`` returns to the rule. Then
score and value are the model's probability of a covered brow.
"""

from __future__ import annotations

import numpy as np

from qc import learned
from qc.base import Check, CheckResult, Region
from qc.evidence import HairCues
from qc.face_view import BROW_L_LOWER, BROW_L_UPPER, BROW_R_LOWER, BROW_R_UPPER, SCALE, AlignedFace


def brow_columns(face: AlignedFace, cues: HairCues, p: dict, use_edge: bool = True) -> list[dict]:
    """Per brow (image left, image right): covered share and its parts (``cues``: the shared hair cues)."""
    hairish = cues.dark | (cues.strands > float(p["strand_ratio"]))
    lum = cues.lum
    skin_l = float(face.skin.lab[0])
    n = int(p["columns"])
    h_img, w_img = lum.shape
    out = []
    for up, lo in ((BROW_L_UPPER, BROW_L_LOWER), (BROW_R_UPPER, BROW_R_LOWER)):
        pu = face.pts[list(up)]
        pu = pu[np.argsort(pu[:, 0])]
        pl = face.pts[list(lo)]
        pl = pl[np.argsort(pl[:, 0])]
        x0, x1 = max(pu[0, 0], pl[0, 0]), min(pu[-1, 0], pl[-1, 0])
        band_cov = []
        edge_cov = []
        for x in np.linspace(x0, x1, n):
            xi = slice(max(0, int(x) - 1), min(w_img, int(x) + 2))
            yt = float(np.interp(x, pu[:, 0], pu[:, 1]))
            yb = float(np.interp(x, pl[:, 0], pl[:, 1]))
            h = max(yb - yt, 2.0)

            def rows(a: float, b: float) -> slice:
                return slice(int(np.clip(a, 0, h_img - 1)), int(np.clip(b, 1, h_img)))

            band = hairish[rows(yt - float(p["band_far"]) * SCALE, yt - float(p["band_near"]) * SCALE), xi]
            band_cov.append(bool(band.size and band.mean() > float(p["band_fraction"])))
            inner = lum[rows(yt + float(p["inner_inset"]) * h, yb - float(p["inner_inset"]) * h + 1), xi]
            above = lum[rows(yt - float(p["edge_far"]) * SCALE, yt - float(p["edge_near"]) * SCALE + 1), xi]
            below = lum[rows(yb + float(p["edge_near"]) * SCALE, yb + float(p["edge_far"]) * SCALE + 1), xi]
            if inner.size and above.size and below.size:
                top_c = (float(above.mean()) - float(inner.mean())) / skin_l
                bot_c = (float(below.mean()) - float(inner.mean())) / skin_l
                edge_cov.append(top_c < max(float(p["edge_ratio"]) * bot_c, float(p["edge_min"])))
            else:
                edge_cov.append(False)
        band_share = float(np.mean(band_cov))
        edge_share = float(np.mean(edge_cov)) if use_edge else band_share
        cover = float(p["band_weight"]) * band_share + float(p["edge_weight"]) * edge_share
        poly = np.vstack([pu, pl[::-1]])
        out.append({"cover": cover, "band": band_share, "edge": edge_share, "polygon": poly})
    return out


class EyebrowsVisibleCheck(Check):
    name = "eyebrows_visible"
    closeup = True  # unsure: the window shows ears and brows enlarged

    def run(self, a) -> CheckResult:
        face = a.evidence.view
        p = self.params
        use_edge = True
        try:
            # the spectacle rims the glasses check scores (shared evidence, one weighting)
            use_edge = a.evidence.rims["combined"] < float(p["glasses_rim"])
        except Exception:  # the rims are an aid here, never a reason to fail
            use_edge = True
        brows = brow_columns(face, a.evidence.hair, p, use_edge=use_edge)
        worst = max(b["cover"] for b in brows)
        score = float(np.clip(worst, 0.0, 1.0))
        fail_at, warn_at = float(p["fail_at"]), float(p["warn_at"])
        model = learned.load(str(p["model"])) if p["model"] else None
        rule_warn = warn_at
        if model is not None:
            prob = model.probability(learned.brow_features(face), np.array([worst], np.float32))
            worst = score = prob
            fail_at, warn_at = float(p["model_fail_at"]), float(p["model_warn_at"])
        regions = []
        for label, b in zip(("eyebrow_left", "eyebrow_right"), brows):
            if b["cover"] >= rule_warn or (model is not None and worst >= warn_at):
                poly = b["polygon"]
                x0, y0 = poly.min(axis=0)
                x1, y1 = poly.max(axis=0)
                pad = float(p["region_pad"]) * SCALE
                regions.append(Region(label, face.norm_box(x0 - pad, y0 - 2 * pad, x1 + pad, y1 + pad),
                                      polygon=face.norm_polygon(poly)))
        if worst >= fail_at:
            return CheckResult(self.name, "fail", score, "请把刘海拨开,露出眉毛",
                               "hair covers the eyebrows: sweep the fringe aside", value=worst, regions=regions)
        if worst >= warn_at:
            return CheckResult(self.name, "warn", score, "头发接近眉毛,请把刘海拨开一些",
                               "hair close to the eyebrows: sweep the fringe aside a little", value=worst,
                               regions=regions)
        return CheckResult(self.name, "pass", score, "", "", value=worst)
