"""Download names in any script (issue 8, item 9): RFC 6266 with an ASCII fallback."""

from __future__ import annotations

import urllib.parse

import pytest

from formbackend.responses import attachment

from .conftest import asgi_client, make_settings
from .hostile_requests import ADMIN, ADMIN_PASSWORD, ADMIN_USER

pytestmark = pytest.mark.anyio

NAMES = [
    "inscription.csv",
    "inscription-日本.csv",
    "inscription-сессия.csv",
    "inscription-Ελληνικά.csv",
    "inscription-été-à-nantes.csv",
    "inscription-🙂.csv",
    'inscription-a"; filename=evil.sh.csv',
    "inscription-a\r\nSet-Cookie: x=1.csv",
    "日本.csv",
]


def as_browser_reads(value: str) -> str:
    """The name a browser takes from the header: filename* (RFC 8187) when present, else filename (RFC 6266)."""
    kind, *parameters = value.split(";")  # neither value holds a ";": one is percent-encoded, the other sanitised
    assert kind == "attachment"
    found = dict(parameter.strip().partition("=")[::2] for parameter in parameters)
    if "filename*" in found:
        charset, _language, encoded = found["filename*"].split("'", 2)
        return urllib.parse.unquote(encoded, encoding=charset, errors="strict")
    return found["filename"].strip('"')


@pytest.mark.parametrize("name", NAMES)
def test_the_header_is_ascii_and_gives_back_the_exact_name(name):
    value = attachment(name)
    assert value.isascii() and "\r" not in value and "\n" not in value
    assert value.startswith('attachment; filename="')
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and all(char.isalnum() or char in "._-" for char in fallback)
    assert as_browser_reads(value) == name


@pytest.mark.parametrize("session", ["日本", "Ελληνικά", "сессия", "été-à-nantes", "🙂" * 100])
async def test_the_csv_export_of_a_session_named_in_any_script(make_app, tmp_path, session):
    app = make_app(make_settings(tmp_path, admin_user=ADMIN_USER, admin_password=ADMIN_PASSWORD))
    async with asgi_client(app) as client:
        response = await client.get(
            "/admin/formulaires/inscription/export.csv", params={"session": session}, headers=ADMIN
        )
    assert response.status_code == 200
    assert response.text.startswith("\ufeffN°;Reçu le;")
    assert as_browser_reads(response.headers["content-disposition"]) == f"inscription-{session[:80]}.csv"
