"""eyes_open: both eyes open (eye aspect ratio from the face mesh).

Ratio = mean of three lid-to-lid distances / corner-to-corner distance, per
eye: about 0.25–0.35 open, under 0.1 closed, the same at every photo size.
Score: how far the more closed eye is below the warning ratio (0 = open,
1 = fully shut).
"""

from __future__ import annotations

import numpy as np

from qc.mesh import EYE_LEFT, EYE_RIGHT, box_of
from qc.base import Check, CheckResult, Region


def eye_ratio(p: np.ndarray, eye: dict) -> float:
    c0, c1 = eye["corners"]
    width = np.linalg.norm(p[c0, :2] - p[c1, :2])
    opening = np.mean([np.linalg.norm(p[u, :2] - p[d, :2]) for u, d in eye["lids"]])
    return float(opening / max(width, 1e-6))


class EyesOpenCheck(Check):
    name = "eyes_open"

    def run(self, a) -> CheckResult:
        p = a.points3d
        ratios = [eye_ratio(p, EYE_LEFT), eye_ratio(p, EYE_RIGHT)]
        low = min(ratios)
        fail_at, warn_at = float(self.params["min_eye_ratio"]), float(self.params["warn_eye_ratio"])
        score = float(np.clip((warn_at - low) / warn_at, 0.0, 1.0))
        regions = []
        for eye, r in zip((EYE_LEFT, EYE_RIGHT), ratios):
            idx = [*eye["corners"], *(i for pair in eye["lids"] for i in pair)]
            if r < warn_at:
                regions.append(Region("eye", box_of(a.landmarks[idx, :2], pad=0.4)))
        if low < fail_at:
            return CheckResult(self.name, "fail", score, "请睁大眼睛,不要眨眼", "eyes closed: keep the eyes open",
                               value=low, regions=regions)
        if low < warn_at:
            return CheckResult(self.name, "warn", score, "眼睛睁得不够大,请自然睁眼", "eyes half closed",
                               value=low, regions=regions)
        return CheckResult(self.name, "pass", score, "", "", value=low)
