"""The editing interface in Chromium, with Decap's local backend (decap-server) on a copy of content/.

The site is built with /admin/ pointing at a decap-server bound to 127.0.0.1 that writes into a
temporary copy of the repository's content folder (never the real one), and served with the
/admin/ Content-Security-Policy of the operators' guide (docs/exploitation.md). An editor logs in,
creates a session through the form, edits a capacity, and is stopped by the CMS, in French, before
saving what the model refuses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from offer.availability import availability, build_date
from offer.formatting import euros
from offer.pricing import quote
from offer.tools.check import main as check_main
from offer.validation import load_content
from tests.cms.support import changed_lines
from tests.conftest import BUILD_EPOCH, ROOT, build_site, free_port
from tests.e2e.support import stop_process
from tests.tools.static_server import StaticServer

pytestmark = pytest.mark.browser

DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
}, true);
"""


def admin_csp(local_backend_origin: str = "") -> str:
    """The /admin/ policy of docs/exploitation.md, with the local backend in connect-src."""
    return (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data: blob:; connect-src 'self'"
        + (f" {local_backend_origin}" if local_backend_origin else "")
        + "; frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'"
    )


@pytest.fixture(scope="module")
def depot(tmp_path_factory) -> Path:
    """A copy of the repository's content (and schemas) that the CMS writes into."""
    root = tmp_path_factory.mktemp("depot")
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    return root


@pytest.fixture(scope="module")
def local_backend(depot):
    """decap-server (npm, package-lock.json) on 127.0.0.1, file-system mode, over the copy."""
    if not DECAP_SERVER.exists():
        pytest.fail("decap-server manque : lancez « npm ci --ignore-scripts » (make test le fait)")
    port = free_port()
    env = {
        **os.environ,
        "GIT_REPO_DIRECTORY": str(depot),
        "MODE": "fs",
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "LOG_LEVEL": "warn",
    }
    process = subprocess.Popen(
        ["node", str(DECAP_SERVER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.monotonic() + 30
    while True:
        try:
            request = urllib.request.Request(
                url, data=b'{"action":"info"}', headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"decap-server ne répond pas :\n{process.stdout.read()}")
        time.sleep(0.1)
    yield url
    stop_process(process)


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory, local_backend) -> Path:
    output = tmp_path_factory.mktemp("admin-site") / "output"
    result = build_site(output, env={"CMS_LOCAL_BACKEND_URL": local_backend})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (output / "admin" / "cms.js").exists(), result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def admin_url(admin_site, local_backend):
    origin = re.match(r"https?://[^/]+", local_backend).group(0)
    with StaticServer(admin_site, headers={"Content-Security-Policy": admin_csp(origin)}) as url:
        yield url + "admin/"


@pytest.fixture
def cms(browser, admin_url):
    """A logged-in editor on the collection of sessions; no CSP violation nor page error allowed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(admin_url)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Sessions").first.wait_for()
    yield page
    violations = page.evaluate("window.__cspViolations")
    context.close()
    assert not violations, violations
    assert not errors, errors


def field(page, name: str, nth: int = 0):
    return page.locator(f'[id^="{name}-field-"]').nth(nth)


def choose(page, name: str, *options: str, nth: int = 0) -> None:
    """A Decap select (react-select): type the option's label, Enter."""
    box = field(page, name, nth)
    for option in options:
        box.click()
        box.fill(option)
        page.keyboard.press("Enter")


def publish(page) -> None:
    page.get_by_role("button", name="Publier", exact=True).click()
    page.get_by_text("Publier maintenant").click()


def wait_for_file(path: Path, before: str | None = None, timeout: float = 20) -> str:
    """The file's text once written and stable (decap-server truncates, then writes)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8") if path.exists() else None
        if text and text != before and text == last:
            return text
        last = text
        time.sleep(0.3)
    raise AssertionError(f"{path.name} n'a pas été écrit")


def fill_new_session(page, capacity: str, first_date: str = "2027-05-12") -> None:
    page.evaluate("location.hash = '#/collections/ateliers/new'")
    choose(page, "type", "Atelier inter")
    field(page, "titre").fill("Accueillir un nouvel agent")
    field(page, "question").fill("Comment faire pour bien accueillir un nouvel agent ?")
    field(page, "objet").fill("Un livret d'accueil")
    choose(page, "public", "DGS", "Élus")
    field(page, "nom").fill("CDG 44")
    field(page, "adresse").fill("6 rue du Pen Duick II, 44300 Nantes")
    # The list starts with one séance (min: 1): add the second.
    while page.locator('[id^="date-field-"]').count() < 2:
        page.get_by_role("button", name=re.compile("^Ajouter séances", re.I)).click()
    if first_date:
        field(page, "date", 0).fill(first_date)
    choose(page, "duree", "Une journée", nth=0)
    field(page, "debut", 0).fill("09:00")
    field(page, "date", 1).fill("2027-06-09")
    choose(page, "duree", "Une demi-journée", nth=1)
    field(page, "debut", 1).fill("14:30")
    field(page, "fin", 1).fill("18:00")
    field(page, "capacite").fill(capacity)
    editor = page.locator('[data-slate-editor="true"]').first
    editor.click()
    page.keyboard.type("Un atelier pour écrire ensemble le livret d'accueil des nouveaux agents.")


def test_create_a_session_through_the_form(cms, depot, tmp_path):
    fill_new_session(cms, "12")
    publish(cms)
    path = depot / "content" / "ateliers" / "2027-05-accueillir-un-nouvel-agent.yaml"
    text = wait_for_file(path)
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../schemas/atelier.schema.json"
    assert '  - {date: 2027-06-09, duree: demi-journee, debut: "14:30", fin: "18:00"}' in lines, text
    assert "public: [DGS, Élus]" in lines and "capacite: 12" in lines, text
    assert [line.split(":")[0] for line in lines[1:] if line[:1].isalpha()][:8] == [
        "type", "titre", "question", "objet", "public", "lieu", "seances", "capacite",
    ]  # fmt: skip

    # make check passes on the file as written
    assert check_main([str(depot / "content")]) == 0
    # and the built site shows it with the badge and the price the rules give
    output = tmp_path / "output"
    result = build_site(output, content=depot / "content")
    assert result.returncode == 0, result.stderr
    content = load_content(depot / "content")
    entry = next(e for e in content.entries if e.source.endswith(path.name))
    today = build_date({"SOURCE_DATE_EPOCH": BUILD_EPOCH})
    badge = availability(entry.workshop, today).label
    price = euros(quote(entry.workshop.seances, 12, content.rates.tarifs).per_participant)
    page_html = (output / "programme" / entry.slug / "index.html").read_text(encoding="utf-8")
    assert "Accueillir un nouvel agent" in page_html
    assert badge in page_html and price in page_html, (badge, price)
    assert price == "420\u00a0€"  # one day and one half-day at the 2020 rates


def test_edit_a_capacity_changes_only_that_line(cms, depot):
    path = depot / "content" / "ateliers" / "2027-01-codev-managers.yaml"
    before = path.read_text(encoding="utf-8")
    cms.get_by_text("Groupe de co-développement des managers").click()
    field(cms, "capacite").fill("7")
    publish(cms)
    after = wait_for_file(path, before)
    assert changed_lines(before, after) == ["-capacite: 8", "+capacite: 7"], after


def test_what_the_model_refuses_is_refused_before_saving(cms, depot):
    folder = depot / "content" / "ateliers"
    files_before = sorted(p.name for p in folder.iterdir())
    fill_new_session(cms, "40", first_date="")
    publish(cms)
    body = cms.locator("body")
    body.get_by_text("Le champ Capacité doit être compris entre 1 et 15.").wait_for()
    assert cms.get_by_text("Le champ Date est requis.").count() >= 1
    time.sleep(1)
    assert sorted(p.name for p in folder.iterdir()) == files_before
    # Decap rejects its save promise without a reason when the form is invalid.
    cms.errors[:] = [e for e in cms.errors if e != "undefined"]


def test_rates_a_past_year_is_refused_a_new_year_is_appended(cms, depot):
    path = depot / "content" / "tarifs.yaml"
    before = path.read_text(encoding="utf-8")
    cms.get_by_role("link", name="Tarifs").first.click()
    cms.get_by_text("Tarifs par année").click()
    field(cms, "journee").fill("999")
    publish(cms)
    cms.get_by_text("le tarif de 2020 a été modifié : un tarif voté ne se modifie pas.", exact=False).wait_for()
    assert path.read_text(encoding="utf-8") == before
    field(cms, "journee").fill("280")
    cms.get_by_role("button", name=re.compile("^Ajouter tarifs", re.I)).click()
    field(cms, "annee", 1).fill("2027")
    field(cms, "journee", 1).fill("300")
    field(cms, "demi_journee", 1).fill("150")
    publish(cms)
    after = wait_for_file(path, before)
    assert after == before + "  - annee: 2027\n    journee: 300\n    demi_journee: 150\n"
    # Decap rejects its save promise with the refusal (an object) after showing the message.
    cms.errors[:] = [e for e in cms.errors if e not in ("undefined", "Object")]
