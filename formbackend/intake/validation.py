"""Check one submission against its FormDefinition (content/forms.yaml).

Pure functions: ``validate(definition, items)`` takes the posted (name, value)
pairs and returns the cleaned data plus a list of errors whose messages are in
French and say what to do (GOV.UK style). Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from offer.forms import EMAIL_PATTERN, FieldKind, FormDefinition, FormField
from offer.model import SLUG_PATTERN

NEXT, SUBJECT, REPLY_TO, HONEYPOT = "_next", "_subject", "_replyto", "_gotcha"
CONTRACT_FIELDS = (NEXT, SUBJECT, REPLY_TO, HONEYPOT)
SUBJECT_MAX = 200
DEFAULT_MAX_LENGTH = 1000

SLUG = re.compile(SLUG_PATTERN)
TEL = re.compile(r"^[0-9 +.()\-]+$")
INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")
EMAIL_SHAPE = re.compile(EMAIL_PATTERN)
# An RFC 2047 encoded word starts so; Python's email package decodes one even
# inside a word, and some 3.11 releases then write what it hides (new lines,
# new headers) as it is.
ENCODED_WORD = "=?"

EMAIL_INVALID = "Saisissez une adresse électronique valide, par exemple prenom.nom@mairie-exemple.fr"
EMAIL_NOT_ASCII = (
    "Saisissez une adresse électronique sans accent ni lettre d'un autre alphabet : "
    "nos courriels ne peuvent pas être envoyés à une telle adresse (par exemple prenom.nom@mairie-exemple.fr)"
)
TEL_INVALID = "Saisissez un numéro de téléphone valide, par exemple 02 40 20 77 50"
RELOAD = "rechargez la page du formulaire et envoyez-le de nouveau"

# Phrasing of "fill in this field" by the kind of data the field holds.
_REQUIRED_BY_AUTOCOMPLETE = {
    "given-name": "Indiquez votre prénom",
    "family-name": "Indiquez votre nom",
    "name": "Indiquez vos prénom et nom",
    "email": "Indiquez votre adresse électronique",
    "tel": "Indiquez votre numéro de téléphone",
    "organization": "Indiquez votre collectivité ou votre établissement",
    "organization-title": "Indiquez votre fonction",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class Result:
    data: dict[str, str | int] = field(default_factory=dict)
    contract: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def label(spec: FormField) -> str:
    """The field's label; a hidden field's name made readable ("liste_attente" -> "Liste attente")."""
    return spec.libelle or spec.nom.replace("_", " ").capitalize()


def _bad_character(char: str) -> bool:
    if char == "\ufffd":  # a byte that was not UTF-8
        return True
    return unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


def clean_text(value: str, multiline: bool = False) -> tuple[str, bool]:
    """(normalised text, True if it holds a forbidden character)."""
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    checked = value.replace("\n", "").replace("\t", "") if multiline else value
    # Every forbidden character but U+FFFD is one str.isprintable() refuses (as are no-break
    # spaces and a few others): only a text it refuses is looked at character by character.
    bad = "\ufffd" in checked or (not checked.isprintable() and any(_bad_character(char) for char in checked))
    return value.strip(), bad


def email_problem(address: str) -> tuple[str, str] | None:
    """(code, French message) when the address is not one we can write to, else None.

    The site's rule first (``offer.forms.EMAIL_PATTERN``, which forms.js checks
    too), then email-validator's, offline: no DNS lookup while a visitor waits.
    """
    if not address.isascii():
        return "not_ascii", EMAIL_NOT_ASCII
    if not EMAIL_SHAPE.fullmatch(address):
        return "invalid", EMAIL_INVALID
    try:
        validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError:
        return "invalid", EMAIL_INVALID
    return None


def valid_email(address: str) -> bool:
    return email_problem(address) is None


def email_key(address: str) -> str:
    """The form of an address used to find a person's submissions."""
    return unicodedata.normalize("NFC", address).strip().casefold()


def _required_message(spec: FormField) -> str:
    if spec.type is FieldKind.EMAIL:
        return _REQUIRED_BY_AUTOCOMPLETE["email"]
    if spec.type is FieldKind.CHOICE:
        return f"Choisissez une réponse pour « {label(spec)} »"
    if spec.type is FieldKind.HIDDEN:
        if spec.nom == "session":
            return "La session choisie n'a pas été transmise : revenez à la page de la session et envoyez de nouveau le formulaire"
        return f"Le formulaire est incomplet (« {spec.nom} » manque) : {RELOAD}"
    if spec.autocomplete in _REQUIRED_BY_AUTOCOMPLETE:
        return _REQUIRED_BY_AUTOCOMPLETE[spec.autocomplete]
    return f"Renseignez le champ « {label(spec)} »"


def _check_value(spec: FormField, value: str) -> tuple[str | int | None, FieldError | None]:
    """Type rules for a non-empty, already cleaned value."""
    name = spec.nom
    kind = spec.type
    if kind is FieldKind.EMAIL:
        problem = email_problem(value)
        if problem:
            return None, FieldError(name, *problem)
    elif kind is FieldKind.TEL:
        digits = sum(char.isdigit() for char in value)
        if not TEL.match(value) or not 4 <= digits <= 20:
            return None, FieldError(name, "invalid", TEL_INVALID)
    elif kind is FieldKind.NUMBER:
        if not INTEGER.match(value):
            return None, FieldError(name, "invalid", f"Indiquez « {label(spec)} » en chiffres, par exemple 3")
        number = int(value)
        low, high = spec.min, spec.max
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                text = f"« {label(spec)} » doit être compris entre {low} et {high}"
            elif low is not None:
                text = f"« {label(spec)} » doit être égal ou supérieur à {low}"
            else:
                text = f"« {label(spec)} » doit être égal ou inférieur à {high}"
            return None, FieldError(name, "out_of_range", text)
        return number, None
    elif kind is FieldKind.CHOICE:
        if value not in spec.choices:
            return None, FieldError(name, "invalid", f"Choisissez l'une des réponses proposées pour « {label(spec)} »")
    elif kind is FieldKind.HIDDEN:
        if spec.choices:
            allowed = value in spec.choices
        elif name == "session":
            allowed = bool(SLUG.match(value))
        else:
            allowed = True
        if not allowed:
            if name == "session":
                return None, FieldError(
                    name,
                    "invalid",
                    "La session transmise n'est pas valide : revenez à la page de la session et envoyez de nouveau le formulaire",
                )
            return None, FieldError(name, "invalid", f"La valeur transmise pour « {name} » n'est pas valide : {RELOAD}")
    return value, None


def _check_field(spec: FormField, raw: str | None) -> tuple[str | int | None, FieldError | None]:
    multiline = spec.type is FieldKind.TEXTAREA
    value, bad = clean_text(raw or "", multiline)
    if bad:
        return None, FieldError(
            spec.nom,
            "invalid_characters",
            f"Le champ « {label(spec)} » contient un caractère invisible ou de contrôle : "
            "retirez-le, ou effacez le champ et saisissez le texte de nouveau",
        )
    if not value:
        return None, FieldError(spec.nom, "required", _required_message(spec)) if spec.requis else None
    limit = spec.longueur_max or DEFAULT_MAX_LENGTH
    if len(value) > limit:
        return None, FieldError(
            spec.nom,
            "too_long",
            f"Le champ « {label(spec)} » doit compter {limit} caractères au plus (vous en avez saisi {len(value)}) : raccourcissez-le",
        )
    return _check_value(spec, value)


def _check_contract(name: str, raw: str) -> tuple[str, FieldError | None]:
    value, bad = clean_text(raw)
    if name == HONEYPOT:
        return value, None
    if bad or (name == SUBJECT and (len(value) > SUBJECT_MAX or ENCODED_WORD in value)):
        return "", FieldError(name, "invalid", f"La valeur transmise pour « {name} » n'est pas valide : {RELOAD}")
    problem = email_problem(value) if name == REPLY_TO and value else None
    if problem:
        return "", FieldError(name, *problem)
    return value, None


def validate(definition: FormDefinition, items: list[tuple[str, str]]) -> Result:
    """Cleaned data and errors for the posted (name, value) pairs."""
    result = Result()
    posted: dict[str, list[str]] = {}
    for name, value in items:
        posted.setdefault(name, []).append(value)

    known = {spec.nom for spec in definition.champs}
    for spec in definition.champs:
        values = posted.get(spec.nom, [])
        if len(values) > 1:
            result.errors.append(
                FieldError(spec.nom, "duplicate", f"Le champ « {label(spec)} » a été envoyé plusieurs fois : {RELOAD}")
            )
            continue
        value, error = _check_field(spec, values[0] if values else None)
        if error:
            result.errors.append(error)
        elif value is not None:
            result.data[spec.nom] = value

    for name, values in posted.items():
        if name in known:
            continue
        shown = name if len(name) <= 60 else name[:60] + "…"
        if name not in CONTRACT_FIELDS:
            result.errors.append(
                FieldError(shown, "unknown_field", f"Le champ « {shown} » n'existe pas dans ce formulaire : {RELOAD}")
            )
        elif len(values) > 1:
            result.errors.append(
                FieldError(name, "duplicate", f"Le champ « {name} » a été envoyé plusieurs fois : {RELOAD}")
            )
        else:
            value, error = _check_contract(name, values[0])
            if error:
                result.errors.append(error)
            else:
                result.contract[name] = value
    return result
