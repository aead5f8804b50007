"""What each session's page offers by availability, and the quote page's estimate."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import BUILD_EPOCH
from tests.e2e.support import entry_with, euros, normalise, open_entry, rate_of_year

pytestmark = pytest.mark.browser

BUILD_YEAR = dt.datetime.fromtimestamp(int(BUILD_EPOCH), dt.UTC).year


@pytest.mark.parametrize(
    ("label", "notice"),
    [
        ("Inscriptions closes", "Les inscriptions sont closes"),
        ("Annulé", "Cette session est annulée"),
        ("Terminé", "Cette session est terminée"),
        ("Reporté", "Cette session est reportée"),
    ],
)
def test_a_session_not_taking_registrations_shows_a_notice_and_no_form(nojs_page, site, e2e_site, label, notice):
    row = entry_with(e2e_site, label)
    nojs_page.goto(site + f"programme/{row['slug']}/")
    assert nojs_page.locator("form").count() == 0
    section = nojs_page.locator("section[aria-labelledby='inscription-titre']")
    assert section.locator("h2").inner_text() == "Inscription"
    assert notice in section.locator(".notice").inner_text()


def test_a_full_session_offers_the_waiting_list(nojs_page, site, e2e_site):
    row = entry_with(e2e_site, "Complet")
    nojs_page.goto(site + f"programme/{row['slug']}/")
    assert nojs_page.locator("#inscription-titre").inner_text() == "Demander une place en liste d’attente"
    assert nojs_page.input_value("#inscription input[name=liste_attente]") == "oui"
    assert nojs_page.input_value("#inscription input[name=session]") == row["slug"]
    assert nojs_page.locator("#inscription button[type=submit]").inner_text() == "Demander une place en liste d’attente"


def test_a_session_with_places_offers_registration(nojs_page, site, e2e_site):
    row = open_entry(e2e_site)
    nojs_page.goto(site + f"programme/{row['slug']}/")
    assert nojs_page.locator("#inscription-titre").inner_text() == "S’inscrire à cette session"
    assert nojs_page.input_value("#inscription input[name=liste_attente]") == "non"
    assert nojs_page.input_value("#inscription input[name=session]") == row["slug"]


# -- the quote page -------------------------------------------------------------------------------
def _estimate(page) -> str:
    return normalise(page.locator("#estimation-en-direct").inner_text())


def test_the_live_estimate_uses_the_rate_of_tarifs_yaml(js_page, site):
    rate = rate_of_year(BUILD_YEAR)
    half = rate["demi_journee"]
    js_page.goto(site + "demande-de-devis/")
    live = js_page.locator("#estimation-en-direct")
    live.wait_for(state="visible")
    assert live.get_attribute("aria-live") == "polite"
    # Before any input: a worked example, not an instruction.
    assert _estimate(js_page).startswith(f"Exemple : 5 demi-journées × 3 agents = {euros(5 * 3 * half)}")
    js_page.fill("#devis-agents", "2")
    _wait_for_estimate(js_page, "indiquez un nombre de demi-journées")

    js_page.fill("#devis-demi_journees", "3")
    js_page.fill("#devis-agents", "4")
    expected = f"Estimation : 3 demi-journées × 4 agents = {euros(3 * 4 * half)}"
    _wait_for_estimate(js_page, expected)
    assert f"au tarif {rate['annee']} de {euros(half)} par demi-journée" in _estimate(js_page)

    js_page.fill("#devis-demi_journees", "1")
    js_page.fill("#devis-agents", "1")
    _wait_for_estimate(js_page, f"Estimation : 1 demi-journée × 1 agent = {euros(half)}")


def _wait_for_estimate(page, expected: str) -> None:
    page.wait_for_function(
        "expected => document.getElementById('estimation-en-direct').textContent.split(/\\s+/).join(' ').includes(expected)",
        arg=expected,
        timeout=5000,
    )


def test_choosing_co_development_suggests_five_half_days_and_eight_agents_at_most(js_page, site):
    half = rate_of_year(BUILD_YEAR)["demi_journee"]
    js_page.goto(site + "demande-de-devis/")
    js_page.select_option("#devis-offre", "codev")
    assert js_page.input_value("#devis-demi_journees") == "5"
    assert js_page.get_attribute("#devis-agents", "max") == "8"
    js_page.fill("#devis-agents", "8")
    _wait_for_estimate(js_page, f"Estimation : 5 demi-journées × 8 agents = {euros(5 * 8 * half)}")

    js_page.fill("#devis-agents", "9")  # too many for a co-development group
    _wait_for_estimate(js_page, "un nombre d'agents entre 1 et 8")
    js_page.click("#devis button[type=submit]")
    js_page.locator("#devis-erreurs").wait_for(state="visible")
    assert (
        "« Nombre d’agents concernés » doit être compris entre 1 et 8" in js_page.locator("#devis-erreurs").inner_text()
    )

    js_page.select_option("#devis-offre", "atelier")
    assert js_page.get_attribute("#devis-agents", "max") == "15"


def test_a_figure_the_visitor_typed_is_never_replaced(js_page, site):
    js_page.goto(site + "demande-de-devis/")
    js_page.fill("#devis-demi_journees", "2")
    js_page.select_option("#devis-offre", "codev")
    assert js_page.input_value("#devis-demi_journees") == "2"


def test_without_javascript_the_quote_page_shows_worked_examples(nojs_page, site):
    rate = rate_of_year(BUILD_YEAR)
    nojs_page.goto(site + "demande-de-devis/")
    assert _estimate(nojs_page).startswith("Exemple :")  # the build's example, beside the fields
    table = nojs_page.locator("#exemples-de-devis ~ table, section[aria-labelledby=exemples-de-devis] table")
    assert f"tarif {rate['annee']}" in table.locator("caption").inner_text()
    rows = table.locator("tbody tr")
    assert rows.count() >= 3
    totals = [normalise(cell) for cell in table.locator("tbody tr td:last-child").all_inner_texts()]
    assert euros(rate["demi_journee"]) in totals
    assert euros(rate["journee"]) in totals
    box = nojs_page.locator("#estimation")
    assert box.get_attribute("data-rate-half") == str(rate["demi_journee"])
    assert box.get_attribute("data-rate-day") == str(rate["journee"])
    assert box.get_attribute("data-rate-year") == str(rate["annee"])


def test_prices_are_computed_nowhere_else_in_the_scripts(e2e_site):
    rate = rate_of_year(BUILD_YEAR)
    for script in (e2e_site / "theme" / "js").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        for amount in (rate["demi_journee"], rate["journee"]):
            assert not re.search(rf"\b{amount}\b", text), f"{script.name} holds the rate {amount}"
