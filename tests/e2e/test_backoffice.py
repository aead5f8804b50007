"""The consultants' session page in Chromium: axe-clean, and usable with the keyboard alone."""

from __future__ import annotations

import pytest

from formbackend.app import create_app
from formbackend.forms import load
from tests.e2e.support import ROOT, assert_accessible
from tests.formbackend.conftest import ThreadServer, make_settings
from tests.formbackend.lifecycle_support import SESSION, person, session_info, states, write_sessions

pytestmark = pytest.mark.browser
USER, PASSWORD = "caorh", "une-phrase-de-passe-longue"


@pytest.fixture
def office(tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=1)})
    settings = make_settings(tmp_path, sessions_path=sessions, admin_user=USER, admin_password=PASSWORD)
    app = create_app(settings, load(ROOT / "content" / "forms.yaml"))
    lifecycle = app.state.receiver.lifecycle
    from formbackend.registrations.capacity import Person
    from formbackend.store import NewSubmission

    for number in (1, 2):
        data = person(number)
        enrolment = lifecycle.enrolment(
            SESSION, [Person(data["email"], data)], app.state.receiver.open_sessions.get(SESSION), False
        )
        app.state.receiver.store.add(NewSubmission(form="inscription", data=data, session=SESSION, enrolment=enrolment))
    with ThreadServer(app) as server:
        yield server, settings
    app.state.receiver.writer.close()


def test_session_page_is_accessible_and_keyboard_usable(e2e_browser, office):
    server, settings = office
    context = e2e_browser.new_context(http_credentials={"username": USER, "password": PASSWORD}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/admin/inscriptions/")
        assert_accessible(page)
        page.click("text=Mutualiser un service")
        assert page.locator("h1").inner_text() == "Mutualiser un service"
        page.locator("summary").first.click()  # the history, open
        assert_accessible(page)
        # Tab to the first "Confirmer" button and press Enter: the request is confirmed.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent").startswith("Confirmer"):
                break
        else:
            raise AssertionError("no « Confirmer » button reached with the Tab key")
        page.keyboard.press("Enter")
        page.wait_for_url("**?fait=confirmer")
        assert page.locator("[role=status]").inner_text().endswith("Inscription confirmée.")
        assert_accessible(page)
    finally:
        context.close()
    assert states(settings.db_path)["agent1@mairie-exemple.fr"] == "confirmee"
