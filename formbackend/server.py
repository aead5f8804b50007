"""The HTTP server: uvicorn, with what it lacks against slow clients.

The protocol is uvicorn's httptools one (the C parser of Node.js, llhttp): the
pure-Python h11 took about a fifth of the server's time per submission.
uvicorn closes an idle kept-alive connection (``timeout_keep_alive``), but it
has no deadline for receiving a request: a client that sends one byte every few
seconds keeps its connection, and its file descriptor, for ever, and
``limit_concurrency`` only answers 503 once a request has arrived whole, so
such connections are never counted against it; with httptools, nothing limits
the size of a request's headers either. ``GuardedProtocol`` adds all three:

- a request (headers and body) must arrive whole within ``request_timeout``
  seconds, counted from the moment the connection waits for it (when it opens,
  or when the previous answer has been sent); past that, the connection gets a
  408 if part of a request had come, and is closed;
- at most ``max_connections`` connections are open at once: the next ones get
  a 503 at once and are closed, so slow clients cannot take every descriptor;
- a request line and headers longer than ``MAX_HEADER_BYTES`` get a 431 and
  the connection is closed (h11's limit, which the receiver had before).

The time the application spends on a request that has arrived whole is not
counted (a slow SMTP server or disk never cuts an answer).
"""

from __future__ import annotations

import asyncio
import functools
import logging

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from formbackend.settings import Settings

log = logging.getLogger(__name__)

# The limit on a request line plus headers: h11's (uvicorn's default with h11), 16 KiB.
MAX_HEADER_BYTES = 16 * 1024


def _plain_answer(status: str, text: str, extra: str = "") -> bytes:
    body = text.encode("utf-8")
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}\r\n"
        f"x-content-type-options: nosniff\r\n{extra}connection: close\r\n\r\n"
    ).encode("ascii") + body


TIMED_OUT = _plain_answer("408 Request Timeout", "Requête reçue trop lentement : la connexion est fermée.\n")
HEADERS_TOO_LARGE = _plain_answer(
    "431 Request Header Fields Too Large", "En-têtes de la requête trop longs : la connexion est fermée.\n"
)
OVERLOADED = _plain_answer(
    "503 Service Unavailable", "Service momentanément surchargé : réessayez dans un instant.\n", "retry-after: 5\r\n"
)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, plus a deadline per request, a cap on open connections and on headers."""

    def __init__(self, *args, request_timeout: float, max_connections: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self._deadline: asyncio.TimerHandle | None = None
        # Bytes of the request whose headers are still arriving (0: none under way).
        self._awaiting_headers = True
        self._header_bytes = 0

    # -- asyncio.Protocol and uvicorn's hooks ---------------------------------------------
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning("connexion refusée : %s connexions déjà ouvertes", self.max_connections)
            transport.write(OVERLOADED)
            transport.close()
            return
        self._watch()

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if self.transport.is_closing():  # a malformed request: uvicorn answered 400
            return
        # Still no end of headers after that many bytes: all of them are headers.
        if self._awaiting_headers and self._header_bytes > MAX_HEADER_BYTES:
            log.info("connexion fermée : en-têtes de plus de %s octets", MAX_HEADER_BYTES)
            self.transport.write(HEADERS_TOO_LARGE)
            self.transport.close()
            return
        self._watch()

    def on_headers_complete(self) -> None:
        self._awaiting_headers, self._header_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_headers = True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- the deadline ---------------------------------------------------------------------
    def _receiving(self) -> bool:
        """True while a request is awaited or arriving; False while the application works on a whole one."""
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _watch(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if not self._receiving():
            self._disarm()
        elif self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or not self._receiving():
            return
        started = self._header_bytes > 0 or (self.cycle is not None and not self.cycle.response_complete)
        answering = self.cycle is not None and not self.cycle.response_complete and self.cycle.response_started
        if started and not answering:
            log.info("connexion fermée : requête non reçue en entier après %s s", self.request_timeout)
            self.transport.write(TIMED_OUT)
        self.transport.close()


def config(app, settings: Settings, log_level: str = "info") -> uvicorn.Config:
    """uvicorn's configuration for the receiver: no access log, the limits above, proxies as set."""
    protocol = functools.partial(
        GuardedProtocol,
        request_timeout=settings.request_timeout_seconds,
        max_connections=settings.max_connections,
    )
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol,
        ws="none",
        lifespan="on",
        # No access log: it would hold the visitors' addresses.
        access_log=False,
        log_config=None,
        log_level=log_level,
        # X-Forwarded-For only from the proxies the operator names (none by default).
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        server_header=False,
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
    )


def run(app, settings: Settings, log_level: str = "info") -> None:
    uvicorn.Server(config(app, settings, log_level)).run()
