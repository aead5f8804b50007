"""HTML to tagged PDF with WeasyPrint, offline.

Templates live in ``modeles/`` (Jinja, autoescaped). The PDF is tagged (a
structure tree, for screen readers) and its fonts come from the system's
fontconfig (Debian's fonts-dejavu-core, installed by ``make test-deps``):
nothing is fetched from the network, any URL in a document is refused.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

MODELES = Path(__file__).parent / "modeles"

_environment = Environment(
    loader=FileSystemLoader(str(MODELES)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class OfflineOnly(ValueError):
    pass


def _no_fetch(url: str, *args, **kwargs):
    raise OfflineOnly(f"no resource is fetched while making a document: {url}")


def render_html(template: str, **context) -> str:
    return _environment.get_template(template).render(**context)


def render_pdf(template: str, title: str, **context) -> bytes:
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which the rest of the receiver does not need

    html = render_html(template, title=title, **context)
    stylesheet = CSS(filename=str(MODELES / "documents.css"), url_fetcher=_no_fetch)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(
        stylesheets=[stylesheet], pdf_tags=True, custom_metadata=True
    )
