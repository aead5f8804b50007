"""What the browser and build tests walk through: the pages of the built site."""

from __future__ import annotations

from pathlib import Path

from tests.tools.html_tree import parse_file

SITE_SUFFIX = " – Ateliers et co-développement – CDG 44"

# The brochure: output path -> expected <title> prefix (None: any non-empty one).
BROCHURE_PAGES = {
    "index.html": "Accueil",
    "ateliers-inter-collectivites/index.html": "Ateliers inter-collectivités",
    "co-developpement/index.html": "Groupes de co-développement",
    "tarifs/index.html": "Tarifs",
    "contact/index.html": "Contact",
    "mentions-legales/index.html": "Mentions légales",
    "accessibilite/index.html": "Déclaration d'accessibilité",
    "donnees-personnelles/index.html": "Données personnelles",
    "plan-du-site/index.html": "Plan du site",
    "demande-de-devis/index.html": "Demander un devis",
    "merci/index.html": "Merci, votre demande est envoyée",
    "404.html": "Page introuvable",
    "recherche/index.html": "Rechercher dans le site",
}
CATALOGUE = "programme/index.html"
FILTERED_CATALOGUE = "programme/type/codev/index.html"

# Every availability state the plugin knows (offer/availability.py).
STATES = (
    "disponible",
    "dernieres-places",
    "complet",
    "inscriptions-closes",
    "termine",
    "annule",
    "reporte",
    "bientot",
)


def url_path(output_path: str) -> str:
    """'tarifs/index.html' -> 'tarifs/' (the address a visitor types)."""
    if output_path == "index.html":
        return ""
    if output_path.endswith("/index.html"):
        return output_path[: -len("index.html")]
    return output_path


def entry_pages(site: Path) -> list[Path]:
    """The page of each catalogue entry: the folders whose page shows an availability badge
    (a postponed entry has no .ics file, so the badge is the mark of an entry page)."""
    return sorted(
        folder / "index.html"
        for folder in (site / "programme").iterdir()
        if folder.is_dir()
        and (folder / "index.html").exists()
        and 'class="entry__status"' in (folder / "index.html").read_text(encoding="utf-8")
    )


def entry_state(page: Path) -> str | None:
    """The availability state shown by an entry page's badge (badge--<state>)."""
    status = parse_file(page).find("p", class_="entry__status")
    if status is None:
        return None
    for el in status.find_all(class_="badge"):
        for name in el.get("class", "").split():
            if name.startswith("badge--"):
                return name[len("badge--") :]
    return None


def one_entry_per_state(site: Path) -> dict[str, Path]:
    """For each state found in the samples, the first entry page showing it."""
    found: dict[str, Path] = {}
    for page in entry_pages(site):
        state = entry_state(page)
        if state and state not in found:
            found[state] = page
    return found
