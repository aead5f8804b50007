"""The printable programme and offer pages (issue 9): PDF documents made at build time.

Their text is extracted with pypdf and checked against the programme page of the
same build (titles, dates, badges at the build date, prices); they are tagged
(structure tree, marked content, language) and linked with their size.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from offer.formatting import file_size
from tests.conftest import ROOT, build_site
from tests.tools.html_tree import parse_file

PROGRAMME_PDF = "programme/programme-des-sessions.pdf"
# slug -> (title, price per participant, a heading of the brochure's text, rendered as text)
OFFER_PDFS = {
    "ateliers-inter-collectivites": ("Ateliers inter-collectivités", "280 €", "La primauté de l’usager"),
    "co-developpement": ("Groupes de co-développement", "700 €", "Qu’est-ce que le co-développement professionnel ?"),
}


def flat(text: str) -> str:
    """One line, plain spaces: the PDF wraps lines and keeps the French no-break spaces."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ")).strip()


def pdf_text(reader: pypdf.PdfReader) -> str:
    return flat(" ".join(page.extract_text() for page in reader.pages))


def assert_tagged(reader: pypdf.PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fr"
    assert reader.metadata.title


@pytest.fixture(scope="module")
def programme(built_site) -> pypdf.PdfReader:
    return pypdf.PdfReader(built_site / PROGRAMME_PDF)


def upcoming_cards(built_site) -> list[dict]:
    tree = parse_file(built_site / "programme" / "index.html")
    section = tree.find("section", **{"aria-labelledby": "a-venir"})
    cards = []
    for card in section.find_all("article"):
        price = card.find("p", class_="card__price")
        cards.append(
            {
                "title": flat(card.find(class_="card__title").raw_text()),
                "date": flat(card.find("time").raw_text()),
                "badge": flat(card.find("strong", class_="badge").raw_text()),
                "price": flat(price.find("strong").raw_text()) if price else None,
            }
        )
    return cards


def test_the_programme_lists_every_upcoming_session_as_the_site_shows_it(programme, built_site):
    text = pdf_text(programme)
    cards = upcoming_cards(built_site)
    assert len(cards) >= 5
    assert "Programme des sessions" in text and "À jour au lundi 30 novembre 2026" in text
    for card in cards:
        start = text.find(card["title"])
        assert start >= 0, card["title"]
        # The session's own block: up to the next session's title (or the end).
        following = [text.find(c["title"], start + 1) for c in cards if c is not card]
        end = min([i for i in following if i > start], default=len(text))
        block = text[start:end]
        assert card["date"] in block, (card, block)
        assert card["badge"] in block, (card, block)
        if card["price"]:
            assert card["price"] in block, (card, block)
    assert any(card["price"] for card in cards)
    assert "Terminé" not in text  # past sessions are not in the programme of upcoming ones


def test_the_programme_is_tagged(programme):
    assert_tagged(programme)
    assert programme.metadata.title == "Programme des sessions – CDG 44"


@pytest.mark.parametrize("slug", list(OFFER_PDFS))
def test_each_offer_page_has_its_tagged_pdf(built_site, slug):
    title, price, brochure = OFFER_PDFS[slug]
    reader = pypdf.PdfReader(built_site / slug / f"{slug}.pdf")
    assert_tagged(reader)
    text = pdf_text(reader)
    assert text.startswith("CDG 44"), text[:80]
    assert title in text and "En bref" in text and price in text
    assert brochure in text and "<" not in text  # the page's HTML laid out, not shown as text
    link = parse_file(built_site / slug / "index.html").find("p", class_="printable").find("a")
    assert link.get("href").endswith(f"{slug}/{slug}.pdf")
    size = file_size((built_site / slug / f"{slug}.pdf").stat().st_size)
    assert flat(link.raw_text()) == flat(f"Version imprimable de cette page (PDF, {size})")


def test_the_programme_page_links_the_pdf_with_its_size(built_site):
    link = parse_file(built_site / "programme" / "index.html").find("p", class_="printable").find("a")
    assert link.get("href") == "../programme/programme-des-sessions.pdf"
    size = file_size((built_site / PROGRAMME_PDF).stat().st_size)
    assert flat(link.raw_text()) == flat(f"Programme imprimable des sessions à venir (PDF, {size})")


@pytest.mark.parametrize(("size", "label"), [(300, "1 ko"), (49_500, "48 ko"), (1_300_000, "1,2 Mo")])
def test_file_sizes_are_written_in_french(size, label):
    assert flat(file_size(size)) == label


@pytest.fixture(scope="module")
def capped_site(tmp_path_factory) -> Path:
    """The sample site with a programme of two sessions: the PDF lists the next two and sends to the site."""
    folder = tmp_path_factory.mktemp("capped")
    settings = folder / "capconf.py"
    settings.write_text(
        "import runpy\n"
        f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r}).items() if k.isupper()}})\n"
        "OFFER = {**OFFER, 'PRINTABLE_SESSIONS': 2}  # noqa: F821\n",
        encoding="utf-8",
    )
    result = build_site(folder / "output", settings=str(settings))
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "output"


def test_a_long_programme_prints_the_next_sessions_and_sends_to_the_site(capped_site):
    cards = upcoming_cards(capped_site)
    assert len(cards) > 2
    text = pdf_text(pypdf.PdfReader(capped_site / PROGRAMME_PDF))
    for card in cards[:2]:
        assert card["title"] in text
    for card in cards[2:]:
        assert card["title"] not in text
    rest = len(cards) - 2
    assert f"Ce document présente les 2 prochaines sessions, jusqu’au {cards[1]['date']}" in text, text[:600]
    assert f"{rest} autres sessions sont dans le programme en ligne" in text
    link = parse_file(capped_site / "programme" / "index.html").find("p", class_="printable").find("a")
    size = file_size((capped_site / PROGRAMME_PDF).stat().st_size)
    assert flat(link.raw_text()) == flat(f"Programme imprimable des 2 prochaines sessions (PDF, {size})")
