"""``make nouvel-atelier``: create a workshop file that already passes ``make check``.

    python -m offer.tools.scaffold --type atelier --titre "…" --question "Comment faire pour… ?" \\
        --objet "…" --date 2027-05-12 [--duree journee|demi-journee] [--debut 09:00] \\
        [--lieu-nom … --lieu-adresse …] [--capacite N] [--public DGS --public Élus] \\
        [--slug …] [--dossier content/ateliers]

Missing arguments are asked for in French when stdin is a terminal; otherwise a
missing required argument is a French error (exit status 2). A co-development
group gets 5 half-days about every 6 weeks from the date. The file is written
from a commented template as ``<dossier>/AAAA-MM-<slug>.yaml``, never over an
existing file, and only after the core has validated it. The path is printed
on stdout, the advice on stderr.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from offer.model import AUDIENCES, MAX_GROUP_SIZE, TEXT_LIMITS, Duration, Session, _strip_accents, slugify
from offer.tools.check import FrenchArgumentParser
from offer.validation import load_rates, load_workshop

DEFAULT_FOLDER = "content/ateliers"
DEFAULT_VENUE = ("CDG 44", "6 rue du Pen Duick II, 44300 Nantes")
DEFAULT_PUBLIC = {
    "atelier": ["Responsables RH", "Responsables des services techniques", "DGS", "Élus"],
    "codev": ["Responsables RH", "Managers"],
}
CODEV_SESSIONS = 5
CODEV_INTERVAL = dt.timedelta(weeks=6)
SLUG_MAX = 60
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/atelier.schema.json"


class ScaffoldError(Exception):
    """A French message for the editor; exit status 2."""


@dataclass
class Request:
    type: str
    titre: str
    date: dt.date
    question: str | None = None
    objet: str | None = None
    duree: str | None = None
    debut: str | None = None
    lieu_nom: str = DEFAULT_VENUE[0]
    lieu_adresse: str = DEFAULT_VENUE[1]
    capacite: int | None = None
    public: list[str] = field(default_factory=list)
    slug: str | None = None


# -- checking the answers ------------------------------------------------------


def parse_type(text: str) -> str:
    value = _strip_accents(text).strip().lower().replace("-", "")
    if value not in MAX_GROUP_SIZE:
        raise ScaffoldError(f"type « {text} » inconnu — écrivez atelier ou codev")
    return value


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ScaffoldError(
            f"date « {text} » invalide — écrivez une date réelle au format AAAA-MM-JJ, par exemple 2027-05-12"
        ) from None


def parse_duree(text: str) -> str:
    value = _strip_accents(text).strip().lower().replace(" ", "-")
    if value not in {d.value for d in Duration}:
        raise ScaffoldError(f"durée « {text} » inconnue — écrivez journee ou demi-journee")
    return value


def parse_time(text: str) -> str:
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:[:h])\s*(\d{2})?\s*", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
        raise ScaffoldError(f"heure « {text} » invalide — écrivez-la au format HH:MM, par exemple 09:00")
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def parse_capacite(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ScaffoldError(f"capacité « {text} » invalide — écrivez un nombre entier, par exemple 15") from None
    if value < 1:
        raise ScaffoldError("la capacité doit être d'au moins une place")
    return value


def parse_public(text: str) -> str:
    wanted = _strip_accents(text).strip().lower()
    for audience in AUDIENCES:
        if _strip_accents(audience).lower() == wanted:
            return audience
    guess = difflib.get_close_matches(text.strip(), AUDIENCES, n=1, cutoff=0.5)
    hint = f" — vouliez-vous écrire « {guess[0]} » ?" if guess else ""
    raise ScaffoldError(f"public « {text} » inconnu : choisissez parmi {', '.join(AUDIENCES)}{hint}")


def parse_slug(text: str) -> str:
    slug = slugify(text)
    if not slug:
        raise ScaffoldError(
            f"« {text} » ne peut pas servir d'adresse — utilisez des lettres, des chiffres et des tirets"
        )
    return slug


def slug_from_title(title: str) -> str:
    slug = slugify(title)
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0]
    return slug


def _text(value: str | None, what: str, maximum: int | None = None) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ScaffoldError(f"{what} est vide")
    if maximum and len(text) > maximum:
        raise ScaffoldError(f"{what} est trop long ({len(text)} caractères) — {maximum} caractères au plus")
    return text


# -- building the file ---------------------------------------------------------


def sessions_for(request: Request) -> list[Session]:
    if request.type == "codev":
        dates = [request.date + i * CODEV_INTERVAL for i in range(CODEV_SESSIONS)]
        duree = Duration.DEMI_JOURNEE
    else:
        dates = [request.date]
        duree = Duration(request.duree or Duration.JOURNEE.value)
    sessions = []
    for day in dates:
        start = Session(date=day, duree=duree, debut=request.debut)
        sessions.append(
            Session(date=day, duree=duree, debut=f"{start.start_time:%H:%M}", fin=f"{start.end_time:%H:%M}")
        )
    return sessions


def yaml_scalar(text: str) -> str:
    """The text as a YAML value: plain when YAML reads it back unchanged, else quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text and not text.startswith(("'", '"'))
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def render(request: Request) -> str:
    kind = request.type
    maximum = MAX_GROUP_SIZE[kind]
    lines = [
        SCHEMA_LINE,
        "# Fichier créé par « make nouvel-atelier ». Complétez-le, puis vérifiez-le avec « make check ».",
        "# Une ligne « champ: valeur » par champ ; les lignes qui commencent par # sont des commentaires.",
        "# Le guide des éditeurs (docs/editeurs.md) explique chaque champ.",
        "",
        "# « atelier » (atelier inter-collectivités) ou « codev » (groupe de co-développement).",
        f"type: {kind}",
        "# Titre court affiché dans le catalogue.",
        f"titre: {yaml_scalar(request.titre)}",
    ]
    if request.question:
        lines += [
            "# La question de travail, qui commence par « Comment faire pour… ».",
            f"question: {yaml_scalar(request.question)}",
        ]
    elif kind == "codev":
        lines += [
            "# La question de travail (facultative pour un groupe de co-développement).",
            "# question: Comment faire pour … ?",
        ]
    if request.objet:
        lines += [
            "# L'« objet » que le groupe va produire (outil, support, processus, plan d'actions…).",
            f"objet: {yaml_scalar(request.objet)}",
        ]
    public = ", ".join(yaml_scalar(p) for p in request.public)
    lines += [
        "# Publics visés, dans cette liste : " + ", ".join(AUDIENCES[:2]) + ",",
        "# " + ", ".join(AUDIENCES[2:]) + ".",
        f"public: [{public}]",
        "# Lieu des séances : son nom, son adresse complète avec le code postal et,",
        "# si vous la connaissez, son accessibilité (plain-pied, ascenseur, stationnement…).",
        "lieu:",
        f"  nom: {yaml_scalar(request.lieu_nom)}",
        f"  adresse: {yaml_scalar(request.lieu_adresse)}",
        "  # accessibilite: Salles de plain-pied, accessibles en fauteuil roulant.",
        "# Les séances, de la plus ancienne à la plus récente : date AAAA-MM-JJ, durée",
        '# « journee » ou « demi-journee », heures entre guillemets ("09:00") car sans',
        "# guillemets YAML lit 14:30 comme un nombre.",
    ]
    if kind == "codev":
        lines.append("# Un groupe de co-développement se réunit 5 demi-journées sur environ 6 mois.")
    lines.append("seances:")
    for session in sessions_for(request):
        lines.append(
            f"  - {{date: {session.date.isoformat()}, duree: {session.duree.value},"
            f' debut: "{session.debut}", fin: "{session.fin}"}}'
        )
    if kind == "atelier":
        lines.append('  # - {date: AAAA-MM-JJ, duree: demi-journee, debut: "09:00", fin: "12:30"}')
    lines += [
        f"# Nombre de places : {maximum} au plus pour "
        + ("un atelier." if kind == "atelier" else "un groupe de co-développement."),
        f"capacite: {request.capacite}",
        "# Nombre de personnes déjà inscrites ; les inscriptions reçues par le site s'y ajoutent.",
        "inscrits: 0",
        "# Dernier jour pour s'inscrire (facultatif ; par défaut, la veille de la première séance).",
        f"# cloture_inscriptions: {(request.date - dt.timedelta(days=14)).isoformat()}",
        "# « programme », « reporte » (reporté, nouvelles dates à venir) ou « annule » (annulé).",
        "statut: programme",
        "# Présentation en Markdown, en 2 à 5 phrases. N'écrivez aucun prix : le site le calcule",
        "# à partir de content/tarifs.yaml. Enlevez les # des trois lignes suivantes pour l'activer.",
        "# description: |",
        "#   Première phrase de présentation.",
        "#   Deuxième phrase.",
    ]
    return "\n".join(lines) + "\n"


# -- checking the file with the core ---------------------------------------------


def _rate_years(folder: Path) -> set[int] | None:
    rates_path = folder.parent / "tarifs.yaml"
    if not rates_path.is_file():
        return None
    result = load_rates(rates_path, folder.parent)
    return {rate.annee for rate in result.value.tarifs} if result.value else None


def _slugs_in(folder: Path) -> set[str]:
    slugs = set()
    for path in folder.glob("*.y*ml"):
        slugs.add(path.stem)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        slugs.update(re.findall(r"^slug:\s*['\"]?([a-z0-9-]+)", text, flags=re.MULTILINE))
    return slugs


def validate(text: str, filename: str, folder: Path) -> list:
    """The core's problems for this text, as if it were already in the folder."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_text(text, encoding="utf-8")
        result = load_workshop(path, Path(tmp), _rate_years(folder))
    return result.problems


def create(request: Request, folder: Path) -> Path:
    slug = request.slug or slug_from_title(request.titre)
    filename = f"{request.date:%Y-%m}-{slug}.yaml"
    path = folder / filename
    if path.exists():
        raise ScaffoldError(f"le fichier {path} existe déjà — choisissez un autre titre ou indiquez --slug")
    if path.stem in _slugs_in(folder):
        raise ScaffoldError(f"l'adresse « {path.stem} » est déjà utilisée dans {folder} — indiquez un autre --slug")
    text = render(request)
    problems = validate(text, filename, folder)
    errors = [p for p in problems if p.is_error]
    if errors:
        details = "\n".join(f"  {p.label}: {p.message}" if p.field else f"  {p.message}" for p in errors)
        raise ScaffoldError(f"le fichier ne serait pas valide :\n{details}")
    for warning in problems:
        print(f"avertissement : {warning.label}: {warning.message}", file=sys.stderr)
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return path


# -- asking ------------------------------------------------------------------


def _ask(ask: Callable[[str], str], prompt: str, parse, default=None, optional: bool = False):
    shown = f" [{default}]" if default not in (None, "") else ""
    while True:
        answer = ask(f"{prompt}{shown} : ").strip()
        if not answer:
            if default not in (None, ""):
                return parse(str(default)) if parse else default
            if optional:
                return None
            print("  Cette réponse est obligatoire.", file=sys.stderr)
            continue
        try:
            return parse(answer) if parse else answer
        except ScaffoldError as exc:
            print(f"  {exc}", file=sys.stderr)


def complete(args, interactive: bool, ask: Callable[[str], str] = input) -> Request:
    """A Request from the arguments, asking for what is missing when interactive."""

    def need(value, what: str, option: str, prompt: str, parse=None, default=None, optional=False):
        if value is not None:
            return value
        if interactive:
            return _ask(ask, prompt, parse, default, optional)
        if optional or default is not None:
            return parse(str(default)) if (parse and default is not None) else default
        raise ScaffoldError(
            f"{what} manque — ajoutez {option} (ou lancez la commande dans un terminal pour répondre aux questions)"
        )

    if args.type is None and not interactive:
        raise ScaffoldError(
            "le type manque — ajoutez --type atelier ou --type codev"
            " (ou lancez la commande dans un terminal pour répondre aux questions)"
        )
    kind = need(args.type, "le type", "--type atelier|codev", "Type (atelier ou codev)", parse_type, "atelier")
    titre = _text(need(args.titre, "le titre", '--titre "…"', "Titre court"), "le titre", TEXT_LIMITS["titre"])
    question_needed = kind == "atelier"
    question = need(
        args.question,
        "la question",
        '--question "Comment faire pour… ?"',
        "Question (« Comment faire pour… ? »)" + ("" if question_needed else ", facultative"),
        optional=not question_needed,
    )
    objet = need(
        args.objet,
        "l'objet produit",
        '--objet "Un règlement intérieur"',
        "Objet que le groupe va produire" + ("" if question_needed else ", facultatif"),
        optional=not question_needed,
    )
    date = need(
        args.date,
        "la date de la première séance",
        "--date AAAA-MM-JJ",
        "Date de la première séance (AAAA-MM-JJ)",
        parse_date,
    )
    if kind == "codev":
        if args.duree not in (None, Duration.DEMI_JOURNEE.value):
            raise ScaffoldError("un groupe de co-développement se réunit en demi-journées — enlevez --duree")
        duree = Duration.DEMI_JOURNEE.value
    else:
        duree = need(
            args.duree, "la durée", "--duree journee", "Durée (journee ou demi-journee)", parse_duree, "journee"
        )
    debut = need(args.debut, "l'heure de début", "--debut 09:00", "Heure de début", parse_time, "09:00")
    lieu_nom = need(args.lieu_nom, "le lieu", '--lieu-nom "Mairie de …"', "Nom du lieu", None, DEFAULT_VENUE[0])
    default_address = DEFAULT_VENUE[1] if lieu_nom == DEFAULT_VENUE[0] else None
    lieu_adresse = need(
        args.lieu_adresse,
        "l'adresse du lieu",
        '--lieu-adresse "…, 44000 Ville"',
        "Adresse du lieu (avec le code postal)",
        None,
        default_address,
    )
    maximum = MAX_GROUP_SIZE[kind]
    capacite = need(
        args.capacite, "la capacité", "--capacite 15", f"Nombre de places ({maximum} au plus)", parse_capacite, maximum
    )
    if capacite > maximum:
        what = "un atelier" if kind == "atelier" else "un groupe de co-développement"
        raise ScaffoldError(f"{capacite} places, c'est trop pour {what} — {maximum} au plus")
    if args.public:
        public = [parse_public(p) for p in args.public]
    elif interactive:
        public = _ask(
            ask,
            "Publics visés, séparés par des virgules (" + ", ".join(AUDIENCES) + ")",
            lambda text: [parse_public(p) for p in text.split(",") if p.strip()],
            ", ".join(DEFAULT_PUBLIC[kind]),
        )
    else:
        public = list(DEFAULT_PUBLIC[kind])
    public = list(dict.fromkeys(public))
    return Request(
        type=kind,
        titre=titre,
        date=date,
        question=_text(question, "la question", TEXT_LIMITS["question"]) if question else None,
        objet=_text(objet, "l'objet", TEXT_LIMITS["objet"]) if objet else None,
        duree=duree,
        debut=debut,
        lieu_nom=_text(lieu_nom, "le nom du lieu", TEXT_LIMITS["nom"]),
        lieu_adresse=_text(lieu_adresse, "l'adresse du lieu", TEXT_LIMITS["adresse"]),
        capacite=capacite,
        public=public,
        slug=args.slug,
    )


def parser() -> FrenchArgumentParser:
    p = FrenchArgumentParser(
        prog="python -m offer.tools.scaffold",
        description=(
            "Crée le fichier d'un atelier ou d'un groupe de co-développement dans content/ateliers/,"
            " prêt à compléter. Sans arguments, dans un terminal, la commande pose les questions."
        ),
    )
    p.add_argument("--type", type=parse_type, metavar="atelier|codev", help="atelier ou codev")
    p.add_argument("--titre", metavar="TEXTE", help="titre court affiché dans le catalogue")
    p.add_argument(
        "--question", metavar="TEXTE", help="la question, « Comment faire pour… ? » (obligatoire pour un atelier)"
    )
    p.add_argument("--objet", metavar="TEXTE", help="l'objet que le groupe va produire (obligatoire pour un atelier)")
    p.add_argument("--date", type=parse_date, metavar="AAAA-MM-JJ", help="date de la première séance, AAAA-MM-JJ")
    p.add_argument(
        "--duree",
        type=parse_duree,
        metavar="journee|demi-journee",
        help="journee (par défaut) ou demi-journee ; un codev est en demi-journées",
    )
    p.add_argument("--debut", type=parse_time, metavar="HH:MM", help="heure de début des séances (par défaut 09:00)")
    p.add_argument("--lieu-nom", dest="lieu_nom", metavar="NOM", help="nom du lieu (par défaut CDG 44)")
    p.add_argument("--lieu-adresse", dest="lieu_adresse", metavar="ADRESSE", help="adresse du lieu avec le code postal")
    p.add_argument(
        "--capacite",
        type=parse_capacite,
        metavar="N",
        help="nombre de places (par défaut 15 pour un atelier, 8 pour un codev)",
    )
    p.add_argument(
        "--public",
        action="append",
        type=parse_public,
        metavar="PUBLIC",
        help="un public visé ; répétez l'option pour en indiquer plusieurs",
    )
    p.add_argument(
        "--slug",
        type=parse_slug,
        metavar="SLUG",
        help="fin du nom du fichier et de l'adresse de la page (par défaut : tirée du titre)",
    )
    p.add_argument(
        "--dossier",
        default=DEFAULT_FOLDER,
        metavar="DOSSIER",
        help=f"dossier des ateliers (par défaut : {DEFAULT_FOLDER})",
    )
    return p


def _typed(converter):
    """argparse calls type= functions; turn our French errors into argparse errors."""
    import argparse

    def convert(text):
        try:
            return converter(text)
        except ScaffoldError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = converter.__name__
    return convert


def main(argv: list[str] | None = None, interactive: bool | None = None, ask: Callable[[str], str] = input) -> int:
    p = parser()
    for action in p._actions:
        if action.type is not None and callable(action.type):
            action.type = _typed(action.type)
    args = p.parse_args(argv)
    if interactive is None:
        interactive = sys.stdin.isatty()
    try:
        request = complete(args, interactive, ask)
        path = create(request, Path(args.dossier))
    except ScaffoldError as exc:
        print(f"nouvel atelier : erreur : {exc}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\nnouvel atelier : abandon, aucun fichier créé", file=sys.stderr)
        return 2
    print(path)
    print("Fichier créé. Complétez la description, puis lancez « make check ».", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
