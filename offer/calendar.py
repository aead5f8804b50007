"""iCalendar files: one per entry, and one subscribable calendar of the offer.

Pure core (no Pelican import). The output depends only on the arguments: the
UIDs are derived from the slug and the session number, DTSTAMP is the build
time given by the caller (from SOURCE_DATE_EPOCH), and the VTIMEZONE only covers
the years of the sessions, so the same input gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

from .availability import PARIS
from .catalogue import CatalogueItem
from .model import Session, Status, Workshop

PRODID = "-//CDG 44//Ateliers et co-développement//FR"
TZID = "Europe/Paris"
UID_DOMAIN = "cdg44.fr"
ORGANIZER_NAME = "CDG 44"
ORGANIZER_EMAIL = "conseilrh@cdg44.fr"
FEED_NAME = "Ateliers et co-développement – CDG 44"
FEED_DESCRIPTION = (
    "Séances à venir des ateliers inter-collectivités et des groupes de co-développement"
    " du Centre de gestion de Loire-Atlantique (CDG 44)."
)
REFRESH = dt.timedelta(days=1)

_STATUS = {Status.PROGRAMME: "CONFIRMED", Status.REPORTE: "TENTATIVE", Status.ANNULE: "CANCELLED"}
_SUMMARY_PREFIX = {Status.PROGRAMME: "", Status.REPORTE: "Reporté : ", Status.ANNULE: "Annulé : "}


def session_uid(slug: str, number: int) -> str:
    """The stable UID of a session (``number`` is 1-based)."""
    return f"{slug}-seance-{number}@{UID_DOMAIN}"


def session_summary(workshop: Workshop, number: int) -> str:
    """« Titre » or « Titre (séance 2/5) », prefixed when cancelled or postponed."""
    total = len(workshop.seances)
    suffix = f" (séance {number}/{total})" if total > 1 else ""
    return f"{_SUMMARY_PREFIX[workshop.statut]}{workshop.titre}{suffix}"


def session_start(session: Session) -> dt.datetime:
    return dt.datetime.combine(session.date, session.start_time, tzinfo=PARIS)


def session_end(session: Session) -> dt.datetime:
    return dt.datetime.combine(session.date, session.end_time, tzinfo=PARIS)


def event_description(workshop: Workshop, url: str) -> str:
    parts = []
    if workshop.statut is Status.ANNULE:
        parts.append("Cette session est annulée.")
    elif workshop.statut is Status.REPORTE:
        parts.append("Cette session est reportée : les nouvelles dates seront publiées sur le site.")
    parts.append(workshop.question or workshop.titre)
    if workshop.objet:
        parts.append(f"Objet produit par le groupe : {workshop.objet}")
    parts.append(f"Programme et inscription : {url}")
    return "\n\n".join(parts)


def _utc(stamp: dt.datetime) -> dt.datetime:
    # A naive stamp is taken as UTC (SOURCE_DATE_EPOCH is a UTC count of seconds).
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{ORGANIZER_EMAIL}")
    organizer.params["CN"] = vText(ORGANIZER_NAME)
    return organizer


def session_events(item: CatalogueItem, url: str, stamp: dt.datetime) -> list[Event]:
    """One VEVENT per session of the item."""
    workshop = item.workshop
    description = event_description(workshop, url)
    location = f"{workshop.lieu.nom}, {workshop.lieu.adresse}"
    status = _STATUS[workshop.statut]
    sequence = 1 if workshop.statut is Status.ANNULE else 0
    events = []
    for number, session in enumerate(workshop.seances, start=1):
        event = Event()
        event.add("UID", session_uid(item.slug, number))
        event.add("DTSTAMP", _utc(stamp))
        event.add("DTSTART", session_start(session))
        event.add("DTEND", session_end(session))
        event.add("SUMMARY", session_summary(workshop, number))
        event.add("LOCATION", location)
        event.add("DESCRIPTION", description)
        event.add("URL", url)
        event.add("STATUS", status)
        event.add("SEQUENCE", sequence)
        event.add("ORGANIZER", _organizer())
        events.append(event)
    return events


@lru_cache(maxsize=32)
def _timezone_ical(first_year: int, last_year: int) -> bytes:
    timezone = Timezone.from_tzid(TZID, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1))
    return timezone.to_ical()


_END = b"END:VCALENDAR\r\n"


FOLD_LIMIT = 75  # octets per line (RFC 5545, 3.1)


def fold(line: str) -> str:
    """Fold one content line as icalendar does, with a fast path for short lines.

    icalendar folds character by character, which was a third of a 5,000-entry
    build; most lines are short. Long ones are cut before 75 octets, never inside
    a UTF-8 character nor right after a backslash or caret (escapes stay whole).
    """
    if len(line) < FOLD_LIMIT // 4 or len(line.encode("utf-8")) < FOLD_LIMIT:
        return line
    pieces, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if current and size + width >= FOLD_LIMIT:
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


def to_ical(component) -> bytes:
    """``component.to_ical()``, byte for byte, with the fast folding above."""
    lines = component.content_lines(sorted=True)
    return b"".join(fold(line).encode("utf-8") + b"\r\n" for line in lines if line)


def _serialised_events(item: CatalogueItem, url: str, stamp: dt.datetime, cache: dict | None) -> list[bytes]:
    """The VEVENTs of an item as bytes; a shared cache lets the feed reuse the entry's."""
    key = (item.slug, url, stamp)
    if cache is not None and key in cache:
        return cache[key]
    serialised = [to_ical(event) for event in session_events(item, url, stamp)]
    if cache is not None:
        cache[key] = serialised
    return serialised


def _calendar(name: str, events: list[tuple[Session, bytes]], fallback_year: int, extra: tuple = ()) -> bytes:
    """Serialise the calendar: header properties, the VTIMEZONE, then the events.

    Each component is serialised by icalendar; the VTIMEZONE bytes are computed
    once per range of years and reused (parsing and serialising it again for
    every entry was most of the cost of a 5,000-entry build).
    """
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", TZID)
    for key, value, parameters in extra:
        calendar.add(key, value, parameters=parameters)
    head = calendar.to_ical()
    if not head.endswith(_END):
        raise ValueError("unexpected calendar serialisation")
    years = [session.date.year for session, _ in events]
    timezone = _timezone_ical(min(years, default=fallback_year), max(years, default=fallback_year))
    return head[: -len(_END)] + timezone + b"".join(event for _, event in events) + _END


def entry_calendar(item: CatalogueItem, url: str, stamp: dt.datetime, cache: dict | None = None) -> bytes:
    """The .ics file of one entry: one VEVENT per session."""
    events = list(zip(item.workshop.seances, _serialised_events(item, url, stamp, cache), strict=True))
    return _calendar(item.workshop.titre, events, _utc(stamp).year)


def feed_calendar(
    items: Iterable[CatalogueItem],
    url_for: Callable[[CatalogueItem], str],
    stamp: dt.datetime,
    cache: dict | None = None,
) -> bytes:
    """The subscribable calendar of every session of the upcoming items, by start time."""
    keyed = []
    for item in items:
        if item.availability.is_upcoming:
            sessions = item.workshop.seances
            serialised = _serialised_events(item, url_for(item), stamp, cache)
            for number, (session, event) in enumerate(zip(sessions, serialised, strict=True), start=1):
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
