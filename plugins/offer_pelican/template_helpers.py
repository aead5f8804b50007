"""Jinja filters and globals of the theme: pure functions, no Pelican import."""

from __future__ import annotations

from markupsafe import Markup

from offer import formatting, rich_text


def markdown(text: str | None) -> Markup:
    """A description's Markdown, sanitised: the only editor text a page shows as HTML."""
    return Markup(rich_text.render_description(text))


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


def menu_entries(pages, catalogue_url: str = "programme/") -> list[MenuEntry]:
    """Pages with a ``Menu:`` number, plus the catalogue after the offer pages.

    The menu lists a fixed handful of pages, never every page of the site.
    """
    entries = []
    for page in pages:
        order = getattr(page, "menu", None)
        if order is not None:
            entries.append(MenuEntry(page.title, page.url, page.slug, float(order)))
    entries.append(MenuEntry("Programme", catalogue_url, "programme", 3.5))
    return sorted(entries, key=lambda e: e.order)
