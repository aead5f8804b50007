"""The registrations' mails, written from template files an editor can change.

Each mail is two files in formbackend/mail/modeles/ (or in the folder given by
FORMBACKEND_MAIL_TEMPLATES, whose files win): ``<name>.txt``, the plain text,
whose first line is ``Objet : …``, and ``<name>.html``, the same message in
HTML (escaped automatically). Both are Jinja templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

BUILT_IN = Path(__file__).parent / "modeles"
SUBJECT_PREFIX = "Objet :"


class TemplateError(ValueError):
    """A mail template cannot be used (French message)."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class MailTemplates:
    def __init__(self, override: Path | None = None):
        loaders = [FileSystemLoader(str(override))] if override else []
        loaders.append(FileSystemLoader(str(BUILT_IN)))
        self.environment = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # Read once: no stat() of the files for every mail (restart after editing a template).
            auto_reload=False,
        )

    def render(self, name: str, **context) -> RenderedMail:
        text = self.environment.get_template(f"{name}.txt").render(**context)
        first, _, body = text.partition("\n")
        if not first.startswith(SUBJECT_PREFIX):
            raise TemplateError(
                f"modèle de courriel {name}.txt, ligne 1 : écrivez « {SUBJECT_PREFIX} » suivi de l'objet du courriel"
            )
        html = self.environment.get_template(f"{name}.html").render(**context)
        return RenderedMail(first[len(SUBJECT_PREFIX) :].strip(), body.lstrip("\n"), html)
