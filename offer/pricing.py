"""Prices from the yearly rates voted by the board (content/tarifs.yaml)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .model import Rate, Session

QUOTE_EXAMPLE_SIZES = (1, 3)


class NoRateForYear(LookupError):
    def __init__(self, year: int):
        super().__init__(f"aucun tarif pour {year} ou une année antérieure")
        self.year = year


def rate_for_year(rates: Iterable[Rate], year: int) -> Rate:
    """The latest rate whose year is not after ``year``."""
    eligible = [r for r in rates if r.annee <= year]
    if not eligible:
        raise NoRateForYear(year)
    return max(eligible, key=lambda r: r.annee)


def price_per_participant(full_days: int, half_days: int, rate: Rate) -> Decimal:
    if full_days < 0 or half_days < 0:
        raise ValueError("negative number of days")
    return full_days * rate.journee + half_days * rate.demi_journee


def count_days(sessions: Sequence[Session]) -> tuple[int, int]:
    full = sum(1 for s in sessions if s.is_full_day)
    return full, len(sessions) - full


@dataclass(frozen=True)
class QuoteExample:
    participants: int
    total: Decimal


@dataclass(frozen=True)
class Quote:
    rate: Rate
    full_days: int
    half_days: int
    per_participant: Decimal
    examples: tuple[QuoteExample, ...]


def quote_examples(per_participant: Decimal, group_size: int) -> tuple[QuoteExample, ...]:
    """1 participant, 3 participants and the full group (without duplicates)."""
    sizes = sorted({n for n in QUOTE_EXAMPLE_SIZES if n <= group_size} | {group_size})
    return tuple(QuoteExample(n, per_participant * n) for n in sizes)


def quote(sessions: Sequence[Session], group_size: int, rates: Iterable[Rate]) -> Quote:
    first_year = min(s.date for s in sessions).year
    rate = rate_for_year(rates, first_year)
    full, half = count_days(sessions)
    per_participant = price_per_participant(full, half, rate)
    return Quote(rate, full, half, per_participant, quote_examples(per_participant, group_size))
