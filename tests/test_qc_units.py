"""The photo checks stay independent units (issue 17, "checks as units").

- a check module never imports another module of ``qc/checks/`` (what two checks need, such as the
  canonical face view, the spectacle rims, the hair cues or the skin mask, is shared evidence made
  once in ``qc/analysis.py`` / ``qc/evidence.py``);
- the checker and the shared analysis never name a check: the registry and the profile drive them
  (a check says what it needs through its class attributes);
- a check's thresholds live in the profile: no float literal in a comparison and no module-level
  float constant (a region, a size) in a check module; no whole number compared against (a hue range,
  a minimum sample count) and no number as a tuning factor or offset in arithmetic or in a
  ``min``/``max``/``clip`` bound (``0.06 * SCALE``, ``L + 20``, ``max(s, 0.02)``), beyond the structural
  values of ``STRUCTURAL`` and ``PLAIN``;
- a check never writes onto the shared analysis: after every check has run, the analysis holds
  nothing but its own lazily made members.

The first three are source rules (each has a self-test on a planted offender); the last runs the
checks on a real portrait.
"""

from __future__ import annotations

import ast
from functools import cached_property
from pathlib import Path

import pytest

from qc.analysis import FaceAnalysis
from qc.checks import CHECK_NAMES

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "qc" / "checks"
# modules of the engine that must be blind to check names
ENGINE = ("qc/checker.py", "qc/analysis.py", "qc/evidence.py", "qc/face_view.py", "qc/crop.py", "qc/closeup.py",
          "qc/decode.py")  # (qc/detectors.py names its models, one of them "pose")
# literals a comparison may use without being a threshold: zero, one, a half, and epsilons
PLAIN = {0.0, 1.0, -1.0, 0.5, 2.0}
# whole numbers that are structure, not tuning: 0/1/2 (counts, indices, halves and doubles, a ring's padding),
# -1 (an index from the end, the image-left side), the 8-bit maximum and OpenCV's 8-bit Lab offset of a*/b*,
# and a circle's degrees. Array indices (``x[152]``, ``lab[..., 1]``) are subscripts, not compared or scaled.
STRUCTURAL = {0, 1, 2, -1, 255, 128, 360}
# non-whole numbers a formula may use without being a tuning constant: the normal distribution's
# MAD-to-sigma factor
CONSTANTS = {1.4826}
BOUNDS = {"min", "max", "clip", "minimum", "maximum"}  # a literal bound in these is a floor or a cap
MODEL_NAMES = {"pose"}  # a check's name that is also a model's
EPSILON = 1e-3


def check_modules() -> list[Path]:
    return sorted(p for p in CHECKS_DIR.glob("*.py") if p.name != "__init__.py")


def imports_of_checks(text: str) -> list[str]:
    """Imports of the ``qc.checks`` package or any module in it (at any depth of the file)."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level or mod == "qc.checks" or mod.startswith("qc.checks."):
                out.append(f"line {node.lineno}: from {'.' * node.level}{mod} import ...")
        elif isinstance(node, ast.Import):
            out += [f"line {node.lineno}: import {a.name}" for a in node.names
                    if a.name == "qc.checks" or a.name.startswith("qc.checks.")]
    return out


def named_checks(text: str) -> list[str]:
    """String literals (docstrings aside) that are a check's name. ``pose`` is also mediapipe's body-pose
    model, which the engine loads and times by that name: that one counts only where it is compared."""
    tree = ast.parse(text)
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
    compared = {id(c) for n in ast.walk(tree) if isinstance(n, ast.Compare) for c in (n.left, *n.comparators)}
    return [f"line {n.lineno}: {n.value!r}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
            and n.value in CHECK_NAMES and (n.value not in MODEL_NAMES or id(n) in compared)]


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _number(node.operand)
        return None if v is None else -v
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        return node.value
    return None


def thresholds_in_code(text: str) -> list[str]:
    """Float literals compared against (``x < 0.2``) and module-level float constants (``ROI = (...)``)."""
    tree = ast.parse(text)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                v = _number(side)
                if v is not None and v not in PLAIN and abs(v) >= EPSILON:
                    out.append(f"line {node.lineno}: {ast.unparse(node)}")
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            if any(_number(n) is not None for n in ast.walk(node.value)):
                out.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return out


def _literal(node: ast.AST) -> int | float | None:
    """The value of a (possibly negated) int or float literal, else None (``True``/``False`` are not numbers)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _literal(node.operand)
        return None if v is None else -v
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _tuning_operands(tree: ast.AST):
    """(node, operand, role) for every operand compared against, used in arithmetic (``%`` aside: a
    modulus is structure) or given as a bound to ``min``/``max``/``clip``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            yield from ((node, side, "compared") for side in (node.left, *node.comparators))
        elif isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Mod):
            yield from ((node, side, "factor") for side in (node.left, node.right))
        elif isinstance(node, ast.Call) and _call_name(node) in BOUNDS:
            yield from ((node, arg, "bound") for arg in node.args)


def whole_numbers_in_code(text: str) -> list[str]:
    """Whole-number literals compared against (``H > 65``, ``m.sum() < 10``), or used as a factor, an
    offset or a bound (``L + 20``, ``n // 20000``, ``max(4, k)``), other than the ``STRUCTURAL`` values."""
    return [f"line {node.lineno}: {role} {v!r}: {ast.unparse(node)[:80]}"
            for node, side, role in _tuning_operands(ast.parse(text))
            if isinstance(v := _literal(side), int) and v not in STRUCTURAL]


def factors_in_code(text: str) -> list[str]:
    """Non-whole literals used as a tuning factor, offset or bound (``0.06 * SCALE``, ``s + 0.005``,
    ``max(s, 0.02)``); ``PLAIN`` values, epsilons and ``CONSTANTS`` aside (a comparison with a float is
    ``thresholds_in_code``'s)."""
    return [f"line {node.lineno}: {role} {v!r}: {ast.unparse(node)[:80]}"
            for node, side, role in _tuning_operands(ast.parse(text))
            if role != "compared" and isinstance(v := _literal(side), float)
            and v not in PLAIN and v not in CONSTANTS and v not in STRUCTURAL and abs(v) >= EPSILON]


def writes_onto_shared(text: str) -> list[str]:
    """``__dict__`` or ``setattr`` (the ways a check could leave a cache on the analysis or the view),
    or an item stored into something's ``.cache``."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            out.append(f"line {node.lineno}: __dict__")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            out.append(f"line {node.lineno}: setattr")
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and t.value.attr == "cache":
                    out.append(f"line {node.lineno}: {ast.unparse(t)} = ...")
    return out


# -- the rules on today's code -------------------------------------------------------------------
def test_a_check_imports_no_other_check():
    found = {p.name: imports_of_checks(p.read_text(encoding="utf-8")) for p in check_modules()}
    assert {k: v for k, v in found.items() if v} == {}


def test_the_engine_names_no_check():
    found = {f: named_checks((ROOT / f).read_text(encoding="utf-8")) for f in ENGINE}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_threshold_in_a_check_module():
    found = {p.name: thresholds_in_code(p.read_text(encoding="utf-8")) for p in check_modules()}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_whole_number_threshold_in_a_check_module():
    found = {p.name: whole_numbers_in_code(p.read_text(encoding="utf-8")) for p in check_modules()}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_inline_tuning_factor_in_a_check_module():
    found = {p.name: factors_in_code(p.read_text(encoding="utf-8")) for p in check_modules()}
    assert {k: v for k, v in found.items() if v} == {}


def keys_read(text: str) -> set[str]:
    """The profile keys a check module reads: ``p["key"]`` and ``self.params["key"]``."""
    keys = set()
    for n in ast.walk(ast.parse(text)):
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str):
            v = n.value
            if (isinstance(v, ast.Name) and v.id == "p") or (isinstance(v, ast.Attribute) and v.attr == "params"):
                keys.add(n.slice.value)
    return keys


def test_every_key_a_check_reads_is_in_its_default_section():
    """The thresholds moved out of the code are in the profile (a key missing there would make the check
    an error on every photo), so the profile's strict validation covers them."""
    from qc.profile import load_profile

    profile = load_profile()
    missing = {p.stem: sorted(keys_read(p.read_text(encoding="utf-8")) - set(profile.section(p.stem)))
               for p in check_modules()}
    assert {k: v for k, v in missing.items() if v} == {}
    assert {"gold_hue", "max_samples"} <= keys_read((CHECKS_DIR / "jewelry.py").read_text(encoding="utf-8")) | \
        keys_read((CHECKS_DIR / "white_top.py").read_text(encoding="utf-8"))


def test_no_check_writes_onto_the_shared_analysis():
    found = {p.name: writes_onto_shared(p.read_text(encoding="utf-8")) for p in check_modules()}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_check_module_is_in_the_registry():
    names = {p.stem for p in check_modules()}
    assert names == set(CHECK_NAMES), "qc/checks/ holds the checks and nothing else (shared code lives in qc/)"


# -- the rules catch what they are for ------------------------------------------------------------
@pytest.mark.parametrize(("rule", "planted"), [
    (imports_of_checks, "from qc.checks.glasses import best_path\n"),
    (imports_of_checks, "def f():\n    from qc.checks import _learned\n"),
    (imports_of_checks, "import qc.checks.exposure\n"),
    (imports_of_checks, "from . import glasses\n"),
    (named_checks, 'def f(name):\n    if name == "glasses":\n        return 1\n'),
    (named_checks, 'WANTS = ("framing", "background")\n'),
    (named_checks, 'def f(n):\n    return n == "pose"\n'),
    (thresholds_in_code, "def f(mask):\n    return mask < 0.2\n"),
    (thresholds_in_code, "def f(x):\n    return -0.9 < x\n"),
    (thresholds_in_code, "ROI = (-1.3, 1.3, -0.65, 0.75)\n"),
    (whole_numbers_in_code, "def f(H):\n    return (H > 65) & (H < 100)\n"),
    (whole_numbers_in_code, "def f(hue):\n    return 65 < hue < 100\n"),
    (whole_numbers_in_code, "def f(m):\n    if m.sum() < 10:\n        return None\n"),
    (whole_numbers_in_code, "def f(L, skin):\n    return L < skin - 35\n"),
    (whole_numbers_in_code, "def f(ys):\n    return len(ys) // 20000 + 1\n"),
    (whole_numbers_in_code, "def f(a, b):\n    return a / (640 * 480)\n"),
    (whole_numbers_in_code, "def f(k):\n    return max(4, k)\n"),
    (whole_numbers_in_code, "def f(x):\n    return x > -5\n"),
    (factors_in_code, "def f():\n    return 0.06 * SCALE\n"),
    (factors_in_code, "def f(s):\n    return max(s, 0.02)\n"),
    (factors_in_code, "def f(lum):\n    return lum + 20.0\n"),
    (factors_in_code, "def f(x):\n    return np.clip(x, -0.3, 0.3)\n"),
    (writes_onto_shared, 'def f(a):\n    a.__dict__.setdefault("_cache", {})\n'),
    (writes_onto_shared, 'def f(face):\n    face.cache["glasses"] = 1\n'),
    (writes_onto_shared, 'def f(a):\n    setattr(a, "x", 1)\n'),
])
def test_each_rule_finds_a_planted_offender(rule, planted):
    assert rule(planted)


@pytest.mark.parametrize(("rule", "fine"), [
    (imports_of_checks, "from qc.evidence import best_path\nfrom qc.base import Check\n"),
    (named_checks, '"""The glasses check."""\nX = "glasses_rim"\n'),
    (named_checks, 'def f(models):\n    return models.get("pose")\n'),
    (thresholds_in_code, 'def f(x, p):\n    return x < float(p["fail_at"]) and x > 0.0 and x <= 1e-6\n'),
    (whole_numbers_in_code, 'def f(x, lab, st, p):\n    y = (lab[..., 1] - 128) % 360\n'
                            '    return x[152] < int(p["min_rows"]) and st == 2 and x <= 255 and max(1, y) != -1\n'),
    (whole_numbers_in_code, "def f(a):\n    return a is True or a == False\n"),
    (whole_numbers_in_code, "TRAGUS = {-1: 234, 1: 454}\nIDX = [33, 263]\n"),
    (factors_in_code, 'def f(s, med, p):\n    return max(s * 1.4826, 1e-6) * 0.5 + 2.0 * float(p["gain"]) - med / 255.0\n'),
    (writes_onto_shared, "def f(a):\n    m = a.evidence.rims\n    return m\n"),
])
def test_the_rules_leave_plain_code_alone(rule, fine):
    assert rule(fine) == []


# -- the checks at work ---------------------------------------------------------------------------
def _own_members() -> set[str]:
    """What a FaceAnalysis may fill by itself: its lazily computed members."""
    own = set()
    for klass in FaceAnalysis.__mro__:
        own |= {k for k, v in vars(klass).items() if isinstance(v, cached_property)}
    return own | {"_skin_small", "_head_views"}  # its own memos (skin_mask, head_view)


def test_the_checks_leave_only_the_analysis_own_members(checker, grace_hopper_path):
    """Every check runs on a real portrait; afterwards the analysis holds its own fields and lazily made
    members, and the shared evidence was made once (the same view object for every check)."""
    analysis = checker.analyse_path(grace_hopper_path)
    assert analysis.has_face
    fields = set(vars(analysis))
    view = analysis.evidence.view
    for name, check in checker.checks.items():
        result = check.run(analysis)
        assert result.verdict in ("pass", "warn", "fail", "error"), name
    added = set(vars(analysis)) - fields
    assert added <= _own_members(), added - _own_members()
    assert analysis.evidence.view is view
    assert set(vars(analysis.evidence)) <= {"_analysis", "params", "view", "lines", "rims", "hair"}


def test_the_checker_is_driven_by_what_checks_declare(checker):
    """Which checks need the person mask and which ask for the close-up comes from the checks themselves."""
    wants_mask = {n for n, c in checker.checks.items() if c.needs_person_mask}
    closeup = {n for n, c in checker.checks.items() if c.closeup}
    assert wants_mask == {"framing", "background", "white_top"}
    assert closeup == {"ears_visible", "eyebrows_visible", "glasses", "jewelry"}
    assert checker._wants_mask


def test_the_closeup_list_is_asked_of_the_checks_not_kept_by_the_station():
    """app/ keeps no list of check names for the close-up: it asks each check (``closeup = True``)."""
    import ast as _ast
    from pathlib import Path as _Path

    from app.qc_review import CLOSEUP_CHECKS
    from qc.checks import CHECK_NAMES, check_class

    assert set(CLOSEUP_CHECKS) == {n for n in CHECK_NAMES if getattr(check_class(n), "closeup", False)}
    assert {"glasses", "eyebrows_visible", "ears_visible", "jewelry"} <= set(CLOSEUP_CHECKS)
    src = (_Path(__file__).resolve().parents[1] / "app" / "qc_review.py").read_text(encoding="utf-8")
    named = [n.value for n in _ast.walk(_ast.parse(src)) if isinstance(n, _ast.Constant) and n.value in CHECK_NAMES]
    assert named == []
