"""Editors' Markdown made into HTML that a page may show.

Markdown lets raw HTML through (``<script>``, ``<iframe>``, ``<form>``, ``style``
and ``on…`` attributes, ``javascript:`` links), so its output is sanitised with
nh3 (the Rust sanitiser ammonia) to an allow-list that fits a brochure: headings,
paragraphs, lists, emphasis, quotes, abbreviations, tables and links to web
pages, e-mail addresses and phone numbers (and relative links). No images: the
site publishes no editor's file and an image from elsewhere would be a request
to a third party; no script, style, frame, form or embedded object.

The brochure pages (content/pages/, reviewed in Git) go through the same
sanitiser: it changes nothing in them, which a test checks.
"""

from __future__ import annotations

import functools
from collections import Counter
from html.parser import HTMLParser

import nh3
from markdown import Markdown

ALLOWED_TAGS = frozenset(
    {
        *("h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "address", "figure", "figcaption"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("strong", "em", "b", "i", "s", "del", "ins", "mark", "small", "sub", "sup", "q", "cite"),
        *("abbr", "code", "pre", "a"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    # The pages' table of contents links to their headings.
    **{heading: {"id"} for heading in ("h2", "h3", "h4", "h5", "h6")},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed with what they contain (the text of any other refused tag is kept).
DROPPED_WITH_CONTENT = frozenset({"script", "style"})
# Ids written in a description cannot collide with the page's own (forms, sections).
DESCRIPTION_ID_PREFIX = "presentation-"

# French quotes and apostrophes, as pelicanconf.py sets them for the pages.
FRENCH_QUOTES = {
    "left-single-quote": "’",
    "right-single-quote": "’",
    "left-double-quote": "« ",
    "right-double-quote": " »",
}


def sanitize(html: str, id_prefix: str | None = None) -> str:
    """The HTML with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        id_prefix=id_prefix,
    )


_renderer = Markdown(
    extensions=["extra", "sane_lists", "smarty"],
    extension_configs={"smarty": {"substitutions": FRENCH_QUOTES}},
    output_format="html",
)


@functools.lru_cache(maxsize=4096)
def _markdown_html(text: str) -> str:
    # Cached: a build converts each description twice, once when the content is
    # checked (what would be removed) and once for its page.
    _renderer.reset()
    return _renderer.convert(text)


def render_description(text: str | None) -> str:
    """A workshop's description (Markdown) as sanitised HTML."""
    return sanitize(_markdown_html(text or ""), id_prefix=DESCRIPTION_ID_PREFIX)


class _Inventory(HTMLParser):
    """The tags, attributes and comments of an HTML fragment, counted."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.attributes: Counter = Counter()
        self.comments = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            self.attributes[(tag, name, value or "")] += 1

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.comments += 1


def _quoted(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def removed_markup(html: str) -> list[str]:
    """What the sanitiser removes from an HTML fragment, in French, in order of appearance."""
    clean = sanitize(html)
    if clean == html:  # the usual case: nothing to parse
        return []
    before, after = _Inventory(html), _Inventory(clean)
    removed: list[str] = []
    for tag in before.tags - after.tags:
        if tag in DROPPED_WITH_CONTENT:
            removed.append(f"la balise <{tag}> et son contenu")
        else:
            removed.append(f"la balise <{tag}>")
    kept_tags = set(after.tags)
    for tag, name, value in before.attributes - after.attributes:
        if tag not in kept_tags:
            continue  # gone with its tag
        if name in ("href", "src"):
            removed.append(f"le lien « {_quoted(value)} » (seuls http, https, mailto et tel sont permis)")
        else:
            removed.append(f"l'attribut {name} de <{tag}>")
    if before.comments:
        removed.append("un commentaire <!-- … -->")
    return removed


def description_removals(text: str | None) -> list[str]:
    """What the site leaves out of a description, for the editor's check."""
    return removed_markup(_markdown_html(text or "")) if text else []
