"""The availability badge of an entry at the build date."""

from __future__ import annotations

import datetime as dt
import enum
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .model import Status, Workshop

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_LAST_PLACES_THRESHOLD = 3


class State(enum.Enum):
    CANCELLED = "annule"
    POSTPONED = "reporte"
    FINISHED = "termine"
    CLOSED = "inscriptions-closes"
    NOT_YET_OPEN = "bientot"
    FULL = "complet"
    LAST_PLACES = "dernieres-places"
    AVAILABLE = "disponible"


@dataclass(frozen=True)
class Availability:
    state: State
    places_left: int
    label: str
    # Upcoming = last session not past, whatever the status (a cancelled future
    # session stays listed with its badge, so registrants learn about it).
    upcoming: bool = True

    @property
    def accepts_registrations(self) -> bool:
        return self.state in (State.AVAILABLE, State.LAST_PLACES)

    @property
    def accepts_waiting_list(self) -> bool:
        return self.state is State.FULL

    @property
    def is_upcoming(self) -> bool:
        return self.upcoming


def build_date(environ=os.environ) -> dt.date:
    """Today in Paris, or the day of SOURCE_DATE_EPOCH when it is set."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=PARIS).date()
    return dt.datetime.now(tz=PARIS).date()


def _places_label(n: int) -> str:
    return "Plus qu'une place" if n == 1 else f"Plus que {n} places"


def open_session_badge(left: int, threshold: int = DEFAULT_LAST_PLACES_THRESHOLD) -> Availability:
    """The badge of a session open to registrations, from its places left now
    (the form receiver's live counts use the same words as the build)."""
    if left <= 0:
        return Availability(State.FULL, 0, "Complet")
    if left <= threshold:
        return Availability(State.LAST_PLACES, left, _places_label(left))
    return Availability(State.AVAILABLE, left, "Places disponibles")


def availability(workshop: Workshop, today: dt.date, threshold: int = DEFAULT_LAST_PLACES_THRESHOLD) -> Availability:
    left = workshop.places_left
    upcoming = workshop.last_date >= today
    if workshop.statut is Status.ANNULE:
        return Availability(State.CANCELLED, left, "Annulé", upcoming)
    if workshop.statut is Status.REPORTE:
        return Availability(State.POSTPONED, left, "Reporté", upcoming)
    if not upcoming:
        return Availability(State.FINISHED, left, "Terminé", upcoming)
    if workshop.registration_deadline < today:
        return Availability(State.CLOSED, left, "Inscriptions closes")
    if left == 0:
        return Availability(State.FULL, 0, "Complet")
    if workshop.ouverture_inscriptions and workshop.ouverture_inscriptions > today:
        return Availability(State.NOT_YET_OPEN, left, "Inscriptions bientôt ouvertes")
    if left <= threshold:
        return Availability(State.LAST_PLACES, left, _places_label(left))
    return Availability(State.AVAILABLE, left, "Places disponibles")
