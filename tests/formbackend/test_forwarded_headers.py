"""X-Forwarded-For is believed only from the proxies the operator names (none by default).

Through a real ``python -m formbackend serve`` on 127.0.0.1, since uvicorn
reads the header: with the default settings a forged header changes nothing,
neither the rate limit nor the administration's lock-out.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from .conftest import VALID, ServerProcess, encode, headers

POST_HEADERS = {**headers(), "Content-Type": "application/x-www-form-urlencoded"}
ADMIN_USER, ADMIN_PASSWORD = "gestion", "une phrase de passe assez longue"


def start(tmp_path, **env) -> ServerProcess:
    process = ServerProcess(
        tmp_path / "var" / "formulaires.sqlite3",
        tmp_path / "serveur.log",
        env={
            "FORMBACKEND_RATE_LIMIT": "2",
            "FORMBACKEND_ADMIN_USER": ADMIN_USER,
            "FORMBACKEND_ADMIN_PASSWORD": ADMIN_PASSWORD,
            **env,
        },
    )
    return process.start()


def post(client: httpx.Client, forwarded_for: str) -> int:
    response = client.post(
        "/f/contact", content=encode(VALID["contact"]), headers={**POST_HEADERS, "X-Forwarded-For": forwarded_for}
    )
    return response.status_code


def wrong_login(client: httpx.Client, forwarded_for: str) -> int:
    token = base64.b64encode(f"{ADMIN_USER}:mauvais-{forwarded_for}".encode()).decode()
    response = client.get("/admin/", headers={"Authorization": f"Basic {token}", "X-Forwarded-For": forwarded_for})
    return response.status_code


@pytest.fixture
def default_server(tmp_path):
    process = start(tmp_path)
    try:
        yield process
    finally:
        process.kill()


def test_by_default_a_forged_header_changes_nothing(default_server):
    with httpx.Client(base_url=default_server.url, timeout=10) as client:
        # Each post claims another address: they all count against 127.0.0.1.
        statuses = [post(client, f"198.51.100.{number}") for number in range(1, 5)]
        # Twenty wrong passwords "from" twenty addresses lock 127.0.0.1 out.
        logins = [wrong_login(client, f"203.0.113.{number}") for number in range(1, 23)]
    assert statuses == [200, 200, 429, 429]
    assert logins[:20] == [401] * 20 and logins[20:] == [429, 429]


def test_the_header_is_believed_from_a_named_proxy(tmp_path):
    process = start(tmp_path, FORMBACKEND_FORWARDED_ALLOW_IPS="127.0.0.1")
    try:
        with httpx.Client(base_url=process.url, timeout=10) as client:
            # Behind nginx (proxy_set_header X-Forwarded-For $remote_addr): one address per visitor.
            visitors = [post(client, f"198.51.100.{number}") for number in range(1, 5)]
            same = [post(client, "192.0.2.77") for _ in range(3)]
    finally:
        process.kill()
    assert visitors == [200] * 4
    assert same == [200, 200, 429]


def test_default_settings_trust_no_proxy():
    from formbackend import server as http_server
    from formbackend.settings import from_env

    settings = from_env({})
    assert settings.forwarded_allow_ips == ""
    assert http_server.config(object(), settings).proxy_headers is False
    named = from_env({"FORMBACKEND_FORWARDED_ALLOW_IPS": " 127.0.0.1 "})
    config = http_server.config(object(), named)
    assert config.proxy_headers is True and config.forwarded_allow_ips == "127.0.0.1"
