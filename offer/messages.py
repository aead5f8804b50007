"""Turn pydantic validation errors into French messages for editors.

Each message says what is wrong and what to write instead. The YAML 1.1 traps
are recognised from the raw text the editor typed.
"""

from __future__ import annotations

import difflib
import re

from .model import slugify
from .yaml_source import SourcedDict, SourcedList

_EXAMPLES = {
    "date": "2027-03-11",
    "debut": '"09:00"',
    "fin": '"12:30"',
    "duree": "journee ou demi-journee",
    "type": "atelier ou codev",
    "statut": "programme, reporte ou annule",
    "capacite": "15",
    "inscrits": "0",
    "telephone": '"02 40 20 77 50"',
    "email": "conseilrh@cdg44.fr",
    "slug": "mutualiser-services",
    "annee": "2027",
    "journee": "280",
    "demi_journee": "140",
}


_LIST_EXAMPLES = {
    "public": "public: [Responsables RH, DGS]",
    "seances": "une ligne « - {date: 2027-03-11, duree: journee} » par séance",
    "tarifs": "une ligne « - {annee: 2027, journee: 280, demi_journee: 140} » par année",
    "champs": "une ligne « - {nom: …, libelle: …, type: texte} » par champ",
}

_EMPTY_HINTS = {
    "titre": "écrivez un titre court, par exemple titre: Un espace d'accueil pour tous les usagers",
    "question": "écrivez la question, par exemple question: Comment faire pour… ?",
    "objet": "écrivez l'objet produit, par exemple objet: Un règlement intérieur",
    "seances": "indentez en dessous une ligne « - {date: 2027-03-11, duree: journee} » par séance",
    "public": "écrivez par exemple public: [Responsables RH, DGS]",
    "lieu": "indentez en dessous « nom: … » et « adresse: … »",
}


# What a message quotes of the editor's text: enough to find it, never a whole
# pasted document, and on one line (a message is one line of `make check`).
_QUOTE_LENGTH = 60
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def shown(value) -> str:
    """The editor's value as a message quotes it: short, one line, invisible characters named."""
    text = str(value)
    if len(text) > _QUOTE_LENGTH:
        text = text[:_QUOTE_LENGTH] + "…"
    return _INVISIBLE.sub(lambda m: "\\n" if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text)


_CHARACTER_NAMES = {"U+0009": "une tabulation", "U+000D": "un retour chariot"}

_TOO_LONG_HINTS = {
    "titre": "gardez l'essentiel dans le titre, les détails vont dans « description »",
    "question": "posez une seule question, les détails vont dans « description »",
    "objet": "nommez l'objet en quelques mots, les détails vont dans « description »",
    "description": "gardez une présentation de quelques paragraphes, les documents détaillés se remettent en séance",
}


def _time_hint(raw: str) -> str:
    """'9:00' -> '09:00' (the format the schema accepts)."""
    hours, _, minutes = raw.partition(":")
    return f"{int(hours):02d}:{minutes}" if hours.isdigit() else raw


def field_label(loc: tuple) -> str:
    """('seances', 1, 'debut') -> 'seances[2].debut': the key problems are sorted and matched by.

    Editors never read it as is: ``french_field`` turns it into words.
    """
    label = ""
    for part in loc:
        if isinstance(part, int):
            label += f"[{part + 1}]"
        else:
            label += ("." if label else "") + str(part)
    return label


# The noun for one element of each list an editor writes, and its gender.
_LIST_ITEMS = {
    "seances": ("séance", "f"),
    "public": ("public", "m"),
    "tarifs": ("tarif", "m"),
    "champs": ("champ", "m"),
    "choix": ("choix", "m"),
}
_SEGMENT = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<index>\d+)\])?$")


def _ordinal(number: int, gender: str) -> str:
    """1 -> 1re / 1er, 3 -> 3e (French abbreviated ordinals)."""
    if number == 1:
        return "1re" if gender == "f" else "1er"
    return f"{number}e"


def _item_phrase(name: str, number: int) -> str:
    """('seances', 3) -> 'la 3e séance'; an unknown list -> 'le 3e élément de name'."""
    noun, gender = _LIST_ITEMS.get(name, (None, "m"))
    if noun is None:
        return f"le {_ordinal(number, 'm')} élément de {name}"
    article = "la" if gender == "f" else "le"
    return f"{article} {_ordinal(number, gender)} {noun}"


def _of(phrase: str) -> str:
    """'de' + phrase, contracted as French requires: 'le 2e tarif' -> 'du 2e tarif'."""
    return "du " + phrase[3:] if phrase.startswith("le ") else "de " + phrase


def french_field(label: str) -> str:
    """'seances[2].debut' -> 'debut de la 2e séance'; 'seances[3]' -> 'la 3e séance'.

    Field names stay as the editor writes them in the file; only list positions
    become words. A path without a list position is returned unchanged.
    """
    if "[" not in label:
        return label
    segments = label.split(".")
    matches = [_SEGMENT.match(segment) for segment in segments]
    if not all(matches):
        return label
    phrases: list[str] = []  # outermost first
    pending: list[str] = []  # keys of mappings not yet attached to a list element
    for match in matches:
        pending.append(match["name"])
        if match["index"] is not None:
            name = pending.pop()
            phrase = _item_phrase(name, int(match["index"]))
            if pending:
                phrase += " de " + ".".join(pending)
            phrases.append(phrase)
            pending = []
    text = ".".join(pending)
    for phrase in reversed(phrases):
        text = f"{text} {_of(phrase)}" if text else phrase
    return text


def locate(data, loc: tuple) -> tuple[int, str | None, bool]:
    """Return (line, raw text, quoted) of the value at loc, or of its nearest parent."""
    line = getattr(data, "line", 1)
    raw, quoted = None, False
    node = data
    for part in loc:
        if isinstance(node, SourcedDict) and isinstance(part, str):
            origin = node.origins.get(part)
            if origin is None:
                return node.line, None, False
            line, raw, quoted = origin.line, origin.raw, origin.quoted
            node = node.get(part)
        elif isinstance(node, SourcedList) and isinstance(part, int) and part < len(node):
            line, raw, quoted = node.item_lines[part], None, False
            node = node[part]
        else:
            break
    return line, raw, quoted


def _trap_message(raw: str | None, value) -> str | None:
    if raw is None:
        return None
    if isinstance(value, bool):
        return (
            f"YAML lit « {shown(raw)} » comme « {'vrai' if value else 'faux'} », pas comme un texte"
            f' — écrivez "{raw}" entre guillemets'
        )
    if isinstance(value, int) and re.fullmatch(r"\d+(:\d+)+", raw):
        return (
            f"YAML lit {raw} comme un nombre ({value}), pas comme une heure"
            f' — écrivez l\'heure entre guillemets : "{_time_hint(raw)}"'
        )
    if isinstance(value, int) and re.fullmatch(r"0\d+", raw):
        return (
            f"YAML lit {raw} comme le nombre {value} (nombre en octal, le zéro initial est perdu)"
            f' — écrivez "{raw}" entre guillemets'
        )
    if isinstance(value, (int, float)):
        return f'YAML lit {raw} comme un nombre — écrivez "{raw}" entre guillemets'
    return None


def french_message(error: dict, data) -> tuple[int, str, str]:
    """Return (line, field label, message) for one pydantic error."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    line, raw, _quoted = locate(data, loc)
    label = field_label(loc)
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    example = _EXAMPLES.get(last)
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind in ("text_line_break", "text_control_character"):
        return line, label, _invisible_character_message(kind, value, ctx)
    if kind == "string_too_long" and isinstance(value, str):
        return line, label, _too_long_message(last, len(value.strip()), ctx.get("max_length"))
    if kind == "too_long":
        found, limit = ctx.get("actual_length"), ctx.get("max_length")
        return line, label, f"la liste a {found} éléments pour {limit} au plus — gardez-en {limit} au plus"

    if kind == "missing":
        if example and " ou " in example:  # a choice: type, duree, statut
            hint = f" — ajoutez la ligne « {last}: … » avec {example}"
        elif example:
            hint = f" — ajoutez par exemple la ligne « {last}: {example} »"
        else:
            hint = f" — ajoutez la ligne « {last}: … »"
        return line, label, f"champ obligatoire manquant{hint}"
    if value is None and kind not in ("extra_forbidden",) and loc and isinstance(loc[-1], int):
        return line, label, "cet élément de la liste est vide — complétez-le ou supprimez la ligne « - »"
    if value is None and kind not in ("extra_forbidden",) and loc:
        hint = _EMPTY_HINTS.get(last) or (f"écrivez par exemple {last}: {example}" if example else "écrivez une valeur")
        if last in _EMPTY_HINTS:  # required fields: the line cannot simply go
            return line, label, f"ce champ est vide — {hint}"
        return line, label, f"ce champ est vide — {hint}, ou supprimez la ligne si le champ est facultatif"
    if kind == "extra_forbidden":
        if value is None and re.search(r"\s", last):
            # {nom: CDG 44, adresse: 6 rue du Pen Duick II, 44300 Nantes}: the comma split the value.
            previous = _previous_entry(data, loc)
            if previous:
                key, text = previous
                example = f'{key}: "{text}, {last}"'
            else:
                example = 'adresse: "6 rue du Pen Duick II, 44300 Nantes"'
            return (
                line,
                label,
                (
                    f"« {last} » est lu comme un nom de champ : entre accolades, une virgule sépare les champs"
                    f" — mettez la valeur qui contient une virgule entre guillemets : {example}"
                ),
            )
        known = _known_fields(error)
        guess = difflib.get_close_matches(last, known, n=1, cutoff=0.6) if known else []
        if guess:
            return line, label, f"champ inconnu — vouliez-vous écrire « {guess[0]} » ?"
        return line, label, "champ inconnu — supprimez-le ou vérifiez son orthographe (voir docs/editeurs.md)"
    if kind in ("string_type", "string_pattern_mismatch") and last in ("debut", "fin"):
        trap = _trap_message(raw, value) if isinstance(value, int) and not isinstance(value, bool) else None
        if trap:
            return line, label, trap
        example_time = example or '"14:30"'
        if isinstance(value, bool):
            return (
                line,
                label,
                (
                    f"YAML lit « {shown(raw)} » comme « {'vrai' if value else 'faux'} », pas comme une heure"
                    f" — écrivez l'heure entre guillemets au format HH:MM, par exemple {example_time},"
                    " ou supprimez la ligne pour garder l'heure par défaut"
                ),
            )
        return (
            line,
            label,
            f"heure invalide « {shown(raw or value)} » — écrivez l'heure entre guillemets au format HH:MM, par exemple {example_time}",
        )
    if kind == "string_type":
        trap = _trap_message(raw, value)
        if trap:
            return line, label, trap
        return line, label, f'un texte est attendu — écrivez-le entre guillemets : "{shown(raw or value)}"'
    if kind == "string_pattern_mismatch":
        if last == "slug" and isinstance(value, str) and slugify(value):
            return (
                line,
                label,
                f"valeur « {shown(value)} » au mauvais format — minuscules, chiffres et tirets seulement : écrivez {shown(slugify(value))}",
            )
        hint = f", par exemple {example}" if example else ""
        return line, label, f"valeur « {shown(value)} » au mauvais format{hint}"
    if kind == "string_too_short":
        return line, label, "ce champ est vide — écrivez un texte ou supprimez la ligne si le champ est facultatif"
    if kind in ("date_type", "date_from_datetime_inexact", "date_from_datetime_parsing", "date_parsing"):
        if isinstance(value, str) or kind == "date_from_datetime_inexact":
            return (
                line,
                label,
                f"date invalide « {shown(raw or value)} » — écrivez une date réelle au format AAAA-MM-JJ, par exemple 2027-03-11",
            )
        return (
            line,
            label,
            f"date attendue au lieu de « {shown(raw or value)} » — écrivez AAAA-MM-JJ, par exemple 2027-03-11",
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, bool):
            return (
                line,
                label,
                f"nombre entier attendu, YAML a lu « {shown(raw)} » comme vrai/faux — écrivez un nombre, par exemple {example or 10}",
            )
        return (
            line,
            label,
            f"nombre entier attendu au lieu de « {shown(raw or value)} » — écrivez par exemple {example or 10}, sans guillemets",
        )
    if kind in ("decimal_type", "decimal_parsing"):
        return (
            line,
            label,
            f"montant attendu au lieu de « {shown(raw or value)} » — écrivez un nombre, par exemple {example or 280}",
        )
    if kind in ("greater_than_equal", "greater_than"):
        if last == "inscrits":
            return (
                line,
                label,
                f"le nombre d'inscrits ne peut pas être négatif ({shown(raw or value)}) — écrivez 0 ou plus",
            )
        if last == "capacite":
            return (
                line,
                label,
                f"la capacité doit être d'au moins une place ({shown(raw or value)}) — écrivez par exemple {example}",
            )
        bound = f"écrivez {ctx['ge']} ou plus" if "ge" in ctx else f"écrivez un nombre supérieur à {ctx.get('gt')}"
        return line, label, f"la valeur {shown(raw or value)} est trop petite — {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = f"écrivez {ctx['le']} au plus" if "le" in ctx else f"écrivez un nombre inférieur à {ctx.get('lt')}"
        return line, label, f"la valeur {shown(raw or value)} est trop grande — {bound}"
    if kind == "too_short":
        return line, label, "la liste est vide — indiquez au moins un élément"
    if kind == "list_type":
        example_list = _LIST_EXAMPLES.get(last, f"{last}: [premier, second]")
        return line, label, f"une liste est attendue — écrivez par exemple {example_list}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return (
            line,
            label,
            "un bloc de champs est attendu (champ: valeur, indentés en dessous) — voir l'exemple dans docs/editeurs.md",
        )
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        guess = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)
        suggestion = f" — vouliez-vous écrire « {guess[0]} » ?" if guess else ""
        # The audiences are declared once, in offer/model.py (AUDIENCES): say where to add one.
        declared = " ; la liste des publics est déclarée dans offer/model.py (AUDIENCES)" if last == "public" else ""
        return line, label, f"« {shown(value)} » n'est pas dans la liste ({', '.join(allowed)}){suggestion}{declared}"
    if kind in ("value_error", "enum"):
        if last in _EXAMPLES:
            return line, label, f"valeur « {shown(raw or value)} » inconnue — écrivez {_EXAMPLES[last]}"
        reason = str(ctx.get("error", "")) if kind == "value_error" else ""
        if reason and "is not a valid" not in reason:
            # Our own validators raise French messages (forms.py); show them as they are.
            return line, label, reason
        expected = ", ".join(re.findall(r"'([^']*)'", ctx.get("expected", "")))
        return (
            line,
            label,
            f"valeur « {shown(raw or value)} » incorrecte" + (f" — écrivez {expected}" if expected else ""),
        )
    if kind == "bool_type":
        return line, label, "oui/non attendu — écrivez true ou false"
    return (
        line,
        label,
        f"valeur incorrecte « {shown(raw or value)} » — vérifiez ce champ dans le guide des éditeurs (docs/editeurs.md)",
    )


def _too_long_message(field: str, length: int, limit) -> str:
    hint = _TOO_LONG_HINTS.get(field, "raccourcissez-le")
    return (
        f"texte trop long : {_number(length)} caractères pour {_number(limit)} au plus"
        f" — retirez-en au moins {_number(length - limit)} ; {hint}"
    )


def _number(n: int) -> str:
    """20000 -> '20 000' (French digit grouping, plain spaces for a terminal)."""
    return format(n, ",").replace(",", " ")


def _invisible_character_message(kind: str, value, ctx: dict) -> str:
    text = value if isinstance(value, str) else ""
    position = ctx.get("position", 0)
    before = text[max(0, position - 30) : position].split("\n")[-1].strip()
    where = f" après « {shown(before)} »" if before else " au début du texte"
    if kind == "text_line_break":
        return (
            f"ce champ s'écrit sur une seule ligne, or le texte passe à la ligne{where}"
            " — écrivez-le sur une seule ligne, sans « | » ni « \\n »"
        )
    character = ctx.get("character", "")
    name = _CHARACTER_NAMES.get(character, f"le caractère invisible {character}")
    return (
        f"le texte contient {name}{where}, interdit sur le site"
        " — supprimez ce caractère (entre guillemets doubles, « \\t », « \\a » ou « \\x… » en produisent)"
    )


def _previous_entry(data, loc: tuple) -> tuple[str, str] | None:
    """The key and raw text written just before loc[-1] in its mapping."""
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, SourcedDict):
        return None
    keys = list(node)
    index = keys.index(loc[-1]) if loc[-1] in keys else 0
    if index == 0:
        return None
    key = keys[index - 1]
    origin = node.origins.get(key)
    return (key, origin.raw) if origin and origin.raw else None


def _known_fields(error: dict) -> list[str]:
    return error.get("known_fields", [])
