"""``GET /disponibilites.json``: the places left in each open session, now.

The site's pages show the badge of their build; with JavaScript they ask this
address and update the badge and the registration form (theme/static/js/
disponibilites.js). The answer holds no personal data, is kept a few seconds
(FORMBACKEND_AVAILABILITY_CACHE) so that a crowd of visitors costs one query,
and is readable from the site's own origins only (CORS).
"""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import Response

from formbackend.intake import origins
from formbackend.registrations import records
from formbackend.responses import cors_headers
from offer.availability import open_session_badge
from offer.formatting import count
from offer.typography import french_text


def snapshot(state) -> dict:
    published = state.open_sessions.all() if state.open_sessions is not None else {}
    with state.store._connection() as conn:
        occupancy = records.occupancy(conn)
    sessions = {}
    for slug, session in sorted(published.items()):
        if session.places is None:
            continue  # a sessions file of an older build: no capacity to count against
        taken, waiting = occupancy.get(slug, (0, 0))
        left = max(session.places - taken, 0)
        # Someone waits before any newcomer: the session is full for the public.
        open_now = left > 0 and waiting == 0
        badge = open_session_badge(left if open_now else 0)
        shown_left = left if open_now else 0
        entry = {
            "etat": badge.state.value,
            # Set as the built pages are, so that an unchanged badge reads the same.
            "libelle": french_text(badge.label),
            "places_restantes": shown_left,
            "liste_attente": not open_now,
        }
        if session.capacity is not None:
            # The published places already leave out those the editor counted outside the site.
            places = f"{count(shown_left, 'place restante', 'places restantes')} sur {session.capacity}"
            entry["texte_places"] = french_text(places)
        sessions[slug] = entry
    return {"sessions": sessions}


class AvailabilityCache:
    def __init__(self):
        self._body: bytes | None = None
        self._until = 0.0

    def body(self, state) -> bytes:
        now = time.monotonic()
        if self._body is None or now >= self._until:
            self._body = json.dumps(snapshot(state), ensure_ascii=False, sort_keys=True).encode("utf-8")
            self._until = now + state.settings.availability_cache_seconds
        return self._body


async def availability(request: Request) -> Response:
    state = request.app.state.receiver
    settings = state.settings
    origin = origins.request_origin(request.headers)
    cache = getattr(request.app.state, "availability_cache", None)
    if cache is None:
        cache = request.app.state.availability_cache = AvailabilityCache()
    seconds = max(int(settings.availability_cache_seconds), 0)
    return Response(
        cache.body(state),
        media_type="application/json",
        headers={**cors_headers(origin, settings), "Cache-Control": f"public, max-age={seconds}"},
    )
