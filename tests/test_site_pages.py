"""The brochure in the built site: every page there, its facts right, its markup sound.

Runs on the session's build (tests/conftest.py: SOURCE_DATE_EPOCH = 2026-11-30).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import BUILD_EPOCH, ROOT
from tests.tools.html_tree import normalise, page_text, parse_file
from tests.tools.site_map import BROCHURE_PAGES, CATALOGUE, SITE_SUFFIX, entry_pages

EXPECTED_PAGES = [*BROCHURE_PAGES, CATALOGUE]
PHONE = "02 40 20 77 50"
PHONE_URI = "tel:+33240207750"
EMAIL = "conseilrh@cdg44.fr"
ADDRESS = ["6, rue du Pen Duick II", "CS 66225", "44262 Nantes cedex 2"]
PRINCIPLES = [
    "La primauté de l'usager",
    "L'ouverture",
    "La coproduction",
    "L'action",
    "L'agilité",
    "L'expérimentation",
    "L'impact",
]
MAX_MENU_LINKS = 8


# -- helpers -----------------------------------------------------------------
def rel(site: Path, page: Path) -> str:
    return page.relative_to(site).as_posix()


def euros(amount) -> str:
    """'2 100 €' as the site writes it (spaces normalised): no cents when whole."""
    amount = Decimal(str(amount))
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return text.replace(",", " ").replace(".", ",") + " €"


def rates() -> list[dict]:
    data = yaml.safe_load((ROOT / "content" / "tarifs.yaml").read_text(encoding="utf-8"))
    return data["tarifs"]


def current_rate() -> dict:
    """The latest year of tarifs.yaml not after the build year."""
    build_year = dt.datetime.fromtimestamp(int(BUILD_EPOCH), tz=dt.UTC).year
    candidates = [r for r in rates() if int(r["annee"]) <= build_year]
    return max(candidates, key=lambda r: int(r["annee"]))


def headings(page: Path) -> list[tuple[int, str]]:
    body = parse_file(page).find("body")
    return [(int(el.tag[1]), el.text()) for el in body.iter() if re.fullmatch(r"h[1-6]", el.tag)]


def resolve(page_rel: str, href: str) -> str:
    """Output path targeted by a relative href of a page (folders -> index.html)."""
    path = urlsplit(href).path
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path)) if path else page_rel
    if path.endswith("/") or target == ".":
        target = posixpath.join("" if target == "." else target, "index.html")
    return target


# -- every page, and the key facts ---------------------------------------------
@pytest.mark.parametrize("path", EXPECTED_PAGES)
def test_page_exists(built_site, path):
    page = built_site / path
    assert page.is_file(), f"{path} manque dans le site construit"
    assert page.stat().st_size > 500, f"{path} est presque vide"


@pytest.mark.parametrize(
    ("path", "facts"),
    [
        ("index.html", ["15 personnes", "8 personnes", "5 demi-journées", "6 mois"]),
        ("ateliers-inter-collectivites/index.html", ["15 personnes", "Comment faire pour"]),
        ("co-developpement/index.html", ["8 personnes", "5 demi-journées", "6 mois"]),
        ("demande-de-devis/index.html", ["15 personnes", "8 personnes", "5 demi-journées", "6 mois"]),
    ],
)
def test_brochure_facts(built_site, path, facts):
    text = page_text(built_site / path)
    for fact in facts:
        assert fact in text, f"{path} devrait dire « {fact} »"


def test_seven_principles_of_public_innovation(built_site):
    page = built_site / "ateliers-inter-collectivites/index.html"
    text = page_text(page)
    assert "7 principes de l'innovation publique" in text
    terms = [dt_el.text() for dt_el in parse_file(page).find_all("dt")]
    for principle in PRINCIPLES:
        assert principle in text, f"principe manquant : {principle}"
    assert [t for t in terms if t in PRINCIPLES] == PRINCIPLES, f"les 7 principes, dans l'ordre, en <dt> : {terms}"


def test_rates_on_tarifs_page_come_from_tarifs_yaml(built_site):
    rate = current_rate()
    page = built_site / "tarifs/index.html"
    text = page_text(page)
    day, half = euros(rate["journee"]), euros(rate["demi_journee"])
    assert day in text and half in text, f"tarifs attendus {day} et {half} (content/tarifs.yaml)"
    rows = {}
    for table in parse_file(page).find_all("table"):
        for row in table.find_all("tr"):
            header, cells = row.find("th"), row.find_all("td")
            if header is not None and cells:
                rows[header.text()] = cells[-1].text()
    assert rows.get("Une journée") == day, rows
    assert rows.get("Une demi-journée") == half, rows
    # A co-development group: 5 half-days per participant.
    assert euros(5 * Decimal(str(rate["demi_journee"]))) in text
    assert str(rate["annee"]) in text


def test_no_price_literal_in_sources():
    """Prices are computed from tarifs.yaml: no page or template may write one."""
    amounts = set()
    for rate in rates():
        amounts.update(
            {Decimal(str(rate["journee"])), Decimal(str(rate["demi_journee"])), 5 * Decimal(str(rate["demi_journee"]))}
        )
    space = r"(?:\s|&nbsp;|&#160;|&#x[aA]0;|&#8239;|&#x202[fF];|\u00a0|\u202f)*"
    patterns = []
    for amount in amounts:
        whole = int(amount)
        grouped = f"{whole:,}".replace(",", space)
        patterns.append(
            re.compile(rf"(?<![\d.,]){grouped}(?:[.,]00?)?{space}(?:€|&euro;|euros?\b|EUR\b)", re.IGNORECASE)
        )
    sources = sorted((ROOT / "content" / "pages").glob("*.md")) + sorted((ROOT / "theme" / "templates").rglob("*.html"))
    assert sources
    offenders = []
    for source in sources:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in patterns):
                offenders.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Prix écrits en dur (à calculer depuis content/tarifs.yaml) :\n" + "\n".join(offenders)


def test_contact_details(built_site):
    for path in ["contact/index.html", "index.html", "mentions-legales/index.html"]:
        tree = parse_file(built_site / path)
        text = page_text(built_site / path)
        for part in ADDRESS:
            assert part in text, f"{path} : adresse incomplète ({part})"
        phones = [a for a in tree.find_all("a") if a.get("href", "").startswith("tel:")]
        assert any(a.text() == PHONE and a.get("href") == PHONE_URI for a in phones), f"{path} : lien tel: vers {PHONE}"
        mails = [a for a in tree.find_all("a") if a.get("href", "").startswith("mailto:")]
        assert any(a.text() == EMAIL and a.get("href") == f"mailto:{EMAIL}" for a in mails), (
            f"{path} : lien mailto: vers {EMAIL}"
        )


def test_footer_gives_contact_on_every_page(built_site, html_pages):
    for page in html_pages:
        footer = parse_file(page).find("footer")
        assert footer is not None, f"{rel(built_site, page)} : pas de pied de page"
        hrefs = {a.get("href") for a in footer.find_all("a")}
        assert PHONE_URI in hrefs and f"mailto:{EMAIL}" in hrefs, rel(built_site, page)
        assert all(part in footer.text() for part in ADDRESS), rel(built_site, page)


def test_accessibility_statement(built_site):
    page = built_site / "accessibilite/index.html"
    text = page_text(page)
    assert "non conforme" in text
    assert "RGAA" in text
    assert "Défenseur des droits" in text
    hosts = {urlsplit(a.get("href", "")).hostname for a in parse_file(page).find_all("a")}
    assert any(h and h.endswith("defenseurdesdroits.fr") for h in hosts), hosts
    # The footer announces the conformity status on every page.
    footer_links = [a.text() for a in parse_file(built_site / "index.html").find("footer").find_all("a")]
    assert "Accessibilité : non conforme" in footer_links


# -- markup of every page -------------------------------------------------------
def test_titles(built_site, html_pages):
    for page in html_pages:
        path = rel(built_site, page)
        title = parse_file(page).find("title")
        assert title is not None, path
        text = normalise(title.raw_text())
        assert text.endswith(SITE_SUFFIX) and len(text) > len(SITE_SUFFIX), f"{path} : titre « {text} »"
        expected = BROCHURE_PAGES.get(path)
        if expected:
            assert text == expected + SITE_SUFFIX, f"{path} : titre « {text} »"
        assert text.count(" – Ateliers et co-développement") == 1, f"{path} : titre « {text} »"


def test_entry_titles_name_the_entry(built_site):
    for page in entry_pages(built_site):
        tree = parse_file(page)
        assert normalise(tree.find("title").raw_text()) == tree.find("h1").text() + SITE_SUFFIX


def test_one_h1_per_page(built_site, html_pages):
    for page in html_pages:
        h1 = [h for h in headings(page) if h[0] == 1]
        assert len(h1) == 1, f"{rel(built_site, page)} : {len(h1)} titres h1 {h1}"


def test_heading_levels_never_skip(built_site, html_pages):
    for page in html_pages:
        levels = headings(page)
        assert levels and levels[0][0] == 1, f"{rel(built_site, page)} : le premier titre doit être h1 ({levels[:1]})"
        for (before, _), (level, text) in zip(levels, levels[1:], strict=False):
            assert level <= before + 1, f"{rel(built_site, page)} : h{before} puis h{level} « {text} »"


def test_lang_fr_and_landmarks(built_site, html_pages):
    for page in html_pages:
        tree = parse_file(page)
        path = rel(built_site, page)
        assert tree.find("html").get("lang") == "fr", path
        assert len(tree.find_all("main")) == 1, path
        assert tree.find("main").get("id") == "contenu", path
        assert tree.find("header") is not None and tree.find("nav") is not None, path
        skip = tree.find("a", class_="skip-link")
        assert skip is not None and skip.get("href") == "#contenu", path


def test_menu_is_small_and_fixed(built_site, html_pages):
    """The menu never lists the catalogue's entries: same few links on every page."""
    entries = {rel(built_site, p) for p in entry_pages(built_site)}
    assert len(entries) > MAX_MENU_LINKS, "le jeu d'essai devrait compter plus d'entrées que le menu"
    menus = {}
    for page in html_pages:
        path = rel(built_site, page)
        nav = parse_file(page).find("nav", class_="site-nav")
        assert nav is not None, f"{path} : pas de menu principal"
        assert nav.get("aria-label"), f"{path} : menu sans nom accessible"
        targets = tuple(resolve(path, a.get("href", "")) for a in nav.find_all("a"))
        assert 0 < len(targets) <= MAX_MENU_LINKS, f"{path} : {len(targets)} liens dans le menu"
        assert not entries & set(targets), f"{path} : le menu liste des sessions {entries & set(targets)}"
        menus[path] = targets
        current = [a for a in nav.find_all("a") if a.get("aria-current") == "page"]
        assert len(current) <= 1, f"{path} : plusieurs entrées du menu marquées courantes"
    assert len(set(menus.values())) == 1, "le menu change d'une page à l'autre"


def test_entry_pages_mark_the_programme_as_current(built_site):
    for page in entry_pages(built_site):
        nav = parse_file(page).find("nav", class_="site-nav")
        current = [a.text() for a in nav.find_all("a") if a.get("aria-current") == "page"]
        assert current == ["Programme"], (rel(built_site, page), current)


def test_no_inline_script_or_style(built_site, html_pages):
    """The pages must work under `Content-Security-Policy: default-src 'self'`."""
    for page in html_pages:
        path = rel(built_site, page)
        tree = parse_file(page)
        for script in tree.find_all("script"):
            if not script.get("src"):
                assert script.get("type") == "application/ld+json", f"{path}:{script.line} : script en ligne"
        assert not tree.find_all("style"), f"{path} : élément <style>"
        for el in tree.iter():
            assert "style" not in el.attrs, f"{path}:{el.line} : attribut style= sur <{el.tag}>"
            handlers = [name for name in el.attrs if name.startswith("on")]
            assert not handlers, f"{path}:{el.line} : gestionnaire en ligne {handlers}"
            for name in ("href", "src", "action"):
                assert not el.get(name, "").strip().lower().startswith("javascript:"), f"{path}:{el.line}"


def test_no_third_party_resources(built_site, html_pages, ports):
    """No resource from another host: links in <a> may point anywhere, resources may not."""
    own = {f"127.0.0.1:{ports['site']}"}
    resource_tags = {"link", "script", "img", "iframe", "source", "audio", "video", "embed", "object", "track", "input"}
    for page in html_pages:
        path = rel(built_site, page)
        for el in parse_file(page).iter():
            if el.tag not in resource_tags:
                continue
            for name in ("src", "href", "srcset", "data", "poster"):
                for value in (el.get(name) or "").split(","):
                    url = value.strip().split(" ")[0]
                    parts = urlsplit(url)
                    if url.startswith("//") or parts.scheme in ("http", "https"):
                        assert parts.netloc in own, (
                            f'{path}:{el.line} : <{el.tag} {name}="{url}"> vient d\'un autre site'
                        )
    for css in (built_site / "theme").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), f"{css.name} : ressource externe"
        assert "@import" not in text, f"{css.name} : @import"


def test_badges_carry_text(built_site, html_pages):
    """Colour only reinforces: every badge says its state in words."""
    seen = 0
    for page in html_pages:
        for badge in parse_file(page).find_all(class_="badge"):
            seen += 1
            assert len(badge.text()) >= 4, f"{rel(built_site, page)} : badge sans texte"
    assert seen > 0
