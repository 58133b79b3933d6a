"""Cleaning roster cells: turn what Excel stored into the text the school meant.

Every change is reported: a cleaning function returns the new text and the
codes of the changes it made (``hidden_chars``, ``fullwidth``, ``spaces``,
``lowercase_x``, ``stored_as_number``, ...). A value is never altered without
one of those codes, which is what the property tests check.

The common case is a clean cell, so columns are checked in one regular
expression pass over the whole column (:func:`dirty_indices`) and only the few
dirty cells take the slow path.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

# Invisible characters that are removed: control characters (Cc) and format
# characters (Cf: zero-width spaces and joiners, bidi marks, BOM, soft hyphen,
# tags) as listed by Unicode 14, plus the invisible Hangul fillers.
_HIDDEN_BMP_CLASS = (
    "\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
    "\ufeff\ufff9-\ufffb\uffa0"
)
_HIDDEN_ASTRAL_CLASS = (
    "\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_HIDDEN_REMOVE_CLASS = _HIDDEN_BMP_CLASS + _HIDDEN_ASTRAL_CLASS
# Unusual spaces (no-break, en/em/thin spaces, line separators): become a plain
# space, then the field's space rule applies.
_HIDDEN_SPACE_CLASS = "\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
# Full-width digits and Latin letters, and the ideographic (full-width) space.
_FULLWIDTH_CLASS = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000"

_HIDDEN_SPACES = "\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f"

HIDDEN_REMOVE_RE = re.compile(f"[{_HIDDEN_REMOVE_CLASS}]")
HIDDEN_SPACE_RE = re.compile(f"[{_HIDDEN_SPACE_CLASS}]")
HIDDEN_RE = re.compile(f"[{_HIDDEN_REMOVE_CLASS}{_HIDDEN_SPACE_CLASS}]")
FULLWIDTH_RE = re.compile(f"[{_FULLWIDTH_CLASS}]")

_FW_TABLE = {o: o - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for o in range(r[0], r[1] + 1)}
_FW_TABLE[0x3000] = 0x20

# Separator used to join a column into one string for the fast check; it is a
# private-use character, which no cleaning step touches.
SEP = "\ue000"

# How spaces are treated, per field kind.
CODE = "code"  # Bynd, Xh, Sfzh, Ksh, Xb: no space belongs in them
NAME = "name"  # Xm: a Chinese name has no spaces; a Latin name single ones
TEXT = "text"  # school, major, class, college: only leading/trailing spaces go

_ANY = f"{_HIDDEN_REMOVE_CLASS}{_HIDDEN_SPACE_CLASS}{_FULLWIDTH_CLASS}"


def dirty_patterns(kind: str, extra: str = "") -> tuple[re.Pattern, re.Pattern]:
    """(pattern over a SEP-joined column, pattern for one cell) that match any
    cell the cleaning of ``kind`` could change; ``extra`` adds characters that a
    field-specific rule looks at (e.g. a lower-case x in ID numbers)."""
    if kind == TEXT:
        # Lookarounds keep every match inside one cell (see matching_indices).
        joined = f"[{_ANY}{extra}]|(?:^|(?<={SEP})) | (?=(?:{SEP}|$))"
        cell = f"[{_ANY}{extra}]|^ | $"
    else:
        joined = cell = f"[{_ANY}{extra} ]"
    return re.compile(joined), re.compile(cell)


_DIRTY = {k: dirty_patterns(k) for k in (CODE, NAME, TEXT)}

_MULTISPACE = re.compile(" {2,}")
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN = re.compile("[A-Za-z]")


def clean_text(s: str, kind: str) -> tuple[str, list[str]]:
    """Remove hidden characters, convert full-width, handle spaces.

    Returns the cleaned text and the codes of what changed (empty: unchanged).
    """
    codes: list[str] = []
    t = s
    if HIDDEN_RE.search(t):
        t2 = HIDDEN_REMOVE_RE.sub("", t)
        if kind == CODE:
            t2 = HIDDEN_SPACE_RE.sub("", t2)
        else:
            # At the edges they go; between words they become a plain space.
            t2 = HIDDEN_SPACE_RE.sub(" ", t2.strip(_HIDDEN_SPACES))
        if t2 != t:
            codes.append("hidden_chars")
            t = t2
    if FULLWIDTH_RE.search(t):
        t2 = t.translate(_FW_TABLE)
        if t2 != t:
            codes.append("fullwidth")
            t = t2
    if " " in t:
        if kind == CODE:
            t2 = t.replace(" ", "")
        elif kind == NAME:
            t2 = t.strip(" ")
            if _CJK.search(t2) and not _LATIN.search(t2):
                t2 = t2.replace(" ", "")  # 张  三: padding to align two-character names
            else:
                t2 = _MULTISPACE.sub(" ", t2)
        else:
            t2 = t.strip(" ")
        if t2 != t:
            codes.append("spaces")
            t = t2
    return t, codes


def matching_indices(values: list[str], rx: re.Pattern, joined: str | None = None) -> list[int]:
    """Indices of the cells in which ``rx`` matches, from one scan of the joined column.

    ``rx`` must only match characters inside a cell (never SEP itself).
    """
    if joined is None:
        joined = SEP.join(values)
    found: list[int] = []
    index = prev = 0
    for m in rx.finditer(joined):
        p = m.start()
        index += joined.count(SEP, prev, p)  # separators passed since the last match
        prev = p
        if not found or found[-1] != index:
            found.append(index)
    return found


_GATE_SEP = "|"
# Full-width digits and letters, and the invisible Hangul fillers (letters to Unicode, so printable).
_GATE_FULLWIDTH = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u115f\u1160\u3164\uffa0"
_GATES: dict[tuple[str, str], re.Pattern] = {}


def _column_clean(joined: str, kind: str, extra: str) -> bool:
    """A C-speed gate: True when no cell of the column can need cleaning.

    ``joined`` is the column joined with ``_GATE_SEP``. ``isprintable`` is
    False for every control, format and odd space character (Unicode Cc, Cf,
    Z* except the ASCII space); a small class finds full-width digits and
    letters and the field's extra characters. Much faster than the full
    pattern, which only the rare dirty column then runs.
    """
    if not joined.isprintable():
        return False
    rx = _GATES.get((kind, extra))
    if rx is None:
        rx = _GATES[(kind, extra)] = re.compile(f"[{_GATE_FULLWIDTH}{re.escape(extra)}]")
    if rx.search(joined):
        return False
    if kind == TEXT:
        g = _GATE_SEP
        return not (joined.startswith(" ") or joined.endswith(" ") or (" " + g) in joined or (g + " ") in joined)
    return " " not in joined


# Character classes beyond the Basic Multilingual Plane make a pattern scan
# about three times slower, so a column scan uses the BMP class and looks for
# the rare astral format characters only in a column that can contain them.
_ASTRAL_RX = re.compile(f"[{_HIDDEN_ASTRAL_CLASS}]")
_SPACE_RX = re.compile(" ")
_BMP_RX: dict[tuple[str, str], re.Pattern] = {}


def _joined_dirty(values: list[str], joined: str, kind: str, extra: str) -> list[int]:
    rx = _BMP_RX.get((kind, extra))
    if rx is None:
        space = "" if kind == TEXT else " "
        rx = _BMP_RX[(kind, extra)] = re.compile(
            f"[{_HIDDEN_BMP_CLASS}{_HIDDEN_SPACE_CLASS}{_FULLWIDTH_CLASS}{re.escape(extra)}{space}]"
        )
    found = set(matching_indices(values, rx, joined))
    # A str holding any character beyond U+FFFF stores 4 bytes per character.
    if sys.getsizeof(joined) >= 4 * len(joined):
        found.update(matching_indices(values, _ASTRAL_RX, joined))
    if kind == TEXT and " " in joined:
        last = len(joined) - 1
        edges = [
            p
            for p in (m.start() for m in _SPACE_RX.finditer(joined))
            if p == 0 or p == last or joined[p - 1] == SEP or joined[p + 1] == SEP
        ]
        if edges:
            found.update(_indices_at(joined, edges))
    return sorted(found)


def _indices_at(joined: str, positions: list[int]) -> list[int]:
    out = []
    index = prev = 0
    for p in positions:
        index += joined.count(SEP, prev, p)
        prev = p
        out.append(index)
    return out


def dirty_indices(values: list, patterns: tuple[re.Pattern, re.Pattern], kind: str | None = None, extra: str = "") -> list[int] | None:
    """Indices of cells that need the slow path; None when some are not text.

    With ``kind`` (and the field's ``extra`` characters) the column is first
    checked by a C-speed gate and then scanned with fast patterns; without it,
    ``patterns[0]`` (from :func:`dirty_patterns`) scans the joined column.
    """
    try:
        if kind is not None and _column_clean(_GATE_SEP.join(values), kind, extra):
            return []
        joined = SEP.join(values)
    except TypeError:
        return None
    if joined.count(SEP) != len(values) - 1:  # the separator itself occurs in a cell
        return [i for i, v in enumerate(values) if patterns[1].search(v)]
    if kind is not None:
        return _joined_dirty(values, joined, kind, extra)
    return matching_indices(values, patterns[0], joined)


def is_dirty(value: str, kind: str) -> bool:
    return _DIRTY[kind][1].search(value) is not None


# --- values that Excel stored as something other than text ----------------------


def excel_number_text(v: float) -> str:
    """The digits Excel shows for a number: 15 significant digits."""
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    d = Decimal(format(v, ".15g"))
    if d == d.to_integral_value():
        return str(int(d))
    return format(d, "f")


def non_text_to_text(v: object) -> tuple[str, str | None]:
    """A number, date or boolean cell as text, and the warning code for it."""
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE"), "stored_as_number"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return str(v), "stored_as_number"
        return excel_number_text(float(v)) if isinstance(v, float) else str(v), "stored_as_number"
    if isinstance(v, datetime):
        if v.time() == time(0):
            return v.date().isoformat(), "stored_as_date"
        return v.isoformat(sep=" "), "stored_as_date"
    if isinstance(v, (date, time)):
        return v.isoformat(), "stored_as_date"
    if isinstance(v, timedelta):
        return str(v), "stored_as_date"
    return str(v), None


_SCI = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+]?\d+$")
_DOT_ZERO = re.compile(r"^(\d+)\.0+$")


def sci_to_digits(s: str) -> str | None:
    """'3.21084E+17' -> '321084000000000000' (the digits Excel kept), else None."""
    if not _SCI.match(s):
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    if d != d.to_integral_value() or d < 0:
        return None
    return str(int(d))


def number_text_fix(s: str) -> str | None:
    """'2021004.0' (a number pasted as text) -> '2021004', else None."""
    m = _DOT_ZERO.match(s)
    return m.group(1) if m else None


GENDER_WORDS = {
    "男": "男",
    "女": "女",
    "男性": "男",
    "女性": "女",
    "男生": "男",
    "女生": "女",
    "m": "男",
    "f": "女",
    "male": "男",
    "female": "女",
    # GB/T 2261.1 codes, used by student-record systems.
    "1": "男",
    "2": "女",
}


def normalise_gender(s: str) -> str | None:
    """男/女 for the spellings real rosters use, None for anything else."""
    return GENDER_WORDS.get(s.strip().lower())
