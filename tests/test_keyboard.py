"""Keyboard use: the skip link comes first and works; focus is always visible."""

from __future__ import annotations

import pytest

from tests.tools.site_map import one_entry_per_state

pytestmark = pytest.mark.browser

ACTIVE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: (e.textContent || '').trim().slice(0, 60),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
          boxShadow: s.boxShadow, width: r.width, height: r.height, top: r.top, left: r.left};
}"""


def focus_visible(info: dict) -> bool:
    return info["outlineStyle"] != "none" and info["outlineWidth"] >= 2


@pytest.mark.parametrize("path", ["", "programme/", "tarifs/"])
def test_skip_link_is_first_and_moves_focus_to_main(page, site_url, path):
    page.goto(site_url + path, wait_until="load")
    page.keyboard.press("Tab")
    first = page.evaluate(ACTIVE)
    assert first["tag"] == "a" and "skip-link" in first["cls"], f"premier arrêt de tabulation : {first}"
    assert first["text"] == "Aller au contenu"
    # Visible once focused: a real box inside the viewport, with a focus ring.
    assert first["width"] > 40 and first["height"] > 20, first
    assert first["top"] >= 0 and first["left"] >= 0, first
    assert focus_visible(first), first
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'contenu'", timeout=5000)
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    assert page.evaluate("location.hash") == "#contenu"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('main')")
    assert inside, page.evaluate(ACTIVE)


def test_skip_link_hidden_until_focused(page, site_url):
    page.goto(site_url, wait_until="load")
    box = page.locator(".skip-link").bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1), box


def test_focused_link_has_visible_outline(page, site_url):
    page.goto(site_url, wait_until="load")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand link
    info = page.evaluate(ACTIVE)
    assert info["tag"] == "a" and "site-brand" in info["cls"], info
    assert focus_visible(info), f"pas de contour de focus visible : {info}"


@pytest.mark.parametrize("path", ["programme/", "session-ouverte", "demande-de-devis/"])
def test_every_tab_stop_shows_focus(page, site_url, built_site, path):
    """Tab through the whole page: each stop (links, chips, fields, summary, button) shows a ring."""
    if path == "session-ouverte":  # an entry page with its registration form
        entry = one_entry_per_state(built_site)["disponible"]
        path = entry.parent.relative_to(built_site).as_posix() + "/"
    page.goto(site_url + path, wait_until="load")
    stops, seen = [], set()
    for _ in range(150):
        page.keyboard.press("Tab")
        info = page.evaluate(ACTIVE)
        if info["tag"] == "body":
            break
        key = (info["tag"], info["id"], info["cls"], info["text"], round(info["top"]), round(info["left"]))
        if key in seen:
            break
        seen.add(key)
        stops.append(info)
    assert len(stops) > 10, stops
    kinds = {s["tag"] for s in stops}
    if path != "programme/":
        assert {"input", "textarea", "button", "summary"} <= kinds, kinds
    hidden = [s for s in stops if not focus_visible(s)]
    assert not hidden, "arrêts sans focus visible :\n" + "\n".join(map(str, hidden))
    honeypot = [s for s in stops if s["id"].endswith("_gotcha") or "honeypot" in s["cls"]]
    assert not honeypot, honeypot
