"""The printable programme and offer pages: PDF documents made at build time with WeasyPrint.

The documents are HTML rendered with the theme's templates (``pdf/*.html``), set in
French typography, then laid out by WeasyPrint with ``theme/static/css/pdf.css`` and
the system's fonts (DejaVu, installed by ``make bootstrap``). They are tagged
(PDF/UA-1: structure tree, language, title) for screen readers. Nothing is fetched
from the network: only local files may be loaded into a document.

Laying out a document is the slowest step of a build (about 0.1 s a page): each
document is laid out in a forked process while the build renders the pages that
do not show its size, and with the build cache on (``make devserver``) a
document whose HTML, stylesheet and WeasyPrint version are unchanged is taken
from the cache instead.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class PdfSource:
    """What one document is made from: its HTML, the address its links are relative to, and where it goes."""

    url: str
    html: str
    base_url: str


def render_pdf(html: str, base_url: str, stylesheet: Path) -> bytes:
    """The tagged PDF of one HTML document (links relative to base_url become absolute)."""
    # Imported here: a build whose documents all come from the cache never loads WeasyPrint (0.4 s).
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("file",))  # local files only: a document never downloads anything
    document = HTML(string=french_html(html), base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[CSS(filename=str(stylesheet), url_fetcher=fetcher)],
        pdf_variant=PDF_VARIANT,
    )


def source_key(source: PdfSource, stylesheet: Path, digest: Callable[..., str]) -> str:
    """The build cache's key of a document: everything its bytes depend on."""
    return digest(
        "pdf",
        PDF_VARIANT,
        importlib.metadata.version("weasyprint"),
        source.base_url,
        source.html,
        stylesheet.read_bytes(),
    )


class _Child:
    """One document laid out in a forked process, its bytes left in a file for this one."""

    def __init__(self, source: PdfSource, stylesheet: Path, folder: Path):
        self.result = folder / f"{os.getpid()}-{id(self)}.pdf"
        self.source, self.stylesheet = source, stylesheet
        self.pid = os.fork()
        if self.pid == 0:  # the child: lay out, leave the bytes, go without running this process's exit code
            status = 1
            try:
                self.result.write_bytes(render_pdf(source.html, source.base_url, stylesheet))
                status = 0
            except BaseException:  # noqa: BLE001 - told on stderr; the parent lays it out again and fails there
                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(status)

    def wait(self) -> bytes:
        _, status = os.waitpid(self.pid, 0)
        try:
            if os.waitstatus_to_exitcode(status) == 0:
                return self.result.read_bytes()
        finally:
            self.result.unlink(missing_ok=True)
        # The child failed: lay it out here, where an error stops the build with its traceback.
        return render_pdf(self.source.html, self.source.base_url, self.stylesheet)


class Documents(Mapping):
    """The site's PDF documents by name, laid out in the background: reading one waits for it.

    Each missing document is laid out in a forked process while the build goes
    on; the pages that show a document's size read it here, as late as they can.
    Read only from the process that made this object (a forked worker cannot
    wait for another process's child).
    """

    def __init__(self, sources: dict[str, PdfSource], stylesheet: Path, background: bool, cache=None):
        from .build_cache import digest

        self._order = list(sources)
        self._ready: dict[str, Printable] = {}
        self._running: dict[str, _Child] = {}
        self._keys = {name: source_key(source, stylesheet, digest) for name, source in sources.items()} if cache else {}
        self._cache = cache
        self._folder = Path(tempfile.mkdtemp(prefix="offer-pdf-")) if background else None
        for name, source in sources.items():
            data = cache.get_pdf(self._keys[name]) if cache else None
            if data is not None:
                self._ready[name] = Printable(source.url, data)
            elif background:
                self._running[name] = _Child(source, stylesheet, self._folder)
            else:
                self._finish(name, source.url, render_pdf(source.html, source.base_url, stylesheet))

    def _finish(self, name: str, url: str, data: bytes) -> None:
        self._ready[name] = Printable(url, data)
        if self._cache:
            self._cache.put_pdf(self._keys[name], data)

    def __getitem__(self, name: str) -> Printable:
        if name in self._running:
            child = self._running.pop(name)
            self._finish(name, child.source.url, child.wait())
            if not self._running and self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
        return self._ready[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)
