"""The backdrop: its colour class, and the calibration shot of the empty backdrop (issue 12, item 4).

At set-up the photographer shoots the empty backdrop once (``station calibrate
backdrop``, or the button in the settings dialog). :func:`measure_backdrop`
fits the backdrop's smooth shading (a quadratic surface in CIE L*a*b*, as the
``background`` check does behind a student) over the part of the frame that
lies behind a student's head and shoulders, and keeps

- its mean colour (L*, a*, b*) and the colour class it belongs to (white,
  grey, light_blue, blue, or other),
- its evenness: the light's fall-off across it (L* range of the smooth
  surface) and the share of pixels far from the surface (a seam, a crease, a
  stain: the backdrop's own marks, which the check then does not blame on the
  student's photo).

:class:`Calibration` is stored in the station's settings (``qc.backdrop``) as
a plain dict; the ``background`` check then judges each photo's backdrop
against it (see ``qc/checks/background.py``). Thresholds are in the
profile's ``[background]`` section.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from qc.decode import DecodeError, decode_path
from qc.imageops import resize_long

# Colour classes a profile may accept or require, with their names for messages.
CLASSES: dict[str, tuple[str, str]] = {
    "white": ("白色", "white"),
    "grey": ("浅灰色", "light grey"),
    "light_blue": ("浅蓝色", "light blue"),
    "blue": ("蓝色", "blue"),
    "other": ("其他颜色", "another colour"),
}
# What a profile's ``require`` may name: one class, or "light" (white or grey), or "" (any accepted).
REQUIRE_ALIASES: dict[str, tuple[str, ...]] = {
    "white": ("white",),
    "grey": ("grey",),
    "light": ("white", "grey"),
    "light_blue": ("light_blue",),
    "blue": ("blue", "light_blue"),
    "any": ("white", "grey", "light_blue", "blue", "other"),
}


def colour_classes(L: float, chroma: float, hue: float, p: dict[str, Any], gray: bool = False) -> set[str]:
    """Every class a backdrop of this mean colour belongs to (a white one is also a light grey one)."""
    out: set[str] = set()
    neutral = gray or chroma <= float(p["max_chroma"])
    if neutral and L >= float(p["white_min_lightness"]):
        out.add("white")
    if neutral and L >= float(p["min_lightness"]):
        out.add("grey")
    bluish = (not gray and float(p["blue_hue_min"]) <= hue <= float(p["blue_hue_max"])
              and chroma >= float(p["blue_min_chroma"]))
    if bluish or gray:  # a grayscale photo cannot show a blue backdrop's colour: do not blame it
        out.add("blue")
        if L >= float(p["light_blue_min_lightness"]):
            out.add("light_blue")
    if not out:
        out.add("other")
    return out


def allowed_classes(p: dict[str, Any]) -> tuple[str, ...]:
    """The classes the profile lets through: ``require`` when set, else ``accept``."""
    req = str(p.get("require", "") or "")
    if req:
        if req not in REQUIRE_ALIASES:
            raise ValueError(f"unknown background.require {req!r} (known: {', '.join(REQUIRE_ALIASES)})")
        return REQUIRE_ALIASES[req]
    acc = tuple(str(x) for x in p.get("accept", ()))
    unknown = [x for x in acc if x not in CLASSES]
    if unknown:
        raise ValueError(f"unknown background.accept {unknown} (known: {', '.join(CLASSES)})")
    return acc or REQUIRE_ALIASES["any"]


def describe(classes: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """"白色、浅灰色或浅蓝色" / "white, light grey or light blue"."""
    zh = [CLASSES[c][0] for c in classes if c in CLASSES and c != "other"]
    en = [CLASSES[c][1] for c in classes if c in CLASSES and c != "other"]
    if not zh:
        return "任意颜色", "any colour"
    if len(zh) == 1:
        return zh[0], en[0]
    return "、".join(zh[:-1]) + "或" + zh[-1], ", ".join(en[:-1]) + " or " + en[-1]


def lab_hue_chroma(lab_mean: Any) -> tuple[float, float, float]:
    L, a, b = (float(v) for v in lab_mean)
    return L, float(np.hypot(a, b)), float(np.degrees(np.arctan2(b, a)) % 360)


@dataclass
class Calibration:
    """The empty backdrop as measured at set-up (stored in settings ``qc.backdrop``)."""

    L: float
    a: float
    b: float
    falloff: float  # L* range of the smooth shading over the region behind a student
    nonuniform: float  # share of that region far from the smooth shading (the backdrop's own marks)
    classes: list[str] = field(default_factory=list)
    file: str = ""
    at: str = ""
    warnings: list[str] = field(default_factory=list)  # Chinese, for the photographer

    @property
    def lab(self) -> np.ndarray:
        return np.array([self.L, self.a, self.b], np.float64)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("L", "a", "b", "falloff", "nonuniform"):
            d[k] = round(float(d[k]), 3)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Calibration | None:
        """``None`` for an empty or malformed setting (not calibrated)."""
        if not isinstance(d, dict) or not d:
            return None
        try:
            return cls(L=float(d["L"]), a=float(d["a"]), b=float(d["b"]), falloff=float(d.get("falloff", 0.0)),
                       nonuniform=float(d.get("nonuniform", 0.0)), classes=list(d.get("classes", [])),
                       file=str(d.get("file", "")), at=str(d.get("at", "")), warnings=list(d.get("warnings", [])))
        except (KeyError, TypeError, ValueError):
            return None

    def summary(self) -> str:
        names = "、".join(CLASSES[c][0] for c in self.classes if c in CLASSES) or "未知"
        return (f"背景已标定: {names} (L* {self.L:.0f}, a* {self.a:.0f}, b* {self.b:.0f}), "
                f"光照落差 L* {self.falloff:.0f}, 不均匀 {self.nonuniform:.1%}")


def smooth_residual(lab: np.ndarray, mask: np.ndarray, max_samples: int = 4000):
    """Fit L*, a*, b* over the masked pixels with a quadratic in x, y; per-pixel deltaE and the fit's mean."""
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    x = xs / max(w, 1) - 0.5
    y = ys / max(h, 1) - 0.5
    design = np.column_stack([np.ones_like(x), x, y, x * x, x * y, y * y])
    values = lab[ys, xs].astype(np.float64)
    step = max(1, len(xs) // max_samples)
    # two passes: fit, drop the worst 20% (the objects we are looking for), refit
    coef, *_ = np.linalg.lstsq(design[::step], values[::step], rcond=None)
    resid = np.linalg.norm(values - design @ coef, axis=1)
    keep = resid <= np.percentile(resid[::step], 80)
    d2, v2 = design[keep], values[keep]
    step2 = max(1, len(d2) // max_samples)
    coef, *_ = np.linalg.lstsq(d2[::step2], v2[::step2], rcond=None)
    fitted = design @ coef
    resid = np.linalg.norm(values - fitted, axis=1)
    return resid, fitted.mean(axis=0), (xs, ys)


class CalibrationError(ValueError):
    """The shot cannot serve as the backdrop's calibration (reason in Chinese, then English)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


# The part of the frame behind a student's head and shoulders (normalised x0, y0, x1, y1).
BEHIND_STUDENT = (0.1, 0.05, 0.9, 0.75)


def measure_backdrop(rgb: np.ndarray, params: dict[str, Any], *, person_mask: np.ndarray | None = None,
                     face_found: bool = False, file: str = "", gray: bool = False) -> Calibration:
    """Measure an empty-backdrop shot (oriented RGB, any size; ``params``: the profile's [background]).

    Raises :class:`CalibrationError` when someone is in the shot or the
    backdrop is not one the profile accepts; a fall-off or marks beyond the
    profile's limits are kept as warnings (the photographer may fix the light).
    """
    if face_found:
        raise CalibrationError("标定照片里有人脸: 请拍摄空的背景", "there is a face in the shot: shoot the empty backdrop")
    h0, w0 = rgb.shape[:2]
    s = 480.0 / max(h0, w0)
    small = cv2.resize(rgb, (max(1, int(w0 * s)), max(1, int(h0 * s))), interpolation=cv2.INTER_AREA) if s < 1 else rgb
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    h, w = lab.shape[:2]
    region = np.zeros((h, w), bool)
    x0, y0, x1, y1 = BEHIND_STUDENT
    region[int(y0 * h): int(y1 * h), int(x0 * w): int(x1 * w)] = True
    if person_mask is not None:
        pm = cv2.resize(person_mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        if float((pm[region] > 0.5).mean()) > float(params["calib_max_person"]):
            raise CalibrationError("标定照片里有人: 请让学生离开,拍摄空的背景",
                                   "someone is in the shot: shoot the empty backdrop")
    resid, mean, _ = smooth_residual(lab, region)
    # the light's fall-off: the range of a quadratic fit of L* alone, on a coarse grid
    gy, gx = np.mgrid[0:h:8, 0:w:8]
    sel = region[gy, gx]
    design = np.column_stack([np.ones(sel.sum()), gx[sel] / w - 0.5, gy[sel] / h - 0.5,
                              (gx[sel] / w - 0.5) ** 2, (gx[sel] / w - 0.5) * (gy[sel] / h - 0.5),
                              (gy[sel] / h - 0.5) ** 2])
    coef, *_ = np.linalg.lstsq(design, lab[gy[sel], gx[sel], 0].astype(np.float64), rcond=None)
    surf = design @ coef
    falloff = float(np.percentile(surf, 98) - np.percentile(surf, 2))
    nonuniform = float((resid > float(params["deltae_far"])).mean())
    L, chroma, hue = lab_hue_chroma(mean)
    classes = sorted(colour_classes(L, chroma, hue, params, gray))
    allowed = allowed_classes(params)
    if not set(classes) & set(allowed):
        want_zh, want_en = describe(allowed)
        got_zh = "、".join(CLASSES[c][0] for c in classes)
        raise CalibrationError(f"背景颜色({got_zh}, L* {L:.0f})不符合要求: 应为{want_zh}",
                               f"the backdrop ({', '.join(classes)}, L* {L:.0f}) is not {want_en}")
    warnings = []
    if falloff > float(params["calib_max_falloff"]):
        warnings.append(f"背景光照不均匀(亮度落差 L* {falloff:.0f}),请调整背景灯")
    if nonuniform > float(params["max_nonuniform"]):
        warnings.append(f"背景上有污渍、褶皱或物品(占 {nonuniform:.0%}),请清理或展平背景")
    return Calibration(L=float(mean[0]), a=float(mean[1]), b=float(mean[2]), falloff=falloff, nonuniform=nonuniform,
                       classes=classes, file=Path(file).name if file else "",
                       at=datetime.now().isoformat(timespec="seconds"), warnings=warnings)


def calibrate_path(checker: Any, path: str | Path) -> Calibration:
    """Measure the empty-backdrop photo at ``path`` with the checker's profile and models."""
    try:
        decoded = decode_path(path, min_long_side=800)
    except DecodeError as exc:
        raise CalibrationError(exc.reason, exc.reason_en) from None
    return calibrate_image(checker, decoded.rgb, file=str(path), gray=decoded.mode in ("L", "I;16", "I"))


def calibrate_image(checker: Any, rgb: np.ndarray, *, file: str = "", gray: bool = False) -> Calibration:
    small = resize_long(rgb, int(checker.model_long_side))
    faces = checker.models.detect(small, "detect_full")
    mask = checker.models.segment(small)
    return measure_backdrop(rgb, checker.profile.section("background"), person_mask=mask,
                            face_found=bool(faces), file=file, gray=gray)
