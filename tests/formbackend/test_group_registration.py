"""Several agents of one authority registered in one submission: one place each, all or none."""

from __future__ import annotations

import pytest

from tests.formbackend.conftest import asgi_client, encode, headers, make_settings, post_form
from tests.formbackend.lifecycle_support import SESSION, mails_to, query, register, session_info, states, write_sessions

pytestmark = pytest.mark.anyio


def group(*agents, **extra) -> dict:
    data = {
        "session": SESSION,
        "liste_attente": "non",
        "collectivite": "Mairie de Saint-Herblain",
        "prenom": "Claire",
        "nom": "Responsable",
        "email": "drh@mairie-exemple.fr",
    }
    for number, (first, last, email, role) in enumerate(agents, start=1):
        data.update(
            {
                f"agent{number}_prenom": first,
                f"agent{number}_nom": last,
                f"agent{number}_email": email,
                f"agent{number}_fonction": role,
            }
        )
    return {**data, **extra}


AGENTS = [
    ("Ana", "Un", "ana@mairie-exemple.fr", "Agent d'accueil"),
    ("Bo", "Deux", "bo@mairie-exemple.fr", "ATSEM"),
    ("Cy", "Trois", "cy@mairie-exemple.fr", "Secrétaire de mairie"),
]


@pytest.fixture
def app(make_app, tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=4)})
    return make_app(make_settings(tmp_path, sessions_path=sessions, approval_types=()))


async def test_a_group_gets_one_place_each_and_each_agent_a_mail(app):
    db = app.state.receiver.settings.db_path
    async with asgi_client(app) as client:
        answer = await post_form(client, "/f/inscription_groupe", group(*AGENTS), headers())
    assert answer.status_code == 200 and answer.json()["etat"] == "confirmee"
    assert states(db) == {a[2]: "confirmee" for a in AGENTS}
    assert query(db, "SELECT count(*) FROM submissions") == [(1,)]  # one submission, three registrations
    for first, _, email, _ in AGENTS:
        kind, subject, body = mails_to(db, email)[-1]
        assert kind == "inscription_confirmee" and body.startswith(f"Bonjour {first},")
    # The manager gets the acknowledgement, not a registration.
    assert [m[0] for m in mails_to(db, "drh@mairie-exemple.fr")] == ["accuse"]
    person = query(db, "SELECT person FROM registrations WHERE email_key = 'bo@mairie-exemple.fr'")[0][0]
    assert '"fonction":"ATSEM"' in person and '"collectivite":"Mairie de Saint-Herblain"' in person


async def test_all_or_none_the_group_waits_together(app):
    db = app.state.receiver.settings.db_path
    async with asgi_client(app) as client:
        await register(client, 1)
        await register(client, 2)  # 2 places left, the group of 3 does not fit
        answer = await post_form(client, "/f/inscription_groupe", group(*AGENTS), headers())
        after = await register(client, 3)  # nobody jumps the queue
    assert answer.json()["etat"] == "liste_attente"
    assert {email: states(db)[email] for _, _, email, _ in AGENTS} == {a[2]: "liste_attente" for a in AGENTS}
    assert after.json()["etat"] == "liste_attente"
    assert mails_to(db, "ana@mairie-exemple.fr")[-1][0] == "liste_attente"


async def test_incomplete_or_repeated_agents_are_explained(app):
    db = app.state.receiver.settings.db_path
    incomplete = group(AGENTS[0], ("Bo", "", "bo@mairie-exemple.fr", ""))
    repeated = group(AGENTS[0], ("Bo", "Deux", "ANA@mairie-exemple.fr", "ATSEM"))
    async with asgi_client(app) as client:
        first = await post_form(client, "/f/inscription_groupe", incomplete, headers())
        second = await post_form(client, "/f/inscription_groupe", repeated, headers())
        page = await client.post(
            "/f/inscription_groupe",
            content=encode(incomplete),
            headers={**headers(json=False), "Content-Type": "application/x-www-form-urlencoded"},
        )
    assert first.status_code == 422
    assert [(e["field"], e["message"]) for e in first.json()["errors"]] == [
        ("agent2_nom", "Indiquez le nom de l'agent 2, ou videz les champs de cet agent"),
        ("agent2_fonction", "Indiquez la fonction de l'agent 2, ou videz les champs de cet agent"),
    ]
    [error] = second.json()["errors"]
    assert error["field"] == "agent2_email" and "même adresse électronique que l'agent 1" in error["message"]
    # Without JavaScript: the error links to the agent's field in the form the error page holds again.
    assert page.status_code == 422 and 'href="#inscription_groupe-agent2_nom"' in page.text
    assert 'id="inscription_groupe-agent2_nom" name="agent2_nom"' in page.text
    assert query(db, "SELECT count(*) FROM submissions") == [(0,)]


async def test_a_group_with_an_agent_already_registered_is_refused_whole(app):
    db = app.state.receiver.settings.db_path
    async with asgi_client(app) as client:
        await post_form(client, "/f/inscription_groupe", group(AGENTS[1]), headers())
        answer = await post_form(client, "/f/inscription_groupe", group(AGENTS[0], AGENTS[1]), headers())
    [error] = answer.json()["errors"]
    assert error["field"] == "agent2_email" and error["code"] == "already_registered"
    assert error["message"].startswith("bo@mairie-exemple.fr est déjà inscrit ou inscrite à cette session")
    assert states(db) == {"bo@mairie-exemple.fr": "confirmee"}  # Ana was not registered either


async def test_erasing_an_agent_removes_their_registration_history_and_mails(app):
    db = app.state.receiver.settings.db_path
    async with asgi_client(app) as client:
        await post_form(client, "/f/inscription_groupe", group(*AGENTS[:2]), headers())
    app.state.receiver.store.erase_person("bo@mairie-exemple.fr")
    assert states(db) == {"ana@mairie-exemple.fr": "confirmee"}
    assert mails_to(db, "bo@mairie-exemple.fr") == []
    assert query(db, "SELECT count(*) FROM registration_history") == [(1,)]
    assert query(db, "SELECT count(*) FROM submissions") == [(1,)]  # the manager's submission stays


async def test_an_agent_s_data_is_in_the_access_export(app):
    from formbackend.registrations.counts import person_export

    async with asgi_client(app) as client:
        await post_form(client, "/f/inscription_groupe", group(*AGENTS[:2]), headers())
    export = person_export(app.state.receiver.store, "bo@mairie-exemple.fr")
    assert export["nombre_envois"] == 0  # the submission is the manager's
    [registration] = export["inscriptions"]
    assert registration["session"] == SESSION and registration["etat"] == "confirmee"
    assert registration["personne"]["nom"] == "Deux"
    assert registration["historique"][0]["vers"] == "confirmee"
