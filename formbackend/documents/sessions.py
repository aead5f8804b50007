"""A session's documents: the attendance sheet (one row per confirmed person, one
column per meeting) and a person's attestation de présence."""

from __future__ import annotations

import datetime as dt

from formbackend.documents.pdf import render_pdf
from formbackend.mail.registration_mails import describe_session
from formbackend.registrations.records import Registration
from formbackend.registrations.states import ABSENTE, CONFIRMEE, PRESENTE
from offer.formatting import long_date, short_date

ON_THE_SHEET = (CONFIRMEE, PRESENTE, ABSENTE)


def attendance_sheet(slug: str, details: dict, registrations: list[Registration]) -> bytes:
    people = sorted(
        (r.person for r in registrations if r.state in ON_THE_SHEET),
        key=lambda p: (p.get("nom", "").casefold(), p.get("prenom", "").casefold()),
    )
    meetings = [f"Séance du {short_date(dt.date.fromisoformat(m['date']))}" for m in details.get("seances") or []] or [
        "Séance"
    ]
    session = describe_session(slug, details)
    return render_pdf(
        "emargement.html",
        title=f"Feuille d'émargement – {session['titre']}",
        session=session,
        seances=meetings,
        people=[{**{"nom": "", "prenom": "", "collectivite": ""}, **p} for p in people],
    )


class NotPresent(ValueError):
    """An attestation is only for a person marked present."""


def attestation(slug: str, details: dict, registration: Registration, today: dt.date) -> bytes:
    if registration.state != PRESENTE:
        raise NotPresent(registration.state)
    session = describe_session(slug, details)
    return render_pdf(
        "attestation.html",
        title=f"Attestation de présence – {registration.name}",
        session=session,
        person={**{"prenom": "", "nom": "", "fonction": "", "collectivite": ""}, **registration.person},
        today=long_date(today),
    )
