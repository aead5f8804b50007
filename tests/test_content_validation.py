"""Broken content files give French messages with the right file, line and field.

Each file of tests/corpus/ holds one mistake; tests/corpus/expected.yaml says what
the check must report for it. The whole corpus is also checked in one run of
``python -m offer.check``, as an editor would run ``make check``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offer.messages import french_field
from offer.validation import load_content, load_rates, load_workshop

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "corpus"
CONTENT = ROOT / "content"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
ENGLISH = (
    "Input should",
    "Field required",
    "Traceback",
    "validation error",
    "Extra inputs",
    "found character",
    "expected <",
)

LATIN1_NAME = "encodage-latin1.yaml"
LATIN1_TEXT = (
    "# Fichier en Latin-1, pas en UTF-8.\n"
    "type: atelier\n"
    "titre: Un espace d'accueil pour l'\u00e9t\u00e9\n"
    "question: Comment faire pour accueillir chaque usager ?\n"
    "objet: Un espace d'accueil\n"
    "public: [Agents]\n"
    'lieu: {nom: CDG 44, adresse: "6 rue du Pen Duick II, 44300 Nantes"}\n'
    "seances:\n"
    "  - {date: 2027-05-12, duree: journee}\n"
    "capacite: 12\n"
)
DUPLICATES = "doublons/"


def write_latin1(folder: Path) -> Path:
    path = folder / LATIN1_NAME
    path.write_bytes(LATIN1_TEXT.encode("latin-1"))
    return path


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.yaml") if p.name != "expected.yaml")


def rate_years() -> set[int]:
    return {rate.annee for rate in load_rates(CONTENT / "tarifs.yaml").value.tarifs}


def assert_matches(problems, name: str) -> None:
    expected = EXPECTED[name]
    for item in expected:
        severity = item.get("severity", "erreur")
        found = [
            p
            for p in problems
            if p.path == name
            and p.line == item["line"]
            and p.field == item["field"]
            and item["contains"] in p.message
            and p.severity == severity
        ]
        assert found, f"{name}: expected {item!r}, got:\n" + "\n".join(str(p) for p in problems)
    for problem in problems:
        assert any(
            problem.line == item["line"] and problem.field == item["field"] and item["contains"] in problem.message
            for item in expected
        ), f"unexpected problem for {name}: {problem}"
        for english in ENGLISH:
            assert english not in str(problem), f"English text leaked: {problem}"


def test_every_corpus_file_has_an_expectation():
    listed = {name for name in EXPECTED if not name.startswith(DUPLICATES)}
    assert listed == set(corpus_files()) | {LATIN1_NAME}
    for name, items in EXPECTED.items():
        assert items, name
        for item in items:
            assert set(item) <= {"line", "field", "contains", "severity"}, item


@pytest.mark.parametrize("name", corpus_files())
def test_corpus_file(name):
    result = load_workshop(CORPUS / name, CORPUS, rate_years())
    assert result.problems, f"{name} should have a problem"
    assert_matches(result.problems, name)
    if all(p.severity != "erreur" for p in result.problems):
        assert result.value is not None  # a warning alone does not reject the file
    else:
        assert result.value is None or any(p.severity == "erreur" for p in result.problems)


def test_latin1_file(tmp_path):
    path = write_latin1(tmp_path)
    result = load_workshop(path, tmp_path, rate_years())
    assert result.value is None
    assert_matches(result.problems, LATIN1_NAME)


def test_duplicate_slugs():
    content = load_content(CORPUS / "doublons")
    assert content.problems
    name = "doublons/ateliers/2027-10-espace-accueil-bis.yaml"
    assert_matches(content.problems, name)
    # The first file keeps its address; the second is left out of the site.
    assert [e.slug for e in content.entries] == ["espace-accueil"]
    assert content.entries[0].source == "doublons/ateliers/2027-05-espace-accueil.yaml"


def test_samples_load_without_problems():
    content = load_content(CONTENT)
    assert content.problems == []
    assert len(content.entries) >= 15
    kinds = [e.workshop.type.value for e in content.entries]
    assert kinds.count("atelier") >= 12 and kinds.count("codev") >= 3
    for entry in content.entries:
        text = (ROOT / entry.source).read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../../schemas/atelier.schema.json\n"), entry.source
        assert "€" not in text and "euro" not in text.lower(), f"no price in {entry.source}"


def run_check(content_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "offer.tools.check", str(content_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=content_dir.parent,
        timeout=60,
    )


def test_check_passes_on_the_samples():
    result = run_check(CONTENT)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1].endswith("fichiers vérifiés : aucune erreur."), lines
    assert result.stderr == ""


def test_whole_corpus_in_one_run(tmp_path):
    content = tmp_path / "content"
    ateliers = content / "ateliers"
    ateliers.mkdir(parents=True)
    shutil.copy(CONTENT / "tarifs.yaml", content / "tarifs.yaml")
    shutil.copy(CONTENT / "forms.yaml", content / "forms.yaml")
    for name in corpus_files():
        shutil.copy(CORPUS / name, ateliers / name)
    for path in (CORPUS / "doublons" / "ateliers").glob("*.yaml"):
        shutil.copy(path, ateliers / path.name)
    write_latin1(ateliers)

    result = run_check(content)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Traceback" not in out + result.stderr
    for english in ENGLISH:
        assert english not in out
    lines = out.strip().splitlines()
    for name, items in EXPECTED.items():
        base = name.rsplit("/", 1)[-1]
        for item in items:
            # Editors read list positions in words: « debut de la 1re séance », not seances[1].debut.
            prefix = f"content/ateliers/{base}:{item['line']}: " + (
                f"{french_field(item['field'])}: " if item["field"] else ""
            )
            contains = item["contains"].replace("doublons/ateliers/", "content/ateliers/")
            assert any(line.startswith(prefix) and contains in line for line in lines), (prefix, contains, out)
    # Every file is named, the warning is marked as such, and the summary counts them.
    for name in [*corpus_files(), LATIN1_NAME]:
        assert f"content/ateliers/{name}:" in out, name
    assert "avertissement : un groupe de co-développement" in out
    errors = sum(len(items) for items in EXPECTED.values())
    summary = lines[-1]
    assert summary.endswith("fichiers."), summary
    warnings = sum(1 for items in EXPECTED.values() for item in items if item.get("severity") == "avertissement")
    assert f" erreurs, {warnings} avertissements dans " in summary, summary
    # One line per problem plus the summary; a few files have two expectations for one line.
    assert len(lines) - 1 <= errors
    assert "debut de la 1re séance: YAML lit 14:30 comme un nombre (870)" in out
    assert "[1]" not in out and "base 60" not in out


def test_check_reports_a_file_that_crashes_the_loader(tmp_path, monkeypatch):
    """An unforeseen failure on one file is a French error of that file, not a traceback."""
    from offer import validation
    from offer.tools import check

    content = tmp_path / "content"
    (content / "ateliers").mkdir(parents=True)
    shutil.copy(CONTENT / "tarifs.yaml", content / "tarifs.yaml")
    for name in ("2027-03-mutualiser-services.yaml", "2027-02-reglement-interieur.yaml"):
        shutil.copy(CONTENT / "ateliers" / name, content / "ateliers" / name)
    original = validation.load_workshop

    def fragile(path, *args, **kwargs):
        if "reglement" in path.name:
            raise RecursionError("boom")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(validation, "load_workshop", fragile)
    report = check.check_content(content)
    assert [str(p).split(":")[0] for p in report.errors] == ["content/ateliers/2027-02-reglement-interieur.yaml"]
    assert "n'a pas pu être lu" in report.errors[0].message
    assert report.exit_code == 1


def test_check_summary_wording():
    from offer.problems import Problem
    from offer.tools.check import Report, summary

    files = [f"f{i}" for i in range(12)]
    assert summary(Report(files=files)) == "12 fichiers vérifiés : aucune erreur."
    problems = [
        Problem("a", 1, "x", "m"),
        Problem("a", 2, "x", "m"),
        Problem("b", 1, "x", "m"),
        Problem("b", 3, "y", "m", "avertissement"),
    ]
    assert summary(Report(files=files, problems=problems)) == "3 erreurs, 1 avertissement dans 2 fichiers."
    assert summary(Report(files=files, problems=problems[:1])) == "1 erreur dans 1 fichier."
    assert summary(Report(files=files, problems=problems[3:])) == (
        "12 fichiers vérifiés : aucune erreur, 1 avertissement dans 1 fichier."
    )


def test_check_missing_folder_is_a_french_error(tmp_path, capsys):
    from offer.tools.check import main

    assert main([str(tmp_path / "absent")]) == 2
    assert "dossier de contenu introuvable" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, line, field, contains",
    [
        ("titre:\n", 1, "titre", "ce champ est vide"),
        ("seances:\n", 1, "seances", "ce champ est vide"),
        ("public: DGS\n", 1, "public", "public: [Responsables RH, DGS]"),
        ("lieu: CDG 44\n", 1, "lieu", "un bloc de champs est attendu"),
        ("type: formation\n", 1, "type", "écrivez atelier ou codev"),
        ("a: 1\n---\nb: 2\n", 2, "", "second document"),
        ("titre: Accueil : un espace\n", 1, "", "un deux-points inattendu"),
        ("public: [Agents, DGS\ncapacite: 3\n", 1, "", "crochets"),
        ("titre: *Nouveau* atelier\n", 1, "", "« * » ou « & »"),
        ('titre: "C:\\dossier"\n', 1, "", "barre oblique inverse"),
        ("titre: 'abc' de\n", 1, "", "du texte suit le guillemet fermant"),
        ("description: |x\n  texte\n", 1, "", "après « | » ou « > »"),
        ("titre: !!python/object:os.system x\n", 1, "", "étiquette"),
        ("titre: @mairie\n", 1, "", "ne peut pas commencer par « @ »"),
        ("\x00titre: x\n", 1, "", "caractère invisible interdit"),
        ("slug: Mon Slug\n", 1, "slug", "écrivez mon-slug"),
        ("titre: x\n", 1, "type", "« type: … » avec atelier ou codev"),
        (
            "lieu: {nom: CDG 44, adresse: 6 rue du Pen Duick II, 44300 Nantes}\n",
            1,
            "lieu.44300 Nantes",
            'adresse: "6 rue du Pen Duick II, 44300 Nantes"',
        ),
        ("seances:\n  -\n", 2, "seances[1]", "cet élément de la liste est vide"),
    ],
)
def test_more_messages(tmp_path, text, line, field, contains):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    problems = load_workshop(path, tmp_path, {2020}).problems
    matching = [p for p in problems if p.line == line and p.field == field and contains in p.message]
    assert matching, "\n".join(str(p) for p in problems)
    for problem in problems:
        for english in ENGLISH:
            assert english not in str(problem)


def test_a_ten_megabyte_description_is_refused_with_its_length(tmp_path):
    text = (CORPUS / "inscrits-trop.yaml").read_text(encoding="utf-8").replace("inscrits: 14", "inscrits: 4")
    text = text.replace("description: Un atelier pour les besoins de ce test.\n", "")  # replaced by a huge one
    path = tmp_path / "2027-05-enorme.yaml"
    path.write_text(text + 'description: "' + "x" * (10 * 1024 * 1024) + '"\n', encoding="utf-8")
    result = load_workshop(path, tmp_path, rate_years())
    assert result.value is None
    [problem] = result.problems
    assert (problem.path, problem.line, problem.field) == ("2027-05-enorme.yaml", 12, "description")
    assert "texte trop long : 10 485 760 caractères pour 20 000 au plus" in problem.message
    assert len(str(problem)) < 400  # the message quotes none of the text


def test_nesting_that_would_crash_the_yaml_parser_is_an_editors_error(tmp_path):
    """200 000 "[" in a row overflow libyaml's composer (a crash, not an exception)."""
    content = tmp_path / "content"
    (content / "ateliers").mkdir(parents=True)
    shutil.copy(CONTENT / "tarifs.yaml", content / "tarifs.yaml")
    text = (CORPUS / "inscrits-trop.yaml").read_text(encoding="utf-8")
    deep = text.replace("inscrits: 14", "inscrits: " + "[" * 200_000 + "]" * 200_000)
    (content / "ateliers" / "2027-05-profond.yaml").write_text(deep, encoding="utf-8")
    result = run_check(content)
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert result.stdout.startswith(
        "content/ateliers/2027-05-profond.yaml:11: les listes ou blocs de champs sont imbriqués sur plus de 20 niveaux"
    ), result.stdout


def test_an_unknown_audience_names_the_file_that_declares_the_audiences(tmp_path):
    path = tmp_path / "ateliers" / "2027-05-public-inconnu.yaml"
    path.parent.mkdir()
    path.write_text(
        "type: atelier\ntitre: Un atelier\nquestion: Comment faire pour… ?\nobjet: Un objet\n"
        "public: [DRH]\nlieu: {nom: CDG 44, adresse: 6 rue du Pen Duick II, 44300 Nantes}\n"
        "seances:\n  - {date: 2027-05-12, duree: journee}\ncapacite: 12\n",
        encoding="utf-8",
    )
    problems = load_workshop(path, tmp_path, {2020}).problems
    audience = [p for p in problems if p.field.startswith("public")]
    assert audience and "offer/model.py (AUDIENCES)" in audience[0].message, problems


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("seances[3]", "la 3e séance"),
        ("seances[1].debut", "debut de la 1re séance"),
        ("seances[2].date", "date de la 2e séance"),
        ("tarifs[1].annee", "annee du 1er tarif"),
        ("public[2]", "le 2e public"),
        ("formulaires.contact.champs[2].nom", "nom du 2e champ de formulaires.contact"),
        ("lieu.adresse", "lieu.adresse"),
        ("capacite", "capacite"),
    ],
)
def test_list_positions_are_written_in_words(path, words):
    assert french_field(path) == words


def test_a_problem_shows_its_field_in_words():
    from offer.problems import Problem

    problem = Problem("content/ateliers/x.yaml", 12, "seances[3].debut", "heure invalide")
    assert str(problem) == "content/ateliers/x.yaml:12: debut de la 3e séance: heure invalide"


def test_a_session_without_description_gets_a_warning(tmp_path):
    text = (
        "type: atelier\ntitre: Un atelier\nquestion: Comment faire pour… ?\nobjet: Un objet\n"
        'public: [DGS]\nlieu: {nom: CDG 44, adresse: "6 rue du Pen Duick II, 44300 Nantes"}\n'
        "seances:\n  - {date: 2027-05-12, duree: journee}\ncapacite: 12\n"
    )
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    problems = load_workshop(path, tmp_path, {2020}).problems
    assert [(p.field, p.severity) for p in problems] == [("description", "avertissement")], problems
    assert "ajoutez « description: | »" in problems[0].message
    path.write_text(text + "description: |\n  Deux phrases.\n", encoding="utf-8")
    assert load_workshop(path, tmp_path, {2020}).problems == []
