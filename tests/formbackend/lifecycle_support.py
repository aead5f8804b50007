"""Helpers of the registrations' tests: a published sessions file, registrations posted, mails read."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.formbackend.conftest import VALID, headers, post_form

SESSION = "2027-03-mutualiser-services"


def session_info(
    places: int, kind: str = "atelier", state: str = "ouverte", title: str = "Mutualiser un service"
) -> dict:
    return {
        "titre": title,
        "etat": state,
        "type": kind,
        "capacite": 15,
        "places": places,
        "lieu": {
            "nom": "CDG 44",
            "adresse": "6 rue du Pen Duick II, 44300 Nantes",
            "accessibilite": "Salles de plain-pied.",
        },
        "seances": [
            {"date": "2027-03-11", "debut": "09:00", "fin": "17:00", "journee": True},
            {"date": "2027-04-08", "debut": "09:00", "fin": "12:30", "journee": False},
        ],
    }


def write_sessions(path: Path, sessions: dict) -> Path:
    path.write_text(json.dumps({"sessions": sessions}, ensure_ascii=False), encoding="utf-8")
    return path


def person(number: int, session: str = SESSION, **extra) -> dict:
    return {
        **VALID["inscription"],
        "session": session,
        "prenom": f"Agent{number}",
        "email": f"agent{number}@mairie-exemple.fr",
        **extra,
    }


async def register(client, number: int, **extra):
    return await post_form(client, "/f/inscription", person(number, **extra), headers())


def query(db_path: Path, sql: str, args=()) -> list:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def states(db_path: Path, session: str = SESSION) -> dict[str, str]:
    return dict(
        query(
            db_path,
            "SELECT json_extract(person, '$.email'), state FROM registrations WHERE session = ? ORDER BY id",
            (session,),
        )
    )


def mails_to(db_path: Path, address: str, templates: Path | None = None) -> list[tuple[str, str, str]]:
    """(kind, subject, body) of the mails queued for one address, oldest first, as they will be sent
    (a registration's mail is made from its template when it is sent)."""
    from formbackend.mail.registration_mails import render_deferred
    from formbackend.store import OutboxRow

    rows = query(
        db_path, "SELECT kind, subject, body, context FROM outbox WHERE recipients = ? ORDER BY id", (address,)
    )
    result = []
    for kind, subject, body, context in rows:
        if context is not None:
            row = OutboxRow(0, 0, kind, (address,), subject, body, None, 0, context=json.loads(context))
            made = render_deferred(row, templates)
            subject, body = made.subject, made.body
        result.append((kind, subject, body))
    return result
