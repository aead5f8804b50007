"""Capacity: which state new registrations get, decided inside the writing transaction.

The receiver's single writer thread stores submissions in ``BEGIN IMMEDIATE``
transactions, so the count it reads and the rows it adds cannot interleave with
another submission's: the last place is given once, however many people race
for it (tests/formbackend/test_capacity.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from formbackend.registrations import records
from formbackend.registrations.states import CONFIRMEE, DEMANDEE, LISTE_ATTENTE
from formbackend.store import OutgoingMail


@dataclass(frozen=True)
class Person:
    email_key: str
    person: dict  # prenom, nom, email, collectivite, fonction


@dataclass(frozen=True)
class Outcome:
    state: str  # the state every registration of the submission got
    registration_ids: tuple[int, ...]
    places_left: int | None  # after this submission, when the capacity is known


def decide(
    conn: sqlite3.Connection, session: str, wanted: int, places: int | None, waiting_asked: bool, approval: bool
) -> tuple[str, int | None]:
    """(state, places left after) for ``wanted`` new registrations, all or none.

    With the published places known, the receiver decides: a place each while
    they last and nobody waits before them, else the waiting list. Without them
    (no FORMBACKEND_SESSIONS), the page's own choice stands.
    """
    granted = DEMANDEE if approval else CONFIRMEE
    if places is None:
        return (LISTE_ATTENTE if waiting_asked else granted), None
    taken, waiting = records.places_and_queue(conn, session)
    left = max(places - taken, 0)
    if wanted <= left and waiting == 0:
        return granted, left - wanted
    return LISTE_ATTENTE, left


@dataclass
class Enrolment:
    """The registrations of one submission, made by the writer in the submission's transaction.

    ``mails(conn, outcome)`` composes the mails once the state and the ids are
    known (the self-service link needs the id). ``outcome`` is read by the
    request after the commit.
    """

    session: str
    people: tuple[Person, ...]
    places: int | None
    waiting_asked: bool
    approval: bool
    details: dict = field(default_factory=dict)
    mails: Callable[[sqlite3.Connection, Outcome], tuple[OutgoingMail, ...]] | None = None
    outcome: Outcome | None = None

    def apply(self, conn: sqlite3.Connection, submission_id: int, moment: dt.datetime) -> tuple[OutgoingMail, ...]:
        self.outcome = None  # a batch retried row by row applies again
        state, left = decide(conn, self.session, len(self.people), self.places, self.waiting_asked, self.approval)
        reason = {
            CONFIRMEE: "place attribuée à l'inscription",
            DEMANDEE: "place réservée, en attente de validation par le CDG",
            LISTE_ATTENTE: "session complète : inscription en liste d'attente",
        }[state]
        if self.details:
            records.remember_session(conn, self.session, self.details)
        ids = tuple(
            records.insert(
                conn, submission_id, self.session, p.email_key, p.person, state, moment, position, reason=reason
            )
            for position, p in enumerate(self.people)
        )
        outcome = Outcome(state, ids, left)
        mails = self.mails(conn, outcome) if self.mails else ()
        self.outcome = outcome
        return mails
