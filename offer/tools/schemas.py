"""Write the JSON Schemas of the content files, generated from the pydantic models.

    python -m offer.tools.schemas              (re)write schemas/*.json
    python -m offer.tools.schemas --verifier   exit 1 if a committed schema is out of date

Editors' editors (VS Code with the YAML extension, a Git forge's web editor with
yaml-language-server) read these schemas through the first line of each file,
``# yaml-language-server: $schema=../../schemas/atelier.schema.json``, to
complete field names and explain them in French as one types. The output is
deterministic (sorted keys, indent 2, trailing newline) so that a test can
compare the committed files with freshly generated ones.

The model's field descriptions are the source of truth; this module only adds
what pydantic cannot know: French titles (with accents), French texts for the
enumerations and the models without descriptions, and the rules that depend
on the type (question and objet required for a workshop; 15 or 8 places).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from pydantic import BaseModel

from offer.model import MAX_GROUP_SIZE, MAX_RATE, RateTable, Workshop

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "schemas"

# Property titles, by property name, then by (model, property) where the same
# name means something else.
TITLES = {
    "type": "Type",
    "titre": "Titre",
    "question": "Question",
    "objet": "Objet",
    "public": "Publics visés",
    "lieu": "Lieu",
    "seances": "Séances",
    "capacite": "Capacité",
    "inscrits": "Inscrits",
    "ouverture_inscriptions": "Ouverture des inscriptions",
    "cloture_inscriptions": "Clôture des inscriptions",
    "statut": "Statut",
    "contact": "Contact",
    "description": "Description",
    "slug": "Adresse de la page",
    "publie_le": "Date de mise en ligne",
    "nom": "Nom",
    "adresse": "Adresse",
    "accessibilite": "Accessibilité",
    "email": "Adresse électronique",
    "telephone": "Téléphone",
    "date": "Date",
    "duree": "Durée",
    "debut": "Heure de début",
    "fin": "Heure de fin",
    "tarifs": "Tarifs",
    "annee": "Année",
    "journee": "Tarif d'une journée",
    "demi_journee": "Tarif d'une demi-journée",
    "deliberation": "Délibération",
    "donnees_personnelles": "Données personnelles",
    "formulaires": "Formulaires",
    "responsable": "Responsable du traitement",
    "destinataires": "Destinataires",
    "droits": "Droits des personnes",
    "dpo": "Délégué à la protection des données",
    "cnil": "Réclamation auprès de la CNIL",
    "titre_liste_attente": "Titre en liste d'attente",
    "bouton": "Texte du bouton d'envoi",
    "bouton_liste_attente": "Texte du bouton en liste d'attente",
    "sujet": "Objet du courriel",
    "finalite": "Finalité",
    "base_legale": "Base légale",
    "conservation_jours": "Durée de conservation en jours",
    "conservation": "Durée de conservation",
    "champs": "Champs",
    "libelle": "Libellé",
    "requis": "Obligatoire",
    "aide": "Aide",
    "autocomplete": "Saisie automatique",
    "longueur_max": "Longueur maximale",
    "min": "Minimum",
    "max": "Maximum",
    "choix": "Choix",
}
MODEL_TITLES = {
    ("FormField", "nom"): "Nom technique",
    ("FormField", "type"): "Type de champ",
    ("FormDefinition", "titre"): "Titre du formulaire",
    ("Contact", "nom"): "Personne ou service",
    ("Venue", "nom"): "Nom du lieu",
}

# Descriptions for the properties whose model has none (forms.py).
DESCRIPTIONS = {
    ("FormDefinition", "titre"): "Titre affiché au-dessus du formulaire.",
    (
        "FormDefinition",
        "titre_liste_attente",
    ): "Titre affiché quand la session est complète et que le formulaire sert de demande de liste d'attente.",
    ("FormDefinition", "bouton"): "Texte du bouton d'envoi.",
    (
        "FormDefinition",
        "bouton_liste_attente",
    ): "Texte du bouton d'envoi quand le formulaire sert de demande de liste d'attente.",
    (
        "FormDefinition",
        "base_legale",
    ): "Base légale du traitement (notice RGPD), par exemple la mission d'intérêt public.",
    ("FormDefinition", "champs"): "Les champs du formulaire, dans l'ordre d'affichage.",
    ("PrivacyBasics", "responsable"): "Responsable du traitement : nom et adresse de l'organisme.",
    ("PrivacyBasics", "destinataires"): "Qui reçoit les données envoyées.",
    ("PrivacyBasics", "droits"): "Les droits des personnes et comment les exercer.",
    ("PrivacyBasics", "dpo"): "Comment joindre le délégué à la protection des données.",
    ("PrivacyBasics", "cnil"): "Le droit d'adresser une réclamation à la CNIL.",
    ("FormsFile", "donnees_personnelles"): "Informations communes à toutes les notices sur les données personnelles.",
    ("FormsFile", "formulaires"): "Les formulaires du site, par nom technique : inscription, devis, contact.",
}

# Titles and descriptions of the models and enumerations ($defs and root).
DEFINITIONS = {
    "Workshop": ("Atelier ou groupe de co-développement", None),
    "Venue": ("Lieu", "Le lieu des séances : nom, adresse et accessibilité."),
    "Session": ("Séance", "Une séance : sa date, sa durée et, si besoin, ses heures."),
    "Contact": ("Contact", "La personne ou le service à contacter pour cette session."),
    "Duration": ("Durée", "« journee » (une journée) ou « demi-journee » (une demi-journée)."),
    "Status": ("Statut", "« programme », « reporte » (reporté) ou « annule » (annulé)."),
    "OfferType": ("Type", "« atelier » (atelier inter-collectivités) ou « codev » (groupe de co-développement)."),
    "RateTable": ("Tarifs", None),
    "Rate": ("Tarif d'une année", "Les tarifs par participant d'une année, votés par le conseil d'administration."),
    "FormsFile": ("Formulaires", None),
    "PrivacyBasics": ("Données personnelles", "Informations communes aux notices sur les données personnelles (RGPD)."),
    "FormDefinition": ("Formulaire", "Un formulaire : titres, bouton, notice sur les données personnelles et champs."),
    "FormField": ("Champ", "Un champ du formulaire."),
    "FieldKind": ("Type de champ", "texte, email, tel, nombre, zone_texte, choix ou cache."),
}

ROOT_DESCRIPTIONS = {
    "atelier.schema.json": (
        "Un atelier inter-collectivités ou un groupe de co-développement du CDG 44 : un fichier YAML"
        " par session dans content/ateliers/, nommé AAAA-MM-sujet.yaml. Aucun prix n'y figure :"
        " il est calculé à partir de content/tarifs.yaml."
    ),
    "tarifs.schema.json": (
        "Les tarifs des ateliers et des groupes de co-développement, un par année, fixés par le conseil"
        " d'administration du CDG 44 (content/tarifs.yaml). Une session prend le tarif de l'année de sa"
        " première séance, ou à défaut celui de la dernière année antérieure."
    ),
    "forms.schema.json": (
        "Les formulaires du site (inscription, devis, contact) et les informations sur les données"
        " personnelles (content/forms.yaml). Le site et le récepteur de formulaires lisent ce même fichier."
    ),
}


def _forms_model() -> type[BaseModel]:
    from offer.forms import FormsFile

    return FormsFile


def _models() -> dict[str, type[BaseModel]]:
    return {
        "atelier.schema.json": Workshop,
        "tarifs.schema.json": RateTable,
        "forms.schema.json": _forms_model(),
    }


def _frenchify_object(name: str, schema: dict) -> None:
    title, description = DEFINITIONS.get(name, (None, None))
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    for prop, sub in schema.get("properties", {}).items():
        sub["title"] = MODEL_TITLES.get((name, prop)) or TITLES.get(prop) or prop.replace("_", " ").capitalize()
        if not sub.get("description") and (name, prop) in DESCRIPTIONS:
            sub["description"] = DESCRIPTIONS[(name, prop)]


def _money(schema: dict) -> None:
    # Amounts are written as plain numbers (280); pydantic also allows a string for Decimal.
    for prop in ("journee", "demi_journee"):
        sub = schema["$defs"]["Rate"]["properties"][prop]
        sub.pop("anyOf", None)
        sub.update({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RATE})


def _type_rules(schema: dict) -> None:
    """What depends on the type: question and objet for a workshop, group sizes."""
    rules = []
    for kind, maximum in sorted(MAX_GROUP_SIZE.items()):
        then: dict = {"properties": {"capacite": {"maximum": maximum}}}
        if kind == "atelier":
            then["required"] = ["question", "objet"]
        rules.append({"if": {"properties": {"type": {"const": kind}}, "required": ["type"]}, "then": then})
    schema["allOf"] = rules


def build_schema(filename: str, model: type[BaseModel]) -> dict:
    schema = copy.deepcopy(model.model_json_schema(mode="validation"))
    for name, definition in schema.get("$defs", {}).items():
        if definition.get("type") == "object" or "properties" in definition:
            _frenchify_object(name, definition)
        else:
            title, description = DEFINITIONS.get(name, (None, None))
            definition["title"] = title or definition.get("title", name)
            if description:
                definition["description"] = description
    _frenchify_object(model.__name__, schema)
    schema["$schema"] = DRAFT
    schema["description"] = ROOT_DESCRIPTIONS[filename]
    schema["additionalProperties"] = False
    if model is Workshop:
        _type_rules(schema)
    if model is RateTable:
        _money(schema)
    return schema


def build_schemas() -> dict[str, dict]:
    """File name -> schema, for the three content files."""
    return {filename: build_schema(filename, model) for filename, model in _models().items()}


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path = DEFAULT_FOLDER) -> list[Path]:
    """Write every schema; return the files whose content changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for filename, schema in build_schemas().items():
        path = folder / filename
        text = render(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def outdated(folder: Path = DEFAULT_FOLDER) -> list[str]:
    """Names of the committed schemas that differ from the generated ones."""
    names = []
    for filename, schema in build_schemas().items():
        path = folder / filename
        if not path.exists() or path.read_text(encoding="utf-8") != render(schema):
            names.append(filename)
    return names


def main(argv: list[str] | None = None) -> int:
    from offer.tools.check import FrenchArgumentParser

    parser = FrenchArgumentParser(
        prog="python -m offer.tools.schemas",
        description="Écrit les schémas JSON des fichiers de contenu (schemas/*.json) à partir du modèle.",
    )
    parser.add_argument(
        "--dossier", type=Path, default=DEFAULT_FOLDER, help="dossier des schémas (par défaut : schemas/)"
    )
    parser.add_argument(
        "--verifier", action="store_true", help="ne rien écrire ; échouer si un schéma n'est pas à jour"
    )
    args = parser.parse_args(argv)
    if args.verifier:
        stale = outdated(args.dossier)
        for name in stale:
            print(f"{name} n'est pas à jour — lancez python -m offer.tools.schemas")
        return 1 if stale else 0
    for path in write_schemas(args.dossier):
        print(f"écrit : {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
