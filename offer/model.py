"""The typed model of the content files (workshops and rates).

Field descriptions are in French: they are exported to the JSON Schema that
editors' editors use for completion (``schemas/atelier.schema.json``).
Keys are French because editors write them.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic import Strict as StrictMode
from pydantic_core import PydanticCustomError

MAX_GROUP_SIZE = {"atelier": 15, "codev": 8}

AUDIENCES = (
    "Responsables RH",
    "Responsables des services techniques",
    "DGS",
    "Élus",
    "Managers",
    "Agents",
    "Citoyens",
)

# Every text has a length limit: what a page, a calendar or a feed can show, with
# room to spare. A careless paste (a whole document in a title) is refused with
# the limit and the length found, instead of being published.
TEXT_LIMITS = {
    "titre": 120,  # a card's heading and the browser tab's title
    "question": 300,  # one question, one sentence
    "objet": 200,  # what the group produces, a noun phrase
    "nom": 120,  # a venue's or a contact's name
    "adresse": 200,  # one postal address
    "accessibilite": 500,  # a few sentences on access
    "email": 254,  # the longest address SMTP carries (RFC 5321)
    "description": 20_000,  # about 3 000 words: a long brochure page
    "deliberation": 200,  # a reference to a board decision
}
MAX_SESSIONS = 20  # a co-development group meets 5 times; workshops 1 to 3 times
MAX_RATE = 10_000  # euros per participant and day (280 today)

# Line breaks (those of str.splitlines) are refused in single-line texts: a title
# with a newline breaks a calendar line, a page title and a CSV row.
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Control characters and lone surrogates: invisible, refused by HTML and XML,
# and unwritable in UTF-8. Newline and tab stay allowed in Markdown text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_OR_TAB = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse_control_characters(value: str, pattern: re.Pattern) -> str:
    found = pattern.search(value)
    if found:
        raise PydanticCustomError(
            "text_control_character",
            "control character",
            {"character": f"U+{ord(found.group()):04X}", "position": found.start()},
        )
    return value


def _single_line(value: str) -> str:
    found = _LINE_BREAK.search(value)
    if found:
        raise PydanticCustomError("text_line_break", "line break", {"position": found.start()})
    return _refuse_control_characters(value, _CONTROL_OR_TAB)


def _multi_line(value: str) -> str:
    return _refuse_control_characters(value, _CONTROL)


def line_of_text(max_length: int):
    """A one-line text of at most max_length characters (titles, names, addresses)."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_single_line),
    ]


def block_of_text(max_length: int):
    """A text that may span lines (Markdown), at most max_length characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_multi_line),
    ]


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
# A page address: also checked on file names and by the form receiver.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=TEXT_LIMITS["email"]),
    AfterValidator(_single_line),
]


def _parse_iso_date(value):
    # Editors sometimes quote dates ("2027-03-11"); accept the ISO text form too.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_parse_iso_date)]


def _strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Strict(BaseModel):
    # extra="forbid" turns a typo ("capactie") into an error instead of a silent default.
    # strict=True refuses YAML 1.1's surprises (870 for "14:30", False for "no").
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Duration(str, enum.Enum):
    JOURNEE = "journee"
    DEMI_JOURNEE = "demi-journee"


class Status(str, enum.Enum):
    PROGRAMME = "programme"
    REPORTE = "reporte"
    ANNULE = "annule"


class OfferType(str, enum.Enum):
    ATELIER = "atelier"
    CODEV = "codev"


class Venue(Strict):
    nom: line_of_text(TEXT_LIMITS["nom"]) = Field(
        description="Nom du lieu, par exemple « CDG 44 » ou « Mairie de Savenay »."
    )
    adresse: line_of_text(TEXT_LIMITS["adresse"]) = Field(
        description="Adresse postale complète, code postal et ville compris : « 6 rue du Pen Duick II, 44300 Nantes »."
    )
    accessibilite: line_of_text(TEXT_LIMITS["accessibilite"]) | None = Field(
        default=None,
        description="Accessibilité du lieu aux personnes handicapées (plain-pied, ascenseur, places de stationnement…).",
    )


class Contact(Strict):
    nom: line_of_text(TEXT_LIMITS["nom"]) | None = Field(default=None, description="Personne ou service à contacter.")
    email: Email | None = Field(default=None, description="Adresse électronique de contact.")
    telephone: Annotated[str, StringConstraints(pattern=r"^[0-9 +().]{6,20}$")] | None = Field(
        default=None, description='Numéro de téléphone, entre guillemets : "02 40 20 77 50".'
    )


class Session(Strict):
    date: IsoDate = Field(description="Date de la séance, au format AAAA-MM-JJ : 2027-03-11.")
    duree: Annotated[Duration, StrictMode(False)] = Field(
        description="« journee » (une journée) ou « demi-journee » (une demi-journée)."
    )
    debut: ClockTime | None = Field(
        default=None,
        description='Heure de début entre guillemets, au format HH:MM : "09:00". Par défaut 09:00.',
    )
    fin: ClockTime | None = Field(
        default=None,
        description=(
            'Heure de fin entre guillemets, au format HH:MM : "12:30". Par défaut : début + 8 h'
            " pour une journée, début + 3 h 30 pour une demi-journée."
        ),
    )

    @field_validator("duree", mode="before")
    @classmethod
    def _accept_accented_duration(cls, value):
        if isinstance(value, str):
            return Duration(_strip_accents(value).strip().lower().replace(" ", "-"))
        return value

    @property
    def start_time(self) -> dt.time:
        return dt.time.fromisoformat(self.debut or "09:00")

    @property
    def end_time(self) -> dt.time:
        if self.fin:
            return dt.time.fromisoformat(self.fin)
        hours = 8 if self.duree is Duration.JOURNEE else 3.5
        start = dt.datetime.combine(self.date, self.start_time)
        end = start + dt.timedelta(hours=hours)
        return end.time() if end.date() == self.date else dt.time(23, 59)

    @property
    def is_full_day(self) -> bool:
        return self.duree is Duration.JOURNEE


class Workshop(Strict):
    """One workshop ("atelier") or co-development group ("codev"), one YAML file."""

    type: Annotated[OfferType, StrictMode(False)] = Field(
        description="« atelier » (atelier inter-collectivités) ou « codev » (groupe de co-développement)."
    )
    titre: line_of_text(TEXT_LIMITS["titre"]) = Field(description="Titre court affiché dans le catalogue.")
    question: line_of_text(TEXT_LIMITS["question"]) | None = Field(
        default=None,
        description="La question de l'atelier, qui commence par « Comment faire pour… ». Obligatoire pour un atelier.",
    )
    objet: line_of_text(TEXT_LIMITS["objet"]) | None = Field(
        default=None,
        description="L'« objet » que le groupe va produire (outil, support, processus, plan d'actions…). Obligatoire pour un atelier.",
    )
    public: list[Literal[AUDIENCES]] = Field(  # type: ignore[valid-type]
        min_length=1,
        max_length=len(AUDIENCES),
        description="Publics visés, dans la liste : " + ", ".join(AUDIENCES) + ".",
    )
    lieu: Venue = Field(description="Lieu des séances.")
    seances: list[Session] = Field(
        min_length=1, max_length=MAX_SESSIONS, description="Les séances, dans l'ordre chronologique."
    )
    capacite: int = Field(
        ge=1, description="Nombre de places : 15 au plus pour un atelier, 8 au plus pour un groupe de co-développement."
    )
    inscrits: int = Field(default=0, ge=0, description="Nombre de personnes déjà inscrites (0 par défaut).")
    ouverture_inscriptions: IsoDate | None = Field(
        default=None, description="Date d'ouverture des inscriptions (AAAA-MM-JJ). Par défaut : dès la mise en ligne."
    )
    cloture_inscriptions: IsoDate | None = Field(
        default=None,
        description="Dernier jour pour s'inscrire (AAAA-MM-JJ), au plus tard la veille de la première séance. Par défaut : la veille de la première séance.",
    )
    statut: Annotated[Status, StrictMode(False)] = Field(
        default=Status.PROGRAMME,
        description="« programme » (par défaut), « reporte » (reporté, nouvelles dates à venir) ou « annule » (annulé).",
    )
    contact: Contact | None = Field(
        default=None,
        description="Contact pour cette session ; par défaut, le service Conseil & accompagnement en organisation et ressources humaines (CAORH) du CDG 44.",
    )
    description: block_of_text(TEXT_LIMITS["description"]) | None = Field(
        default=None, description="Présentation détaillée, en Markdown."
    )
    slug: Slug | None = Field(
        default=None,
        description="Adresse de la page (minuscules, chiffres et tirets). Par défaut : le nom du fichier sans « .yaml ».",
    )
    publie_le: IsoDate | None = Field(
        default=None,
        description="Date de mise en ligne, pour le flux Atom. Par défaut : l'ouverture des inscriptions, sinon deux mois avant leur clôture.",
    )

    @field_validator("statut", mode="before")
    @classmethod
    def _accept_accented_status(cls, value):
        if isinstance(value, str):
            return Status(_strip_accents(value).strip().lower())
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _accept_codev_spellings(cls, value):
        if isinstance(value, str):
            return OfferType(_strip_accents(value).strip().lower().replace("-", ""))
        return value

    # Derived values used by pages, calendars and exports.
    @property
    def first_date(self) -> dt.date:
        return min(s.date for s in self.seances)

    @property
    def last_date(self) -> dt.date:
        return max(s.date for s in self.seances)

    @property
    def registration_deadline(self) -> dt.date:
        return self.cloture_inscriptions or (self.first_date - dt.timedelta(days=1))

    @property
    def places_left(self) -> int:
        return max(self.capacite - self.inscrits, 0)

    @property
    def published_on(self) -> dt.date:
        # Without a date, two months before registration closes: a plausible past
        # date for feeds (the first session would put the entry in the future).
        fallback = self.registration_deadline - dt.timedelta(days=60)
        return self.publie_le or self.ouverture_inscriptions or fallback


class Rate(Strict):
    annee: int = Field(
        ge=2000, le=2100, description="Année d'application du tarif, voté par le conseil d'administration."
    )
    journee: Decimal = Field(gt=0, le=MAX_RATE, description="Tarif d'une journée, par participant, en euros.")
    demi_journee: Decimal = Field(gt=0, le=MAX_RATE, description="Tarif d'une demi-journée, par participant, en euros.")
    deliberation: line_of_text(TEXT_LIMITS["deliberation"]) | None = Field(
        default=None, description="Référence de la délibération qui fixe le tarif."
    )

    @field_validator("journee", "demi_journee", mode="before")
    @classmethod
    def _numbers_are_money(cls, value):
        # strict mode refuses int -> Decimal; amounts are written as plain numbers.
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return Decimal(str(value))
        return value


class RateTable(Strict):
    tarifs: list[Rate] = Field(min_length=1, description="Un tarif par année.")


def slugify(text: str) -> str:
    text = _strip_accents(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
