"""French dates, times and amounts, by Babel (never the OS locale)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offer.formatting import clock, count, euros, long_date, short_date, time_range

NARROW_NBSP, NBSP = "\u202f", "\u00a0"


def spaces(text: str) -> str:
    """Non-breaking spaces as plain ones, for readable assertions."""
    return text.replace(NARROW_NBSP, " ").replace(NBSP, " ")


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2027, 3, 11), "jeudi 11 mars 2027"),
        (dt.date(2027, 3, 1), "lundi 1er mars 2027"),
        (dt.date(2027, 10, 1), "vendredi 1er octobre 2027"),
        (dt.date(2027, 11, 11), "jeudi 11 novembre 2027"),
        (dt.date(2027, 8, 21), "samedi 21 août 2027"),
        (dt.date(2026, 12, 10), "jeudi 10 décembre 2026"),
    ],
)
def test_long_date(day, expected):
    assert long_date(day) == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2027, 3, 1), "1er mars 2027"),
        (dt.date(2027, 2, 11), "11 février 2027"),
        (dt.date(2027, 12, 21), "21 décembre 2027"),
    ],
)
def test_short_date(day, expected):
    assert short_date(day) == expected


@pytest.mark.parametrize(
    "amount, expected",
    [
        (2100, "2 100 €"),
        (700, "700 €"),
        (Decimal("700.00"), "700 €"),
        (Decimal("12.5"), "12,50 €"),
        (1234567, "1 234 567 €"),
        (0, "0 €"),
    ],
)
def test_euros(amount, expected):
    text = euros(amount)
    assert spaces(text) == expected
    assert " " not in text  # only non-breaking spaces: the amount never wraps
    assert text.endswith(NBSP + "€")


def test_clock_and_time_range():
    assert spaces(clock(dt.time(9, 0))) == "9 h 00"
    assert spaces(clock(dt.time(14, 5))) == "14 h 05"
    assert spaces(time_range(dt.time(9, 0), dt.time(12, 30))) == "9 h 00 – 12 h 30"
    assert NBSP in clock(dt.time(9, 0))


def test_count():
    assert count(1, "place", "places") == "1 place"
    assert count(3, "place", "places") == "3 places"
