"""Benchmark of the self-hosted form receiver (formbackend), on loopback.

Starts ``python -m formbackend serve`` in a subprocess on a temporary database
(WAL, synchronous=FULL: durable writes as in production), sends N valid
submissions of the contact form from C concurrent clients (each one keep-alive
connection, see ``Connection``), then prints the accepted submissions per second and the p50/p99
latency in milliseconds, checks that the database holds every accepted
submission, stops the server and exits (status 1 if a submission failed).

With ``--form inscription`` every submission is a registration of a new
person to one session published with its places (FORMBACKEND_SESSIONS): the
receiver checks the capacity in the writing transaction. The session is near
full: its places run out ``--waiting`` submissions before the end, so the last
ones go to the waiting list; the script checks that exactly the places were
given.

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
        "email": "agent{n}@mairie-exemple.fr",  # one registration per person and session
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


def uvicorn_loop() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def uvicorn_http() -> str:
    """The HTTP parser the receiver's own protocol is built on (formbackend.server), not merely one installed."""
    from formbackend.server import GuardedProtocol

    modules = [cls.__module__ for cls in GuardedProtocol.__mro__]
    return "httptools" if "uvicorn.protocols.http.httptools_impl" in modules else "h11"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SESSION = PAYLOADS["inscription"]["session"]


def write_sessions(path: Path, places: int) -> Path:
    """The build's donnees/inscriptions.json for one open session with ``places`` places."""
    session = {
        "titre": "Mutualiser un service entre communes voisines",
        "etat": "ouverte",
        "type": "atelier",
        "capacite": places,
        "places": places,
        "lieu": {"nom": "CDG 44", "adresse": "6 rue du Pen Duick II, 44300 Nantes", "accessibilite": ""},
        "seances": [{"date": "2027-03-11", "debut": "09:00", "fin": "17:00", "journee": True}],
    }
    path.write_text(json.dumps({"sessions": {SESSION: session}}, ensure_ascii=False), encoding="utf-8")
    return path


def start_server(db: Path, port: int, log_path: Path, sessions: Path) -> subprocess.Popen:
    """The receiver with the sessions a build publishes (production needs them)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FORMBACKEND_")}
    env.update(
        {
            "FORMBACKEND_ALLOWED_ORIGINS": ORIGIN,
            "FORMBACKEND_RATE_LIMIT": "1000000000",
            "FORMBACKEND_SESSIONS": str(sessions),
            "FORMBACKEND_MAX_CONNECTIONS": "1000",
            # Confirmed at once, so that every registration takes a place until none is left.
            "FORMBACKEND_VALIDATION": "aucun",
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


class Connection:
    """One keep-alive HTTP/1.1 connection, as lean as the measurement allows.

    httpx spends about 2 ms of CPU per request, more than the server: on a
    machine where client and server share the cores, it would measure itself.
    This client writes the request bytes and reads the status, the headers and
    the body (Content-Length), nothing more.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        status_line = await self.reader.readline()
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def request_bytes(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nOrigin: {ORIGIN}\r\nReferer: {ORIGIN}/contact/\r\n"
        "Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


async def run(port: int, form: str, total: int, concurrency: int) -> tuple[list[float], int, float]:
    host = "127.0.0.1"
    path = f"/f/{form}"
    requests = [
        request_bytes(
            host,
            port,
            path,
            urlencode({k: v.format(n=n) for k, v in PAYLOADS[form].items()} | {"_next": ORIGIN + "/merci/"}).encode(),
        )
        for n in range(total)
    ]
    latencies: list[float] = []
    failures = 0
    next_index = iter(range(total))
    connections = [Connection(host, port) for _ in range(concurrency)]
    try:
        for number, connection in enumerate(connections):  # connections opened and warmed up, not counted
            await connection.open()
            warm_up = urlencode({k: v.format(n=f"w{number}") for k, v in PAYLOADS[form].items()}).encode()
            await connection.post(request_bytes(host, port, path, warm_up))

        async def worker(connection):
            nonlocal failures
            for index in next_index:
                start = time.perf_counter()
                try:
                    status, body = await connection.post(requests[index])
                    ok = status == 200 and json.loads(body).get("ok") is True
                except (OSError, ValueError, asyncio.IncompleteReadError):
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    failures += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker(connection) for connection in connections))
        elapsed = time.perf_counter() - began
    finally:
        for connection in connections:
            await connection.close()
    return latencies, failures, elapsed


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), to see where the time goes."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument(
        "--waiting",
        type=int,
        default=50,
        help="inscription : envois qui trouvent la session complète, en fin de mesure (défaut : 50)",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-formbackend-") as folder:
        db = Path(folder) / "formulaires.sqlite3"
        port = free_port()
        places = None
        if args.form == "inscription":
            places = max(args.requests + args.concurrency - args.waiting, 0)
        sessions = write_sessions(Path(folder) / "inscriptions.json", places if places is not None else 1_000_000)
        process = start_server(db, port, Path(folder) / "serveur.log", sessions)
        try:
            server_before, client_before = process_cpu_seconds(process.pid), time.process_time()
            latencies, failures, elapsed = asyncio.run(run(port, args.form, args.requests, args.concurrency))
            server_cpu = (process_cpu_seconds(process.pid) or 0) - (server_before or 0)
            client_cpu = time.process_time() - client_before
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        given = dict(conn.execute("SELECT state, count(*) FROM registrations GROUP BY state"))
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
    sent = args.requests + args.concurrency
    print(
        f"temps processeur par envoi : serveur {server_cpu / sent * 1000:.2f} ms, client {client_cpu / sent * 1000:.2f} ms"
        f" ({os.cpu_count()} cœurs ; uvicorn : boucle {uvicorn_loop()}, analyseur HTTP {uvicorn_http()})"
    )
    overbooked = False
    if places is not None:
        confirmed = given.get("confirmee", 0)
        print(
            f"session de {places} places : {confirmed} confirmées, {given.get('liste_attente', 0)} en liste d'attente"
        )
        overbooked = confirmed != min(places, stored)
    return 0 if failures == 0 and stored == accepted + args.concurrency and not overbooked else 1


if __name__ == "__main__":
    sys.exit(main())
