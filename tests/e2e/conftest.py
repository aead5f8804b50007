"""End-to-end fixtures: the site, the self-hosted receiver and an SMTP sink, all on loopback.

The site is built here with its own ports, so that the pages, their `_next`
thank-you page and the receiver's allowed origin are one origin, as in
production. It is served with the Content-Security-Policy the operator must
set in production: the strict policy plus the receiver's origin in
connect-src (the fetch of forms.js) and form-action (the plain post).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, build_site, free_port
from tests.e2e.support import MAIL_FROM, NOTIFY_TO, ROOT, Receiver, SmtpSink, stop_process, wait_until_answering
from tests.tools.static_server import StaticServer


def production_csp(forms_origin: str) -> str:
    """The site's policy with the form receiver allowed (see the operators' guide)."""
    return (
        f"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {forms_origin};"
        f" form-action 'self' {forms_origin}"
    )


@pytest.fixture(scope="package")
def e2e_ports() -> dict:
    return {"site": free_port(), "forms": free_port(), "smtp": free_port()}


@pytest.fixture(scope="package")
def e2e_origins(e2e_ports) -> dict:
    return {"site": f"http://127.0.0.1:{e2e_ports['site']}", "forms": f"http://127.0.0.1:{e2e_ports['forms']}"}


@pytest.fixture(scope="package")
def e2e_site(tmp_path_factory, e2e_origins):
    """The site built to post to the test receiver and to come back to itself."""
    output = tmp_path_factory.mktemp("e2e-site") / "output"
    result = build_site(
        output,
        env={
            "FORM_ENDPOINT": e2e_origins["forms"],
            "PUBLIC_SITE_URL": e2e_origins["site"],
            "FORM_PROVIDER": "selfhosted",
            "LIVE_AVAILABILITY": "1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="package")
def e2e_site_url(e2e_site, e2e_ports, e2e_origins):
    """http://127.0.0.1:<port>/ serving the build with the production CSP."""
    headers = {"Content-Security-Policy": production_csp(e2e_origins["forms"])}
    with StaticServer(e2e_site, port=e2e_ports["site"], headers=headers) as url:
        yield url


@pytest.fixture(scope="package")
def smtp_sink(e2e_ports):
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=e2e_ports["smtp"])
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(scope="package")
def receiver(tmp_path_factory, e2e_ports, e2e_origins, smtp_sink, e2e_site):
    """`python -m formbackend serve` on loopback, sending its e-mails to the sink."""
    folder = tmp_path_factory.mktemp("receiver")
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORMBACKEND_")}
    env.update(
        {
            "FORMBACKEND_ALLOWED_ORIGINS": e2e_origins["site"],
            "FORMBACKEND_NOTIFY_TO": NOTIFY_TO,
            "FORMBACKEND_MAIL_FROM": MAIL_FROM,
            "FORMBACKEND_SMTP_HOST": "127.0.0.1",
            "FORMBACKEND_SMTP_PORT": str(e2e_ports["smtp"]),
            "FORMBACKEND_OUTBOX_INTERVAL": "1",
            "FORMBACKEND_OUTBOX_RETRY_BASE": "1",
            "FORMBACKEND_RATE_LIMIT": "1000",  # every test posts from 127.0.0.1
            "FORMBACKEND_COUNTS": str(folder / "inscrits.json"),
            # As in production: only the sessions the build published as open are accepted.
            "FORMBACKEND_SESSIONS": str(e2e_site / "donnees" / "inscriptions.json"),
            # Live badges follow each registration at once in these tests.
            "FORMBACKEND_AVAILABILITY_CACHE": "0",
        }
    )
    log_path = folder / "receiver.log"
    db_path = folder / "formulaires.sqlite3"
    command = [
        sys.executable,
        "-m",
        "formbackend",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(e2e_ports["forms"]),
        "--db",
        str(db_path),
        "--forms",
        str(ROOT / "content" / "forms.yaml"),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    running = Receiver(url=e2e_origins["forms"], db_path=db_path, log_path=log_path, process=process)
    try:
        wait_until_answering(running)
        yield running
    finally:
        stop_process(process)


@pytest.fixture
def site(e2e_site_url, receiver) -> str:
    """The site's address, with the receiver running behind its forms."""
    return e2e_site_url


@pytest.fixture(scope="package")
def e2e_browser(request):
    """Chromium for this package only.

    Playwright's sync API leaves its asyncio loop marked as running while it is
    open, which breaks the asyncio-based tests (the receiver's) that would run
    after these ones: this browser is closed when the package is done. If the
    session's browser is already open, it is shared (two sync Playwrights
    cannot run at once).
    """
    if asyncio._get_running_loop() is not None:
        yield request.getfixturevalue("browser")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _context(browser, javascript: bool):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def js_page(e2e_browser):
    context = _context(e2e_browser, javascript=True)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def nojs_page(e2e_browser):
    context = _context(e2e_browser, javascript=False)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
