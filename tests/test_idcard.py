"""GB 11643-1999 citizen ID numbers: check character, dates, gender, 15 → 18."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.roster.idcard import EARLIEST_BIRTH, IdChecker, birthdate, check_char, gender, is_valid, to15, to18

# The examples printed in GB 11643-1999 itself, and numbers whose check
# character is computed by hand below.
KNOWN_VALID = [
    "11010519491231002X",  # the standard's example: Beijing Chaoyang, 1949-12-31, a woman
    "440524188001010014",  # the standard's second example: Guangdong Shantou, 1880-01-01, a man
    "11010119900307803X",
    "320102199003071239",
    "110101200001010010",
]


def iso7064_mod11_2(body: str) -> str:
    """The standard's own definition: weights 2^(17-i) mod 11, check = (12 - S mod 11) mod 11."""
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)


def test_hand_computed_check_character():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 % 11 = 2 -> X
    assert check_char("11010519491231002") == "X"
    # 4*7+4*9+0+5*5+2*8+4*4+1*2+8*1+8*6+0+0+1*9+0+1*5+0+0+1*2 = 195; 195 % 11 = 8 -> 4
    assert check_char("44052418800101001") == "4"


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_numbers(number):
    assert check_char(number[:17]) == number[17] == iso7064_mod11_2(number[:17])
    assert is_valid(number)


@pytest.mark.parametrize(
    "number, why",
    [
        ("110105194912310021", "wrong check character (X expected)"),
        ("11010519491231002x", "lower-case x is not the check character"),
        ("440524188001010015", "wrong check character"),
        ("110105194902300024", "30 February does not exist"),
        ("110105194913310023", "month 13"),
        ("11010519491231002", "17 characters"),
        ("1101051949123100200", "19 characters"),
        ("11010519491231002Y", "Y is not a check character"),
        ("1101051949123X002X", "X only in the last place"),
        ("", "empty"),
        ("110105491231002X", "16 characters"),
    ],
)
def test_known_invalid_numbers(number, why):
    assert not is_valid(number), why


def test_legacy_15_digit_number():
    assert to18("110105491231002") == "11010519491231002X"
    assert to15("11010519491231002X") == "110105491231002"
    assert is_valid("110105491231002")
    assert birthdate("110105491231002") == date(1949, 12, 31)
    assert gender("110105491231002") == "女"
    assert not is_valid("110105491331002")  # month 13


def test_birthdate_and_gender():
    assert birthdate("11010519491231002X") == date(1949, 12, 31)
    assert gender("11010519491231002X") == "女"  # 2 is even
    assert gender("440524188001010014") == "男"  # 1 is odd
    assert birthdate("110105194902300024") is None


def test_plausibility_bounds():
    # Born 1880: a real number in the standard, but no graduate of today.
    assert is_valid("440524188001010014")
    assert not is_valid("440524188001010014", earliest_birth=EARLIEST_BIRTH)
    assert is_valid("110101200001010010", latest_birth=date(2011, 12, 31))
    child = "11010120150101001" + check_char("11010120150101001")
    assert is_valid(child)
    assert not is_valid(child, latest_birth=date(2011, 12, 31))
    old = "11010119200101001" + check_char("11010119200101001")
    assert not is_valid(old, earliest_birth=EARLIEST_BIRTH)  # born before 1930


def test_abolished_area_code_is_not_rejected():
    # 320102 (Nanjing Xuanwu) absorbed others; 320103 (Baixia) was abolished in 2013.
    body = "32010319900101123"
    assert is_valid(body + check_char(body))


def test_fast_checker_agrees_with_the_plain_one():
    rng = random.Random(7)
    checker = IdChecker(date(2011, 12, 31))
    for _ in range(3000):
        body = f"{rng.randrange(110000, 660000)}{rng.randrange(1920, 2015)}{rng.randrange(1, 14):02d}{rng.randrange(1, 32):02d}{rng.randrange(0, 1000):03d}"
        last = rng.choice("0123456789X")
        n = body + last
        sum_ok, date_ok = checker.check18(n)
        assert sum_ok == (check_char(body) == last)
        born = birthdate(n)
        assert date_ok == (born is not None and date(1930, 1, 1) <= born <= date(2011, 12, 31))


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_body_has_exactly_one_check_character(body):
    good = check_char(body)
    assert good == iso7064_mod11_2(body)
    assert good in "0123456789X"
    for c in "0123456789X":
        if c != good:
            assert IdChecker(date(2100, 1, 1)).check18(body + c)[0] is False
