"""What the templates see: URLs, audiences, filters and worked quote examples.

Pure functions over catalogue items, so that the Pelican adapter stays thin.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from offer import formatting
from offer.availability import State
from offer.catalogue import CatalogueItem
from offer.model import AUDIENCES, MAX_GROUP_SIZE, OfferType, Rate, slugify
from offer.pricing import price_per_participant, rate_for_year
from offer.validation import CODEV_HALF_DAYS

TYPE_LABELS = {
    OfferType.ATELIER.value: ("Atelier inter-collectivités", "Ateliers inter-collectivités"),
    OfferType.CODEV.value: ("Groupe de co-développement", "Groupes de co-développement"),
}
MAX_WORKSHOP, MAX_CODEV = MAX_GROUP_SIZE["atelier"], MAX_GROUP_SIZE["codev"]
CODEV_MONTHS = 6  # the brochure's "5 demi-journées sur une durée de 6 mois"
# The brochure's audiences of each offer ("suivant les sujets" for workshops).
OFFER_AUDIENCES = {
    OfferType.ATELIER.value: "Responsables RH, responsables de services techniques, DGS, élus, citoyens…, suivant les sujets",
    OfferType.CODEV.value: "Professionnels des RH ou managers, exerçant dans l'idéal des métiers proches",
}
# States of a session someone can still act on (register, join a waiting list, wait for the opening).
OPEN_STATES = (State.AVAILABLE, State.LAST_PLACES, State.NOT_YET_OPEN, State.FULL)
# States whose badge is followed by the number of places left.
PLACES_STATES = (State.AVAILABLE, State.LAST_PLACES, State.NOT_YET_OPEN)


@dataclass(frozen=True)
class Audience:
    label: str
    slug: str


AUDIENCE_LIST = tuple(Audience(label, slugify(label)) for label in AUDIENCES)


@dataclass(frozen=True)
class CatalogueFilter:
    """One pre-rendered view of the catalogue (no JavaScript needed to filter)."""

    type: str | None = None
    audience: Audience | None = None

    @property
    def path(self) -> str:
        parts = []
        if self.type:
            parts += ["type", self.type]
        if self.audience:
            parts += ["public", self.audience.slug]
        return "/".join(parts) + ("/" if parts else "")

    def accepts(self, item: CatalogueItem) -> bool:
        workshop = item.workshop
        if self.type and workshop.type.value != self.type:
            return False
        if self.audience and self.audience.label not in workshop.public:
            return False
        return True

    @property
    def description(self) -> str:
        parts = []
        if self.type:
            parts.append(TYPE_LABELS[self.type][1].lower())
        if self.audience:
            parts.append(f"pour le public « {self.audience.label} »")
        return " ".join(parts)


def all_filters() -> list[CatalogueFilter]:
    types = [None, *TYPE_LABELS]
    audiences = [None, *AUDIENCE_LIST]
    return [CatalogueFilter(t, a) for t in types for a in audiences]


def group_by_year(items: list[CatalogueItem]) -> dict[int, list[CatalogueItem]]:
    years: dict[int, list[CatalogueItem]] = {}
    for item in items:
        years.setdefault(item.workshop.first_date.year, []).append(item)
    return dict(sorted(years.items(), reverse=True))


@dataclass(frozen=True)
class WorkedExample:
    label: str
    detail: str
    participants: int
    per_participant: Decimal
    total: Decimal


def worked_examples(rate: Rate) -> list[WorkedExample]:
    """The Tarifs page's examples, all computed from the rate of the year."""

    def example(label, detail, full, half, people):
        each = price_per_participant(full, half, rate)
        return WorkedExample(label, detail, people, each, each * people)

    return [
        example("Une demi-journée, un participant", "1 demi-journée", 0, 1, 1),
        example("Une journée, un participant", "1 journée", 1, 0, 1),
        example("Un atelier d'une journée, 3 agents de la même collectivité", "1 journée", 1, 0, 3),
        example(
            f"Un atelier d'une journée, groupe complet de {MAX_WORKSHOP} personnes", "1 journée", 1, 0, MAX_WORKSHOP
        ),
        example(
            "Un groupe de co-développement, un participant", f"{CODEV_HALF_DAYS} demi-journées", 0, CODEV_HALF_DAYS, 1
        ),
        example(
            f"Un groupe de co-développement complet, {MAX_CODEV} participants",
            f"{CODEV_HALF_DAYS} demi-journées",
            0,
            CODEV_HALF_DAYS,
            MAX_CODEV,
        ),
    ]


def open_first(items: list[CatalogueItem]) -> list[CatalogueItem]:
    """Sessions open for registration first, then the others; each group by date (a stable sort)."""
    return sorted(items, key=lambda i: not i.availability.accepts_registrations)


def is_open(item: CatalogueItem) -> bool:
    return item.availability.state in OPEN_STATES


def shows_places(item: CatalogueItem) -> bool:
    return item.availability.state in PLACES_STATES


def rate_is_stale(item: CatalogueItem) -> bool:
    """The session's year has no rate of its own yet: the latest voted one applies."""
    return item.quote.rate.annee < item.workshop.first_date.year


@dataclass(frozen=True)
class EstimateExample:
    """The quote form's estimate before any input: a co-development group for three agents."""

    half_days: int
    participants: int
    total: Decimal


@dataclass(frozen=True)
class OfferSummary:
    """The "En bref" panel of an offer page: every figure computed, none typed."""

    type: str
    label: str
    audiences: str
    group_size: int
    length: str
    per_participant: Decimal
    price_basis: str
    rate: Rate
    next_sessions: list[CatalogueItem]
    catalogue_path: str


@dataclass
class OfferView:
    """Everything the theme needs from the plugin, as one context variable ``offer``."""

    items: list[CatalogueItem]
    today: dt.date
    rates: list[Rate]
    catalogue_url: str
    forms: object = None
    form_targets: dict = field(default_factory=dict)
    home_sessions: int = 3
    recent_past: int = 6
    # How many of the upcoming sessions the printable programme lists.
    printable_sessions: int = 50
    # The PDF documents (printable.Printable) by key: "programme", "atelier", "codev".
    printables: dict = field(default_factory=dict)

    @property
    def upcoming(self) -> list[CatalogueItem]:
        return [i for i in self.items if i.availability.is_upcoming]

    @property
    def printable_programme(self) -> list[CatalogueItem]:
        """The sessions of the printable programme: the next ones, up to ``printable_sessions``."""
        return self.upcoming[: self.printable_sessions]

    @property
    def printable_rest(self) -> int:
        """How many upcoming sessions the printable programme leaves to the site."""
        return max(len(self.upcoming) - self.printable_sessions, 0)

    @property
    def past(self) -> list[CatalogueItem]:
        return sorted(
            (i for i in self.items if not i.availability.is_upcoming), key=lambda i: i.workshop.first_date, reverse=True
        )

    @property
    def next_sessions(self) -> list[CatalogueItem]:
        """The home page's next sessions: open ones first; cancelled and postponed ones left out."""
        held = [i for i in self.upcoming if i.availability.state not in (State.CANCELLED, State.POSTPONED)]
        return open_first(held)[: self.home_sessions]

    def offer_summary(self, offer_type: str, limit: int = 3) -> OfferSummary:
        rate = self.current_rate
        if offer_type == OfferType.CODEV.value:
            each = price_per_participant(0, CODEV_HALF_DAYS, rate)
            length = f"{CODEV_HALF_DAYS} demi-journées sur {CODEV_MONTHS} mois"
            basis = f"pour les {CODEV_HALF_DAYS} demi-journées"
        else:
            each = price_per_participant(1, 0, rate)
            length = "Une ou plusieurs journées ou demi-journées, suivant le sujet"
            basis = f"par journée ({formatting.euros(rate.demi_journee)} la demi-journée)"
        sessions = [i for i in self.upcoming if i.workshop.type.value == offer_type and is_open(i)]
        return OfferSummary(
            type=offer_type,
            label=TYPE_LABELS[offer_type][0],
            audiences=OFFER_AUDIENCES[offer_type],
            group_size=MAX_GROUP_SIZE[offer_type],
            length=length,
            per_participant=each,
            price_basis=basis,
            rate=rate,
            next_sessions=open_first(sessions)[:limit],
            catalogue_path=self.filter_url(CatalogueFilter(type=offer_type)),
        )

    @cached_property
    def _held_by_question(self) -> dict[str, tuple[list[dt.date], list[CatalogueItem]]]:
        """The sessions that are not cancelled, by question, in date order, with their dates (for follow_up)."""
        by_question: dict[str, tuple[list[dt.date], list[CatalogueItem]]] = {}
        for item in sorted(self.items, key=lambda i: i.workshop.first_date):  # stable: ties keep the items' order
            if item.workshop.question and item.availability.state is not State.CANCELLED:
                dates, items = by_question.setdefault(item.workshop.question, ([], []))
                dates.append(item.workshop.first_date)
                items.append(item)
        return by_question

    def follow_up(self, item: CatalogueItem) -> CatalogueItem | None:
        """A later session of the same question (a real follow-up), if one is published:
        the first one after this session's date (the first in the items' order on a tie)."""
        question = item.workshop.question
        if not question or question not in self._held_by_question:
            return None
        dates, items = self._held_by_question[question]
        later = bisect.bisect_right(dates, item.workshop.first_date)
        return items[later] if later < len(items) else None

    is_open = staticmethod(is_open)
    shows_places = staticmethod(shows_places)
    rate_is_stale = staticmethod(rate_is_stale)

    @property
    def current_rate(self) -> Rate:
        return rate_for_year(self.rates, self.today.year)

    @property
    def estimate_example(self) -> EstimateExample:
        people = 3
        return EstimateExample(
            CODEV_HALF_DAYS, people, price_per_participant(0, CODEV_HALF_DAYS, self.current_rate) * people
        )

    @property
    def examples(self) -> list[WorkedExample]:
        return worked_examples(self.current_rate)

    @property
    def audiences(self) -> tuple[Audience, ...]:
        return AUDIENCE_LIST

    @property
    def types(self) -> dict:
        return TYPE_LABELS

    @property
    def max_codev(self) -> int:
        return MAX_CODEV

    @property
    def codev_half_days(self) -> int:
        return CODEV_HALF_DAYS

    def entry_url(self, item: CatalogueItem) -> str:
        return f"{self.catalogue_url}{item.slug}/"

    def filter_url(self, flt: CatalogueFilter) -> str:
        return self.catalogue_url + flt.path
