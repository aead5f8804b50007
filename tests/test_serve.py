"""`make serve` answers a missing page with the site's own 404 page (issue 9)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from offer_pelican.serve import make_server
from tests.conftest import ROOT


@pytest.fixture
def served(tmp_path):
    (tmp_path / "404.html").write_text("<!DOCTYPE html><title>Page introuvable</title>", encoding="utf-8")
    (tmp_path / "programme").mkdir()
    (tmp_path / "programme" / "index.html").write_text("<!DOCTYPE html><title>Programme</title>", encoding="utf-8")
    server = make_server(tmp_path, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_missing_page_gets_the_sites_404(served):
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(served + "nulle-part/", timeout=10)
    assert answer.value.code == 404
    assert answer.value.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.value.read().decode() == "<!DOCTYPE html><title>Page introuvable</title>"


def test_existing_pages_are_served_as_before(served):
    with urllib.request.urlopen(served + "programme/", timeout=10) as page:
        assert page.status == 200 and b"<title>Programme</title>" in page.read()


def test_make_serve_uses_this_server():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nserve: html\n", 1)[1].split("\n\n", 1)[0]
    assert '-m offer_pelican.serve "$(OUTPUTDIR)"' in recipe
    assert "--listen" not in recipe
