"""Markdown made safe: the sanitiser's allow-list, its report, and what it leaves alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown import Markdown
from pelican.contents import Page
from pelican.readers import Readers
from pelican.settings import read_settings

from offer import rich_text
from offer.rich_text import description_removals, render_description, sanitize

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"


@pytest.mark.parametrize(
    "markdown, refused",
    [
        ("Bonjour <script>alert(1)</script>", "alert(1)"),
        ("<style>body { display: none }</style>Texte", "display"),
        ('<iframe src="https://exemple.org"></iframe>', "<iframe"),
        ('<form action="https://exemple.org"><input name="a"></form>', "<form"),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("[clic](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">clic</a>', "alert"),
        ('<a href="data:text/html,&lt;script&gt;">clic</a>', "data:"),
        ('<p onclick="alert(1)" style="color: red">Texte</p>', "onclick"),
        ("## Titre {: onclick=alert(1) }", "onclick"),
        ("Texte <!-- note interne -->", "note interne"),
        ("<object data=x></object><embed src=x>", "<object"),
    ],
)
def test_what_a_description_cannot_put_on_a_page(markdown, refused):
    html = render_description(markdown)
    assert refused not in html
    assert description_removals(markdown), markdown


@pytest.mark.parametrize(
    "markdown, kept",
    [
        ("## Programme\n\nTexte", "<h2>Programme</h2>"),
        ("- un\n- deux", "<li>un</li>"),
        ("1. un\n2. deux", "<ol>"),
        ("**gras** et *italique*", "<strong>gras</strong> et <em>italique</em>"),
        ("[CDG 44](https://www.cdg44.fr)", '<a href="https://www.cdg44.fr">CDG 44</a>'),
        ("[tarifs](../../tarifs/)", '<a href="../../tarifs/">tarifs</a>'),
        ("[écrire](mailto:conseilrh@cdg44.fr)", '<a href="mailto:conseilrh@cdg44.fr">'),
        ("[appeler](tel:+33240207750)", '<a href="tel:+33240207750">'),
        ("> Une citation", "<blockquote>"),
        ("| a | b |\n| - | - |\n| 1 | 2 |", "<td>1</td>"),
        ("Le CDG\n\n*[CDG]: Centre de gestion", '<abbr title="Centre de gestion">CDG</abbr>'),
        ("A & B < C", "A &amp; B &lt; C"),
    ],
)
def test_what_a_brochure_needs_is_kept(markdown, kept):
    assert kept in render_description(markdown)
    assert description_removals(markdown) == []


def test_ids_written_in_a_description_cannot_take_the_pages_own():
    html = render_description("## S'inscrire {: #inscription }")
    assert 'id="presentation-inscription"' in html and 'id="inscription"' not in html


def test_the_report_names_what_was_removed():
    removed = description_removals("<script>x</script> [a](javascript:b) <iframe></iframe> <p onclick=x>t</p>")
    assert "la balise <script> et son contenu" in removed
    assert "la balise <iframe>" in removed
    assert any("« javascript:b »" in item for item in removed)
    assert "l'attribut onclick de <p>" in removed


def test_the_sanitiser_changes_nothing_in_the_brochure_pages():
    """content/pages/ is ours (reviewed in Git): the same sanitiser runs on it and must not alter it."""
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(CONTENT)})
    readers = Readers(settings)
    pages = sorted((CONTENT / "pages").glob("*.md"))
    assert len(pages) >= 10
    for path in pages:
        page = readers.read_file(str(CONTENT), str(path.relative_to(CONTENT)), content_class=Page, context={})
        assert page._content
        assert sanitize(page._content) == page._content, path.name
        assert rich_text.removed_markup(page._content) == [], path.name


def test_the_sanitiser_changes_nothing_in_the_sample_descriptions():
    raw = Markdown(
        extensions=["extra", "sane_lists", "smarty"],
        extension_configs={"smarty": {"substitutions": rich_text.FRENCH_QUOTES}},
        output_format="html",
    )
    described = 0
    for path in sorted((CONTENT / "ateliers").glob("*.yaml")):
        text = yaml.safe_load(path.read_text(encoding="utf-8")).get("description")
        if text:
            described += 1
            assert render_description(text) == raw.reset().convert(text), path.name
    assert described >= 10
