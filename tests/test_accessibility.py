"""axe-core finds no WCAG 2.1 A/AA violation, on phones (320 px) and desktops (1280 px).

The pages are served with the strict CSP (site_url) and checked in Debian's
Chromium: the brochure, the catalogue and a filtered view, one entry page of
each availability state found in the samples, and the 404 page. At 320 px no
page may scroll horizontally (WCAG 1.4.10, reflow).
"""

from __future__ import annotations

import pytest

from tests.tools.site_map import BROCHURE_PAGES, CATALOGUE, FILTERED_CATALOGUE, one_entry_per_state, url_path

pytestmark = pytest.mark.browser

WIDTHS = (1280, 320)
PAGES = [*BROCHURE_PAGES, CATALOGUE, FILTERED_CATALOGUE]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Open every <details> (e.g. the privacy notices) so that their content is checked too.
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def tab(request, browser):
    """One tab per width, reused by every page of the module."""
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.width = width
    yield page
    context.close()


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} – {v.get('helpUrl', '')}")
        for node in v["nodes"][:5]:
            lines.append(
                f"    {', '.join(map(str, node.get('target', [])))}: {node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return "\n".join(lines)


def audit(tab, axe, url: str) -> list[str]:
    """Problems of one page: axe violations and, on phones, horizontal scrolling."""
    response = tab.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url} : HTTP {response.status if response else '?'}"
    tab.evaluate(OPEN_DETAILS)
    problems = []
    results = axe.run(tab, options=AXE_OPTIONS)
    if results.violations_count:
        problems.append(f"{url} à {tab.width} px :\n{describe(results.response['violations'])}")
    if tab.width <= 320:
        scroll_width = tab.evaluate("document.documentElement.scrollWidth")
        if scroll_width > tab.width:
            wide = tab.evaluate(
                """w => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 0.5)
                    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
                tab.width,
            )
            problems.append(
                f"{url} : défilement horizontal à {tab.width} px (scrollWidth {scroll_width}) ; éléments trop larges : {wide}"
            )
    return problems


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_violation(tab, axe, site_url, path):
    problems = audit(tab, axe, site_url + url_path(path))
    assert not problems, "\n".join(problems)


def test_entry_page_of_each_state(tab, axe, site_url, built_site):
    pages = one_entry_per_state(built_site)
    # The samples cover most states (content/ateliers/*.yaml at 2026-11-30).
    assert len(pages) >= 6, f"états trouvés dans les exemples : {sorted(pages)}"
    problems = []
    for _state, page in sorted(pages.items()):
        problems += audit(tab, axe, site_url + page.parent.relative_to(built_site).as_posix() + "/")
    assert not problems, "\n".join(problems)


def test_form_error_state_is_accessible(tab, axe, site_url):
    """The error look (summary, red text, left border) keeps contrast and names.

    The forms script fills these in; here they are filled by hand to check the theme alone.
    """
    tab.goto(site_url + "contact/", wait_until="load")
    tab.evaluate(
        """() => {
          const summary = document.querySelector('.error-summary');
          summary.hidden = false;
          const field = document.querySelector('.form-field');
          const input = field.querySelector('.form-field__input');
          const error = field.querySelector('.form-field__error');
          field.classList.add('form-field--error');
          error.hidden = false;
          error.textContent = 'Erreur : indiquez votre nom.';
          input.setAttribute('aria-invalid', 'true');
          input.setAttribute('aria-describedby', ((input.getAttribute('aria-describedby') || '') + ' ' + error.id).trim());
          const li = document.createElement('li');
          const a = document.createElement('a');
          a.href = '#' + input.id;
          a.textContent = 'Indiquez votre nom';
          li.append(a);
          summary.querySelector('ul').append(li);
          summary.focus();
        }"""
    )
    results = axe.run(tab, options=AXE_OPTIONS)
    assert not results.violations_count, describe(results.response["violations"])
    style = tab.evaluate(
        """() => {
          const s = getComputedStyle(document.querySelector('.error-summary'));
          const f = getComputedStyle(document.querySelector('.form-field--error'));
          return {outline: parseFloat(s.outlineWidth), summaryBorder: parseFloat(s.borderTopWidth),
                  fieldBorder: parseFloat(f.borderLeftWidth), active: document.activeElement.className};
        }"""
    )
    assert style["active"] == "error-summary", style
    assert style["outline"] >= 2 and style["summaryBorder"] >= 2 and style["fieldBorder"] >= 3, style
    assert tab.evaluate("getComputedStyle(document.querySelector('.form__honeypot')).display") == "none"
