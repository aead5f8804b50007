"""The visitor's journey in the built pages (issue 9): what, for whom, how much, next step.

Every figure checked here is recomputed from content/ with offer.pricing, never typed.
Runs on the session's build (SOURCE_DATE_EPOCH = 2026-11-30).
"""

from __future__ import annotations

import pytest

from offer.availability import State, build_date
from offer.catalogue import build_catalogue
from offer.pricing import price_per_participant, rate_for_year
from offer.validation import CODEV_HALF_DAYS, load_content
from tests.conftest import BUILD_EPOCH, ROOT
from tests.tools.html_tree import normalise, parse_file

TODAY = build_date({"SOURCE_DATE_EPOCH": BUILD_EPOCH})


@pytest.fixture(scope="module")
def content():
    loaded = load_content(ROOT / "content")
    assert not loaded.errors, loaded.errors
    return loaded


@pytest.fixture(scope="module")
def items(content):
    return build_catalogue(content.entries, content.rates, TODAY)


def euros(amount) -> str:
    return normalise(f"{amount:,.0f}".replace(",", " ") + " €")


def entry(site, item):
    return parse_file(site / "programme" / item.slug / "index.html")


@pytest.mark.parametrize(
    ("page", "kind", "full_days", "half_days"),
    [("ateliers-inter-collectivites", "atelier", 1, 0), ("co-developpement", "codev", 0, CODEV_HALF_DAYS)],
)
def test_offer_page_opens_with_en_bref(built_site, content, items, page, kind, full_days, half_days):
    tree = parse_file(built_site / page / "index.html")
    panel = tree.find("aside", class_="key-panel")
    assert panel is not None and panel.find("h2").text() == "En bref"
    rate = rate_for_year(content.rates.tarifs, TODAY.year)
    price = panel.find(class_="key-facts__price").text()
    assert price == euros(price_per_participant(full_days, half_days, rate))
    text = panel.text()
    assert f"tarif {rate.annee}" in text and "Pour qui" in text and "personnes au plus" in text
    # The panel comes before the brochure's text, and its two actions.
    assert panel.parent.find(class_="layout-2col__main") is not None
    links = {a.text(): a.get("href") for a in panel.find_all("a", class_="button")}
    assert links["Voir les sessions"].endswith(f"programme/type/{kind}/")
    assert links["Demander un devis"].endswith("demande-de-devis/")
    # Up to three next sessions of that type, each with its badge.
    open_ones = [
        i
        for i in items
        if i.workshop.type.value == kind and i.availability.is_upcoming and i.availability.accepts_registrations
    ]
    listed = panel.find("ul", class_="session-lines").find_all("li")
    assert 1 <= len(listed) <= 3
    for li in listed:
        assert li.find(class_="badge") is not None
    assert open_ones[0].slug in listed[0].find("a").get("href")


def test_open_session_header_has_badge_places_price_deadline_and_action(built_site, items):
    item = next(i for i in items if i.availability.state is State.LAST_PLACES)
    panel = entry(built_site, item).find("aside", class_="key-panel")
    text = panel.text()
    assert panel.find(class_="badge").text() == item.availability.label
    assert f"{item.availability.places_left} places restantes sur {item.workshop.capacite}" in text
    assert panel.find(class_="key-facts__price").text() == euros(item.quote.per_participant)
    assert "jusqu'au" in text and "inclus" in text
    button = panel.find("a", class_="button")
    assert button.text() == "S'inscrire" and button.get("href") == "#inscription-titre"


def test_full_session_offers_the_waiting_list_and_closed_ones_say_why(built_site, items):
    full = next(i for i in items if i.availability.state is State.FULL)
    assert entry(built_site, full).find("aside").find("a", class_="button").text() == "Rejoindre la liste d'attente"
    for item in items:
        if not (item.availability.accepts_registrations or item.availability.accepts_waiting_list):
            panel = entry(built_site, item).find("aside")
            assert panel.find("a", class_="button") is None, item.slug
            assert panel.find(class_="key-panel__reason").text(), item.slug


def test_postponed_sessions_strike_their_former_dates_and_offer_no_calendar(built_site, items):
    postponed = [i for i in items if i.availability.state is State.POSTPONED]
    assert postponed, "the samples hold a postponed session"
    for item in postponed:
        tree = entry(built_site, item)
        assert tree.find("ul", class_="session-dates--former").find("del") is not None
        assert tree.find("a", class_="entry__ics") is None
        assert not (built_site / "programme" / item.slug / f"{item.slug}.ics").exists()


def test_finished_and_cancelled_sessions_show_no_quote_table(built_site, items):
    ended = [i for i in items if i.availability.state in (State.FINISHED, State.CANCELLED)]
    assert ended
    for item in ended:
        tree = entry(built_site, item)
        assert tree.find("table") is None, item.slug
        assert tree.find(id="cout") is None, item.slug


def test_a_session_links_to_its_follow_up(built_site, items):
    by_question = {}
    for item in items:
        by_question.setdefault(item.workshop.question, []).append(item)
    pairs = [group for question, group in by_question.items() if question and len(group) > 1]
    assert pairs, "the samples hold a question run twice"
    earlier, later = sorted(pairs[0], key=lambda i: i.workshop.first_date)[:2]
    follow = entry(built_site, earlier).find(class_="key-panel__follow")
    assert follow is not None and later.slug in follow.find("a").get("href")
    assert entry(built_site, later).find(class_="key-panel__follow") is None


def test_stale_rates_say_so(built_site, items):
    stale = [i for i in items if i.quote.rate.annee < i.workshop.first_date.year and i.availability.is_upcoming]
    assert stale, "the samples' rates (2020) are older than their sessions"
    for item in stale:
        if item.availability.state in (State.FINISHED, State.CANCELLED):
            continue
        text = entry(built_site, item).find("aside").text()
        assert f"tarif {item.quote.rate.annee}, en vigueur à ce jour" in text, item.slug


def test_open_cards_show_price_and_places(built_site, items):
    tree = parse_file(built_site / "programme" / "index.html")
    cards = {card.find("a").get("href").rstrip("/").rsplit("/", 1)[-1]: card for card in tree.find_all("article")}
    for item in items:
        card = cards.get(item.slug)
        if card is None or not item.availability.accepts_registrations:
            continue
        assert card.find(class_="card__price").find("strong").text() == euros(item.quote.per_participant)
        assert f"{item.availability.places_left} place" in card.find(class_="card__status").text()


def test_quote_form_estimate_sits_with_its_fields(built_site, content):
    tree = parse_file(built_site / "demande-de-devis" / "index.html")
    group = tree.find(class_="form__with-aside")
    names = [el.get("name") for el in group.find_all("input", "select")]
    assert names == ["offre", "agents", "demi_journees"]
    live = group.find(id="estimation-en-direct")
    assert live.get("aria-live") == "polite"
    rate = rate_for_year(content.rates.tarifs, TODAY.year)
    example = price_per_participant(0, CODEV_HALF_DAYS, rate) * 3
    assert live.text().startswith("Exemple :") and euros(example) in live.text()
    assert group.find("strong") is None and group.find("b") is None


def test_wordmark_is_text_with_a_documented_logo_slot(built_site):
    brand = parse_file(built_site / "index.html").find("a", class_="site-brand")
    assert brand.find(class_="site-brand__org").text() == "CDG 44"
    assert brand.find("img") is None
    assert "SITE_LOGO" in (ROOT / "docs" / "exploitation.md").read_text(encoding="utf-8")


def test_the_build_warns_of_stale_rates_naming_the_file(tmp_path):
    from tests.conftest import build_site

    result = build_site(tmp_path / "output")
    assert result.returncode == 0, result.stderr
    assert "content/tarifs.yaml:1: tarifs: avertissement : le dernier tarif voté est celui de 2020" in result.stderr
    assert "« tarif 2020, en vigueur à ce jour »" in result.stderr
