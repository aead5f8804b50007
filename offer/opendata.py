"""Open data export of the sessions (JSON and CSV), one row per session.

Pure core (no Pelican import). Column names are French snake_case without
accents, as recommended for French public open data; rows are sorted so that
the same content gives the same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from decimal import Decimal

from .catalogue import CatalogueItem
from .jsontext import dumps_indented

LICENCE = "Licence Ouverte / Open Licence version 2.0"
DESCRIPTION = (
    "Séances des ateliers inter-collectivités et des groupes de co-développement proposés par le"
    " Centre de gestion de la fonction publique territoriale de Loire-Atlantique (CDG 44) :"
    " une ligne par séance. Les places restantes et la disponibilité sont celles du jour de la publication."
)

COLUMNS = (
    "slug",
    "seance",
    "nombre_seances",
    "type",
    "titre",
    "question",
    "objet",
    "public",
    "date",
    "debut",
    "fin",
    "duree",
    "lieu",
    "adresse",
    "capacite",
    "inscrits",
    "places_restantes",
    "statut",
    "disponibilite",
    "prix_par_participant",
    "annee_tarif",
    "url",
)


def _amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def session_rows(items: Iterable[CatalogueItem], url_for: Callable[[CatalogueItem], str]) -> list[dict]:
    """One row per session, sorted by date, start time, slug and session number."""
    rows = []
    for item in items:
        workshop = item.workshop
        url = url_for(item)
        total = len(workshop.seances)
        for number, session in enumerate(workshop.seances, start=1):
            rows.append(
                {
                    "slug": item.slug,
                    "seance": number,
                    "nombre_seances": total,
                    "type": workshop.type.value,
                    "titre": workshop.titre,
                    "question": workshop.question or "",
                    "objet": workshop.objet or "",
                    "public": " ; ".join(workshop.public),
                    "date": session.date.isoformat(),
                    "debut": session.start_time.strftime("%H:%M"),
                    "fin": session.end_time.strftime("%H:%M"),
                    "duree": session.duree.value,
                    "lieu": workshop.lieu.nom,
                    "adresse": workshop.lieu.adresse,
                    "capacite": workshop.capacite,
                    "inscrits": workshop.inscrits,
                    "places_restantes": item.availability.places_left,
                    "statut": workshop.statut.value,
                    "disponibilite": item.availability.label,
                    "prix_par_participant": _amount(item.quote.per_participant),
                    "annee_tarif": item.quote.rate.annee,
                    "url": url,
                }
            )
    rows.sort(key=lambda r: (r["date"], r["debut"], r["slug"], r["seance"]))
    return rows


def to_json(rows: list[dict], description: str = DESCRIPTION) -> str:
    """The JSON file: description, licence, columns and sessions (sorted keys)."""
    data = {"description": description, "licence": LICENCE, "colonnes": list(COLUMNS), "sessions": rows}
    return dumps_indented(data) + "\n"


def to_csv(rows: list[dict]) -> str:
    """The CSV text (',' separator, minimal quoting, CRLF line ends, header first).

    The caller writes it in UTF-8 with a BOM (``encoding="utf-8-sig"``) so that
    spreadsheet software reads the accents right.
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(
        buffer,
        fieldnames=COLUMNS,
        delimiter=",",
        quoting=csv.QUOTE_MINIMAL,
        lineterminator="\r\n",
        extrasaction="raise",
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _registration_details(item) -> dict:
    """What the receiver needs to run a session: places, type, venue and meetings."""
    workshop = item.workshop
    return {
        "type": workshop.type.value,
        "capacite": workshop.capacite,
        # Places the receiver may give: the capacity less the registrations the
        # editor counted outside the site (its own counts come on top).
        "places": max(workshop.capacite - item.offline_registrations, 0),
        "lieu": {
            "nom": workshop.lieu.nom,
            "adresse": workshop.lieu.adresse,
            "accessibilite": workshop.lieu.accessibilite or "",
        },
        "seances": [
            {
                "date": session.date.isoformat(),
                "debut": session.start_time.strftime("%H:%M"),
                "fin": session.end_time.strftime("%H:%M"),
                "journee": session.is_full_day,
            }
            for session in workshop.seances
        ],
    }


def open_registrations(items) -> str:
    """The sessions that accept a registration or a waiting-list request, for the
    form receiver (FORMBACKEND_SESSIONS): slug -> title, state, places, venue, meetings."""
    sessions = {}
    for item in items:
        availability = item.availability
        if availability.accepts_registrations or availability.accepts_waiting_list:
            state = "ouverte" if availability.accepts_registrations else "liste_attente"
            sessions[item.slug] = {"titre": item.workshop.titre, "etat": state, **_registration_details(item)}
    data = {
        "description": "Sessions ouvertes aux inscriptions (ouverte) ou à la liste d'attente (liste_attente) à la date de construction du site,"
        " avec les places que le récepteur de formulaires peut attribuer.",
        "sessions": sessions,
    }
    return dumps_indented(data) + "\n"
