"""face_count: exactly one student in the photo.

A face counts when the detector is confident and the face is at least
``min_relative_size`` times the largest face: a passer-by far behind the
student, or a face on a poster, is much smaller and is not a second student.
Score: the relative size of the second-largest counted face (0 with one face).
"""

from __future__ import annotations

from qc.base import Check, CheckResult, Region


class FaceCountCheck(Check):
    name = "face_count"
    needs_face = False  # it is the check that says there is no face

    def run(self, a) -> CheckResult:
        min_rel = float(self.params["min_relative_size"])
        min_score = float(self.params["min_score"])
        counted = [f for f in a.faces if f.score >= min_score and f.relative_size >= min_rel]
        if a.has_face and not counted:
            counted = a.faces[:1]  # the mesh found the face the detector was unsure of
        regions = [Region("face", f.box) for f in counted]
        n = len(counted)
        if n == 0:
            return CheckResult(self.name, "fail", 1.0, "没有检测到人脸,请正对镜头坐好",
                               "no face found: sit facing the camera", value=0.0)
        if n > 1:
            second = sorted(counted, key=lambda f: f.width_px, reverse=True)[1]
            return CheckResult(self.name, "fail", float(second.relative_size),
                               f"画面中有{n}张人脸,请其他人离开镜头",
                               f"{n} faces in the picture: only the student may be in view",
                               value=float(n), regions=regions)
        return CheckResult(self.name, "pass", 0.0, "", "", value=1.0, regions=regions)
