"""Load a YAML file while remembering where each value came from.

Editors need messages such as ``fichier.yaml:12: seances[2].debut: …``, and the
YAML 1.1 traps (``14:30`` read as 870, ``no`` read as False, ``01000`` read as
512) can only be explained by quoting what the editor actually typed. So every
mapping we build records, for each key, its line and the raw source text of its
value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Origin:
    line: int
    raw: str
    quoted: bool


class SourcedDict(dict):
    """A dict that knows the line and raw text of each of its values."""

    def __init__(self, *args, line: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.origins: dict = {}


class SourcedList(list):
    def __init__(self, *args, line: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.item_lines: list[int] = []


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str, field: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field


class DuplicateKeyError(YamlSyntaxError):
    pass


# A workshop file nests three levels (seances -> a session -> its fields); twenty
# leaves room for any file an editor writes and stays far below Python's
# recursion limit, which a file of a few thousand "[" would otherwise reach.
MAX_DEPTH = 20
# No value of ours needs more digits (capacities, years, amounts); Python refuses
# to convert more than 4 300 and a huge number would be quoted whole in messages.
MAX_DIGITS = 18


class TooDeepError(YamlSyntaxError):
    def __init__(self, line: int):
        super().__init__(
            line,
            f"les listes ou blocs de champs sont imbriqués sur plus de {MAX_DEPTH} niveaux à partir de cette ligne"
            " — un fichier d'atelier en compte trois au plus (seances, puis une séance, puis ses champs) :"
            " vérifiez les crochets « [ » et les accolades « { » de cette ligne, ou mettez la valeur entre guillemets",
        )


class NumberTooLongError(YamlSyntaxError):
    def __init__(self, line: int, digits: int):
        super().__init__(
            line,
            f"ce nombre a {format(digits, ',').replace(',', ' ')} chiffres, bien plus qu'aucun champ n'en attend ({MAX_DIGITS} au plus)"
            " — écrivez un nombre de quelques chiffres, par exemple 12, ou mettez la valeur entre guillemets"
            " si c'est un texte",
        )

    def inside(self, part: str) -> NumberTooLongError:
        """Prefix the field label with the key or list index that holds the value."""
        if self.field and not self.field.startswith("["):
            part += "."
        self.field = part + self.field
        return self


def _raw_text(node, source: str) -> str:
    start, end = node.start_mark.index, node.end_mark.index
    return source[start:end].strip()


class _SourcedConstruction:
    """Constructors building SourcedDict/SourcedList (mixed into a safe loader)."""

    _depth = 0

    def _enter(self, node) -> None:
        # Maps and lists are built depth first (construct_object(deep=True)), so
        # the nesting of the generators is the nesting of the file.
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise TooDeepError(node.start_mark.line + 1)

    def construct_yaml_map(self, node):
        data = SourcedDict(line=node.start_mark.line + 1)
        yield data
        self._enter(node)
        try:
            self._fill_map(data, node)
        finally:
            self._depth -= 1

    def _fill_map(self, data: SourcedDict, node) -> None:
        seen: dict = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in seen:
                raise DuplicateKeyError(
                    key_node.start_mark.line + 1,
                    f"le champ « {key} » est écrit deux fois (déjà ligne {seen[key]}) — gardez-en un seul",
                    field=key,
                )
            seen[key] = key_node.start_mark.line + 1
            try:
                data[key] = self.construct_object(value_node, deep=True)
            except NumberTooLongError as exc:
                raise exc.inside(key) from None
            quoted = getattr(value_node, "style", None) in ("'", '"')
            data.origins[key] = Origin(
                line=value_node.start_mark.line + 1,
                raw=_raw_text(value_node, self._source_text),
                quoted=quoted,
            )

    def construct_yaml_seq(self, node):
        data = SourcedList(line=node.start_mark.line + 1)
        yield data
        self._enter(node)
        try:
            for index, item in enumerate(node.value):
                try:
                    data.append(self.construct_object(item, deep=True))
                except NumberTooLongError as exc:
                    raise exc.inside(f"[{index + 1}]") from None
                data.item_lines.append(item.start_mark.line + 1)
        finally:
            self._depth -= 1

    def construct_bounded_int(self, node):
        digits = sum(1 for c in str(node.value) if c.isdigit())
        if digits > MAX_DIGITS:
            raise NumberTooLongError(node.start_mark.line + 1, digits)
        return yaml.constructor.SafeConstructor.construct_yaml_int(self, node)

    def construct_lenient_timestamp(self, node):
        # An impossible date (2027-02-30) stays text so validation can name it.
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError:
            return self.construct_scalar(node)


class _SourcedLoader(_SourcedConstruction, yaml.SafeLoader):
    """Pure-Python safe loader: slower, but its error messages are the ones we explain."""

    _compose_depth = 0

    def compose_node(self, parent, index):
        # Python's composer recurses once per level (libyaml's does not).
        self._compose_depth += 1
        try:
            if self._compose_depth > MAX_DEPTH:
                raise TooDeepError(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._compose_depth -= 1


# libyaml's parser when PyYAML was built with it: several times faster on
# thousands of files; its marks carry the same line and character index.
_FastBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastSourcedLoader(_SourcedConstruction, _FastBase):
    """The same constructors over libyaml's parser (used first; errors re-parsed in Python)."""


for _loader in (_SourcedLoader, _FastSourcedLoader):
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_lenient_timestamp)
    _loader.add_constructor("tag:yaml.org,2002:map", _loader.construct_yaml_map)
    _loader.add_constructor("tag:yaml.org,2002:seq", _loader.construct_yaml_seq)
    _loader.add_constructor("tag:yaml.org,2002:int", _loader.construct_bounded_int)


# libyaml's composer recurses in C once per level and crashes the interpreter on a
# few hundred thousand "[" in a row. Below this many brackets it cannot get there
# (it takes thousands of levels), so the exact check below runs only on such files.
_BRACKETS_WORTH_COUNTING = 1000


def _refuse_deep_flow_nesting(text: str) -> None:
    """Count the nesting with libyaml's event stream (no recursion) before composing."""
    if text.count("[") + text.count("{") < _BRACKETS_WORTH_COUNTING:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastBase):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooDeepError(event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # a syntax error before any deep nesting: the parsers below explain it


def load_yaml_text(text: str):
    """Parse one YAML document; raise YamlSyntaxError with a French message."""
    _refuse_deep_flow_nesting(text)
    fast = _FastSourcedLoader(text)
    fast._source_text = text
    try:
        return fast.get_single_data()
    except YamlSyntaxError:
        raise
    except yaml.YAMLError:
        pass  # parse again below, with the parser whose errors we explain
    finally:
        fast.dispose()
    loader = None
    try:
        loader = _SourcedLoader(text)  # the reader refuses control characters here already
        loader._source_text = text
        return loader.get_single_data()
    except YamlSyntaxError:
        raise
    except yaml.MarkedYAMLError as exc:
        line, message = _explain_syntax_error(exc, text)
        raise YamlSyntaxError(line, message) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else 1
        raise YamlSyntaxError(
            line, "le fichier contient un caractère invisible interdit — supprimez-le ou retapez la ligne"
        ) from None
    except yaml.YAMLError:
        raise YamlSyntaxError(
            1, "le fichier n'est pas du YAML valide — vérifiez l'indentation, les deux-points et les guillemets"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


# A value that opens a quote and never closes it on the same line:
#   titre: "Un espace d'accueil      - 'Élus
_OPEN_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s#'"\-][^:#]*:\s+)?(["'])(?P<rest>.*)$""")
# A quoted value followed by more text:  titre: "Accueil" des usagers
_TEXT_AFTER_QUOTE = re.compile(r"""^\s*(?:-\s+)?[^\s#'"][^:#]*:\s+(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*[^\s#]""")


def _closes(quote: str, rest: str) -> bool:
    if quote == '"':
        return re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
    return re.search(r"'(?!')", rest.replace("''", "")) is not None


def _unclosed_quote_line(lines: list[str], upto: int) -> int | None:
    for number, line in enumerate(lines[:upto], start=1):
        match = _OPEN_QUOTE.match(line)
        if match and not _closes(match.group(1), match.group("rest")):
            return number
    return None


def _tab_line(lines: list[str], upto: int) -> int | None:
    for number, line in enumerate(lines[:upto], start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            return number
    return None


def _explain_syntax_error(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[int, str]:
    """(line, French message) for a YAML syntax error, pointing at the likely cause."""
    problem = exc.problem or ""
    context = exc.context or ""
    problem_line = exc.problem_mark.line + 1 if exc.problem_mark else 1
    context_line = exc.context_mark.line + 1 if exc.context_mark else problem_line
    lines = text.splitlines()
    found = re.search(r"found (?:character )?'(.)'", problem)
    culprit = found.group(1) if found else ""

    tab = _tab_line(lines, problem_line)
    if tab is not None or "'\\t'" in problem:
        return tab or problem_line, (
            "syntaxe YAML : une tabulation sert d'indentation — indentez avec des espaces uniquement"
        )
    if "quoted scalar" in context and "escape" not in problem:
        return context_line, (
            "syntaxe YAML : le guillemet ouvert sur cette ligne n'est pas refermé"
            " — ajoutez le guillemet fermant à la fin de la valeur"
        )
    unclosed = _unclosed_quote_line(lines, problem_line)
    if unclosed is not None:
        return unclosed, (
            "syntaxe YAML : le guillemet ouvert sur cette ligne n'est pas refermé"
            " — ajoutez le guillemet fermant à la fin de la valeur"
        )
    if "escape" in problem:
        return problem_line, (
            "syntaxe YAML : entre guillemets doubles, la barre oblique inverse « \\ » doit être doublée"
            " — écrivez « \\\\ » ou utilisez des guillemets simples"
        )
    if "could not find expected ':'" in problem:
        return context_line, (
            "syntaxe YAML : il manque le deux-points après un nom de champ — écrivez « champ: valeur »"
        )
    if "mapping values are not allowed" in problem:
        return problem_line, (
            "syntaxe YAML : un deux-points inattendu dans une valeur"
            ' — mettez la valeur entre guillemets, par exemple titre: "Accueil : un espace"'
        )
    if "flow sequence" in context:
        return context_line, (
            "syntaxe YAML : la liste entre crochets ouverte sur cette ligne n'est pas refermée par « ] »,"
            " ou un de ses éléments contient un deux-points — refermez-la, ou mettez l'élément entre guillemets"
        )
    if "flow mapping" in context:
        return context_line, (
            "syntaxe YAML : le bloc entre accolades ouvert sur cette ligne n'est pas refermé par « } »,"
            " ou une valeur contient un deux-points — refermez-le, ou mettez la valeur entre guillemets"
        )
    if "alias" in context or "anchor" in context or "alias" in problem:
        return problem_line, (
            "syntaxe YAML : une valeur qui commence par « * » ou « & » a un sens particulier"
            " — mettez-la entre guillemets"
        )
    if "cannot start any token" in problem:
        return problem_line, (
            f"syntaxe YAML : une valeur ne peut pas commencer par « {culprit} » — mettez-la entre guillemets"
        )
    if "block scalar" in context:
        return context_line, (
            "syntaxe YAML : après « | » ou « > », le texte commence à la ligne suivante, indenté"
            " — n'écrivez rien d'autre après ce signe"
        )
    if "another document" in problem or "document start" in problem:
        return problem_line, (
            "syntaxe YAML : une ligne « --- » commence un second document, alors qu'un fichier décrit"
            " un seul atelier — supprimez cette ligne"
        )
    if "recursive" in problem:
        return problem_line, (
            "syntaxe YAML : cette valeur se contient elle-même (un alias « * » renvoie à l'ancre « & » qui l'entoure)"
            " — écrivez la valeur en entier, sans « & » ni « * »"
        )
    if isinstance(exc, yaml.constructor.ConstructorError):
        return problem_line, (
            "syntaxe YAML : étiquette « ! » inconnue — supprimez-la ou mettez la valeur entre guillemets"
        )
    if "<block end>" in problem or "did not find expected key" in problem or "expected key" in problem:
        line = lines[problem_line - 1] if 0 < problem_line <= len(lines) else ""
        if _TEXT_AFTER_QUOTE.match(line):
            return problem_line, (
                "syntaxe YAML : du texte suit le guillemet fermant — mettez toute la valeur entre guillemets"
            )
        if culprit == "-" or "'-'" in problem:
            return problem_line, (
                "syntaxe YAML : cette ligne « - … » (un élément de liste) n'est pas au bon niveau"
                " — indentez-la sous le champ auquel elle appartient"
            )
        return problem_line, (
            "syntaxe YAML : l'indentation est incohérente — alignez ce champ sur les autres champs du même niveau"
        )
    return problem_line, (
        "syntaxe YAML incorrecte — vérifiez l'indentation, les deux-points et les guillemets"
        " de cette ligne et de la précédente"
    )
