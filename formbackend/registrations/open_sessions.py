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

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

OPEN, WAITING_LIST = "ouverte", "liste_attente"


@dataclass(frozen=True)
class OpenSession:
    title: str
    state: str

    @property
    def waiting_list(self) -> bool:
        return self.state == WAITING_LIST


class OpenSessions:
    def __init__(self, path: Path):
        self.path = Path(path)
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
                str(slug): OpenSession(str(info.get("titre", slug)), str(info["etat"]))
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
