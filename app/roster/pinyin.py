"""Pinyin initials of names for search-as-you-type: 张三明 → zsm.

pypinyin gives each character's most common reading. Surnames are the
exception that matters: 单 is Shàn, 曾 Zēng, 解 Xiè, 区 Ōu as a surname, so the
first character (or a compound surname such as 尉迟 Yùchí) is looked up in a
table of surname readings first. Latin names contribute the first letter of
each word (John Smith → js); digits and punctuation (the middle dot of
阿依古丽·买买提) are skipped.

Importing pypinyin takes about 0.15 s; :func:`preload` starts it on a thread so
it overlaps with reading the workbook.
"""

from __future__ import annotations

import threading

# First letters of surnames whose surname reading differs from pypinyin's first
# (most common) reading of the character.
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
_loader: threading.Thread | None = None


def _load():
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin, Style.FIRST_LETTER


def preload() -> None:
    """Import pypinyin on a background thread (idempotent)."""
    global _loader
    with _lock:
        if _loader is None:
            _loader = threading.Thread(target=_load, name="pypinyin-preload", daemon=True)
            _loader.start()


def _fill(chars: set[str]) -> None:
    lazy_pinyin, first_letter = _load()
    todo = sorted(chars - _cache.keys())
    if not todo:
        return
    # A list is taken as pre-segmented words, so no phrase reading leaks
    # from one character into its neighbour.
    letters = lazy_pinyin(todo, style=first_letter, errors=lambda s: [""] * len(s))
    for ch, letter in zip(todo, letters):
        letter = letter[:1].lower()
        _cache[ch] = letter if "a" <= letter <= "z" else ""


def _is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def initials_many(names: list[str]) -> list[str]:
    """Initials of many names at once (the import's fast path)."""
    chars: set[str] = set()
    for n in names:
        chars.update(n)
    missing = {c for c in chars if c not in _cache and ord(c) >= 0x2E80}
    if missing:
        _fill(missing)
    cache = _cache
    compound = COMPOUND_SURNAME_INITIALS
    surname = SURNAME_INITIAL
    out = []
    for n in names:
        if not n:
            out.append("")
            continue
        if n.isascii() or any(_is_latin(c) for c in n):
            out.append(_mixed(n))
            continue
        head = compound.get(n[:2])
        if head is not None:
            rest = n[2:]
        else:
            head = surname.get(n[0])
            if head is None:
                head = cache.get(n[0], "")
            rest = n[1:]
        out.append(head + "".join([cache.get(c, "") for c in rest]))
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
