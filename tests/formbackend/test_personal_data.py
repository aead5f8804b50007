"""Personal data: retention (purge), access (export) and erasure by address; nothing personal in logs."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from formbackend.__main__ import main
from formbackend.forms import retention_days
from formbackend.store import NewSubmission, OutgoingMail, Store, utcnow

from .conftest import FORMS_PATH, VALID, asgi_client, headers, post_form, rows


def add(store: Store, form: str, days_old: float, email: str = "a@exemple.fr", marker: str = "") -> int:
    return store.add(
        NewSubmission(
            form=form,
            data={"email": email, "objet": marker},
            email_key=email.lower(),
            created_at=utcnow() - dt.timedelta(days=days_old),
            mails=(OutgoingMail(kind="notification", recipients=("conseilrh@cdg44.fr",), subject="s", body="b"),),
        )
    )


def test_purge_removes_only_rows_older_than_their_form_retention(tmp_path, forms):
    store = Store(tmp_path / "db.sqlite3")
    kept = {
        add(store, "contact", 364.9, marker="contact-récent"),
        add(store, "devis", 400, marker="devis-400-jours"),
        add(store, "devis", 1094, marker="devis-1094-jours"),
        add(store, "inscription", 10, marker="inscription-récente"),
    }
    purged = {
        add(store, "contact", 365.1),
        add(store, "contact", 2000),
        add(store, "devis", 1096),
        add(store, "inscription", 366),
    }
    assert retention_days(forms) == {"inscription": 365, "inscription_groupe": 365, "devis": 1095, "contact": 365}

    deleted = store.purge(retention_days(forms))
    assert deleted == {"contact": 2, "devis": 1, "inscription": 1, "inscription_groupe": 0}
    assert {row[0] for row in rows(store.path, "SELECT id FROM submissions")} == kept
    assert {row[0] for row in rows(store.path, "SELECT submission_id FROM outbox")} == kept
    assert store.purge(retention_days(forms)) == {"contact": 0, "devis": 0, "inscription": 0, "inscription_groupe": 0}
    assert purged.isdisjoint(row[0] for row in rows(store.path, "SELECT id FROM submissions"))


def test_purge_command(tmp_path, capsys):
    db = tmp_path / "db.sqlite3"
    store = Store(db)
    add(store, "contact", 500)
    add(store, "contact", 5)
    add(store, "ancien_formulaire", 5000)
    assert main(["purge", "--db", str(db), "--forms", str(FORMS_PATH)]) == 0
    captured = capsys.readouterr()
    assert "contact : 1 envoi(s) effacé(s) (conservation 365 jours)" in captured.out
    assert "ancien_formulaire" in captured.err  # unknown retention: kept, and said so
    assert store.counts_by_form() == {"ancien_formulaire": 1, "contact": 1}


def test_erase_and_export_by_address(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    mine = [add(store, form, 1, email="jeanne@exemple.fr", marker=form) for form in ("contact", "devis", "inscription")]
    other = add(store, "contact", 1, email="paul@exemple.fr")
    exported = [s.as_dict() for s in store.person("jeanne@exemple.fr")]
    assert [item["id"] for item in exported] == mine
    assert [item["donnees"]["objet"] for item in exported] == ["contact", "devis", "inscription"]
    assert store.erase_person("jeanne@exemple.fr") == 3
    assert store.person("jeanne@exemple.fr") == []
    assert [row[0] for row in rows(store.path, "SELECT id FROM submissions")] == [other]
    assert [row[0] for row in rows(store.path, "SELECT submission_id FROM outbox")] == [other]
    # Nothing of the erased person is left in the database file or its WAL.
    leftovers = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("db.sqlite3"))
    assert b"jeanne@exemple.fr" not in leftovers and b"paul@exemple.fr" in leftovers


@pytest.mark.anyio
async def test_export_and_erase_commands_match_the_address_whatever_its_case(app, settings, capsys):
    async with asgi_client(app) as client:
        for form in ("inscription", "devis", "contact"):
            data = {**VALID[form], "email": "Jeanne.Martin@Mairie-Exemple.fr"}
            assert (await post_form(client, f"/f/{form}", data, headers())).status_code == 200
        assert (await post_form(client, "/f/contact", VALID["contact"], headers())).status_code == 200
    output = settings.db_path.parent / "jeanne.json"
    db = ["--db", str(settings.db_path)]
    assert main(["export", *db, "--email", "jeanne.martin@mairie-exemple.fr", "--output", str(output)]) == 0
    exported = json.loads(output.read_text(encoding="utf-8"))
    assert exported["nombre_envois"] == 3
    assert {item["formulaire"] for item in exported["envois"]} == {"inscription", "devis", "contact"}
    assert all(item["donnees"]["email"] == "Jeanne.Martin@Mairie-Exemple.fr" for item in exported["envois"])

    assert main(["erase", *db, "--email", "JEANNE.MARTIN@mairie-exemple.fr"]) == 1  # not without --yes
    assert len(rows(settings.db_path)) == 4
    assert main(["erase", *db, "--email", "JEANNE.MARTIN@mairie-exemple.fr", "--yes"]) == 0
    assert "3 envoi(s) effacé(s)" in capsys.readouterr().out
    assert [json.loads(row[2])["email"] for row in rows(settings.db_path)] == [VALID["contact"]["email"]]


@pytest.mark.anyio
async def test_logs_hold_no_personal_data(app, settings, caplog):
    caplog.set_level(logging.DEBUG)
    personal = {
        **VALID["inscription"],
        "email": "secret.personne@mairie-exemple.fr",
        "prenom": "Prénomunique",
        "nom": "Nomunique",
        "telephone": "06 12 34 56 78",
    }
    async with asgi_client(app) as client:
        assert (await post_form(client, "/f/inscription", personal, headers())).status_code == 200
        assert (
            await post_form(client, "/f/inscription", {**personal, "email": "secret.personne@"}, headers())
        ).status_code == 422
        assert (await post_form(client, "/f/inscription", {**personal, "_gotcha": "x"}, headers())).status_code == 200
    assert "envoi enregistré formulaire=inscription id=1" in caplog.text
    assert "envoi refusé formulaire=inscription statut=422" in caplog.text
    for value in ("secret.personne", "Prénomunique", "Nomunique", "06 12 34 56 78", "Mairie d'Exemple", "192.0.2.10"):
        assert value not in caplog.text
