"""What happens to the written pages after the theme: French typography on each page,
then, once the whole site is written, the search index.

Kept apart from the generator: these steps work on the output files, whoever wrote them
(the catalogue generator or Pelican's own page generator).
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from offer.typography import french_html

from .search_index import index_after_build

# Set in a written file's context by a generator that typeset the page itself while
# rendering it (the catalogue's pages, in its worker processes): nothing to redo.
TYPESET = "offer_typeset"


def set_french_typography(path: str, context=None) -> None:
    """Every HTML page Pelican writes, rewritten once in French typography."""
    if not path.endswith(".html") or (context and context.get(TYPESET)):
        return
    file = Path(path)
    html = file.read_text(encoding="utf-8")
    french = french_html(html)
    if french != html:
        file.write_text(french, encoding="utf-8")


def register() -> None:
    signals.content_written.connect(set_french_typography)
    signals.finalized.connect(index_after_build)
