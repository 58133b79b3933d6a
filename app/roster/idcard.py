"""Citizen ID numbers (GB 11643-1999): check character, birth date, gender, 15 → 18.

An 18-character number is 6 digits of address code, 8 of birth date
(YYYYMMDD), 3 of sequence (odd for men, even for women) and a check character
computed with ISO 7064 MOD 11-2 (``X`` stands for 10). A legacy 15-digit
number has a 6-digit birth date (YYMMDD, 19YY) and no check character.

Address codes are deliberately not checked: codes are abolished when districts
merge, and the numbers issued under them stay valid for life.

:class:`IdChecker` is the roster's fast path: it caches the weighted sums of the
address, date and sequence parts, so checking 50,000 numbers costs a few
dictionary look-ups each instead of 17 multiplications.
"""

from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Check character indexed by (weighted sum mod 11): (12 - s % 11) % 11, 10 -> X.
CHECK_CHARS = "10X98765432"

EARLIEST_BIRTH = date(1930, 1, 1)
# The youngest plausible graduate, in years at graduation.
MIN_AGE_AT_GRADUATION = 14


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def to18(number15: str) -> str:
    """The 18-character form of a legacy 15-digit number (born 19YY)."""
    if len(number15) != 15 or not number15.isdigit():
        raise ValueError("need exactly 15 digits")
    body = number15[:6] + "19" + number15[6:]
    return body + check_char(body)


def to15(number18: str) -> str:
    """The legacy 15-digit form an 18-character number of someone born in 19YY had."""
    return number18[:6] + number18[8:17]


def birthdate(number: str) -> date | None:
    """The birth date encoded in a 15- or 18-character number, None if no such date."""
    try:
        if len(number) == 18:
            return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        if len(number) == 15:
            return date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return None
    return None


def gender(number: str) -> str | None:
    """男 or 女 from the sequence digit (odd = man), None if not readable."""
    pos = 16 if len(number) == 18 else 14 if len(number) == 15 else None
    if pos is None or not number[pos].isdigit():
        return None
    return "男" if int(number[pos]) % 2 else "女"


def is_valid(number: str, *, earliest_birth: date | None = None, latest_birth: date | None = None) -> bool:
    """True for a well-formed 18-character number (digits, date, check character)
    or a well-formed 15-digit legacy number (digits, date); with bounds, the
    birth date must also lie between them."""
    if len(number) == 18:
        if not number[:17].isdigit() or number[17] not in "0123456789X":
            return False
        if check_char(number[:17]) != number[17]:
            return False
    elif len(number) == 15:
        if not number.isdigit():
            return False
    else:
        return False
    born = birthdate(number)
    if born is None:
        return False
    if earliest_birth is not None and born < earliest_birth:
        return False
    return latest_birth is None or born <= latest_birth


def latest_birth_for(grad_year: int) -> date:
    return date(grad_year - MIN_AGE_AT_GRADUATION, 12, 31)


class IdChecker:
    """Checks many numbers quickly: cached partial sums and date verdicts.

    ``check18(n)`` returns (checksum_ok, date_ok) for a string whose first 17
    characters are digits.
    """

    def __init__(self, latest_birth: date):
        self.latest_birth = latest_birth
        self._area: dict[str, int] = {}
        self._date: dict[str, tuple[int, bool]] = {}
        self._seq: dict[str, int] = {}

    def _area_sum(self, s: str) -> int:
        v = self._area.get(s)
        if v is None:
            v = self._area[s] = sum(int(c) * w for c, w in zip(s, WEIGHTS[:6]))
        return v

    def _date_info(self, s: str) -> tuple[int, bool]:
        v = self._date.get(s)
        if v is None:
            try:
                d = date(int(s[:4]), int(s[4:6]), int(s[6:8]))
                ok = EARLIEST_BIRTH <= d <= self.latest_birth
            except ValueError:
                ok = False
            v = self._date[s] = (sum(int(c) * w for c, w in zip(s, WEIGHTS[6:14])), ok)
        return v

    def _seq_sum(self, s: str) -> int:
        v = self._seq.get(s)
        if v is None:
            v = self._seq[s] = sum(int(c) * w for c, w in zip(s, WEIGHTS[14:17]))
        return v

    def check18(self, n: str) -> tuple[bool, bool]:
        dsum, date_ok = self._date_info(n[6:14])
        total = self._area_sum(n[:6]) + dsum + self._seq_sum(n[14:17])
        return CHECK_CHARS[total % 11] == n[17], date_ok

    def date15_ok(self, n: str) -> bool:
        return self._date_info("19" + n[6:12])[1]
