"""Schema version 2: registrations, their states and history, one per person and
session, capacity kept under concurrent submissions, and the migration of a
version-1 database file."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from formbackend.registrations.capacity import Enrolment, Person
from formbackend.registrations.records import AlreadyRegistered
from formbackend.store import SCHEMA_VERSION, NewSubmission, Store
from formbackend.store.database import StoreError
from tests.formbackend.conftest import ThreadServer, asgi_client, encode, headers, make_settings
from tests.formbackend.lifecycle_support import SESSION, person, query, register, session_info, states, write_sessions

# Made by the receiver at schema version 1 (commit ebc89b0, before registrations
# had a life): 6 submissions, among them the same person registered twice to
# one session and a waiting-list request; 6 outbox rows.
VERSION_1_FILE = Path(__file__).parent / "donnees" / "formulaires-v1.sqlite3"


def test_a_version_1_database_is_upgraded_in_place_without_losing_a_row(tmp_path):
    path = tmp_path / "formulaires.sqlite3"
    shutil.copy(VERSION_1_FILE, path)
    before = query(path, "SELECT * FROM submissions ORDER BY id")
    outbox_before = query(path, "SELECT id, submission_id, subject, body FROM outbox ORDER BY id")
    assert query(path, "PRAGMA user_version") == [(1,)] and len(before) == 6

    store = Store(path)

    assert query(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(2,)]
    assert query(path, "SELECT * FROM submissions ORDER BY id") == before
    assert query(path, "SELECT id, submission_id, subject, body FROM outbox ORDER BY id") == outbox_before
    registrations = query(path, "SELECT submission_id, email_key, state FROM registrations ORDER BY id")
    assert registrations == [
        (1, "jeanne.martin@mairie-exemple.fr", "confirmee"),
        (2, "paul.durand@cc-exemple.fr", "confirmee"),
        (3, "lea.bernard@exemple.fr", "confirmee"),
        (4, "jeanne.martin@mairie-exemple.fr", "annulee"),  # the same person again: counted once
        (5, "hugo.petit@exemple.fr", "liste_attente"),
    ]
    history = query(path, "SELECT actor, to_state, reason FROM registration_history ORDER BY id")
    assert len(history) == 5 and history[3] == ("migration", "annulee", "doublon d'une inscription antérieure")
    assert store.registration_counts() == {SESSION: 3, "2027-01-codev-managers": 0}
    # Opening it again changes nothing.
    Store(path)
    assert len(query(path, "SELECT * FROM registrations")) == 5


def test_a_newer_database_is_refused_with_a_french_message(tmp_path):
    path = tmp_path / "db.sqlite3"
    Store(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with pytest.raises(StoreError, match="plus récente que ce récepteur"):
        Store(path)


def test_history_is_append_only(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    enrolment = Enrolment("s", (Person("a@exemple.fr", {"email": "a@exemple.fr"}),), 1, False, False)
    store.add(NewSubmission(form="inscription", data={}, session="s", enrolment=enrolment))
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE registration_history SET reason = 'autre'")
    conn.close()


def test_one_live_registration_per_person_and_session_even_without_the_receiver(tmp_path):
    store = Store(tmp_path / "db.sqlite3")

    def enrol(email, session="s"):
        enrolment = Enrolment(session, (Person(email.casefold(), {"email": email}),), None, False, False)
        store.add(NewSubmission(form="inscription", data={}, session=session, enrolment=enrolment))

    enrol("a@exemple.fr")
    enrol("a@exemple.fr", session="autre")  # another session: allowed
    with pytest.raises(AlreadyRegistered):
        enrol("A@Exemple.fr")
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError):  # the index holds for any writer
        conn.execute(
            "INSERT INTO registrations (submission_id, session, email_key, state, created_at, updated_at)"
            " VALUES (1, 's', 'a@exemple.fr', 'liste_attente', '', '')"
        )
    conn.close()
    assert store.count("inscription") == 2


def test_concurrent_writers_never_overbook(tmp_path):
    """Eight threads, each with its own connection, race for three places."""
    store = Store(tmp_path / "db.sqlite3")
    barrier = threading.Barrier(8)
    errors = []

    def client(number):
        try:
            barrier.wait()
            for k in range(5):
                email = f"p{number}-{k}@exemple.fr"
                enrolment = Enrolment("s", (Person(email, {"email": email}),), 3, False, False)
                Store(store.path).add(NewSubmission(form="inscription", data={}, session="s", enrolment=enrolment))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counted = dict(query(store.path, "SELECT state, count(*) FROM registrations GROUP BY state"))
    assert counted == {"confirmee": 3, "liste_attente": 37}


@pytest.mark.parametrize("capacity", [1, 4])
def test_many_clients_race_for_the_last_places_over_http(make_app, tmp_path, capacity):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=capacity)})
    settings = make_settings(tmp_path, sessions_path=sessions, approval_types=())
    clients = 40

    async def race(url):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:

            async def one(number):
                return await client.post(
                    "/f/inscription",
                    content=encode(person(number)),
                    headers={**headers(), "Content-Type": "application/x-www-form-urlencoded"},
                )

            return await asyncio.gather(*(one(n) for n in range(clients)))

    with ThreadServer(make_app(settings)) as server:
        responses = asyncio.run(race(server.url))
    assert all(r.status_code == 200 for r in responses)
    answered = [r.json()["etat"] for r in responses]
    assert answered.count("confirmee") == capacity and answered.count("liste_attente") == clients - capacity
    counted = list(states(settings.db_path).values())
    assert counted.count("confirmee") == capacity and counted.count("liste_attente") == clients - capacity


@pytest.mark.anyio
async def test_a_second_registration_is_refused_clearly_and_changes_nothing(make_app, tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=5)})
    settings = make_settings(tmp_path, sessions_path=sessions)
    app = make_app(settings)
    async with asgi_client(app) as client:
        first = await register(client, 1)
        again_json = await register(client, 1, email="AGENT1@mairie-exemple.fr", fonction="DGS")
        again_html = await client.post(
            "/f/inscription",
            content=encode(person(1)),
            headers={**headers(json=False), "Content-Type": "application/x-www-form-urlencoded"},
        )
    assert first.status_code == 200 and first.json()["etat"] == "demandee"
    assert again_json.status_code == 422
    [error] = again_json.json()["errors"]
    assert error["field"] == "email" and error["code"] == "already_registered"
    assert "déjà inscrit" in error["message"] and "rien n'a été modifié" in error["message"]
    assert again_html.status_code == 422 and "déjà inscrit ou inscrite à cette session" in again_html.text
    assert query(settings.db_path, "SELECT count(*) FROM submissions") == [(1,)]
    assert query(settings.db_path, "SELECT count(*) FROM outbox") == [(2,)]  # the first one's two mails only
