"""Every internal link and resource of the built site resolves, anchors included.

URLs are relative in the development build (RELATIVE_URLS): the site must work
from any folder, so a root-relative URL ("/tarifs/") is an error too.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.tools.html_tree import parse_file

URL_ATTRIBUTES = {
    "a": ["href"],
    "area": ["href"],
    "link": ["href"],
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "form": ["action"],
}
EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "data"}


def references(page: Path):
    """(line, tag, url) of every URL in a page."""
    for el in parse_file(page).iter():
        for name in URL_ATTRIBUTES.get(el.tag, []):
            value = el.get(name)
            if value is None:
                continue
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value.strip()]
            for url in urls:
                yield el.line, el.tag, url


def ids_of(page: Path) -> set[str]:
    tree = parse_file(page)
    return {el.get("id") for el in tree.iter() if el.get("id")} | {
        el.get("name") for el in tree.find_all("a") if el.get("name")
    }


def target_of(site: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """The output file a relative URL points at (None if it does not exist), and its fragment."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    base = page.parent.relative_to(site).as_posix()
    joined = posixpath.normpath(posixpath.join(base, path))
    if joined.startswith(".."):
        return None, parts.fragment
    target = site / joined if joined != "." else site
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return (target if target.is_file() else None), parts.fragment


def check_pages(site: Path, pages: list[Path]) -> tuple[list[str], int]:
    problems, checked = [], 0
    for page in pages:
        where = page.relative_to(site).as_posix()
        for line, tag, url in references(page):
            scheme = urlsplit(url).scheme.lower()
            if scheme in EXTERNAL_SCHEMES or (tag == "form" and scheme):
                continue
            if scheme:
                problems.append(f"{where}:{line} : <{tag}> schéma inattendu « {url} »")
                continue
            if url.startswith("//") or url.startswith("/"):
                problems.append(
                    f"{where}:{line} : <{tag}> « {url} » part de la racine du serveur (casse le site dans un sous-dossier)"
                )
                continue
            if url == "":
                problems.append(f"{where}:{line} : <{tag}> adresse vide")
                continue
            checked += 1
            target, fragment = target_of(site, page, url)
            if target is None:
                problems.append(f"{where}:{line} : <{tag}> « {url} » ne mène à aucun fichier du site")
            elif fragment and target.suffix == ".html" and fragment not in ids_of(target):
                problems.append(
                    f"{where}:{line} : <{tag}> « {url} » : pas d'id « {fragment} » dans {target.relative_to(site).as_posix()}"
                )
    return problems, checked


def test_internal_links_resolve(built_site, html_pages):
    problems, checked = check_pages(built_site, html_pages)
    assert checked > 10 * len(html_pages), f"seulement {checked} liens internes vérifiés"
    assert not problems, f"{len(problems)} lien(s) cassé(s) :\n" + "\n".join(problems)


def test_css_urls_resolve(built_site):
    problems = []
    for css in built_site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if url.startswith("data:") or url.startswith("#"):
                continue
            target = (css.parent / urlsplit(url).path).resolve()
            if not target.is_file():
                problems.append(f"{css.relative_to(built_site)} : url({url})")
    assert not problems, problems


def test_the_checker_catches_a_broken_link(tmp_path):
    """The checker itself: a missing file, a missing anchor and a root-relative URL are reported."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="ici">x</p>', encoding="utf-8")
    page = tmp_path / "index.html"
    page.write_text(
        '<a href="a/">ok</a><a href="a/#ici">ok</a><a href="#haut" id="haut">ok</a>'
        '<a href="b/">manque</a><a href="a/#ailleurs">ancre</a><a href="/a/">racine</a>'
        '<img src="img/x.png" alt="">',
        encoding="utf-8",
    )
    problems, checked = check_pages(tmp_path, [page])
    assert checked == 6
    assert len(problems) == 4, problems
