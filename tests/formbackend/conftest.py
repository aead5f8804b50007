"""Fixtures of the form receiver's tests.

Tests talk HTTP through httpx: to the ASGI app directly (httpx.ASGITransport)
when no socket is needed, to a uvicorn server on 127.0.0.1 (a thread) or to
``python -m formbackend serve`` (a subprocess) when one is.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

import formbackend  # noqa: F401 - makes plugins/offer importable
from formbackend.app import create_app
from formbackend.forms import load
from formbackend.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FORMS_PATH = ROOT / "content" / "forms.yaml"
SITE = "https://www.cdg44.fr"
LOCAL_SITE = "http://127.0.0.1:8000"
NEXT = SITE + "/ateliers/merci/"
FORM_PAGE = SITE + "/ateliers/2027-03-mutualiser-services/"

VALID = {
    "inscription": {
        "session": "2027-03-mutualiser-services",
        "prenom": "Jeanne",
        "nom": "Martin",
        "email": "jeanne.martin@mairie-exemple.fr",
        "collectivite": "Mairie d'Exemple-sur-Loire",
        "fonction": "Responsable RH",
        "_next": NEXT,
    },
    "devis": {
        "collectivite": "Communauté de communes d'Exemple",
        "prenom": "Paul",
        "nom": "Durand",
        "email": "paul.durand@cc-exemple.fr",
        "offre": "atelier",
        "agents": "8",
        "demi_journees": "4",
        "message": "Comment faire pour mutualiser le service RH ?",
        "_next": NEXT,
    },
    "contact": {
        "nom": "Léa Bernard",
        "email": "lea.bernard@exemple.fr",
        "objet": "Une question",
        "message": "Bonjour,\r\nQuand a lieu le prochain atelier ?",
        "_next": NEXT,
    },
}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="session")
def forms():
    return load(FORMS_PATH)


# The sessions a test build publishes (donnees/inscriptions.json): open ones, and a full one.
FULL_SESSION = "2027-05-session-complete"
PUBLISHED_SESSIONS = {
    "2027-03-mutualiser-services": {"titre": "Mutualiser un service entre communes voisines", "etat": "ouverte"},
    "2027-09-autre": {"titre": "Une autre session", "etat": "ouverte"},
    "autre-session": {"titre": "Encore une session", "etat": "ouverte"},
    FULL_SESSION: {"titre": "Une session complète", "etat": "liste_attente"},
}


def write_sessions(path: Path, sessions: dict = PUBLISHED_SESSIONS) -> Path:
    """A donnees/inscriptions.json as the build writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"sessions": sessions}, ensure_ascii=False), encoding="utf-8")
    return path


def make_settings(tmp_path: Path, **changes) -> Settings:
    base = Settings(
        db_path=tmp_path / "var" / "formulaires.sqlite3",
        forms_path=FORMS_PATH,
        allowed_origins=(SITE, LOCAL_SITE),
        counts_path=tmp_path / "var" / "inscrits.json",
        sessions_path=write_sessions(tmp_path / "site" / "donnees" / "inscriptions.json"),
        rate_limit=1_000_000,
        notify_to=("conseilrh@cdg44.fr",),
        mail_from="formulaires@cdg44.fr",
    )
    return base.replace(**changes)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def make_app(forms):
    """create_app(settings) whose writer thread is stopped at the end of the test."""
    apps = []

    def factory(settings: Settings):
        app = create_app(settings, forms)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.state.receiver.writer.close()


@pytest.fixture
def app(make_app, settings):
    return make_app(settings)


@contextlib.asynccontextmanager
async def asgi_client(app, client_ip: str = "192.0.2.10"):
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://formulaires.test") as client:
        yield client


def headers(origin: str | None = SITE, json: bool = True, referer: str | None = FORM_PAGE, **extra) -> dict:
    result = {}
    if origin is not None:
        result["Origin"] = origin
    if referer is not None:
        result["Referer"] = referer
    if json:
        result["Accept"] = "application/json"
    result.update(extra)
    return result


def rows(db_path: Path, sql: str = "SELECT id, form, data FROM submissions ORDER BY id", args=()) -> list:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThreadServer:
    """uvicorn serving an app on 127.0.0.1 from a thread, on a socket bound beforehand."""

    def __init__(self, app):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            access_log=False,
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=5,
            backlog=1024,
            limit_concurrency=None,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("le serveur de test n'a pas démarré")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()
        return False


@pytest.fixture
def live_server(make_app, settings):
    with ThreadServer(make_app(settings)) as server:
        yield server


class ServerProcess:
    """``python -m formbackend serve`` in a subprocess; always killed by stop()."""

    def __init__(self, db_path: Path, log_path: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = {key: value for key, value in os.environ.items() if not key.startswith("FORMBACKEND_")}
        full_env.update(
            {
                "FORMBACKEND_ALLOWED_ORIGINS": SITE,
                "FORMBACKEND_RATE_LIMIT": "1000000",
                # As in production: the sessions a build published.
                "FORMBACKEND_SESSIONS": str(write_sessions(log_path.parent / "site" / "donnees" / "inscriptions.json")),
                "PYTHONUNBUFFERED": "1",
            }
        )
        full_env.update(env or {})
        self.args = [
            sys.executable,
            "-m",
            "formbackend",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(db_path),
            "--forms",
            str(FORMS_PATH),
            "--log-level",
            "warning",
        ]
        self.env = full_env
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> ServerProcess:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"le serveur s'est arrêté : {self.log_path.read_text(errors='replace')}")
            try:
                if httpx.get(self.url + "/sante", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("le serveur n'a pas répondu à temps")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=15)

    stop = kill


def encode(pairs) -> bytes:
    """application/x-www-form-urlencoded, as a browser sends it (pairs keep order and repeats)."""
    from urllib.parse import urlencode

    items = pairs.items() if isinstance(pairs, dict) else pairs
    return urlencode(list(items)).encode("ascii")


async def post_form(client, path: str, pairs, headers: dict):
    return await client.post(
        path, content=encode(pairs), headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}
    )
