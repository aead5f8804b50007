"""Registrations checked against the sessions the last build published as open."""

from __future__ import annotations

import pytest

from formbackend.registrations.open_sessions import OpenSessions
from tests.formbackend.conftest import (
    VALID,
    ServerProcess,
    asgi_client,
    encode,
    headers,
    make_settings,
    post_form,
    rows,
    write_sessions,
)


@pytest.fixture
def sessions_file(tmp_path):
    path = tmp_path / "inscriptions.json"
    write_sessions(
        path,
        {
            "ouverte": {"titre": "Une session ouverte", "etat": "ouverte"},
            "pleine": {"titre": "Une session complète", "etat": "liste_attente"},
        },
    )
    return path


@pytest.fixture
def checked_app(make_app, tmp_path, sessions_file):
    return make_app(make_settings(tmp_path, sessions_path=sessions_file))


def registration(session, waiting="non"):
    return {**VALID["inscription"], "session": session, "liste_attente": waiting}


@pytest.mark.anyio
async def test_unknown_or_closed_session_is_refused_and_nothing_stored(checked_app, tmp_path):
    async with asgi_client(checked_app) as client:
        response = await post_form(client, "/f/inscription", registration("fermee-ou-inconnue"), headers())
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "session_closed"
    assert "pas ouvertes" in response.json()["errors"][0]["message"]


@pytest.mark.anyio
async def test_the_published_state_decides_the_waiting_list(checked_app, tmp_path):
    from formbackend.store import Store

    async with asgi_client(checked_app) as client:
        # A page kept open since the session filled up still says "non".
        full = await post_form(client, "/f/inscription", registration("pleine", "non"), headers())
        # A forged "oui" on an open session does not hide a real registration.
        open_ = await post_form(client, "/f/inscription", registration("ouverte", "oui"), headers())
    assert full.status_code == 200 and open_.status_code == 200
    counts = Store(make_settings(tmp_path).db_path).registration_counts()
    assert counts.get("ouverte") == 1
    assert counts.get("pleine", 0) == 0


def test_the_file_is_read_again_when_it_changes(sessions_file):
    sessions = OpenSessions(sessions_file)
    assert sessions.get("ouverte").title == "Une session ouverte"
    write_sessions(sessions_file, {"autre": {"titre": "Autre", "etat": "ouverte", "x": 1}})
    assert sessions.get("ouverte") is None and sessions.get("autre") is not None
    sessions_file.write_text("{coupé", encoding="utf-8")  # caught mid-copy: the last good list stays
    assert sessions.get("autre") is not None


@pytest.mark.anyio
async def test_without_the_sessions_file_no_registration_is_accepted(make_app, tmp_path):
    """Development without FORMBACKEND_SESSIONS: a registration is refused in French, other forms work."""
    app = make_app(make_settings(tmp_path, sessions_path=None, environment="developpement"))
    async with asgi_client(app) as client:
        refused = await post_form(client, "/f/inscription", registration("gagnez-un-iphone"), headers())
        page = await post_form(client, "/f/inscription", registration("gagnez-un-iphone"), headers(json=False))
        contact = await post_form(client, "/f/contact", VALID["contact"], headers())
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "session" and error["code"] == "sessions_unknown"
    assert error["message"].startswith("Les inscriptions ne sont pas ouvertes sur ce récepteur")
    assert page.status_code == 422 and "Les inscriptions ne sont pas ouvertes" in page.text
    assert contact.status_code == 200
    assert rows(make_settings(tmp_path).db_path, "SELECT form FROM submissions") == [("contact",)]


def test_development_server_without_sessions_refuses_registrations(tmp_path):
    import httpx

    server = ServerProcess(
        tmp_path / "var" / "formulaires.sqlite3",
        tmp_path / "serveur.log",
        env={"FORMBACKEND_ENV": "developpement", "FORMBACKEND_SESSIONS": ""},
    )
    server.start()
    try:
        post_headers = {**headers(), "Content-Type": "application/x-www-form-urlencoded"}
        response = httpx.post(
            server.url + "/f/inscription", content=encode(registration("gagnez-un-iphone")), headers=post_headers
        )
    finally:
        server.kill()
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "sessions_unknown"
    assert "toute inscription à une session est refusée" in server.log_path.read_text(encoding="utf-8")
