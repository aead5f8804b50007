"""Every page works under `Content-Security-Policy: default-src 'self'`.

The site_url fixture serves the build with that header. For each page: no CSP
violation (recorded by an init script, which Playwright injects through the
DevTools protocol, outside the page's CSP), no console error or uncaught
exception, and no request outside the site's origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import STRICT_CSP
from tests.tools.static_server import StaticServer

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile || ''}:${e.lineNumber || ''}`);
}, true);
"""


@pytest.fixture(scope="module")
def watched(browser, site_url):
    """A tab that records console errors, page errors and requests to other origins."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    origin = urlsplit(site_url).netloc
    log = {"console": [], "errors": [], "foreign": [], "requests": 0}

    def on_request(request):
        log["requests"] += 1
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != origin:
            log["foreign"].append(request.url)

    page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", on_request)
    page.log = log
    yield page
    context.close()


def visit(page, url: str) -> list[str]:
    for key in ("console", "errors", "foreign"):
        page.log[key].clear()
    response = page.goto(url, wait_until="load")
    problems = []
    if response is None or not response.ok:
        problems.append(f"HTTP {response.status if response else '?'}")
    if "content-security-policy" not in (response.headers if response else {}):
        problems.append("servi sans en-tête Content-Security-Policy")
    violations = page.evaluate("window.__cspViolations || null")
    if violations is None:
        problems.append("le script d'observation n'a pas tourné")
    problems += [f"CSP : {v}" for v in violations or []]
    problems += [f"console {c}" for c in page.log["console"]]
    problems += [f"exception : {e}" for e in page.log["errors"]]
    problems += [f"requête hors du site : {u}" for u in page.log["foreign"]]
    return problems


def test_every_page_loads_cleanly_under_strict_csp(watched, site_url, built_site, html_pages):
    problems, before = [], watched.log["requests"]
    for page in html_pages:
        path = page.relative_to(built_site).as_posix()
        address = site_url + (path[: -len("index.html")] if path.endswith("index.html") else path)
        problems += [f"{path} : {p}" for p in visit(watched, address)]
    # Each page asks at least for itself and its style sheet.
    assert watched.log["requests"] - before >= 2 * len(html_pages)
    assert not problems, "\n".join(problems)


def test_styles_and_scripts_really_apply(watched, site_url):
    """The external style sheet and scripts load under the CSP (not silently blocked)."""
    assert not visit(watched, site_url + "demande-de-devis/")
    assert watched.evaluate("getComputedStyle(document.querySelector('.form__honeypot')).display") == "none"
    assert watched.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    loaded = watched.evaluate("performance.getEntriesByType('resource').map(e => e.name.split('/').pop())")
    assert {"site.css", "forms.js", "estimate.js"} <= set(loaded), loaded


def test_the_watch_catches_an_inline_script(watched, tmp_path):
    """The harness itself: inline script and style on a CSP-served page are reported."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>x</title>'
        '<style>p{color:red}</style></head><body><p>x</p><script>document.title = "y";</script></body></html>',
        encoding="utf-8",
    )
    server = StaticServer(tmp_path, 0, {"Content-Security-Policy": STRICT_CSP}).start()
    try:
        # Another port is another origin: the foreign-request check does not apply here.
        problems = [p for p in visit(watched, server.url) if not p.startswith("requête hors du site")]
    finally:
        server.stop()
    assert any(p.startswith("CSP : script-src") for p in problems), problems
    assert any(p.startswith("CSP : style-src") for p in problems), problems
