"""The consultants' session pages, under /admin/inscriptions (behind the administration's authentication).

A list of sessions with their places, and a page per session with its people,
their states and history, and the actions on them: confirm, refuse, cancel,
promote from the waiting list, mark present or absent, and switch automatic
promotion. Every action is a POST carrying the administration's token (CSRF)
and answers with a redirect to the session page, which shows what was done
(the GOV.UK "post, redirect, get" and notification banner patterns).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import unicodedata
import urllib.parse

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from formbackend.backoffice.admin import _message, _page, _state, csrf_token, protected
from formbackend.documents import ods, quotes
from formbackend.documents import sessions as documents
from formbackend.mail.compose import PARIS, paris_time
from formbackend.mail.registration_mails import describe_session
from formbackend.registrations import records
from formbackend.registrations.states import (
    ABSENTE,
    CONFIRMEE,
    DEMANDEE,
    LABELS,
    LISTE_ATTENTE,
    PRESENTE,
    TransitionRefused,
)
from formbackend.responses import attachment
from formbackend.store import Transaction, parse_timestamp

log = logging.getLogger(__name__)

# action -> (button text, what the banner says was done, states it applies to)
ACTIONS = {
    "confirmer": ("Confirmer", "Inscription confirmée", {DEMANDEE}),
    "promouvoir": ("Donner une place", "Place donnée depuis la liste d'attente", {LISTE_ATTENTE}),
    "refuser": ("Refuser", "Inscription refusée", {DEMANDEE}),
    "annuler": ("Annuler", "Inscription annulée", {CONFIRMEE, LISTE_ATTENTE}),
    "present": ("Présente", "Présence enregistrée", {CONFIRMEE, ABSENTE}),
    "absent": ("Absente", "Absence enregistrée", {CONFIRMEE, PRESENTE}),
}
ACTOR_LABELS = {
    "personne": "la personne",
    "administration": "le CDG",
    "recepteur": "le récepteur",
    "migration": "reprise",
}


# The reason a consultant writes when refusing or cancelling: kept in the history, sent in the mail.
REASON_LENGTH = 300


def consultant_reason(raw) -> str:
    """One line of plain text (line breaks and control characters become spaces), at most REASON_LENGTH."""
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in str(raw or ""))
    return " ".join(text.split())[:REASON_LENGTH]


def _lifecycle(request: Request):
    return _state(request).lifecycle


def _date(text: str) -> str:
    return paris_time(parse_timestamp(text))


@protected
async def session_list(request: Request) -> Response:
    state = _state(request)
    with state.store._connection() as conn:
        counts = records.live_counts(conn)
        taken = records.occupancy(conn)
        rows = []
        for slug in sorted(set(counts) | {row[0] for row in conn.execute("SELECT session FROM sessions")}):
            details = records.session_details(conn, slug)
            held, waiting, cancelled = counts.get(slug, (0, 0, 0))
            rows.append(
                {
                    "slug": slug,
                    "title": details.get("titre") or slug,
                    "capacity": details.get("capacite"),
                    "places": details.get("places"),
                    "held": held,
                    "offered": taken.get(slug, (0, 0))[0] - held,
                    "waiting": waiting,
                    "cancelled": cancelled,
                }
            )
    return _page(request, "admin_sessions.html", title="Suivi des sessions", sessions=rows)


def _people(registrations):
    people = []
    for registration in registrations:
        actions = [
            {"name": name, "label": label}
            for name, (label, _, states) in ACTIONS.items()
            if registration.state in states
        ]
        people.append(
            {
                "id": registration.id,
                "name": registration.name,
                "email": registration.email,
                "organisation": registration.person.get("collectivite", ""),
                "role": registration.person.get("fonction", ""),
                "state": registration.state,
                "state_label": LABELS[registration.state],
                "offer": paris_time_from(registration.offer_expires_at) if registration.offer_pending else None,
                "date": _date(registration.created_at),
                "actions": actions,
                "history": [
                    {
                        "date": _date(row.at),
                        "actor": ACTOR_LABELS.get(row.actor, row.actor),
                        "from": LABELS.get(row.from_state, "") if row.from_state else "",
                        "to": LABELS[row.to_state],
                        "reason": row.reason,
                    }
                    for row in registration.history
                ],
            }
        )
    return people


def paris_time_from(timestamp: float) -> str:
    import datetime as dt

    return paris_time(dt.datetime.fromtimestamp(timestamp, dt.UTC))


@protected
async def session_page(request: Request) -> Response:
    state = _state(request)
    slug = request.path_params["session"]
    with state.store._connection() as conn:
        registrations = records.of_session(conn, slug, with_history=True)
        details = records.session_details(conn, slug)
        automatic = records.auto_promotion(conn, slug)
    if not registrations and not details:
        return _message(request, 404, "Session introuvable", "Aucune inscription n'est enregistrée pour cette session.")
    done = request.query_params.get("fait")
    banner = None
    if done in ACTIONS:
        banner = ACTIONS[done][1]
    elif done in {"promotion-auto", "promotion-manuelle"}:
        banner = "Promotion automatique activée" if done == "promotion-auto" else "Promotion automatique désactivée"
    people = _people(registrations)
    return _page(
        request,
        "admin_session.html",
        title=details.get("titre") or slug,
        slug=slug,
        quoted=urllib.parse.quote(slug, safe=""),
        session=describe_session(slug, details),
        details=details,
        people=people,
        counts={label: sum(1 for p in people if p["state"] == key) for key, label in LABELS.items()},
        automatic=automatic,
        banner=banner,
        reason_length=REASON_LENGTH,
        token=csrf_token(state.settings),
    )


def _back(request: Request, slug: str, done: str) -> RedirectResponse:
    root = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    return RedirectResponse(f"{root}/admin/inscriptions/{urllib.parse.quote(slug, safe='')}?fait={done}", 303)


@protected
async def act(request: Request) -> Response:
    lifecycle = _lifecycle(request)
    slug = request.path_params["session"]
    action = request.path_params["action"]
    registration_id = request.path_params["registration_id"]
    if action not in ACTIONS:
        return _message(request, 404, "Action inconnue", "Cette action n'existe pas.")
    try:
        registration = lifecycle.get(registration_id)
        if registration.session != slug:
            raise records.NotFound(registration_id)
        reason = consultant_reason(request.state.form.get("motif"))
        if action in {"confirmer", "promouvoir"}:
            lifecycle.confirm(registration_id)
        elif action == "refuser":
            lifecycle.refuse(registration_id, reason)
        elif action == "annuler":
            lifecycle.cancel(registration_id, records.ADMINISTRATION, reason or "annulée par le CDG")
        else:
            lifecycle.mark(registration_id, present=action == "present")
    except records.NotFound:
        return _message(request, 404, "Inscription introuvable", "Cette inscription n'existe pas dans cette session.")
    except TransitionRefused as refused:
        return _message(request, 409, "Action impossible", f"{refused} Rechargez la page de la session.")
    log.info("administration : %s inscription=%s", action, registration_id)
    _state(request).worker.wake()
    return _back(request, slug, action)


@protected
async def promotion(request: Request) -> Response:
    slug = request.path_params["session"]
    enabled = request.state.form.get("automatique") == "1"
    _lifecycle(request).set_auto_promotion(slug, enabled)
    log.info("administration : promotion automatique=%s", int(enabled))
    return _back(request, slug, "promotion-auto" if enabled else "promotion-manuelle")


def _document(content: bytes, media_type: str, filename: str) -> Response:
    # The same download header as the CSV export: any session name gives a valid one.
    return Response(content, media_type=media_type, headers={"Content-Disposition": attachment(filename)})


@protected
async def attendance_pdf(request: Request) -> Response:
    slug = request.path_params["session"]
    state = _state(request)
    with state.store._connection() as conn:
        registrations = records.of_session(conn, slug)
        details = records.session_details(conn, slug)
    if not registrations:
        return _message(request, 404, "Session introuvable", "Aucune inscription n'est enregistrée pour cette session.")
    content = await asyncio.to_thread(documents.attendance_sheet, slug, details, registrations)
    log.info("administration : feuille d'émargement")
    return _document(content, "application/pdf", f"emargement-{slug}.pdf")


@protected
async def attestation_pdf(request: Request) -> Response:
    slug = request.path_params["session"]
    registration_id = request.path_params["registration_id"]
    state = _state(request)
    try:
        with state.store._connection() as conn:
            registration = records.get(conn, registration_id)
            details = records.session_details(conn, slug)
        if registration.session != slug:
            raise records.NotFound(registration_id)
        today = dt.datetime.now(PARIS).date()
        content = await asyncio.to_thread(documents.attestation, slug, details, registration, today)
    except records.NotFound:
        return _message(request, 404, "Inscription introuvable", "Cette inscription n'existe pas dans cette session.")
    except documents.NotPresent:
        return _message(
            request,
            409,
            "Attestation impossible",
            "Une attestation de présence n'est délivrée qu'à une personne marquée présente.",
        )
    return _document(content, "application/pdf", f"attestation-{registration_id}.pdf")


@protected
async def people_ods(request: Request) -> Response:
    slug = request.path_params["session"]
    state = _state(request)
    with state.store._connection() as conn:
        registrations = records.of_session(conn, slug)
    content = ods.session_people(slug, registrations)
    log.info("administration : export ODS lignes=%s", len(registrations))
    return _document(content, "application/vnd.oasis.opendocument.spreadsheet", f"inscriptions-{slug}.ods")


@protected
async def quote_pdf(request: Request) -> Response:
    state = _state(request)
    submission_id = request.path_params["submission_id"]
    settings = state.settings
    with state.store._connection() as conn:
        row = conn.execute("SELECT data FROM submissions WHERE id = ? AND form = 'devis'", (submission_id,)).fetchone()
    if row is None:
        return _message(request, 404, "Demande introuvable", "Aucune demande de devis n'a ce numéro.")
    data = json.loads(row[0])
    try:
        rates = quotes.load_rate_table(settings.rates_path)
    except quotes.RatesUnavailable as problem:
        return _message(request, 503, "Tarifs illisibles", str(problem))
    today = dt.datetime.now(PARIS).date()
    with state.store._connection() as conn, Transaction(conn):
        existing = conn.execute("SELECT issued_at FROM quotes WHERE submission_id = ?", (submission_id,)).fetchone()
        issued = dt.date.fromisoformat(existing[0]) if existing else today
        numbers = quotes.figures(data, rates, issued, settings.quote_vat_rate)
        number = quotes.number_for(conn, submission_id, issued, numbers.total)
    content = await asyncio.to_thread(quotes.quote_pdf, data, number, numbers, settings)
    log.info("administration : devis %s", number.number)
    return _document(content, "application/pdf", f"devis-{number.number}.pdf")


def routes() -> list[Route]:
    return [
        Route("/devis/{submission_id:int}.pdf", quote_pdf, methods=["GET"]),
        Route("/inscriptions/{session}/emargement.pdf", attendance_pdf, methods=["GET"]),
        Route("/inscriptions/{session}/inscriptions.ods", people_ods, methods=["GET"]),
        Route("/inscriptions/{session}/{registration_id:int}/attestation.pdf", attestation_pdf, methods=["GET"]),
        Route("/inscriptions/", session_list, methods=["GET"]),
        Route("/inscriptions/{session}", session_page, methods=["GET"]),
        Route("/inscriptions/{session}/promotion", promotion, methods=["POST"]),
        Route("/inscriptions/{session}/{registration_id:int}/{action}", act, methods=["POST"]),
    ]
