"""Property tests: random junk never crashes cleaning or validation, and no value
is ever stored different from what was read without a finding that says so."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.roster import clean
from app.roster.clean import CODE, NAME, TEXT, clean_text
from app.roster.fields import FIELDS
from app.roster.findings import CODES
from app.roster.reader import RawTable
from app.roster.validate import validate

# Characters real rosters carry, and the troublemakers.
_ALPHABET = st.sampled_from(
    list("0123456789Xx张三李四王五欧阳单男女 .-·()（）")
    + ["\u200b", "\u200d", "\ufeff", "\u00a0", "\u3000", "\t", "\n", "\r", "\x00", "\x1f", "\u202e", "\u00ad",
       "１", "２", "Ｘ", "ａ", "\ufffd", "?", "\U000e0041", "\u2003", "E", "+", "e", "\ue000", "|", "\u3164"]
)  # fmt: skip
junk_text = st.text(alphabet=_ALPHABET, max_size=22) | st.text(max_size=12)
cell = (
    junk_text
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**19), max_value=10**19)
    | st.booleans()
    | st.dates()
    | st.datetimes()
    | st.just("")
)


@given(junk_text, st.sampled_from([CODE, NAME, TEXT]))
def test_clean_text_reports_every_change(s, kind):
    out, codes = clean_text(s, kind)
    assert (out != s) == bool(codes)
    assert set(codes) <= set(CODES)
    # Idempotent: cleaning clean text changes nothing.
    assert clean_text(out, kind) == (out, [])
    # The fast column check never lets a cell that would change slip through.
    if out != s:
        assert clean.dirty_indices([s], clean.dirty_patterns(kind)) == [0]


def _raw(rows: list[list]) -> RawTable:
    cols = {f: [r[k] for r in rows] for k, f in enumerate(FIELDS)}
    return RawTable(path=Path("junk.xlsx"), sheet="S", header_row=1, columns=cols, rownos=list(range(2, 2 + len(rows))))


def _as_read(v) -> str:
    """The text a cell holds before cleaning, for comparing with what is stored."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return clean.excel_number_text(v) if v == v and abs(v) != float("inf") else str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=9, max_size=9), min_size=1, max_size=6))
def test_validation_never_crashes_and_never_changes_silently(rows):
    checked = validate(_raw(rows))
    assert checked.n == len(rows)
    changed_cells = {(f.index, f.field) for f in checked.findings if f.index is not None}
    column_level = {f.field for f in checked.findings if f.index is None}
    for i, r in enumerate(rows):
        for k, fld in enumerate(FIELDS):
            stored = checked.values[fld][i]
            assert isinstance(stored, str)
            if stored != _as_read(r[k]) and not (stored == "" and r[k] == ""):
                # A year typed as a number is reported once for the column.
                assert (i, fld) in changed_cells or fld in column_level, (fld, r[k], stored)
    for f in checked.findings:
        assert f.code in CODES and f.severity == CODES[f.code][0] and f.message
        assert f.field in (*FIELDS, "Xymc")


def test_hidden_character_class_covers_unicode_format_and_control_characters():
    """Every Cc/Cf character (and every odd space) is taken out by the cleaning."""
    missed = []
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf") or (cat in ("Zs", "Zl", "Zp") and ch not in (" ", "\u3000")):
            out, codes = clean_text("a" + ch + "b", TEXT)
            if ch in out or "hidden_chars" not in codes:
                missed.append(hex(cp))
    assert missed == []


@given(st.lists(junk_text, max_size=8), st.sampled_from([CODE, NAME, TEXT]), st.sampled_from(["", "x.eE+", "."]))
def test_column_scan_finds_exactly_the_dirty_cells(values, kind, extra):
    """The one-pass column scan (gate + joined pattern) agrees with checking cell by cell."""
    patterns = clean.dirty_patterns(kind, extra)
    expected = [i for i, v in enumerate(values) if patterns[1].search(v)]
    assert clean.dirty_indices(values, patterns, kind, extra) == expected
    assert clean.dirty_indices(values, patterns) == expected
