"""GET /disponibilites.json: places left now, for the site's pages (no personal data, CORS for the site only)."""

from __future__ import annotations

import pytest

from tests.formbackend.conftest import SITE, asgi_client, make_settings
from tests.formbackend.lifecycle_support import SESSION, register, session_info, write_sessions

pytestmark = pytest.mark.anyio


def app_with(make_app, tmp_path, places, cache=0.0, **sessions):
    path = write_sessions(
        tmp_path / "inscriptions.json",
        {SESSION: session_info(places=places), **sessions},
    )
    return make_app(make_settings(tmp_path, sessions_path=path, approval_types=(), availability_cache_seconds=cache))


async def test_places_left_follow_registrations_and_cancellations(make_app, tmp_path):
    app = app_with(make_app, tmp_path, places=4, vieux={"titre": "Sans capacité publiée", "etat": "ouverte"})
    async with asgi_client(app) as client:
        empty = (await client.get("/disponibilites.json", headers={"Origin": SITE})).json()
        for n in (1, 2):
            await register(client, n)
        two_left = (await client.get("/disponibilites.json")).json()
        for n in (3, 4, 5):
            await register(client, n)
        full = await client.get("/disponibilites.json", headers={"Origin": SITE})
    assert empty["sessions"] == {
        SESSION: {
            "etat": "disponible",
            "libelle": "Places disponibles",
            "places_restantes": 4,
            "liste_attente": False,
            "texte_places": "4\u00a0places restantes sur 15",  # French typography, as the built pages
        }
    }
    assert two_left["sessions"][SESSION]["etat"] == "dernieres-places"
    assert two_left["sessions"][SESSION]["libelle"] == "Plus que 2\u00a0places"
    assert full.json()["sessions"][SESSION] == {
        "etat": "complet",
        "libelle": "Complet",
        "places_restantes": 0,
        "liste_attente": True,
        "texte_places": "0\u00a0places restantes sur 15",
    }
    assert "@" not in full.text and "Agent" not in full.text  # no personal data
    assert full.headers["access-control-allow-origin"] == SITE
    assert full.headers["cache-control"] == "public, max-age=0"


async def test_a_waiting_list_keeps_the_session_full_for_newcomers(make_app, tmp_path):
    app = app_with(make_app, tmp_path, places=1)
    lifecycle = app.state.receiver.lifecycle
    async with asgi_client(app) as client:
        await register(client, 1)
        await register(client, 2)  # waiting
        lifecycle.set_auto_promotion(SESSION, False)
        first = app.state.receiver.store
        with first._connection() as conn:
            registration = conn.execute("SELECT id FROM registrations ORDER BY id").fetchone()[0]
        lifecycle.cancel(registration)
        answer = (await client.get("/disponibilites.json")).json()["sessions"][SESSION]
    assert answer["liste_attente"] is True and answer["etat"] == "complet"


async def test_only_the_site_may_read_it_and_it_is_cached(make_app, tmp_path):
    app = app_with(make_app, tmp_path, places=3, cache=60.0)
    async with asgi_client(app) as client:
        before = await client.get("/disponibilites.json", headers={"Origin": "https://ailleurs.example"})
        await register(client, 1)
        cached = await client.get("/disponibilites.json", headers={"Origin": SITE})
    assert "access-control-allow-origin" not in before.headers
    assert cached.json() == before.json()  # within the cache's minute
    assert cached.headers["cache-control"] == "public, max-age=60"
