"""Mails abandoned after the last attempt: a warning in the logs, a banner in the administration,
a count in /sante, and a way to send them again (command line and administration)."""

from __future__ import annotations

import base64
import logging
import re
import smtplib

import anyio
import pytest
from aiosmtpd.controller import Controller

from formbackend.__main__ import main
from formbackend.mail.outbox import send_due

from .conftest import VALID, asgi_client, free_port, headers, make_settings, post_form
from .html_check import check_page
from .test_mail import Inbox

pytestmark = pytest.mark.anyio

USER, PASSWORD = "gestion", "une phrase de passe assez longue"
GOOD = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}


class BrokenSmtp:
    """An SMTP connection that cannot be opened (a long outage)."""

    def __init__(self, settings):
        pass

    def __enter__(self):
        raise smtplib.SMTPConnectError(421, "indisponible")

    def __exit__(self, *exc):
        return False


@pytest.fixture
def outage(make_app, tmp_path):
    """A receiver whose SMTP server stayed down past the last attempt: two mails abandoned."""
    settings = make_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        outbox_max_attempts=2,
        outbox_retry_base_seconds=0,
        admin_user=USER,
        admin_password=PASSWORD,
    )
    app = make_app(settings)
    return settings, app


async def abandon_two_mails(app, settings, posted: bool = False):
    if not posted:
        async with asgi_client(app) as client:
            assert (await post_form(client, "/f/contact", VALID["contact"], headers())).status_code == 200
    store = app.state.receiver.store
    for _ in range(3):  # the third pass finds nothing left to try
        await anyio.to_thread.run_sync(lambda: send_due(store, settings, session_factory=BrokenSmtp))
    return store


async def test_abandoning_a_mail_is_a_warning_in_the_logs(outage, caplog):
    settings, app = outage
    caplog.set_level(logging.INFO)
    store = await abandon_two_mails(app, settings)
    abandoned = [r for r in caplog.records if "courriel abandonné" in r.getMessage()]
    assert len(abandoned) == 2 and all(r.levelno == logging.WARNING for r in abandoned)
    assert "--retry-abandoned" in abandoned[0].getMessage()
    assert "lea.bernard" not in caplog.text  # no address in the logs
    assert store.unsent_mails(2) == {"en_attente": 0, "abandonnes": 2}


async def test_health_reports_the_abandoned_mails_without_personal_data(outage):
    settings, app = outage
    async with asgi_client(app) as client:
        assert (await post_form(client, "/f/contact", VALID["contact"], headers())).status_code == 200
        before = await client.get("/sante")
        await abandon_two_mails(app, settings, posted=True)
        after = await client.get("/sante")
    assert before.json() == {"ok": True, "courriels": {"en_attente": 2, "abandonnes": 0}}
    assert after.status_code == 200
    assert after.json() == {"ok": True, "courriels": {"en_attente": 0, "abandonnes": 2}}
    assert "@" not in after.text


async def test_the_administration_shows_a_banner_and_sends_them_again(outage):
    settings, app = outage
    await abandon_two_mails(app, settings)
    async with asgi_client(app) as client:
        index = await client.get("/admin/", headers=GOOD)
        page = check_page(index.text)
        text = " ".join("".join(page.text).split())
        assert "2 courriels abandonnés" in text and "renvoyez-les" in text
        assert '<div class="alerte">' in index.text
        forged = await client.post("/admin/courriels/renvoyer", data={"jeton": "faux"}, headers=GOOD)
        assert forged.status_code == 403
        assert app.state.receiver.store.unsent_mails(2)["abandonnes"] == 2
        token = re.search(
            r'action="/admin/courriels/renvoyer">\s*<input type="hidden" name="jeton" value="([0-9a-f]+)"', index.text
        )
        done = await client.post("/admin/courriels/renvoyer", data={"jeton": token.group(1)}, headers=GOOD)
        assert done.status_code == 200
        check_page(done.text)
        assert "2 courriels abandonnés sont remis en file d&#39;envoi" in done.text or (
            "2 courriels abandonnés sont remis en file d'envoi" in done.text
        )
        assert app.state.receiver.store.unsent_mails(2) == {"en_attente": 2, "abandonnes": 0}
        again = await client.get("/admin/", headers=GOOD)
    assert 'class="alerte"' not in again.text


async def test_send_outbox_retry_abandoned_sends_them(outage, monkeypatch, capsys):
    settings, app = outage
    store = await abandon_two_mails(app, settings)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.smtp_port)
    controller.start()
    try:
        for name, value in {
            "FORMBACKEND_SMTP_HOST": "127.0.0.1",
            "FORMBACKEND_SMTP_PORT": str(settings.smtp_port),
            "FORMBACKEND_MAIL_FROM": "formulaires@cdg44.fr",
            "FORMBACKEND_OUTBOX_MAX_ATTEMPTS": "2",
        }.items():
            monkeypatch.setenv(name, value)
        db = ["--db", str(settings.db_path)]
        # Without the option, the server being back changes nothing for them.
        assert await anyio.to_thread.run_sync(main, ["send-outbox", *db]) == 0
        assert "0 courriel(s) envoyé(s)" in capsys.readouterr().out and not inbox.messages
        assert await anyio.to_thread.run_sync(main, ["send-outbox", *db, "--retry-abandoned"]) == 0
    finally:
        controller.stop()
    out = capsys.readouterr().out
    assert "2 courriel(s) abandonné(s) remis en file d'envoi." in out
    assert "2 courriel(s) envoyé(s), 0 échec(s)" in out
    assert sorted(rcpt[0] for _, rcpt, _ in inbox.messages) == ["conseilrh@cdg44.fr", "lea.bernard@exemple.fr"]
    assert store.unsent_mails(2) == {"en_attente": 0, "abandonnes": 0}
