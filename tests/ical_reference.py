"""The calendars as icalendar's object model writes them: the tests' reference.

This is how ``offer/calendar.py`` serialised the calendars before it wrote the
text itself (icalendar 7, ``Component.to_ical()``, folded by icalendar). The
tests compare the build's bytes with this and parse them back with icalendar,
field by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

from offer.calendar import (
    FEED_DESCRIPTION,
    FEED_NAME,
    ORGANIZER_EMAIL,
    ORGANIZER_NAME,
    PRODID,
    REFRESH,
    TZID,
    event_description,
    session_end,
    session_start,
    session_summary,
    session_uid,
)
from offer.catalogue import CatalogueItem
from offer.model import Status

_STATUS = {Status.PROGRAMME: "CONFIRMED", Status.REPORTE: "TENTATIVE", Status.ANNULE: "CANCELLED"}
_END = b"END:VCALENDAR\r\n"


def _utc(stamp: dt.datetime) -> dt.datetime:
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def session_events(item: CatalogueItem, url: str, stamp: dt.datetime) -> list[Event]:
    workshop = item.workshop
    events = []
    for number, session in enumerate(workshop.seances, start=1):
        event = Event()
        event.add("UID", session_uid(item.slug, number))
        event.add("DTSTAMP", _utc(stamp))
        event.add("DTSTART", session_start(session))
        event.add("DTEND", session_end(session))
        event.add("SUMMARY", session_summary(workshop, number))
        event.add("LOCATION", f"{workshop.lieu.nom}, {workshop.lieu.adresse}")
        event.add("DESCRIPTION", event_description(workshop, url))
        event.add("URL", url)
        event.add("STATUS", _STATUS[workshop.statut])
        event.add("SEQUENCE", 1 if workshop.statut is Status.ANNULE else 0)
        organizer = vCalAddress(f"mailto:{ORGANIZER_EMAIL}")
        organizer.params["CN"] = vText(ORGANIZER_NAME)
        event.add("ORGANIZER", organizer)
        events.append(event)
    return events


def timezone_ical(first_year: int, last_year: int) -> bytes:
    first, last = dt.date(first_year, 1, 1), dt.date(last_year + 1, 1, 1)
    return Timezone.from_tzid(TZID, first_date=first, last_date=last).to_ical()


def _calendar(name: str, events: list, fallback_year: int, extra: tuple = ()) -> bytes:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", TZID)
    for key, value, parameters in extra:
        calendar.add(key, value, parameters=parameters)
    head = calendar.to_ical()
    assert head.endswith(_END)
    years = [session.date.year for session, _ in events]
    timezone = timezone_ical(min(years, default=fallback_year), max(years, default=fallback_year))
    return head[: -len(_END)] + timezone + b"".join(event.to_ical() for _, event in events) + _END


def entry_calendar(item: CatalogueItem, url: str, stamp: dt.datetime) -> bytes:
    events = list(zip(item.workshop.seances, session_events(item, url, stamp), strict=True))
    return _calendar(item.workshop.titre, events, _utc(stamp).year)


def feed_calendar(items: Iterable[CatalogueItem], url_for: Callable[[CatalogueItem], str], stamp: dt.datetime) -> bytes:
    keyed = []
    for item in items:
        if item.availability.is_upcoming:
            events = session_events(item, url_for(item), stamp)
            for number, (session, event) in enumerate(zip(item.workshop.seances, events, strict=True), start=1):
                keyed.append(((session_start(session), session_uid(item.slug, number)), session, event))
    keyed.sort(key=lambda entry: entry[0])
    return _calendar(
        FEED_NAME,
        [(session, event) for _, session, event in keyed],
        _utc(stamp).year,
        extra=(
            ("X-WR-CALDESC", FEED_DESCRIPTION, None),
            ("REFRESH-INTERVAL", REFRESH, {"VALUE": "DURATION"}),
            ("X-PUBLISHED-TTL", vDuration(REFRESH), None),
        ),
    )
