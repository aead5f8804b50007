"""What the templates see: URLs, audiences, filters and worked quote examples.

Pure functions over catalogue items, so that the Pelican adapter stays thin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

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

    @property
    def upcoming(self) -> list[CatalogueItem]:
        return [i for i in self.items if i.availability.is_upcoming]

    @property
    def past(self) -> list[CatalogueItem]:
        return sorted(
            (i for i in self.items if not i.availability.is_upcoming), key=lambda i: i.workshop.first_date, reverse=True
        )

    @property
    def next_sessions(self) -> list[CatalogueItem]:
        """The home page's next sessions: cancelled and postponed ones are left out."""
        held = [i for i in self.upcoming if i.availability.state not in (State.CANCELLED, State.POSTPONED)]
        return held[: self.home_sessions]

    @property
    def current_rate(self) -> Rate:
        return rate_for_year(self.rates, self.today.year)

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
