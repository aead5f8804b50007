"""The no-JavaScript error page (issue 9): dressed as the site, naming the session, and
holding the form again with what the visitor typed, which can be sent from there."""

from __future__ import annotations

import re

import pytest

from tests.formbackend.conftest import NEXT, SITE, VALID, asgi_client, headers, make_settings, post_form, rows
from tests.formbackend.html_check import check_page
from tests.formbackend.test_open_sessions import registration, sessions_file  # noqa: F401 - a fixture

RECEIVER = "http://formulaires.test"  # the test client's base URL


@pytest.fixture
def checked_app(make_app, tmp_path, sessions_file):  # noqa: F811 - the imported fixture
    return make_app(make_settings(tmp_path, sessions_path=sessions_file))


def directives(policy: str) -> dict:
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())


@pytest.mark.anyio
async def test_the_error_page_looks_like_the_site_and_names_the_session(checked_app):
    data = {**registration("ouverte"), "email": "pas-une-adresse", "prenom": ""}
    async with asgi_client(checked_app) as client:
        response = await post_form(client, "/f/inscription", data, headers(json=False))
    assert response.status_code == 422
    page = check_page(response.text)
    # The site's stylesheet, header and footer, from the site's root (the thank-you page's parent).
    assert f'<link rel="stylesheet" href="{SITE}/ateliers/theme/css/site.css">' in response.text
    assert 'class="site-header"' in response.text and 'class="site-footer"' in response.text
    assert f"{SITE}/ateliers/mentions-legales/" in page.links
    policy = directives(response.headers["content-security-policy"])
    assert policy["style-src"] == f"'self' {SITE}"
    assert policy["form-action"] == f"'self' {SITE}"
    assert "script-src" not in policy and policy["default-src"] == "'none'"
    assert "Session : « Une session ouverte »" in response.text
    # What the visitor typed is in the form again, the errors beside their fields.
    assert 'name="email" type="email" value="pas-une-adresse"' in response.text
    assert 'name="nom" type="text" value="Martin"' in response.text
    assert 'id="inscription-prenom-erreur"' in response.text
    assert '<input type="hidden" name="session" value="ouverte">' in response.text
    assert f'<input type="hidden" name="_next" value="{NEXT}">' in response.text
    assert re.search(r'<form class="form" id="inscription" method="post" action="/f/inscription"', response.text)
    assert [link for link in page.links if link.startswith("#inscription-")] == [
        "#inscription-prenom",
        "#inscription-email",
    ]


@pytest.mark.anyio
async def test_the_form_sent_again_from_the_error_page_is_accepted(checked_app, tmp_path):
    corrected = registration("ouverte")
    async with asgi_client(checked_app) as client:
        # A browser posting the error page's form: Origin and Referer are the receiver's own.
        response = await post_form(
            client,
            "/f/inscription",
            corrected,
            headers(origin=RECEIVER, json=False, referer=RECEIVER + "/f/inscription"),
        )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == NEXT
    assert len(rows(tmp_path / "var" / "formulaires.sqlite3")) == 1


@pytest.mark.anyio
async def test_another_origin_is_still_refused(checked_app):
    async with asgi_client(checked_app) as client:
        response = await post_form(
            client, "/f/contact", VALID["contact"], headers(origin="https://evil.example", json=False)
        )
    assert response.status_code == 403


@pytest.mark.anyio
async def test_the_error_page_is_valid_html(checked_app, tmp_path):
    from tests.test_html_validity import describe, run_vnu

    data = {**registration("ouverte"), "email": "pas-une-adresse", "prenom": ""}
    async with asgi_client(checked_app) as client:
        response = await post_form(client, "/f/inscription", data, headers(json=False))
    page = tmp_path / "erreurs.html"
    page.write_text(response.text, encoding="utf-8")
    messages = run_vnu([page])
    assert not messages, describe(messages, tmp_path)
