"""The command line (French help, counts, CSV export) and the settings read from the environment."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from formbackend.__main__ import main
from formbackend.settings import SettingsError, from_env
from formbackend.store import NewSubmission, Store

from .conftest import FORMS_PATH, ROOT


def test_help_is_in_french():
    result = subprocess.run(
        [sys.executable, "-m", "formbackend", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("utilisation : python -m formbackend")
    for command in ("serve", "export", "counts", "purge", "erase", "send-outbox"):
        assert command in result.stdout
    assert "afficher cette aide et quitter" in result.stdout and "show this help" not in result.stdout
    serve = subprocess.run(
        [sys.executable, "-m", "formbackend", "serve", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "--port PORT" in serve.stdout and "défaut : 8001" in serve.stdout


def test_usage_errors_are_in_french(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export"])
    assert exc.value.code == 2
    assert "erreur : l'un des arguments --form --email est obligatoire" in capsys.readouterr().err


def test_counts_command_writes_live_registrations_holding_a_place(tmp_path, capsys):
    from formbackend.registrations.capacity import Enrolment, Person
    from formbackend.registrations.records import AlreadyRegistered

    db = tmp_path / "db.sqlite3"
    store = Store(db)

    def register(session, email, waiting=False):
        person = Person(email.casefold(), {"email": email})
        enrolment = Enrolment(session, (person,), places=None, waiting_asked=waiting, approval=False)
        store.add(NewSubmission(form="inscription", data={}, session=session, enrolment=enrolment))

    for session, email, waiting in [
        ("a-1", "un@exemple.fr", False),
        ("a-1", "deux@exemple.fr", False),
        ("a-1", "trois@exemple.fr", True),
        ("b-2", "un@exemple.fr", True),
        ("c-3", "un@exemple.fr", False),
    ]:
        register(session, email, waiting)
    with pytest.raises(AlreadyRegistered):  # a person counts once
        register("a-1", "UN@exemple.fr")
    store.add(NewSubmission(form="contact", data={}))
    output = tmp_path / "build" / "inscrits.json"
    assert main(["counts", "--db", str(db), "--output", str(output)]) == 0
    assert json.loads(output.read_text(encoding="utf-8")) == {"a-1": 2, "b-2": 0, "c-3": 1}
    assert "3 session(s), 3 inscrit(s)" in capsys.readouterr().out
    assert not list(output.parent.glob(".inscrits-*"))  # no temporary file left


def test_export_command_writes_the_csv(tmp_path, capsys):
    db = tmp_path / "db.sqlite3"
    Store(db).add(
        NewSubmission(form="contact", data={"nom": "=Léa", "email": "l@exemple.fr", "objet": "O", "message": "M"})
    )
    output = tmp_path / "contact.csv"
    assert (
        main(["export", "--db", str(db), "--forms", str(FORMS_PATH), "--form", "contact", "--output", str(output)]) == 0
    )
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[1][2:] == ["'=Léa", "l@exemple.fr", "", "O", "M"]
    assert main(["export", "--db", str(db), "--forms", str(FORMS_PATH), "--form", "inconnu"]) == 2
    assert "choisissez parmi inscription, inscription_groupe, devis, contact" in capsys.readouterr().err


def test_settings_from_the_environment():
    settings = from_env(
        {
            "FORMBACKEND_DB": "data/f.sqlite3",
            "FORMBACKEND_ALLOWED_ORIGINS": "https://www.cdg44.fr/, HTTPS://Formulaires.CDG44.fr:443",
            "FORMBACKEND_NOTIFY_TO": "a@cdg44.fr, b@cdg44.fr",
            "FORMBACKEND_SMTP_STARTTLS": "oui",
            "FORMBACKEND_SMTP_PORT": "587",
            "FORMBACKEND_RATE_LIMIT": "5",
        }
    )
    assert settings.db_path == Path("data/f.sqlite3")
    assert settings.allowed_origins == ("https://www.cdg44.fr", "https://formulaires.cdg44.fr")
    assert settings.notify_to == ("a@cdg44.fr", "b@cdg44.fr")
    assert settings.smtp_starttls and settings.smtp_port == 587 and settings.rate_limit == 5
    assert not settings.admin_enabled  # no default password
    defaults = from_env({})
    assert defaults.allowed_origins == ("http://127.0.0.1:8000", "http://localhost:8000")
    assert defaults.max_body_bytes == 65536 and defaults.max_fields == 50
    secret = from_env(
        {
            "FORMBACKEND_ADMIN_PASSWORD": "tres-secret-et-long",
            "FORMBACKEND_ADMIN_USER": "u",
            "FORMBACKEND_SMTP_PASSWORD": "smtp-secret",
        }
    )
    assert secret.admin_enabled and "secret" not in repr(secret)


@pytest.mark.parametrize(
    "env,words",
    [
        ({"FORMBACKEND_ALLOWED_ORIGINS": "www.cdg44.fr"}, "n'est pas une origine"),
        ({"FORMBACKEND_ALLOWED_ORIGINS": "https://www.cdg44.fr/ateliers"}, "n'est pas une origine"),
        ({"FORMBACKEND_SMTP_PORT": "vingt-cinq"}, "n'est pas un nombre entier"),
        ({"FORMBACKEND_SMTP_STARTTLS": "peut-être"}, "écrivez 1 (oui) ou 0 (non)"),
        ({"FORMBACKEND_RATE_LIMIT": "0"}, "positif"),
    ],
)
def test_bad_settings_are_explained_in_french(env, words):
    with pytest.raises(SettingsError, match=words.replace("(", r"\(").replace(")", r"\)")):
        from_env(env)


def test_serve_refuses_a_broken_forms_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FORMBACKEND_ENV", "developpement")
    broken = tmp_path / "forms.yaml"
    broken.write_text("formulaires: 3\n", encoding="utf-8")
    assert main(["serve", "--db", str(tmp_path / "db.sqlite3"), "--forms", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("erreur : ") and "ne peut pas être utilisé" in err
