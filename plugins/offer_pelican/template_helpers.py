"""Jinja filters and globals of the theme: pure functions, no Pelican import."""

from __future__ import annotations

from markupsafe import Markup

from offer import formatting, rich_text

# Descriptions the build already rendered while loading the entries (in its
# worker processes): the filter's shortcut. The generator fills it at each build.
RENDERED_DESCRIPTIONS: dict[str, str] = {}


def markdown(text: str | None) -> Markup:
    """A description's Markdown, sanitised: the only editor text a page shows as HTML."""
    html = RENDERED_DESCRIPTIONS.get(text) if text else None
    return Markup(html if html is not None else rich_text.render_description(text))


FILTERS = {
    "long_date": formatting.long_date,
    "short_date": formatting.short_date,
    "time_range": formatting.time_range,
    "euros": formatting.euros,
    "file_size": formatting.file_size,
    "plural": formatting.count,
    "markdown": markdown,
}


class MenuEntry:
    def __init__(self, title: str, url: str, key: str, order: float):
        self.title, self.url, self.key, self.order = title, url, key, order


_last_menu: tuple = (None, None, [])


def menu_entries(pages, catalogue_url: str = "programme/") -> list[MenuEntry]:
    """Pages with a ``Menu:`` number, plus the catalogue after the offer pages.

    The menu lists a fixed handful of pages, never every page of the site.
    Every page of a build asks for the same menu: it is computed once per list
    of pages (a page's ``url`` goes through Pelican's URL settings each time).
    """
    global _last_menu
    if _last_menu[0] is pages and _last_menu[1] == catalogue_url:
        return _last_menu[2]
    entries = []
    for page in pages:
        order = getattr(page, "menu", None)
        if order is not None:
            entries.append(MenuEntry(page.title, page.url, page.slug, float(order)))
    entries.append(MenuEntry("Programme", catalogue_url, "programme", 3.5))
    entries = sorted(entries, key=lambda e: e.order)
    _last_menu = (pages, catalogue_url, entries)
    return entries
