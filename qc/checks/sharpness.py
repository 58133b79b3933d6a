"""sharpness: the face is in focus, judged at about the delivery resolution.

The face (eyebrows to mouth, eye corner to eye corner) is resampled to
``eye_px`` pixels between the pupils — about what the 480×640 delivery
shows — or left at its own size when the photo has fewer pixels, so a
200×250 crop and a 24 MP frame are judged on the same scale. The measure is
the no-reference blur metric of Crete et al. (2007): how much of the image's
pixel-to-pixel variation survives a further blur; it does not depend on
brightness or contrast. Score: 1 - sharpness (higher = blurrier).
"""

from __future__ import annotations

import numpy as np

from qc.mesh import BROW_LEFT, BROW_RIGHT, box_of
from qc.base import Check, CheckResult, Region


def crete_sharpness(gray: np.ndarray, k: int) -> float:
    """1 - Crete blur with a ``k``-pixel box (0 = flat/blurred, about 0.5-0.7 for a sharp face)."""
    import cv2

    g = gray.astype(np.float32)
    out = []
    for axis, ksize in ((0, (1, k)), (1, (k, 1))):
        blurred = cv2.blur(g, ksize[::-1] if axis == 0 else ksize[::-1])
        d = np.abs(np.diff(g, axis=axis))
        db = np.abs(np.diff(blurred, axis=axis))
        s = float(d.sum())
        if s <= 1e-6:
            return 0.0
        v = np.maximum(0.0, d - db).sum()
        out.append(float(v) / s)
    return float(min(out))


class SharpnessCheck(Check):
    name = "sharpness"

    def run(self, a) -> CheckResult:
        import cv2

        eye_px = min(float(self.params["eye_px"]), a.eye_distance)
        view = a.head_view(eye_px=eye_px)
        lm = view.landmarks
        idx = [33, 263, *BROW_LEFT, *BROW_RIGHT, 13, 14, 17, 61, 291]
        x0, y0 = lm[idx].min(axis=0)
        x1, y1 = lm[idx].max(axis=0)
        h, w = view.rgb.shape[:2]
        x0, y0 = int(max(0, x0)), int(max(0, y0))
        x1, y1 = int(min(w, x1 + 1)), int(min(h, y1 + 1))
        patch = view.rgb[y0:y1, x0:x1]
        if patch.shape[0] < int(self.params["min_patch"]) or patch.shape[1] < int(self.params["min_patch"]):
            return CheckResult(self.name, "error", None, "人脸太小,无法判断清晰度", "face too small to judge sharpness")
        gray = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
        sharp = crete_sharpness(gray, int(self.params["blur_size"]))
        region = [Region("face", box_of(view.to_norm([[x0, y0], [x1, y1]])))]
        score = float(np.clip(1.0 - sharp, 0.0, 1.0))
        if sharp < float(self.params["min_score"]):
            return CheckResult(self.name, "fail", score, "照片模糊,请对焦后重拍", "the face is blurred: refocus and retake",
                               value=sharp, regions=region)
        if sharp < float(self.params["warn_score"]):
            return CheckResult(self.name, "warn", score, "照片不够清晰,请检查对焦", "the face is a little soft: check focus",
                               value=sharp, regions=region)
        return CheckResult(self.name, "pass", score, "", "", value=sharp)
