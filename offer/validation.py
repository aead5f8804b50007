"""Load and validate every content file, collecting every problem in one run.

Nothing here raises on bad content: each function returns what it could load
plus the list of problems, so that an editor sees all mistakes at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import typing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import messages, rich_text
from .model import MAX_GROUP_SIZE, SLUG_PATTERN, OfferType, RateTable, Workshop
from .problems import ERROR, WARNING, Problem
from .yaml_source import SourcedDict, YamlSyntaxError, load_yaml_text

CODEV_HALF_DAYS = 5
CODEV_SPAN_DAYS = (120, 240)  # "5 half-days over 6 months", with some slack


@dataclass
class Entry:
    """A valid workshop file: the model plus where it came from."""

    workshop: Workshop
    source: str
    slug: str
    line_of: dict = field(default_factory=dict)


@dataclass
class LoadResult:
    value: object = None
    problems: list[Problem] = field(default_factory=list)
    # The parsed YAML when the file was readable but did not validate.
    data: object = None


def relative(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the model found at loc (for 'did you mean' hints)."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return []
        annotation = info.annotation
        candidates = [annotation, *typing.get_args(annotation)]
        for arg in list(candidates):
            candidates.extend(typing.get_args(arg))
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return []
        current = nested[0]
    return list(current.model_fields)


def parse_model(model: type[BaseModel], path: Path, root: Path | None):
    """Read a YAML file into the model. Returns LoadResult(value=(model, data))."""
    name = relative(path, root)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return LoadResult(
            problems=[
                Problem(
                    name,
                    line,
                    "",
                    "le fichier n'est pas enregistré en UTF-8 (un caractère accentué de cette ligne est illisible)"
                    " — enregistrez-le en UTF-8 depuis votre éditeur (« Enregistrer avec l'encodage » → UTF-8)",
                )
            ]
        )
    text = text.replace("\r\n", "\n")
    try:
        data = load_yaml_text(text)
    except YamlSyntaxError as exc:
        return LoadResult(problems=[Problem(name, exc.line, exc.field, exc.message)])
    if not isinstance(data, SourcedDict):
        return LoadResult(problems=[Problem(name, getattr(data, "line", 1), "", _not_a_mapping(data, model))])
    try:
        return LoadResult(value=(model.model_validate(data), data))
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        guessed: set[tuple] = set()
        for error in errors:
            if error["type"] == "extra_forbidden":
                known = _fields_at(model, tuple(error["loc"][:-1]))
                error = {**error, "known_fields": known}
                guess = difflib.get_close_matches(str(error["loc"][-1]), known, n=1, cutoff=0.6)
                if guess:
                    guessed.add((*error["loc"][:-1], guess[0]))
            line, label, message = messages.french_message(error, data)
            problems.append((error, Problem(name, line, label, message)))
        # "capactie: 12" is both an unknown field and a missing "capacite": the
        # "did you mean" hint says it all, so the second message is left out.
        kept = [p for e, p in problems if not (e["type"] == "missing" and tuple(e["loc"]) in guessed)]
        return LoadResult(problems=_unique(kept), data=data)


def _not_a_mapping(data, model: type[BaseModel]) -> str:
    if data is None:
        if model is Workshop:
            return (
                "le fichier est vide — écrivez les champs de l'atelier (type, titre, public, lieu, seances,"
                " capacite…), voir l'exemple dans docs/editeurs.md"
            )
        return "le fichier est vide — écrivez ses champs « nom: valeur », voir l'exemple dans docs/editeurs.md"
    if isinstance(data, list):
        return (
            "le fichier est une liste (des lignes qui commencent par « - ») au lieu de champs « nom: valeur »"
            " — enlevez les tirets en début de ligne, voir l'exemple dans docs/editeurs.md"
        )
    return "le fichier doit contenir des champs « nom: valeur », un par ligne — voir l'exemple dans docs/editeurs.md"


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def load_rates(path: Path, root: Path | None = None) -> LoadResult:
    result = parse_model(RateTable, path, root)
    if result.value is None:
        return result
    table, data = result.value
    name = relative(path, root)
    problems = []
    years = [rate.annee for rate in table.tarifs]
    for index, year in enumerate(years):
        if years.count(year) > 1 and years.index(year) != index:
            line, _, _ = messages.locate(data, ("tarifs", index))
            problems.append(
                Problem(name, line, f"tarifs[{index + 1}].annee", f"l'année {year} a deux tarifs — gardez-en un seul")
            )
    return LoadResult(value=table, problems=problems)


def check_workshop(workshop: Workshop, data, name: str, rate_years: set[int] | None) -> list[Problem]:
    """Rules that span several fields."""
    problems: list[Problem] = []

    def at(*loc) -> int:
        return messages.locate(data, loc)[0]

    kind = workshop.type
    if kind is OfferType.ATELIER:
        for required in ("question", "objet"):
            if getattr(workshop, required) is None:
                problems.append(
                    Problem(
                        name,
                        data.line,
                        required,
                        f"champ obligatoire pour un atelier — ajoutez la ligne « {required}: … »",
                    )
                )
        question = workshop.question or ""
        if question and not question.lower().startswith("comment faire pour"):
            problems.append(
                Problem(
                    name,
                    at("question"),
                    "question",
                    "la question d'un atelier commence par « Comment faire pour… »",
                    WARNING,
                )
            )
    if not (workshop.description or "").strip():
        # Without it the session page shows only a title and a question.
        problems.append(
            Problem(
                name,
                data.line,
                "description",
                "pas de description : la page de la session n'aura que son titre et sa question"
                " — ajoutez « description: | » puis, en dessous et indentées de deux espaces,"
                " 2 à 5 phrases de présentation",
                WARNING,
            )
        )
    maximum = MAX_GROUP_SIZE[kind.value]
    if workshop.capacite > maximum:
        what = "un atelier" if kind is OfferType.ATELIER else "un groupe de co-développement"
        problems.append(
            Problem(
                name,
                at("capacite"),
                "capacite",
                f"{workshop.capacite} places, c'est trop pour {what} — écrivez {maximum} au plus",
            )
        )
    if workshop.inscrits > workshop.capacite:
        problems.append(
            Problem(
                name,
                at("inscrits"),
                "inscrits",
                f"{workshop.inscrits} inscrits pour {workshop.capacite} places — le nombre d'inscrits ne peut pas dépasser la capacité"
                " (les personnes en plus vont en liste d'attente)",
            )
        )
    dates = [s.date for s in workshop.seances]
    for index in range(1, len(dates)):
        if dates[index] < dates[index - 1]:
            problems.append(
                Problem(
                    name,
                    at("seances", index),
                    f"seances[{index + 1}].date",
                    "les séances ne sont pas dans l'ordre chronologique — classez-les de la plus ancienne à la plus récente",
                )
            )
        elif dates[index] == dates[index - 1]:
            problems.append(
                Problem(
                    name,
                    at("seances", index),
                    f"seances[{index + 1}].date",
                    "deux séances le même jour — regroupez-les en une journée ou corrigez la date",
                )
            )
    for index, session in enumerate(workshop.seances):
        if session.end_time <= session.start_time:
            problems.append(
                Problem(
                    name,
                    at("seances", index),
                    f"seances[{index + 1}].fin",
                    f"la séance finit ({session.end_time:%H:%M}) avant de commencer ({session.start_time:%H:%M}) — corrigez l'heure de fin",
                )
            )
    deadline = workshop.cloture_inscriptions
    if deadline and deadline >= workshop.first_date:
        problems.append(
            Problem(
                name,
                at("cloture_inscriptions"),
                "cloture_inscriptions",
                f"la clôture des inscriptions ({deadline.isoformat()}) doit précéder la première séance"
                f" ({workshop.first_date.isoformat()}) — écrivez une date antérieure, par exemple {(workshop.first_date - dt.timedelta(days=7)).isoformat()}",
            )
        )
    opening = workshop.ouverture_inscriptions
    if opening and opening > workshop.registration_deadline:
        problems.append(
            Problem(
                name,
                at("ouverture_inscriptions"),
                "ouverture_inscriptions",
                "l'ouverture des inscriptions est postérieure à leur clôture — écrivez une date d'ouverture plus ancienne",
            )
        )
    if kind is OfferType.CODEV:
        half_days = sum(1 for s in workshop.seances if not s.is_full_day)
        span = (workshop.last_date - workshop.first_date).days
        if (
            half_days != CODEV_HALF_DAYS
            or len(workshop.seances) != CODEV_HALF_DAYS
            or not (CODEV_SPAN_DAYS[0] <= span <= CODEV_SPAN_DAYS[1])
        ):
            problems.append(
                Problem(
                    name,
                    at("seances"),
                    "seances",
                    f"un groupe de co-développement se réunit 5 demi-journées sur environ 6 mois ; ce fichier a"
                    f" {len(workshop.seances)} séance(s) dont {half_days} demi-journée(s) sur {span} jours",
                    WARNING,
                )
            )
    if rate_years is not None:
        year = workshop.first_date.year
        if not any(y <= year for y in rate_years):
            problems.append(
                Problem(
                    name,
                    at("seances", 0),
                    "seances[1].date",
                    f"aucun tarif n'existe pour {year} ou une année antérieure dans content/tarifs.yaml"
                    f" — vérifiez la date, ou ajoutez le tarif de {year} dans content/tarifs.yaml",
                )
            )
    return problems


# How many removed elements a warning names before "et N autres".
_REMOVALS_SHOWN = 4


def description_problems(workshop: Workshop, data, name: str) -> list[Problem]:
    """A warning naming the HTML the site leaves out of the description (it is removed, not published)."""
    removed = rich_text.description_removals(workshop.description)
    if not removed:
        return []
    listed = ", ".join(removed[:_REMOVALS_SHOWN])
    if len(removed) > _REMOVALS_SHOWN:
        listed += f" et {len(removed) - _REMOVALS_SHOWN} autre(s)"
    return [
        Problem(
            name,
            messages.locate(data, ("description",))[0],
            "description",
            f"le site n'affiche pas ce code HTML, retiré de la page : {listed}"
            " — écrivez la présentation en Markdown (intertitres « ## », listes « - », liens [texte](https://…)),"
            " voir docs/editeurs.md",
            WARNING,
        )
    ]


def _top_field(problem: Problem) -> str:
    return problem.field.split(".")[0].split("[")[0]


def _sessions_without_bad_times(data, labels: set[str]):
    """The sessions with their invalid start/end times removed, or None if more is wrong."""
    sessions = data.get("seances")
    if not isinstance(sessions, list):
        return None
    cleaned = []
    for number, session in enumerate(sessions, start=1):
        prefix = f"seances[{number}]"
        bad_keys = {label[len(prefix) + 1 :] for label in labels if label.startswith(prefix + ".")}
        if f"{prefix}" in labels or not isinstance(session, dict) or bad_keys - {"debut", "fin"}:
            return None
        cleaned.append({k: v for k, v in session.items() if k not in bad_keys})
    return cleaned


def _partial_workshop(data, invalid: set[str], labels: set[str] = frozenset()) -> Workshop | None:
    """The file's valid fields with neutral stand-ins for the invalid ones.

    Lets the cross-field rules (group size, dates, deadline) run on a file that
    also has type errors, so that the editor sees every problem in one run.
    """
    if not isinstance(data, SourcedDict) or "type" in invalid:
        return None
    values = {k: v for k, v in data.items() if k in Workshop.model_fields and k not in invalid}
    if "seances" in invalid:
        sessions = _sessions_without_bad_times(data, labels)
        if sessions is None:
            return None
        values["seances"] = sessions
    kind = values.get("type")
    stand_ins = {
        "titre": "x",
        "public": ["DGS"],
        "lieu": {"nom": "x", "adresse": "x"},
        "inscrits": 0,
        "capacite": MAX_GROUP_SIZE.get(str(kind), 8),
        "question": "Comment faire pour x",
        "objet": "x",
    }
    for key, value in stand_ins.items():
        if key in invalid or (key not in values and Workshop.model_fields[key].is_required()):
            values[key] = value
    try:
        return Workshop.model_validate(values)
    except (ValidationError, ValueError, TypeError):
        return None


def load_workshop(path: Path, root: Path | None = None, rate_years: set[int] | None = None) -> LoadResult:
    result = parse_model(Workshop, path, root)
    if result.value is None:
        invalid = {_top_field(p) for p in result.problems}
        labels = {p.field for p in result.problems}
        partial = _partial_workshop(result.data, invalid, labels)
        if partial is not None:
            name = relative(path, root)
            extra = [p for p in check_workshop(partial, result.data, name, rate_years) if p.field not in labels]
            result.problems = sorted(result.problems + extra, key=lambda p: p.line)
        return result
    workshop, data = result.value
    name = relative(path, root)
    problems = check_workshop(workshop, data, name, rate_years) + description_problems(workshop, data, name)
    slug = workshop.slug or path.stem
    line_of = {"slug": messages.locate(data, ("slug",))[0]}
    return LoadResult(value=Entry(workshop=workshop, source=name, slug=slug, line_of=line_of), problems=problems)


def unexpected_problem(name: str, exc: BaseException) -> Problem:
    """A French error for a file whose reading failed in an unforeseen way."""
    return Problem(
        name,
        1,
        "",
        f"ce fichier n'a pas pu être lu ({type(exc).__name__}) — vérifiez sa mise en forme en le comparant"
        " à un fichier qui fonctionne, et signalez le problème au service informatique s'il persiste",
    )


def check_slug(slug: str, source: str) -> list[Problem]:
    import re

    if re.match(SLUG_PATTERN, slug):
        return []
    return [
        Problem(
            source,
            1,
            "slug",
            f"le nom du fichier « {slug} » ne peut pas servir d'adresse — renommez-le en minuscules, chiffres et tirets (ex. 2027-03-mutualiser-services.yaml) ou ajoutez « slug: … »",
        )
    ]


def _load_file(path: Path, root: Path | None, rate_years: set[int] | None) -> LoadResult:
    try:
        return load_workshop(path, root, rate_years)
    except Exception as exc:  # noqa: BLE001 - one odd file must not hide the others' problems
        return LoadResult(problems=[unexpected_problem(relative(path, root), exc)])


def load_workshops(
    folder: Path, root: Path | None = None, rate_years: set[int] | None = None, memo=None, map_files=map
) -> LoadResult:
    """Every *.yaml of the folder, sorted by name; duplicate slugs are errors.

    ``memo`` (the build cache of ``make devserver``) gives back the result of a
    file already loaded with the same name, bytes and rate years. ``map_files``
    maps the loading of one file over the others, in order (the build passes
    one that spreads them over worker processes).
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    paths = sorted(p for p in folder.glob("*.y*ml") if p.is_file()) if folder.is_dir() else []
    keys: list = [None] * len(paths)
    results: list[LoadResult | None] = [None] * len(paths)
    if memo is not None:
        for index, path in enumerate(paths):
            try:
                keys[index] = memo.key(relative(path, root), path.read_bytes(), rate_years)
            except OSError:
                continue
            results[index] = memo.get(keys[index])
    missing = [index for index, result in enumerate(results) if result is None]
    loaded = map_files(partial(_load_file, root=root, rate_years=rate_years), [paths[i] for i in missing])
    for index, result in zip(missing, loaded, strict=True):
        results[index] = result
        if keys[index] is not None:
            memo.put(keys[index], result)
    for result in results:
        problems.extend(result.problems)
        if result.value is not None:
            slug_problems = check_slug(result.value.slug, result.value.source)
            problems.extend(slug_problems)
            if not slug_problems:
                entries.append(result.value)
    by_slug: dict[str, Entry] = {}
    for entry in entries:
        other = by_slug.get(entry.slug)
        if other is None:
            by_slug[entry.slug] = entry
            continue
        problems.append(
            Problem(
                entry.source,
                entry.line_of.get("slug", 1),
                "slug",
                f"l'adresse « {entry.slug} » est déjà utilisée par {other.source} — choisissez un autre slug",
            )
        )
    unique = [e for e in entries if by_slug.get(e.slug) is e]
    failed_sources = {p.path for p in problems if p.is_error}
    return LoadResult(value=[e for e in unique if e.source not in failed_sources], problems=problems)


@dataclass
class Content:
    entries: list[Entry]
    rates: RateTable | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def stale_rates(path: str, rates: RateTable, entries: list[Entry], today: dt.date) -> list[Problem]:
    """A warning when sessions not yet over fall in a year after the latest voted rate:
    their price is computed at that rate, and their pages say it is the one "en vigueur à ce jour"."""
    latest = max(r.annee for r in rates.tarifs)
    years = sorted(
        {e.workshop.first_date.year for e in entries if e.workshop.last_date >= today} - set(range(latest + 1))
    )
    if not years:
        return []
    listed = ", ".join(map(str, years))
    return [
        Problem(
            path,
            1,
            "tarifs",
            f"le dernier tarif voté est celui de {latest}, mais des sessions ont lieu en {listed} : "
            f"leur prix est calculé au tarif {latest} et leurs pages affichent « tarif {latest}, en vigueur à ce jour ». "
            f"Quand le conseil d'administration aura voté le tarif de {years[-1]}, ajoutez un bloc "
            f"« - annee: {years[-1]} » à ce fichier, sans effacer les anciens.",
            WARNING,
        )
    ]


def load_content(content_dir: Path, root: Path | None = None, memo=None, map_files=map) -> Content:
    """Load rates then workshops of a content folder (``content/``); ``memo``, ``map_files``: see ``load_workshops``."""
    root = root if root is not None else content_dir.parent
    rates_path = content_dir / "tarifs.yaml"
    problems: list[Problem] = []
    rates = None
    if rates_path.exists():
        rates_result = load_rates(rates_path, root)
        problems.extend(rates_result.problems)
        rates = rates_result.value
    else:
        problems.append(
            Problem(
                relative(rates_path, root),
                1,
                "",
                "fichier des tarifs absent — créez content/tarifs.yaml (voir docs/editeurs.md)",
            )
        )
    rate_years = {r.annee for r in rates.tarifs} if rates else None
    workshops = load_workshops(content_dir / "ateliers", root, rate_years, memo, map_files)
    problems.extend(workshops.problems)
    return Content(
        entries=workshops.value or [], rates=rates, problems=sorted(problems, key=lambda p: (p.path, p.line))
    )
