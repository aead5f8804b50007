"""Notification and acknowledgement through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import time

import anyio
import pytest
from aiosmtpd.controller import Controller

from formbackend.__main__ import main
from formbackend.mail.outbox import send_due

from .conftest import VALID, ThreadServer, asgi_client, free_port, headers, make_settings, post_form, rows

pytestmark = pytest.mark.anyio


class Inbox:
    """aiosmtpd handler keeping what it receives; refuses the recipients listed in `refuse`."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.messages = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Boîte inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def mail_settings(tmp_path, port: int, **changes):
    values = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout_seconds": 5, "outbox_retry_base_seconds": 30}
    return make_settings(tmp_path, **{**values, **changes})


async def test_notification_and_acknowledgement_arrive(make_app, tmp_path, smtp):
    controller, inbox = smtp
    settings = mail_settings(tmp_path, controller.port)
    app = make_app(settings)
    data = {**VALID["inscription"], "prenom": "Élise", "nom": "Lefèvre-Ñúñez", "message": "Accès PMR ?\nMerci"}
    async with asgi_client(app) as client:
        assert (await post_form(client, "/f/inscription", data, headers())).status_code == 200

    result = await anyio.to_thread.run_sync(send_due, app.state.receiver.store, settings)
    assert result == {"envoyes": 2, "echecs": 0}
    by_recipient = {tuple(rcpt): (sender, message) for sender, rcpt, message in inbox.messages}
    assert set(by_recipient) == {("conseilrh@cdg44.fr",), ("jeanne.martin@mairie-exemple.fr",)}

    sender, notification = by_recipient[("conseilrh@cdg44.fr",)]
    assert sender == "formulaires@cdg44.fr"
    assert notification["Subject"] == "Nouvelle inscription — 2027-03-mutualiser-services"
    assert notification["Reply-To"] == "jeanne.martin@mairie-exemple.fr"
    assert notification.get_content_charset() == "utf-8"
    text = notification.get_content().replace("\r\n", "\n")
    assert (
        "Prénom : Élise" in text and "Nom : Lefèvre-Ñúñez" in text and "Message :\n    Accès PMR ?\n    Merci\n" in text
    )
    assert "Session : 2027-03-mutualiser-services" in text

    # A registration's acknowledgement is its state's mail (here: awaiting the CDG's validation).
    _, acknowledgement = by_recipient[("jeanne.martin@mairie-exemple.fr",)]
    assert acknowledgement["Subject"] == "Inscription reçue : Mutualiser un service entre communes voisines"
    assert acknowledgement["To"] == "jeanne.martin@mairie-exemple.fr"
    assert acknowledgement["Auto-Submitted"] == "auto-generated"
    body = acknowledgement.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Bonjour Élise,\n") and "Pour consulter ou annuler votre inscription :\nhttp" in body
    assert "Accès PMR" not in body  # the visitor's free text is not sent back
    assert all(row["sent_at"] for row in app.state.receiver.store.outbox_rows())
    # Nothing left to send: a second run sends nothing twice.
    assert await anyio.to_thread.run_sync(send_due, app.state.receiver.store, settings) == {"envoyes": 0, "echecs": 0}
    assert len(inbox.messages) == 2


async def test_smtp_down_keeps_the_submission_and_retries_later(make_app, tmp_path):
    port = free_port()  # nothing listens there yet
    settings = mail_settings(tmp_path, port)
    app = make_app(settings)
    store = app.state.receiver.store
    async with asgi_client(app) as client:
        response = await post_form(client, "/f/contact", VALID["contact"], headers())
    assert response.status_code == 200

    start = time.time()
    assert await anyio.to_thread.run_sync(send_due, store, settings) == {"envoyes": 0, "echecs": 2}
    assert len(rows(settings.db_path)) == 1
    outbox = store.outbox_rows()
    assert [(row["attempts"], row["sent_at"], row["last_error"]) for row in outbox] == [
        (1, None, "ConnectionRefusedError")
    ] * 2
    assert all(start + 29 <= row["next_attempt_at"] <= time.time() + 31 for row in outbox)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # The server is back, but the retry is not due yet.
        assert await anyio.to_thread.run_sync(send_due, store, settings) == {"envoyes": 0, "echecs": 0}
        later = time.time() + 31
        sent = await anyio.to_thread.run_sync(lambda: send_due(store, settings, now=lambda: later))
        assert sent == {"envoyes": 2, "echecs": 0}
        assert sorted(rcpt[0] for _, rcpt, _ in inbox.messages) == ["conseilrh@cdg44.fr", "lea.bernard@exemple.fr"]
        assert [(row["attempts"], row["last_error"]) for row in store.outbox_rows()] == [(2, None)] * 2
    finally:
        controller.stop()


async def test_refused_recipient_is_retried_then_given_up_without_blocking_the_other(make_app, tmp_path):
    inbox = Inbox(refuse=("lea.bernard@exemple.fr",))
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = mail_settings(tmp_path, controller.port, outbox_max_attempts=2, outbox_retry_base_seconds=0)
        app = make_app(settings)
        async with asgi_client(app) as client:
            assert (await post_form(client, "/f/contact", VALID["contact"], headers())).status_code == 200
        store = app.state.receiver.store
        assert await anyio.to_thread.run_sync(send_due, store, settings) == {"envoyes": 1, "echecs": 1}
        assert await anyio.to_thread.run_sync(send_due, store, settings) == {"envoyes": 0, "echecs": 1}
        assert await anyio.to_thread.run_sync(send_due, store, settings) == {"envoyes": 0, "echecs": 0}
        refused = [row for row in store.outbox_rows() if row["kind"] == "accuse"][0]
        assert refused["attempts"] == 2 and refused["sent_at"] is None
        assert refused["last_error"] == "SMTPRecipientsRefused 550"  # the code, not the address
        assert store.outbox_summary(2) == {"envoyes": 1, "en_attente": 0, "abandonnes": 1}
    finally:
        controller.stop()


async def test_the_server_worker_sends_right_after_a_submission(make_app, tmp_path, smtp):
    controller, inbox = smtp
    settings = mail_settings(tmp_path, controller.port)
    with ThreadServer(make_app(settings)) as server:
        import httpx

        async with httpx.AsyncClient(base_url=server.url) as client:
            response = await post_form(client, "/f/devis", VALID["devis"], headers())
            assert response.status_code == 200
        for _ in range(200):
            if len(inbox.messages) == 2:
                break
            await asyncio.sleep(0.05)
    assert sorted(message["Subject"] for _, _, message in inbox.messages) == [
        "Accusé de réception : Demander un devis",
        "Nouvelle demande de devis",
    ]


def test_send_outbox_command(tmp_path, smtp, monkeypatch, capsys, forms):
    controller, inbox = smtp
    settings = mail_settings(tmp_path, controller.port)
    from formbackend.store import NewSubmission, OutgoingMail, Store

    Store(settings.db_path).add(
        NewSubmission(
            form="contact",
            data={"nom": "X"},
            mails=(
                OutgoingMail(
                    kind="notification", recipients=("conseilrh@cdg44.fr",), subject="Nouveau message", body="Corps é"
                ),
            ),
        )
    )
    for name, value in {
        "FORMBACKEND_SMTP_HOST": "127.0.0.1",
        "FORMBACKEND_SMTP_PORT": str(controller.port),
        "FORMBACKEND_MAIL_FROM": "formulaires@cdg44.fr",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["send-outbox", "--db", str(settings.db_path)]) == 0
    assert "1 courriel(s) envoyé(s), 0 échec(s)" in capsys.readouterr().out
    assert [message["Subject"] for _, _, message in inbox.messages] == ["Nouveau message"]
    monkeypatch.delenv("FORMBACKEND_SMTP_HOST")
    assert main(["send-outbox", "--db", str(settings.db_path)]) == 2
    assert "FORMBACKEND_SMTP_HOST" in capsys.readouterr().err
