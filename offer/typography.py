"""French typography, applied once to every page a visitor reads.

- a narrow no-break space (U+202F) before « ? ! ; : » and inside « guillemets » ;
- a no-break space (U+00A0) inside phone numbers and between a number and its
  unit (€, %, places, personnes…);
- one kind of apostrophe, the typographic one (’).

``french_text`` works on plain text; ``french_html`` on a whole page: it changes
the text between tags and the visitor-facing attributes (title, alt, aria-label,
placeholder, the forms' messages and the texts the scripts switch to, the page
description), never scripts, styles, code, form values or URLs. Markdown pages,
YAML fields and form labels all reach the visitor through the built pages, so
the Pelican adapter runs this on each written page and nothing else needs to
remember it.
"""

from __future__ import annotations

import re

NNBSP = "\u202f"
NBSP = "\u00a0"

_SPACES = "[ \u00a0\u202f]"
_BEFORE_PUNCT = re.compile(rf"{_SPACES}+(?=[?!;:](?:[\s<)»]|$))")
_OPEN_QUOTE = re.compile(rf"«{_SPACES}*")
_CLOSE_QUOTE = re.compile(rf"{_SPACES}*»")
_PHONE = re.compile(r"(?<![\d\w])0\d(?:[ \u00a0]\d\d){4}(?![\d\w])")
_UNITS = (
    r"(?:€|%|places?|personnes?|participants?|agents?|séances?|journées?|demi-journées?|jours?|mois|ans?)"
    r"(?![\w-])"
)
_NUMBER_UNIT = re.compile(rf"(?<=\d) (?={_UNITS})")
_APOSTROPHE = re.compile(r"(?<=\w)(?:'|&#39;|&#x27;)(?=\w)")


# What any rule below needs in a text: most of a page's text nodes hold none of it.
_MAY_CHANGE = re.compile(r"['?!;:«»\d]|&#")


def french_text(text: str) -> str:
    """Plain text (or the text of one HTML node) set in French typography."""
    if not text or not _MAY_CHANGE.search(text):
        return text
    text = _APOSTROPHE.sub("\u2019", text)
    text = _BEFORE_PUNCT.sub(NNBSP, text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    text = _CLOSE_QUOTE.sub(NNBSP + "»", text)
    text = _PHONE.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    return _NUMBER_UNIT.sub(NBSP, text)


# Whole elements left as they are, then any other tag.
_TOKENS = re.compile(
    r"(<!--.*?-->|<(script|style|pre|code|textarea)\b.*?</\2\s*>|<[^>]*>)",
    re.DOTALL | re.IGNORECASE,
)
# data-titre-*, data-bouton-*, data-avis-*, data-libelle-*: texts a script shows in place of others.
_TEXT_ATTRIBUTES = re.compile(
    r'(\s(?:title|alt|aria-label|placeholder|data-(?:message|titre|bouton|avis|libelle)-[a-z-]+)=")([^"]*)(")'
)
_DESCRIPTION = re.compile(r'^<meta\s+name="description"\s+content="([^"]*)"')
# Hyphens and quotes keep the regexes off URLs: an attribute that looks like one is left alone.
_URL = re.compile(r"^[a-z]+:|^[./#]")


def _attribute(match: re.Match) -> str:
    value = match.group(2)
    return match.group(1) + (value if _URL.match(value) else french_text(value)) + match.group(3)


def _tag(tag: str) -> str:
    if tag.startswith(("<!", "</")) or '="' not in tag:
        return tag
    tag = _TEXT_ATTRIBUTES.sub(_attribute, tag)
    if not tag.startswith("<meta"):
        return tag
    return _DESCRIPTION.sub(lambda m: f'<meta name="description" content="{french_text(m.group(1))}"', tag)


def french_html(html: str) -> str:
    """A page with French typography in its text and visitor-facing attributes."""
    out = []
    position = 0
    for match in _TOKENS.finditer(html):
        out.append(french_text(html[position : match.start()]))
        token = match.group(1)
        out.append(_tag(token) if match.group(2) is None else token)
        position = match.end()
    out.append(french_text(html[position:]))
    return "".join(out)
