"""pose: the head is upright and faces the camera (yaw, pitch, roll within the profile's limits).

The angles come from :attr:`FaceAnalysis.head_pose` (a geometric estimate from
the mesh's 3D points). Score: the largest angle as a fraction of its limit,
capped at 1 (≥ 1 means a limit was exceeded before the cap).
"""

from __future__ import annotations

from qc.mesh import box_of
from qc.base import Check, CheckResult, Region


class PoseCheck(Check):
    name = "pose"

    def run(self, a) -> CheckResult:
        p = self.params
        yaw, pitch, roll = a.head_pose
        pitch -= float(p["pitch_offset"])
        limits = {"yaw": float(p["max_yaw"]), "pitch": float(p["max_pitch"]), "roll": float(p["max_roll"])}
        angles = {"yaw": yaw, "pitch": pitch, "roll": roll}
        ratios = {k: abs(angles[k]) / limits[k] for k in angles}
        worst = max(ratios, key=ratios.get)
        r = ratios[worst]
        region = [Region("face", box_of(a.landmarks[:, :2]))]
        value = angles[worst]
        if r <= float(p["warn_fraction"]):
            return CheckResult(self.name, "pass", min(r, 1.0), "", "", value=value, regions=region)
        zh, en = _advice(worst, angles[worst])
        verdict = "fail" if r > 1.0 else "warn"
        return CheckResult(self.name, verdict, min(r, 1.0), zh, en, value=value, regions=region)


def _advice(which: str, angle: float) -> tuple[str, str]:
    if which == "yaw":
        return "请把头转正,正对镜头", f"turn the head to face the camera (turned {abs(angle):.0f}°)"
    if which == "pitch":
        if angle > 0:
            return "请微微低头,下巴收一点", f"lower the chin a little (raised {angle:.0f}°)"
        return "请微微抬头", f"raise the chin a little (lowered {-angle:.0f}°)"
    return "请把头摆正,不要歪头", f"hold the head upright (tilted {abs(angle):.0f}°)"
