"""Prices per participant from the yearly rates (content/tarifs.yaml)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offer.model import Rate, RateTable, Session
from offer.pricing import (
    NoRateForYear,
    count_days,
    price_per_participant,
    quote,
    quote_examples,
    rate_for_year,
)

# Local settings (not a global profile, which would change other modules' tests).
fast = settings(max_examples=60, deadline=None)


def rate(year: int, day, half) -> Rate:
    return Rate.model_validate({"annee": year, "journee": day, "demi_journee": half})


RATES_2020 = RateTable.model_validate({"tarifs": [{"annee": 2020, "journee": 280, "demi_journee": 140}]})
# Unsorted on purpose: the choice must not depend on the order of the file.
SEVERAL = [rate(2025, 300, 150), rate(2020, 280, 140), rate(2023, 290, 145)]


def session(day: dt.date, full: bool = True) -> Session:
    return Session(date=day, duree="journee" if full else "demi-journee")


@pytest.mark.parametrize(
    "year, expected",
    [
        (2020, 2020),  # exactly the first year
        (2021, 2020),
        (2022, 2020),
        (2023, 2023),  # a year with its own rate
        (2024, 2023),  # the latest year not after it
        (2025, 2025),
        (2040, 2025),  # far future: the latest known rate
    ],
)
def test_rate_for_year_is_the_latest_not_after(year, expected):
    assert rate_for_year(SEVERAL, year).annee == expected


@pytest.mark.parametrize("year", [2019, 2000])
def test_no_rate_before_the_first_year(year):
    with pytest.raises(NoRateForYear) as raised:
        rate_for_year(SEVERAL, year)
    assert raised.value.year == year
    assert str(year) in str(raised.value)


def test_no_rate_at_all():
    with pytest.raises(NoRateForYear):
        rate_for_year([], 2027)


@pytest.mark.parametrize(
    "full, half, expected",
    [
        (0, 0, Decimal(0)),
        (1, 0, Decimal(280)),
        (0, 1, Decimal(140)),
        (2, 0, Decimal(560)),
        (1, 1, Decimal(420)),
        (0, 5, Decimal(700)),  # a co-development group: 5 half-days
        (3, 2, Decimal(1120)),
    ],
)
def test_price_per_participant_at_2020_rates(full, half, expected):
    assert price_per_participant(full, half, RATES_2020.tarifs[0]) == expected


@pytest.mark.parametrize("full, half", [(-1, 0), (0, -1)])
def test_negative_days_are_refused(full, half):
    with pytest.raises(ValueError):
        price_per_participant(full, half, RATES_2020.tarifs[0])


def test_codev_five_half_days_is_700_at_2020_rates():
    start = dt.date(2027, 1, 12)
    sessions = [session(start + dt.timedelta(weeks=6 * i), full=False) for i in range(5)]
    result = quote(sessions, 8, RATES_2020.tarifs)
    assert (result.full_days, result.half_days) == (0, 5)
    assert result.per_participant == Decimal(700)
    assert result.rate.annee == 2020
    assert [(e.participants, e.total) for e in result.examples] == [(1, 700), (3, 2100), (8, 5600)]


def test_quote_uses_the_year_of_the_first_session():
    # First session in December 2024, the others in 2025: the 2023 rate applies (2024 has none).
    sessions = [session(dt.date(2025, 2, 3)), session(dt.date(2024, 12, 9)), session(dt.date(2025, 1, 6), full=False)]
    result = quote(sessions, 15, SEVERAL)
    assert result.rate.annee == 2023
    assert result.per_participant == 2 * Decimal(290) + Decimal(145)


def test_quote_before_any_rate_raises():
    with pytest.raises(NoRateForYear):
        quote([session(dt.date(2019, 5, 15))], 15, RATES_2020.tarifs)


@pytest.mark.parametrize(
    "size, expected",
    [(1, [1]), (2, [1, 2]), (3, [1, 3]), (4, [1, 3, 4]), (8, [1, 3, 8]), (15, [1, 3, 15])],
)
def test_quote_example_sizes(size, expected):
    assert [e.participants for e in quote_examples(Decimal(420), size)] == expected


def test_count_days():
    sessions = [session(dt.date(2027, 3, 11)), session(dt.date(2027, 4, 8), full=False), session(dt.date(2027, 5, 6))]
    assert count_days(sessions) == (2, 1)
    assert count_days([]) == (0, 0)


# -- properties ----------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=5000).map(Decimal)
days = st.integers(min_value=0, max_value=40)


@fast
@given(day=amounts, half=amounts, full_days=days, half_days=days)
def test_price_is_full_times_day_plus_half_times_half(day, half, full_days, half_days):
    r = rate(2020, day, half)
    assert price_per_participant(full_days, half_days, r) == full_days * day + half_days * half


@fast
@given(day=amounts, half=amounts, full_days=days, half_days=days)
def test_price_grows_with_every_day(day, half, full_days, half_days):
    r = rate(2020, day, half)
    price = price_per_participant(full_days, half_days, r)
    assert price_per_participant(full_days + 1, half_days, r) > price
    assert price_per_participant(full_days, half_days + 1, r) > price


@fast
@given(half=amounts, full_days=days, half_days=days)
def test_a_day_is_two_half_days_when_the_rate_is_double(half, full_days, half_days):
    r = rate(2020, 2 * half, half)
    assert price_per_participant(full_days + 1, half_days, r) == price_per_participant(full_days, half_days + 2, r)


@fast
@given(per_participant=amounts, size=st.integers(min_value=1, max_value=15))
def test_quote_examples_invariants(per_participant, size):
    examples = quote_examples(per_participant, size)
    sizes = [e.participants for e in examples]
    assert sizes == sorted(set(sizes))
    assert sizes[0] == 1 and sizes[-1] == size
    assert all(1 <= n <= size for n in sizes)
    assert all(e.total == e.participants * per_participant for e in examples)
