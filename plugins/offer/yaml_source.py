"""Load a YAML file while remembering where each value came from.

Editors need messages such as ``fichier.yaml:12: seances[2].debut: …``, and the
YAML 1.1 traps (``14:30`` read as 870, ``no`` read as False, ``01000`` read as
512) can only be explained by quoting what the editor actually typed. So every
mapping we build records, for each key, its line and the raw source text of its
value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class DuplicateKeyError(YamlSyntaxError):
    pass


def _raw_text(node, source: str) -> str:
    start, end = node.start_mark.index, node.end_mark.index
    return source[start:end].strip()


class _SourcedLoader(yaml.SafeLoader):
    """SafeLoader (no arbitrary objects) building SourcedDict/SourcedList."""

    def construct_yaml_map(self, node):
        data = SourcedDict(line=node.start_mark.line + 1)
        yield data
        seen: dict = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in seen:
                raise DuplicateKeyError(
                    key_node.start_mark.line + 1,
                    f"la clé « {key} » est écrite deux fois (déjà ligne {seen[key]})"
                    " — gardez-en une seule",
                )
            seen[key] = key_node.start_mark.line + 1
            data[key] = self.construct_object(value_node, deep=True)
            quoted = getattr(value_node, "style", None) in ("'", '"')
            data.origins[key] = Origin(
                line=value_node.start_mark.line + 1,
                raw=_raw_text(value_node, self._source_text),
                quoted=quoted,
            )

    def construct_yaml_seq(self, node):
        data = SourcedList(line=node.start_mark.line + 1)
        yield data
        for item in node.value:
            data.append(self.construct_object(item, deep=True))
            data.item_lines.append(item.start_mark.line + 1)


    def construct_lenient_timestamp(self, node):
        # An impossible date (2027-02-30) stays text so validation can name it.
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(self, node)
        except ValueError:
            return self.construct_scalar(node)


_SourcedLoader.add_constructor("tag:yaml.org,2002:timestamp", _SourcedLoader.construct_lenient_timestamp)
_SourcedLoader.add_constructor("tag:yaml.org,2002:map", _SourcedLoader.construct_yaml_map)
_SourcedLoader.add_constructor("tag:yaml.org,2002:seq", _SourcedLoader.construct_yaml_seq)


def load_yaml_text(text: str):
    """Parse one YAML document; raise YamlSyntaxError with a French message."""
    loader = _SourcedLoader(text)
    loader._source_text = text
    try:
        return loader.get_single_data()
    except DuplicateKeyError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, _explain_syntax_error(exc)) from None
    except yaml.YAMLError as exc:  # e.g. a second document
        raise YamlSyntaxError(1, f"le fichier n'est pas du YAML valide ({exc})") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path):
    text = path.read_text(encoding="utf-8")
    return load_yaml_text(text)


def _explain_syntax_error(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").lower()
    if "tab" in problem:
        return (
            "syntaxe YAML : une tabulation sert d'indentation"
            " — indentez avec des espaces uniquement"
        )
    if "mapping values are not allowed" in problem:
        return (
            "syntaxe YAML : un deux-points inattendu dans une valeur"
            " — mettez la valeur entre guillemets, par exemple titre: \"Accueil : un espace\""
        )
    if "could not find expected ':'" in problem:
        return (
            "syntaxe YAML : il manque le deux-points après un nom de champ"
            " — écrivez « champ: valeur »"
        )
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return (
            "syntaxe YAML : l'indentation est incohérente"
            " — alignez ce champ sur les autres champs du même niveau"
        )
    if "found unexpected end of stream" in problem or "found unexpected" in problem:
        return (
            "syntaxe YAML : un guillemet ou un crochet n'est pas refermé"
            " — vérifiez que chaque \" [ { est bien refermé"
        )
    return f"syntaxe YAML incorrecte ({exc.problem}) — vérifiez l'indentation et les guillemets"
