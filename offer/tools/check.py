"""``make check``: report every problem of every content file, in French, in one run.

    python -m offer.tools.check [content_dir]        (default: content)

Reads ``tarifs.yaml``, every ``ateliers/*.yaml`` and ``forms.yaml`` with the
pure core (no Pelican import), prints one line per problem
(``path:line: field: message``) then a one-line summary. Exit status: 1 when
there is at least one error, 0 otherwise (warnings do not fail), 2 when the
content folder does not exist. Bad content never produces a traceback: an
unforeseen failure on a file is reported as an error of that file.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from offer.problems import ERROR, Problem
from offer.validation import load_content, relative, unexpected_problem

RATES_FILE = "tarifs.yaml"
FORMS_FILE = "forms.yaml"
WORKSHOPS_FOLDER = "ateliers"


@dataclass
class Report:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != ERROR]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n < 2 else plural}"


def summary(report: Report) -> str:
    """« 12 fichiers vérifiés : aucune erreur. » or « 3 erreurs, 1 avertissement dans 2 fichiers. »"""
    errors, warnings = len(report.errors), len(report.warnings)
    checked = _plural(len(report.files), "fichier vérifié", "fichiers vérifiés")
    if not errors and not warnings:
        return f"{checked} : aucune erreur."
    concerned = _plural(len({p.path for p in report.problems}), "fichier", "fichiers")
    if not errors:
        return f"{checked} : aucune erreur, {_plural(warnings, 'avertissement', 'avertissements')} dans {concerned}."
    parts = [_plural(errors, "erreur", "erreurs")]
    if warnings:
        parts.append(_plural(warnings, "avertissement", "avertissements"))
    return f"{', '.join(parts)} dans {concerned}."


def check_content(content_dir: Path) -> Report:
    """Check a content folder with the build's own loaders, so messages are the same.

    Paths in problems are relative to the folder's parent (the repository).
    """
    from offer.forms import load_forms

    content_dir = content_dir.resolve()
    root = content_dir.parent
    report = Report()
    rates_path, forms_path = content_dir / RATES_FILE, content_dir / FORMS_FILE
    folder = content_dir / WORKSHOPS_FOLDER
    # The same selection as load_workshops, so that the count is true.
    report.files.extend(relative(p, root) for p in [rates_path] if p.is_file())
    report.files.extend(relative(p, root) for p in sorted(folder.glob("*.y*ml")) if p.is_file())
    report.files.extend(relative(p, root) for p in [forms_path] if p.is_file())
    try:
        report.problems.extend(load_content(content_dir, root).problems)
    except Exception as exc:  # noqa: BLE001 - report, never crash on content
        report.problems.append(unexpected_problem(relative(content_dir, root), exc))
    if forms_path.is_file():  # a content folder under test may hold entries only
        try:
            report.problems.extend(load_forms(forms_path, root).problems)
        except Exception as exc:  # noqa: BLE001
            report.problems.append(unexpected_problem(relative(forms_path, root), exc))
    report.problems.sort(key=lambda p: (p.path, p.line, p.field, p.message))
    return report


class _FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix or "utilisation : ")


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with French help and errors (editors run these commands)."""

    _ERRORS = (
        (r"the following arguments are required: (.*)", "arguments obligatoires manquants : {0}"),
        (r"unrecognized arguments: (.*)", "arguments inconnus : {0}"),
        (r"argument (\S+): invalid int value: '(.*)'", "{0} : « {1} » n'est pas un nombre entier"),
        (
            r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.*)\)",
            "{0} : « {1} » n'est pas permis — choisissez parmi {2}",
        ),
        (r"argument (\S+): expected one argument", "{0} : une valeur est attendue après cette option"),
        (r"argument (\S+): (.*)", "{0} : {1}"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")

    def error(self, message):
        for pattern, french in self._ERRORS:
            match = re.fullmatch(pattern, message)
            if match:
                message = french.format(*match.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = FrenchArgumentParser(
        prog="python -m offer.tools.check",
        description="Vérifie les fichiers de contenu (tarifs, ateliers, formulaires) sans construire le site.",
    )
    parser.add_argument("dossier", nargs="?", default="content", help="dossier de contenu (par défaut : content)")
    args = parser.parse_args(argv)
    content_dir = Path(args.dossier)
    if not content_dir.is_dir():
        print(f"dossier de contenu introuvable : {args.dossier}", file=sys.stderr)
        return 2
    report = check_content(content_dir)
    for problem in report.problems:
        print(problem)
    print(summary(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
