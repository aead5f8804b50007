"""Registrations in SQLite: read them, add them, change their state with its history.

Every function takes a connection whose transaction the caller holds, so that a
change, its history row and the mails it causes are committed together.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from formbackend.registrations.states import ANNULEE, HOLDS_PLACE, LISTE_ATTENTE, check_transition
from formbackend.store import OutgoingMail, timestamp
from formbackend.store.migrations import person_json

# Who made a change, as the history shows it.
PERSON, ADMINISTRATION, RECEIVER = "personne", "administration", "recepteur"


class AlreadyRegistered(Exception):
    """The person already holds a live registration to this session."""

    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Registration:
    id: int
    submission_id: int
    session: str
    email_key: str
    position: int
    person: dict
    state: str
    created_at: str
    updated_at: str
    offer_expires_at: float | None
    convocation_at: str | None = None
    history: tuple = field(default=(), compare=False)

    @property
    def name(self) -> str:
        return " ".join(filter(None, (self.person.get("prenom"), self.person.get("nom")))) or self.email_key

    @property
    def email(self) -> str:
        return self.person.get("email") or self.email_key

    @property
    def offer_pending(self) -> bool:
        return self.state == LISTE_ATTENTE and self.offer_expires_at is not None


@dataclass(frozen=True)
class HistoryRow:
    at: str
    actor: str
    from_state: str | None
    to_state: str
    reason: str


_COLUMNS = (
    "id, submission_id, session, email_key, position, person, state, created_at, updated_at,"
    " offer_expires_at, convocation_at"
)


def _registration(row) -> Registration:
    return Registration(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), *row[6:11])


def get(conn: sqlite3.Connection, registration_id: int, with_history: bool = False) -> Registration:
    row = conn.execute(f"SELECT {_COLUMNS} FROM registrations WHERE id = ?", (registration_id,)).fetchone()
    if row is None:
        raise NotFound(registration_id)
    registration = _registration(row)
    if with_history:
        registration = _with_history(conn, registration)
    return registration


def _with_history(conn, registration: Registration) -> Registration:
    rows = conn.execute(
        "SELECT at, actor, from_state, to_state, reason FROM registration_history WHERE registration_id = ? ORDER BY id",
        (registration.id,),
    )
    return Registration(**{**registration.__dict__, "history": tuple(HistoryRow(*row) for row in rows)})


def of_session(conn: sqlite3.Connection, session: str, with_history: bool = False) -> list[Registration]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM registrations WHERE session = ? ORDER BY id", (session,)).fetchall()
    registrations = [_registration(row) for row in rows]
    return [_with_history(conn, r) for r in registrations] if with_history else registrations


def of_person(conn: sqlite3.Connection, email_key: str) -> list[Registration]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM registrations WHERE email_key = ? ORDER BY id", (email_key,)
    ).fetchall()
    return [_with_history(conn, _registration(row)) for row in rows]


def waiting_queue(conn: sqlite3.Connection, session: str) -> list[Registration]:
    """The waiting list in the order people joined it (offers pending first)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM registrations WHERE session = ? AND state = ? ORDER BY id", (session, LISTE_ATTENTE)
    ).fetchall()
    return [_registration(row) for row in rows]


def places_taken(conn: sqlite3.Connection, session: str) -> int:
    """Places held: registrations holding one, and places offered to the waiting list.

    Two counts that read indexes only (registrations_session_state and
    registrations_offers): this runs inside the writer's transaction for every
    registration.
    """
    marks = ",".join("?" * len(HOLDS_PLACE))
    held = conn.execute(
        f"SELECT count(*) FROM registrations WHERE session = ? AND state IN ({marks})",
        (session, *sorted(HOLDS_PLACE)),
    ).fetchone()[0]
    offered = conn.execute(
        "SELECT count(*) FROM registrations WHERE session = ? AND offer_expires_at IS NOT NULL AND state = ?",
        (session, LISTE_ATTENTE),
    ).fetchone()[0]
    return held + offered


def places_and_queue(conn: sqlite3.Connection, session: str) -> tuple[int, int]:
    """(places taken, waiting list length) of one session, in one statement of index-only counts."""
    marks = ",".join("?" * len(HOLDS_PLACE))
    return conn.execute(
        f"SELECT (SELECT count(*) FROM registrations WHERE session = ? AND state IN ({marks}))"
        " + (SELECT count(*) FROM registrations WHERE session = ? AND offer_expires_at IS NOT NULL AND state = ?),"
        " (SELECT count(*) FROM registrations WHERE session = ? AND state = ?)",
        (session, *sorted(HOLDS_PLACE), session, LISTE_ATTENTE, session, LISTE_ATTENTE),
    ).fetchone()


def occupancy(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """{session: (places taken, people waiting without an offer)} in one query."""
    marks = ",".join("?" * len(HOLDS_PLACE))
    rows = conn.execute(
        f"SELECT session, sum(state IN ({marks}) OR (state = ? AND offer_expires_at IS NOT NULL)),"
        " sum(state = ? AND offer_expires_at IS NULL) FROM registrations GROUP BY session",
        (*sorted(HOLDS_PLACE), LISTE_ATTENTE, LISTE_ATTENTE),
    )
    return {row[0]: (row[1] or 0, row[2] or 0) for row in rows}


def waiting_count(conn: sqlite3.Connection, session: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM registrations WHERE session = ? AND state = ?", (session, LISTE_ATTENTE)
    ).fetchone()[0]


def _history(conn, registration_id: int, now: dt.datetime, actor: str, before: str | None, after: str, reason: str):
    conn.execute(
        "INSERT INTO registration_history (registration_id, at, actor, from_state, to_state, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (registration_id, timestamp(now), actor, before, after, reason),
    )


def insert(
    conn: sqlite3.Connection,
    submission_id: int,
    session: str,
    email_key: str,
    person: dict,
    state: str,
    now: dt.datetime,
    position: int = 0,
    actor: str = PERSON,
    reason: str = "inscription reçue",
) -> int:
    try:
        registration_id = conn.execute(
            "INSERT INTO registrations (submission_id, session, email_key, position, person, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (submission_id, session, email_key, position, person_json(person), state, timestamp(now), timestamp(now)),
        ).lastrowid
    except sqlite3.IntegrityError as exc:
        if "registrations.session" in str(exc) or "UNIQUE" in str(exc):
            raise AlreadyRegistered(person.get("email") or email_key) from None
        raise
    _history(conn, registration_id, now, actor, None, state, reason)
    return registration_id


def change_state(
    conn: sqlite3.Connection,
    registration_id: int,
    target: str,
    now: dt.datetime,
    actor: str,
    reason: str,
    offer_expires_at: float | None = None,
) -> Registration:
    """Move one registration to ``target`` (TransitionRefused if not allowed), with its history row."""
    current = get(conn, registration_id)
    check_transition(current.state, target)
    conn.execute(
        "UPDATE registrations SET state = ?, updated_at = ?, offer_expires_at = ? WHERE id = ?",
        (target, timestamp(now), offer_expires_at, registration_id),
    )
    _history(conn, registration_id, now, actor, current.state, target, reason)
    return get(conn, registration_id)


def set_offer(
    conn: sqlite3.Connection, registration_id: int, expires_at: float | None, now: dt.datetime, actor: str, reason: str
) -> Registration:
    """Offer a freed place to a waiting person (or withdraw the offer); the history keeps it."""
    conn.execute(
        "UPDATE registrations SET offer_expires_at = ?, updated_at = ? WHERE id = ? AND state = ?",
        (expires_at, timestamp(now), registration_id, LISTE_ATTENTE),
    )
    _history(conn, registration_id, now, actor, LISTE_ATTENTE, LISTE_ATTENTE, reason)
    return get(conn, registration_id)


def queue_mail(conn: sqlite3.Connection, registration: Registration, mail: OutgoingMail, now: dt.datetime) -> None:
    """Queue a mail about a registration in the caller's transaction (sent by the outbox)."""
    from formbackend.store.database import insert_mail

    insert_mail(conn, registration.submission_id, mail, now, registration_id=registration.id)


def live_counts(conn: sqlite3.Connection) -> dict[str, tuple[int, int, int]]:
    """{session: (places held, waiting, cancelled)}."""
    marks = ",".join("?" * len(HOLDS_PLACE))
    rows = conn.execute(
        f"SELECT session, sum(state IN ({marks})), sum(state = ?), sum(state = ?) FROM registrations"
        " GROUP BY session ORDER BY session",
        (*sorted(HOLDS_PLACE), LISTE_ATTENTE, ANNULEE),
    )
    return {row[0]: (row[1] or 0, row[2] or 0, row[3] or 0) for row in rows}


def remember_session(conn: sqlite3.Connection, session: str, details: dict) -> None:
    conn.execute(
        "INSERT INTO sessions (session, details) VALUES (?, ?)"
        " ON CONFLICT (session) DO UPDATE SET details = excluded.details WHERE details != excluded.details",
        (session, json.dumps(details, ensure_ascii=False, sort_keys=True)),
    )


def session_details(conn: sqlite3.Connection, session: str) -> dict:
    row = conn.execute("SELECT details FROM sessions WHERE session = ?", (session,)).fetchone()
    return json.loads(row[0]) if row else {}


def auto_promotion(conn: sqlite3.Connection, session: str) -> bool:
    row = conn.execute("SELECT auto_promotion FROM sessions WHERE session = ?", (session,)).fetchone()
    return bool(row[0]) if row else True


def set_auto_promotion(conn: sqlite3.Connection, session: str, enabled: bool) -> None:
    conn.execute(
        "INSERT INTO sessions (session, auto_promotion) VALUES (?, ?)"
        " ON CONFLICT (session) DO UPDATE SET auto_promotion = excluded.auto_promotion",
        (session, int(enabled)),
    )
