"""The mails of a registration's life: confirmation, request received, waiting
list, place offered, cancellation, convocation (templates in ``modeles/``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path

from formbackend.mail.compose import PARIS
from formbackend.mail.ics import session_calendar
from formbackend.mail.templates import MailTemplates
from formbackend.registrations.records import Registration
from formbackend.registrations.states import CONFIRMEE, DEMANDEE, LISTE_ATTENTE
from formbackend.store import OutboxRow, OutgoingMail, utcnow
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
    deferred: bool = False,
) -> OutgoingMail:
    """The mail ``name`` about a registration.

    ``deferred``: the outbox row keeps the template's name and its values, and
    the text, the HTML and the .ics are made when the mail is sent
    (``render_deferred``). The registration's own transaction then stays short:
    rendering two templates costs more than storing the registration.
    """
    context = {
        "prenom": registration.person.get("prenom", ""),
        "nom": registration.person.get("nom", ""),
        "session": describe_session(registration.session, details),
        "lien": link,
        "echeance": paris_deadline(registration.offer_expires_at) if registration.offer_expires_at else "",
        "motif": reason,
        "calendrier": (
            {"slug": registration.session, "details": details}
            if name in WITH_CALENDAR and details.get("seances")
            else None
        ),
    }
    mail = OutgoingMail(
        kind=name,
        recipients=(registration.email,),
        subject="",
        body="",
        reply_to=reply_to,
        registration_id=registration.id,
        context=context,
    )
    if deferred:
        return mail
    subject, body, html, attachments = _render(templates, name, context, now)
    return dataclasses.replace(mail, subject=subject, body=body, html=html, attachments=attachments, context=None)


def _render(templates: MailTemplates, name: str, context: dict, now: dt.datetime):
    values = {key: value for key, value in context.items() if key != "calendrier"}
    rendered = templates.render(name, **values)
    attachments = ()
    calendar = context.get("calendrier")
    if calendar:
        slug = calendar["slug"]
        attachments = ((f"{slug}.ics", "text/calendar", session_calendar(slug, calendar["details"], now)),)
    return rendered.subject, rendered.text, rendered.html, attachments


@functools.lru_cache(maxsize=8)
def templates_for(override: Path | None) -> MailTemplates:
    return MailTemplates(override)


def render_deferred(row: OutboxRow, override: Path | None, now: dt.datetime | None = None) -> OutboxRow:
    """An outbox row whose mail is made at sending time, made now."""
    if row.context is None:
        return row
    subject, body, html, attachments = _render(templates_for(override), row.kind, row.context, now or utcnow())
    return dataclasses.replace(row, subject=subject, body=body, html=html, attachments=attachments, context=None)
