"""French typography: the filter itself, then every built page (issue 9)."""

from __future__ import annotations

import re

import pytest

from offer.typography import NBSP, NNBSP, french_html, french_text
from tests.tools.html_tree import Element, parse_file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Combien ça coûte ?", f"Combien ça coûte{NNBSP}?"),
        ("Contact : ici ; là !", f"Contact{NNBSP}: ici{NNBSP}; là{NNBSP}!"),
        ("« Comment faire pour… »", f"«{NNBSP}Comment faire pour…{NNBSP}»"),
        ("«Faire»", f"«{NNBSP}Faire{NNBSP}»"),
        ("Tél. 02 40 20 77 50", f"Tél. 02{NBSP}40{NBSP}20{NBSP}77{NBSP}50"),
        ("15 personnes, 2 places, 700 €", f"15{NBSP}personnes, 2{NBSP}places, 700{NBSP}€"),
        ("S'inscrire à l'atelier", "S\u2019inscrire à l\u2019atelier"),
        ("https://www.cdg44.fr", "https://www.cdg44.fr"),
        ("9:00 et 14:30", "9:00 et 14:30"),
    ],
)
def test_french_text(text, expected):
    assert french_text(text) == expected
    assert french_text(expected) == expected  # applied twice, nothing more changes


def test_french_html_leaves_code_scripts_urls_and_values_alone():
    html = (
        '<a href="https://x.fr/?q=a" title="Qui ?">Qui ?</a><script>var a = "x : y";</script>'
        '<code>a : b</code><input value="d\'abord : oui"><meta name="description" content="Tarifs : 2020">'
    )
    out = french_html(html)
    assert f'title="Qui{NNBSP}?"' in out and f">Qui{NNBSP}?</a>" in out
    assert 'href="https://x.fr/?q=a"' in out
    assert 'var a = "x : y";' in out and "<code>a : b</code>" in out
    assert 'value="d\'abord : oui"' in out
    assert f'content="Tarifs{NNBSP}: 2020"' in out


def test_french_html_sets_the_texts_a_script_switches_to():
    html = (
        '<form data-titre-liste-attente="Demander une place en liste d\'attente" '
        'data-avis-liste-attente="Complet : liste d\'attente"><input name="liste_attente" value="l\'un">'
        '<a href="#f" data-libelle-liste-attente="Rejoindre la liste d\'attente">x</a>'
    )
    out = french_html(html)
    assert 'data-titre-liste-attente="Demander une place en liste d’attente"' in out
    assert f'data-avis-liste-attente="Complet{NNBSP}: liste d’attente"' in out
    assert 'data-libelle-liste-attente="Rejoindre la liste d’attente"' in out
    assert 'value="l\'un"' in out  # a value is posted: left as typed


PLAIN_BEFORE = re.compile(r"[ \u00a0][?:;!](?=\s|$)")
PLAIN_QUOTES = re.compile(r"«[ \u00a0]|[ \u00a0]»")


def _texts(node: Element):
    for child in node.children:
        if isinstance(child, Element):
            if child.tag not in ("script", "style", "code", "pre", "textarea"):
                yield from _texts(child)
        else:
            yield child


def test_no_plain_space_before_question_or_colon_nor_inside_guillemets_in_any_page(html_pages, built_site):
    problems = []
    for page in html_pages:
        tree = parse_file(page)
        for text in _texts(tree):
            for bad in (PLAIN_BEFORE, PLAIN_QUOTES):
                for match in bad.finditer(text):
                    snippet = text[max(0, match.start() - 25) : match.end() + 5].strip()
                    problems.append(f"{page.relative_to(built_site)} : « {snippet} »")
            if "'" in text:
                problems.append(f"{page.relative_to(built_site)} : apostrophe droite dans « {text.strip()[:60]} »")
    assert not problems, "\n".join(problems[:30])
