"""The person's own page, reached by the signed link of their mails.

``GET /inscription/{jeton}`` shows the registration; cancelling asks for a
confirmation (``GET …/annuler``, then ``POST``), accepting a place offered is
one ``POST …/accepter``. The link is the person's only credential: a link that
was changed or that expired gets a French page saying what to do.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from formbackend import pages
from formbackend.mail.registration_mails import describe_session, paris_deadline
from formbackend.registrations import records
from formbackend.registrations.lifecycle import OfferClosed
from formbackend.registrations.links import LinkRefused
from formbackend.registrations.records import NotFound
from formbackend.registrations.states import CANCELLABLE, LABELS, LISTE_ATTENTE, TransitionRefused
from formbackend.responses import status_page

log = logging.getLogger(__name__)


def _lifecycle(request: Request):
    return request.app.state.receiver.lifecycle


def _registration(request: Request):
    """(token, registration) or a French error page."""
    lifecycle = _lifecycle(request)
    token = request.path_params["token"]
    try:
        registration_id = lifecycle.links.registration_id(token)
        return token, lifecycle.get(registration_id)
    except LinkRefused as refused:
        if refused.expired:
            return None, status_page(
                request,
                410,
                "Ce lien a expiré",
                [
                    "Le lien de votre courriel n'est plus valable.",
                    "Pour toute question sur votre inscription, écrivez au Centre de gestion en répondant à ce courriel.",
                ],
            )
        return None, status_page(
            request,
            404,
            "Ce lien n'est pas valable",
            [
                "Ce lien est incomplet ou a été modifié. Copiez l'adresse entière depuis votre courriel, ou cliquez sur le lien qu'il contient.",
            ],
        )
    except NotFound:
        return None, status_page(
            request,
            404,
            "Inscription introuvable",
            ["Cette inscription n'existe plus : ses données ont été effacées."],
        )


def _page(request: Request, template: str, token: str, registration, status: int = 200, **extra) -> HTMLResponse:
    with _lifecycle(request).store._connection() as conn:
        details = records.session_details(conn, registration.session)
    offer = registration.offer_expires_at if registration.offer_pending else None
    html = pages.render(
        template,
        pages.app_root(request.scope),
        token=token,
        registration=registration,
        session=describe_session(registration.session, details),
        state_label=LABELS[registration.state],
        cancellable=registration.state in CANCELLABLE,
        waiting=registration.state == LISTE_ATTENTE,
        offer_deadline=paris_deadline(offer) if offer else None,
        **extra,
    )
    return HTMLResponse(html, status_code=status)


async def show(request: Request) -> Response:
    token, found = _registration(request)
    if token is None:
        return found
    return _page(request, "inscription.html", token, found, title="Votre inscription", notice=None)


async def cancel(request: Request) -> Response:
    token, found = _registration(request)
    if token is None:
        return found
    if request.method == "GET":
        if found.state not in CANCELLABLE:
            return _page(request, "inscription.html", token, found, title="Votre inscription", notice=None)
        return _page(request, "inscription_annuler.html", token, found, title="Annuler votre inscription ?")
    try:
        after = _lifecycle(request).cancel(found.id)
    except TransitionRefused:
        return _refused(request, token, found, "Cette inscription ne peut plus être annulée.")
    log.info("inscription annulée par la personne id=%s", found.id)
    return _changed(request, token, after, "Inscription annulée", "Votre inscription est annulée.")


def _changed(request: Request, token: str, after, title: str, done: str) -> Response:
    """The person's page after a change: its mail is queued, the sender is woken to send it now."""
    request.app.state.receiver.worker.wake()
    return _page(request, "inscription.html", token, after, title=title, notice=f"{done} Un courriel vous le confirme.")


def _refused(request: Request, token: str, found, notice: str) -> Response:
    """The person's page again, with why the change asked for cannot be made (409)."""
    return _page(request, "inscription.html", token, found, status=409, title="Votre inscription", notice=notice)


async def accept(request: Request) -> Response:
    token, found = _registration(request)
    if token is None:
        return found
    try:
        after = _lifecycle(request).accept_offer(found.id)
    except (OfferClosed, TransitionRefused):
        return _refused(request, token, found, "Cette place n'est plus proposée : le délai pour l'accepter est passé.")
    log.info("place proposée acceptée id=%s", found.id)
    return _changed(request, token, after, "Place acceptée", "Vous avez accepté la place.")


def routes() -> list[Route]:
    return [
        Route("/inscription/{token}", show, methods=["GET"]),
        Route("/inscription/{token}/annuler", cancel, methods=["GET", "POST"]),
        Route("/inscription/{token}/accepter", accept, methods=["POST"]),
    ]
