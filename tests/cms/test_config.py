"""The editing interface's configuration is generated from the model and follows it."""

from __future__ import annotations

import typing

import pytest
import yaml
from pydantic import BaseModel

from offer.cms import ATELIER_SCHEMA_LINE, Backend, CmsConfigError, cms_config, config_fields, field_for
from offer.model import AUDIENCES, MAX_GROUP_SIZE, TEXT_LIMITS, RateTable, Workshop
from offer.tools import cms_config as tool
from offer.tools.scaffold import SCHEMA_LINE
from offer.tools.schemas import build_schemas
from tests.cms.support import collection, config


def model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field path of a pydantic model, nested models and lists of models included."""
    paths = set()
    for name, info in model.model_fields.items():
        paths.add(prefix + name)
        candidates = [info.annotation, *typing.get_args(info.annotation)]
        for arg in list(candidates):
            candidates.extend(typing.get_args(arg))
        for nested in {c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)}:
            paths |= model_paths(nested, prefix + name + ".")
    return paths


def test_every_model_field_has_a_form_field():
    conf = config()
    assert model_paths(Workshop) - config_fields(conf, "ateliers") == set()
    assert model_paths(RateTable) - config_fields(conf, "tarifs") == set()
    # and nothing the model does not know (a file saved by the CMS must pass make check)
    assert config_fields(conf, "ateliers") - model_paths(Workshop) == set()
    assert config_fields(conf, "tarifs") - model_paths(RateTable) == set()


def test_a_new_model_field_reaches_the_configuration():
    """The drift test's own test: a field added to the model appears without touching offer/cms.py."""
    from pydantic import Field, create_model

    from offer.tools.schemas import build_schema

    bigger = create_model("Workshop", __base__=Workshop, salle=(str | None, Field(default=None, max_length=40)))
    schemas = {**build_schemas(), "atelier.schema.json": build_schema("atelier.schema.json", bigger)}
    conf = cms_config(schemas, Backend())
    fields = {f["name"]: f for f in collection("ateliers", conf)["fields"]}
    assert fields["salle"]["widget"] == "string"
    assert fields["salle"]["pattern"][0] == r"^[\s\S]{0,40}$"
    assert model_paths(bigger) <= config_fields(conf, "ateliers")


def test_an_unknown_shape_is_an_error_not_a_missing_field():
    schema = {"$defs": {}}
    with pytest.raises(CmsConfigError, match="champ « bizarre »"):
        field_for(schema, "bizarre", {"type": "array", "items": {"type": "array"}}, True)


def fields_of(name: str) -> dict:
    def walk(fields, prefix=""):
        out = {}
        for f in fields:
            out[prefix + f["name"]] = f
            out.update(walk(f.get("fields", []), prefix + f["name"] + "."))
        return out

    c = collection(name)
    return walk(c.get("fields") or c["files"][0]["fields"])


def test_widgets_bounds_and_rules_come_from_the_model():
    f = fields_of("ateliers")
    assert [o["value"] for o in f["type"]["options"]] == ["atelier", "codev"]
    assert [o["value"] for o in f["statut"]["options"]] == ["programme", "reporte", "annule"]
    assert f["statut"]["default"] == "programme" and not f["statut"]["required"]
    assert f["public"]["multiple"] and [o["value"] for o in f["public"]["options"]] == list(AUDIENCES)
    assert f["public"]["min"] == 1 and f["seances"]["min"] == 1 and f["seances"]["widget"] == "list"
    assert f["capacite"] == {**f["capacite"], "widget": "number", "value_type": "int", "min": 1}
    assert f["capacite"]["max"] == max(MAX_GROUP_SIZE.values())
    assert f["inscrits"]["min"] == 0 and f["inscrits"]["default"] == 0
    assert f["seances.date"]["widget"] == "datetime" and f["seances.date"]["format"] == "YYYY-MM-DD"
    assert f["seances.date"]["required"] and f["seances.date"]["default"] == ""
    assert f["seances.debut"]["format"] == "HH:mm" and not f["seances.debut"]["required"]
    assert f["seances.duree"]["widget"] == "select"
    assert f["description"]["widget"] == "markdown"
    limit = TEXT_LIMITS["titre"]  # the model's limit flows into the form
    assert f["titre"]["pattern"][0] == rf"^[\s\S]{{0,{limit}}}$" and f"{limit} caractères" in f["titre"]["pattern"][1]
    assert f["slug"]["pattern"][0].startswith(r"^(?=[\s\S]{0,80}$)")
    assert f["contact.email"]["pattern"][1].startswith("Une adresse électronique")
    required = {name for name, field in f.items() if field["required"] and "." not in name}
    assert required == set(Workshop.model_json_schema()["required"])
    # French labels and hints from the model's descriptions
    assert f["capacite"]["label"] == "Capacité" and f["capacite"]["hint"].startswith("Nombre de places")
    assert f["lieu.adresse"]["hint"] == Workshop.model_fields["lieu"].annotation.model_fields["adresse"].description
    rates = fields_of("tarifs")
    assert rates["tarifs"]["allow_remove"] is False and rates["tarifs.annee"]["min"] == 2000


def test_collections_files_and_slugs():
    conf = config()
    ateliers, pages, tarifs = (collection(n, conf) for n in ("ateliers", "pages", "tarifs"))
    assert ateliers["folder"] == "content/ateliers" and ateliers["extension"] == "yaml"
    assert ateliers["slug"].startswith("{{fields.seances.0.date | date('YYYY-MM')}}-")
    assert ateliers["cdg44"]["schema_line"] == ATELIER_SCHEMA_LINE == SCHEMA_LINE
    assert pages["folder"] == "content/pages" and pages["format"] == "pelican-markdown"
    assert tarifs["files"][0]["file"] == "content/tarifs.yaml"
    assert conf["locale"] == "fr" and conf["publish_mode"] == "editorial_workflow"


def test_backends_as_settings():
    gitlab = config(name="gitlab", repo="cdg/site", base_url="https://gitlab.cdg44.fr/", app_id="abc")["backend"]
    assert gitlab | {"auth_type": "pkce", "app_id": "abc"} == gitlab
    assert gitlab["base_url"] == "https://gitlab.cdg44.fr" and gitlab["api_root"] == "https://gitlab.cdg44.fr/api/v4"
    gitea = config(name="gitea", repo="cdg/site", base_url="https://forge.cdg44.fr", app_id="x")["backend"]
    assert gitea["api_root"] == "https://forge.cdg44.fr/api/v1" and gitea["app_id"] == "x"
    # Decap's Gitea backend refuses the editorial workflow; Forgejo's has it.
    assert "publish_mode" not in config(name="gitea") and config(name="forgejo")["publish_mode"] == "editorial_workflow"
    assert config(name="github", repo="cdg/site")["backend"]["name"] == "github"
    assert config(name="forgejo", repo="cdg/site")["backend"]["name"] == "forgejo"
    assert "local_backend" not in config() and config(local_backend=True)["local_backend"]["url"].startswith(
        "http://127.0.0.1:"
    )
    with pytest.raises(CmsConfigError, match="forge « bitbucket » inconnue"):
        config(name="bitbucket")


def test_the_command_prints_the_same_configuration(capsys):
    assert tool.main(["--forge", "gitlab", "--adresse", "https://gitlab.cdg44.fr", "--application", "id"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["collections"][0]["fields"] == collection("ateliers")["fields"]
    assert printed["backend"]["app_id"] == "id"
