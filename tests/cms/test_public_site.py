"""/admin/ is in the build but nowhere else: not in the sitemap, not linked, never loaded by a public page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import yaml

ADMIN = re.compile(r"""(["'(=]|^)(\.\./|/|\./)*admin/|decap|cms\.js""", re.I)


def test_the_build_writes_the_editing_interface(built_site):
    admin = built_site / "admin"
    assert {"index.html", "cms.js", "config.yml", "apercu.css"} <= {p.name for p in admin.iterdir()}
    assert any(p.suffix == ".wasm" for p in admin.iterdir())
    config = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert [c["name"] for c in config["collections"]] == ["ateliers", "pages", "tarifs"]
    assert config["local_backend"]["url"].startswith("http://127.0.0.1:")  # pelicanconf.py: make editer
    index = (admin / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in index and '<script src="cms.js">' in index


def test_admin_is_not_in_the_sitemap(built_site):
    locs = [
        el.text for el in ET.parse(built_site / "sitemap.xml").iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert locs and not [loc for loc in locs if re.search(r"(^|/)admin/", urlsplit(loc).path)]


def test_no_public_page_mentions_admin(built_site, html_pages):
    assert len(html_pages) > 20
    found = [
        f"{p.relative_to(built_site)}: {m.group(0)}"
        for p in html_pages
        for m in ADMIN.finditer(p.read_text(encoding="utf-8"))
    ]
    found += [
        f"{p.relative_to(built_site)}: {m.group(0)}"
        for p in (built_site / "theme").rglob("*")
        if p.is_file() and p.suffix in (".js", ".css")
        for m in ADMIN.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found, found


@pytest.mark.browser
def test_no_public_page_requests_anything_under_admin(browser, site_url, built_site, html_pages):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    requested = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    try:
        for html in html_pages:
            path = html.relative_to(built_site).as_posix()
            page.goto(
                site_url + (path[: -len("index.html")] if path.endswith("index.html") else path), wait_until="load"
            )
    finally:
        context.close()
    assert len(requested) >= 2 * len(html_pages)
    assert not [p for p in requested if p.startswith("/admin/")]
