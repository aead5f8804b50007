"""Slow clients are cut, and cannot take every connection, while normal requests keep being answered.

A real ``python -m formbackend serve`` on 127.0.0.1, with a short request
deadline (FORMBACKEND_REQUEST_TIMEOUT=3). Slow-loris clients send one byte a
second, at most SLOW_BYTES bytes: each must be cut long before it is done.
Every loop is bounded in count and time; the only timings checked are
generous bounds.
"""

from __future__ import annotations

import select
import socket
import threading
import time

import httpx
import pytest

from .conftest import SITE, VALID, ServerProcess, encode, headers

SLOW_BYTES = 15  # one a second: 15 s at most per slow client
REQUEST_TIMEOUT = 3
HEADERS = b"POST /f/contact HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + SITE.encode() + b"\r\n"
SLOW_MODES = {
    # connects and says nothing
    "silent": b"",
    # the request line and headers, a byte at a time
    "slow-headers": HEADERS,
    # whole headers at once, then the body a byte at a time
    "slow-body": HEADERS + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n",
}


class SlowClient(threading.Thread):
    """Sends `prefix` at once (empty for "slow-headers"), then one byte a second until cut or SLOW_BYTES sent."""

    def __init__(self, port: int, mode: str):
        super().__init__(daemon=True)
        self.mode = mode
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.cut_after: float | None = None  # seconds from connection to the server's close
        self.answer = b""
        self.bytes_sent = 0

    def run(self):
        start = time.monotonic()
        prefix = SLOW_MODES[self.mode]
        trickle = prefix if self.mode == "slow-headers" else b"x" * SLOW_BYTES
        try:
            if self.mode == "slow-body":
                self.sock.sendall(prefix)
            for index in range(SLOW_BYTES):
                readable, _, _ = select.select([self.sock], [], [], 1.0)
                if readable:
                    data = self.sock.recv(4096)
                    self.answer += data
                    if not data or b"\r\n\r\n" in self.answer:
                        self.cut_after = time.monotonic() - start
                        return
                if self.mode != "silent":
                    self.sock.send(trickle[index : index + 1] or b"x")
                    self.bytes_sent += 1
        except OSError:  # reset by the server
            self.cut_after = time.monotonic() - start
        finally:
            self.sock.close()


def start_server(tmp_path, max_connections: int) -> ServerProcess:
    return ServerProcess(
        tmp_path / "var" / "formulaires.sqlite3",
        tmp_path / "serveur.log",
        env={"FORMBACKEND_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT), "FORMBACKEND_MAX_CONNECTIONS": str(max_connections)},
    ).start()


@pytest.fixture
def server(tmp_path):
    process = start_server(tmp_path, max_connections=50)
    try:
        yield process
    finally:
        process.kill()


def normal_requests_while(threads: list[threading.Thread], url: str) -> list[int]:
    """A health check and a submission every half second until the slow clients are done (bounded)."""
    statuses = []
    post_headers = {**headers(), "Content-Type": "application/x-www-form-urlencoded"}
    # A new connection each time, as visitors would: one kept idle would meet the short deadline.
    with httpx.Client(base_url=url, timeout=10, headers={"Connection": "close"}) as client:
        for _ in range(2 * SLOW_BYTES + 10):
            statuses.append(client.get("/sante").status_code)
            statuses.append(
                client.post("/f/contact", content=encode(VALID["contact"]), headers=post_headers).status_code
            )
            if not any(thread.is_alive() for thread in threads):
                break
            time.sleep(0.5)
    return statuses


def test_slow_clients_are_cut_while_others_are_answered(server):
    clients = [SlowClient(server.port, mode) for mode in SLOW_MODES for _ in range(3)]
    for client in clients:
        client.start()
    statuses = normal_requests_while(clients, server.url)
    for client in clients:
        client.join(timeout=SLOW_BYTES + 5)

    assert statuses and set(statuses) == {200}, statuses
    for client in clients:
        assert client.cut_after is not None, f"{client.mode}: never cut ({client.bytes_sent} bytes sent)"
        assert client.cut_after < SLOW_BYTES - 3, f"{client.mode}: cut after {client.cut_after:.1f} s"
        if client.mode == "silent":
            assert client.answer == b""  # nothing was asked: closed without an answer
        else:
            assert client.answer.startswith(b"HTTP/1.1 408 "), (client.mode, client.answer)
    assert "Traceback" not in server.log_path.read_text(errors="replace")


def test_connections_beyond_the_cap_get_a_503_at_once(tmp_path):
    server = start_server(tmp_path, max_connections=5)
    sockets = []
    try:
        # Eight silent connections against a cap of five: three are refused at once, five are
        # held until the deadline, then closed without a word (whatever order the server took them in).
        sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=REQUEST_TIMEOUT + 7) for _ in range(8)]
        answers = []
        for sock in sockets:
            try:
                answers.append(sock.recv(4096))
            except ConnectionResetError:
                answers.append(b"")
        refused = [answer for answer in answers if answer.startswith(b"HTTP/1.1 503 ")]
        assert len(refused) == 3 and answers.count(b"") == 5, answers
        # Then the server answers again.
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            try:
                status = httpx.get(server.url + "/sante", timeout=5).status_code
            except httpx.HTTPError:
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200
    finally:
        for sock in sockets:
            sock.close()
        server.kill()


def test_server_settings_reach_uvicorn(tmp_path):
    from formbackend import server
    from formbackend.settings import from_env

    settings = from_env(
        {
            "FORMBACKEND_REQUEST_TIMEOUT": "7.5",
            "FORMBACKEND_KEEP_ALIVE_TIMEOUT": "3",
            "FORMBACKEND_MAX_CONNECTIONS": "40",
        }
    )
    config = server.config(object(), settings)
    assert config.timeout_keep_alive == 3
    assert config.http.func is server.GuardedProtocol
    assert config.http.keywords == {"request_timeout": 7.5, "max_connections": 40}
    defaults = from_env({})
    assert (defaults.request_timeout_seconds, defaults.keep_alive_timeout_seconds, defaults.max_connections) == (
        15.0,
        5,
        200,
    )


def exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` at once; everything the server answers until it closes or goes quiet for 5 s."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def test_headers_beyond_16_kib_get_a_431_and_the_connection_closes(server):
    padding = b"X-Remplissage: " + b"a" * 8000 + b"\r\n"
    too_long = HEADERS + padding * 3  # 24 KiB of headers, no end of headers
    answer = exchange(server.port, too_long)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert "En-têtes de la requête trop longs".encode() in answer

    # Headers of 15 KiB and a 40 KiB body in the same packet: headers within the limit, the body is no header.
    body = encode({**VALID["contact"], "message": "Bonjour " + "b" * 40_000})
    fine = (
        HEADERS
        + padding
        + b"X-Autre: "
        + b"c" * 7000
        + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
        + b"Connection: close\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    answer = exchange(server.port, fine)
    # The application read it all: its answer is about the message's length.
    assert answer.startswith(b"HTTP/1.1 422 "), answer[:200]
    assert "doit compter 4000 caractères au plus (vous en avez saisi 40008)".encode() in answer

    malformed = exchange(server.port, b"POST /f/contact HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n")
    assert malformed.startswith(b"HTTP/1.1 400 "), malformed[:200]
    assert "Traceback" not in server.log_path.read_text(errors="replace")
