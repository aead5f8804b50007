"""Answers shared by every part of the receiver: JSON or HTML, CORS, status pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from formbackend import pages
from formbackend.settings import Settings


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "").lower()


def cors_headers(origin: str | None, settings: Settings) -> dict[str, str]:
    headers = {"Vary": "Origin"}
    if origin is not None and origin in settings.allowed_origins:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def status_page(
    request: Request,
    status: int,
    title: str,
    paragraphs: list[str],
    headers: dict | None = None,
    back: str | None = None,
) -> HTMLResponse:
    html = pages.render("message.html", pages.app_root(request.scope), title=title, paragraphs=paragraphs, back=back)
    return HTMLResponse(html, status_code=status, headers=headers)
