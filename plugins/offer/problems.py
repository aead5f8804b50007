"""A problem found in a content file, and how it is shown to an editor."""

from __future__ import annotations

from dataclasses import dataclass

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
        return f"{where}: {self.field}: {prefix}{self.message}" if self.field else f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class ContentError(Exception):
    """Raised by the build when content files have errors; carries them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        super().__init__(
            f"{len(errors)} erreur(s) dans le contenu :\n" + "\n".join(str(p) for p in errors)
        )
