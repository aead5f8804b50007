"""The printable programme and offer pages: PDF documents made at build time with WeasyPrint.

The documents are HTML rendered with the theme's templates (``pdf/*.html``), set in
French typography, then laid out by WeasyPrint with ``theme/static/css/pdf.css`` and
the system's fonts (DejaVu, installed by ``make bootstrap``). They are tagged
(PDF/UA-1: structure tree, language, title) for screen readers. Nothing is fetched
from the network: only local files may be loaded into a document.

Laying out a document is the slowest step of a build (about 0.1 s a page, after
0.6 s to import WeasyPrint): the documents are laid out in one forked process,
started with the build, while the build renders the pages that do not show their
sizes; with the build cache on (``make devserver``) a document whose HTML,
stylesheet and WeasyPrint version are unchanged is taken from the cache instead.
"""

from __future__ import annotations

import importlib.metadata
import os
import pickle
import shutil
import signal
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


class LayoutProcess:
    """A forked process that imports WeasyPrint at once, then lays out the documents it is sent.

    Started before the build reads its content, so that importing WeasyPrint
    (0.6 s) overlaps the rest of the build. One process, not one per document:
    the import is most of the cost of the small documents. It names each
    document on a pipe once its file is written, so that the first ones can be
    read while it lays out the next. Never sent anything (every document came
    from the cache, or the build stopped), it ends when this process lets go of it.
    """

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="offer-pdf-"))
        requests_in, self._requests = os.pipe()
        results, results_out = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns, never runs this process's exit code
            os.close(self._requests)
            os.close(results)
            self._serve(requests_in, results_out)
        os.close(requests_in)
        os.close(results_out)
        self._results = os.fdopen(results, "r", encoding="ascii")
        self.done: set[str] = set()

    def _serve(self, requests_in: int, results_out: int) -> None:
        status = 1
        try:
            import weasyprint  # noqa: F401 - the slow import, done while the parent works

            with os.fdopen(requests_in, "rb") as requests:
                sent = requests.read() == b"1"
            if sent:
                sources, stylesheet = pickle.loads((self.folder / "sources.pickle").read_bytes())
                for index, (html, base_url) in enumerate(sources):
                    (self.folder / str(index)).write_bytes(render_pdf(html, base_url, stylesheet))
                    os.write(results_out, f"{index}\n".encode("ascii"))
            status = 0
        except BaseException:  # noqa: BLE001 - told on stderr; the parent lays it out again and fails there
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(status)

    def send(self, sources: list[PdfSource], stylesheet: Path) -> None:
        """The documents to lay out, in this order (the one needed first, first)."""
        # Through a file: a pipe holds 64 KiB, and this process would wait for the other to
        # finish importing WeasyPrint before it reads the rest.
        (self.folder / "sources.pickle").write_bytes(
            pickle.dumps(([(s.html, s.base_url) for s in sources], stylesheet))
        )
        with os.fdopen(self._requests, "wb") as requests:
            requests.write(b"1")
        self._requests = None

    def get(self, index: int) -> bytes | None:
        """The bytes of the document sent at ``index``, once laid out; None if the process failed first."""
        wanted = str(index)
        while wanted not in self.done:
            line = self._results.readline()
            if not line:
                return None
            self.done.add(line.strip())
        return (self.folder / wanted).read_bytes()

    def close(self) -> None:
        """Let go of the process (it ends once it has nothing to do) and of its files."""
        if self._requests is not None:  # sent nothing: it may still be importing, do not wait for it
            os.close(self._requests)
            self._requests = None
            os.kill(self.pid, signal.SIGKILL)
        self._results.close()
        os.waitpid(self.pid, 0)
        shutil.rmtree(self.folder, ignore_errors=True)


class Documents(Mapping):
    """The site's PDF documents by name, laid out in the background: reading one waits for it.

    The missing documents are laid out in a forked process, in the order given
    (the first needed first), while the build goes on; the pages that show a
    document's size read it here, as late as they can. Read only from the
    process that made this object (a forked worker cannot wait for another
    process's child).
    """

    def __init__(
        self,
        sources: dict[str, PdfSource],
        stylesheet: Path,
        background: bool,
        cache=None,
        process: LayoutProcess | None = None,
    ):
        """``background``: lay the missing documents out in ``process``, or in one started now;
        else here, at once."""
        from .build_cache import digest

        self._order = list(sources)
        self._ready: dict[str, Printable] = {}
        self._keys = {name: source_key(source, stylesheet, digest) for name, source in sources.items()} if cache else {}
        self._cache = cache
        self._stylesheet = stylesheet
        self._missing: dict[str, PdfSource] = {}
        for name, source in sources.items():
            data = cache.get_pdf(self._keys[name]) if cache else None
            if data is not None:
                self._ready[name] = Printable(source.url, data)
            elif background:
                self._missing[name] = source
            else:
                self._finish(name, source.url, render_pdf(source.html, source.base_url, stylesheet))
        if self._missing:
            self._process = process or LayoutProcess()
            self._process.send(list(self._missing.values()), stylesheet)
        else:
            self._process = None
            if process is not None:
                process.close()

    @property
    def laying_out(self) -> list[str]:
        """The documents the background process has not handed over yet."""
        return [name for name in self._order if name not in self._ready]

    def _finish(self, name: str, url: str, data: bytes) -> None:
        self._ready[name] = Printable(url, data)
        if self._cache:
            self._cache.put_pdf(self._keys[name], data)

    def __getitem__(self, name: str) -> Printable:
        if name not in self._ready and name in self._missing:
            source = self._missing[name]
            data = self._process.get(list(self._missing).index(name))
            if data is None:  # the process failed: lay it out here, where an error stops the build
                data = render_pdf(source.html, source.base_url, self._stylesheet)
            self._finish(name, source.url, data)
            if not self.laying_out:
                self._process.close()
                self._process = None
        return self._ready[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)
