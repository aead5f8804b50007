"""Atom feed of the offer (offer/atom.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser

from offer.atom import atom_feed
from offer.catalogue import build_catalogue
from offer.model import RateTable, Workshop
from offer.validation import load_content
from tests.factories import items_of as factory_items
from tests.factories import make_workshop

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
STAMP = dt.datetime(2026, 11, 30, 4, 0, tzinfo=dt.UTC)
RATES = RateTable.model_validate({"tarifs": [{"annee": 2020, "journee": 280, "demi_journee": 140}]})
SITE = "https://www.cdg44.fr/ateliers/"
FEED = "https://www.cdg44.fr/ateliers/flux/programme.atom.xml"
TITLE = "Ateliers et co-développement – CDG 44"


def workshop(**overrides) -> Workshop:
    return make_workshop(**overrides)


def items_of(*pairs):
    return factory_items(*pairs, rates=RATES, today=TODAY)


def url_for(item) -> str:
    return f"{SITE}programme/{item.slug}/"


def feed_of(items, updated=STAMP) -> str:
    return atom_feed(items, SITE, FEED, url_for, TITLE, updated)


def three_items():
    return items_of(
        ("2027-01-recruter", workshop(publie_le=dt.date(2026, 10, 1))),
        (
            "2027-03-management",
            workshop(
                titre="Manager à distance",
                question="Comment faire pour manager à distance ?",
                seances=[
                    {"date": dt.date(2027, 3, 1), "duree": "journee"},
                    {"date": dt.date(2027, 3, 29), "duree": "demi-journee"},
                ],
                ouverture_inscriptions=dt.date(2026, 11, 20),
            ),
        ),
        (
            "2027-codev",
            workshop(
                type="codev",
                titre="Codev des DGS <groupe 2>",
                question=None,
                objet=None,
                capacite=8,
                publie_le=dt.date(2026, 9, 1),
                seances=[{"date": dt.date(2027, m, 12), "duree": "demi-journee"} for m in (2, 3, 4, 6, 7)],
            ),
        ),
    )


def test_sample_feed_parses():
    content = load_content(ROOT / "content")
    items = build_catalogue(content.entries, content.rates, today=TODAY)
    parsed = feedparser.parse(feed_of(items))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == TITLE
    assert parsed.feed.language == "fr"
    assert len(parsed.entries) == len(items)
    published = [e.published for e in parsed.entries]
    assert published == sorted(published, reverse=True)
    (entry,) = [e for e in parsed.entries if e.id.endswith("/2027-03-mutualiser-services/")]
    assert entry.title == "Mutualiser un service entre communes voisines"
    assert entry.id == entry.link
    assert "jeudi 11 mars 2027" in entry.summary
    assert "jeudi 8 avril 2027" in entry.summary
    assert "Comment faire pour mutualiser" in entry.summary


def test_entries_newest_first_with_ids_and_dates():
    parsed = feedparser.parse(feed_of(three_items()))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 3
    assert [e.id for e in parsed.entries] == [
        f"{SITE}programme/2027-03-management/",
        f"{SITE}programme/2027-01-recruter/",
        f"{SITE}programme/2027-codev/",
    ]
    first = parsed.entries[0]
    # Midnight in Paris on the publication day (UTC+1 in November).
    assert first.published == "2026-11-20T00:00:00+01:00"
    assert first.updated == "2026-11-20T00:00:00+01:00"
    assert parsed.feed.updated == "2026-11-20T00:00:00+01:00"
    assert parsed.feed.id == FEED
    assert any(link.rel == "self" and link.href == FEED for link in parsed.feed.links)


def test_french_dates_and_escaping_in_summaries():
    parsed = feedparser.parse(feed_of(three_items()))
    by_id = {e.id: e for e in parsed.entries}
    management = by_id[f"{SITE}programme/2027-03-management/"].summary
    assert "lundi 1er mars 2027 et lundi 29 mars 2027" in management
    codev = by_id[f"{SITE}programme/2027-codev/"]
    assert codev.title == "Codev des DGS <groupe 2>"
    assert "Codev des DGS &lt;groupe 2&gt;" in codev.summary  # text, not markup
    assert "5 séances : vendredi 12 février 2027" in codev.summary
    single = by_id[f"{SITE}programme/2027-01-recruter/"].summary
    assert "Séance le jeudi 14 janvier 2027, Mairie de Savenay." in single


def test_cancelled_entry_says_so():
    parsed = feedparser.parse(feed_of(items_of(("2027-01-annule", workshop(statut="annule")))))
    assert parsed.entries[0].summary.startswith("Session annulée.")


def test_reproducible_and_never_now():
    assert feed_of(three_items()) == feed_of(three_items())
    # The updated argument does not change a feed with items.
    assert feed_of(three_items(), STAMP) == feed_of(three_items(), STAMP + dt.timedelta(days=3))
    empty = feedparser.parse(feed_of([]))
    assert not empty.bozo
    assert empty.entries == []
    assert empty.feed.updated == "2026-11-30T04:00:00+00:00"
    assert feed_of([]) == feed_of([])
