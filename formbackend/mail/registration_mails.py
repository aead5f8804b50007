"""The mails of a registration's life: confirmation, request received, waiting
list, place offered, cancellation, convocation (templates in ``modeles/``)."""

from __future__ import annotations

import datetime as dt

from formbackend.mail.compose import PARIS
from formbackend.mail.ics import session_calendar
from formbackend.mail.templates import MailTemplates
from formbackend.registrations.records import Registration
from formbackend.registrations.states import CONFIRMEE, DEMANDEE, LISTE_ATTENTE
from formbackend.store import OutgoingMail
from offer.formatting import clock, long_date

CONFIRMATION, REQUEST, WAITING, OFFER, CANCELLATION, CONVOCATION = (
    "inscription_confirmee",
    "inscription_demandee",
    "liste_attente",
    "place_proposee",
    "annulation",
    "convocation",
)
TEMPLATE_FOR_STATE = {CONFIRMEE: CONFIRMATION, DEMANDEE: REQUEST, LISTE_ATTENTE: WAITING}
WITH_CALENDAR = {CONFIRMATION, CONVOCATION}


def describe_session(slug: str, details: dict) -> dict:
    """What the templates show of a session, in French."""
    meetings = []
    for meeting in details.get("seances") or []:
        day = dt.date.fromisoformat(meeting["date"])
        start, end = dt.time.fromisoformat(meeting["debut"]), dt.time.fromisoformat(meeting["fin"])
        meetings.append(f"{long_date(day)}, de {clock(start)} à {clock(end)}")
    venue = details.get("lieu") or {}
    return {
        "slug": slug,
        "titre": details.get("titre") or slug,
        "seances": meetings,
        "lieu": ", ".join(filter(None, (venue.get("nom"), venue.get("adresse")))),
        "accessibilite": venue.get("accessibilite") or "",
    }


def paris_deadline(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, PARIS)
    return f"{long_date(moment.date())} à {clock(moment.time())}"


def registration_mail(
    templates: MailTemplates,
    name: str,
    registration: Registration,
    details: dict,
    link: str,
    now: dt.datetime,
    reply_to: str | None = None,
    reason: str = "",
) -> OutgoingMail:
    rendered = templates.render(
        name,
        prenom=registration.person.get("prenom", ""),
        nom=registration.person.get("nom", ""),
        session=describe_session(registration.session, details),
        lien=link,
        echeance=paris_deadline(registration.offer_expires_at) if registration.offer_expires_at else "",
        motif=reason,
    )
    attachments = ()
    if name in WITH_CALENDAR and details.get("seances"):
        attachments = (
            (f"{registration.session}.ics", "text/calendar", session_calendar(registration.session, details, now)),
        )
    return OutgoingMail(
        kind=name,
        recipients=(registration.email,),
        subject=rendered.subject,
        body=rendered.text,
        reply_to=reply_to,
        html=rendered.html,
        attachments=attachments,
        registration_id=registration.id,
    )
