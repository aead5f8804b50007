"""schema.org JSON-LD of an entry (offer/structured_data.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from offer.availability import State
from offer.catalogue import build_catalogue
from offer.model import RateTable, Workshop
from offer.structured_data import event_json_ld, json_ld_script, postal_address
from offer.validation import Entry, load_content
from tests.factories import make_workshop

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
RATES = RateTable.model_validate({"tarifs": [{"annee": 2020, "journee": 280, "demi_journee": 140}]})
URL = "https://www.cdg44.fr/ateliers/programme/exemple/"
ORGANIZER = {
    "organisme": "Centre de gestion de la fonction publique territoriale de Loire-Atlantique (CDG 44)",
    "adresse": ["6, rue du Pen Duick II", "CS 66225", "44262 Nantes cedex 2"],
    "telephone": "02 40 20 77 50",
    "telephone_uri": "+33240207750",
    "email": "conseilrh@cdg44.fr",
    "site": "https://www.cdg44.fr",
}
SCHEMA = "https://schema.org/"


def workshop(**overrides) -> Workshop:
    return make_workshop(**{"inscrits": 4, **overrides})


CODEV_SESSIONS = [
    {"date": dt.date(2027, 1, 12), "duree": "demi-journee", "debut": "14:00"},
    {"date": dt.date(2027, 2, 16), "duree": "demi-journee", "debut": "14:00"},
    {"date": dt.date(2027, 3, 30), "duree": "demi-journee", "debut": "14:00"},
    {"date": dt.date(2027, 5, 11), "duree": "demi-journee", "debut": "14:00"},
    {"date": dt.date(2027, 6, 22), "duree": "demi-journee", "debut": "14:00"},
]


def item_of(w: Workshop, today: dt.date = TODAY, slug: str = "exemple"):
    (item,) = build_catalogue(
        [Entry(workshop=w, source=f"content/ateliers/{slug}.yaml", slug=slug)], RATES, today=today
    )
    return item


def ld(w: Workshop, today: dt.date = TODAY) -> dict:
    return event_json_ld(item_of(w, today), URL, ORGANIZER, today)


def test_sample_entry():
    content = load_content(ROOT / "content")
    items = build_catalogue(content.entries, content.rates, today=TODAY)
    (item,) = [i for i in items if i.slug == "2027-03-mutualiser-services"]
    data = event_json_ld(item, URL, ORGANIZER, TODAY)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "EducationEvent"
    assert data["name"] == "Mutualiser un service entre communes voisines"
    assert data["description"].startswith("Comment faire pour mutualiser")
    assert data["startDate"] == "2027-03-11T09:00:00+01:00"
    assert data["endDate"] == "2027-04-08T12:30:00+02:00"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["location"] == {
        "@type": "Place",
        "name": "CDG 44",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "6 rue du Pen Duick II",
            "postalCode": "44300",
            "addressLocality": "Nantes",
            "addressRegion": "Pays de la Loire",
            "addressCountry": "FR",
        },
    }
    assert data["audience"] == {"@type": "Audience", "audienceType": "Responsables RH, DGS, Élus"}
    assert data["maximumAttendeeCapacity"] == 15
    assert data["remainingAttendeeCapacity"] == 6
    assert data["inLanguage"] == "fr-FR"
    assert data["url"] == URL
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == "420.00"  # 1 day x 280 + 1 half-day x 140
    assert offer["priceCurrency"] == "EUR"
    assert offer["availability"] == SCHEMA + "InStock"
    assert offer["validThrough"] == "2027-03-01"
    assert offer["url"] == URL
    assert len(data["subEvent"]) == 2
    # The whole document is JSON-serialisable.
    assert json.loads(json_ld_script(data)) == data
    for other in items:
        other_data = event_json_ld(other, URL, ORGANIZER, TODAY)
        assert json.loads(json_ld_script(other_data)) == other_data
        assert other_data["location"]["address"].get("postalCode"), other.slug


def test_organizer_from_contact_settings():
    organizer = ld(workshop())["organizer"]
    assert organizer["@type"] == "Organization"
    assert organizer["name"].endswith("(CDG 44)")
    assert organizer["url"] == "https://www.cdg44.fr"
    assert organizer["email"] == "conseilrh@cdg44.fr"
    assert organizer["telephone"] == "+33240207750"
    assert organizer["address"]["postalCode"] == "44262"
    assert organizer["address"]["addressLocality"] == "Nantes cedex 2"
    assert organizer["address"]["streetAddress"] == "6, rue du Pen Duick II, CS 66225"


def test_organizer_with_schema_org_keys():
    item = item_of(workshop())
    organizer = event_json_ld(item, URL, {"name": "CDG 44", "url": "https://www.cdg44.fr", "email": "a@b.fr"}, TODAY)[
        "organizer"
    ]
    assert organizer == {"@type": "Organization", "name": "CDG 44", "url": "https://www.cdg44.fr", "email": "a@b.fr"}


@pytest.mark.parametrize(
    ("text", "street", "code", "city"),
    [
        ("6 rue du Pen Duick II, 44300 Nantes", "6 rue du Pen Duick II", "44300", "Nantes"),
        ("Mairie, 1 place de l'Église, 44260 Savenay", "Mairie, 1 place de l'Église", "44260", "Savenay"),
        ("12 avenue des Thébaudières 44800 Saint-Herblain", "12 avenue des Thébaudières", "44800", "Saint-Herblain"),
    ],
)
def test_postal_address_parses_trailing_code_and_city(text, street, code, city):
    address = postal_address(text)
    assert (address["streetAddress"], address["postalCode"], address["addressLocality"]) == (street, code, city)
    assert address["addressRegion"] == "Pays de la Loire"
    assert address["addressCountry"] == "FR"


def test_postal_address_without_postal_code_keeps_the_text():
    address = postal_address("Salle polyvalente de Blain")
    assert address["streetAddress"] == "Salle polyvalente de Blain"
    assert "postalCode" not in address


def test_single_session_has_no_sub_event():
    data = ld(workshop())
    assert "subEvent" not in data
    assert data["startDate"] == "2027-01-14T09:00:00+01:00"
    assert data["endDate"] == "2027-01-14T17:00:00+01:00"


def test_codev_has_one_sub_event_per_session():
    data = ld(
        workshop(type="codev", titre="Codev des DGS", question=None, objet=None, capacite=8, seances=CODEV_SESSIONS)
    )
    assert data["description"] == "Codev des DGS"
    assert data["offers"]["price"] == "700.00"
    subs = data["subEvent"]
    assert len(subs) == 5
    assert all(s["@type"] == "EducationEvent" for s in subs)
    assert subs[0]["startDate"] == "2027-01-12T14:00:00+01:00"
    assert subs[0]["endDate"] == "2027-01-12T17:30:00+01:00"
    assert subs[3]["startDate"] == "2027-05-11T14:00:00+02:00"  # summer time
    assert subs[2]["name"] == "Codev des DGS (séance 3/5)"
    assert data["startDate"] == subs[0]["startDate"]
    assert data["endDate"] == subs[-1]["endDate"]


@pytest.mark.parametrize(
    ("overrides", "today", "state", "availability"),
    [
        ({}, TODAY, State.AVAILABLE, "InStock"),
        ({"inscrits": 10}, TODAY, State.LAST_PLACES, "LimitedAvailability"),
        ({"inscrits": 12}, TODAY, State.FULL, "SoldOut"),
        ({"cloture_inscriptions": dt.date(2027, 1, 5)}, dt.date(2027, 1, 10), State.CLOSED, "SoldOut"),
        ({}, dt.date(2027, 2, 1), State.FINISHED, "SoldOut"),
        ({"statut": "annule"}, TODAY, State.CANCELLED, "SoldOut"),
        ({"statut": "reporte"}, TODAY, State.POSTPONED, "SoldOut"),
        ({"ouverture_inscriptions": dt.date(2026, 12, 15)}, TODAY, State.NOT_YET_OPEN, "InStock"),
    ],
)
def test_offer_availability_per_state(overrides, today, state, availability):
    item = item_of(workshop(**overrides), today)
    assert item.availability.state is state
    assert event_json_ld(item, URL, ORGANIZER, today)["offers"]["availability"] == SCHEMA + availability


@pytest.mark.parametrize(
    ("statut", "event_status"),
    [("programme", "EventScheduled"), ("annule", "EventCancelled"), ("reporte", "EventPostponed")],
)
def test_event_status(statut, event_status):
    data = ld(workshop(statut=statut, seances=CODEV_SESSIONS[:2]))
    assert data["eventStatus"] == SCHEMA + event_status
    assert {s["eventStatus"] for s in data["subEvent"]} == {SCHEMA + event_status}


def test_item_computed_before_the_end_is_not_sold_after_it():
    item = item_of(workshop(), TODAY)
    assert item.availability.state is State.AVAILABLE
    later = dt.date(2027, 3, 1)
    assert event_json_ld(item, URL, ORGANIZER, later)["offers"]["availability"] == SCHEMA + "SoldOut"


def test_valid_from_and_through():
    offer = ld(workshop(ouverture_inscriptions=dt.date(2026, 10, 1), cloture_inscriptions=dt.date(2027, 1, 7)))[
        "offers"
    ]
    assert offer["validFrom"] == "2026-10-01"
    assert offer["validThrough"] == "2027-01-07"
    offer = ld(workshop(publie_le=dt.date(2026, 9, 15)))["offers"]
    assert offer["validFrom"] == "2026-09-15"
    assert offer["validThrough"] == "2027-01-13"  # the day before the first session
    # Without any opening or publication date: two months before the deadline.
    assert ld(workshop())["offers"]["validFrom"] == "2026-11-14"
    # A publication date after the deadline never gives validFrom > validThrough.
    assert "validFrom" not in ld(workshop(publie_le=dt.date(2027, 2, 1)))["offers"]


def test_script_text_cannot_close_the_element():
    data = ld(workshop(titre="Atelier </script><script>alert(1)</script>", question="Comment faire pour <!-- ceci ?"))
    text = json_ld_script(data)
    assert "</" not in text
    assert "<!--" not in text
    assert "<\\/script>" in text
    assert json.loads(text)["name"] == "Atelier </script><script>alert(1)</script>"
    assert json.loads(text)["description"] == "Comment faire pour <!-- ceci ?"


def test_script_text_is_reproducible_with_sorted_keys_and_unicode():
    data = ld(workshop())
    text = json_ld_script(data)
    assert text == json_ld_script(ld(workshop()))
    assert "Hôtel" in text  # ensure_ascii=False
    keys = list(json.loads(text))
    assert keys == sorted(keys)
