"""Load content/forms.yaml through the site's own loader (plugins/offer/forms.py)."""

from __future__ import annotations

from pathlib import Path

from offer.forms import FormsFile, load_forms


class FormsFileError(ValueError):
    """content/forms.yaml cannot be used; the message lists every problem in French."""


def load(path: Path) -> FormsFile:
    result = load_forms(Path(path))
    errors = [problem for problem in result.problems if problem.is_error]
    if result.value is None or errors:
        if not Path(path).exists():
            raise FormsFileError(
                f"{path} : fichier introuvable — indiquez le fichier des formulaires avec --forms ou FORMBACKEND_FORMS"
            )
        lines = [f"{path} ne peut pas être utilisé :"]
        lines += [f"  {problem}" for problem in errors]
        raise FormsFileError("\n".join(lines))
    return result.value


def retention_days(forms: FormsFile) -> dict[str, int]:
    return {name: definition.conservation_jours for name, definition in forms.formulaires.items()}
