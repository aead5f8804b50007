"""``POST /f/{form}``: one submission, from the request to the stored row.

It receives a form (urlencoded or multipart, no files), checks where it comes
from, where it sends the visitor back to and what it holds, then stores it with
its e-mails in one transaction before answering: 303 to ``_next`` (or
``{"ok": true, "next": …}`` with ``Accept: application/json``), or 422 with the
errors (a French HTML page, or JSON).
"""

from __future__ import annotations

import logging
import urllib.parse

from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from formbackend import pages
from formbackend.intake import origins
from formbackend.intake.ratelimit import retry_after_header
from formbackend.intake.validation import HONEYPOT, NEXT, FieldError, email_key, validate
from formbackend.mail.compose import ACKNOWLEDGEMENT, compose
from formbackend.registrations import group
from formbackend.registrations.capacity import Person
from formbackend.registrations.records import AlreadyRegistered
from formbackend.responses import cors_headers, status_page, wants_json
from formbackend.settings import Settings
from formbackend.state import State
from formbackend.store import NewSubmission, utcnow
from offer.forms import FieldKind

log = logging.getLogger(__name__)


PREFLIGHT_HEADERS = {"accept", "accept-language", "content-language", "content-type", "x-requested-with"}


class Refusal(Exception):
    """A submission refused before validation: status, code and French text."""

    def __init__(self, status: int, code: str, title: str, message: str, headers: dict | None = None):
        self.status, self.code, self.title, self.message = status, code, title, message
        self.headers = headers or {}


def refusal_response(request: Request, refusal: Refusal, origin: str | None, settings: Settings) -> Response:
    headers = {**cors_headers(origin, settings), **refusal.headers}
    if wants_json(request):
        body = {"ok": False, "errors": [{"field": None, "code": refusal.code, "message": refusal.message}]}
        return JSONResponse(body, status_code=refusal.status, headers=headers)
    back = origin + "/" if origin in settings.allowed_origins else None
    return status_page(request, refusal.status, refusal.title, [refusal.message], headers, back)


DRAIN_LIMIT = 1024 * 1024  # an oversized body up to this size is read (and dropped) so the 413 reaches the browser


async def read_body(request: Request, limit: int) -> bytes:
    too_large = Refusal(
        413,
        "too_large",
        "Envoi trop volumineux",
        f"Votre envoi dépasse {limit // 1024} Ko : raccourcissez vos textes puis envoyez de nouveau le formulaire.",
    )
    declared = request.headers.get("content-length")
    if declared is not None and not declared.isdigit():
        raise Refusal(
            400,
            "bad_request",
            "Envoi mal formé",
            "Votre envoi est mal formé : rechargez la page du formulaire et envoyez-le de nouveau.",
        )
    if declared is not None and int(declared) > DRAIN_LIMIT:
        raise too_large  # answered at once; the server closes the connection
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > DRAIN_LIMIT:
                raise too_large
            if size <= limit:
                chunks.append(chunk)
    except ClientDisconnect:
        # Gone (or cut by the server's request deadline): nobody reads the answer, but no traceback either.
        raise Refusal(400, "client_disconnected", "Envoi interrompu", "Votre envoi a été interrompu.") from None
    if size > limit:
        raise too_large
    return b"".join(chunks)


async def parse_items(request: Request, settings: Settings) -> list[tuple[str, str]]:
    """The posted (name, value) pairs, in order; Refusal on a bad or oversized body."""
    malformed = Refusal(
        400,
        "bad_request",
        "Envoi mal formé",
        "Votre envoi est mal formé : rechargez la page du formulaire et envoyez-le de nouveau.",
    )
    too_many = Refusal(
        413,
        "too_many_fields",
        "Envoi trop volumineux",
        f"Votre envoi compte plus de {settings.max_fields} champs : rechargez la page du formulaire et envoyez-le de nouveau.",
    )
    raw_type, params = parse_options_header(request.headers.get("content-type", ""))
    content_type = raw_type.decode("latin-1")
    if content_type not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise Refusal(
            415,
            "unsupported_media_type",
            "Format d'envoi non pris en charge",
            "Ce formulaire s'envoie depuis une page du site (format application/x-www-form-urlencoded ou multipart/form-data).",
        )
    # One rule for both formats: UTF-8 and nothing else (the pages say
    # accept-charset="utf-8"). Multipart holds no file here, so its whole body
    # is text too; checked before parsing, since the multipart parser would
    # decode bad bytes or another declared charset as Latin-1 without a word.
    body = await read_body(request, settings.max_body_bytes)
    if params.get(b"charset", b"utf-8").lower() not in {b"utf-8", b"utf8"}:
        raise malformed
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed from None
    if content_type == "application/x-www-form-urlencoded":
        if sum(1 for part in text.split("&") if part) > settings.max_fields:
            raise too_many
        try:
            return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise malformed from None

    async def replay():
        yield body

    parser = MultiPartParser(
        Headers(raw=request.headers.raw),
        replay(),
        max_files=0,
        max_fields=settings.max_fields,
        max_part_size=settings.max_body_bytes,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise (too_many if exc.message.startswith("Too many fields") else malformed) from None
    items = []
    for name, value in form.multi_items():
        if not isinstance(value, str):  # an uploaded file
            raise malformed
        items.append((name, value))
    return items


def error_page_base(request: Request, settings: Settings, next_url: str | None, origin: str) -> str:
    """The form page the error links point to: the Referer if allowed, else the site root."""
    referer = request.headers.get("referer")
    page = origins.page_without_fragment(referer, settings.allowed_origins) if referer else None
    if page:
        return page
    if next_url and origins.origin_of(next_url):
        # The thank-you page sits at the site's root ("…/ateliers/merci/"): its
        # parent keeps a sub-path that the bare origin would lose.
        return urllib.parse.urljoin(next_url, "../")
    return origin + "/"


def error_response(
    request: Request,
    state: State,
    form_name: str,
    errors: list[FieldError],
    origin: str,
    next_url: str | None,
    items: list[tuple[str, str]] = (),
) -> Response:
    headers = cors_headers(origin, state.settings)
    if wants_json(request):
        return JSONResponse(
            {"ok": False, "errors": [error.as_dict() for error in errors]}, status_code=422, headers=headers
        )
    definition = state.forms.formulaires[form_name]
    # Only the fields a visitor sees get a link; hidden ones have no target in the page.
    visible = {field.nom for field in definition.visible_fields}
    page = error_page_base(request, state.settings, next_url, origin)
    # The site's root: the thank-you page's parent keeps a sub-path ("…/ateliers/").
    site = urllib.parse.urljoin(next_url, "../") if next_url else (origins.origin_of(page) or origin) + "/"
    typed = [(name, value) for name, value in items if name != HONEYPOT]
    session = next((value for name, value in typed if name == "session"), None)
    known = state.open_sessions.get(session) if session and state.open_sessions is not None else None
    html = pages.render(
        "errors.html",
        pages.app_root(request.scope),
        title=definition.titre,
        errors=errors,
        form_name=form_name,
        linkable=visible,
        page=page,
        site=site,
        session_title=known.title if known else None,
        action=request.url.path,
        fields=definition.visible_fields,
        values={name: value for name, value in typed if name in visible},
        messages={error.field: error.message for error in reversed(errors)},
        # Sent again from the receiver's own page: the thank-you address as resolved from the
        # site's, never one that was refused.
        hidden=[(name, value) for name, value in typed if name not in visible and name != NEXT]
        + [(NEXT, next_url or (origins.origin_of(site) or origin) + state.settings.default_next_path)],
    )
    headers["Content-Security-Policy"] = pages.site_page_policy(origins.origin_of(site))
    return HTMLResponse(html, status_code=422, headers=headers)


def own_origin(request: Request) -> str | None:
    """The receiver's own origin, as the browser sees it (the Host it asked for)."""
    return origins.origin_of(str(request.base_url))


def success_response(
    request: Request, state: State, origin: str, next_url: str, registration_state: str | None = None
) -> Response:
    headers = cors_headers(origin, state.settings)
    if wants_json(request):
        body = {"ok": True, "next": next_url}
        if registration_state:
            body["etat"] = registration_state
        return JSONResponse(body, headers=headers)
    return RedirectResponse(next_url, status_code=303, headers=headers)


def preflight(request: Request, origin: str, settings: Settings) -> Response:
    method = request.headers.get("access-control-request-method", "POST").upper()
    asked = {
        h.strip().lower() for h in request.headers.get("access-control-request-headers", "").split(",") if h.strip()
    }
    if method != "POST" or not asked <= PREFLIGHT_HEADERS:
        return Response(status_code=403, headers={"Vary": "Origin"})
    headers = {
        **cors_headers(origin, settings),
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": ", ".join(sorted(asked)) if asked else "Accept, Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


async def receive(request: Request) -> Response:
    state: State = request.app.state.receiver
    settings = state.settings
    form_name = request.path_params["form_name"]
    origin = origins.request_origin(request.headers)
    try:
        if form_name not in state.forms.formulaires:
            raise Refusal(
                404,
                "unknown_form",
                "Formulaire introuvable",
                "Ce formulaire n'existe pas : revenez à la page du site et envoyez-le de nouveau.",
            )
        # The error page (errors.html) holds the form again, filled in: it posts from here.
        if origin is None or (origin not in settings.allowed_origins and origin != own_origin(request)):
            raise Refusal(
                403,
                "origin_not_allowed",
                "Envoi refusé",
                "Ce formulaire n'accepte que les envois faits depuis les pages du site du CDG 44.",
            )
        if request.method == "OPTIONS":
            return preflight(request, origin, settings)
        client = request.client.host if request.client else "inconnu"
        wait = state.limiter.hit(client)
        if wait:
            retry = retry_after_header(wait)
            minutes = max(1, -(-int(retry) // 60))
            raise Refusal(
                429,
                "rate_limited",
                "Trop d'envois",
                f"Vous avez envoyé beaucoup de formulaires en peu de temps : réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.",
                {"Retry-After": retry},
            )
        items = await parse_items(request, settings)
    except Refusal as refusal:
        log.info(
            "envoi refusé formulaire=%s statut=%s motif=%s",
            form_name if form_name in state.forms.formulaires else "?",
            refusal.status,
            refusal.code,
        )
        return refusal_response(request, refusal, origin, settings)

    # Where to send the visitor back: only to an allowed origin.
    raw_next = next((value for name, value in items if name == NEXT), None)
    next_url = None
    if raw_next is not None and raw_next.strip():
        referer = request.headers.get("referer")
        base = (origins.page_without_fragment(referer, settings.allowed_origins) if referer else None) or origin + "/"
        next_url = origins.resolve_next(raw_next, base, settings.allowed_origins)
        if next_url is None:
            log.info("envoi refusé formulaire=%s statut=422 motif=next_not_allowed", form_name)
            error = FieldError(
                NEXT,
                "next_not_allowed",
                "L'adresse de la page de remerciement n'est pas autorisée : revenez au formulaire du site et envoyez-le de nouveau.",
            )
            return error_response(request, state, form_name, [error], origin, None, items)
    else:
        next_url = origin + settings.default_next_path

    if any(name == HONEYPOT and value.strip() for name, value in items):
        log.info("envoi ignoré formulaire=%s motif=piege", form_name)
        return success_response(request, state, origin, next_url)

    definition = state.forms.formulaires[form_name]
    result = validate(definition, items)
    if result.errors:
        log.info(
            "envoi refusé formulaire=%s statut=422 erreurs=%s",
            form_name,
            ",".join(sorted({e.code for e in result.errors})),
        )
        return error_response(request, state, form_name, result.errors, origin, next_url, items)

    email_field = next((spec.nom for spec in definition.champs if spec.type is FieldKind.EMAIL), None)
    session = result.data.get("session") if definition.field("session") else None
    waiting_list = result.data.get("liste_attente") == "oui"
    if session and state.open_sessions is None:
        # Development without FORMBACKEND_SESSIONS (production does not start without it).
        log.info("envoi refusé formulaire=%s statut=422 erreurs=sessions_unknown", form_name)
        error = FieldError(
            "session",
            "sessions_unknown",
            "Les inscriptions ne sont pas ouvertes sur ce récepteur : la liste des sessions publiées par le site "
            "(FORMBACKEND_SESSIONS) n'y est pas configurée",
        )
        return error_response(request, state, form_name, [error], origin, next_url, items)
    if session:
        known = state.open_sessions.get(str(session))
        if known is None:
            log.info("envoi refusé formulaire=%s statut=422 erreurs=session_closed", form_name)
            error = FieldError(
                "session",
                "session_closed",
                "Les inscriptions à cette session ne sont pas ouvertes : consultez le programme des sessions sur le site",
            )
            return error_response(request, state, form_name, [error], origin, next_url, items)
        # The published state decides, not the page the visitor may have kept open.
        waiting_list = known.waiting_list
        if "liste_attente" in result.data:
            result.data["liste_attente"] = "oui" if waiting_list else "non"
    moment = utcnow()
    key = email_key(result.data[email_field]) if email_field and email_field in result.data else None
    mails = compose(settings, state.forms, form_name, result.data, result.contract, moment, session, waiting_list)
    enrolment = None
    if session and key and state.lifecycle is not None:
        # The registration's state is decided when it is written (capacity); each
        # person's own mail carries the personal link.
        published = known  # the published session, looked up above
        if group.is_group_form(definition):
            people, errors = group.people(definition, result.data)
            if errors:
                log.info("envoi refusé formulaire=%s statut=422 erreurs=group", form_name)
                return error_response(request, state, form_name, errors, origin, next_url, items)
        else:
            people = [Person(key, result.data)]
            # The registration's mail replaces the plain acknowledgement (a group's manager keeps it).
            mails = tuple(mail for mail in mails if mail.kind != ACKNOWLEDGEMENT)
        enrolment = state.lifecycle.enrolment(str(session), people, published, waiting_list)
    submission = NewSubmission(
        form=form_name,
        data=result.data,
        email_key=key,
        session=str(session) if session else None,
        waiting_list=waiting_list,
        mails=mails,
        created_at=moment,
        enrolment=enrolment,
    )
    try:
        submission_id = await state.writer.add(submission)
    except AlreadyRegistered as taken:
        log.info("envoi refusé formulaire=%s statut=422 erreurs=already_registered", form_name)
        if group.is_group_form(definition):
            error = FieldError(
                group.field_of(definition, result.data, taken.email) or email_field,
                "already_registered",
                f"{taken.email} est déjà inscrit ou inscrite à cette session : aucune inscription de ce groupe"
                " n'a été enregistrée. Retirez cet agent puis envoyez de nouveau",
            )
        else:
            error = FieldError(
                email_field,
                "already_registered",
                "Vous êtes déjà inscrit ou inscrite à cette session avec cette adresse électronique : rien n'a été"
                " modifié. Pour annuler, utilisez le lien du courriel que vous avez reçu à votre inscription",
            )
        return error_response(request, state, form_name, [error], origin, next_url, items)
    except Exception:  # noqa: BLE001 - answered with a 503, the visitor can retry
        log.exception("échec de l'enregistrement formulaire=%s", form_name)
        refusal = Refusal(
            503,
            "storage_unavailable",
            "Service momentanément indisponible",
            "Votre envoi n'a pas pu être enregistré : réessayez dans quelques minutes.",
            {"Retry-After": "60"},
        )
        return refusal_response(request, refusal, origin, settings)
    log.info(
        "envoi enregistré formulaire=%s id=%s statut=%s",
        form_name,
        submission_id,
        303 if not wants_json(request) else 200,
    )
    if submission.mails or enrolment is not None:
        state.worker.wake()
    outcome = enrolment.outcome if enrolment is not None else None
    return success_response(request, state, origin, next_url, outcome.state if outcome else None)
