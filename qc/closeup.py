"""Where to look when a hair/glasses/jewellery check is unsure (issue 12, item 5).

When a check that asks for it (``Check.closeup``: today ``ears_visible``,
``eyebrows_visible``, ``glasses`` and ``jewelry``) warns or fails, the checker adds to the report the regions the photographer should
see enlarged to confirm or overrule them in a second: both ears (with the
hair that may lie over them and an earring below) and the brow line (from
above the brows, where a fringe starts, down to the eyes and the spectacle
rims). Boxes are normalised to the oriented image like every
:class:`qc.base.Region`, so the window crops them from the full-resolution
file whatever size the checks worked at.
"""

from __future__ import annotations

from typing import Any

import numpy as np

UNSURE = ("warn", "fail")  # the verdicts of a close-up check (``Check.closeup``) that add the regions
# Mesh points: face outline at the tragus level (image left / right), brows' outer ends, pupils.
TRAGUS_LEFT, TRAGUS_RIGHT = 234, 454
BROW_OUTER_LEFT, BROW_OUTER_RIGHT = 70, 300
BROW_TOPS = (105, 66, 334, 296)


def closeup_regions(a: Any) -> dict[str, tuple[float, float, float, float]]:
    """Normalised boxes ``left_ear``, ``right_ear`` (image left/right) and ``brows`` for the face in ``a``.

    Sizes follow the inter-pupil distance (IOD): an ear box reaches 0.6 IOD
    out from the face outline and 0.15 in, from 0.75 above the tragus to 0.95
    below (hair over the top of the ear, an earring under the lobe); the brow
    box spans the brows' outer ends plus 0.2 IOD, from 0.5 IOD above the brows
    to 0.35 below the pupils.
    """
    if a.landmarks is None:
        return {}
    h, w = a.image.shape[:2]
    iod = float(a.eye_distance)
    ux, uy = iod / w, iod / h  # one IOD in normalised x and y
    lm = a.landmarks[:, :2]

    def clip(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (float(np.clip(x0, 0, 1)), float(np.clip(y0, 0, 1)), float(np.clip(x1, 0, 1)), float(np.clip(y1, 0, 1)))

    out = {}
    lx, ly = lm[TRAGUS_LEFT]
    rx, ry = lm[TRAGUS_RIGHT]
    out["left_ear"] = clip(lx - 0.6 * ux, ly - 0.75 * uy, lx + 0.15 * ux, ly + 0.95 * uy)
    out["right_ear"] = clip(rx - 0.15 * ux, ry - 0.75 * uy, rx + 0.6 * ux, ry + 0.95 * uy)
    top = float(min(lm[i][1] for i in BROW_TOPS))
    eyes = float(max(lm[468][1], lm[473][1]))
    out["brows"] = clip(lm[BROW_OUTER_LEFT][0] - 0.2 * ux, top - 0.5 * uy, lm[BROW_OUTER_RIGHT][0] + 0.2 * ux,
                        eyes + 0.35 * uy)
    return out
