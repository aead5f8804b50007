"""Each form, sent with and without JavaScript, reaches the receiver, is stored and notified."""

from __future__ import annotations

import pytest

from tests.e2e.support import (
    NOTIFY_TO,
    SAMPLE_ANSWERS,
    entry_with,
    fill_form,
    open_entry,
    unique_email,
)

pytestmark = pytest.mark.browser

THANKS_TITLE = "Merci, votre demande est envoyée"


def _case(e2e_site, case: str) -> dict:
    """Where each form lives and what the receiver should store for it."""
    if case == "inscription":
        row = open_entry(e2e_site)
        return {
            "form": "inscription",
            "path": f"programme/{row['slug']}/",
            "session": row["slug"],
            "waiting_list": False,
        }
    if case == "liste-attente":
        row = entry_with(e2e_site, "Complet")
        return {
            "form": "inscription",
            "path": f"programme/{row['slug']}/",
            "session": row["slug"],
            "waiting_list": True,
        }
    if case == "devis":
        return {"form": "devis", "path": "demande-de-devis/", "session": None, "waiting_list": False}
    return {"form": "contact", "path": "contact/", "session": None, "waiting_list": False}


CASES = ["inscription", "liste-attente", "devis", "contact"]


def _fill_and_send(page, site: str, case: dict, address: str) -> None:
    page.goto(site + case["path"])
    fill_form(page, case["form"], {**SAMPLE_ANSWERS[case["form"]], "email": address})
    page.click(f"#{case['form']} button[type=submit]")
    page.wait_for_url(site + "merci/")


def _assert_stored(receiver, case: dict, address: str) -> None:
    stored = receiver.submissions(address)
    assert len(stored) == 1, stored
    row = stored[0]
    assert row["form"] == case["form"]
    assert row["session"] == case["session"]
    assert row["waiting_list"] is case["waiting_list"]
    expected = {name: value for name, value in SAMPLE_ANSWERS[case["form"]].items()}
    for name, value in expected.items():
        assert str(row["data"][name]) == value, name
    assert row["data"]["email"] == address


@pytest.mark.parametrize("case_name", CASES)
def test_sent_with_javascript_lands_on_thanks_stored_and_mailed(
    js_page, site, e2e_site, receiver, smtp_sink, case_name
):
    case = _case(e2e_site, case_name)
    address = unique_email()
    js_page.goto(site + case["path"])
    assert js_page.get_attribute(f"form#{case['form']}", "data-ajax") == "true"
    _fill_and_send(js_page, site, case, address)
    assert js_page.locator("h1").inner_text() == THANKS_TITLE
    assert js_page.csp_violations == []
    _assert_stored(receiver, case, address)

    # The notification to the Centre de Gestion, answerable to the visitor…
    notification = smtp_sink.wait_for(
        lambda mail: mail.recipients == [NOTIFY_TO] and mail.message["Reply-To"] == address
    )
    assert address in notification.body
    if case["session"]:
        assert case["session"] in notification.subject
        assert ("liste d'attente" in notification.subject) is case["waiting_list"]
    # …and the acknowledgement to the visitor (a registration's says its state; the CDG validates it).
    acknowledgement = smtp_sink.wait_for(lambda mail: mail.recipients == [address])
    expected = {"inscription": "Inscription reçue : ", "liste-attente": "Liste d'attente : "}
    assert acknowledgement.subject.startswith(expected.get(case_name, "Accusé de réception"))
    assert "Bonjour" in acknowledgement.body


@pytest.mark.parametrize("case_name", CASES)
def test_sent_without_javascript_lands_on_thanks_and_is_stored(
    nojs_page, site, e2e_site, receiver, smtp_sink, case_name
):
    case = _case(e2e_site, case_name)
    address = unique_email()
    responses = []
    nojs_page.on("response", lambda response: responses.append(response))
    _fill_and_send(nojs_page, site, case, address)
    assert nojs_page.locator("h1").inner_text() == THANKS_TITLE
    posted = [r for r in responses if r.request.method == "POST"]
    assert [r.status for r in posted] == [303]
    assert posted[0].url == receiver.action(case["form"])
    _assert_stored(receiver, case, address)
    smtp_sink.wait_for(lambda mail: mail.recipients == [address])
