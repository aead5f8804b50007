"""A problem found in a content file, and how it is shown to an editor."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .messages import french_field

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity == ERROR else "avertissement : "
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.label}: {prefix}{self.message}" if self.field else f"{where}: {prefix}{self.message}"

    @property
    def label(self) -> str:
        """The field as editors read it: « debut de la 2e séance », not ``seances[2].debut``."""
        return french_field(self.field)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class ContentError(Exception):
    """Stops the build when content files have errors; carries them all.

    The problems themselves are printed before it is raised; its own message is
    a one-line summary. Pelican exits with ``exitcode``; in autoreload mode it
    logs it and waits for the next change.
    """

    exitcode = 1

    def __init__(self, problems: list[Problem]):
        super().__init__(f"construction arrêtée : {summary(problems)}")
        self.problems = problems


def summary(problems: list[Problem]) -> str:
    """'2 erreurs et 1 avertissement dans 2 fichiers' (French, for editors)."""
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    parts = []
    if errors:
        parts.append(f"{errors} erreur{'s' if errors > 1 else ''}")
    if warnings:
        parts.append(f"{warnings} avertissement{'s' if warnings > 1 else ''}")
    if not parts:
        return "aucune erreur"
    return " et ".join(parts) + f" dans {files} fichier{'s' if files > 1 else ''}"


def report_problems(problems: list[Problem], stream=None) -> None:
    """One plain line per problem on stderr, so editors and CI logs read them as is
    (Pelican's console logger would wrap and decorate them)."""
    if not problems:
        return
    lines = [str(p) for p in problems]
    verdict = (
        "la construction est arrêtée, le site publié reste inchangé"
        if any(p.is_error for p in problems)
        else "la construction continue"
    )
    lines.append(f"Contenu : {summary(problems)} — {verdict}.")
    (stream or sys.stderr).write("\n".join(lines) + "\n")
    (stream or sys.stderr).flush()
