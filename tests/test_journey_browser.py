"""The first screen, measured in Chromium (issue 9).

- On a desktop (1280×800) and a small phone (320×640), each offer page and an
  open session's page show the price, the places left and the main action
  without scrolling (bounding boxes inside the viewport).
- At 320 px no page of the site scrolls sideways and no table cell is clipped.
"""

from __future__ import annotations

import pytest

from tests.tools.site_map import one_entry_per_state

pytestmark = pytest.mark.browser

SCREENS = {"desktop": (1280, 800), "phone": (320, 640)}
# What must be visible on arrival, by page: CSS selectors.
FIRST_SCREEN = {
    "price": ".key-panel .key-facts__price",
    "places": ".key-panel .places",
    "action": ".key-panel .button",
}

VISIBLE = """sel => {
  const el = document.querySelector(sel);
  if (!el) return {found: false};
  const r = el.getBoundingClientRect();
  return {found: true, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          w: innerWidth, h: innerHeight};
}"""

CLIPPED = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) problems.push('scrollWidth ' + document.documentElement.scrollWidth);
  for (const cell of document.querySelectorAll('td, th, caption')) {
    const r = cell.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || cell.closest('thead')?.getBoundingClientRect().height <= 1) continue;  // visually hidden header row
    if (r.right > width + 0.5 || r.left < -0.5) problems.push(cell.tagName + ' hors écran : ' + cell.textContent.trim());
    if (cell.scrollWidth > cell.clientWidth + 1) problems.push(cell.tagName + ' rogné : ' + cell.textContent.trim());
  }
  let box = null;
  for (const el of document.querySelectorAll('main *')) {
    const s = getComputedStyle(el);
    if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) box = el;
  }
  if (box) problems.push('défilement horizontal dans ' + box.tagName + '.' + box.className);
  return problems;
}"""


@pytest.fixture(scope="module", params=list(SCREENS), ids=list(SCREENS))
def screen(request, browser):
    width, height = SCREENS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    tab = context.new_page()
    yield tab
    context.close()


def first_screen_pages(built_site) -> list[str]:
    entry = one_entry_per_state(built_site)["disponible"]
    return ["ateliers-inter-collectivites/", "co-developpement/", entry.parent.relative_to(built_site).as_posix() + "/"]


def test_price_places_and_action_are_in_the_first_screen(screen, site_url, built_site):
    problems = []
    for path in first_screen_pages(built_site):
        screen.goto(site_url + path, wait_until="load")
        for what, selector in FIRST_SCREEN.items():
            box = screen.evaluate(VISIBLE, selector)
            if not box["found"]:
                problems.append(f"{path} : {what} absent ({selector})")
            elif box["top"] < 0 or box["bottom"] > box["h"] or box["right"] > box["w"]:
                problems.append(f"{path} : {what} hors du premier écran {box}")
    assert not problems, "\n".join(problems)


def test_no_sideways_scroll_nor_clipped_cell_on_any_page_at_320px(browser, site_url, html_pages, built_site):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    tab = context.new_page()
    problems = []
    try:
        for page in html_pages:
            path = page.relative_to(built_site).as_posix()
            path = path[: -len("index.html")] if path.endswith("index.html") else path
            tab.goto(site_url + path, wait_until="load")
            problems += [f"{path} : {p}" for p in tab.evaluate(CLIPPED)]
    finally:
        context.close()
    assert not problems, "\n".join(problems[:20])
