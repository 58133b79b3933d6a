"""The result types every photo check produces (the window draws them, reports store them).

Coordinates in a :class:`Region` are normalised to the oriented image
(EXIF rotation applied): x and y in 0..1 of its width and height, so the
window can draw them on any scaled display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "warn", "fail", "error"]


@dataclass
class Region:
    label: str  # e.g. "left_ear", "eyebrows", "glasses", "top", "face", "background"
    box: tuple[float, float, float, float]  # x0, y0, x1, y1, normalised
    polygon: list[tuple[float, float]] | None = None  # normalised, when a box is too coarse

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label, "box": [round(v, 4) for v in self.box]}
        if self.polygon:
            d["polygon"] = [[round(x, 4), round(y, 4)] for x, y in self.polygon]
        return d


@dataclass
class CheckResult:
    name: str
    verdict: Verdict
    score: float | None  # 0..1, higher = more confident the rule is broken (see the check's doc)
    reason: str  # short Chinese sentence the photographer can say to the student ("" on pass)
    reason_en: str = ""
    value: float | None = None  # the raw measure (degrees, pixels, ...)
    regions: list[Region] = field(default_factory=list)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "score": None if self.score is None else round(float(self.score), 4),
            "value": None if self.value is None else round(float(self.value), 4),
            "reason": self.reason_en if lang == "en" and self.reason_en else self.reason,
            "regions": [r.to_dict() for r in self.regions],
        }


@dataclass
class QcReport:
    path: str | None
    verdict: Verdict  # "fail" if any check fails, "error" if the image could not be judged
    checks: dict[str, CheckResult]
    ms: float
    width: int | None = None  # of the oriented image
    height: int | None = None
    error: str | None = None  # why the image could not be judged
    crop: tuple[float, float, float, float] | None = None  # the standard 480x640 crop, normalised
    error_en: str | None = None  # the same reason in English
    timings: dict[str, float] = field(default_factory=dict)  # ms per stage (decode, detect, check.<name>...)
    # regions to show enlarged when a hair/glasses/jewellery check is unsure (qc/closeup.py): label -> box
    closeup: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    def failing(self) -> list[CheckResult]:
        return [c for c in self.checks.values() if c.verdict == "fail"]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path,
            "verdict": self.verdict,
            "checks": {k: v.to_dict(lang) for k, v in self.checks.items()},
            "ms": round(self.ms, 1),
        }
        if self.error:
            d["reason"] = self.error_en if lang == "en" and self.error_en else self.error
        if self.width:
            d["size"] = [self.width, self.height]
        if self.crop:
            d["crop"] = [round(v, 4) for v in self.crop]
        if self.closeup:
            d["closeup"] = {k: [round(v, 4) for v in box] for k, box in self.closeup.items()}
        return d


class Check:
    """One quality measure (the way OFIQ keeps one class per measure).

    A subclass sets ``name`` and implements :meth:`run`. It is built once with
    its own section of the profile (thresholds never live in code) and called
    once per photo with the oriented RGB image and the shared, read-only face
    analysis (decode, detection, landmarks and segmentation done once for all
    checks). If ``run`` raises, the checker records the check as ``error``
    ("not assessed") and the other checks still run.
    """

    name: str = ""
    # False for checks that judge a photo without a face (the checker otherwise
    # records them as "not assessed" when no face was found, without calling run)
    needs_face: bool = True
    # True for checks that read the person mask: the checker then also places the crop by the
    # hair's top (which comes from the same mask), else by the face alone
    needs_person_mask: bool = False
    # True for checks whose warn or fail adds the close-up regions (ears, brows) to the report
    closeup: bool = False

    def __init__(self, params: dict[str, Any]):
        self.params = params

    def set_backdrop(self, calibration: Any) -> None:
        """The empty backdrop measured at set-up (``qc.backdrop.Calibration``, a callable returning
        the current one, or None). Only a check that judges the backdrop keeps it."""

    def run(self, analysis: Any) -> CheckResult:  # analysis: qc.analysis.FaceAnalysis
        raise NotImplementedError
