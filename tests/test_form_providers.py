"""The form providers' adapters (offer/form_providers.py) and the
production build's refusal of incomplete form settings."""

from __future__ import annotations

import pytest

from offer.form_providers import (
    PROVIDERS,
    FormTarget,
    ProviderSettingsError,
    check_provider_settings,
    provider_for,
)
from tests.conftest import build_site

THANKS = "https://www.cdg44.fr/ateliers/merci/"
FORMS = ["inscription", "devis", "contact"]
FORMSPREE_IDS = {"inscription": "xinscr1", "devis": "xdevis2", "contact": "xcontact3"}


# -- choosing a provider ------------------------------------------------------------------
@pytest.mark.parametrize("value", [None, ""])
def test_the_self_hosted_receiver_is_the_default(value):
    assert provider_for({"FORM_PROVIDER": value}).name == "selfhosted"
    assert provider_for({}).name == "selfhosted"


def test_an_unknown_provider_is_refused_in_french_with_the_choices():
    with pytest.raises(ProviderSettingsError) as error:
        provider_for({"FORM_PROVIDER": "typeform"})
    message = str(error.value)
    assert "fournisseur de formulaires inconnu « typeform »" in message
    for name in PROVIDERS:
        assert name in message
    assert check_provider_settings({"FORM_PROVIDER": "typeform"}, FORMS) == [message]


def test_hosted_providers_outside_the_eu_say_so():
    assert PROVIDERS["selfhosted"].outside_eu is False
    assert PROVIDERS["formspree"].outside_eu is True
    assert PROVIDERS["netlify"].outside_eu is True


# -- self-hosted ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "endpoint", ["https://formulaires.cdg44.fr", "https://formulaires.cdg44.fr/", " https://formulaires.cdg44.fr/ "]
)
def test_self_hosted_posts_to_the_receiver_and_sends_the_visitor_back(endpoint):
    target = provider_for({"FORM_PROVIDER": "selfhosted"}).target("devis", {"FORM_ENDPOINT": endpoint}, THANKS)
    assert target == FormTarget(
        action="https://formulaires.cdg44.fr/f/devis", hidden={"_next": THANKS}, honeypot="_gotcha"
    )
    assert target.method == "post"
    assert target.ajax is True
    assert target.form_attributes == {}


def test_self_hosted_under_a_sub_path():
    target = PROVIDERS["selfhosted"].target("contact", {"FORM_ENDPOINT": "https://www.cdg44.fr/formulaires/"}, THANKS)
    assert target.action == "https://www.cdg44.fr/formulaires/f/contact"


def test_self_hosted_without_endpoint_lists_the_missing_setting_in_french():
    problems = check_provider_settings({"FORM_PROVIDER": "selfhosted", "FORM_ENDPOINT": ""}, FORMS)
    assert len(problems) == 1
    assert "OFFER['FORM_ENDPOINT'] est vide" in problems[0]
    assert "« selfhosted »" in problems[0]
    with pytest.raises(ProviderSettingsError, match="FORM_ENDPOINT"):
        PROVIDERS["selfhosted"].target("contact", {"FORM_ENDPOINT": ""}, THANKS)


@pytest.mark.parametrize("endpoint", ["formulaires.cdg44.fr", "ftp://formulaires.cdg44.fr", "https://", "   "])
def test_self_hosted_with_an_unusable_endpoint_says_what_to_write(endpoint):
    problems = check_provider_settings({"FORM_ENDPOINT": endpoint}, FORMS)
    assert len(problems) == 1, problems  # one problem, not one per form
    assert "FORM_ENDPOINT" in problems[0]
    assert "https://formulaires.cdg44.fr" in problems[0]


def test_self_hosted_complete_settings_have_no_problem():
    assert (
        check_provider_settings({"FORM_PROVIDER": "selfhosted", "FORM_ENDPOINT": "https://formulaires.cdg44.fr"}, FORMS)
        == []
    )


# -- Formspree ------------------------------------------------------------------------------
def test_formspree_posts_to_the_form_id_with_its_honeypot():
    settings = {"FORM_PROVIDER": "formspree", "FORMSPREE_IDS": FORMSPREE_IDS}
    for form_name, form_id in FORMSPREE_IDS.items():
        target = provider_for(settings).target(form_name, settings, THANKS)
        assert target.action == f"https://formspree.io/f/{form_id}"
        assert target.hidden["_next"] == THANKS
        assert target.hidden["_subject"]
        assert target.honeypot == "_gotcha"
        assert target.ajax is True
    assert check_provider_settings(settings, FORMS) == []


def test_formspree_without_ids_lists_the_missing_setting_in_french():
    problems = check_provider_settings({"FORM_PROVIDER": "formspree", "FORMSPREE_IDS": {}}, FORMS)
    assert problems == [
        "le réglage OFFER['FORMSPREE_IDS'] est vide alors que le fournisseur de formulaires est « formspree »"
        " — renseignez-le (voir docs/exploitation.md)"
    ]


def test_formspree_lists_each_form_without_an_id():
    settings = {"FORM_PROVIDER": "formspree", "FORMSPREE_IDS": {"inscription": "xinscr1", "devis": "  "}}
    problems = check_provider_settings(settings, FORMS)
    assert len(problems) == 2
    assert any("« devis »" in problem for problem in problems)
    assert any("« contact »" in problem for problem in problems)
    assert all("FORMSPREE_IDS" in problem and "publishconf.py" in problem for problem in problems)
    with pytest.raises(ProviderSettingsError, match="« contact »"):
        PROVIDERS["formspree"].target("contact", settings, THANKS)


# -- Netlify Forms --------------------------------------------------------------------------
def test_netlify_is_a_plain_post_the_host_recognises():
    settings = {"FORM_PROVIDER": "netlify"}
    target = provider_for(settings).target("contact", settings, THANKS)
    assert target.action == THANKS
    assert target.hidden == {"form-name": "contact"}
    assert target.honeypot == "bot-field"
    assert target.ajax is False  # Netlify answers with its own page, not JSON
    # Netlify finds a form by its name attribute, which must match form-name.
    assert target.form_attributes == {"name": "contact", "data-netlify": "true", "netlify-honeypot": "bot-field"}
    assert check_provider_settings(settings, FORMS) == []


# -- the production build -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"FORM_PROVIDER": "formspree"},
            "le réglage OFFER['FORMSPREE_IDS'] est vide alors que le fournisseur de formulaires est « formspree »",
        ),
        (
            {"FORM_PROVIDER": "selfhosted", "FORM_ENDPOINT": ""},
            "le réglage OFFER['FORM_ENDPOINT'] est vide alors que le fournisseur de formulaires est « selfhosted »",
        ),
    ],
    ids=["formspree-sans-identifiants", "recepteur-sans-adresse"],
)
def test_publishconf_refuses_incomplete_form_settings_and_keeps_the_published_site(tmp_path, env, expected):
    output = tmp_path / "output"
    output.mkdir()
    marker = output / "index.html"
    marker.write_text("site publié précédemment\n", encoding="utf-8")
    result = build_site(output, settings="publishconf.py", env=env)
    logs = result.stdout + result.stderr
    assert result.returncode != 0, logs
    assert expected in logs
    assert "Traceback" not in logs
    assert sorted(p.name for p in output.iterdir()) == ["index.html"]
    assert marker.read_text(encoding="utf-8") == "site publié précédemment\n"


def test_hosted_providers_outside_the_eu_say_so_in_the_privacy_notice(tmp_path):
    from tests.conftest import build_site

    hosted = build_site(tmp_path / "netlify", env={"FORM_PROVIDER": "netlify"})
    assert hosted.returncode == 0, hosted.stderr
    contact = (tmp_path / "netlify" / "contact" / "index.html").read_text(encoding="utf-8")
    assert 'id="contact"' in contact and "Netlify" in contact and "États-Unis" in contact
    selfhosted = build_site(tmp_path / "self")
    assert selfhosted.returncode == 0, selfhosted.stderr
    assert "États-Unis" not in (tmp_path / "self" / "contact" / "index.html").read_text(encoding="utf-8")
