"""Schema migrations: from the version a database file holds to ``SCHEMA_VERSION``.

Each step runs in one transaction with the new ``user_version``, so a database
is either fully at the old version or fully at the new one. Nothing is deleted:
a migration only adds tables, columns and rows.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable

from formbackend.store.schema import REGISTRATIONS_SCHEMA

log = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    """The database cannot be brought to this receiver's version (French message)."""


# States a registration keeps a place in, and the states that make it "live"
# (one live registration per person and session).
PLACE_STATES = ("demandee", "confirmee", "presente", "absente")


def _to_version_2(conn: sqlite3.Connection) -> None:
    """Registrations with their states and history, outbox mails with HTML and attachments.

    Each version-1 registration becomes a registration: on the waiting list if it
    asked for it, confirmed otherwise (version 1 took every registration); a
    second registration of the same person to the same session becomes a
    cancelled one ("doublon"), so that the counts stop counting it twice.
    """
    run_script(conn, REGISTRATIONS_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}
    for column, kind in (
        ("html", "TEXT"),
        ("attachments", "TEXT"),
        ("registration_id", "INTEGER"),
        ("context", "TEXT"),
    ):
        if column not in columns:
            conn.execute(f"ALTER TABLE outbox ADD COLUMN {column} {kind}")
    rows = conn.execute(
        "SELECT id, session, email_key, waiting_list, created_at, data FROM submissions"
        " WHERE session IS NOT NULL AND email_key IS NOT NULL ORDER BY id"
    ).fetchall()
    seen: set[tuple[str, str]] = set()
    for submission_id, session, key, waiting, created, data in rows:
        duplicate = (session, key) in seen
        seen.add((session, key))
        state = "annulee" if duplicate else ("liste_attente" if waiting else "confirmee")
        reason = "doublon d'une inscription antérieure" if duplicate else "reprise des inscriptions existantes"
        registration_id = conn.execute(
            "INSERT INTO registrations (submission_id, session, email_key, position, person, state, created_at, updated_at)"
            " VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
            (submission_id, session, key, person_json(json.loads(data)), state, created, created),
        ).lastrowid
        conn.execute(
            "INSERT INTO registration_history (registration_id, at, actor, from_state, to_state, reason)"
            " VALUES (?, ?, 'migration', NULL, ?, ?)",
            (registration_id, created, state, reason),
        )


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Statement by statement: Python 3.11's executescript() would COMMIT the open transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


PERSON_FIELDS = ("prenom", "nom", "email", "collectivite", "fonction")


def person_json(data: dict) -> str:
    """A registration's person, from a submission's cleaned fields."""
    person = {name: str(data[name]) for name in PERSON_FIELDS if data.get(name) not in (None, "")}
    return json.dumps(person, ensure_ascii=False, separators=(",", ":"))


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _to_version_2}


def migrate(conn: sqlite3.Connection, target: int) -> list[int]:
    """Bring the database to ``target``; returns the versions applied, in order.

    A new file (user_version 0) has just been given the version-1 tables, so it
    starts from 1.
    """
    applied = []
    while True:
        # Read under the write lock: two processes starting together migrate once.
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0] or 1
            if current > target:
                raise MigrationError(
                    f"la base de données est en version {current}, plus récente que ce récepteur ({target}) :"
                    " installez la version du récepteur qui l'a créée"
                )
            if current == target:
                conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
                return applied
            step = current + 1
            MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA user_version = {step}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        log.info("base de données mise à jour en version %s", step)
        applied.append(step)
