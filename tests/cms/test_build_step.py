"""The /admin/ build step (plugins/offer_cms): skipped with a French warning without the npm packages."""

from __future__ import annotations

import logging

import pytest

import offer_cms
from tests.conftest import ROOT


@pytest.fixture
def without_npm(monkeypatch, tmp_path):
    monkeypatch.setattr(offer_cms, "DECAP_DIST", tmp_path / "absent" / "dist")
    monkeypatch.setattr(offer_cms, "ESBUILD", tmp_path / "absent" / "esbuild")


def test_without_npm_packages_the_site_is_built_without_admin(without_npm, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert offer_cms.write_admin(tmp_path / "out", ROOT / "content", {"CMS": {}}) is None
    assert not (tmp_path / "out" / "admin").exists()
    assert "interface d'édition /admin/ non construite" in caplog.text and "make npm-deps" in caplog.text


def test_required_stops_the_build(without_npm, tmp_path):
    with pytest.raises(offer_cms.CmsBuildError, match="les paquets npm manquent"):
        offer_cms.write_admin(tmp_path / "out", ROOT / "content", {"CMS": {"REQUIRED": True}})


def test_disabled_and_unknown_settings(tmp_path):
    assert offer_cms.write_admin(tmp_path / "out", ROOT / "content", {"CMS": {"ENABLED": False}}) is None
    with pytest.raises(offer_cms.CmsBuildError, match="réglage\\(s\\) CMS inconnu\\(s\\) : FORGE"):
        offer_cms.write_admin(tmp_path / "out", ROOT / "content", {"CMS": {"FORGE": "gitlab"}})


def test_the_preview_gets_the_rates_of_the_build(tmp_path):
    admin = offer_cms.write_admin(
        tmp_path / "out", ROOT / "content", {"CMS": {}, "OFFER": {"LAST_PLACES_THRESHOLD": 2}}
    )
    import yaml

    config = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    rules = config["collections"][0]["cdg44"]["rules"]
    assert rules["rates"][0] == {"annee": 2020, "journee": 280.0, "demi_journee": 140.0}
    assert rules["threshold"] == 2 and rules["max_group_size"] == {"atelier": 15, "codev": 8}
    assert (admin / "config.yml").read_text(encoding="utf-8").startswith("# Généré par la construction du site")
