"""After the form: cancellation through the signed link, offers to the waiting
list and their delay, validation, attendance, convocations, and the mails."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import anyio
import pytest

from formbackend.mail.outbox import send_due
from formbackend.registrations.states import TransitionRefused
from tests.formbackend.conftest import asgi_client, make_settings
from tests.formbackend.html_check import check_page
from tests.formbackend.lifecycle_support import SESSION, mails_to, query, register, session_info, states, write_sessions
from tests.formbackend.test_mail import mail_settings, smtp  # noqa: F401 - the SMTP fixture

pytestmark = pytest.mark.anyio
LINK = re.compile(r"http://[^\s\"<>]+/inscription/[A-Za-z0-9_.\-]+")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def lifecycle_settings(tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=2)})
    return make_settings(tmp_path, sessions_path=sessions, approval_types=(), public_url="http://formulaires.test")


@pytest.fixture
def lifecycle_app(make_app, lifecycle_settings):
    return make_app(lifecycle_settings)


def last_mail(db, address):
    return mails_to(db, address)[-1]


def link_of(db, address) -> str:
    return path_of(LINK.search(last_mail(db, address)[2]).group(0))


async def test_cancel_through_the_link_offers_the_place_to_the_first_waiting(lifecycle_app, lifecycle_settings):
    db = lifecycle_settings.db_path
    async with asgi_client(lifecycle_app) as client:
        answers = [await register(client, n) for n in (1, 2, 3, 4)]
        assert [a.json()["etat"] for a in answers] == ["confirmee", "confirmee", "liste_attente", "liste_attente"]
        kind, subject, body = last_mail(db, "agent1@mairie-exemple.fr")
        assert (kind, subject) == ("inscription_confirmee", "Inscription confirmée : Mutualiser un service")
        assert "jeudi 11 mars 2027, de 9\u00a0h\u00a000 à 17\u00a0h\u00a000" in body
        assert "Lieu : CDG 44, 6 rue du Pen Duick II, 44300 Nantes" in body
        assert "Accessibilité : Salles de plain-pied." in body
        assert last_mail(db, "agent3@mairie-exemple.fr")[1] == "Liste d'attente : Mutualiser un service"

        link = link_of(db, "agent1@mairie-exemple.fr")
        page = await client.get(link)
        assert page.status_code == 200 and "Confirmée" in page.text and "Agent1 Martin" in page.text
        confirm = await client.get(link + "/annuler")
        assert confirm.status_code == 200 and "Oui, annuler mon inscription" in confirm.text
        check_page(page.text)
        check_page(confirm.text)
        assert states(db)["agent1@mairie-exemple.fr"] == "confirmee"  # a GET changes nothing
        done = await client.post(link + "/annuler")
        assert done.status_code == 200 and "Votre inscription est annulée" in done.text
        check_page(done.text)
        again = await client.post(link + "/annuler")
        assert again.status_code == 409 and "ne peut plus être annulée" in again.text

        assert states(db) == {
            "agent1@mairie-exemple.fr": "annulee",
            "agent2@mairie-exemple.fr": "confirmee",
            "agent3@mairie-exemple.fr": "liste_attente",
            "agent4@mairie-exemple.fr": "liste_attente",
        }
        assert last_mail(db, "agent1@mairie-exemple.fr")[1] == "Inscription annulée : Mutualiser un service"
        kind, subject, body = last_mail(db, "agent3@mairie-exemple.fr")
        assert kind == "place_proposee" and "Elle vous est réservée jusqu'au " in body
        assert [m[0] for m in mails_to(db, "agent4@mairie-exemple.fr")] == ["liste_attente"]
        # The offered place is held: a newcomer goes to the waiting list.
        assert (await register(client, 5)).json()["etat"] == "liste_attente"

        offer_link = link_of(db, "agent3@mairie-exemple.fr")
        offer_page = await client.get(offer_link)
        assert "Une place vous est proposée" in offer_page.text and "Accepter la place" in offer_page.text
        accepted = await client.post(offer_link + "/accepter")
        assert accepted.status_code == 200 and "Vous avez accepté la place" in accepted.text
        assert states(db)["agent3@mairie-exemple.fr"] == "confirmee"
        assert last_mail(db, "agent3@mairie-exemple.fr")[0] == "inscription_confirmee"
        twice = await client.post(offer_link + "/accepter")
        assert twice.status_code == 409

    history = query(
        db,
        "SELECT h.actor, h.from_state, h.to_state, h.reason FROM registration_history h"
        " JOIN registrations r ON r.id = h.registration_id WHERE r.email_key = ? ORDER BY h.id",
        ("agent3@mairie-exemple.fr",),
    )
    assert history == [
        ("personne", None, "liste_attente", "session complète : inscription en liste d'attente"),
        ("recepteur", "liste_attente", "liste_attente", "place libérée proposée"),
        ("personne", "liste_attente", "confirmee", "place proposée acceptée"),
    ]


async def test_an_unanswered_offer_passes_to_the_next(lifecycle_app, lifecycle_settings):
    db = lifecycle_settings.db_path
    lifecycle = lifecycle_app.state.receiver.lifecycle
    async with asgi_client(lifecycle_app) as client:
        for n in (1, 2, 3, 4):
            await register(client, n)
    first = query(db, "SELECT id FROM registrations WHERE email_key = 'agent1@mairie-exemple.fr'")[0][0]
    now = dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)
    lifecycle.cancel(first, now=now)
    assert lifecycle.tick(now=now + dt.timedelta(hours=47)) == {"offres_expirees": 0, "offres": 0, "convocations": 0}
    assert lifecycle.tick(now=now + dt.timedelta(hours=49)) == {"offres_expirees": 1, "offres": 1, "convocations": 0}
    assert states(db)["agent3@mairie-exemple.fr"] == "annulee"
    kind, _, body = last_mail(db, "agent3@mairie-exemple.fr")
    assert kind == "annulation" and "Motif : place proposée non acceptée dans le délai" in body
    assert last_mail(db, "agent4@mairie-exemple.fr")[0] == "place_proposee"


async def test_without_automatic_promotion_the_consultant_promotes(lifecycle_app, lifecycle_settings):
    db = lifecycle_settings.db_path
    lifecycle = lifecycle_app.state.receiver.lifecycle
    async with asgi_client(lifecycle_app) as client:
        for n in (1, 2, 3):
            await register(client, n)
    ids = dict(query(db, "SELECT email_key, id FROM registrations"))
    lifecycle.set_auto_promotion(SESSION, False)
    lifecycle.refuse(ids["agent1@mairie-exemple.fr"], "collectivité non adhérente")
    assert [m[0] for m in mails_to(db, "agent3@mairie-exemple.fr")] == ["liste_attente"]  # no offer
    assert "Motif : collectivité non adhérente" in last_mail(db, "agent1@mairie-exemple.fr")[2]
    lifecycle.confirm(ids["agent3@mairie-exemple.fr"])
    assert states(db)["agent3@mairie-exemple.fr"] == "confirmee"
    lifecycle.mark(ids["agent3@mairie-exemple.fr"], present=True)
    lifecycle.mark(ids["agent2@mairie-exemple.fr"], present=False)
    with pytest.raises(TransitionRefused, match="annulée"):
        lifecycle.mark(ids["agent1@mairie-exemple.fr"], present=True)
    assert states(db) == {
        "agent1@mairie-exemple.fr": "annulee",
        "agent2@mairie-exemple.fr": "absente",
        "agent3@mairie-exemple.fr": "presente",
    }


async def test_validation_by_the_cdg_is_the_default(make_app, tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=1, kind="codev")})
    settings = make_settings(tmp_path, sessions_path=sessions)
    assert settings.approval_types == ("atelier", "codev")
    app = make_app(settings)
    async with asgi_client(app) as client:
        assert (await register(client, 1)).json()["etat"] == "demandee"
        assert (await register(client, 2)).json()["etat"] == "liste_attente"  # the request holds the place
    assert last_mail(settings.db_path, "agent1@mairie-exemple.fr")[1] == "Inscription reçue : Mutualiser un service"
    registration = query(settings.db_path, "SELECT id FROM registrations ORDER BY id")[0][0]
    app.state.receiver.lifecycle.confirm(registration)
    assert last_mail(settings.db_path, "agent1@mairie-exemple.fr")[0] == "inscription_confirmee"


async def test_convocation_a_few_days_before_the_first_meeting(lifecycle_app, lifecycle_settings):
    db = lifecycle_settings.db_path
    lifecycle = lifecycle_app.state.receiver.lifecycle
    async with asgi_client(lifecycle_app) as client:
        for n in (1, 2, 3):
            await register(client, n)
    early = dt.datetime(2027, 3, 3, 8, 0, tzinfo=dt.UTC)  # 8 days before 11 March
    assert lifecycle.tick(now=early)["convocations"] == 0
    assert lifecycle.tick(now=early + dt.timedelta(days=1))["convocations"] == 2
    assert lifecycle.tick(now=early + dt.timedelta(days=2))["convocations"] == 0  # once only
    kind, subject, body = last_mail(db, "agent2@mairie-exemple.fr")
    assert (kind, subject) == ("convocation", "Convocation : Mutualiser un service")
    assert "jeudi 8 avril 2027, de 9\u00a0h\u00a000 à 12\u00a0h\u00a030" in body
    assert "Accessibilité : Salles de plain-pied." in body
    attachments = json.loads(
        query(db, "SELECT attachments FROM outbox WHERE kind = 'convocation' ORDER BY id LIMIT 1")[0][0]
    )
    assert attachments[0][:2] == [f"{SESSION}.ics", "text/calendar"]
    assert [m[0] for m in mails_to(db, "agent3@mairie-exemple.fr")] == ["liste_attente"]


async def test_links_tampered_or_expired_get_a_french_page(lifecycle_app, lifecycle_settings, monkeypatch):
    db = lifecycle_settings.db_path
    async with asgi_client(lifecycle_app) as client:
        await register(client, 1)
        link = link_of(db, "agent1@mairie-exemple.fr")
        token = link.rsplit("/", 1)[1]
        tampered = link[: -len(token)] + ("A" if token[0] != "A" else "B") + token[1:]
        bad = await client.get(tampered)
        bad_post = await client.post(tampered + "/annuler")
        import itsdangerous.timed

        later = itsdangerous.timed.time.time() + (lifecycle_settings.link_max_age_days + 1) * 86400
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
        expired = await client.get(link)
        expired_post = await client.post(link + "/annuler")
    assert bad.status_code == 404 and "Ce lien n'est pas valable" in html.unescape(bad.text)
    assert bad_post.status_code == 404
    assert expired.status_code == 410 and "Ce lien a expiré" in expired.text
    assert expired_post.status_code == 410
    assert states(db) == {"agent1@mairie-exemple.fr": "confirmee"}


async def test_mails_are_text_and_html_with_the_calendar(make_app, tmp_path, smtp):  # noqa: F811
    controller, inbox = smtp
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=2)})
    settings = mail_settings(tmp_path, controller.port, sessions_path=sessions, approval_types=())
    app = make_app(settings)
    async with asgi_client(app) as client:
        await register(client, 1, prenom="Élise <b>")
    await anyio.to_thread.run_sync(send_due, app.state.receiver.store, settings)
    [message] = [m for _, rcpt, m in inbox.messages if rcpt == ["agent1@mairie-exemple.fr"]]
    assert message["Subject"] == "Inscription confirmée : Mutualiser un service"
    text = message.get_body(("plain",)).get_content()
    rich = message.get_body(("html",)).get_content()
    assert "Bonjour Élise <b>," in text and "Bonjour Élise &lt;b&gt;," in rich
    [calendar] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    ics = calendar.get_content()
    assert calendar.get_filename() == f"{SESSION}.ics"
    assert "UID:2027-03-mutualiser-services-seance-2@" in ics and "DTSTART:20270311T080000Z" in ics


async def test_an_editor_can_replace_a_mail_template(make_app, tmp_path):
    folder = tmp_path / "modeles"
    folder.mkdir()
    (folder / "liste_attente.txt").write_text("Objet : Vous attendez\nBonjour {{ prenom }}, patience.\n", "utf-8")
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=0)})
    settings = make_settings(tmp_path, sessions_path=sessions, mail_templates_path=folder)
    app = make_app(settings)
    async with asgi_client(app) as client:
        await register(client, 1)
    # Made when sent, with the editor's file.
    from formbackend.mail.compose import build_message

    rows = app.state.receiver.store.claim_due_mails(9e9, 10)
    [message] = [build_message(row, settings) for row in rows if row.recipients == ("agent1@mairie-exemple.fr",)]
    assert message["Subject"] == "Vous attendez"
    assert message.get_body(("plain",)).get_content() == "Bonjour Agent1, patience.\n"


def test_lifecycle_settings_from_the_environment():
    from formbackend.settings import SettingsError, from_env

    settings = from_env(
        {
            "FORMBACKEND_VALIDATION": "codev",
            "FORMBACKEND_OFFER_DELAY_HOURS": "24",
            "FORMBACKEND_CONVOCATION_DAYS": "3",
            "FORMBACKEND_PUBLIC_URL": "https://formulaires.cdg44.fr/",
        }
    )
    assert settings.approval_types == ("codev",) and settings.offer_delay_hours == 24
    assert settings.convocation_days == 3 and settings.public_url == "https://formulaires.cdg44.fr"
    assert from_env({"FORMBACKEND_VALIDATION": "aucun"}).approval_types == ()
    with pytest.raises(SettingsError, match="« formation » inconnu"):
        from_env({"FORMBACKEND_VALIDATION": "formation"})
    with pytest.raises(SettingsError, match="FORMBACKEND_OFFER_DELAY_HOURS"):
        from_env({"FORMBACKEND_OFFER_DELAY_HOURS": "0"})
