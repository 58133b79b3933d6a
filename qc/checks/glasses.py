"""glasses: spectacles or sunglasses on the face (the notice: 去眼镜).

What it looks for is what every pair of glasses has and a bare face does
not: the lower rim of each lens, a thin line (dark rim, bright metal, or the
polished edge of a rimless lens) that runs across the whole width of the
lens below the eye, below the lower eyelid and its creases, and continues
past both eye corners.

In the canonical face view (eye line level, inter-ocular distance fixed,
see ``qc/face_view.py``; the rims are shared evidence, ``qc/evidence.py``) the luminance's thin-line response (largest Hessian
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
from a small learned model (``qc/learned.py``: the periocular patch plus the four
rim measures above, trained person-disjoint on real photos); ``model = ""``
in the profile returns to the rule. Then score and value are the model's
probability of glasses, and ``model_fail_at`` / ``model_warn_at`` apply.
"""

from __future__ import annotations

import numpy as np

from qc import learned
from qc.base import Check, CheckResult, Region

class GlassesCheck(Check):
    name = "glasses"
    closeup = True  # unsure: the window shows ears and brows enlarged

    def run(self, a) -> CheckResult:
        face = a.evidence.view
        m = a.evidence.rims  # shared: the eyebrows check reads the same rims
        p = self.params
        raw = m["combined"]
        tint = m["tint"]
        if tint >= float(p["tint_fail"]):
            raw = max(raw, float(p["fail_at"]) + (tint - float(p["tint_fail"])))
        if m["temple"] >= float(p["temple_fail"]):
            # both arms clearly visible: glasses even when the lens rims are faint (clear acetate)
            raw = max(raw, float(p["fail_at"]) + (m["temple"] - float(p["temple_fail"])))
        lo, hi = float(p["score_low"]), float(p["score_high"])
        score = float(np.clip((raw - lo) / (hi - lo), 0.0, 1.0))
        fail_at, warn_at = float(p["fail_at"]), float(p["warn_at"])
        model = learned.load(str(p["model"])) if p["model"] else None
        if model is not None:
            extra = np.array([m["mean"], m["third"], m["temple"], m["tint"]], np.float32)
            raw = score = model.probability(learned.glasses_features(face), extra)
            fail_at, warn_at = float(p["model_fail_at"]), float(p["model_warn_at"])
        u0, v0, u1, v1 = (float(v) for v in p["region"])
        region = Region("glasses", face.norm_box(*face.px(u0, v0), *face.px(u1, v1)))
        if raw >= fail_at:
            return CheckResult(self.name, "fail", score, "请摘下眼镜", "glasses: please take them off",
                               value=raw, regions=[region])
        if raw >= warn_at:
            return CheckResult(self.name, "warn", score, "可能戴着眼镜,如戴眼镜请摘下",
                               "possibly glasses: if so, please take them off", value=raw, regions=[region])
        return CheckResult(self.name, "pass", score, "", "", value=raw)
