"""Masking of personal data wherever a marshal, a phone or a screen-share can see it."""

from __future__ import annotations


def mask_id(value: str | None) -> str:
    """3210**********593X: the first four and last four characters stay."""
    if not value:
        return ""
    v = str(value)
    if len(v) <= 8:
        return v[:2] + "*" * max(len(v) - 2, 0)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def short_name(name: str | None) -> str:
    """张*明 for 张三明, 张* for 张三, 欧阳** for four characters."""
    if not name:
        return ""
    n = str(name)
    if len(n) == 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    if len(n) == 3:
        return n[0] + "*" + n[-1]
    # Latin names (with spaces) and long names: keep the first two and last character.
    return n[:2] + "*" * (len(n) - 3) + n[-1]
