"""The committed JSON Schemas are the generated ones, in French, and fit the samples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from offer.tools import schemas

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "schemas"
GENERATED = schemas.build_schemas()
FRENCH_HINT = re.compile(
    r"[éèêàçùôîœ«»]|\b(le|la|les|des|du|un|une|de|par|ou|au|en|si|et|jeton|champ|nombre|valeur)\b", re.IGNORECASE
)


def object_schemas(schema: dict):
    """(name, object schema) for the root and every object of $defs."""
    yield "racine", schema
    for name, definition in schema.get("$defs", {}).items():
        if "properties" in definition:
            yield name, definition


@pytest.mark.parametrize("filename", sorted(GENERATED))
def test_committed_schema_is_up_to_date(filename):
    committed = (FOLDER / filename).read_text(encoding="utf-8")
    assert committed == schemas.render(GENERATED[filename]), (
        f"schemas/{filename} is out of date: run `python -m offer.tools.schemas`"
    )


def test_rendering_is_deterministic():
    text = schemas.render(GENERATED["atelier.schema.json"])
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == schemas.render(schemas.build_schemas()["atelier.schema.json"])
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("filename", sorted(GENERATED))
def test_schema_header_and_french_texts(filename):
    schema = json.loads((FOLDER / filename).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert FRENCH_HINT.search(schema["description"]) and FRENCH_HINT.search(schema["title"] + " de")
    for name, obj in object_schemas(schema):
        assert obj.get("additionalProperties") is False, name
        for prop, sub in obj["properties"].items():
            description = sub.get("description", "")
            assert description.strip(), f"{filename}: {name}.{prop} has no description"
            assert FRENCH_HINT.search(description), f"{filename}: {name}.{prop}: {description!r}"
            assert sub.get("title"), f"{filename}: {name}.{prop} has no title"
    for name, definition in schema.get("$defs", {}).items():
        assert FRENCH_HINT.search(definition.get("description", "")), f"{filename}: $defs.{name}"
    assert "One workshop" not in json.dumps(schema)  # the model's English docstring stays out


def test_atelier_schema_rules_follow_the_brochure():
    schema = GENERATED["atelier.schema.json"]
    rules = {rule["if"]["properties"]["type"]["const"]: rule["then"] for rule in schema["allOf"]}
    assert rules["atelier"]["properties"]["capacite"]["maximum"] == 15
    assert rules["codev"]["properties"]["capacite"]["maximum"] == 8
    assert set(rules["atelier"]["required"]) == {"question", "objet"}
    assert schema["properties"]["seances"]["title"] == "Séances"


def _keys(data, schema: dict, root: dict, where: str):
    """Every key of data is a property of the schema, recursively (a minimal validator)."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        objects = [s for s in schema["anyOf"] if "$ref" in s or s.get("type") == "object"]
        if objects and isinstance(data, dict):
            schema = objects[0]
            if "$ref" in schema:
                schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    if isinstance(data, dict) and "properties" in schema:
        for key, value in data.items():
            assert key in schema["properties"], f"{where}: unknown key {key!r}"
            _keys(value, schema["properties"][key], root, f"{where}.{key}")
        for key in schema.get("required", []):
            assert key in data, f"{where}: missing {key!r}"
    elif isinstance(data, list) and "items" in schema:
        for index, item in enumerate(data):
            _keys(item, schema["items"], root, f"{where}[{index + 1}]")


SAMPLES = sorted((ROOT / "content" / "ateliers").glob("*.yaml"))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_keys_are_in_the_schema(path):
    schema = GENERATED["atelier.schema.json"]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _keys(data, schema, schema, path.name)
    for value in data["public"]:
        assert value in schema["properties"]["public"]["items"]["enum"]
    assert data["type"] in schema["$defs"]["OfferType"]["enum"]


def test_rates_and_forms_keys_are_in_their_schemas():
    for filename, content in (("tarifs.schema.json", "tarifs.yaml"), ("forms.schema.json", "forms.yaml")):
        schema = GENERATED[filename]
        data = yaml.safe_load((ROOT / "content" / content).read_text(encoding="utf-8"))
        _keys(data, schema, schema, content)


def test_content_files_point_at_their_schema():
    assert (
        (ROOT / "content" / "tarifs.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../schemas/tarifs.schema.json")
    )
    assert (
        (ROOT / "content" / "forms.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../schemas/forms.schema.json")
    )


def test_verifier_and_write(tmp_path, capsys):
    assert schemas.main(["--dossier", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED)
    assert schemas.main(["--dossier", str(tmp_path), "--verifier"]) == 0
    (tmp_path / "tarifs.schema.json").write_text("{}\n", encoding="utf-8")
    assert schemas.main(["--dossier", str(tmp_path), "--verifier"]) == 1
    assert "tarifs.schema.json n'est pas à jour" in capsys.readouterr().out
    assert schemas.write_schemas(tmp_path) == [tmp_path / "tarifs.schema.json"]
