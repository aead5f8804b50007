"""The CMS preview computes as the site does: theme/admin/regles.js against the Python rules.

Every sample entry of content/ateliers/, as written and nearly full, at dates around each of its
own (sessions, registration opening and deadline), with several rate tables: the same badge,
price per participant and French dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offer.availability import availability
from offer.formatting import euros, long_date
from offer.model import Rate
from offer.pricing import quote
from offer.validation import load_content
from tests.cms.support import node
from tests.conftest import ROOT

RATE_TABLES = [
    [Rate(annee=2020, journee=Decimal(280), demi_journee=Decimal(140))],
    [
        Rate(annee=2020, journee=Decimal(280), demi_journee=Decimal(140)),
        Rate(annee=2027, journee=Decimal("312.5"), demi_journee=Decimal("156.25")),
    ],
]


def days_around(workshop) -> list[dt.date]:
    anchors = [s.date for s in workshop.seances] + [workshop.registration_deadline, dt.date(2026, 11, 30)]
    if workshop.ouverture_inscriptions:
        anchors.append(workshop.ouverture_inscriptions)
    return sorted({a + dt.timedelta(days=d) for a in anchors for d in (-1, 0, 1)})


def variants(workshop):
    """The entry as written, then full, nearly full and with one registration left."""
    yield workshop
    for inscrits in (workshop.capacite, workshop.capacite - 1, max(workshop.capacite - 3, 0)):
        yield workshop.model_copy(update={"inscrits": inscrits})


@pytest.fixture(scope="module")
def entries():
    content = load_content(ROOT / "content")
    assert not content.errors
    return [e.workshop for e in content.entries]


def test_badges_prices_and_dates_match_python(entries):
    requests, expected = [], []
    for workshop in entries:
        for variant in variants(workshop):
            data = variant.model_dump(mode="json")
            for today in days_around(variant):
                for threshold in (3, 1):
                    a = availability(variant, today, threshold)
                    requests.append(
                        {
                            "call": "rules",
                            "args": {"workshop": data, "rates": [], "today": today.isoformat(), "threshold": threshold},
                        }
                    )
                    expected.append((variant.titre, today, {"state": a.state.value, "label": a.label}))
    results = node(requests)
    assert len(results) > 500
    for (title, today, want), got in zip(expected, results, strict=True):
        assert {k: got["availability"][k] for k in ("state", "label")} == want, (title, today)


def test_prices_and_french_dates_match_python(entries):
    requests, expected = [], []
    for workshop in entries:
        for rates in RATE_TABLES:
            q = quote(workshop.seances, workshop.capacite, rates)
            requests.append(
                {
                    "call": "rules",
                    "args": {
                        "workshop": workshop.model_dump(mode="json"),
                        "rates": [r.model_dump(mode="json") for r in rates],
                        "today": "2026-11-30",
                        "threshold": 3,
                    },
                }
            )
            expected.append((q, [long_date(s.date) for s in workshop.seances]))
    results = node(requests)
    euro_requests = []
    for (q, dates), got in zip(expected, results, strict=True):
        assert got["price"]["cents"] == int(q.per_participant * 100)
        assert (got["price"]["full"], got["price"]["half"], got["price"]["rateYear"]) == (
            q.full_days,
            q.half_days,
            q.rate.annee,
        )
        assert got["dates"] == dates
        euro_requests.append({"call": "euros", "args": {"cents": got["price"]["cents"]}})
    for (q, _), text in zip(expected, node(euro_requests), strict=True):
        assert text == euros(q.per_participant)


def test_french_formatting_edge_cases():
    days = [dt.date(2027, 3, 1), dt.date(2027, 8, 15), dt.date(2028, 2, 29), dt.date(2026, 12, 31)]
    amounts = [Decimal(0), Decimal(700), Decimal(2100), Decimal("12.5"), Decimal("123456.78")]
    got = node(
        [{"call": "longDate", "args": {"iso": d.isoformat()}} for d in days]
        + [{"call": "euros", "args": {"cents": int(a * 100)}} for a in amounts]
    )
    assert got == [long_date(d) for d in days] + [euros(a) for a in amounts]
