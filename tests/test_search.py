"""Site search (issue 9): Pagefind indexes pages and sessions at build time, in French.

In Chromium under the operators' CSP: a query for « règlement » finds the session
with its badge, results link inside the site (also under a sub-path), the type and
audience choices narrow the results, the page is axe-clean; without JavaScript the
header's search box is a link to the programme.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.conftest import STRICT_CSP
from tests.tools.html_tree import parse_file
from tests.tools.static_server import StaticServer

SESSION = "programme/2027-02-reglement-interieur/"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def test_the_index_is_built_in_french_over_pages_and_sessions(built_site):
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["fr"]  # from <html lang="fr">: French stemming
    mains = {p: parse_file(p).find("main") for p in built_site.rglob("*.html")}
    marked = [p for p, main in mains.items() if main is not None and main.get("data-pagefind-body") is not None]
    relative = {p.relative_to(built_site).as_posix() for p in marked}
    assert SESSION + "index.html" in relative
    assert "ateliers-inter-collectivites/index.html" in relative
    # Lists and pages that are not read on their own stay out of the results.
    assert "programme/index.html" not in relative and "404.html" not in relative
    assert "recherche/index.html" not in relative
    assert entry["languages"]["fr"]["page_count"] == len(relative)


def test_without_javascript_the_search_box_is_a_link_to_the_programme(built_site):
    for page in ("index.html", SESSION + "index.html", "recherche/index.html"):
        slot = parse_file(built_site / page).find("div", class_="site-search")
        links = slot.find_all("a")
        assert [a.get("href").rstrip("/").rsplit("/", 1)[-1] for a in links] == ["programme"], page
    fallback = parse_file(built_site / "recherche" / "index.html").find("div", class_="search-fallback")
    assert "programme" in fallback.text()


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def results(tab) -> list[dict]:
    tab.locator("#recherche-etat:not(:empty)").wait_for()
    return tab.evaluate(
        """() => [...document.querySelectorAll('.search__result')].map(r => ({
            href: r.querySelector('a').getAttribute('href'),
            title: r.querySelector('a').textContent,
            badge: r.querySelector('.badge')?.textContent || null,
            meta: r.querySelector('.search__meta')?.textContent || null,
            mark: r.querySelector('mark')?.textContent || null}))"""
    )


def test_a_search_for_reglement_finds_the_session_with_its_badge(tab, site_url):
    from axe_playwright_python.sync_playwright import Axe

    tab.goto(site_url + "recherche/?q=" + quote("règlement"), wait_until="load")
    found = results(tab)
    session = [r for r in found if r["href"].endswith(SESSION)]
    assert session, found
    assert session[0]["title"].startswith("Écrire un règlement intérieur")
    assert session[0]["badge"], session  # the badge at the build date, e.g. « Places disponibles »
    assert session[0]["meta"].startswith("Atelier inter-collectivités")
    assert tab.locator("#recherche-etat").text_content().endswith("pour «\u202frèglement\u202f».")
    # French stemming: the plural finds the same session.
    tab.goto(site_url + "recherche/?q=" + quote("règlements"), wait_until="load")
    assert any(r["href"].endswith(SESSION) for r in results(tab))
    assert tab.locator(".search-fallback").is_hidden()
    violations = Axe().run(tab, options=AXE_OPTIONS)
    assert violations.violations_count == 0, violations.generate_report()
    assert not tab.errors, tab.errors


def test_the_page_with_its_results_is_valid_html(tab, site_url, tmp_path):
    """The Nu checker on the page as the script leaves it (results written in the DOM)."""
    from tests.test_html_validity import describe, run_vnu

    tab.goto(site_url + "recherche/?q=" + quote("règlement"), wait_until="load")
    assert results(tab)
    page = tmp_path / "recherche.html"
    page.write_text("<!DOCTYPE html>\n" + tab.evaluate("document.documentElement.outerHTML"), encoding="utf-8")
    messages = run_vnu([page])
    assert not messages, describe(messages, tmp_path)


def test_the_type_and_audience_choices_narrow_the_results(tab, site_url):
    tab.goto(site_url + "recherche/?q=" + quote("règlement"), wait_until="load")
    everything = results(tab)
    tab.goto(site_url + "recherche/?q=" + quote("règlement") + "&type=" + quote("Groupe de co-développement"))
    codev = results(tab)
    assert not any(r["href"].endswith(SESSION) for r in codev)
    assert len(codev) < len(everything)
    tab.goto(site_url + "recherche/?q=" + quote("règlement") + "&public=Citoyens")
    assert not any(r["href"].endswith(SESSION) for r in results(tab))  # a session for HR and DGS


def test_the_header_box_opens_the_search_page(tab, site_url):
    tab.goto(site_url, wait_until="load")
    tab.fill("#recherche-en-tete", "règlement")
    tab.press("#recherche-en-tete", "Enter")
    tab.wait_for_url("**/recherche/?q=*")
    assert any(r["href"].endswith(SESSION) for r in results(tab))


def test_search_works_under_a_sub_path(tab, built_site, tmp_path):
    (tmp_path / "ateliers").symlink_to(built_site, target_is_directory=True)
    with StaticServer(tmp_path, 0, {"Content-Security-Policy": STRICT_CSP}) as url:
        tab.goto(url + "ateliers/recherche/?q=" + quote("règlement"), wait_until="load")
        found = results(tab)
        assert any(r["href"] == "/ateliers/" + SESSION for r in found), found
        tab.goto(url + "ateliers/" + SESSION, wait_until="load")
        assert tab.locator("h1").text_content().startswith("Écrire un règlement intérieur")


def test_on_a_phone_the_search_button_keeps_clear_of_the_brand(browser, site_url):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    try:
        tab = context.new_page()
        tab.goto(site_url + "programme/", wait_until="load")
        button = tab.locator(".site-search__button").bounding_box()
        assert tab.locator("#recherche-en-tete").is_hidden()  # typed on the search page
        for part in (".site-brand__org", ".site-brand__name"):
            box = tab.locator(part).bounding_box()
            apart = (
                box["x"] + box["width"] <= button["x"]
                or button["x"] + button["width"] <= box["x"]
                or box["y"] + box["height"] <= button["y"]
                or button["y"] + button["height"] <= box["y"]
            )
            assert apart, (part, box, button)
        tab.click(".site-search__button")
        tab.wait_for_url("**/recherche/?q=")
        assert tab.locator("#recherche-texte").is_visible()
    finally:
        context.close()
