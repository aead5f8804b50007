"""Every request of the hostile corpus (hostile_requests.py) against the receiver, with its expected answer."""

from __future__ import annotations

import html
import json

import pytest

from .conftest import asgi_client, make_settings, rows
from .hostile_requests import ADMIN_PASSWORD, ADMIN_USER, CORPUS, Hostile

pytestmark = pytest.mark.anyio


def answer_text(response) -> str:
    """The answer as the corpus' `has` fragments are written against: headers, then the body."""
    lines = [f"{name}: {value}" for name, value in response.headers.items()]
    body = response.text
    if response.headers.get("content-type", "").startswith("text/html"):
        body = html.unescape(body)
    return "\n".join(lines) + "\n\n" + body


def json_errors(body: dict) -> set[str]:
    return {f"{error['field'] if error['field'] is not None else '-'}:{error['code']}" for error in body["errors"]}


def test_every_line_is_named_once():
    names = [case.id for case in CORPUS]
    assert len(names) == len(set(names)), "deux lignes du corpus portent le même nom"


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
async def test_hostile_request(make_app, tmp_path, case: Hostile):
    settings = make_settings(tmp_path, admin_user=ADMIN_USER, admin_password=ADMIN_PASSWORD)
    app = make_app(settings)
    headers = dict(case.headers)
    if case.body.content_type:
        headers["Content-Type"] = case.body.content_type
    async with asgi_client(app) as client:
        response = await client.request(case.method, case.path, content=case.body.content or None, headers=headers)

    assert response.status_code == case.status, response.text
    text = answer_text(response)
    for fragment in case.has:
        assert fragment in text, f"« {fragment} » manque dans la réponse :\n{text[:3000]}"
    is_json = response.headers.get("content-type", "").startswith("application/json")
    if "application/json" in headers.get("Accept", ""):
        assert "location" not in response.headers
        if case.path.startswith("/f/"):
            assert is_json
    if is_json and case.path.startswith("/f/"):
        body = response.json()
        assert body["ok"] is (case.status == 200)
        if case.status == 200:
            assert body["next"] == dict(case.body.pairs).get("_next")
        else:
            assert json_errors(body) == set(case.errors.split())
            assert all(error["message"] for error in body["errors"])
    else:
        assert not case.errors, "les erreurs attendues ne se lisent que dans une réponse JSON"
    if "evil.example" in json.dumps(headers) or case.status == 403:  # a foreign site, however disguised
        assert "access-control-allow-origin" not in response.headers

    stored = rows(settings.db_path, "SELECT data FROM submissions")
    assert len(stored) == case.stored
    assert rows(settings.db_path, "SELECT count(*) FROM outbox")[0][0] == 2 * case.stored
    if case.stored:
        expected = {name: value.replace("\r\n", "\n") for name, value in case.body.pairs if not name.startswith("_")}
        assert json.loads(stored[0][0]) == expected  # verbatim: nothing escaped, nothing decoded otherwise
