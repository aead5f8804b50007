"""The quote (devis) answering a quote request: numbered in sequence per year,
dated, valid for a while, its lines priced by the domain's own pricing code
(offer.pricing, the same as the site's estimate) at the rate of the year from
content/tarifs.yaml.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from formbackend.documents.pdf import render_pdf
from offer.formatting import count, euros, long_date
from offer.model import Rate
from offer.pricing import price_per_participant, rate_for_year
from offer.validation import load_rates

OFFERS = {"atelier": "Atelier inter-collectivités", "codev": "Groupe de co-développement professionnel"}


class RatesUnavailable(ValueError):
    """content/tarifs.yaml cannot be read (French message)."""


def load_rate_table(path: Path) -> list[Rate]:
    result = load_rates(Path(path))
    if result.value is None or any(p.is_error for p in result.problems):
        raise RatesUnavailable(f"{path} : tarifs illisibles — vérifiez le fichier avec « make check »")
    return list(result.value.tarifs)


@dataclass(frozen=True)
class QuoteNumber:
    number: str
    issued: dt.date


def number_for(conn: sqlite3.Connection, submission_id: int, today: dt.date, total: Decimal) -> QuoteNumber:
    """The quote's number and date: the next of the year at first issue, the same ever after.

    The caller holds a write transaction (BEGIN IMMEDIATE), so two consultants
    printing at once get two numbers that follow each other.
    """
    row = conn.execute("SELECT number, issued_at FROM quotes WHERE submission_id = ?", (submission_id,)).fetchone()
    if row:
        return QuoteNumber(row[0], dt.date.fromisoformat(row[1]))
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM quotes WHERE year = ?", (today.year,)).fetchone()[0]
    number = f"D-{today.year}-{seq:04d}"
    conn.execute(
        "INSERT INTO quotes (number, year, seq, submission_id, issued_at, total) VALUES (?, ?, ?, ?, ?, ?)",
        (number, today.year, seq, submission_id, today.isoformat(), str(total)),
    )
    return QuoteNumber(number, today)


@dataclass(frozen=True)
class QuoteFigures:
    rate: Rate
    agents: int
    half_days: int
    per_participant: Decimal
    total_ht: Decimal
    vat: Decimal
    total: Decimal


def figures(data: dict, rates: list[Rate], today: dt.date, vat_rate: float) -> QuoteFigures:
    """Participants × half-days × the year's half-day rate, as the site's estimate computes it."""
    rate = rate_for_year(rates, today.year)
    agents, half_days = int(data["agents"]), int(data["demi_journees"])
    per_participant = price_per_participant(0, half_days, rate)
    total_ht = per_participant * agents
    vat = (total_ht * Decimal(str(vat_rate)) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return QuoteFigures(rate, agents, half_days, per_participant, total_ht, vat, total_ht + vat)


def quote_pdf(data: dict, number: QuoteNumber, numbers: QuoteFigures, settings) -> bytes:
    rate = numbers.rate
    lines = [
        {
            "label": f"{OFFERS.get(data.get('offre'), 'Prestation')} : "
            f"{count(numbers.half_days, 'demi-journée', 'demi-journées')} par participant",
            "quantity": count(numbers.agents, "participant", "participants"),
            "unit": euros(numbers.per_participant),
            "amount": euros(numbers.total_ht),
        }
    ]
    valid_until = number.issued + dt.timedelta(days=settings.quote_validity_days)
    return render_pdf(
        "devis.html",
        title=f"Devis n° {number.number}",
        number=number.number,
        issued=long_date(number.issued),
        valid_until=long_date(valid_until),
        client={
            key: data.get(key, "")
            for key in (
                "collectivite",
                "prenom",
                "nom",
                "fonction",
                "email",
                "periode",
                "siret",
                "code_service",
                "numero_engagement",
            )
        },
        offer_label=OFFERS.get(data.get("offre"), "Prestation"),
        lines=lines,
        total_ht=euros(numbers.total_ht),
        vat=euros(numbers.vat) if numbers.vat else None,
        vat_rate=f"{settings.quote_vat_rate:g}".replace(".", ","),
        total=euros(numbers.total),
        rate_year=rate.annee,
        half_day_rate=euros(rate.demi_journee),
        day_rate=euros(rate.journee),
        deliberation=settings.quote_deliberation,
        siret=settings.quote_siret,
        vat_mention="" if numbers.vat else settings.quote_vat_mention,
    )
