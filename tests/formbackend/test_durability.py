"""Durability: every acknowledged submission is in the database, exactly once, even after SIGKILL."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from .conftest import SITE, VALID, ServerProcess, encode, headers, rows

pytestmark = pytest.mark.anyio


def submission(marker: str) -> bytes:
    return encode({**VALID["contact"], "objet": marker})


POST_HEADERS = {**headers(), "Content-Type": "application/x-www-form-urlencoded"}


async def test_500_concurrent_submissions_are_stored_exactly_once(tmp_path):
    db = tmp_path / "var" / "formulaires.sqlite3"
    markers = [f"marqueur-{number:04d}" for number in range(500)]
    pending = iter(markers)
    results: list[tuple[str, int]] = []
    server = ServerProcess(db, tmp_path / "serveur.log")
    try:
        server.start()

        async def visitor():  # 16 visitors at once, each with its own connection
            async with httpx.AsyncClient(
                base_url=server.url, timeout=30, limits=httpx.Limits(max_connections=1)
            ) as client:
                for marker in pending:
                    response = await client.post("/f/contact", content=submission(marker), headers=POST_HEADERS)
                    results.append((marker, response.status_code))

        await asyncio.wait_for(asyncio.gather(*(visitor() for _ in range(16))), timeout=120)
    finally:
        server.kill()

    assert sorted(results) == [(marker, 200) for marker in markers]
    stored = [json.loads(row[0])["objet"] for row in rows(db, "SELECT data FROM submissions")]
    assert sorted(stored) == markers  # all there, none twice
    assert rows(db, "SELECT count(*) FROM outbox")[0][0] == 500  # no FORMBACKEND_NOTIFY_TO: only the acknowledgements
    assert rows(db, "PRAGMA journal_mode")[0][0] == "wal"


async def test_concurrent_submissions_through_the_in_process_server(live_server, settings):
    """The same through uvicorn in a thread (the app's lifespan, writer and worker running)."""
    gate = asyncio.Semaphore(16)

    async def send(client, marker):
        async with gate:
            return marker, (
                await client.post("/f/contact", content=submission(marker), headers=POST_HEADERS)
            ).status_code

    markers = [f"fil-{number:03d}" for number in range(100)]
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        results = await asyncio.wait_for(asyncio.gather(*(send(client, marker) for marker in markers)), timeout=60)
    assert results == [(marker, 200) for marker in markers]
    stored = sorted(json.loads(row[0])["objet"] for row in rows(settings.db_path, "SELECT data FROM submissions"))
    assert stored == markers
    assert rows(settings.db_path, "SELECT count(*) FROM outbox")[0][0] == 200


async def test_sigkill_loses_no_acknowledged_submission(tmp_path):
    db = tmp_path / "var" / "formulaires.sqlite3"
    server = ServerProcess(db, tmp_path / "serveur.log")
    acknowledged: list[str] = []
    failed = 0
    try:
        server.start()
        stop = asyncio.Event()
        counter = iter(range(100_000))

        async def client_loop(client):
            nonlocal failed
            while not stop.is_set():
                marker = f"envoi-{next(counter):06d}"
                try:
                    response = await client.post("/f/contact", content=submission(marker), headers=POST_HEADERS)
                except httpx.HTTPError:
                    failed += 1
                    continue
                if response.status_code == 200 and response.json() == {"ok": True, "next": SITE + "/ateliers/merci/"}:
                    acknowledged.append(marker)

        async def killer():
            deadline = time.monotonic() + 20
            while len(acknowledged) < 150 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            server.kill()  # SIGKILL in the middle of the load
            await asyncio.sleep(0.3)
            stop.set()

        async with httpx.AsyncClient(base_url=server.url, timeout=5, limits=httpx.Limits(max_connections=16)) as client:
            await asyncio.wait_for(asyncio.gather(killer(), *(client_loop(client) for _ in range(16))), timeout=60)

        assert server.process.returncode == -9
        assert len(acknowledged) >= 150
        assert failed >= 1  # requests were in flight when the process died

        server.start()  # restart on the same database (WAL recovery)
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            response = await client.post("/f/contact", content=submission("après-redémarrage"), headers=POST_HEADERS)
        assert response.status_code == 200
    finally:
        server.kill()

    stored = [json.loads(row[0])["objet"] for row in rows(db, "SELECT data FROM submissions")]
    assert set(acknowledged) <= set(stored)
    assert len(stored) == len(set(stored))  # none stored twice
    assert "après-redémarrage" in stored
    log = (tmp_path / "serveur.log").read_text(encoding="utf-8", errors="replace")
    assert "lea.bernard" not in log
