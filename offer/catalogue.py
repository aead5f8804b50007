"""The catalogue: each valid entry with its availability and quote at the build date."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from .availability import Availability, availability
from .model import RateTable
from .pricing import Quote, quote
from .validation import Entry


@dataclass(frozen=True)
class CatalogueItem:
    entry: Entry
    availability: Availability
    quote: Quote
    # The editor's own ``inscrits`` (registrations taken outside the site), before
    # the receiver's counts were added: the receiver gives the places left after them.
    offline_registrations: int = 0

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def workshop(self):
        return self.entry.workshop


class CountsFileError(ValueError):
    """The counts file exists but cannot be used (French message)."""


def read_registration_counts(path: str | Path | None) -> dict[str, int]:
    """Counts written by the form receiver ({"slug": n}); missing file -> no counts."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except PermissionError:
        raise CountsFileError(f"{path} : lecture interdite — rendez le fichier lisible (chmod 0644)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CountsFileError(
            f"{path} : fichier illisible ({exc.__class__.__name__}) — régénérez-le avec « python -m formbackend counts »"
        ) from None
    if not isinstance(data, dict):
        raise CountsFileError(
            f'{path} : un objet JSON {{"session": nombre}} est attendu — régénérez-le avec « python -m formbackend counts »'
        )
    return {str(k): v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0}


def with_online_registrations(entry: Entry, counts: dict[str, int]) -> Entry:
    """Add registrations received through the site to the editor's ``inscrits``."""
    extra = counts.get(entry.slug, 0)
    if not extra:
        return entry
    workshop = entry.workshop
    total = min(workshop.inscrits + extra, workshop.capacite)
    return replace(entry, workshop=workshop.model_copy(update={"inscrits": total}))


def build_catalogue(
    entries: list[Entry],
    rates: RateTable,
    today: dt.date,
    last_places_threshold: int = 3,
    counts: dict[str, int] | None = None,
) -> list[CatalogueItem]:
    """Items sorted by first session date, then title (a stable order)."""
    items = []
    for entry in entries:
        offline = entry.workshop.inscrits
        entry = with_online_registrations(entry, counts or {})
        workshop = entry.workshop
        items.append(
            CatalogueItem(
                entry=entry,
                availability=availability(workshop, today, last_places_threshold),
                quote=quote(workshop.seances, workshop.capacite, rates.tarifs),
                offline_registrations=offline,
            )
        )
    return sorted(items, key=lambda item: (item.workshop.first_date, item.workshop.titre, item.slug))
