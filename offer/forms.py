"""The form definitions of content/forms.yaml, shared by the site and the receiver.

The site renders each form from these definitions; the self-hosted receiver
(formbackend/) validates submissions against the very same objects, so a field
can never be shown without being accepted, or accepted without being shown.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic import Strict as StrictMode

from .problems import Problem
from .typography import french_text
from .validation import LoadResult, parse_model, relative

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

AUTOCOMPLETE_TOKENS = {
    "name",
    "given-name",
    "family-name",
    "email",
    "tel",
    "organization",
    "organization-title",
    "street-address",
    "postal-code",
    "address-level2",
    "off",
}


# The shape of an e-mail address, the one rule of the site and the receiver: the
# site writes it in the email input's `pattern` attribute, where forms.js reads
# it; the receiver checks it too, then asks email-validator (lengths, reserved
# domains), so that the browser never refuses an address that the receiver
# would take. ASCII only: the Centre de Gestion's mail relay is not known to
# offer SMTPUTF8, so an address with an accent or a letter of another alphabet
# (jean@café.fr, a Cyrillic « с » in cdg44.fr) could be neither delivered nor
# written in a Reply-To (docs/exploitation.md). A domain already in its ASCII
# form (xn--…) is accepted. No "=?" either: an RFC 2047 encoded word has no
# place in an address, and mail libraries would decode it. Written to mean the
# same to Python's `re` and to an ECMAScript RegExp with the u or v flag (the
# pattern attribute's): the characters that v reserves are escaped, and `$` is
# never used (Python's would match before a final newline).
_ATEXT = r"[A-Za-z0-9!#$%&'*+\/=?^_`\{\|\}~\-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (
    rf"(?![^@]{{65}})(?!.{{255}})(?!.*=\?){_ATEXT}+(?:\.{_ATEXT}+)*"
    rf"@(?![^@]{{254}})(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|[Xx][Nn]--[A-Za-z0-9\-]{{1,59}})"
)


class FieldKind(str, enum.Enum):
    TEXT = "texte"
    EMAIL = "email"
    TEL = "tel"
    NUMBER = "nombre"
    TEXTAREA = "zone_texte"
    CHOICE = "choix"
    HIDDEN = "cache"

    @property
    def input_type(self) -> str:
        return {"texte": "text", "email": "email", "tel": "tel", "nombre": "number", "cache": "hidden"}.get(
            self.value, ""
        )


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FormField(Strict):
    nom: Name = Field(description="Nom technique du champ (minuscules, chiffres, _).")
    libelle: Text | None = Field(default=None, description="Libellé affiché. Obligatoire sauf pour un champ caché.")
    type: Annotated[FieldKind, StrictMode(False)] = Field(
        description="texte, email, tel, nombre, zone_texte, choix ou cache."
    )
    requis: bool = Field(default=False, description="true si le champ est obligatoire.")
    aide: Text | None = Field(default=None, description="Aide affichée sous le libellé.")
    autocomplete: str | None = Field(
        default=None, description="Jeton autocomplete HTML (given-name, family-name, email, tel, organization…)."
    )
    longueur_max: int | None = Field(default=None, ge=1, le=10000, description="Nombre maximal de caractères.")
    min: int | None = Field(default=None, description="Valeur minimale (champ nombre).")
    max: int | None = Field(default=None, description="Valeur maximale (champ nombre).")
    choix: dict[str, str] | list[str] | None = Field(
        default=None, description="Valeurs permises (champ choix ou cache)."
    )

    @field_validator("libelle", "aide")
    @classmethod
    def _french_typography(cls, value):
        # The receiver's messages quote the label: the same text as the site's pages.
        return french_text(value) if value else value

    @model_validator(mode="after")
    def _consistent(self):
        if self.type is not FieldKind.HIDDEN and not self.libelle:
            raise ValueError(f"le champ « {self.nom} » doit avoir un libellé")
        if self.type is FieldKind.CHOICE and not self.choix:
            raise ValueError(f"le champ « {self.nom} » de type choix doit lister ses choix")
        if self.autocomplete and self.autocomplete not in AUTOCOMPLETE_TOKENS:
            raise ValueError(f"jeton autocomplete inconnu « {self.autocomplete} »")
        return self

    @property
    def pattern(self) -> str | None:
        """The rule the value must match, written in the page and checked by the receiver."""
        return EMAIL_PATTERN if self.type is FieldKind.EMAIL else None

    @property
    def choices(self) -> dict[str, str]:
        """value -> label, whatever the YAML form."""
        if self.choix is None:
            return {}
        if isinstance(self.choix, dict):
            return dict(self.choix)
        return {value: value for value in self.choix}


class FormDefinition(Strict):
    titre: Text
    titre_liste_attente: Text | None = None
    bouton: Text
    bouton_liste_attente: Text | None = None
    sujet: Text = Field(description="Objet du courriel de notification.")
    finalite: Text = Field(description="Finalité du traitement (notice RGPD).")
    base_legale: Text
    conservation_jours: int = Field(
        ge=1, le=3650, description="Durée de conservation appliquée par la purge, en jours."
    )
    conservation: Text = Field(description="Durée de conservation, en clair pour la notice.")
    champs: list[FormField] = Field(min_length=1)

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.champs if f.nom == name), None)

    @property
    def visible_fields(self) -> list[FormField]:
        return [f for f in self.champs if f.type is not FieldKind.HIDDEN]


class PrivacyBasics(Strict):
    responsable: Text
    destinataires: Text
    droits: Text
    dpo: Text
    cnil: Text


class FormsFile(Strict):
    donnees_personnelles: PrivacyBasics
    formulaires: dict[Name, FormDefinition]


def load_forms(path: Path, root: Path | None = None) -> LoadResult:
    """LoadResult(value=FormsFile) with French problems, as for the other files."""
    if not path.is_file():
        return LoadResult(
            problems=[
                Problem(
                    relative(path, root),
                    1,
                    "",
                    "fichier des formulaires absent — rétablissez content/forms.yaml (historique du dépôt)",
                )
            ]
        )
    result = parse_model(FormsFile, path, root)
    if result.value is not None:
        result.value = result.value[0]
    return result
