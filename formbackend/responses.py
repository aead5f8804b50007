"""Answers shared by every part of the receiver: JSON or HTML, CORS, status pages."""

from __future__ import annotations

import re
import unicodedata
import urllib.parse

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


def attachment(filename: str) -> str:
    """Content-Disposition of a download (RFC 6266), whatever characters its name holds.

    ``filename=`` is an ASCII fallback (accents dropped, anything else "_") for
    old clients; ``filename*=UTF-8''…`` (RFC 8187) gives the exact name when it
    differs. The header itself stays ASCII, which HTTP servers require.
    """
    letters = (char for char in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(char))
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", "".join(letters)).lstrip(".") or "telechargement"
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(filename, safe='')}"
