"""A session's life end to end, in Chromium on the built site and the running receiver.

Register until full; the next visitor finds the waiting-list form (the badge
changed without a rebuild) and joins it; the first registrant cancels through
the link of their mail; the waiting person is offered the place by mail,
accepts it; a last cancellation frees a place and the page shows it. Every
mail's text is checked.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.support import SAMPLE_ANSWERS, fill_form, open_entry, unique_email

pytestmark = pytest.mark.browser
LINK = re.compile(r"http://127\.0\.0\.1:\d+/inscription/[A-Za-z0-9_.\-]+")


def quiet_session(site) -> tuple[str, dict]:
    """An open session the other browser tests do not register to, with the fewest places."""
    published = json.loads((site / "donnees" / "inscriptions.json").read_text(encoding="utf-8"))["sessions"]
    busy = open_entry(site)["slug"]
    candidates = [
        (info["places"], slug) for slug, info in published.items() if info["etat"] == "ouverte" and slug != busy
    ]
    places, slug = min(candidates)
    assert places >= 2, published
    return slug, published[slug]


def post_registration(receiver, origin: str, slug: str, address: str) -> dict:
    answer = httpx.post(
        receiver.action("inscription"),
        data={**SAMPLE_ANSWERS["inscription"], "session": slug, "liste_attente": "non", "email": address},
        headers={"Origin": origin, "Accept": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def mail_to(smtp_sink, address: str, subject_start: str):
    return smtp_sink.wait_for(lambda m: m.recipients == [address] and m.subject.startswith(subject_start))


def register_in_browser(page, site: str, slug: str, address: str) -> None:
    fill_form(page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": address})
    page.click("#inscription button[type=submit]")
    page.wait_for_url(site + "merci/")


def test_register_until_full_wait_cancel_offer_accept(js_page, site, e2e_site, receiver, smtp_sink):
    slug, info = quiet_session(e2e_site)
    title = info["titre"]
    origin = site.rstrip("/")
    page_url = f"{site}programme/{slug}/"
    people = [unique_email() for _ in range(info["places"])]

    # Every place but the last, taken through the receiver directly.
    for address in people[:-1]:
        assert post_registration(receiver, origin, slug, address)["etat"] == "demandee"
    first_mail = mail_to(smtp_sink, people[0], "Inscription reçue : ")
    assert first_mail.subject == f"Inscription reçue : {title}"
    assert "Une place vous est réservée en attendant" in first_mail.body
    assert "Lieu : " + info["lieu"]["nom"] in first_mail.body

    # The last place, in the browser: the page still offers registration.
    js_page.goto(page_url)
    expect(js_page.locator(".entry__status .badge")).to_have_text("Plus qu'une place")
    assert js_page.input_value("#inscription input[name=liste_attente]") == "non"
    register_in_browser(js_page, site, slug, people[-1])
    mail_to(smtp_sink, people[-1], "Inscription reçue : ")

    # Full now: without a rebuild, the badge says so and the form is the waiting list's.
    waiting = unique_email()
    js_page.goto(page_url)
    expect(js_page.locator(".entry__status .badge")).to_have_text("Complet")
    assert js_page.input_value("#inscription input[name=liste_attente]") == "oui"
    assert js_page.locator("#inscription-titre").inner_text() == "Demander une place en liste d'attente"
    assert js_page.locator("#avis-liste-attente").is_visible()
    register_in_browser(js_page, site, slug, waiting)
    notice = mail_to(smtp_sink, waiting, "Liste d'attente : ")
    assert "vous êtes inscrit(e) sur la liste d'attente" in notice.body
    assert js_page.csp_violations == []

    # The first registrant cancels through the link of their mail, with a confirmation step.
    js_page.goto(LINK.search(first_mail.body).group(0))
    assert js_page.locator("h1").inner_text() == "Votre inscription"
    js_page.click("text=Annuler mon inscription")
    assert js_page.locator("h1").inner_text() == "Annuler votre inscription ?"
    js_page.click("text=Oui, annuler mon inscription")
    assert js_page.locator("h1").inner_text() == "Inscription annulée"
    receipt = mail_to(smtp_sink, people[0], "Inscription annulée : ")
    assert f"Votre inscription à la session « {title} » est annulée." in receipt.body

    # The waiting person is offered the place, and accepts it.
    offer = mail_to(smtp_sink, waiting, "Une place se libère : ")
    assert "Elle vous est réservée jusqu'au " in offer.body
    assert "la place sera proposée à la personne suivante" in offer.body
    js_page.goto(LINK.search(offer.body).group(0))
    assert js_page.locator("h2", has_text="Une place vous est proposée").is_visible()
    js_page.click("text=Accepter la place")
    assert js_page.locator("h1").inner_text() == "Place acceptée"
    accepted = smtp_sink.wait_for(lambda m: m.recipients == [waiting] and m.subject.startswith("Inscription reçue : "))
    assert "Pour consulter ou annuler votre inscription" in accepted.body

    # A last cancellation frees a place nobody waits for: the page offers it again.
    second = mail_to(smtp_sink, people[1], "Inscription reçue : ")
    js_page.goto(LINK.search(second.body).group(0) + "/annuler")
    js_page.click("text=Oui, annuler mon inscription")
    js_page.goto(page_url)
    expect(js_page.locator(".entry__status .badge")).to_have_text("Plus qu'une place")
    assert js_page.input_value("#inscription input[name=liste_attente]") == "non"
    assert (
        js_page.locator("#inscription-titre").inner_text() == "S’inscrire à cette session"
    )  # the site's French apostrophe
    assert js_page.locator("#avis-liste-attente").count() == 0
    assert js_page.csp_violations == []


def test_without_javascript_the_build_badge_stands(nojs_page, site, e2e_site, receiver):
    row = open_entry(e2e_site)
    nojs_page.goto(f"{site}programme/{row['slug']}/")
    assert nojs_page.locator(".entry__status .badge").inner_text() == row["disponibilite"]
