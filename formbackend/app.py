"""The Starlette application: ``create_app(settings)`` wires the receiver's parts.

Intake of submissions (``intake``), the back-office (``backoffice``), the outbox
worker (``mail``) and the store (``store``) share one ``State``; every answer
carries the security headers below.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from formbackend import pages
from formbackend.backoffice import admin
from formbackend.backoffice import sessions as session_pages
from formbackend.forms import load
from formbackend.intake.ratelimit import RateLimiter
from formbackend.intake.receive import receive
from formbackend.mail.outbox import OutboxWorker
from formbackend.registrations import live_availability, selfservice
from formbackend.registrations.lifecycle import Lifecycle, lifecycle_ticks
from formbackend.registrations.open_sessions import OpenSessions
from formbackend.responses import status_page, wants_json
from formbackend.settings import Settings
from formbackend.state import State
from formbackend.store import Store, Writer
from offer.forms import FormsFile

log = logging.getLogger(__name__)


CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


async def stylesheet(request: Request) -> Response:
    return Response(
        pages.stylesheet(), media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=3600"}
    )


async def health(request: Request) -> Response:
    """{"ok": true, "courriels": {"en_attente": n, "abandonnes": n}}: counts only, no personal data.

    503 with "ok": false when the database cannot be read.
    """
    state: State = request.app.state.receiver
    try:
        mails = await asyncio.to_thread(state.store.unsent_mails, state.settings.outbox_max_attempts)
    except sqlite3.Error:
        log.exception("santé : base de données illisible")
        return JSONResponse({"ok": False, "erreur": "base de données indisponible"}, status_code=503)
    return JSONResponse({"ok": True, "courriels": mails})


async def home(request: Request) -> Response:
    return status_page(
        request,
        200,
        "Récepteur de formulaires du CDG 44",
        ["Ce service reçoit les formulaires du site du CDG 44. Il n'a pas de page à consulter."],
    )


async def http_error(request: Request, exc: HTTPException) -> Response:
    titles = {404: "Page introuvable", 405: "Méthode non autorisée"}
    title = titles.get(exc.status_code, "Erreur")
    text = {
        404: "Cette adresse ne correspond à aucune page du récepteur de formulaires.",
        405: "Cette adresse n'accepte pas ce type de requête.",
    }.get(exc.status_code, "La requête n'a pas pu aboutir.")
    if wants_json(request):
        return JSONResponse(
            {"ok": False, "errors": [{"field": None, "code": str(exc.status_code), "message": text}]},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    return status_page(request, exc.status_code, title, [text], exc.headers)


class SecurityHeaders:
    """Headers every answer carries (pure ASGI middleware)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings, forms: FormsFile | None = None) -> Starlette:
    """The receiver; its database folder is created if missing."""
    forms = forms if forms is not None else load(settings.forms_path)
    store = Store(settings.db_path)
    state = State(
        settings=settings,
        forms=forms,
        store=store,
        writer=Writer(settings.db_path),
        limiter=RateLimiter(settings.rate_limit, settings.rate_window_seconds, max_keys=settings.rate_max_addresses),
        worker=OutboxWorker(store, settings),
        admin_failures=admin.failed_logins_limiter(),
        open_sessions=OpenSessions(settings.sessions_path, recheck_seconds=1.0) if settings.sessions_path else None,
        lifecycle=Lifecycle.create(store, settings),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state.writer.start()
        task = asyncio.create_task(state.worker.run(), name="formbackend-outbox")
        ticker = asyncio.create_task(lifecycle_ticks(state), name="formbackend-registrations")
        try:
            yield
        finally:
            for background in (task, ticker):
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
            await asyncio.to_thread(state.writer.close)

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/sante", health, methods=["GET"]),
        Route("/disponibilites.json", live_availability.availability, methods=["GET"]),
        Route("/f/{form_name}", receive, methods=["POST", "OPTIONS"]),
        Route("/static/formbackend.css", stylesheet, methods=["GET"]),
        Mount("/admin", routes=admin.routes() + session_pages.routes()),
        *selfservice.routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error})
    app.state.receiver = state
    app.add_middleware(SecurityHeaders)
    return app
