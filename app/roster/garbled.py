"""乱码: text that was decoded with the wrong code page somewhere between the school's system and us.

The notice (附件2) says the roster's fields must not contain "乱码". A garbled
name would print on the sign-in sheets, the proof sheets and the prints, so the
roster check reports it as an error (code ``garbled``) on any field. What is
recognised, each by a round trip that must give back plausible text, so real
names stay clean:

- the replacement character U+FFFD and private-use characters (U+E000–U+F8FF,
  planes 15 and 16): a converter that gave up;
- 锟斤拷 / 烫烫烫 / 屯屯屯: U+FFFD (or uninitialised memory) seen through GBK;
- UTF-8 read as cp1252 or Latin-1 (王芳 → çŽ‹èŠ³): the text encodes to bytes
  that are valid UTF-8 with characters beyond ASCII;
- GBK read as Latin-1 / cp1252 (王明 → ÍõÃ÷): every character is Latin-1 beyond ASCII, and
  the bytes read as GBK are all Chinese;
- UTF-8 read as GBK (李四 → 鏉庡洓): the GBK bytes of the text are valid UTF-8
  and read so they are all Chinese and shorter.

A real Chinese name, a minority name with "·" (买买提·艾力), and an ASCII
or accented Latin name (José, Zoë) give no finding: GBK bytes of real names
are almost never valid UTF-8 that reads as Chinese, and a Latin name's bytes
are not valid UTF-8 or do not read as Chinese.
"""

from __future__ import annotations

import re

# Known GBK renderings of U+FFFD (EF BF BD) and of 0xCC / 0xCD fill bytes.
_FILLERS = ("锟斤拷", "烫烫烫", "屯屯屯", "锘")
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_CJK_ONLY = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•．.\s()（）0-9A-Za-z\-]*$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")
_LATIN1_ONLY = re.compile(r"^[\x00-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]*$")


def _utf8_lead_as_gbk() -> frozenset[str]:
    """The characters a GBK reader makes of a UTF-8 lead byte (E3–EF) and its first continuation byte."""
    out = set()
    for a in range(0xE3, 0xF0):
        for b in range(0x80, 0xC0):
            try:
                out.add(bytes((a, b)).decode("gbk"))
            except UnicodeDecodeError:
                pass
    return frozenset(out)


_GBK_OF_UTF8_LEAD = _utf8_lead_as_gbk()


def _mostly_cjk(text: str) -> bool:
    """Chinese text (with the separators and codes a field may hold), at least one Chinese character."""
    return bool(_CJK.search(text)) and bool(_CJK_ONLY.match(text))


def _bytes_latin(text: str) -> bytes | None:
    """The bytes a cp1252 / Latin-1 reader turned into ``text`` (None: it could not have)."""
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if o < 0x100:
            out.append(o)
            continue
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            return None
    return bytes(out)


def garbled_reason(text: str) -> str | None:
    """Why ``text`` looks garbled (a short Chinese phrase with the probable original), or None."""
    if not text or not _NON_ASCII.search(text):
        return None
    if "\ufffd" in text:
        return "含有替换字符 �(转换编码时丢失的字符)"
    if _PRIVATE.search(text):
        return "含有私用区字符(字库外的符号,打印不出来)"
    for f in _FILLERS[:3]:
        if f in text:
            return f"含有“{f}”(编码转换失败留下的乱码)"
    if text.startswith("锘"):  # a UTF-8 byte-order mark read as GBK
        return "开头是“锘”(UTF-8 标记被当作 GBK 读入)"
    raw = _bytes_latin(text) if _LATIN1_ONLY.match(text) else None
    # GBK bytes of Chinese come in pairs of high bytes: every run of them is even (Ñoño is not).
    gbk_shape = raw is not None and all(len(run) % 2 == 0 for run in _HIGH_RUNS.findall(raw))
    if raw is not None and _NON_ASCII.search(text):
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            fixed = None
        if fixed is not None and fixed != text and _NON_ASCII.search(fixed):
            return f"像是 UTF-8 被当作西文编码读入(原文可能是“{fixed}”)"
        try:
            fixed = raw.decode("gbk")
        except UnicodeDecodeError:
            fixed = None
        if fixed is not None and fixed != text and _mostly_cjk(fixed) and gbk_shape:
            return f"像是 GBK 被当作西文编码读入(原文可能是“{fixed}”)"
    first = _NON_ASCII.search(text)
    if first and first.group() in _GBK_OF_UTF8_LEAD:  # cheap test before the round trip
        try:
            fixed = text.encode("gbk").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            fixed = None
        if fixed is not None and fixed != text and _mostly_cjk(fixed) and len(fixed) < len(text):
            return f"像是 UTF-8 被当作 GBK 读入(原文可能是“{fixed}”)"
    return None


def garbled_indices(values: list[str]) -> list[tuple[int, str]]:
    """(index, reason) of every garbled cell of a column; ASCII cells are skipped without a look."""
    out = []
    seen: dict[str, str | None] = {}  # a class or college name repeats on every row of the class
    for i, v in enumerate(values):
        if v and not v.isascii():
            why = seen[v] if v in seen else seen.setdefault(v, garbled_reason(v))
            if why:
                out.append((i, why))
    return out
