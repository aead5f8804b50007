"""Which sessions accept a registration, as the last site build published them.

The build writes ``donnees/inscriptions.json`` ({"sessions": {slug: {"titre",
"etat": "ouverte" | "liste_attente"}}}). With FORMBACKEND_SESSIONS pointing at
it, the receiver refuses a registration to a closed, cancelled or unknown
session, and decides itself whether it goes to the waiting list: the visitor's
hidden fields are not trusted for that. The file is read again when it changes
(the site is rebuilt every night).

Without the file, no registration is accepted: in production the receiver
refuses to start (``python -m formbackend serve``), in development it refuses
each registration with a French message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

OPEN, WAITING_LIST = "ouverte", "liste_attente"


@dataclass(frozen=True)
class Meeting:
    date: dt.date
    start: str  # "09:00", Paris time
    end: str
    full_day: bool


@dataclass(frozen=True)
class OpenSession:
    title: str
    state: str
    # Published since the receiver runs the sessions (None in an older file).
    kind: str | None = None  # atelier | codev
    places: int | None = None  # the places the receiver may give
    capacity: int | None = None
    venue_name: str = ""
    venue_address: str = ""
    accessibility: str = ""
    meetings: tuple[Meeting, ...] = ()

    @property
    def waiting_list(self) -> bool:
        return self.state == WAITING_LIST

    @classmethod
    def from_json(cls, slug: str, info: dict) -> OpenSession:
        venue = info.get("lieu") or {}
        places = info.get("places")
        capacity = info.get("capacite")
        return cls(
            title=str(info.get("titre", slug)),
            state=str(info["etat"]),
            kind=str(info["type"]) if info.get("type") else None,
            places=places if isinstance(places, int) and places >= 0 else None,
            capacity=capacity if isinstance(capacity, int) and capacity >= 0 else None,
            venue_name=str(venue.get("nom", "")),
            venue_address=str(venue.get("adresse", "")),
            accessibility=str(venue.get("accessibilite", "")),
            meetings=tuple(
                Meeting(dt.date.fromisoformat(m["date"]), str(m["debut"]), str(m["fin"]), bool(m.get("journee")))
                for m in info.get("seances", ())
            ),
        )


class OpenSessions:
    def __init__(self, path: Path, recheck_seconds: float = 0.0):
        self.path = Path(path)
        # The server looks at the file at most once a second: a stat() releases the GIL,
        # and under load the request then waits for the writer thread to give it back.
        self.recheck_seconds = recheck_seconds
        self._checked_at: float | None = None
        self._stamp: tuple | None = None
        self._sessions: dict[str, OpenSession] = {}

    def problem(self) -> str | None:
        """Why the file cannot be used now (French, for the start-up message), or None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return (
                f"le fichier des sessions {self.path} n'existe pas — construisez le site (make publish) "
                "ou indiquez le fichier donnees/inscriptions.json du site construit (FORMBACKEND_SESSIONS)"
            )
        except OSError as exc:
            return f"le fichier des sessions {self.path} ne peut pas être lu ({exc.strerror}) — vérifiez ses droits"
        except ValueError:
            return (
                f"le fichier des sessions {self.path} n'est pas du JSON valide — reconstruisez le site (make publish)"
            )
        if not isinstance(data, dict) or not isinstance(data.get("sessions"), dict):
            return (
                f"le fichier des sessions {self.path} n'est pas un fichier donnees/inscriptions.json du site — "
                "indiquez celui du site construit (FORMBACKEND_SESSIONS)"
            )
        return None

    def _reload_if_changed(self) -> None:
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.recheck_seconds:
            return
        self._checked_at = now
        try:
            stat = self.path.stat()
        except OSError:
            if self._stamp is not None:
                log.warning("liste des sessions ouvertes introuvable : %s", self.path)
            self._stamp, self._sessions = None, {}
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            sessions = {
                str(slug): OpenSession.from_json(str(slug), info)
                for slug, info in data["sessions"].items()
                if info.get("etat") in (OPEN, WAITING_LIST)
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # A file caught mid-copy: keep the previous list until a readable one arrives.
            log.warning("liste des sessions ouvertes illisible : %s", self.path)
            return
        self._stamp, self._sessions = stamp, sessions

    def get(self, slug: str) -> OpenSession | None:
        self._reload_if_changed()
        return self._sessions.get(slug)

    def all(self) -> dict[str, OpenSession]:
        self._reload_if_changed()
        return dict(self._sessions)
