"""``make nouvel-atelier`` writes a file that passes ``make check``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offer.tools import scaffold
from offer.validation import load_content, load_workshop

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ)


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    (folder / "ateliers").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tarifs.yaml", folder / "tarifs.yaml")
    return folder


def only_the_description_to_write(problems) -> bool:
    """A new file has everything but its description, which the editor writes: one warning says so."""
    return [(p.field, p.severity) for p in problems] == [("description", "avertissement")]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


ATELIER = [
    "--type",
    "atelier",
    "--titre",
    "Accueil : un espace pour tous les usagers",
    "--question",
    "Comment faire pour accueillir chaque usager sans le faire attendre ?",
    "--objet",
    "Un espace d'accueil",
    "--date",
    "2027-05-12",
    "--public",
    "DGS",
    "--public",
    "elus",
]


def test_scaffold_output_passes_the_check(content):
    made = run("offer.tools.scaffold", *ATELIER, "--dossier", "content/ateliers", cwd=content.parent)
    assert made.returncode == 0, made.stderr
    path = content.parent / made.stdout.strip()
    assert path == content / "ateliers" / "2027-05-accueil-un-espace-pour-tous-les-usagers.yaml"
    codev = run(
        "offer.tools.scaffold",
        "--type",
        "codev",
        "--titre",
        "Co-développement des managers",
        "--date",
        "2027-01-12",
        "--lieu-nom",
        "Mairie de Savenay",
        "--lieu-adresse",
        "Place de l'Hôtel de Ville, 44260 Savenay",
        "--dossier",
        "content/ateliers",
        cwd=content.parent,
    )
    assert codev.returncode == 0, codev.stderr
    # The editor is reminded, as soon as the file exists, that its description is to write.
    assert "avertissement : description: pas de description" in codev.stderr
    checked = run("offer.tools.check", "content", cwd=content.parent)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.strip().splitlines()[-1] == (
        "3 fichiers vérifiés : aucune erreur, 2 avertissements dans 2 fichiers."
    )


def test_refuses_to_overwrite_and_missing_arguments_without_a_terminal(content):
    folder = str(content / "ateliers")
    assert scaffold.main([*ATELIER, "--dossier", folder], interactive=False) == 0
    path = next((content / "ateliers").iterdir())
    before = path.read_text(encoding="utf-8")
    again = run("offer.tools.scaffold", *ATELIER, "--dossier", folder, cwd=content.parent)
    assert again.returncode == 2
    assert "existe déjà" in again.stderr
    assert path.read_text(encoding="utf-8") == before
    missing = run(
        "offer.tools.scaffold",
        "--type",
        "atelier",
        "--titre",
        "Sans date",
        "--question",
        "Comment faire pour ?",
        "--objet",
        "Rien",
        "--dossier",
        folder,
        cwd=content.parent,
    )
    assert missing.returncode == 2
    assert "la date de la première séance manque — ajoutez --date AAAA-MM-JJ" in missing.stderr
    assert "Traceback" not in missing.stderr and "usage" not in missing.stderr
    assert len(list((content / "ateliers").iterdir())) == 1


def test_written_file(content):
    folder = content / "ateliers"
    assert scaffold.main([*ATELIER, "--dossier", str(folder)], interactive=False) == 0
    path = next(folder.iterdir())
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/atelier.schema.json\n")
    assert 'debut: "09:00"' in text and 'fin: "17:00"' in text
    data = yaml.safe_load(text)
    assert data["titre"] == "Accueil : un espace pour tous les usagers"
    assert data["public"] == ["DGS", "Élus"]
    assert data["lieu"] == {"nom": "CDG 44", "adresse": "6 rue du Pen Duick II, 44300 Nantes"}
    assert data["capacite"] == 15 and data["inscrits"] == 0
    result = load_workshop(path, content.parent, {2020})
    assert only_the_description_to_write(result.problems), result.problems
    assert result.value.slug == "2027-05-accueil-un-espace-pour-tous-les-usagers"


def test_codev_gets_five_half_days_every_six_weeks(content):
    folder = content / "ateliers"
    assert (
        scaffold.main(
            [
                "--type",
                "codev",
                "--titre",
                "Groupe des responsables RH",
                "--date",
                "2027-01-12",
                "--dossier",
                str(folder),
            ],
            interactive=False,
        )
        == 0
    )
    path = folder / "2027-01-groupe-des-responsables-rh.yaml"
    workshop = load_workshop(path, content.parent, {2020})
    # not even the "5 half-days over 6 months" warning
    assert only_the_description_to_write(workshop.problems), workshop.problems
    sessions = workshop.value.workshop.seances
    assert [s.date for s in sessions] == [dt.date(2027, 1, 12) + dt.timedelta(weeks=6 * i) for i in range(5)]
    assert all(s.duree.value == "demi-journee" for s in sessions)
    assert workshop.value.workshop.capacite == 8
    assert workshop.value.workshop.public == ["Responsables RH", "Managers"]
    assert only_the_description_to_write(load_content(content).problems)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--capacite", "16"], "16 places, c'est trop pour un atelier"),
        (["--date", "2019-05-15"], "aucun tarif n'existe pour 2019"),
        (["--type", "codev", "--duree", "journee"], "en demi-journées"),
        (["--lieu-nom", "Mairie de Savenay"], "l'adresse du lieu manque"),
    ],
)
def test_refusals_are_french(content, capsys, extra, message):
    code = scaffold.main([*ATELIER, *extra, "--dossier", str(content / "ateliers")], interactive=False)
    assert code == 2
    assert message in capsys.readouterr().err
    assert list((content / "ateliers").iterdir()) == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--date", "2027-02-30"], "--date : date « 2027-02-30 » invalide"),
        (["--public", "DSG"], "vouliez-vous écrire « DGS » ?"),
        (["--capacite", "douze"], "capacité « douze » invalide — écrivez un nombre entier"),
        (["--inconnu"], "arguments inconnus : --inconnu"),
    ],
)
def test_argument_errors_are_french(capsys, argv, message):
    with pytest.raises(SystemExit) as stopped:
        scaffold.main(argv, interactive=False)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("utilisation : ")


def test_interactive_questions(content, capsys):
    answers = iter(
        [
            "atelier",  # type
            "Un planning pour les services enfance",  # titre
            "Comment faire pour construire un planning hebdomadaire ?",
            "Un planning hebdomadaire des services enfance",
            "2027-13-01",  # an impossible date: asked again
            "2027-09-23",
            "demi-journée",  # accented: accepted
            "14h",  # début
            "Mairie de Savenay",
            "Place de l'Hôtel de Ville, 44260 Savenay",
            "",  # capacité: the default (15)
            "Managers, agents, Élus",
        ]
    )
    prompts = []

    def ask(prompt):
        prompts.append(prompt)
        return next(answers)

    assert scaffold.main(["--dossier", str(content / "ateliers")], interactive=True, ask=ask) == 0
    assert prompts[0] == "Type (atelier ou codev) [atelier] : "
    assert any(p.startswith("Date de la première séance (AAAA-MM-JJ)") for p in prompts)
    assert "invalide" in capsys.readouterr().err
    path = content / "ateliers" / "2027-09-un-planning-pour-les-services-enfance.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["seances"] == [
        {"date": dt.date(2027, 9, 23), "duree": "demi-journee", "debut": "14:00", "fin": "17:30"}
    ]
    assert data["public"] == ["Managers", "Agents", "Élus"]
    assert data["capacite"] == 15
    assert only_the_description_to_write(load_content(content).problems)


@pytest.mark.parametrize(
    "text",
    [
        "Accueil : un espace",
        "Atelier #2",
        "yes",
        "14:30",
        "*Nouveau*",
        "« Comment faire » ?",
        "- tiret",
        "'apostrophe",
        "Mairie d'Ancenis-Saint-Géréon",
        "0240207750",
        "[crochets]",
        "@mairie",
        "texte ",
        'a "b" c',
    ],
)
def test_yaml_scalar_round_trips(text):
    assert yaml.safe_load(f"k: {scaffold.yaml_scalar(text)}") == {"k": text}


def test_slugs():
    assert scaffold.slug_from_title("Élus et agents : qui fait quoi ?") == "elus-et-agents-qui-fait-quoi"
    long = scaffold.slug_from_title("Un titre très long " * 10)
    assert len(long) <= scaffold.SLUG_MAX and not long.endswith("-")
    assert scaffold.parse_slug("Mon Atelier") == "mon-atelier"
