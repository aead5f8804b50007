"""The availability badge at the build date, in the brochure's order."""

from __future__ import annotations

import datetime as dt

import pytest

from offer.availability import PARIS, State, availability, build_date
from offer.model import Workshop

TODAY = dt.date(2027, 3, 10)
DAY = dt.timedelta(days=1)


def workshop(**changes) -> Workshop:
    data = {
        "type": "atelier",
        "titre": "Un règlement intérieur",
        "question": "Comment faire pour écrire un règlement intérieur ?",
        "objet": "Un règlement intérieur",
        "public": ["DGS"],
        "lieu": {"nom": "CDG 44", "adresse": "6 rue du Pen Duick II, 44300 Nantes"},
        "seances": [{"date": TODAY + 30 * DAY, "duree": "journee"}],
        "capacite": 15,
        "inscrits": 5,
    }
    data.update(changes)
    return Workshop.model_validate(data)


def sessions(*offsets: int):
    return [{"date": TODAY + n * DAY, "duree": "demi-journee"} for n in offsets]


CASES = [
    # id, changes, expected state, places left, upcoming
    ("places disponibles", {}, State.AVAILABLE, 10, True),
    ("exactement complet", {"inscrits": 15}, State.FULL, 0, True),
    ("une place", {"inscrits": 14}, State.LAST_PLACES, 1, True),
    ("seuil : 3 places", {"inscrits": 12}, State.LAST_PLACES, 3, True),
    ("au-dessus du seuil : 4 places", {"inscrits": 11}, State.AVAILABLE, 4, True),
    ("clôture aujourd'hui : encore ouvert", {"cloture_inscriptions": TODAY}, State.AVAILABLE, 10, True),
    ("clôture hier : fermé", {"cloture_inscriptions": TODAY - DAY}, State.CLOSED, 10, True),
    ("première séance demain : clôture par défaut aujourd'hui", {"seances": sessions(1)}, State.AVAILABLE, 10, True),
    ("séance aujourd'hui : pas terminé, inscriptions closes", {"seances": sessions(0)}, State.CLOSED, 10, True),
    ("dernière séance aujourd'hui", {"seances": sessions(-30, 0)}, State.CLOSED, 10, True),
    ("dernière séance hier : terminé", {"seances": sessions(-30, -1)}, State.FINISHED, 10, False),
    ("clos et complet : clos d'abord", {"inscrits": 15, "cloture_inscriptions": TODAY - DAY}, State.CLOSED, 0, True),
    ("annulé", {"statut": "annule"}, State.CANCELLED, 10, True),
    ("annulé l'emporte sur complet", {"statut": "annule", "inscrits": 15}, State.CANCELLED, 0, True),
    ("annulé l'emporte sur terminé", {"statut": "annule", "seances": sessions(-3)}, State.CANCELLED, 10, False),
    ("annulé l'emporte sur clos", {"statut": "annule", "cloture_inscriptions": TODAY - DAY}, State.CANCELLED, 10, True),
    ("reporté", {"statut": "reporte"}, State.POSTPONED, 10, True),
    ("reporté l'emporte sur terminé", {"statut": "reporte", "seances": sessions(-3)}, State.POSTPONED, 10, False),
    ("reporté l'emporte sur complet", {"statut": "reporte", "inscrits": 15}, State.POSTPONED, 0, True),
    ("ouverture demain", {"ouverture_inscriptions": TODAY + DAY}, State.NOT_YET_OPEN, 10, True),
    ("ouverture aujourd'hui", {"ouverture_inscriptions": TODAY}, State.AVAILABLE, 10, True),
    ("ouverture future mais complet", {"ouverture_inscriptions": TODAY + DAY, "inscrits": 15}, State.FULL, 0, True),
    (
        "ouverture future, dernières places",
        {"ouverture_inscriptions": TODAY + DAY, "inscrits": 14},
        State.NOT_YET_OPEN,
        1,
        True,
    ),
]


@pytest.mark.parametrize("changes, state, left, upcoming", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_availability(changes, state, left, upcoming):
    result = availability(workshop(**changes), TODAY)
    assert result.state is state
    assert result.places_left == left
    assert result.is_upcoming is upcoming
    assert result.accepts_registrations is (state in (State.AVAILABLE, State.LAST_PLACES))
    assert result.accepts_waiting_list is (state is State.FULL)


@pytest.mark.parametrize(
    "inscrits, label",
    [
        (14, "Plus qu'une place"),
        (13, "Plus que 2 places"),
        (12, "Plus que 3 places"),
        (11, "Places disponibles"),
        (15, "Complet"),
    ],
)
def test_labels(inscrits, label):
    assert availability(workshop(inscrits=inscrits), TODAY).label == label


@pytest.mark.parametrize("threshold, state", [(0, State.AVAILABLE), (1, State.LAST_PLACES), (5, State.LAST_PLACES)])
def test_threshold_is_a_setting(threshold, state):
    assert availability(workshop(inscrits=14), TODAY, threshold=threshold).state is state


def test_codev_full_at_eight():
    codev = workshop(type="codev", capacite=8, inscrits=8, seances=sessions(30, 72, 114, 156, 198))
    assert availability(codev, TODAY).state is State.FULL


# -- the build date ------------------------------------------------------------


def epoch(*args) -> str:
    return str(int(dt.datetime(*args, tzinfo=dt.UTC).timestamp()))


@pytest.mark.parametrize(
    "utc, expected",
    [
        ((2026, 11, 29, 23, 30), dt.date(2026, 11, 30)),  # 00:30 in Paris (UTC+1)
        ((2026, 11, 29, 22, 59), dt.date(2026, 11, 29)),  # 23:59 in Paris
        ((2026, 11, 29, 23, 0), dt.date(2026, 11, 30)),  # midnight in Paris
        ((2027, 6, 30, 22, 30), dt.date(2027, 7, 1)),  # 00:30 in Paris (summer time, UTC+2)
        ((2027, 6, 30, 21, 30), dt.date(2027, 6, 30)),  # 23:30 in Paris
        ((2026, 11, 30, 11, 0), dt.date(2026, 11, 30)),  # the tests' build date
    ],
)
def test_build_date_from_source_date_epoch(utc, expected):
    assert build_date({"SOURCE_DATE_EPOCH": epoch(*utc)}) == expected


def test_build_date_without_source_date_epoch_is_today_in_paris():
    before = dt.datetime.now(tz=PARIS).date()
    result = build_date({})
    after = dt.datetime.now(tz=PARIS).date()
    assert result in (before, after)
    assert build_date({"SOURCE_DATE_EPOCH": ""}) in (before, after)
