"""The iCalendar files of the offer (offer/calendar.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

from offer.calendar import FEED_NAME, PRODID, entry_calendar, feed_calendar, session_uid
from offer.catalogue import build_catalogue
from offer.model import RateTable, Workshop
from offer.validation import Entry, load_content
from tests.factories import make_workshop

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
STAMP = dt.datetime(2026, 11, 30, 4, 0, tzinfo=dt.UTC)
RATES = RateTable.model_validate({"tarifs": [{"annee": 2020, "journee": 280, "demi_journee": 140}]})


def workshop(**overrides) -> Workshop:
    return make_workshop(**{"inscrits": 4, **overrides})


def codev(**overrides) -> Workshop:
    data = {
        "type": "codev",
        "titre": "Groupe de co-développement des DGS",
        "question": None,
        "objet": None,
        "public": ["DGS"],
        "seances": [
            {"date": dt.date(2027, 1, 12), "duree": "demi-journee", "debut": "14:00"},
            {"date": dt.date(2027, 2, 16), "duree": "demi-journee", "debut": "14:00"},
            {"date": dt.date(2027, 3, 30), "duree": "demi-journee", "debut": "14:00"},
            {"date": dt.date(2027, 5, 11), "duree": "demi-journee", "debut": "14:00"},
            {"date": dt.date(2027, 6, 22), "duree": "demi-journee", "debut": "14:00"},
        ],
        "capacite": 8,
    }
    data.update(overrides)
    return workshop(**data)


def items_of(*pairs, today=TODAY):
    entries = [Entry(workshop=w, source=f"content/ateliers/{slug}.yaml", slug=slug) for slug, w in pairs]
    return build_catalogue(entries, RATES, today=today)


def url_for(item) -> str:
    return f"https://www.cdg44.fr/ateliers/programme/{item.slug}/"


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


SAMPLE = "2027-03-mutualiser-services"


@pytest.fixture(scope="module")
def sample_items():
    content = load_content(ROOT / "content")
    assert content.errors == []
    items = build_catalogue(content.entries, content.rates, today=TODAY)
    # The reference entry first (the one the design brief describes).
    return sorted(items, key=lambda i: i.slug != SAMPLE)


def test_sample_entry_calendar_parses_back(sample_items):
    assert sample_items[0].slug == SAMPLE
    item = sample_items[0]
    data = entry_calendar(item, url_for(item), STAMP)
    calendar = parse(data)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == item.workshop.titre
    events = calendar.walk("VEVENT")
    assert len(events) == len(item.workshop.seances)
    assert b"\r\n" in data


def test_vtimezone_is_present_and_events_use_paris(sample_items):
    item = sample_items[0]
    data = entry_calendar(item, url_for(item), STAMP)
    calendar = parse(data)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    assert calendar.get_missing_tzids() == set()
    for event in calendar.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert event["DTEND"].params["TZID"] == "Europe/Paris"
    assert b"DTSTART;TZID=Europe/Paris:20270311T090000" in data
    assert b"DTEND;TZID=Europe/Paris:20270311T170000" in data
    # The second session is a half-day after the switch to summer time.
    second = calendar.walk("VEVENT")[1]
    assert second.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)
    assert second.decoded("DTEND").time() == dt.time(12, 30)


def test_event_fields(sample_items):
    item = sample_items[0]
    url = url_for(item)
    event = parse(entry_calendar(item, url, STAMP)).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{item.slug}-seance-1@cdg44.fr"
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "Mutualiser un service entre communes voisines (séance 1/2)"
    assert str(event["LOCATION"]) == "CDG 44, 6 rue du Pen Duick II, 44300 Nantes"
    description = str(event["DESCRIPTION"])
    assert item.workshop.question in description
    assert item.workshop.objet in description
    assert url in description
    assert str(event["URL"]) == url
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == "mailto:conseilrh@cdg44.fr"
    assert event["ORGANIZER"].params["CN"] == "CDG 44"


def test_single_session_summary_has_no_counter():
    (item,) = items_of(("2027-01-recruter", workshop()))
    event = parse(entry_calendar(item, url_for(item), STAMP)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Recruter un agent contractuel"
    assert str(event["UID"]) == "2027-01-recruter-seance-1@cdg44.fr"


def test_codev_sessions_have_stable_unique_uids():
    (item,) = items_of(("2027-codev-dgs", codev()))
    events = parse(entry_calendar(item, url_for(item), STAMP)).walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert uids == [session_uid("2027-codev-dgs", n) for n in range(1, 6)]
    assert len(set(uids)) == 5
    assert [str(e["SUMMARY"]) for e in events][2] == "Groupe de co-développement des DGS (séance 3/5)"
    # Without question, the description falls back to the title.
    assert "Groupe de co-développement des DGS" in str(events[0]["DESCRIPTION"])
    assert events[0].decoded("DTEND").time() == dt.time(17, 30)


def test_cancelled_entry_is_cancelled():
    (item,) = items_of(("2027-01-annule", workshop(statut="annule")))
    data = entry_calendar(item, url_for(item), STAMP)
    event = parse(data).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert b"STATUS:CANCELLED" in data
    assert str(event["SUMMARY"]).startswith("Annulé")


def test_postponed_entry_is_tentative():
    (item,) = items_of(("2027-01-reporte", workshop(statut="reporte")))
    event = parse(entry_calendar(item, url_for(item), STAMP)).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert int(event["SEQUENCE"]) == 0


def test_two_calls_are_byte_identical(sample_items):
    item = sample_items[0]
    assert entry_calendar(item, url_for(item), STAMP) == entry_calendar(item, url_for(item), STAMP)
    again = build_catalogue(load_content(ROOT / "content").entries, RATES, today=TODAY)
    assert feed_calendar(sample_items, url_for, STAMP) == feed_calendar(again, url_for, STAMP)


def test_every_sample_entry_gives_a_valid_calendar(sample_items):
    uids = []
    for item in sample_items:
        calendar = parse(entry_calendar(item, url_for(item), STAMP))
        assert calendar.get_missing_tzids() == set()
        events = calendar.walk("VEVENT")
        assert len(events) == len(item.workshop.seances)
        uids += [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    feed = parse(feed_calendar(sample_items, url_for, STAMP))
    upcoming = sum(len(i.workshop.seances) for i in sample_items if i.availability.is_upcoming)
    assert len(feed.walk("VEVENT")) == upcoming


def test_stamp_in_another_zone_is_written_in_utc():
    (item,) = items_of(("2027-01-recruter", workshop()))
    paris = STAMP.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert entry_calendar(item, url_for(item), paris) == entry_calendar(item, url_for(item), STAMP)
    assert b"DTSTAMP:20261130T040000Z" in entry_calendar(item, url_for(item), STAMP)


def test_feed_lists_upcoming_sessions_only_with_the_same_uids():
    items = items_of(
        ("2026-06-passe", workshop(seances=[{"date": dt.date(2026, 6, 4), "duree": "journee"}])),
        ("2027-01-recruter", workshop()),
        ("2027-codev-dgs", codev()),
        ("2027-01-annule", workshop(titre="Un atelier annulé", statut="annule")),
    )
    data = feed_calendar(items, url_for, STAMP)
    calendar = parse(data)
    assert str(calendar["X-WR-CALNAME"]) == FEED_NAME == "Ateliers et co-développement – CDG 44"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(days=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:P1D" in data
    assert b"X-PUBLISHED-TTL:P1D" in data
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 1 + 5 + 1
    assert not any(uid.startswith("2026-06-passe") for uid in uids)
    # A cancelled upcoming session stays in the feed, marked as cancelled.
    assert "2027-01-annule-seance-1@cdg44.fr" in uids
    # Same UIDs as the per-entry files.
    for item in items[1:]:
        own = [str(e["UID"]) for e in parse(entry_calendar(item, url_for(item), STAMP)).walk("VEVENT")]
        assert set(own) <= set(uids)
    # Sorted by start.
    starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
    assert starts == sorted(starts)


def test_feed_order_does_not_depend_on_input_order():
    items = items_of(("2027-01-recruter", workshop()), ("2027-codev-dgs", codev()))
    assert feed_calendar(items, url_for, STAMP) == feed_calendar(list(reversed(items)), url_for, STAMP)


def test_empty_feed_is_still_a_valid_calendar():
    calendar = parse(feed_calendar([], url_for, STAMP))
    assert calendar.walk("VEVENT") == []
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]


def test_vtimezone_covers_sessions_spanning_years():
    item = items_of(
        (
            "2027-codev-long",
            codev(
                seances=[
                    {"date": dt.date(2027, 11, 9), "duree": "demi-journee"},
                    {"date": dt.date(2028, 4, 4), "duree": "demi-journee"},
                ]
            ),
        )
    )[0]
    calendar = parse(entry_calendar(item, url_for(item), STAMP))
    (timezone,) = calendar.timezones
    tz = timezone.to_tz(lookup_tzid=False)
    summer = dt.datetime(2028, 4, 4, 9, 0, tzinfo=tz)
    winter = dt.datetime(2027, 11, 9, 9, 0, tzinfo=tz)
    assert summer.utcoffset() == dt.timedelta(hours=2)
    assert winter.utcoffset() == dt.timedelta(hours=1)


def test_fast_serialisation_is_byte_identical_to_icalendar():
    """Our folding shortcut must not change a single byte of icalendar's output."""
    import datetime as dt
    from pathlib import Path

    from offer.calendar import fold, session_events, to_ical
    from offer.catalogue import build_catalogue
    from offer.validation import load_content

    content = load_content(Path(__file__).resolve().parents[1] / "content")
    items = build_catalogue(content.entries, content.rates, dt.date(2026, 11, 30))
    stamp = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    events = [e for item in items for e in session_events(item, f"https://exemple.fr/{item.slug}/", stamp)]
    assert events
    for event in events:
        assert to_ical(event) == event.to_ical()
    from icalendar import Event

    tricky = Event()
    tricky.add("SUMMARY", "é" * 40 + "\\" * 3 + "x" * 80 + ";,^" * 30)
    tricky.add("DESCRIPTION", "a" * 73 + "\\n" + "ü" * 100)
    assert to_ical(tricky) == tricky.to_ical()
    assert fold("court") == "court"
