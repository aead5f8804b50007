"""Errors, with JavaScript (GOV.UK error summary) and without (the receiver's error page)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    SAMPLE_ANSWERS,
    assert_accessible,
    fill_form,
    open_entry,
    posted_body,
    receiver_errors,
    summary_errors,
    unique_email,
)

pytestmark = pytest.mark.browser

REQUIRED_REGISTRATION = ["prenom", "nom", "email", "collectivite", "fonction"]
EMAIL_INVALID = "Saisissez une adresse électronique valide, par exemple prenom.nom@mairie-exemple.fr"


@pytest.fixture
def registration_url(site, e2e_site) -> str:
    return site + f"programme/{open_entry(e2e_site)['slug']}/"


def _inline_error(page, control_id: str) -> dict:
    return page.evaluate(
        """id => {
          const control = document.getElementById(id);
          const error = document.getElementById(id + "-erreur");
          return {
            invalid: control.getAttribute("aria-invalid"),
            describedby: (control.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean),
            hint: document.getElementById(id + "-aide") ? id + "-aide" : null,
            text: error.textContent, hidden: error.hidden, visible: error.offsetParent !== null,
            group: control.closest(".form-field").classList.contains("form-field--error"),
          };
        }""",
        control_id,
    )


def _active_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


# -- with JavaScript ------------------------------------------------------------------------------
def test_empty_registration_shows_a_focused_summary_linked_to_each_field(js_page, registration_url, receiver):
    before = receiver.count()
    js_page.goto(registration_url)
    title = js_page.title()
    js_page.click("#inscription button[type=submit]")

    summary = js_page.locator("#inscription-erreurs")
    summary.wait_for(state="visible")
    assert _active_id(js_page) == "inscription-erreurs"
    assert js_page.title() == "Erreur : " + title
    errors = summary_errors(js_page, "inscription")
    assert [field for field, _ in errors] == REQUIRED_REGISTRATION
    # The same words as the receiver's, for the same post.
    expected = receiver_errors(
        receiver, "inscription", posted_body(js_page, "inscription"), registration_url.split("/programme")[0]
    )
    assert errors == expected

    for field, message in errors:
        state = _inline_error(js_page, f"inscription-{field}")
        assert state["invalid"] == "true"
        assert not state["hidden"] and state["visible"]
        assert state["text"] == "Erreur : " + message
        assert state["group"]
        assert f"inscription-{field}-erreur" in state["describedby"]
        if state["hint"]:
            assert state["describedby"] == [state["hint"], f"inscription-{field}-erreur"]
    for optional in ("telephone", "message"):
        state = _inline_error(js_page, f"inscription-{optional}")
        assert state["invalid"] is None and state["hidden"]

    js_page.locator("#inscription-erreurs a").first.click()
    assert _active_id(js_page) == "inscription-prenom"
    assert_accessible(js_page)
    assert receiver.count() == before


def test_a_bad_address_is_the_only_error_then_the_corrected_form_is_sent(js_page, registration_url, receiver, site):
    address = unique_email()
    js_page.goto(registration_url)
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": "jeanne.le-bihan@mairie"})
    js_page.click("#inscription button[type=submit]")
    js_page.locator("#inscription-erreurs").wait_for(state="visible")
    assert summary_errors(js_page, "inscription") == [("email", EMAIL_INVALID)]
    state = _inline_error(js_page, "inscription-email")
    assert state["describedby"] == ["inscription-email-aide", "inscription-email-erreur"]
    assert _inline_error(js_page, "inscription-prenom")["invalid"] is None
    assert js_page.input_value("#inscription-prenom") == SAMPLE_ANSWERS["inscription"]["prenom"]  # nothing lost
    assert receiver.submissions("jeanne.le-bihan@mairie") == []

    js_page.fill("#inscription-email", address)
    js_page.click("#inscription button[type=submit]")
    js_page.wait_for_url(site + "merci/")
    assert len(receiver.submissions(address)) == 1


CHECKS = {
    "inscription-vide": ("inscription", {}),
    "inscription-adresse-telephone": (
        "inscription",
        {**SAMPLE_ANSWERS["inscription"], "email": "prenom.nom@", "telephone": "02 40 AB"},
    ),
    "devis-nombres": (
        "devis",
        {**SAMPLE_ANSWERS["devis"], "email": "y.guerin@cceg.fr", "agents": "16", "demi_journees": "0", "offre": ""},
    ),
    "devis-vide": ("devis", {}),
    "contact-adresse-accentuee": ("contact", {**SAMPLE_ANSWERS["contact"], "email": "jéan@mairie-exemple.fr"}),
    "contact-adresse-mot-encode": ("contact", {**SAMPLE_ANSWERS["contact"], "email": "x=?utf-8?q?y?=@exemple.fr"}),
    "contact-vide": ("contact", {}),
}


@pytest.mark.parametrize("check", list(CHECKS))
def test_browser_checks_say_what_the_receiver_says(js_page, site, e2e_site, receiver, check):
    form_name, answers = CHECKS[check]
    path = {
        "inscription": f"programme/{open_entry(e2e_site)['slug']}/",
        "devis": "demande-de-devis/",
        "contact": "contact/",
    }[form_name]
    before = receiver.count()
    js_page.goto(site + path)
    fill_form(js_page, form_name, answers)
    js_page.click(f"#{form_name} button[type=submit]")
    js_page.locator(f"#{form_name}-erreurs").wait_for(state="visible")
    shown = summary_errors(js_page, form_name)
    assert shown, "no error shown"
    assert shown == receiver_errors(receiver, form_name, posted_body(js_page, form_name), site.rstrip("/"))
    assert receiver.count() == before


def test_an_error_only_the_receiver_finds_is_shown_the_same_way(js_page, registration_url, receiver):
    js_page.goto(registration_url)
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": unique_email(), "prenom": ""})
    js_page.evaluate("document.getElementById('inscription-prenom').removeAttribute('required')")
    with js_page.expect_response(receiver.action("inscription")) as answer:
        js_page.click("#inscription button[type=submit]")
    assert answer.value.status == 422
    js_page.locator("#inscription-erreurs").wait_for(state="visible")
    assert summary_errors(js_page, "inscription") == [("prenom", "Indiquez votre prénom")]
    assert _active_id(js_page) == "inscription-erreurs"
    assert _inline_error(js_page, "inscription-prenom")["invalid"] == "true"


def test_an_error_on_a_hidden_field_is_listed_without_a_link(js_page, registration_url, receiver):
    js_page.goto(registration_url)
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": unique_email()})
    js_page.evaluate("document.querySelector('#inscription input[name=session]').value = 'Pas un identifiant'")
    js_page.click("#inscription button[type=submit]")
    js_page.locator("#inscription-erreurs").wait_for(state="visible")
    [(field, message)] = summary_errors(js_page, "inscription")
    assert field is None
    assert "session" in message and "revenez à la page de la session" in message


def test_an_unreachable_receiver_keeps_every_answer_and_says_what_to_do(js_page, registration_url, receiver):
    address = unique_email()
    js_page.goto(registration_url)
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": address})
    js_page.route(receiver.action("inscription"), lambda route: route.abort("connectionrefused"))
    js_page.click("#inscription button[type=submit]")
    js_page.locator("#inscription-erreurs").wait_for(state="visible")
    assert summary_errors(js_page, "inscription") == [
        (None, "Le service d’envoi ne répond pas. Réessayez dans quelques minutes ou écrivez à conseilrh@cdg44.fr.")
    ]
    assert _active_id(js_page) == "inscription-erreurs"
    assert js_page.input_value("#inscription-email") == address
    assert js_page.input_value("#inscription-message") == SAMPLE_ANSWERS["inscription"]["message"]
    assert js_page.get_attribute("#inscription button[type=submit]", "aria-disabled") is None
    assert receiver.submissions(address) == []


def test_too_many_posts_say_when_to_retry(js_page, registration_url, receiver, site):
    message = "Vous avez envoyé beaucoup de formulaires en peu de temps : réessayez dans 7 minutes."
    body = {"ok": False, "errors": [{"field": None, "code": "rate_limited", "message": message}]}
    js_page.goto(registration_url)
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": unique_email()})
    js_page.route(
        receiver.action("inscription"),
        lambda route: route.fulfill(
            status=429,
            content_type="application/json",
            body=json.dumps(body),
            headers={"Access-Control-Allow-Origin": site.rstrip("/"), "Retry-After": "420"},
        ),
    )
    js_page.click("#inscription button[type=submit]")
    js_page.locator("#inscription-erreurs").wait_for(state="visible")
    assert summary_errors(js_page, "inscription") == [(None, message)]


def test_the_button_is_marked_disabled_while_sending_and_a_second_click_sends_nothing(
    js_page, registration_url, receiver, site
):
    held = []
    js_page.goto(registration_url)
    fill_form(js_page, "inscription", {**SAMPLE_ANSWERS["inscription"], "email": unique_email()})
    js_page.route(receiver.action("inscription"), lambda route: held.append(route))
    button = js_page.locator("#inscription button[type=submit]")
    button.click()
    expect(button).to_have_attribute("aria-disabled", "true")  # polled without eval, under the strict CSP
    assert js_page.locator("#inscription-statut").inner_text().startswith("Envoi en cours")
    button.click(force=True)  # Playwright itself would not click a button marked disabled
    js_page.press("#inscription-prenom", "Enter")
    js_page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].fulfill(
        status=503,
        content_type="application/json",
        headers={"Access-Control-Allow-Origin": site.rstrip("/")},
        body=json.dumps(
            {"ok": False, "errors": [{"field": None, "code": "storage_unavailable", "message": "indisponible"}]}
        ),
    )
    js_page.locator("#inscription-erreurs").wait_for(state="visible")
    assert summary_errors(js_page, "inscription")[0][1].startswith("Le service d’envoi ne répond pas.")
    assert button.get_attribute("aria-disabled") is None
    assert js_page.locator("#inscription-statut").inner_text() == ""


# -- without JavaScript ---------------------------------------------------------------------------
def _post_empty_registration(page, registration_url, receiver) -> None:
    page.goto(registration_url)
    with page.expect_response(receiver.action("inscription")) as answer:
        page.click("#inscription button[type=submit]")
    assert answer.value.status == 422
    page.wait_for_load_state()


def test_without_javascript_the_receiver_lists_the_errors_with_links_back(nojs_page, registration_url, receiver, site):
    before = receiver.count()
    nojs_page.goto(registration_url)
    nojs_page.fill("#inscription-nom", "Martin")
    nojs_page.fill("#inscription-email", "jeanne.martin@mairie-exemple.fr")
    session_title = nojs_page.locator("h1").inner_text().strip()
    with nojs_page.expect_response(receiver.action("inscription")) as answer:
        nojs_page.click("#inscription button[type=submit]")
    assert answer.value.status == 422
    nojs_page.wait_for_load_state()
    assert nojs_page.title().startswith("Erreur : ")
    # Dressed as the site (its stylesheet applies), and it names the session.
    assert nojs_page.locator(".site-header .site-brand").is_visible()
    assert nojs_page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    assert f"« {session_title} »" in nojs_page.locator("main").inner_text()
    links = [(a.get_attribute("href"), a.inner_text().strip()) for a in nojs_page.locator(".error-summary li a").all()]
    # Each error links to its field in the form on this page, which keeps what was typed.
    missing = [field for field in REQUIRED_REGISTRATION if field not in ("nom", "email")]
    assert [href for href, _ in links] == [f"#inscription-{field}" for field in missing]
    assert links[0][1] == "Indiquez votre prénom"
    assert nojs_page.input_value("#inscription-nom") == "Martin"
    assert nojs_page.input_value("#inscription-email") == "jeanne.martin@mairie-exemple.fr"
    assert receiver.count() == before

    nojs_page.locator(".error-summary li a").first.click()
    assert nojs_page.url.endswith("#inscription-prenom")
    # Corrected and sent again from the receiver's page: accepted, on to the site's thank-you page.
    nojs_page.fill("#inscription-prenom", "Jeanne")
    nojs_page.fill("#inscription-collectivite", "Mairie d'Exemple")
    nojs_page.fill("#inscription-fonction", "Responsable RH")
    with nojs_page.expect_navigation():
        nojs_page.click("#inscription button[type=submit]")
    assert nojs_page.url == site + "merci/"
    assert receiver.count() == before + 1


def test_the_receivers_error_page_is_accessible(e2e_browser, registration_url, receiver):
    # axe-core needs JavaScript to run; the site's own scripts are blocked, so the
    # form posts as it does without JavaScript.
    context = e2e_browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.route("**/theme/js/*.js", lambda route: route.abort())
        _post_empty_registration(page, registration_url, receiver)
        assert page.title().startswith("Erreur : ")
        assert page.locator(".error-summary li a").count() == len(REQUIRED_REGISTRATION)
        assert_accessible(page)
    finally:
        context.close()
