"""Pinyin initials of names for search-as-you-type: 张三明 → zsm.

pypinyin gives each character's most common reading. Surnames are the
exception that matters: 单 is Shàn, 曾 Zēng, 解 Xiè, 区 Ōu as a surname, so the
first character (or a compound surname such as 尉迟 Yùchí) is looked up in a
table of surname readings first. Latin names contribute the first letter of
each word (John Smith → js); digits and punctuation (the middle dot of
阿依古丽·买买提) are skipped.

The characters' readings come from pypinyin's own table (``pinyin_dict.json``),
read without importing the rest of the package, which a 50,000-row import
would otherwise wait 0.15 s for; the result is the same as
``lazy_pinyin(ch, style=Style.FIRST_LETTER)`` (a test checks it).
"""

from __future__ import annotations

import re
import threading

from app.roster.clean import SEP, matching_indices

# First letters of characters as surnames. For many the surname reading is not
# the character's most common one (单 dān, but the surname is Shàn); the others
# are listed so a change in pypinyin's ordering cannot move them.
SURNAME_INITIAL: dict[str, str] = {
    "单": "s",  # Shàn
    "解": "x",  # Xiè
    "曾": "z",  # Zēng
    "查": "z",  # Zhā
    "仇": "q",  # Qiú
    "区": "o",  # Ōu
    "乐": "y",  # Yuè
    "翟": "z",  # Zhái
    "覃": "q",  # Qín
    "种": "c",  # Chóng
    "秘": "b",  # Bì
    "召": "s",  # Shào
    "折": "s",  # Shé
    "繁": "p",  # Pó
    "祭": "z",  # Zhài
    "句": "g",  # Gōu
    "蕃": "p",  # Pí
    "隗": "w",  # Wěi
    "粘": "n",  # Nián
    "藏": "z",  # Zàng
    "乜": "n",  # Niè
    "便": "p",  # Pián
    "炅": "g",  # Guì
    "重": "c",  # Chóng
    "长": "c",  # Cháng
    "朴": "p",  # Piáo
    "缪": "m",  # Miào
    "盖": "g",  # Gě
    "员": "y",  # Yùn
    "沈": "s",  # Shěn
    "莘": "s",  # Shēn
    "褚": "c",  # Chǔ
    "宿": "s",  # Sù
    "石": "s",  # Shí
    "贾": "j",  # Jiǎ
    "冯": "f",  # Féng
}
COMPOUND_SURNAME_INITIALS: dict[str, str] = {
    "尉迟": "yc",
    "万俟": "mq",
    "长孙": "zs",
    "单于": "cy",
    "澹台": "tt",
    "令狐": "lh",
    "欧阳": "oy",
    "上官": "sg",
    "司马": "sm",
    "诸葛": "zg",
    "皇甫": "hf",
    "东方": "df",
    "夏侯": "xh",
    "公孙": "gs",
    "慕容": "mr",
    "宇文": "yw",
    "司徒": "st",
    "司空": "sk",
    "呼延": "hy",
    "端木": "dm",
    "南宫": "ng",
    "钟离": "zl",
    "轩辕": "xy",
    "独孤": "dg",
    "太史": "ts",
    "闻人": "wr",
    "百里": "bl",
}

_lock = threading.Lock()
_cache: dict[str, str] = {}
_readings: dict[str, str] | None = None


def _load_readings() -> dict[str, str] | None:
    """pypinyin's table of readings ("20013" -> "zhōng,zhòng"), most common first.

    Importing the ``pypinyin`` package also builds its phrase dictionary
    (about 0.15 s), and its ``pinyin_dict`` module turns all 41,000 keys into
    integers; single characters only need the table's JSON, decoded here as it
    is (about 0.02 s). None if that fails: the public API is used instead.
    """
    global _readings
    with _lock:
        if _readings is None:
            try:
                import importlib.util
                import json
                import os

                spec = importlib.util.find_spec("pypinyin")
                path = os.path.join(spec.submodule_search_locations[0], "pinyin_dict.json")
                with open(path, encoding="utf-8") as fh:
                    _readings = json.load(fh)
            except Exception:  # a future pypinyin may store it differently: use the API
                _readings = {}
    return _readings or None


def preload() -> None:
    """Load the readings table now (otherwise the first name that needs it does).

    A thread was tried for overlapping this with reading the workbook: on the
    shared 2-core machine it made imports slower, not faster.
    """
    _load_readings()


def _first_letter(reading: str) -> str:
    import unicodedata

    ch = unicodedata.normalize("NFD", reading[:1])[:1].lower()  # ā -> a
    return ch if "a" <= ch <= "z" else ""


def _fill(chars: set[str]) -> None:
    todo = sorted(chars - _cache.keys())
    if not todo:
        return
    table = _load_readings()
    if table is not None:
        for ch in todo:
            r = table.get(str(ord(ch)))
            _cache[ch] = _first_letter(r) if r else ""
        return
    from pypinyin import Style, lazy_pinyin

    # A list is taken as pre-segmented words, so no phrase reading leaks
    # from one character into its neighbour.
    letters = lazy_pinyin(todo, style=Style.FIRST_LETTER, errors=lambda s: [""] * len(s))
    for ch, letter in zip(todo, letters):
        _cache[ch] = _first_letter(letter)


_LATIN_RX = re.compile("[A-Za-z]")


def _rows_with_latin(names: list[str]) -> set[int]:
    joined = SEP.join(names)
    if not _LATIN_RX.search(joined):
        return set()
    if joined.count(SEP) != len(names) - 1:
        return {i for i, n in enumerate(names) if _LATIN_RX.search(n)}
    return set(matching_indices(names, _LATIN_RX, joined))


def _is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def initials_many(names: list[str]) -> list[str]:
    """Initials of many names at once (the import's fast path)."""
    missing = set("".join(names)) - _cache.keys()
    if missing:
        cjk = {c for c in missing if ord(c) >= 0x2E80}
        if cjk:
            _fill(cjk)
        for c in missing - cjk:
            _cache[c] = ""  # Latin letters are handled word by word in _mixed
    latin = _rows_with_latin(names)
    get = _cache.__getitem__
    compound = COMPOUND_SURNAME_INITIALS
    surname = SURNAME_INITIAL
    given: dict[str, str] = {}  # given names repeat a lot: join each one once
    out = []
    for i, n in enumerate(names):
        if not n:
            out.append("")
        elif i in latin:
            out.append(_mixed(n))
        else:
            head = compound.get(n[:2])
            if head is None:
                head = surname.get(n[0]) or get(n[0])
                rest = n[1:]
            else:
                rest = n[2:]
            tail = given.get(rest)
            if tail is None:
                tail = given[rest] = "".join(map(get, rest))
            out.append(head + tail)
    return out


def _mixed(name: str) -> str:
    out = []
    prev_latin = False
    for ch in name:
        latin = _is_latin(ch)
        if latin:
            if not prev_latin:
                out.append(ch.lower())
        elif ord(ch) >= 0x2E80:
            if ch not in _cache:
                _fill({ch})
            out.append(_cache.get(ch, ""))
        prev_latin = latin
    return "".join(out)


def initials(name: str) -> str:
    """张三明 → zsm; 单田芳 → stf; 欧阳娜娜 → oynn; John Smith → js."""
    return initials_many([name])[0]
