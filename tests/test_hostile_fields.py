"""Every field of a workshop file, fed hostile values: `make check` and the build agree.

The fields come from the model (offer/model.py), so a new field is covered
without touching this file. For each field and each hostile value (a line break,
an invisible control character, 10 000 characters, HTML, one character over the
field's limit) one workshop file is written. `python -m offer.tools.check` runs
once over all of them; then the files it accepts are built together (the build
must succeed and each page must show the text as text, never as markup) and the
files it refuses are built together (the build must stop and report the same
problems). Neither may show a Python traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import typing
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar
from pydantic import BaseModel

from offer.model import TEXT_LIMITS, RateTable, Workshop
from offer.tools.check import check_content
from tests.conftest import ROOT, build_site

CONTENT = ROOT / "content"
HOSTILE_HTML = "<img src=x onerror=alert(1)></script><script>alert(2)</script> & 'q'"
HOSTILE = {
    "retour-ligne": "Première ligne\nseconde ligne",
    "caractere-invisible": "Texte\x07invisible",
    "10000-caracteres": "Texte long " * 909 + "x",
    "html": HOSTILE_HTML,
}
# Every field filled in (optional ones too), so that each one is on the page.
BASE = {
    "type": "atelier",
    "titre": "Un atelier de base",
    "question": "Comment faire pour tester chaque champ ?",
    "objet": "Un objet",
    "public": ["DGS"],
    "lieu": {"nom": "CDG 44", "adresse": "6 rue du Pen Duick II, 44300 Nantes", "accessibilite": "De plain-pied."},
    "seances": [{"date": dt.date(2027, 5, 12), "duree": "journee", "debut": "09:00", "fin": "17:00"}],
    "capacite": 12,
    "inscrits": 2,
    "ouverture_inscriptions": dt.date(2027, 1, 4),
    "cloture_inscriptions": dt.date(2027, 5, 1),
    "statut": "programme",
    "contact": {"nom": "Service CAORH", "email": "conseilrh@cdg44.fr", "telephone": "02 40 20 77 50"},
    "description": "Une présentation **courte**.",
    "publie_le": dt.date(2026, 11, 2),
}
RATES_BASE = {"tarifs": [{"annee": 2020, "journee": 280, "demi_journee": 140, "deliberation": "Délibération 2019-12"}]}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _nested_model(annotation) -> tuple[type[BaseModel] | None, bool]:
    """(the model inside an annotation such as `Venue | None` or `list[Session]`, whether it is a list)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if typing.get_origin(annotation) is list:
        model, _ = _nested_model(typing.get_args(annotation)[0])
        return model, True
    for arg in typing.get_args(annotation):  # X | None, Annotated[…]
        model, in_list = _nested_model(arg)
        if model:
            return model, in_list
    return None, False


def leaf_paths(model: type[BaseModel] = Workshop, prefix: tuple = ()) -> list[tuple]:
    """('titre',), ('lieu', 'adresse'), ('seances', 0, 'debut'), ('public', 0)…"""
    paths = []
    for name, info in model.model_fields.items():
        nested, in_list = _nested_model(info.annotation)
        here = (*prefix, name, 0) if in_list else (*prefix, name)
        paths.extend(leaf_paths(nested, here) if nested else [here])
    return paths


def with_value(data, path: tuple, value):
    data = json.loads(json.dumps(data, default=str))  # a deep copy (dates as ISO text, read back as dates)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def hostile_cases(model: type[BaseModel] = Workshop) -> dict[str, tuple[tuple, str]]:
    """file name -> (field path, value)."""
    cases = {}
    for path in leaf_paths(model):
        field = "-".join(str(part) for part in path).replace("_", "-")
        values = dict(HOSTILE)
        limit = TEXT_LIMITS.get(path[-1]) if isinstance(path[-1], str) else None
        if limit:
            values["limite-depassee"] = "x" * (limit + 1)
        for kind, value in values.items():
            cases[f"2027-{field}-{kind}.yaml"] = (path, value)
    return cases


def write_content(folder: Path, files: dict[str, str], pages: bool, rates: str | None = None) -> Path:
    content = folder / "content"
    (content / "ateliers").mkdir(parents=True)
    if rates is None:
        shutil.copy(CONTENT / "tarifs.yaml", content / "tarifs.yaml")
    else:
        (content / "tarifs.yaml").write_text(rates, encoding="utf-8")
    shutil.copy(CONTENT / "forms.yaml", content / "forms.yaml")
    if pages:
        shutil.copytree(CONTENT / "pages", content / "pages")
    for name, text in files.items():
        (content / "ateliers" / name).write_text(text, encoding="utf-8")
    return content


def run_check(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "offer.tools.check", str(content)],
        capture_output=True,
        text=True,
        cwd=content.parent,
        timeout=300,
    )


class _Page(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.json_ld: list[str] = []
        self._in_json = False
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._in_json = tag == "script" and attributes.get("type") == "application/ld+json"
        if self._in_json:
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_ld[-1] += data
        else:
            self.text.append(data)


def assert_nothing_injected(page: Path) -> None:
    source = page.read_text(encoding="utf-8")
    assert not CONTROL.search(source), f"{page}: a control character reached the page"
    parsed = _Page(source)
    for tag, attributes in parsed.elements:
        assert tag not in ("img", "iframe", "object", "embed", "style"), f"{page}: <{tag}> {attributes}"
        assert not [name for name in attributes if name.startswith("on")], f"{page}: <{tag}> {attributes}"
        if tag == "script":
            src = attributes.get("src") or ""
            assert attributes.get("type") == "application/ld+json" or src.endswith(("/forms.js", "/search.js")), (
                page,
                attributes,
            )
        if tag == "a":
            assert not (attributes.get("href") or "").lower().startswith("javascript:"), (page, attributes)
    for block in parsed.json_ld:
        json.loads(block)  # a value cannot end the element early
    if "onerror" in source:  # the hostile HTML is on the page: as text, whole
        assert HOSTILE_HTML in "".join(parsed.text), f"{page}: the HTML is not shown as text"


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Check every hostile file once; return (files, accepted names, refused names, check's lines)."""
    files = {
        name: yaml.safe_dump(with_value(BASE, path, value), allow_unicode=True, sort_keys=False)
        for name, (path, value) in hostile_cases().items()
    }
    content = write_content(tmp_path_factory.mktemp("verifier"), files, pages=False)
    result = run_check(content)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    lines = result.stdout.strip().splitlines()
    for line in lines[:-1]:
        assert line.startswith("content/ateliers/2027-"), f"one problem per line: {line!r}"
    errors = [line for line in lines[:-1] if ": avertissement : " not in line]
    refused = {name for name in files if any(line.startswith(f"content/ateliers/{name}:") for line in errors)}
    return files, sorted(set(files) - refused), sorted(refused), errors


def test_the_base_file_is_valid():
    assert Workshop.model_validate(BASE)
    paths = leaf_paths()
    assert ("titre",) in paths and ("lieu", "adresse") in paths and ("seances", 0, "debut") in paths
    assert len(paths) >= 20


def test_single_line_fields_refuse_what_breaks_a_page_or_a_calendar(verdicts):
    _files, accepted, _refused, _errors = verdicts
    for field in ("titre", "question", "objet", "lieu-nom", "lieu-adresse", "contact-nom"):
        for kind in ("retour-ligne", "caractere-invisible", "10000-caracteres", "limite-depassee"):
            assert f"2027-{field}-{kind}.yaml" not in accepted
    assert "2027-description-retour-ligne.yaml" in accepted  # Markdown spans lines
    assert "2027-description-10000-caracteres.yaml" in accepted
    assert "2027-titre-html.yaml" in accepted  # shown as text


def test_accepted_files_build_and_show_text_as_text(verdicts, tmp_path):
    files, accepted, _refused, _errors = verdicts
    content = write_content(tmp_path, {name: files[name] for name in accepted}, pages=True)
    # A brochure page with raw HTML goes through the same sanitiser, with a warning naming it.
    (content / "pages" / "essai.md").write_text(
        "Title: Essai\nSlug: essai\n\nTexte <script>alert(1)</script><iframe src=x></iframe>\n", encoding="utf-8"
    )
    output = tmp_path / "output"
    result = build_site(output, content=content, env={"COLUMNS": "500"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for name in accepted:
        slug = name.removesuffix(".yaml")
        page = output / "programme" / slug / "index.html"
        assert page.is_file(), name
        assert_nothing_injected(page)
        Calendar.from_ical((output / "programme" / slug / f"{slug}.ics").read_bytes())
    assert_nothing_injected(output / "essai" / "index.html")
    assert (
        "HTML retiré de la page : la balise <script> et son contenu, la balise <iframe>"
        in result.stdout + result.stderr
    )
    title_page = (output / "programme" / "2027-titre-html" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in title_page


def test_refused_files_stop_the_build_with_the_checks_messages(verdicts, tmp_path):
    files, _accepted, refused, errors = verdicts
    assert len(refused) > 50
    content = write_content(tmp_path, {name: files[name] for name in refused}, pages=False)
    result = build_site(tmp_path / "output", content=content)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "output").exists()
    for line in errors:
        assert line in result.stderr, f"the build does not say: {line}"


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_every_field_of_the_rates_file_check_and_build_agree(tmp_path):
    """content/tarifs.yaml is one file per site: one check and one build per hostile value."""
    assert RateTable.model_validate(RATES_BASE)
    cases = hostile_cases(RateTable)
    assert {path[-1] for path, _ in cases.values()} == {"annee", "journee", "demi_journee", "deliberation"}
    workshop = {"2027-05-atelier.yaml": _dump(BASE)}
    folders, verdicts = {}, {}
    for name, (path, value) in cases.items():
        rates = _dump(with_value(RATES_BASE, path, value))
        lines = [str(p) for p in check_content(write_content(tmp_path / "check" / name, workshop, False, rates)).errors]
        assert all("\n" not in line and line.startswith("content/tarifs.yaml:") for line in lines), lines
        # The pages only where the build is to succeed (the rates page shows the rates).
        folders[name], verdicts[name] = write_content(tmp_path / "build" / name, workshop, not lines, rates), lines

    def build(name: str):
        return name, build_site(folders[name].parent / "output", content=folders[name])

    with ThreadPoolExecutor(max_workers=3) as pool:
        builds = dict(pool.map(build, cases))
    for name, result in builds.items():
        output = result.stdout + result.stderr
        assert "Traceback" not in output, (name, output)
        if verdicts[name]:
            assert result.returncode != 0, name
            for line in verdicts[name]:
                assert line in result.stderr, (name, line, result.stderr)
        else:
            assert result.returncode == 0, (name, output)
            site = folders[name].parent / "output"
            for page in (site / "tarifs/index.html", site / "programme/2027-05-atelier/index.html"):
                assert_nothing_injected(page)
    assert not verdicts["2027-tarifs-0-deliberation-html.yaml"]  # never shown on a page, and escaped if it were
    assert verdicts["2027-tarifs-0-deliberation-retour-ligne.yaml"]
    assert verdicts["2027-tarifs-0-journee-10000-caracteres.yaml"]


def test_sample_pages_show_the_same_text_where_autoescape_changed_the_bytes(built_site):
    """ "'" and "&" in the samples are now written &#39; and &amp;: the page reads the same."""
    from offer.typography import french_text
    from offer.validation import load_content

    changed = 0
    for entry in load_content(CONTENT).entries:
        workshop = entry.workshop
        source = (built_site / "programme" / entry.slug / "index.html").read_text(encoding="utf-8")
        text = "".join(_Page(source).text)
        # The site's French typography writes ’ for ' (and no-break spaces): compare with it applied.
        for shown_text in (workshop.titre, workshop.lieu.nom, workshop.lieu.adresse):
            assert french_text(shown_text) in text, (entry.slug, shown_text)
        if "'" in workshop.titre:
            changed += 1
            assert french_text(workshop.titre) in source
    assert changed >= 3
