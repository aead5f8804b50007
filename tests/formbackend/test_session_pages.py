"""The consultants' session pages: behind authentication, CSRF on every action, and the actions' effects."""

from __future__ import annotations

import html
import re

import pytest

from formbackend.backoffice.admin import csrf_token
from tests.formbackend.conftest import asgi_client, make_settings
from tests.formbackend.html_check import check_page
from tests.formbackend.lifecycle_support import SESSION, mails_to, register, session_info, states, write_sessions
from tests.formbackend.test_admin import BAD_CREDENTIALS, GOOD, PASSWORD, USER

pytestmark = pytest.mark.anyio
ACTIONS = ["confirmer", "promouvoir", "refuser", "annuler", "present", "absent"]


@pytest.fixture
def office(make_app, tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=2)})
    settings = make_settings(tmp_path, sessions_path=sessions, admin_user=USER, admin_password=PASSWORD)
    return make_app(settings), settings


async def fill(client, count=3):
    for n in range(1, count + 1):
        await register(client, n)


def ids(settings) -> dict[str, int]:
    from tests.formbackend.lifecycle_support import query

    return dict(query(settings.db_path, "SELECT json_extract(person, '$.email'), id FROM registrations"))


def pages(registration_id):
    return [
        ("GET", "/admin/inscriptions/"),
        ("GET", f"/admin/inscriptions/{SESSION}"),
        ("POST", f"/admin/inscriptions/{SESSION}/promotion"),
        *[("POST", f"/admin/inscriptions/{SESSION}/{registration_id}/{action}") for action in ACTIONS],
    ]


@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS))
async def test_every_session_page_needs_the_credentials(office, credentials):
    app, settings = office
    async with asgi_client(app) as client:
        await fill(client, 1)
        registration = next(iter(ids(settings).values()))
        for method, path in pages(registration):
            data = {"jeton": csrf_token(settings)} if method == "POST" else None
            answer = await client.request(method, path, data=data, headers=BAD_CREDENTIALS[credentials])
            assert answer.status_code == 401, (method, path)
    assert set(states(settings.db_path).values()) == {"demandee"}


async def test_every_action_needs_the_page_token(office):
    app, settings = office
    async with asgi_client(app) as client:
        await fill(client, 3)
        registration = ids(settings)["agent1@mairie-exemple.fr"]
        for method, path in pages(registration):
            if method != "POST":
                continue
            for data in ({}, {"jeton": "faux"}):
                answer = await client.post(path, data=data, headers=GOOD)
                assert answer.status_code == 403, path
                assert "depuis les pages de l'administration" in html.unescape(answer.text)
    assert states(settings.db_path) == {
        "agent1@mairie-exemple.fr": "demandee",
        "agent2@mairie-exemple.fr": "demandee",
        "agent3@mairie-exemple.fr": "liste_attente",
    }


async def test_a_session_run_from_the_back_office(office):
    app, settings = office
    token = csrf_token(settings)
    async with asgi_client(app) as client:
        await fill(client, 3)
        people = ids(settings)

        async def act(email, action):
            return await client.post(
                f"/admin/inscriptions/{SESSION}/{people[email]}/{action}", data={"jeton": token}, headers=GOOD
            )

        listing = await client.get("/admin/inscriptions/", headers=GOOD)
        assert listing.status_code == 200 and "Mutualiser un service" in listing.text
        check_page(listing.text)

        confirmed = await act("agent1@mairie-exemple.fr", "confirmer")
        assert confirmed.status_code == 303 and confirmed.headers["location"].endswith("?fait=confirmer")
        page = await client.get(confirmed.headers["location"], headers=GOOD)
        check_page(page.text)
        assert "Inscription confirmée." in page.text and "Agent1 Martin" in page.text
        assert last_kind(settings, "agent1@mairie-exemple.fr") == "inscription_confirmee"

        # Refusing frees a place: it is offered to the first waiting person.
        assert (await act("agent2@mairie-exemple.fr", "refuser")).status_code == 303
        assert last_kind(settings, "agent2@mairie-exemple.fr") == "annulation"
        assert last_kind(settings, "agent3@mairie-exemple.fr") == "place_proposee"
        page = await client.get(f"/admin/inscriptions/{SESSION}", headers=GOOD)
        assert "Place proposée jusqu’au" in page.text
        assert "le CDG : Demandée → Annulée (inscription non retenue par le CDG)" in page.text

        # The consultant gives the place at once, then marks attendance.
        assert (await act("agent3@mairie-exemple.fr", "promouvoir")).status_code == 303
        assert (await act("agent3@mairie-exemple.fr", "present")).status_code == 303
        assert (await act("agent1@mairie-exemple.fr", "absent")).status_code == 303
        refused = await act("agent2@mairie-exemple.fr", "present")
        assert refused.status_code == 409 and "ne peut pas passer" in html.unescape(refused.text)

        switched = await client.post(
            f"/admin/inscriptions/{SESSION}/promotion", data={"jeton": token, "automatique": "0"}, headers=GOOD
        )
        assert switched.status_code == 303
        page = await client.get(switched.headers["location"], headers=GOOD)
        assert "Promotion automatique désactivée." in page.text

    assert states(settings.db_path) == {
        "agent1@mairie-exemple.fr": "absente",
        "agent2@mairie-exemple.fr": "annulee",
        "agent3@mairie-exemple.fr": "presente",
    }


def last_kind(settings, address):
    return mails_to(settings.db_path, address)[-1][0]


async def test_unknown_session_or_person(office):
    app, settings = office
    async with asgi_client(app) as client:
        await fill(client, 1)
        missing = await client.get("/admin/inscriptions/nulle-part", headers=GOOD)
        elsewhere = await client.post(
            "/admin/inscriptions/autre-session/1/confirmer", data={"jeton": csrf_token(settings)}, headers=GOOD
        )
    assert missing.status_code == 404 and elsewhere.status_code == 404
    assert re.search("Inscription introuvable", elsewhere.text)


async def test_the_consultant_writes_why_a_registration_is_refused_or_cancelled(office):
    app, settings = office
    token = csrf_token(settings)
    async with asgi_client(app) as client:
        await fill(client, 3)
        people = ids(settings)
        page = await client.get(f"/admin/inscriptions/{SESSION}", headers=GOOD)
        check_page(page.text)
        field = f'id="motif-{people["agent2@mairie-exemple.fr"]}-refuser" name="motif" maxlength="300"'
        assert field in page.text
        assert f'<label for="motif-{people["agent2@mairie-exemple.fr"]}-refuser">Motif' in page.text

        refused = await client.post(
            f"/admin/inscriptions/{SESSION}/{people['agent2@mairie-exemple.fr']}/refuser",
            data={"jeton": token, "motif": "  Accord de la collectivité\r\nnon reçu\x07 " + "x" * 400},
            headers=GOOD,
        )
        assert refused.status_code == 303
        cancelled = await client.post(
            f"/admin/inscriptions/{SESSION}/{people['agent1@mairie-exemple.fr']}/annuler",
            data={"jeton": token, "motif": ""},
            headers=GOOD,
        )
        assert cancelled.status_code == 303
        waiting = await client.post(
            f"/admin/inscriptions/{SESSION}/{people['agent3@mairie-exemple.fr']}/annuler",
            data={"jeton": token, "motif": "Session réservée aux agents de catégorie A"},
            headers=GOOD,
        )
        assert waiting.status_code == 303
        page = await client.get(f"/admin/inscriptions/{SESSION}", headers=GOOD)

    reason = "Accord de la collectivité non reçu " + "x" * (300 - len("Accord de la collectivité non reçu "))
    assert f"Demandée → Annulée ({reason})" in html.unescape(page.text)
    assert "Demandée → Annulée (annulée par le CDG)" in html.unescape(page.text)  # no reason written: the default
    kind, _, body = mails_to(settings.db_path, "agent2@mairie-exemple.fr")[-1]
    assert kind == "annulation" and f"Motif : {reason}" in body and "\x07" not in body
    kind, _, body = mails_to(settings.db_path, "agent3@mairie-exemple.fr")[-1]
    assert kind == "annulation" and "Motif : Session réservée aux agents de catégorie A" in body
