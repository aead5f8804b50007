"""Allowed origins: who may post, where a visitor may be sent back to.

An origin is ``scheme://host[:port]``, lower-case, without the default port.
A ``_next`` target or a Referer is accepted only when its origin is on the
allow-list, so the receiver never redirects to, or links to, another site.
"""

from __future__ import annotations

import functools
from urllib.parse import urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_FORBIDDEN_IN_URL = set("\\ \t\r\n\x00<>\"'`")


# Visitors of one page send the same Origin, Referer and _next: their parsing is kept
# (a few hundred addresses, least recently used dropped first).
@functools.lru_cache(maxsize=512)
def _split(url: str):
    if not url or len(url) > 2048 or any(ch in _FORBIDDEN_IN_URL or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    origin = f"{scheme}://{host}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        origin += f":{port}"
    return origin, parts


def normalise_origin(value: str) -> str | None:
    """'https://Example.org:443' -> 'https://example.org'; None when not an origin."""
    split = _split(value.strip().rstrip("/"))
    if split is None:
        return None
    origin, parts = split
    if parts.path or parts.query or parts.fragment:
        return None
    return origin


def origin_of(url: str) -> str | None:
    split = _split(url)
    return None if split is None else split[0]


def request_origin(headers) -> str | None:
    """The origin a request comes from: its Origin header, else its Referer's."""
    origin = headers.get("origin")
    if origin is not None:
        return normalise_origin(origin) if origin != "null" else None
    referer = headers.get("referer")
    if referer:
        return origin_of(referer)
    return None


def allowed_url(url: str, allowed: tuple[str, ...]) -> str | None:
    """The URL rebuilt from its parts if it is on an allowed origin, else None."""
    split = _split(url.strip())
    if split is None:
        return None
    origin, parts = split
    if origin not in allowed:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return urlunsplit((parts.scheme.lower(), origin.split("://", 1)[1], path, parts.query, parts.fragment))


def page_without_fragment(url: str, allowed: tuple[str, ...]) -> str | None:
    """An allowed page address without its #fragment (for links back to a form)."""
    page = allowed_url(url, allowed)
    return None if page is None else page.split("#", 1)[0]


def resolve_next(raw: str, base: str, allowed: tuple[str, ...]) -> str | None:
    """The thank-you page: an absolute URL, or one relative to base (the form page), on an allowed origin."""
    raw = raw.strip()
    if raw and not urlsplit(raw).scheme and not raw.startswith(("//", "\\")) and "\\" not in raw:
        raw = urljoin(base, raw)
    return allowed_url(raw, allowed)
