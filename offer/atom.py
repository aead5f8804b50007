"""Atom feed of the offer: one entry per workshop or co-development group.

Pure core (no Pelican import). Dates come from the content (``published_on``),
never from the clock, so the same content gives the same feed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable

from feedgenerator import Atom1Feed

from .availability import PARIS
from .catalogue import CatalogueItem
from .formatting import long_date
from .model import Status, Workshop

AUTHOR = "CDG 44"
LANGUAGE = "fr"


class _Feed(Atom1Feed):
    """Atom1Feed whose feed-level <updated> never falls back to now()."""

    def __init__(self, *args, fallback_updated: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._fallback_updated = fallback_updated

    def latest_post_date(self):
        dates = [item["updateddate"] or item["pubdate"] for item in self.items]
        dates = [d for d in dates if d is not None]
        return max(dates) if dates else self._fallback_updated


def published_at(workshop: Workshop) -> dt.datetime:
    """``published_on`` at midnight in Paris."""
    return dt.datetime.combine(workshop.published_on, dt.time(0, 0), tzinfo=PARIS)


def entry_summary(workshop: Workshop) -> str:
    """Plain French text: the status, the question or the title, the objet, the dates."""
    lines = []
    if workshop.statut is Status.ANNULE:
        lines.append("Session annulée.")
    elif workshop.statut is Status.REPORTE:
        lines.append("Session reportée : les nouvelles dates seront publiées sur le site.")
    lines.append(workshop.question or workshop.titre)
    if workshop.objet:
        lines.append(f"Objet : {workshop.objet}")
    dates = [long_date(s.date) for s in workshop.seances]
    if len(dates) == 1:
        lines.append(f"Séance le {dates[0]}, {workshop.lieu.nom}.")
    else:
        lines.append(f"{len(dates)} séances : {', '.join(dates[:-1])} et {dates[-1]}, {workshop.lieu.nom}.")
    return "\n".join(lines)


def _html(text: str) -> str:
    # feedgenerator marks <summary> as type="html": escape the plain text.
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def atom_feed(
    items: Iterable[CatalogueItem],
    site_url: str,
    feed_url: str,
    url_for: Callable[[CatalogueItem], str],
    title: str,
    updated: dt.datetime,
) -> str:
    """The Atom document (newest ``published_on`` first).

    The feed's <updated> is the newest ``published_on``; ``updated`` is used only
    when there is no item (give the build time from SOURCE_DATE_EPOCH).
    """
    feed = _Feed(
        title=title,
        link=site_url,
        description=None,
        language=LANGUAGE,
        author_name=AUTHOR,
        feed_url=feed_url,
        feed_guid=feed_url,
        fallback_updated=_aware(updated),
    )
    ordered = sorted(items, key=lambda i: (-i.workshop.published_on.toordinal(), i.slug))
    for item in ordered:
        workshop = item.workshop
        url = url_for(item)
        moment = published_at(workshop)
        feed.add_item(
            title=workshop.titre,
            link=url,
            description=_html(entry_summary(workshop)),
            unique_id=url,
            pubdate=moment,
            updateddate=moment,
        )
    return feed.writeString("utf-8")
