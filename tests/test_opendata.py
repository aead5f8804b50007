"""Open data export of the sessions (offer/opendata.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from offer.catalogue import build_catalogue
from offer.model import RateTable, Workshop
from offer.opendata import COLUMNS, LICENCE, session_rows, to_csv, to_json
from offer.validation import load_content
from tests.factories import items_of as factory_items
from tests.factories import make_workshop

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
RATES = RateTable.model_validate(
    {
        "tarifs": [
            {"annee": 2020, "journee": 280, "demi_journee": 140},
            {"annee": 2027, "journee": 300, "demi_journee": 150.5},
        ]
    }
)


def workshop(**overrides) -> Workshop:
    base = {
        "titre": "Recruter, intégrer, fidéliser",
        "objet": "Une trame de fiche de poste ; un guide d'accueil",
        "seances": [{"date": dt.date(2026, 6, 11), "duree": "journee"}],
        "inscrits": 4,
    }
    return make_workshop(**{**base, **overrides})


def items_of(*pairs):
    return factory_items(*pairs, rates=RATES, today=TODAY)


def url_for(item) -> str:
    return f"https://www.cdg44.fr/ateliers/programme/{item.slug}/"


def mixed_items():
    return items_of(
        ("2026-06-recruter", workshop()),
        (
            "2027-codev",
            workshop(
                type="codev",
                titre="Codev « managers »",
                question=None,
                objet=None,
                public=["Managers"],
                capacite=8,
                inscrits=8,
                seances=[
                    {"date": dt.date(2027, m, 9), "duree": "demi-journee", "debut": "13:30"} for m in (1, 2, 3, 5, 6)
                ],
            ),
        ),
        (
            "2027-01-annule",
            workshop(
                titre="Atelier annulé",
                statut="annule",
                seances=[{"date": dt.date(2027, 1, 9), "duree": "demi-journee"}],
            ),
        ),
    )


def test_sample_rows():
    content = load_content(ROOT / "content")
    items = build_catalogue(content.entries, content.rates, today=TODAY)
    all_rows = session_rows(items, url_for)
    assert len(all_rows) == sum(len(i.workshop.seances) for i in items)
    rows = [r for r in all_rows if r["slug"] == "2027-03-mutualiser-services"]
    assert len(rows) == 2
    first = rows[0]
    assert list(first) == list(COLUMNS)
    assert first["slug"] == "2027-03-mutualiser-services"
    assert first["seance"] == 1
    assert first["type"] == "atelier"
    assert first["public"] == "Responsables RH ; DGS ; Élus"
    assert (first["date"], first["debut"], first["fin"], first["duree"]) == ("2027-03-11", "09:00", "17:00", "journee")
    assert (rows[1]["date"], rows[1]["debut"], rows[1]["fin"], rows[1]["duree"]) == (
        "2027-04-08",
        "09:00",
        "12:30",
        "demi-journee",
    )
    assert first["lieu"] == "CDG 44"
    assert first["adresse"] == "6 rue du Pen Duick II, 44300 Nantes"
    assert (first["capacite"], first["inscrits"], first["places_restantes"]) == (15, 9, 6)
    assert first["statut"] == "programme"
    assert first["disponibilite"] == "Places disponibles"
    assert first["prix_par_participant"] == "420.00"
    assert first["annee_tarif"] == 2020
    assert first["url"] == "https://www.cdg44.fr/ateliers/programme/2027-03-mutualiser-services/"


def test_one_row_per_session_sorted_by_date():
    rows = session_rows(mixed_items(), url_for)
    assert len(rows) == 1 + 5 + 1
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    codev = [r for r in rows if r["slug"] == "2027-codev"]
    assert [r["seance"] for r in codev] == [1, 2, 3, 4, 5]
    assert {r["nombre_seances"] for r in codev} == {5}
    assert {r["prix_par_participant"] for r in codev} == {"752.50"}  # 5 x 150.50 at the 2027 rate
    assert {r["annee_tarif"] for r in codev} == {2027}
    assert {r["disponibilite"] for r in codev} == {"Complet"}
    assert codev[0]["question"] == "" and codev[0]["objet"] == ""
    cancelled = next(r for r in rows if r["slug"] == "2027-01-annule")
    assert (cancelled["statut"], cancelled["disponibilite"]) == ("annule", "Annulé")
    past = next(r for r in rows if r["slug"] == "2026-06-recruter")
    assert past["disponibilite"] == "Terminé"
    # Same day: sorted by start time then slug.
    same_day = [r["slug"] for r in rows if r["date"] == "2027-01-09"]
    assert same_day == ["2027-01-annule", "2027-codev"]


def test_order_does_not_depend_on_input_order():
    items = mixed_items()
    assert session_rows(items, url_for) == session_rows(list(reversed(items)), url_for)


def test_csv_parses_back():
    rows = session_rows(mixed_items(), url_for)
    text = to_csv(rows)
    assert text.startswith("slug,seance,nombre_seances,type,titre,")
    assert "\r\n" in text and text.endswith("\r\n")
    assert "\ufeff" not in text  # the BOM is the writer's business
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(parsed) == len(rows)
    assert list(parsed[0]) == list(COLUMNS)
    for got, row in zip(parsed, rows, strict=True):
        assert got == {k: str(v) for k, v in row.items()}
    # Commas and quotes in values survive.
    assert any(r["adresse"] == "Place de l'Hôtel de ville, 44260 Savenay" for r in parsed)
    assert any(r["titre"] == "Codev « managers »" for r in parsed)


def test_csv_of_no_rows_is_the_header():
    assert to_csv([]) == ",".join(COLUMNS) + "\r\n"


def test_json_loads():
    rows = session_rows(mixed_items(), url_for)
    text = to_json(rows)
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["licence"] == LICENCE == "Licence Ouverte / Open Licence version 2.0"
    assert data["description"]
    assert data["sessions"] == rows
    assert "Élus" in to_json(session_rows(items_of(("x", workshop(public=["Élus"]))), url_for))  # ensure_ascii=False
    assert text == to_json(session_rows(mixed_items(), url_for))
    assert '  "licence"' in text  # indent 2


def test_the_receiver_gets_the_places_it_may_give_and_the_meetings():
    from offer.catalogue import build_catalogue
    from offer.opendata import open_registrations
    from offer.validation import Entry
    from tests.factories import RATES_2020, TODAY

    entry = Entry(
        workshop=make_workshop(
            capacite=12, inscrits=4, seances=[{"date": dt.date(2027, 1, 14), "duree": "demi-journee"}]
        ),
        source="content/ateliers/a.yaml",
        slug="a",
    )
    # 5 registrations came through the site: the badge counts them, the receiver
    # counts them itself, so it is told the places left after the editor's 4 only.
    [item] = build_catalogue([entry], RATES_2020, today=TODAY, counts={"a": 5})
    published = json.loads(open_registrations([item]))["sessions"]["a"]
    assert item.workshop.inscrits == 9
    assert published["places"] == 8 and published["capacite"] == 12 and published["type"] == "atelier"
    assert published["seances"] == [{"date": "2027-01-14", "debut": "09:00", "fin": "12:30", "journee": False}]
    assert published["lieu"]["nom"] == "Mairie de Savenay"
