"""How the build lays out its PDF documents: in forked processes, or from the build cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from offer_pelican.printable import Documents, LayoutProcess, PdfSource

ROOT = Path(__file__).resolve().parents[1]
STYLESHEET = ROOT / "theme" / "static" / "css" / "pdf.css"
HTML = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Essai – CDG 44</title></head>'
    "<body><h1>Programme</h1><p>Atelier : comment faire pour accueillir ?</p></body></html>"
)


class DictCache:
    """The two methods of the build cache that the documents use."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.reads = 0

    def get_pdf(self, key):
        self.reads += 1
        return self.files.get(key)

    def put_pdf(self, key, data):
        self.files[key] = data


def sources(text: str = HTML) -> dict[str, PdfSource]:
    return {
        "programme": PdfSource("programme/programme.pdf", text, "https://example.org/programme/"),
        "atelier": PdfSource("ateliers/ateliers.pdf", text.replace("Programme", "Ateliers"), "https://example.org/"),
    }


def leftovers() -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob("offer-pdf-*"))


def test_documents_laid_out_in_the_background_are_those_laid_out_here():
    before = leftovers()
    background = Documents(sources(), STYLESHEET, background=True)
    assert background.laying_out == ["programme", "atelier"]  # both in the forked process, none laid out here
    here = Documents(sources(), STYLESHEET, background=False)
    for name in ("atelier", "programme"):  # read in another order than laid out
        assert background[name].data.startswith(b"%PDF-")
        assert background[name].data == here[name].data
        assert background[name].url == sources()[name].url
    assert list(background) == ["programme", "atelier"]
    assert leftovers() == before  # the children's files are gone once read


def test_a_document_whose_layout_fails_stops_the_build_with_the_error():
    broken = Documents(sources(), ROOT / "theme" / "static" / "css" / "absent.css", background=True)
    with pytest.raises(FileNotFoundError):
        broken["programme"]


def test_the_cache_gives_back_an_unchanged_document_without_laying_it_out():
    cache = DictCache()
    first = Documents(sources(), STYLESHEET, background=True, cache=cache)
    data = first["programme"].data
    assert len(cache.files) == 1  # only what was read so far is stored
    first["atelier"]
    assert len(cache.files) == 2
    again = Documents(sources(), STYLESHEET, background=True, cache=cache)
    assert again.laying_out == [] and again._process is None  # nothing forked
    assert again["programme"].data == data
    changed = Documents(sources(HTML.replace("accueillir", "recruter")), STYLESHEET, background=True, cache=cache)
    assert changed.laying_out == ["programme", "atelier"]
    assert changed["programme"].data != data


def test_a_process_started_before_the_content_is_read_lays_the_documents_out():
    before = leftovers()
    process = LayoutProcess()  # as the generator does, before it reads the content
    documents = Documents(sources(), STYLESHEET, background=True, process=process)
    here = Documents(sources(), STYLESHEET, background=False)
    assert documents["programme"].data == here["programme"].data
    assert documents["atelier"].data == here["atelier"].data
    assert documents._process is None
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(process.pid, os.WNOHANG)
    assert leftovers() == before


def test_a_process_with_nothing_to_lay_out_ends():
    cache = DictCache()
    Documents(sources(), STYLESHEET, background=False, cache=cache)  # fills the cache
    process = LayoutProcess()
    documents = Documents(sources(), STYLESHEET, background=True, cache=cache, process=process)
    assert documents.laying_out == [] and documents._process is None
    with pytest.raises(ChildProcessError):  # it ended, and was reaped
        os.waitpid(process.pid, os.WNOHANG)


def test_sources_larger_than_a_pipe_reach_the_process():
    """The documents go through a file: more than a pipe holds (64 KiB) is sent in full."""
    bulky = HTML.replace("<body>", "<body><!-- " + "x" * 200_000 + " -->")
    documents = Documents(sources(bulky), STYLESHEET, background=True, process=LayoutProcess())
    here = Documents(sources(bulky), STYLESHEET, background=False)
    assert documents["programme"].data == here["programme"].data
    assert documents["atelier"].data == here["atelier"].data
