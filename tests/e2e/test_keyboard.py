"""The contact form with the keyboard alone: Tab, typing and Enter, errors included."""

from __future__ import annotations

import pytest

from tests.e2e.support import NOTIFY_TO, SAMPLE_ANSWERS, unique_email

pytestmark = pytest.mark.browser

MAX_TABS = 80


def _focused(page) -> str:
    return page.evaluate("document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ''")


def _tab_to(page, target_id: str) -> list[str]:
    """Press Tab until target_id has focus; the ids passed through on the way."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
        if seen[-1] == target_id:
            return seen
    raise AssertionError(f"{target_id} never got the focus with Tab; focus went through {seen}")


def test_the_contact_form_works_with_the_keyboard_alone(js_page, site, receiver, smtp_sink):
    address = unique_email()
    answers = SAMPLE_ANSWERS["contact"]
    js_page.goto(site + "contact/")

    # Enter on an empty form: the summary takes focus, its first link leads to the field.
    _tab_to(js_page, "contact-nom")
    js_page.keyboard.press("Enter")
    js_page.locator("#contact-erreurs").wait_for(state="visible")
    assert _focused(js_page) == "contact-erreurs"
    js_page.keyboard.press("Tab")
    assert js_page.evaluate("document.activeElement.getAttribute('href')") == "#contact-nom"
    js_page.keyboard.press("Enter")
    assert _focused(js_page) == "contact-nom"

    # Fill every field in the order Tab visits them.
    js_page.keyboard.type(answers["nom"])
    js_page.keyboard.press("Tab")
    assert _focused(js_page) == "contact-email"
    js_page.keyboard.type(address)
    js_page.keyboard.press("Tab")
    assert _focused(js_page) == "contact-collectivite"
    js_page.keyboard.press("Tab")  # optional: left empty
    assert _focused(js_page) == "contact-objet"
    js_page.keyboard.type(answers["objet"])
    js_page.keyboard.press("Tab")
    assert _focused(js_page) == "contact-message"
    js_page.keyboard.type(answers["message"])

    # On to the button: the honeypot is never reached.
    path = _tab_to(js_page, "BUTTON")
    assert "contact-_gotcha" not in path
    assert len(path) <= 3, path  # the privacy notice's summary, then the button
    with js_page.expect_navigation(url=site + "merci/"):
        js_page.keyboard.press("Enter")

    [stored] = receiver.submissions(address)
    assert stored["form"] == "contact"
    assert stored["data"]["nom"] == answers["nom"]
    assert stored["data"]["message"] == answers["message"]
    assert "collectivite" not in stored["data"]
    smtp_sink.wait_for(lambda mail: mail.recipients == [NOTIFY_TO] and mail.message["Reply-To"] == address)
    smtp_sink.wait_for(lambda mail: mail.recipients == [address])
