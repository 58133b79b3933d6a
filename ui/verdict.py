"""A shot's verdict as the photo view draws it: title, keys, numbered marks, what was not checked."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.workflow import ShotInfo
from ui.photo_view import Overlay


def check_name(name: str) -> str:
    """A check's short name for the photographer."""
    return {
        "face_count": QCoreApplication.translate("Verdict", "人脸数"),
        "framing": QCoreApplication.translate("Verdict", "构图"),
        "pose": QCoreApplication.translate("Verdict", "姿态"),
        "eyes_open": QCoreApplication.translate("Verdict", "睁眼"),
        "glasses": QCoreApplication.translate("Verdict", "眼镜"),
        "eyebrows_visible": QCoreApplication.translate("Verdict", "眉毛"),
        "ears_visible": QCoreApplication.translate("Verdict", "耳朵"),
        "white_top": QCoreApplication.translate("Verdict", "白色上衣"),
        "sharpness": QCoreApplication.translate("Verdict", "清晰度"),
        "exposure": QCoreApplication.translate("Verdict", "曝光"),
        "background": QCoreApplication.translate("Verdict", "背景"),
        "jewelry": QCoreApplication.translate("Verdict", "饰品"),
    }.get(name, name)


def overlay_for(shot: ShotInfo) -> Overlay:
    """Failing checks first (red), then warnings (amber); each with its sentence and where it looked."""
    marks = tuple(
        (c.verdict, c.text(), tuple(box for _label, box in c.regions)) for c in (shot.failing() + shot.warnings())
    )
    if shot.qc_verdict in ("pass", "warn"):
        if shot.qc_verdict == "pass":
            title = QCoreApplication.translate("Verdict", "合格 ✓")
        elif shot.warnings():
            title = QCoreApplication.translate("Verdict", "合格 (有提醒)")
        else:
            title = QCoreApplication.translate("Verdict", "合格 (部分项目未检查)")
        hint = QCoreApplication.translate("Verdict", "回车 接受 · R 重拍")
    elif shot.qc_verdict is None:
        title = QCoreApplication.translate("Verdict", "未检查")
        hint = QCoreApplication.translate("Verdict", "回车 接受 · R 重拍")
    else:
        if shot.qc_verdict == "fail":
            title = QCoreApplication.translate("Verdict", "不合格 ✗")
        else:
            title = QCoreApplication.translate("Verdict", "无法检查 ✗")
        hint = QCoreApplication.translate("Verdict", "R 重拍 · 回车 填写原因后接受")
        if shot.qc_error and not marks:
            marks = (("error", shot.qc_error, ()),)
    skipped = [check_name(c.name) for c in shot.not_assessed()]
    foot = QCoreApplication.translate("Verdict", "未能检查: {names}").format(names=", ".join(skipped)) if skipped else ""
    return Overlay(shot.qc_verdict, title, hint, marks, shot.crop, foot)
