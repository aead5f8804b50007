"""Turn pydantic validation errors into French messages for editors.

Each message says what is wrong and what to write instead. The YAML 1.1 traps
are recognised from the raw text the editor typed.
"""

from __future__ import annotations

import difflib
import re

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


def field_label(loc: tuple) -> str:
    """('seances', 1, 'debut') -> 'seances[2].debut' (1-based, as editors count)."""
    label = ""
    for part in loc:
        if isinstance(part, int):
            label += f"[{part + 1}]"
        else:
            label += ("." if label else "") + str(part)
    return label


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
            f"YAML lit « {raw} » comme « {'vrai' if value else 'faux'} », pas comme un texte"
            f' — écrivez "{raw}" entre guillemets'
        )
    if isinstance(value, int) and re.fullmatch(r"\d+(:\d+)+", raw):
        return (
            f"YAML lit {raw} comme le nombre {value} (une durée en base 60)"
            f' — écrivez l\'heure entre guillemets : "{raw}"'
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

    if kind == "missing":
        hint = f", par exemple {last}: {example}" if example else f" — ajoutez la ligne « {last}: … »"
        return line, label, f"champ obligatoire manquant{hint if example else hint}"
    if kind == "extra_forbidden":
        known = _known_fields(error)
        guess = difflib.get_close_matches(last, known, n=1, cutoff=0.6) if known else []
        if guess:
            return line, label, f"champ inconnu — vouliez-vous écrire « {guess[0]} » ?"
        return line, label, "champ inconnu — supprimez-le ou vérifiez son orthographe (voir docs/editeurs.md)"
    if kind in ("string_type", "string_pattern_mismatch") and last in ("debut", "fin"):
        trap = _trap_message(raw, value) if isinstance(value, int) and not isinstance(value, bool) else None
        if trap:
            return line, label, trap
        return line, label, f"heure invalide « {raw or value} » — écrivez l'heure entre guillemets au format HH:MM, par exemple \"14:30\""
    if kind == "string_type":
        trap = _trap_message(raw, value)
        if trap:
            return line, label, trap
        return line, label, f"un texte est attendu — écrivez-le entre guillemets : \"{raw or value}\""
    if kind == "string_pattern_mismatch":
        hint = f", par exemple {example}" if example else ""
        return line, label, f"valeur « {value} » au mauvais format{hint}"
    if kind == "string_too_short":
        return line, label, "ce champ est vide — écrivez un texte ou supprimez la ligne si le champ est facultatif"
    if kind == "string_too_long":
        return line, label, f"texte trop long ({len(value)} caractères) — {ctx.get('max_length')} caractères au plus"
    if kind in ("date_type", "date_from_datetime_inexact", "date_from_datetime_parsing", "date_parsing"):
        if isinstance(value, str) or kind == "date_from_datetime_inexact":
            return line, label, f"date invalide « {raw or value} » — écrivez une date réelle au format AAAA-MM-JJ, par exemple 2027-03-11"
        return line, label, f"date attendue au lieu de « {raw or value} » — écrivez AAAA-MM-JJ, par exemple 2027-03-11"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, bool):
            return line, label, f"nombre entier attendu, YAML a lu « {raw} » comme vrai/faux — écrivez un nombre, par exemple {example or 10}"
        return line, label, f"nombre entier attendu au lieu de « {raw or value} » — écrivez par exemple {example or 10}, sans guillemets"
    if kind in ("decimal_type", "decimal_parsing"):
        return line, label, f"montant attendu au lieu de « {raw or value} » — écrivez un nombre, par exemple {example or 280}"
    if kind in ("greater_than_equal", "greater_than"):
        return line, label, f"la valeur {value} est trop petite — {('au moins ' + str(ctx.get('ge'))) if 'ge' in ctx else ('plus que ' + str(ctx.get('gt')))}"
    if kind in ("less_than_equal", "less_than"):
        return line, label, f"la valeur {value} est trop grande — {ctx.get('le', ctx.get('lt'))} au plus"
    if kind == "too_short":
        return line, label, "la liste est vide — indiquez au moins un élément"
    if kind == "list_type":
        return line, label, f"une liste est attendue — écrivez par exemple {last}: [Responsables RH, DGS] ou une ligne « - … » par élément"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return line, label, "un bloc de champs est attendu (champ: valeur, indentés en dessous) — voir l'exemple dans docs/editeurs.md"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        guess = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)
        suggestion = f" — vouliez-vous écrire « {guess[0]} » ?" if guess else ""
        return line, label, f"« {value} » n'est pas dans la liste ({', '.join(allowed)}){suggestion}"
    if kind in ("value_error", "enum"):
        if last in _EXAMPLES:
            return line, label, f"valeur « {raw or value} » inconnue — écrivez {_EXAMPLES[last]}"
        return line, label, f"valeur « {raw or value} » incorrecte"
    if kind == "bool_type":
        return line, label, "oui/non attendu — écrivez true ou false"
    return line, label, f"valeur incorrecte « {raw or value} » ({error.get('msg')})"


def _known_fields(error: dict) -> list[str]:
    return error.get("known_fields", [])
