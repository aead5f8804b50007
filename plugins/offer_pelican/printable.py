"""The printable programme and offer pages: PDF documents made at build time with WeasyPrint.

The documents are HTML rendered with the theme's templates (``pdf/*.html``), set in
French typography, then laid out by WeasyPrint with ``theme/static/css/pdf.css`` and
the system's fonts (DejaVu, installed by ``make bootstrap``). They are tagged
(PDF/UA-1: structure tree, language, title) for screen readers. Nothing is fetched
from the network: only local files may be loaded into a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from offer.typography import french_html

PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class Printable:
    """One PDF document of the site: where it goes in the output and its bytes."""

    url: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def local_only() -> URLFetcher:
    """WeasyPrint's fetcher, limited to local files: a document never downloads anything."""
    return URLFetcher(allowed_protocols=("file",))


def render_pdf(html: str, base_url: str, stylesheet: Path) -> bytes:
    """The tagged PDF of one HTML document (links relative to base_url become absolute)."""
    fetcher = local_only()
    document = HTML(string=french_html(html), base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[CSS(filename=str(stylesheet), url_fetcher=fetcher)],
        pdf_variant=PDF_VARIANT,
    )
