"""iCalendar files: one per entry, and one subscribable calendar of the offer.

Pure core (no Pelican import). The output depends only on the arguments: the
UIDs are derived from the slug and the session number, DTSTAMP is the build
time given by the caller (from SOURCE_DATE_EPOCH), and the VTIMEZONE only covers
the years of the sessions, so the same input gives byte-identical files.

The text is written directly (RFC 5545: TEXT escaping, lines folded before 75
octets, CRLF line endings), byte for byte as icalendar's object model wrote it
before: building and serialising icalendar components was a third of a
1,000-entry build. The tests keep icalendar as the reference: they compare the
bytes with its output (``tests/ical_reference.py``) and parse every calendar
back with it, field by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache

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
REFRESH_TEXT = "P1D"  # REFRESH as an RFC 5545 DURATION

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


# -- RFC 5545 text --------------------------------------------------------------

FOLD_LIMIT = 75  # octets per line (RFC 5545, 3.1)


def fold(line: str) -> str:
    """Fold one content line as icalendar does: pieces of at most 74 octets joined by CRLF + space.

    A piece is cut before the character that would make it reach 75 octets,
    never inside a UTF-8 character; a backslash or caret ending a piece moves
    to the next one, so that escapes stay whole.
    """
    if len(line) < FOLD_LIMIT // 4:
        return line
    data = line.encode("utf-8")
    if len(data) < FOLD_LIMIT:
        return line
    pieces, start, size = [], 0, len(data)
    while size - start >= FOLD_LIMIT:
        end = start + FOLD_LIMIT - 1
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


def escape_text(text: str) -> str:
    r"""A TEXT value (RFC 5545, 3.3.11), escaped in icalendar's order.

    ``\N`` stands for a line break; backslash, semicolon and comma are escaped;
    CRLF, LF and a lone CR all become ``\n``.
    """
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def unknown_text(text: str) -> str:
    """An X- property's value, verbatim as icalendar writes an unknown type.

    icalendar refused line breaks there; they are written as ``\\n`` so the
    property stays on one content line.
    """
    return text.replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n")


def _line(name: str, value: str) -> str:
    """One content line ``NAME:value``, folded, with its CRLF."""
    return fold(f"{name}:{value}") + "\r\n"


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _offset(delta: dt.timedelta) -> str:
    """A UTC-OFFSET value: ``+0100``, with seconds only when there are some."""
    sign = "-" if delta < dt.timedelta(0) else "+"
    seconds = int(abs(delta).total_seconds())
    hours, minutes, seconds = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{sign}{hours:02}{minutes:02}{seconds:02}" if seconds else f"{sign}{hours:02}{minutes:02}"


# -- the VTIMEZONE ----------------------------------------------------------------

# The steps of icalendar's search for the time changes (Timezone.from_tzinfo).
_SEARCH_STEPS = [dt.timedelta(days=days) for days in (64, 32, 16, 8, 4, 2, 1)] + [
    dt.timedelta(hours=4),
    dt.timedelta(hours=1),
    dt.timedelta(minutes=20),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=1),
    dt.timedelta(seconds=20),
    dt.timedelta(seconds=5),
    dt.timedelta(seconds=1),
]


@lru_cache(maxsize=32)
def _timezone_text(first_year: int, last_year: int) -> str:
    """The VTIMEZONE of Europe/Paris from 1 January of ``first_year`` to the end of ``last_year``.

    The same periods, in the same order and with the same wall times as
    icalendar's ``Timezone.from_tzid`` (which the tests compare it with): one
    STANDARD or DAYLIGHT per kind of period, its first onset as DTSTART and the
    later ones as RDATE.
    """
    first_date, last_date = dt.date(first_year, 1, 1), dt.date(last_year + 1, 1, 1)
    start = dt.datetime(first_year, 1, 1, tzinfo=PARIS)
    last = dt.datetime(last_year + 1, 1, 1, tzinfo=PARIS)
    periods: dict[tuple, list[dt.datetime]] = {}
    offset_to = None
    while start < last:
        offset_from, end, offset_to = offset_to, start, start.utcoffset()
        for step in _SEARCH_STEPS:  # the last wall time still at offset_to
            previous, end = end, end + step
            while end.utcoffset() == offset_to:
                previous, end = end, end + step
            end = previous
        key = (offset_from, offset_to, start.tzname() or str(offset_to), start.dst() == dt.timedelta())
        periods.setdefault(key, []).append(start.replace(tzinfo=None))
        start = end + _SEARCH_STEPS[-1]
    lines = [
        "BEGIN:VTIMEZONE\r\n",
        _line("TZID", escape_text(TZID)),
        _line("COMMENT", escape_text(f"This timezone only works from {first_date} to {last_date}.")),
    ]
    for (offset_from, offset_to, name, is_standard), starts in periods.items():
        onset = min(starts)
        starts.remove(onset)
        if onset.date() == last_date:
            onset = dt.datetime(last_date.year, last_date.month, last_date.day)
        kind = "STANDARD" if is_standard else "DAYLIGHT"
        lines.append(f"BEGIN:{kind}\r\n")
        lines.append(_line("DTSTART", _local(onset)))
        if starts:
            lines.append(_line("RDATE", ",".join(_local(moment) for moment in starts)))
        lines.append(_line("TZNAME", escape_text(name)))
        lines.append(_line("TZOFFSETFROM", _offset(offset_to if offset_from is None else offset_from)))
        lines.append(_line("TZOFFSETTO", _offset(offset_to)))
        lines.append(f"END:{kind}\r\n")
    lines.append("END:VTIMEZONE\r\n")
    return "".join(lines)


# -- events and calendars -----------------------------------------------------------

_ORGANIZER = f'ORGANIZER;CN="{ORGANIZER_NAME}":mailto:{ORGANIZER_EMAIL}\r\n'
_DTSTART = f"DTSTART;TZID={TZID}:"
_DTEND = f"DTEND;TZID={TZID}:"


def session_events(item: CatalogueItem, url: str, stamp: dt.datetime) -> list[str]:
    """One VEVENT per session of the item, as text (properties in icalendar's order)."""
    workshop = item.workshop
    stamp_line = _line("DTSTAMP", _utc(stamp).strftime("%Y%m%dT%H%M%SZ"))
    sequence = _line("SEQUENCE", "1" if workshop.statut is Status.ANNULE else "0")
    # The same for every session of the item.
    tail = (
        _line("DESCRIPTION", escape_text(event_description(workshop, url)))
        + _line("LOCATION", escape_text(f"{workshop.lieu.nom}, {workshop.lieu.adresse}"))
        + _ORGANIZER
        + _line("STATUS", _STATUS[workshop.statut])
        + _line("URL", url)
        + "END:VEVENT\r\n"
    )
    events = []
    for number, session in enumerate(workshop.seances, start=1):
        events.append(
            "BEGIN:VEVENT\r\n"
            + _line("SUMMARY", escape_text(session_summary(workshop, number)))
            + fold(_DTSTART + _local(dt.datetime.combine(session.date, session.start_time)))
            + "\r\n"
            + fold(_DTEND + _local(dt.datetime.combine(session.date, session.end_time)))
            + "\r\n"
            + stamp_line
            + _line("UID", escape_text(session_uid(item.slug, number)))
            + sequence
            + tail
        )
    return events


_HEAD = (
    "BEGIN:VCALENDAR\r\n"
    + _line("VERSION", "2.0")
    + _line("PRODID", escape_text(PRODID))
    + _line("CALSCALE", "GREGORIAN")
)
_FEED_HEAD = (
    _HEAD
    + _line("X-WR-CALDESC", unknown_text(FEED_DESCRIPTION))
    + _line("X-WR-CALNAME", unknown_text(FEED_NAME))
    + _line("REFRESH-INTERVAL;VALUE=DURATION", REFRESH_TEXT)
    + _line("X-PUBLISHED-TTL", REFRESH_TEXT)
    + _line("X-WR-TIMEZONE", TZID)
)


def _calendar(head: str, events: list[tuple[Session, str]], fallback_year: int) -> bytes:
    """The calendar: header properties, the VTIMEZONE of the events' years, the events."""
    years = [session.date.year for session, _ in events]
    timezone = _timezone_text(min(years, default=fallback_year), max(years, default=fallback_year))
    return (head + timezone + "".join(event for _, event in events) + "END:VCALENDAR\r\n").encode("utf-8")


def entry_calendar(item: CatalogueItem, url: str, stamp: dt.datetime, events: list[str] | None = None) -> bytes:
    """The .ics file of one entry: one VEVENT per session (``events``: its ``session_events``, if known)."""
    if events is None:
        events = session_events(item, url, stamp)
    events = list(zip(item.workshop.seances, events, strict=True))
    head = _HEAD + _line("X-WR-CALNAME", unknown_text(item.workshop.titre)) + _line("X-WR-TIMEZONE", TZID)
    return _calendar(head, events, _utc(stamp).year)


def feed_calendar(
    items: Iterable[CatalogueItem],
    url_for: Callable[[CatalogueItem], str],
    stamp: dt.datetime,
    events_by_slug: dict[str, list[str]] | None = None,
) -> bytes:
    """The subscribable calendar of every session of the upcoming items, by start time.

    ``events_by_slug`` holds the items' ``session_events`` already made for
    their own files, so that each VEVENT is serialised once.
    """
    keyed = []
    for item in items:
        if item.availability.is_upcoming:
            sessions = item.workshop.seances
            serialised = (events_by_slug or {}).get(item.slug) or session_events(item, url_for(item), stamp)
            for number, (session, event) in enumerate(zip(sessions, serialised, strict=True), start=1):
                keyed.append(((session_start(session), session_uid(item.slug, number)), session, event))
    keyed.sort(key=lambda entry: entry[0])
    return _calendar(_FEED_HEAD, [(session, event) for _, session, event in keyed], _utc(stamp).year)
