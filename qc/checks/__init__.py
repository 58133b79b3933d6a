"""The check registry: one module per check, found by name.

``qc.checks.<name>`` holds one :class:`qc.base.Check` subclass whose ``name``
is ``<name>``. The checker imports the module for every name the profile
lists, so a check lands by adding its module and its profile section; until
then it is reported as ``error`` ("not assessed") with the reason, never a
crash.
"""

from __future__ import annotations

import importlib
import inspect

from qc.base import Check

# Every check of issue 4, in the order the window lists them.
CHECK_NAMES: tuple[str, ...] = (
    "face_count",
    "framing",
    "pose",
    "eyes_open",
    "glasses",
    "eyebrows_visible",
    "ears_visible",
    "white_top",
    "sharpness",
    "exposure",
    "background",
    "jewelry",
    "headwear",
)

# What each check is about, for listings and the window's legend.
TITLES: dict[str, tuple[str, str]] = {
    "face_count": ("人脸数量", "one face"),
    "framing": ("构图", "framing"),
    "pose": ("头部姿态", "head pose"),
    "eyes_open": ("睁眼", "eyes open"),
    "glasses": ("眼镜", "glasses"),
    "eyebrows_visible": ("眉毛露出", "eyebrows visible"),
    "ears_visible": ("耳朵露出", "ears visible"),
    "white_top": ("白色上衣", "white top"),
    "sharpness": ("清晰度", "sharpness"),
    "exposure": ("曝光", "exposure"),
    "background": ("背景", "background"),
    "jewelry": ("饰品", "jewelry"),
    "headwear": ("帽子", "headwear"),
}


class CheckUnavailable(Exception):
    """The check's module is missing or does not define the check."""


def check_class(name: str) -> type[Check]:
    if not name.isidentifier():
        raise CheckUnavailable(f"invalid check name {name!r}")
    modname = f"qc.checks.{name}"
    try:
        module = importlib.import_module(modname)
    except ModuleNotFoundError as exc:
        if exc.name == modname:
            raise CheckUnavailable(f"module {modname} is not installed yet") from None
        raise
    candidates = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Check) and obj is not Check and obj.__module__ == modname
    ]
    named = [c for c in candidates if getattr(c, "name", "") == name]
    if named:
        return named[0]
    if len(candidates) == 1:
        return candidates[0]
    raise CheckUnavailable(f"{modname} defines no Check subclass named {name!r}")


def closeup_checks() -> tuple[str, ...]:
    """The checks whose unsure verdicts the window enlarges (``closeup = True`` on the check), in the
    window's order; asked of the checks themselves, so no caller keeps a list of names."""
    out = []
    for name in CHECK_NAMES:
        try:
            if getattr(check_class(name), "closeup", False):
                out.append(name)
        except CheckUnavailable:
            continue
    return tuple(out)
