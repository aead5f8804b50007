"""The administration: authentication on every page, listings, CSV, counts, a person's data."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import pytest

from formbackend.backoffice.admin import csrf_token

from .conftest import FULL_SESSION, SITE, VALID, asgi_client, headers, make_settings, post_form, rows
from .html_check import check_page

pytestmark = pytest.mark.anyio

USER, PASSWORD = "gestion", "mot-de-passe-long-é"
SESSION = VALID["inscription"]["session"]


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


GOOD = basic(USER, PASSWORD)

PAGES = [
    ("GET", "/admin/", None),
    ("GET", "/admin/formulaires/contact", None),
    ("GET", "/admin/formulaires/inscription/export.csv", None),
    ("GET", f"/admin/sessions/{SESSION}", None),
    ("POST", "/admin/inscrits", "jeton"),
    ("POST", "/admin/courriels/renvoyer", "jeton"),
    ("GET", "/admin/personne?email=lea.bernard@exemple.fr", None),
    ("GET", "/admin/personne.json?email=lea.bernard@exemple.fr", None),
    ("POST", "/admin/personne/effacer", "jeton"),
]
BAD_CREDENTIALS = {
    "absents": {},
    "mauvais-mot-de-passe": basic(USER, "mauvais"),
    "mauvais-utilisateur": basic("admin", PASSWORD),
    "mot-de-passe-vide": basic(USER, ""),
    "en-tete-mal-forme": {"Authorization": "Basic !!!"},
    "autre-schema": {"Authorization": f"Bearer {USER}"},
}


@pytest.fixture
def admin_settings(tmp_path):
    return make_settings(tmp_path, admin_user=USER, admin_password=PASSWORD)


@pytest.fixture
def admin_app(make_app, admin_settings):
    return make_app(admin_settings)


async def fill(client, count: int = 1):
    for form in ("inscription", "devis", "contact"):
        for number in range(count):
            data = VALID[form]
            if form == "inscription":  # one registration per person and session
                data = {**data, "email": f"agent{number}.{data['email']}"}
            assert (await post_form(client, f"/f/{form}", data, headers())).status_code == 200


async def call(client, method, path, token, credentials):
    if method == "GET":
        return await client.get(path, headers=credentials)
    data = {"jeton": token, "email": "lea.bernard@exemple.fr"}
    return await client.post(path, data=data, headers=credentials)


@pytest.mark.parametrize("credentials", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
@pytest.mark.parametrize("method,path,token", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
async def test_every_admin_page_refuses_missing_or_wrong_credentials(
    admin_app, admin_settings, method, path, token, credentials
):
    async with asgi_client(admin_app) as client:
        await fill(client)
        response = await call(client, method, path, csrf_token(admin_settings), credentials)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="')
    assert "Identification requise" in response.text
    assert "Lefèvre" not in response.text and "lea.bernard" not in response.text
    assert len(rows(admin_settings.db_path)) == 3  # nothing erased
    assert not admin_settings.counts_path.exists()  # nothing written


@pytest.mark.parametrize("missing", ["admin_user", "admin_password", "both"])
@pytest.mark.parametrize("method,path,token", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
async def test_admin_is_disabled_without_credentials_configured(make_app, tmp_path, method, path, token, missing):
    changes = {"admin_user": USER, "admin_password": PASSWORD}
    for key in ["admin_user", "admin_password"] if missing == "both" else [missing]:
        changes[key] = ""
    app = make_app(make_settings(tmp_path, **changes))
    async with asgi_client(app) as client:
        response = await call(client, method, path, "x", GOOD)
    assert response.status_code == 503
    assert "Administration désactivée" in response.text
    assert "www-authenticate" not in response.headers


async def test_wrong_passwords_are_slowed_down(admin_app):
    async with asgi_client(admin_app) as client:
        statuses = [(await client.get("/admin/", headers=basic(USER, f"essai{i}"))).status_code for i in range(22)]
        good = await client.get("/admin/", headers=GOOD)
    assert statuses[:20] == [401] * 20 and statuses[20:] == [429, 429]
    # While locked, even the right password waits: otherwise guessing goes on
    # and a 200 among the 429s gives the password away.
    assert good.status_code == 429 and int(good.headers["retry-after"]) > 0


async def test_index_lists_forms_sessions_and_mail(admin_app):
    async with asgi_client(admin_app) as client:
        await fill(client, 2)
        await post_form(client, "/f/inscription", {**VALID["inscription"], "session": FULL_SESSION}, headers())
        response = await client.get("/admin/", headers=GOOD)
    assert response.status_code == 200
    page = check_page(response.text)
    text = " ".join("".join(page.text).split())
    assert "S'inscrire à une session (inscription) 3" in text
    assert f"{SESSION}</a></th><td>2</td><td>0</td>" in response.text  # 2 registered
    assert f"{FULL_SESSION}</a></th><td>0</td><td>1</td>" in response.text  # 1 on the waiting list
    assert "0 envoyé(s), 14 en attente d’envoi" in text  # 7 submissions, 2 mails each
    assert "/admin/formulaires/devis/export.csv" in page.links
    assert '<link rel="stylesheet" href="/static/formbackend.css">' in response.text


async def test_submissions_are_escaped_in_the_admin_pages(admin_app):
    hostile = "<script>alert('x')</script>"
    async with asgi_client(admin_app) as client:
        await post_form(
            client,
            "/f/contact",
            {**VALID["contact"], "objet": hostile, "message": '"><img src=x onerror=alert(1)>'},
            headers(),
        )
        listing = await client.get("/admin/formulaires/contact", headers=GOOD)
        person = await client.get("/admin/personne?email=LEA.Bernard@exemple.fr", headers=GOOD)
    for response in (listing, person):
        assert response.status_code == 200
        check_page(response.text)  # no <script>, no inline handler got through
        assert hostile not in response.text and "&lt;script&gt;" in response.text
        assert "<img" not in response.text


async def test_session_page_lists_its_registrations(admin_app):
    async with asgi_client(admin_app) as client:
        await fill(client)
        await post_form(
            client, "/f/inscription", {**VALID["inscription"], "session": "autre-session", "nom": "Autre"}, headers()
        )
        response = await client.get(f"/admin/sessions/{SESSION}", headers=GOOD)
    assert response.status_code == 200
    check_page(response.text)
    assert "Martin" in response.text and "Autre" not in response.text


async def test_csv_export(admin_app):
    values = {
        "=1+2": "'=1+2",
        "+33 2 40 20 77 50": "'+33 2 40 20 77 50",
        "-5": "'-5",
        "@SUM(A1)": "'@SUM(A1)",
        'Sans risque ; avec "guillemets"': 'Sans risque ; avec "guillemets"',
    }
    async with asgi_client(admin_app) as client:
        for value in values:
            data = {**VALID["contact"], "objet": value, "collectivite": value, "message": "Ligne 1\r\nLigne 2"}
            assert (await post_form(client, "/f/contact", data, headers())).status_code == 200
        response = await client.get("/admin/formulaires/contact/export.csv", headers=GOOD)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="contact.csv"'
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 1 + len(values)  # CRLF ends each record; the message's newline stays LF, quoted
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[0] == [
        "N°",
        "Reçu le",
        "Prénom et nom",
        "Adresse électronique",
        "Collectivité ou établissement",
        "Objet",
        "Message",
    ]
    assert [row[4] for row in table[1:]] == list(values.values())
    assert [row[5] for row in table[1:]] == list(values.values())
    assert {row[6] for row in table[1:]} == {"Ligne 1\nLigne 2"}
    assert all(re.match(r"\d\d/\d\d/\d{4} à \d\d:\d\d", row[1]) for row in table[1:])
    assert b'"Sans risque ; avec ""guillemets"""' in raw


async def test_csv_cell_starting_with_carriage_return_is_neutralised():
    from formbackend.backoffice.csv_export import export_text, neutralise
    from formbackend.forms import load
    from formbackend.store import StoredSubmission

    from .conftest import FORMS_PATH

    definition = load(FORMS_PATH).formulaires["contact"]
    text = export_text(
        definition,
        [
            StoredSubmission(
                1,
                "contact",
                "2026-11-30T10:00:00.000000Z",
                None,
                False,
                {"nom": "\rX", "email": "\tY", "message": '=HYPERLINK("http://x")'},
            )
        ],
    )
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert table[1][2] == "'\rX" and table[1][3] == "'\tY" and table[1][6] == '\'=HYPERLINK("http://x")'
    assert neutralise(12) == "12" and neutralise(None) == ""


async def test_counts_need_the_page_token_then_write_the_file(admin_app, admin_settings):
    async with asgi_client(admin_app) as client:
        await fill(client, 3)
        await post_form(client, "/f/inscription", {**VALID["inscription"], "session": FULL_SESSION}, headers())
        await post_form(client, "/f/inscription", {**VALID["inscription"], "session": "2027-09-autre"}, headers())
        forged = await client.post("/admin/inscrits", data={"jeton": "faux"}, headers=GOOD)
        assert forged.status_code == 403 and not admin_settings.counts_path.exists()
        index = await client.get("/admin/", headers=GOOD)
        token = re.search(r'name="jeton" value="([0-9a-f]+)"', index.text).group(1)
        response = await client.post("/admin/inscrits", data={"jeton": token}, headers=GOOD)
    assert response.status_code == 200
    check_page(response.text)
    assert json.loads(admin_settings.counts_path.read_text(encoding="utf-8")) == {
        SESSION: 3,
        "2027-09-autre": 1,
        FULL_SESSION: 0,
    }


async def test_person_export_and_erase(admin_app, admin_settings):
    async with asgi_client(admin_app) as client:
        await fill(client, 2)
        other = {**VALID["contact"], "email": "quelquun@exemple.fr"}
        await post_form(client, "/f/contact", other, headers())
        exported = await client.get("/admin/personne.json?email=Lea.Bernard@EXEMPLE.fr", headers=GOOD)
        page = await client.get("/admin/personne?email=lea.bernard@exemple.fr", headers=GOOD)
        token = re.search(r'name="jeton" value="([0-9a-f]+)"', page.text).group(1)
        forged = await client.post("/admin/personne/effacer", data={"email": "lea.bernard@exemple.fr"}, headers=GOOD)
        erased = await client.post(
            "/admin/personne/effacer", data={"email": "lea.bernard@exemple.fr", "jeton": token}, headers=GOOD
        )
        again = await client.get("/admin/personne.json?email=lea.bernard@exemple.fr", headers=GOOD)
        bad = await client.get("/admin/personne.json?email=pas-une-adresse", headers=GOOD)
    assert exported.status_code == 200
    data = exported.json()
    assert data["nombre_envois"] == 2 and {item["formulaire"] for item in data["envois"]} == {"contact"}
    assert data["envois"][0]["donnees"]["nom"] == "Léa Bernard"
    assert forged.status_code == 403
    assert erased.status_code == 200 and "2 envois de cette adresse ont été effacés" in erased.text
    assert again.json()["nombre_envois"] == 0
    assert bad.status_code == 422
    remaining = rows(admin_settings.db_path, "SELECT email_key FROM submissions ORDER BY id")
    assert ("lea.bernard@exemple.fr",) not in remaining and len(remaining) == 5
    recipients = [row[0] for row in rows(admin_settings.db_path, "SELECT recipients FROM outbox")]
    assert "lea.bernard@exemple.fr" not in recipients and "quelquun@exemple.fr" in recipients


async def test_admin_pages_are_not_cached_nor_framed(admin_app):
    async with asgi_client(admin_app) as client:
        response = await client.get("/admin/", headers=GOOD)
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert SITE not in response.text
