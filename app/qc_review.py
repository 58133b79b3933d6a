"""The close-up of an unsure photo check and the photographer's answer (issue 12, item 5).

When a check that asks for a close-up (``closeup = True``: ears, eyebrows, glasses, jewelry) warns or
fails, the report carries the regions to look at (``qc/closeup.py``).
:func:`closeup_for_shot` crops them from the **full-resolution** file (the
checks worked on a reduced decode) for the window; the photographer confirms
the checks' verdict or overrules it with one key, and :func:`record_review`
keeps that answer with the shot (table ``qc_reviews``). :func:`override_stats`
counts, per check, how often it was unsure, answered, confirmed and overruled:
``station qc-eval --overrides``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from app.models import QcReview, Shot, now
from qc.checks import TITLES, closeup_checks
from qc.decode import decode_path

DECISIONS = ("confirm", "overrule")
CLOSEUP_CHECKS = closeup_checks()  # the checks that say so (qc.base.Check.closeup): ears, eyebrows, glasses, jewelry


@dataclass
class CloseupView:
    shot_id: int
    path: str
    checks: list[tuple[str, str, str, str]]  # (name, verdict, reason zh, reason en) of the unsure checks
    crops: dict[str, np.ndarray] = field(default_factory=dict)  # left_ear, brows, right_ear: RGB uint8
    decision: str | None = None  # an answer already recorded for this shot


def _unsure(qc_json: str | None) -> tuple[list[tuple[str, str, str, str]], dict[str, list[float]]]:
    try:
        d = json.loads(qc_json or "")
    except ValueError:
        return [], {}
    checks = d.get("checks") or {}
    unsure = [(n, checks[n].get("verdict", ""), checks[n].get("reason") or "", checks[n].get("reason_en") or "")
              for n in CLOSEUP_CHECKS if n in checks and checks[n].get("verdict") in ("warn", "fail")]
    return unsure, d.get("closeup") or {}


def closeup_for_shot(db: Any, shot_id: int, *, max_side: int = 900) -> CloseupView | None:
    """The unsure checks of a shot and its close-up crops (None when no close-up check is unsure).

    The file is decoded at full resolution (EXIF orientation applied) and each
    region cropped from it; a crop larger than ``max_side`` is reduced to it.
    Run in a worker: a 24 MP decode takes a few hundred milliseconds.
    """
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        if shot is None:
            return None
        path, qc_json = shot.path, shot.qc_json
        answered = s.scalars(select(QcReview.decision).where(QcReview.shot_id == shot_id)).first()
    unsure, boxes = _unsure(qc_json)
    if not unsure:
        return None
    view = CloseupView(shot_id=shot_id, path=path, checks=unsure, decision=answered)
    if not boxes:
        return view
    decoded = decode_path(path, min_long_side=1 << 20)  # no DCT reduction: every pixel the camera gave
    img = decoded.rgb
    h, w = img.shape[:2]
    for label in ("left_ear", "brows", "right_ear"):
        if label not in boxes:
            continue
        x0, y0, x1, y1 = boxes[label]
        a, b = int(max(0, np.floor(x0 * w))), int(max(0, np.floor(y0 * h)))
        c, d = int(min(w, np.ceil(x1 * w))), int(min(h, np.ceil(y1 * h)))
        if c - a < 2 or d - b < 2:
            continue
        crop = img[b:d, a:c]
        long_side = max(crop.shape[:2])
        if long_side > max_side:
            import cv2

            s = max_side / long_side
            crop = cv2.resize(crop, (max(1, round(crop.shape[1] * s)), max(1, round(crop.shape[0] * s))),
                              interpolation=cv2.INTER_AREA)
        view.crops[label] = np.ascontiguousarray(crop)
    return view


def record_review(db: Any, shot_id: int, decision: str) -> list[str]:
    """Keep the photographer's answer for every unsure close-up check of the shot; returns their names."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    with db.session() as s:
        shot = s.get(Shot, shot_id)
        if shot is None:
            raise ValueError(f"no shot {shot_id}")
        unsure, _ = _unsure(shot.qc_json)
        existing = {r.check_name: r for r in s.scalars(select(QcReview).where(QcReview.shot_id == shot_id))}
        for name, verdict, _zh, _en in unsure:
            row = existing.get(name)
            if row is None:
                s.add(QcReview(shot_id=shot_id, check_name=name, verdict=verdict, decision=decision))
            else:
                row.verdict, row.decision, row.decided_at = verdict, decision, now()
        s.commit()
    return [u[0] for u in unsure]


@dataclass
class OverrideStat:
    check: str
    unsure: int  # shots on which the check warned or failed
    answered: int
    confirmed: int
    overruled: int

    @property
    def overrule_rate(self) -> float | None:
        return self.overruled / self.answered if self.answered else None

    def to_dict(self) -> dict[str, Any]:
        r = self.overrule_rate
        return {"check": self.check, "unsure": self.unsure, "answered": self.answered, "confirmed": self.confirmed,
                "overruled": self.overruled, "overrule_rate": None if r is None else round(r, 4)}


def override_stats(db: Any) -> list[OverrideStat]:
    """Per close-up check: shots it was unsure on, and how the photographers answered."""
    stats = {n: OverrideStat(n, 0, 0, 0, 0) for n in CLOSEUP_CHECKS}
    with db.session() as s:
        for qc_json in s.scalars(select(Shot.qc_json).where(Shot.qc_json.is_not(None))):
            for name, *_ in _unsure(qc_json)[0]:
                stats[name].unsure += 1
        for name, decision in s.execute(select(QcReview.check_name, QcReview.decision)):
            st = stats.setdefault(name, OverrideStat(name, 0, 0, 0, 0))
            st.answered += 1
            if decision == "overrule":
                st.overruled += 1
            else:
                st.confirmed += 1
    return list(stats.values())


def format_overrides(stats: list[OverrideStat]) -> str:

    lines = ["检查项 / check          不确定  已核对  确认  推翻  推翻率",
             "                        unsure answered confirm overrule rate"]
    for st in stats:
        zh = TITLES.get(st.check, (st.check, ""))[0]
        r = st.overrule_rate
        lines.append(f"{zh:<6} {st.check:<17} {st.unsure:>5} {st.answered:>7} {st.confirmed:>5} {st.overruled:>5} "
                     f"{'—' if r is None else f'{r:.0%}':>6}")
    return "\n".join(lines)
