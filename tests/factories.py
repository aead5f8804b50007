"""Small builders of valid workshops and catalogue items for the unit tests."""

from __future__ import annotations

import datetime as dt

from offer.catalogue import build_catalogue
from offer.model import RateTable, Workshop
from offer.validation import Entry

TODAY = dt.date(2026, 11, 30)
RATES_2020 = RateTable.model_validate({"tarifs": [{"annee": 2020, "journee": 280, "demi_journee": 140}]})

# A valid workshop; each test overrides only what it is about.
BASE_WORKSHOP = {
    "type": "atelier",
    "titre": "Recruter un agent contractuel",
    "question": "Comment faire pour recruter vite et bien ?",
    "objet": "Une trame de fiche de poste",
    "public": ["Responsables RH", "DGS"],
    "lieu": {"nom": "Mairie de Savenay", "adresse": "Place de l'Hôtel de ville, 44260 Savenay"},
    "seances": [{"date": dt.date(2027, 1, 14), "duree": "journee"}],
    "capacite": 12,
}


def make_workshop(**overrides) -> Workshop:
    return Workshop.model_validate({**BASE_WORKSHOP, **overrides})


def items_of(*pairs, rates: RateTable = RATES_2020, today: dt.date = TODAY):
    """Catalogue items from (slug, workshop) pairs."""
    entries = [Entry(workshop=w, source=f"content/ateliers/{slug}.yaml", slug=slug) for slug, w in pairs]
    return build_catalogue(entries, rates, today=today)
