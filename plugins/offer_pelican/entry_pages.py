"""The per-entry outputs: the entry page, its .ics file and its VEVENTs for the feed.

Rendering an entry needs nothing but its catalogue item and the site-wide
state fixed before the outputs are written (settings, templates, pages, forms,
rates, build date). That makes an entry's outputs a pure function of the two,
which is what lets the generator render entries in worker processes and reuse
them from the build cache. The page is rendered exactly as Pelican's
``Writer.write_file`` renders it (same local context, same text), and
returned as bytes for the generator to write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pelican.utils import get_relative_path, path_to_url

from offer import calendar, structured_data
from offer.availability import State
from offer.catalogue import CatalogueItem
from offer.typography import french_html


class SitemapPage:
    """What pelican-sitemap reads from a written file's context."""

    status = "published"

    def __init__(self, url: str, date: dt.date):
        self.url = url
        self.date = dt.datetime.combine(date, dt.time())


@dataclass(frozen=True)
class EntryOutput:
    page: bytes  # the entry page (HTML, UTF-8)
    ics: bytes  # its calendar file
    events: list[str]  # its VEVENTs, reused by the subscribable calendar


def local_context(context: dict, name: str, relative_urls: bool, **values) -> dict:
    """The context Pelican's ``Writer.write_file`` gives the template of the file ``name``."""
    localcontext = context.copy()
    localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
    if relative_urls:
        relative_url = path_to_url(get_relative_path(name))
        localcontext["SITEURL"] = relative_url
        localcontext["localsiteurl"] = relative_url
    localcontext["output_file"] = name
    localcontext.update(values)
    return localcontext


class EntryRenderer:
    """Renders the outputs of one entry from the site-wide state."""

    def __init__(
        self,
        template,
        context: dict,
        view,
        relative_urls: bool,
        absolute_base: str,
        organizer: dict,
        today: dt.date,
        stamp: dt.datetime,
    ):
        self.template = template
        self.context = context
        self.view = view
        self.relative_urls = relative_urls
        self.absolute_base = absolute_base
        self.organizer = organizer
        self.today = today
        self.stamp = stamp

    def names(self, item: CatalogueItem) -> tuple[str, ...]:
        """The output names of the entry's page and its calendar; a postponed entry has
        no calendar (its dates no longer hold: no file to add them to an agenda)."""
        url = self.view.entry_url(item)
        if item.availability.state is State.POSTPONED:
            return (url + "index.html",)
        return url + "index.html", f"{url}{item.slug}.ics"

    def page_values(self, item: CatalogueItem) -> dict:
        """The values the entry template gets besides the site's context (JSON-LD apart)."""
        url = self.view.entry_url(item)
        return {
            "item": item,
            "calendar_url": f"{url}{item.slug}.ics",
            "page": SitemapPage(url, min(item.workshop.published_on, self.today)),
        }

    def render(self, item: CatalogueItem) -> EntryOutput:
        url = self.view.entry_url(item)
        absolute = self.absolute_base + url
        page_name = self.names(item)[0]
        json_ld = structured_data.json_ld_script(
            structured_data.event_json_ld(item, absolute, self.organizer, self.today)
        )
        localcontext = local_context(
            self.context, page_name, self.relative_urls, json_ld=json_ld, **self.page_values(item)
        )
        # Typeset here, in the worker process, rather than by rewriting the file afterwards.
        page = french_html(self.template.render(localcontext)).encode("utf-8")
        events = calendar.session_events(item, absolute, self.stamp)
        ics = calendar.entry_calendar(item, absolute, self.stamp, events)
        return EntryOutput(page=page, ics=ics, events=events)
