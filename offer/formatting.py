"""French formatting of dates, times and amounts with Babel (never the OS locale)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"
NBSP = "\u00a0"


@lru_cache(maxsize=4096)  # the same dates and amounts recur on every catalogue view
def long_date(day: dt.date) -> str:
    """'jeudi 11 mars 2027'; 'lundi 1er mars 2027' as French writes the first."""
    text = format_date(day, "EEEE d MMMM y", locale=LOCALE)
    if day.day == 1:
        text = text.replace(" 1 ", " 1er ", 1)
    return text


@lru_cache(maxsize=4096)
def short_date(day: dt.date) -> str:
    """'11 mars 2027'."""
    text = format_date(day, "d MMMM y", locale=LOCALE)
    return text.replace("1 ", "1er ", 1) if day.day == 1 else text


@lru_cache(maxsize=4096)
def clock(time: dt.time) -> str:
    """'9 h 00', '14 h 30'."""
    return f"{time.hour}{NBSP}h{NBSP}{time.minute:02d}"


@lru_cache(maxsize=4096)
def time_range(start: dt.time, end: dt.time) -> str:
    return f"{clock(start)} – {clock(end)}"


@lru_cache(maxsize=4096)
def euros(amount: Decimal | int) -> str:
    """'2 100 €' (no cents when whole, '12,50 €' otherwise)."""
    amount = Decimal(amount)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return f"{format_decimal(amount, format=pattern, locale=LOCALE)}{NBSP}€"


def count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def file_size(size: int) -> str:
    """'PDF, 45 ko' style sizes: kilo-octets under a megaoctet ('45 ko'), then '1,2 Mo'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))}{NBSP}ko"
    return f"{format_decimal(round(size / (1024 * 1024), 1), locale=LOCALE)}{NBSP}Mo"
