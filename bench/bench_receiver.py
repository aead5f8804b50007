"""Benchmark of the self-hosted form receiver (formbackend), on loopback.

Starts ``python -m formbackend serve`` in a subprocess on a temporary database
(WAL, synchronous=FULL: durable writes as in production), sends N valid
submissions of the contact form from C concurrent clients (httpx.AsyncClient,
bounded), then prints the accepted submissions per second and the p50/p99
latency in milliseconds, checks that the database holds every accepted
submission, stops the server and exits (status 1 if a submission failed).

Usage, from the repository root:

    .venv/bin/python bench/bench_receiver.py                 # 2000 submissions, 16 clients
    .venv/bin/python bench/bench_receiver.py -n 5000 -c 32   # other figures
    .venv/bin/python bench/bench_receiver.py --form inscription

It is a measurement, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
ORIGIN = "http://127.0.0.1:8000"
PAYLOADS = {
    "contact": {
        "nom": "Léa Bernard",
        "email": "lea.bernard@exemple.fr",
        "objet": "Question {n}",
        "message": "Bonjour,\nQuand a lieu le prochain atelier ? Envoi {n}.",
    },
    "inscription": {
        "session": "2027-03-mutualiser-services",
        "prenom": "Jeanne",
        "nom": "Martin {n}",
        "email": "jeanne.martin@mairie-exemple.fr",
        "collectivite": "Mairie d'Exemple",
        "fonction": "Responsable RH",
    },
    "devis": {
        "collectivite": "Communauté de communes {n}",
        "prenom": "Paul",
        "nom": "Durand",
        "email": "paul@cc-exemple.fr",
        "offre": "atelier",
        "agents": "8",
        "demi_journees": "4",
        "message": "Comment faire pour… ({n})",
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, port: int, log_path: Path) -> subprocess.Popen:
    # The sessions a build publishes (production needs them): the one the inscription payload names.
    sessions = db.parent / "inscriptions.json"
    slug = PAYLOADS["inscription"]["session"]
    sessions.write_text(json.dumps({"sessions": {slug: {"titre": slug, "etat": "ouverte"}}}), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("FORMBACKEND_")}
    env.update(
        {
            "FORMBACKEND_ALLOWED_ORIGINS": ORIGIN,
            "FORMBACKEND_RATE_LIMIT": "1000000000",
            "FORMBACKEND_SESSIONS": str(sessions),
            "FORMBACKEND_MAX_CONNECTIONS": "1000",
        }
    )
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "formbackend",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                str(db),
                "--forms",
                str(ROOT / "content" / "forms.yaml"),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"le serveur s'est arrêté :\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sante", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("le serveur n'a pas démarré à temps")


async def run(url: str, form: str, total: int, concurrency: int) -> tuple[list[float], int, float]:
    headers = {
        "Origin": ORIGIN,
        "Referer": ORIGIN + "/contact/",
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    bodies = [
        urlencode({k: v.format(n=n) for k, v in PAYLOADS[form].items()} | {"_next": ORIGIN + "/merci/"}).encode()
        for n in range(total)
    ]
    latencies: list[float] = []
    failures = 0
    next_index = iter(range(total))
    path = f"/f/{form}"

    # One AsyncClient per simulated visitor, each with one keep-alive connection: a shared
    # pool of 16 connections in httpcore costs the client more CPU than the server spends.
    clients = [
        httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=1)) for _ in range(concurrency)
    ]
    try:
        for client in clients:  # warm-up (connections opened), not counted
            await client.post(path, content=bodies[0], headers=headers)

        async def worker(client):
            nonlocal failures
            for index in next_index:
                start = time.perf_counter()
                try:
                    response = await client.post(path, content=bodies[index], headers=headers)
                    ok = response.status_code == 200 and response.json().get("ok") is True
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    failures += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for client in clients))
        elapsed = time.perf_counter() - began
    finally:
        for client in clients:
            await client.aclose()
    return latencies, failures, elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure le débit et la latence du récepteur de formulaires.")
    parser.add_argument("-n", "--requests", type=int, default=2000, help="nombre d'envois mesurés (défaut : 2000)")
    parser.add_argument("-c", "--concurrency", type=int, default=16, help="clients simultanés (défaut : 16)")
    parser.add_argument(
        "--form", choices=sorted(PAYLOADS), default="contact", help="formulaire envoyé (défaut : contact)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-formbackend-") as folder:
        db = Path(folder) / "formulaires.sqlite3"
        port = free_port()
        process = start_server(db, port, Path(folder) / "serveur.log")
        try:
            latencies, failures, elapsed = asyncio.run(
                run(f"http://127.0.0.1:{port}", args.form, args.requests, args.concurrency)
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        conn.close()

    accepted = len(latencies)
    print(
        f"formulaire {args.form} : {args.requests} envois, {args.concurrency} clients, journal {mode}, synchronous=FULL"
    )
    print(f"acceptés : {accepted}, échecs : {failures}, durée : {elapsed:.2f} s")
    if latencies:
        print(f"débit : {accepted / elapsed:.0f} envois acceptés/s")
        print(
            f"latence : p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
            f"max {max(latencies):.1f} ms"
        )
    print(f"en base : {stored} (dont {args.concurrency} envois de mise en route)")
    return 0 if failures == 0 and stored == accepted + args.concurrency else 1


if __name__ == "__main__":
    sys.exit(main())
