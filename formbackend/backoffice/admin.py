"""The administration, under /admin, behind HTTP Basic authentication.

Credentials come from FORMBACKEND_ADMIN_USER and FORMBACKEND_ADMIN_PASSWORD;
there is no default: without them every page answers 503. Pages: submissions
by form and by session, CSV export, the registration counts file, the mails
abandoned after their last attempt (a banner, and a button that sends them
again), and a person's data (JSON export, erasure). Forms that change data carry a token
derived from the credentials, so another site cannot make an administrator's
browser post them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
from functools import wraps

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from formbackend import pages
from formbackend.backoffice import csv_export
from formbackend.intake.ratelimit import RateLimiter, retry_after_header
from formbackend.intake.validation import EMAIL_INVALID, email_key, label
from formbackend.mail.compose import paris_time
from formbackend.registrations.counts import person_export, write_counts
from formbackend.responses import attachment
from formbackend.store import parse_timestamp
from offer.forms import FieldKind

log = logging.getLogger(__name__)
PAGE_SIZE = 100
REALM = 'Basic realm="Administration des formulaires du CDG 44", charset="UTF-8"'


def failed_logins_limiter() -> RateLimiter:
    """Wrong passwords allowed per client address before a pause (in memory only)."""
    return RateLimiter(20, 600.0)


def _state(request: Request):
    return request.app.state.receiver


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    html = pages.render(
        template, pages.app_root(request.scope), admin_root=pages.app_root(request.scope) + "/admin", **context
    )
    return HTMLResponse(html, status_code=status)


def _message(request: Request, status: int, title: str, text: str, headers: dict | None = None) -> HTMLResponse:
    html = pages.render("message.html", pages.app_root(request.scope), title=title, paragraphs=[text], back=None)
    return HTMLResponse(html, status_code=status, headers=headers)


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def csrf_token(settings) -> str:
    key = settings.admin_password.encode("utf-8")
    return hmac.new(key, b"formbackend-admin:" + settings.admin_user.encode("utf-8"), hashlib.sha256).hexdigest()


def protected(handler):
    """503 when the administration is disabled, 401 without the right credentials."""

    @wraps(handler)
    async def guarded(request: Request) -> Response:
        state = _state(request)
        settings = state.settings
        if not settings.admin_enabled:
            return _message(
                request,
                503,
                "Administration désactivée",
                "L'administration est désactivée : définissez FORMBACKEND_ADMIN_USER et FORMBACKEND_ADMIN_PASSWORD puis redémarrez le service.",
            )
        limiter = state.admin_failures
        client = request.client.host if request.client else "inconnu"
        # Locked out after too many wrong credentials: even the right ones wait,
        # otherwise the lock-out would not slow down guessing at all.
        locked_for = limiter.wait(client)
        if locked_for:
            return _message(
                request,
                429,
                "Trop d'essais",
                "Trop d'identifiants erronés : réessayez plus tard.",
                {"Retry-After": retry_after_header(locked_for)},
            )
        given = _credentials(request)
        user_ok = given is not None and secrets.compare_digest(
            given[0].encode("utf-8"), settings.admin_user.encode("utf-8")
        )
        password_ok = given is not None and secrets.compare_digest(
            given[1].encode("utf-8"), settings.admin_password.encode("utf-8")
        )
        if not (user_ok and password_ok):
            if given is not None:
                wait = limiter.hit(client)
                if wait:
                    return _message(
                        request,
                        429,
                        "Trop d'essais",
                        "Trop d'identifiants erronés : réessayez plus tard.",
                        {"Retry-After": retry_after_header(wait)},
                    )
                log.warning("administration : identifiants refusés")
            return _message(
                request,
                401,
                "Identification requise",
                "Indiquez l'identifiant et le mot de passe de l'administration des formulaires.",
                {"WWW-Authenticate": REALM},
            )
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=10)
            if not secrets.compare_digest(str(form.get("jeton", "")), csrf_token(settings)):
                return _message(
                    request,
                    403,
                    "Action refusée",
                    "Cette action doit être lancée depuis les pages de l'administration : rechargez la page et recommencez.",
                )
            request.state.form = form
        return await handler(request)

    return guarded


def _fields(definition):
    return [(spec.nom, label(spec), spec.type is FieldKind.TEXTAREA) for spec in definition.champs]


def _rows(submissions):
    return [
        {"id": s.id, "date": paris_time(parse_timestamp(s.created_at)), "data": s.data, "waiting_list": s.waiting_list}
        for s in submissions
    ]


@protected
async def index(request: Request) -> Response:
    state = _state(request)
    counts = state.store.counts_by_form()
    forms = [
        {"name": name, "title": definition.titre, "count": counts.get(name, 0), "days": definition.conservation_jours}
        for name, definition in state.forms.formulaires.items()
    ]
    return _page(
        request,
        "admin_index.html",
        title="Administration des formulaires",
        forms=forms,
        sessions=state.store.sessions(),
        outbox=state.store.outbox_summary(state.settings.outbox_max_attempts),
        token=csrf_token(state.settings),
        counts_path=str(state.settings.counts_path),
    )


def _unknown_form(request: Request) -> Response:
    return _message(request, 404, "Formulaire introuvable", "Ce formulaire n'existe pas dans content/forms.yaml.")


def _page_number(request: Request) -> int:
    value = request.query_params.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


@protected
async def form_submissions(request: Request) -> Response:
    state = _state(request)
    name = request.path_params["form_name"]
    definition = state.forms.formulaires.get(name)
    if definition is None:
        return _unknown_form(request)
    page = _page_number(request)
    submissions = state.store.submissions(name, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return _page(
        request,
        "admin_table.html",
        title=f"Envois du formulaire « {definition.titre} »",
        form_name=name,
        fields=_fields(definition),
        rows=_rows(submissions[:PAGE_SIZE]),
        page=page,
        more=len(submissions) > PAGE_SIZE,
        total=state.store.count(name),
        session=None,
    )


@protected
async def session_submissions(request: Request) -> Response:
    state = _state(request)
    slug = request.path_params["session"]
    name = next((n for n, d in state.forms.formulaires.items() if d.field("session")), None)
    if name is None:
        return _message(request, 404, "Aucun formulaire d'inscription", "Aucun formulaire n'a de champ « session ».")
    definition = state.forms.formulaires[name]
    rows = _rows(state.store.submissions(name, session=slug))
    return _page(
        request,
        "admin_table.html",
        title=f"Inscriptions à la session « {slug} »",
        form_name=name,
        fields=_fields(definition),
        rows=rows,
        page=1,
        more=False,
        total=len(rows),
        session=slug,
    )


@protected
async def export_csv(request: Request) -> Response:
    state = _state(request)
    name = request.path_params["form_name"]
    definition = state.forms.formulaires.get(name)
    if definition is None:
        return _unknown_form(request)
    session = request.query_params.get("session") or None
    submissions = state.store.submissions(name, session=session)[::-1]
    filename = f"{name}-{session[:80]}.csv" if session else f"{name}.csv"
    log.info("administration : export CSV formulaire=%s lignes=%s", name, len(submissions))
    return StreamingResponse(
        csv_export.export(definition, submissions),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(filename)},
    )


@protected
async def retry_abandoned_mails(request: Request) -> Response:
    state = _state(request)
    requeued = state.store.requeue_abandoned(state.settings.outbox_max_attempts)
    state.worker.wake()
    log.info("administration : courriels abandonnés remis en file nombre=%s", requeued)
    text = (
        f"{requeued} courriel{'s' if requeued > 1 else ''} abandonné{'s' if requeued > 1 else ''} "
        f"{'sont remis' if requeued > 1 else 'est remis'} en file d'envoi : le service les envoie dans la minute, "
        "avec une nouvelle série d'essais si le serveur SMTP ne répond toujours pas."
        if requeued
        else "Aucun courriel n'était abandonné."
    )
    return _page(request, "admin_done.html", title="Courriels remis en file d'envoi", text=text)


@protected
async def registration_counts(request: Request) -> Response:
    state = _state(request)
    counts = write_counts(state.store, state.settings.counts_path)
    log.info("administration : fichier des inscrits écrit sessions=%s", len(counts))
    return _page(
        request,
        "admin_counts.html",
        title="Nombre d'inscrits écrit",
        counts=counts,
        counts_path=str(state.settings.counts_path),
    )


def _asked_address(request: Request, source) -> tuple[str, str | None]:
    address = str(source.get("email", "")).strip()
    if not address:
        return address, "Indiquez l'adresse électronique de la personne"
    # Only looked up, never written to: an address an older release accepted
    # (jean@café.fr) must still be found and erased.
    local, _, domain = address.partition("@")
    if not local or not domain or "@" in domain or not address.isprintable() or " " in address:
        return address, EMAIL_INVALID
    return address, None


@protected
async def person(request: Request) -> Response:
    state = _state(request)
    address, problem = _asked_address(request, request.query_params)
    if problem:
        return _page(
            request,
            "admin_person.html",
            status=422 if address else 200,
            title="Données d'une personne",
            address=address,
            problem=problem if address else None,
            submissions=None,
            token=csrf_token(state.settings),
        )
    submissions = state.store.person(email_key(address))
    return _page(
        request,
        "admin_person.html",
        title="Données d'une personne",
        address=address,
        problem=None,
        submissions=[{**row, "form": s.form} for row, s in zip(_rows(submissions), submissions, strict=True)],
        token=csrf_token(state.settings),
    )


@protected
async def person_json(request: Request) -> Response:
    state = _state(request)
    address, problem = _asked_address(request, request.query_params)
    if problem:
        return _message(request, 422, "Adresse manquante ou invalide", problem)
    body = json.dumps(person_export(state.store, email_key(address)), ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": attachment("donnees-personnelles.json")},
    )


@protected
async def erase(request: Request) -> Response:
    state = _state(request)
    address, problem = _asked_address(request, request.state.form)
    if problem:
        return _message(request, 422, "Adresse manquante ou invalide", problem)
    deleted = state.store.erase_person(email_key(address))
    log.info("administration : effacement lignes=%s", deleted)
    text = (
        (
            f"{deleted} envoi{'s' if deleted > 1 else ''} de cette adresse {'ont' if deleted > 1 else 'a'} été effacé{'s' if deleted > 1 else ''}, "
            "avec les courriels qui leur étaient liés."
        )
        if deleted
        else "Aucun envoi n'était enregistré avec cette adresse."
    )
    return _page(request, "admin_done.html", title="Effacement effectué", text=text)


def routes() -> list[Route]:
    return [
        Route("/", index, methods=["GET"]),
        Route("/formulaires/{form_name}", form_submissions, methods=["GET"]),
        Route("/formulaires/{form_name}/export.csv", export_csv, methods=["GET"]),
        Route("/sessions/{session}", session_submissions, methods=["GET"]),
        Route("/inscrits", registration_counts, methods=["POST"]),
        Route("/courriels/renvoyer", retry_abandoned_mails, methods=["POST"]),
        Route("/personne", person, methods=["GET"]),
        Route("/personne.json", person_json, methods=["GET"]),
        Route("/personne/effacer", erase, methods=["POST"]),
    ]
