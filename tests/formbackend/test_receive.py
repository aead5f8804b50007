"""POST /f/{form}: answers, and what the database holds after each (the hostile requests: hostile_requests.py)."""

from __future__ import annotations

import json

import pytest

from formbackend.intake.validation import EMAIL_INVALID

from .conftest import FORM_PAGE, FULL_SESSION, NEXT, SITE, VALID, asgi_client, headers, post_form, rows
from .html_check import check_page

pytestmark = pytest.mark.anyio


async def test_sql_looking_strings_leave_the_tables_intact(app, settings):
    async with asgi_client(app) as client:
        for value in ["x'); DROP TABLE submissions;--", "1; DELETE FROM outbox", '" OR 1=1 --']:
            response = await post_form(client, "/f/contact", {**VALID["contact"], "objet": value}, headers=headers())
            assert response.status_code == 200
    objects = [
        json.loads(row[0])["objet"] for row in rows(settings.db_path, "SELECT data FROM submissions ORDER BY id")
    ]
    assert objects == ["x'); DROP TABLE submissions;--", "1; DELETE FROM outbox", '" OR 1=1 --']
    assert rows(settings.db_path, "SELECT count(*) FROM outbox")[0][0] == 6


async def test_oversized_body_without_content_length_is_refused(app, settings):
    async def chunks():
        yield b"nom=x&message="
        for _ in range(100):
            yield b"a" * 1024

    async with asgi_client(app) as client:
        response = await client.post(
            "/f/contact", content=chunks(), headers={**headers(), "Content-Type": "application/x-www-form-urlencoded"}
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"
    assert rows(settings.db_path) == []


async def test_too_many_multipart_fields_are_refused(app, settings):
    files = {f"champ{i}": (None, "x") for i in range(60)}
    async with asgi_client(app) as client:
        response = await client.post("/f/contact", files=files, headers=headers())
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_many_fields"
    assert rows(settings.db_path) == []


async def test_multipart_submission_is_accepted(app, settings):
    files = {name: (None, value) for name, value in VALID["devis"].items()}
    async with asgi_client(app) as client:
        response = await client.post("/f/devis", files=files, headers=headers())
    assert response.status_code == 200, response.text
    (data,) = [json.loads(row[0]) for row in rows(settings.db_path, "SELECT data FROM submissions")]
    assert data["agents"] == 8 and data["offre"] == "atelier"


async def test_browser_post_is_redirected_with_303_to_next(app, settings):
    async with asgi_client(app) as client:
        response = await post_form(client, "/f/inscription", VALID["inscription"], headers=headers(json=False))
    assert response.status_code == 303
    assert response.headers["location"] == NEXT
    assert response.headers["access-control-allow-origin"] == SITE and response.headers["vary"] == "Origin"
    assert rows(settings.db_path, "SELECT form, session, waiting_list FROM submissions") == [
        ("inscription", "2027-03-mutualiser-services", 0)
    ]


async def test_default_next_is_the_posting_origin_thank_you_page(app):
    data = {k: v for k, v in VALID["contact"].items() if k != "_next"}
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", data, headers=headers(origin="http://127.0.0.1:8000", json=False)
        )
    assert response.status_code == 303
    assert response.headers["location"] == "http://127.0.0.1:8000/merci/"


async def test_next_to_another_host_is_never_followed_by_a_browser(app, settings):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", {**VALID["contact"], "_next": "https://evil.example/"}, headers=headers(json=False)
        )
    assert response.status_code == 422
    assert "location" not in response.headers
    assert "evil.example" not in response.text
    check_page(response.text)
    assert rows(settings.db_path) == []


async def test_honeypot_browser_post_gets_the_normal_redirect_and_stores_nothing(app, settings):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", {**VALID["contact"], "_gotcha": "robot"}, headers=headers(json=False)
        )
    assert response.status_code == 303 and response.headers["location"] == NEXT
    assert rows(settings.db_path) == [] and rows(settings.db_path, "SELECT * FROM outbox") == []


async def test_error_page_is_french_accessible_html_linking_to_each_field(app):
    data = {**VALID["contact"], "email": "faux", "objet": ""}
    data.pop("nom")
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", list(data.items()) + [("<b>x</b>", "1")], headers=headers(json=False)
        )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = check_page(response.text)
    # Each error links to its field in the form below, filled in with what was typed.
    summary = [link for link in page.links if link.startswith("#contact-")]
    assert summary == ["#contact-nom", "#contact-email", "#contact-objet"]
    assert 'id="contact-email" name="email" type="email" value="faux"' in response.text
    assert f'<a href="{FORM_PAGE}">Revenir à la page du site</a>' in response.text
    # An unknown field has no place in the page: its message is not a dead link.
    assert not any("<b>" in link for link in page.links)
    text = "".join(page.text)
    assert "Indiquez vos prénom et nom" in text and EMAIL_INVALID in text and "Renseignez le champ « Objet »" in text
    assert "<b>x</b>" not in response.text and "&lt;b&gt;x&lt;/b&gt;" in response.text
    assert (
        "Content-Security-Policy" in response.headers
        and "unsafe-inline" not in response.headers["content-security-policy"]
    )


@pytest.mark.parametrize(
    "referer,expected",
    [
        (FORM_PAGE + "?a=1#formulaire", FORM_PAGE + "?a=1"),
        # The site root is the thank-you page's parent: a sub-path (/ateliers/) is kept.
        ("https://evil.example/page", SITE + "/ateliers/"),
        (None, SITE + "/ateliers/"),
    ],
)
async def test_error_links_use_an_allowed_referer_else_the_next_site_root(app, referer, expected):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", {**VALID["contact"], "email": ""}, headers=headers(json=False, referer=referer)
        )
    assert response.status_code == 422
    back = expected.split("#")[0]
    assert f'<a href="{back}">Revenir à la page du site</a>' in response.text


async def test_unknown_form_is_404(app, settings):
    async with asgi_client(app) as client:
        response = await post_form(client, "/f/inconnu", {"a": "b"}, headers=headers())
        page = await post_form(client, "/f/inconnu", {"a": "b"}, headers=headers(json=False))
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "unknown_form"
    assert page.status_code == 404
    check_page(page.text)


async def test_refusal_pages_are_french_html(app):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", VALID["contact"], headers=headers(origin="https://evil.example", json=False)
        )
    assert response.status_code == 403
    page = check_page(response.text)
    assert "Envoi refusé" in "".join(page.text)


async def test_cors_preflight_for_an_allowed_origin(app):
    async with asgi_client(app) as client:
        response = await client.options(
            "/f/contact",
            headers={
                "Origin": SITE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "accept, content-type",
            },
        )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.headers["access-control-allow-methods"] == "POST"
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize(
    "origin,method,asked",
    [
        ("https://evil.example", "POST", "content-type"),
        (SITE, "DELETE", ""),
        (SITE, "POST", "authorization"),
    ],
)
async def test_cors_preflight_refused(app, origin, method, asked):
    async with asgi_client(app) as client:
        response = await client.options(
            "/f/contact",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": asked,
            },
        )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_json_success_answer_carries_cors_headers_for_the_origin_only(app):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", VALID["contact"], headers=headers(origin="http://127.0.0.1:8000")
        )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "next": NEXT}
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    assert response.headers["vary"] == "Origin"


async def test_waiting_list_registration_is_flagged(app, settings):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/inscription", {**VALID["inscription"], "session": FULL_SESSION}, headers=headers()
        )
    assert response.status_code == 200
    assert rows(settings.db_path, "SELECT session, waiting_list FROM submissions") == [(FULL_SESSION, 1)]
    from tests.formbackend.lifecycle_support import mails_to

    subjects = [row[0] for row in rows(settings.db_path, "SELECT subject FROM outbox WHERE kind = 'notification'")]
    assert subjects == [f"Nouvelle inscription — {FULL_SESSION} (liste d'attente)"]
    assert [mail[1] for mail in mails_to(settings.db_path, VALID["inscription"]["email"])] == [
        "Liste d'attente : Une session complète"
    ]
    assert rows(settings.db_path, "SELECT state FROM registrations") == [("liste_attente",)]


async def test_stylesheet_and_health(app):
    async with asgi_client(app) as client:
        css = await client.get("/static/formbackend.css")
        health = await client.get("/sante")
        missing = await client.get("/nulle-part")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert health.json() == {"ok": True, "courriels": {"en_attente": 0, "abandonnes": 0}}
    assert missing.status_code == 404
    check_page(missing.text)


@pytest.mark.parametrize("size", [70 * 1024, 900 * 1024])
async def test_oversized_body_gets_a_413_through_a_real_socket(live_server, settings, size):
    import httpx

    body = b"nom=x&message=" + b"a" * size
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as client:
        response = await client.post(
            "/f/contact",
            content=body,
            headers={**headers(json=False), "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413
        assert "Envoi trop volumineux" in response.text
        check_page(response.text)
        # The connection is still usable afterwards.
        ok = await post_form(client, "/f/contact", VALID["contact"], headers())
        assert ok.status_code == 200
    assert len(rows(settings.db_path)) == 1


async def test_relative_next_is_resolved_against_the_form_page(app):
    async with asgi_client(app) as client:
        response = await post_form(
            client, "/f/contact", {**VALID["contact"], "_next": "../merci/"}, headers(json=False)
        )
    assert response.status_code == 303
    assert response.headers["location"] == SITE + "/ateliers/merci/"
