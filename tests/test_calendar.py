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


# -- direct serialisation vs icalendar's object model (the reference) ----------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from offer.calendar import (  # noqa: E402
    ORGANIZER_EMAIL,
    ORGANIZER_NAME,
    _timezone_text,
    escape_text,
    event_description,
    fold,
    session_end,
    session_start,
    session_summary,
)
from tests import ical_reference  # noqa: E402

STATUS = {"programme": "CONFIRMED", "reporte": "TENTATIVE", "annule": "CANCELLED"}


def as_parsed(text: str) -> str:
    """What a TEXT value reads as once parsed: ``\\N`` and every line ending are a line break."""
    return text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")


def assert_fields(data: bytes, items, url_of, stamp=STAMP, name=None):
    """Parse ``data`` back with icalendar and check every field against the model."""
    calendar = Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    if name is not None:
        assert str(calendar["X-WR-CALNAME"]) == name
    assert calendar.get_missing_tzids() == set()
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    expected = 0
    for item in items:
        w = item.workshop
        for number, session in enumerate(w.seances, start=1):
            expected += 1
            event = events[session_uid(item.slug, number)]
            assert str(event["SUMMARY"]) == as_parsed(session_summary(w, number))
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            assert start == session_start(session) and start.utcoffset() == session_start(session).utcoffset()
            assert end == session_end(session)
            assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "Europe/Paris"
            assert event.decoded("DTSTAMP") == stamp
            location = f"{w.lieu.nom}, {w.lieu.adresse}"
            assert str(event["LOCATION"]) == as_parsed(location)
            description = event_description(w, url_of(item))
            assert str(event["DESCRIPTION"]) == as_parsed(description)
            assert str(event["URL"]) == url_of(item)
            assert str(event["STATUS"]) == STATUS[w.statut.value]
            assert int(event["SEQUENCE"]) == (1 if w.statut.value == "annule" else 0)
            assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER_EMAIL}"
            assert event["ORGANIZER"].params["CN"] == ORGANIZER_NAME
    assert len(events) == expected
    # Every line within 75 octets, CRLF endings only.
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75 and b"\n" not in line and b"\r" not in line
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_sample_calendars_are_byte_identical_to_icalendar_and_parse_back(sample_items):
    for item in sample_items:
        url = url_for(item)
        data = entry_calendar(item, url, STAMP)
        assert data == ical_reference.entry_calendar(item, url, STAMP), item.slug
        assert_fields(data, [item], url_for, name=item.workshop.titre)
    feed = feed_calendar(sample_items, url_for, STAMP)
    assert feed == ical_reference.feed_calendar(sample_items, url_for, STAMP)
    assert_fields(feed, [i for i in sample_items if i.availability.is_upcoming], url_for, name=FEED_NAME)


def test_timezone_is_icalendar_s_for_every_range_of_years():
    for first in range(2000, 2061):
        for span in (0, 1, 2, 5, 13):
            assert _timezone_text(first, first + span).encode() == ical_reference.timezone_ical(first, first + span)


def test_escaping_and_folding_match_icalendar():
    from icalendar import Event

    tricky = Event()
    summary = "é" * 40 + "\\" * 3 + "x" * 80 + ";,^" * 30
    description = "a" * 73 + "\\n" + "ü" * 100 + "\\N, \r\n; \r"
    tricky.add("SUMMARY", summary)
    tricky.add("DESCRIPTION", description)
    expected = tricky.to_ical().split(b"\r\n")[1:-2]
    ours = fold("SUMMARY:" + escape_text(summary)) + "\r\n" + fold("DESCRIPTION:" + escape_text(description))
    assert ours.encode().split(b"\r\n") == expected
    assert fold("court") == "court"


# Text an editor may type: accents, typographic signs, the characters RFC 5545
# escapes, line breaks, and long runs that need folding.
# (The model refuses CR and other control characters; escape_text's own test covers CRLF.)
_PIECES = [*'aé ü€–’«»\\;,:"^\nN\t', "\U0001f600", "x" * 30, "é" * 20]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join).map(lambda s: s.strip() or "x")
_ONE_LINE = _TEXT.map(lambda s: s.replace("\n", " ").replace("\t", " ").strip() or "x")


@st.composite
def _workshops(draw):
    first = draw(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2032, 12, 31)))
    sessions = []
    day = first
    for _ in range(draw(st.integers(1, 5))):
        duration = draw(st.sampled_from(["journee", "demi-journee"]))
        start = draw(st.sampled_from([None, "08:00", "09:00", "13:30", "14:00", "20:00"]))
        sessions.append({"date": day, "duree": duration, **({"debut": start} if start else {})})
        day += dt.timedelta(days=draw(st.integers(1, 120)))
    codev = draw(st.booleans())
    overrides = {
        "titre": draw(_ONE_LINE),
        "lieu": {"nom": draw(_ONE_LINE), "adresse": draw(_ONE_LINE)},
        "seances": sessions,
        "statut": draw(st.sampled_from(["programme", "reporte", "annule"])),
        "question": draw(st.none() | _TEXT),
        "objet": draw(st.none() | _TEXT),
    }
    if codev:
        overrides.update(type="codev", capacite=8, public=["DGS"])
    try:
        return make_workshop(**overrides)
    except ValueError:  # a combination the model refuses (e.g. a codev's sessions): not a calendar case
        from hypothesis import reject

        reject()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops=st.lists(_workshops(), min_size=1, max_size=4), hours=st.integers(0, 23))
def test_generated_entries_match_icalendar_field_by_field(workshops, hours):
    items = items_of(*((f"2027-gen-{n}", w) for n, w in enumerate(workshops)))
    stamp = dt.datetime(2026, 11, 30, hours, tzinfo=dt.UTC)
    for item in items:
        data = entry_calendar(item, url_for(item), stamp)
        assert data == ical_reference.entry_calendar(item, url_for(item), stamp)
        assert_fields(data, [item], url_for, stamp, name=item.workshop.titre)
    feed = feed_calendar(items, url_for, stamp)
    assert feed == ical_reference.feed_calendar(items, url_for, stamp)
    assert_fields(feed, [i for i in items if i.availability.is_upcoming], url_for, stamp)


def test_a_line_break_in_an_x_property_stays_on_one_line():
    """icalendar refused a line break in X-WR-CALNAME (the model refuses it in a title too): escaped."""
    from offer.calendar import unknown_text

    assert unknown_text("Recruter\nun agent\r\nbien\r") == "Recruter\\nun agent\\nbien\\n"
    assert unknown_text("a, b; c\\d") == "a, b; c\\d"  # otherwise verbatim, as icalendar wrote it


def _fold_char_by_char(line: str) -> str:
    """icalendar's folding, character by character (the reference of ``fold``)."""
    pieces, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if current and size + width >= 75:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, size = [carried], len(carried.encode("utf-8"))
            else:
                pieces.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", "€", "\U0001f600", "\\", "^", ";", " ", "x" * 20, "\\\\"]), max_size=80))
def test_fold_cuts_where_icalendar_cuts(pieces):
    line = "DESCRIPTION:" + "".join(pieces)
    assert fold(line) == _fold_char_by_char(line)
