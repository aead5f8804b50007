"""schema.org structured data (JSON-LD) of an entry, for search engines.

Pure core (no Pelican import). The JSON-LD element is data, not script: it is
allowed under a strict Content-Security-Policy.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from .availability import PARIS, State
from .catalogue import CatalogueItem
from .model import Session, Status

SCHEMA = "https://schema.org/"
REGION = "Pays de la Loire"
COUNTRY = "FR"
LANGUAGE = "fr-FR"

EVENT_STATUS = {
    Status.PROGRAMME: SCHEMA + "EventScheduled",
    Status.REPORTE: SCHEMA + "EventPostponed",
    Status.ANNULE: SCHEMA + "EventCancelled",
}

# Registration open -> InStock (or LimitedAvailability for the last places);
# registration not open yet -> InStock with a future validFrom;
# no registration possible any more -> SoldOut.
OFFER_AVAILABILITY = {
    State.AVAILABLE: SCHEMA + "InStock",
    State.NOT_YET_OPEN: SCHEMA + "InStock",
    State.LAST_PLACES: SCHEMA + "LimitedAvailability",
    State.FULL: SCHEMA + "SoldOut",
    State.CLOSED: SCHEMA + "SoldOut",
    State.FINISHED: SCHEMA + "SoldOut",
    State.CANCELLED: SCHEMA + "SoldOut",
    State.POSTPONED: SCHEMA + "SoldOut",
}

_POSTAL = re.compile(r"^(?P<street>.*?)[\s,]*(?P<code>\d{5})\s+(?P<city>[^,\d][^,]*?)\s*$")


def postal_address(text: str | list[str] | tuple[str, ...]) -> dict:
    """A PostalAddress from "6 rue du Pen Duick II, 44300 Nantes" (or a list of lines)."""
    if not isinstance(text, str):
        text = ", ".join(line.strip() for line in text if line and line.strip())
    address: dict = {"@type": "PostalAddress"}
    match = _POSTAL.match(text.strip())
    if match:
        if match["street"]:
            address["streetAddress"] = match["street"].strip(" ,")
        address["postalCode"] = match["code"]
        address["addressLocality"] = match["city"]
    else:
        address["streetAddress"] = text.strip()
    address["addressRegion"] = REGION
    address["addressCountry"] = COUNTRY
    return address


def _iso(session: Session, end: bool = False) -> str:
    moment = dt.datetime.combine(session.date, session.end_time if end else session.start_time, tzinfo=PARIS)
    return moment.isoformat()


def _price(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


def organization(organizer: dict) -> dict:
    """An Organization from the site's contact settings.

    Accepts schema.org keys (name, url, email, telephone, address) or the keys of
    the CONTACT setting (organisme, site, email, telephone_uri/telephone, adresse).
    """
    data: dict = {"@type": "Organization"}
    name = organizer.get("name") or organizer.get("organisme")
    url = organizer.get("url") or organizer.get("site")
    telephone = organizer.get("telephone_uri") or organizer.get("telephone")
    address = organizer.get("address") or organizer.get("adresse")
    if name:
        data["name"] = name
    if url:
        data["url"] = url
    if organizer.get("email"):
        data["email"] = organizer["email"]
    if telephone:
        data["telephone"] = telephone
    if isinstance(address, dict):
        data["address"] = address
    elif address:
        data["address"] = postal_address(address)
    return data


def place(item: CatalogueItem) -> dict:
    venue = item.workshop.lieu
    return {"@type": "Place", "name": venue.nom, "address": postal_address(venue.adresse)}


def offer(item: CatalogueItem, url: str, today: dt.date) -> dict:
    workshop = item.workshop
    state = item.availability.state
    if workshop.last_date < today:
        # An item computed for another day must not sell a finished session.
        state = State.FINISHED if state not in (State.CANCELLED, State.POSTPONED) else state
    deadline = workshop.registration_deadline
    data = {
        "@type": "Offer",
        "price": _price(item.quote.per_participant),
        "priceCurrency": "EUR",
        "availability": OFFER_AVAILABILITY[state],
        "validThrough": deadline.isoformat(),
        "url": url,
    }
    # published_on falls back to a date before the deadline; a validFrom later
    # than validThrough (an editor's odd publie_le) would say the offer was never valid.
    valid_from = workshop.ouverture_inscriptions or workshop.published_on
    if valid_from <= deadline:
        data["validFrom"] = valid_from.isoformat()
    return data


def event_json_ld(item: CatalogueItem, url: str, organizer: dict, today: dt.date) -> dict:
    """A schema.org EducationEvent; a multi-session entry lists its sessions in subEvent.

    ``today`` is the build date: an entry whose last session is before it is never
    offered as available, whatever the item's availability says.
    """
    workshop = item.workshop
    sessions = sorted(workshop.seances, key=lambda s: (s.date, s.start_time))
    status = EVENT_STATUS[workshop.statut]
    location = place(item)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "EducationEvent",
        "name": workshop.titre,
        "description": workshop.question or workshop.titre,
        "startDate": _iso(sessions[0]),
        "endDate": _iso(sessions[-1], end=True),
        "eventAttendanceMode": SCHEMA + "OfflineEventAttendanceMode",
        "eventStatus": status,
        "location": location,
        "organizer": organization(organizer),
        "audience": {"@type": "Audience", "audienceType": ", ".join(workshop.public)},
        "maximumAttendeeCapacity": workshop.capacite,
        "remainingAttendeeCapacity": item.availability.places_left,
        "inLanguage": LANGUAGE,
        "url": url,
        "offers": offer(item, url, today),
    }
    if len(sessions) > 1:
        total = len(sessions)
        data["subEvent"] = [
            {
                "@type": "EducationEvent",
                "name": f"{workshop.titre} (séance {number}/{total})",
                "startDate": _iso(session),
                "endDate": _iso(session, end=True),
                "eventAttendanceMode": SCHEMA + "OfflineEventAttendanceMode",
                "eventStatus": status,
                "location": location,
                "url": url,
            }
            for number, session in enumerate(sessions, start=1)
        ]
    return data


def json_ld_script(data: dict) -> str:
    """The text of a ``<script type="application/ld+json">`` element.

    Sorted keys for reproducible output; ``</`` and ``<!--`` are escaped so that no
    value can end the element or change how the HTML parser reads it.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
