"""A session's life end to end, in Chromium on the built site and the running receiver.

Register until full; the next visitor finds the waiting-list forms (the badges
of the session's page, the programme, the home page and the offer page changed
without a rebuild) and joins the list; the first registrant cancels through
the link of their mail; the waiting person is offered the place by mail,
accepts it; a last cancellation frees a place and the pages show it. Every
mail's text is checked. Without JavaScript, or with the receiver down, the
build's badges stand.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from offer.typography import french_text
from tests.e2e.support import ROOT, SAMPLE_ANSWERS, assert_accessible, fill_form, open_entry, unique_email

pytestmark = pytest.mark.browser
LINK = re.compile(r"http://127\.0\.0\.1:\d+/inscription/[A-Za-z0-9_.\-]+")
# The offer page of each type (content/pages/*.md, "Offre:"), whose "En bref" lists the next sessions.
OFFER_PAGES = {"atelier": "ateliers-inter-collectivites/", "codev": "co-developpement/"}
ANNOUNCEMENT = "Les places restantes affichées sur cette page viennent d’être mises à jour."


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


def roomy_session(site) -> tuple[str, dict]:
    """An open session no other browser test registers to, with the most places."""
    published = json.loads((site / "donnees" / "inscriptions.json").read_text(encoding="utf-8"))["sessions"]
    taken = {open_entry(site)["slug"], quiet_session(site)[0]}
    candidates = [
        (info["places"], slug) for slug, info in published.items() if info["etat"] == "ouverte" and slug not in taken
    ]
    places, slug = max(candidates)
    assert places >= 3, published
    return slug, published[slug]


def form_texts(form_name: str) -> dict:
    """A form's titles and buttons in content/forms.yaml, as the built pages set them."""
    forms = yaml.safe_load((ROOT / "content" / "forms.yaml").read_text(encoding="utf-8"))["formulaires"]
    return {key: french_text(value) for key, value in forms[form_name].items() if isinstance(value, str)}


def expect_session_status(page, url: str, slug: str, badge: str, places: str | None) -> None:
    page.goto(url)
    expect_marked_status(page, slug, badge, places)


def expect_marked_status(page, slug: str, badge: str, places: str | None) -> None:
    """Every badge of the session on the page reads badge, its places line places (None: none shown)."""
    marks = page.locator(f'[data-session="{slug}"]')
    assert marks.count() >= 1, f"no badge of {slug} marked on {page.url}"
    for index in range(marks.count()):
        mark = marks.nth(index)
        expect(mark.locator(".badge")).to_have_text(badge)
        if places is None:
            expect(mark.locator(".places")).to_be_hidden()
        else:
            expect(mark.locator(".places")).to_have_text(places)


def expect_listing_pages(page, site: str, slug: str, kind: str, badge: str, places: str | None) -> None:
    """The programme (and its view of the type), the home page and the offer page follow the receiver."""
    for path in ("programme/", f"programme/type/{kind}/", "", OFFER_PAGES[kind]):
        expect_session_status(page, site + path, slug, badge, places)
        # The offer page's "Prochaine session" is this session in the sample content.
        if path == OFFER_PAGES[kind]:
            expect(page.locator(f'.key-facts__status[data-session="{slug}"] .badge')).to_have_text(badge)
        # Announced once, politely, and the focus stays where it was (nowhere).
        expect(page.locator("#disponibilites-annonce[role=status]")).to_have_text(ANNOUNCEMENT)
        expect(page.locator(":focus")).to_have_count(0)


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
    expect(js_page.locator(".entry__status .badge")).to_have_text("Plus qu’une place")
    assert js_page.input_value("#inscription input[name=liste_attente]") == "non"
    register_in_browser(js_page, site, slug, people[-1])
    mail_to(smtp_sink, people[-1], "Inscription reçue : ")

    # Full now: without a rebuild, the badge says so and both forms are the waiting list's.
    waiting = unique_email()
    group = form_texts("inscription_groupe")
    js_page.goto(page_url)
    expect(js_page.locator(".entry__status .badge")).to_have_text("Complet")
    expect(js_page.locator(".entry__status .places")).to_be_hidden()
    assert js_page.input_value("#inscription input[name=liste_attente]") == "oui"
    assert js_page.locator("#inscription-titre").inner_text() == "Demander une place en liste d’attente"
    assert js_page.locator("#avis-liste-attente").is_visible()
    expect(js_page.locator("#inscription_groupe input[name=liste_attente]")).to_have_value("oui")
    expect(js_page.locator("#inscription_groupe-titre")).to_have_text(group["titre_liste_attente"])
    expect(js_page.locator("#inscription_groupe button[type=submit]")).to_have_text(group["bouton_liste_attente"])
    expect(js_page.locator(".key-panel__action a")).to_have_text("Rejoindre la liste d’attente")
    for form_id in ("inscription", "inscription_groupe"):
        form = js_page.locator(f"#{form_id}")
        expect(form).to_have_attribute("data-message-success", form.get_attribute("data-message-success-liste-attente"))
    assert "liste d’attente" in js_page.get_attribute("#inscription", "data-message-success")
    expect(js_page.locator(":focus")).to_have_count(0)
    assert_accessible(js_page)
    expect_listing_pages(js_page, site, slug, info["type"], "Complet", None)
    assert_accessible(js_page)  # the offer page, as updated
    js_page.goto(site + "programme/")
    expect(js_page.locator(f'[data-session="{slug}"] .badge')).to_have_text("Complet")
    assert_accessible(js_page)
    js_page.goto(page_url)
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
    expect(js_page.locator(".entry__status .badge")).to_have_text("Plus qu’une place")
    assert js_page.input_value("#inscription input[name=liste_attente]") == "non"
    assert (
        js_page.locator("#inscription-titre").inner_text() == "S’inscrire à cette session"
    )  # the site's French apostrophe
    assert js_page.locator("#avis-liste-attente").count() == 0
    expect(js_page.locator("#inscription_groupe input[name=liste_attente]")).to_have_value("non")
    expect(js_page.locator("#inscription_groupe-titre")).to_have_text(group["titre"])
    expect(js_page.locator("#inscription_groupe button[type=submit]")).to_have_text(group["bouton"])
    expect(js_page.locator(".key-panel__action a")).to_have_text("S’inscrire")
    one_left = f"1 place restante sur {info['capacite']}"
    expect(js_page.locator(".entry__status .places")).to_have_text(one_left)
    expect_listing_pages(js_page, site, slug, info["type"], "Plus qu’une place", one_left)
    assert js_page.csp_violations == []


def test_only_the_sessions_the_receiver_lists_change(js_page, site, e2e_site, receiver):
    """A session full at build time gets places back (a places line appears, the forms become
    registrations again); a session missing from the answer keeps its build badge."""
    published = json.loads((e2e_site / "donnees" / "inscriptions.json").read_text(encoding="utf-8"))["sessions"]
    full = next(slug for slug, info in published.items() if info["etat"] == "liste_attente")
    other = open_entry(e2e_site)
    capacity = published[full]["capacite"]
    answer = {
        "sessions": {
            full: {
                "etat": "dernieres-places",
                "libelle": "Plus que 3\u00a0places",
                "places_restantes": 3,
                "liste_attente": False,
                "texte_places": f"3\u00a0places restantes sur {capacity}",
            }
        }
    }
    js_page.route(
        f"{receiver.url}/disponibilites.json",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": site.rstrip("/")},
            body=json.dumps(answer),
        ),
    )
    js_page.goto(site + "programme/")
    expect_marked_status(js_page, full, "Plus que 3 places", f"3 places restantes sur {capacity}")
    expect(js_page.locator(f'[data-session="{full}"] .badge')).to_have_class("badge badge--dernieres-places")
    expect(js_page.locator("#disponibilites-annonce")).to_have_text(ANNOUNCEMENT)
    expect(js_page.locator(f'[data-session="{other["slug"]}"] .badge')).to_have_text(other["disponibilite"])

    group = form_texts("inscription_groupe")
    js_page.goto(f"{site}programme/{full}/")
    expect(js_page.locator(".entry__status .places")).to_have_text(f"3 places restantes sur {capacity}")
    expect(js_page.locator("#inscription input[name=liste_attente]")).to_have_value("non")
    expect(js_page.locator("#inscription-titre")).to_have_text("S’inscrire à cette session")
    expect(js_page.locator("#avis-liste-attente")).to_have_count(0)
    expect(js_page.locator("#inscription_groupe input[name=liste_attente]")).to_have_value("non")
    expect(js_page.locator("#inscription_groupe-titre")).to_have_text(group["titre"])
    expect(js_page.locator("#inscription_groupe button[type=submit]")).to_have_text(group["bouton"])
    expect(js_page.locator(".key-panel__action a")).to_have_text("S’inscrire")
    assert_accessible(js_page)

    # Once sent, the form says what it now is (the receiver's answer is stubbed: nothing is stored).
    js_page.route(
        receiver.action("inscription"),
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": site.rstrip("/")},
            body=json.dumps({"ok": True}),
        ),
    )
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": unique_email()})
    js_page.click("#inscription button[type=submit]")
    expect(js_page.locator("#inscription-statut")).to_have_text(
        "Votre inscription est envoyée. Un accusé de réception va vous être adressé par courriel."
    )
    assert js_page.csp_violations == []


def test_without_javascript_or_receiver_the_build_badges_stand(js_page, nojs_page, site, e2e_site, receiver):
    slug, info = roomy_session(e2e_site)
    built = f"{info['places']} places restantes sur {info['capacite']}"
    live = f"{info['places'] - 1} places restantes sur {info['capacite']}"
    post_registration(receiver, site.rstrip("/"), slug, unique_email())
    pages = (f"programme/{slug}/", "programme/", f"programme/type/{info['type']}/")

    # The receiver counts one place less: with JavaScript, every page says so at once…
    for path in pages:
        expect_session_status(js_page, site + path, slug, "Places disponibles", live)

    # …without JavaScript, the build's badges stand…
    for path in pages:
        expect_session_status(nojs_page, site + path, slug, "Places disponibles", built)
        assert nojs_page.locator("#disponibilites-annonce").count() == 0

    # …and with the receiver down too.
    js_page.route(f"{receiver.url}/disponibilites.json", lambda route: route.abort())
    for path in pages:
        with js_page.expect_event("requestfailed", lambda request: "/disponibilites.json" in request.url):
            js_page.goto(site + path)
        expect_marked_status(js_page, slug, "Places disponibles", built)
        expect(js_page.locator("#disponibilites-annonce")).to_have_text("")

    row = open_entry(e2e_site)
    nojs_page.goto(f"{site}programme/{row['slug']}/")
    assert nojs_page.locator(".entry__status .badge").inner_text() == row["disponibilite"]
