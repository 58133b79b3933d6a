"""School, college, class and student names → folder and file names every disk accepts.

The delivery goes to the centre on a USB stick (FAT32/exFAT/NTFS) and is opened
on Windows, so a name from the roster must survive all of Windows, macOS and
Linux. :func:`safe_component` is the one place that decides; every export,
report and sheet that names a file or folder after roster text calls it (or
:class:`UniqueNames` on top of it):

- at most ``max_bytes`` bytes in UTF-8 *including* the extension (ext4, APFS and
  NTFS all stop at 255 bytes or 255 UTF-16 units; 255 UTF-8 bytes satisfies
  both; the default keeps 6 bytes for the temporary ``.NAME.part`` of an atomic
  write) and at most ``max_chars`` characters, cut on a character boundary;
- no path separators ``/ \\``, none of ``< > : " | ? *``, no NUL or other control
  character (each becomes ``_``);
- no leading or trailing spaces, no trailing dots (Windows drops them, so ``a.``
  and ``a`` would be one file); ``.`` and ``..`` and an empty name become the fallback;
- Windows' reserved device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9, also with
  an extension such as ``NUL.txt``, in any case) get a leading ``_``.

:class:`UniqueNames` then makes names unique in one folder the way a
case-insensitive disk compares them (``a`` and ``A``, NFC and NFD forms are one
file there): the second of two names that map to one file name gets ``~2``,
the third ``~3``, and so on. Every name that was changed is kept in
``renamed`` (original → name on disk) for the delivery's manifest.
"""

from __future__ import annotations

import re
import unicodedata

# 255 bytes is the limit of ext4, APFS and (as UTF-16 units) NTFS and exFAT; an atomic write first writes
# ".NAME.part" beside NAME (capture.atomic.write_atomic), so a final name keeps 6 bytes free for that.
MAX_BYTES = 255 - len("..part")
_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"COM{i}" for i in "123456789¹²³"), *(f"LPT{i}" for i in "123456789¹²³")}


def _cut(s: str, max_bytes: int, max_chars: int) -> str:
    s = s[:max_chars]
    while len(s.encode("utf-8")) > max_bytes:
        s = s[:-1]
    return s


def safe_component(value: str | None, *, fallback: str = "_", ext: str = "", max_bytes: int = MAX_BYTES,
                   max_chars: int = 80) -> str:
    """One folder or file name (without ``/``) for ``value``; ``ext`` (e.g. ``".pdf"``) counts in the length."""
    s = unicodedata.normalize("NFC", value or "")
    s = _BAD.sub("_", s).strip().rstrip(". ")
    if s in ("", ".", ".."):
        s = fallback
    if s.split(".")[0].rstrip(" ").upper() in _RESERVED:
        s = "_" + s
    budget = max_bytes - len(ext.encode("utf-8"))
    s = _cut(s, budget, max_chars).rstrip(". ")
    return (s or fallback) + ext


def disk_key(name: str) -> str:
    """How a case-insensitive, normalising disk (NTFS, exFAT, APFS) compares two names."""
    return unicodedata.normalize("NFC", name).casefold()


class UniqueNames:
    """Safe, unique names per folder; ``renamed`` lists every name that differs from its original."""

    def __init__(self, *, fallback: str = "_", max_bytes: int = MAX_BYTES, max_chars: int = 80):
        self.fallback, self.max_bytes, self.max_chars = fallback, max_bytes, max_chars
        self._given: dict[tuple[str, str], str] = {}  # (parent, original) → name
        self._taken: dict[str, set[str]] = {}  # parent → disk keys in use
        self.renamed: dict[tuple[str, str], str] = {}  # (parent, original) → name, where they differ

    def name(self, parent: str, original: str | None, ext: str = "") -> str:
        """The name of ``original`` inside folder ``parent`` (the same original always gets the same name)."""
        original = original or ""
        got = self._given.get((parent, original))
        if got is not None:
            return got
        # a folder's name is also a file's stem (the class's proof sheet <class>.pdf): room for the extension
        base = safe_component(original, fallback=self.fallback, max_bytes=self.max_bytes - 10,
                              max_chars=self.max_chars)
        taken = self._taken.setdefault(parent, set())
        name, n = base, 2
        while disk_key(name + ext) in taken:
            suffix = f"~{n}"
            name = _cut(base, self.max_bytes - 10 - len(suffix.encode()), self.max_chars).rstrip(". ") + suffix
            n += 1
        taken.add(disk_key(name + ext))
        self._given[(parent, original)] = name
        if name != original:
            self.renamed[(parent, original)] = name
        return name

    def path(self, parts: list[str | None]) -> str:
        """A folder path, one unique safe name per level: ``["扬州大学", "文学院", "汉语1901"]`` → ``扬州大学/文学院/汉语1901``."""
        out: list[str] = []
        for part in parts:
            out.append(self.name("/".join(out), part))
        return "/".join(out)
