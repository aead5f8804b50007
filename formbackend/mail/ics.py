"""A session's calendar file (.ics), attached to the confirmation and the convocation.

Its events carry the same UIDs as the site's calendars (offer.calendar), so a
calendar that already holds the site's events updates them instead of adding
copies.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText

from offer.calendar import session_uid

PARIS = ZoneInfo("Europe/Paris")


def session_calendar(slug: str, details: dict, stamp: dt.datetime) -> bytes:
    """The session's .ics; made once per session, content and day (the receiver's hot path attaches it)."""
    key = json.dumps(details, sort_keys=True, ensure_ascii=False)
    day = stamp.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return _session_calendar(slug, key, day)


@functools.lru_cache(maxsize=256)
def _session_calendar(slug: str, details_json: str, stamp: dt.datetime) -> bytes:
    details = json.loads(details_json)
    calendar = Calendar()
    calendar.add("prodid", "-//CDG 44//Inscriptions//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    meetings = details.get("seances") or []
    venue = details.get("lieu") or {}
    location = ", ".join(filter(None, (venue.get("nom"), venue.get("adresse"))))
    for number, meeting in enumerate(meetings, start=1):
        day = dt.date.fromisoformat(meeting["date"])
        event = Event()
        event.add("uid", session_uid(slug, number))
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        # In UTC: no VTIMEZONE to carry, every calendar converts it.
        start = dt.datetime.combine(day, dt.time.fromisoformat(meeting["debut"]), tzinfo=PARIS)
        end = dt.datetime.combine(day, dt.time.fromisoformat(meeting["fin"]), tzinfo=PARIS)
        event.add("dtstart", start.astimezone(dt.UTC))
        event.add("dtend", end.astimezone(dt.UTC))
        suffix = f" (séance {number}/{len(meetings)})" if len(meetings) > 1 else ""
        event.add("summary", f"{details.get('titre', slug)}{suffix}")
        if location:
            event["location"] = vText(location)
        calendar.add_component(event)
    return calendar.to_ical()
