"""framing: the head fits the delivery format and nothing of the head or shoulders is cut off.

Uses the standard crop (:mod:`qc.crop`, eyes 200–300 px from the top and a
face 180–300 px wide in 480×640). Fails when

- the crop leaves the photo by more than ``max_overflow`` of its size (at
  the bottom: the shoulders are missing; at the top or sides: only if the
  person reaches that edge of the photo — otherwise plain backdrop can be
  extended and it is a warning; a sliver is always only a warning),
- the hair reaches the photo's top edge (the head is cut off),
- the hair rises above the crop's top edge (no room above the head),
- less than ``min_chin_room`` face widths are left below the chin (the
  shoulders are not in the picture); a body narrower than
  ``min_shoulder_width`` face widths at the crop's bottom edge only warns.

It warns when the face has fewer pixels than the delivery needs (an upscaled
delivery looks soft). Score: the worst overflow as a fraction of the crop.
"""

from __future__ import annotations

import numpy as np

from qc.base import Check, CheckResult, Region

_ADVICE = {
    "top": ("头顶上方空间不够,请把相机往上调或让学生坐低一点", "no room above the head: aim higher or lower the seat"),
    "bottom": ("肩膀没有拍全,请把相机往下调或拉远一点", "shoulders cut off: aim lower or zoom out"),
    "left": ("人没有在画面中间,请往右坐或调整相机", "not centred: move the camera or the student"),
    "right": ("人没有在画面中间,请往左坐或调整相机", "not centred: move the camera or the student"),
}


class FramingCheck(Check):
    name = "framing"
    needs_person_mask = True

    def run(self, a) -> CheckResult:
        p = self.params
        crop = a.crop
        if crop is None:
            return CheckResult(self.name, "error", None, "无法确定裁切范围", "the delivery crop could not be placed")
        mask = a.person_mask > 0.5
        h, w = mask.shape
        tol = float(p["photo_edge_tolerance"])
        margin = float(p["min_margin"])
        crop_region = [Region("crop", tuple(float(v) for v in crop.box))]
        problems: list[tuple[float, str, str, str]] = []  # (severity, verdict, zh, en)

        # 1. the head cut off by the photo's top edge
        x0f, _, x1f, _ = a.face_box
        c0, c1 = int(max(0, x0f * w)), int(min(w, np.ceil(x1f * w)))
        band = max(1, int(round(tol * h)))
        if c1 > c0 and mask[:band, c0:c1].mean() > 0.5:
            problems.append((1.0, "fail", "头顶被裁掉了,请调整相机把整个头拍进来", "the top of the head is cut off"))

        # 2. the crop leaving the photo
        max_over = float(p["max_overflow"])
        for side, over in crop.overflow.items():
            if over <= margin:
                continue
            zh, en = _ADVICE[side]
            # a sliver can be filled by repeating the edge (backdrop, or the body at the bottom)
            if over <= max_over:
                problems.append((over, "warn", zh, en))
            elif side == "bottom":
                problems.append((over, "fail", zh, en))
            else:
                touching = _touches(mask, side, tol, float(p["touch_fraction"]))
                problems.append((over, "fail" if touching else "warn", zh, en))

        # 3. the hair above the crop's top edge (the crop already lowered the eyes as far as allowed)
        head_top = a.head_top
        if head_top is not None and crop.fits:
            room = (head_top - crop.box[1]) / max(crop.box[3] - crop.box[1], 1e-9)
            if room < float(p["head_top_margin"]):
                problems.append((0.5, "fail", "头顶太靠上,请把相机往上调一点", "the hair reaches the top of the delivery crop"))

        # 4. shoulders in the picture: room below the chin (fail), the body's width at the bottom (warn:
        #    a top the colour of the backdrop can escape the person mask)
        fw_small = max(a.face_width * w / a.image.shape[1], 1e-6)
        y_bottom = min(h, int(crop.box[3] * h))
        chin_room = (y_bottom - a.landmarks[152, 1] * h) / fw_small
        if chin_room < float(p["min_chin_room"]):
            problems.append((0.8, "fail", "肩膀没有拍进画面,请把相机拉远一点", "the photo ends at the chin: shoulders not in the picture"))
        elif y_bottom > 0:
            width_faces = mask[y_bottom - 1].sum() / fw_small
            if width_faces < float(p["min_shoulder_width"]):
                problems.append((0.3, "warn", "肩膀拍得不全,请把相机拉远一点", "the shoulders are barely in the picture"))

        if problems:
            problems.sort(key=lambda t: (t[1] != "fail", -t[0]))
            sev, verdict, zh, en = problems[0]
            return CheckResult(self.name, verdict, float(np.clip(sev, 0.0, 1.0)), zh, en,
                               value=float(max(crop.overflow.values())), regions=crop_region)
        # 5. enough pixels for the delivery
        face_px = a.face_width / max(a.scale, 1e-9)  # in the original file
        if face_px < float(p["min_face_px"]):
            return CheckResult(self.name, "warn", 0.3, "人脸像素不足,请拉近镜头",
                               f"the face is only {face_px:.0f} px wide: zoom in for a sharp delivery",
                               value=0.0, regions=crop_region)
        return CheckResult(self.name, "pass", 0.0, "", "", value=0.0, regions=crop_region)


def _touches(mask: np.ndarray, side: str, tol: float, fraction: float) -> bool:
    h, w = mask.shape
    if side == "top":
        strip = mask[: max(1, int(round(tol * h))), :]
    elif side == "left":
        strip = mask[:, : max(1, int(round(tol * w)))]
    else:
        strip = mask[:, w - max(1, int(round(tol * w))):]
    return bool(strip.mean() > fraction)
