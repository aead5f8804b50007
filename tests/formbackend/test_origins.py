"""Origins and return addresses: only the allowed origins, never another host."""

from __future__ import annotations

import pytest

from formbackend.intake.origins import allowed_url, normalise_origin, request_origin, resolve_next

ALLOWED = ("https://www.cdg44.fr", "http://127.0.0.1:8000")
PAGE = "https://www.cdg44.fr/ateliers/2027-03-mutualiser-services/"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("https://www.cdg44.fr", "https://www.cdg44.fr"),
        ("HTTPS://WWW.CDG44.FR:443/", "https://www.cdg44.fr"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://www.cdg44.fr/ateliers", None),
        ("www.cdg44.fr", None),
        ("ftp://www.cdg44.fr", None),
        ("https://user@www.cdg44.fr", None),
        ("null", None),
        ("https://www.cdg44.fr:99999", None),
    ],
)
def test_normalise_origin(value, expected):
    assert normalise_origin(value) == expected


@pytest.mark.parametrize(
    "headers,expected",
    [
        ({"origin": "https://www.cdg44.fr"}, "https://www.cdg44.fr"),
        ({"origin": "https://www.cdg44.fr", "referer": "https://evil.example/"}, "https://www.cdg44.fr"),
        ({"referer": PAGE}, "https://www.cdg44.fr"),
        ({"origin": "null", "referer": PAGE}, None),
        ({}, None),
    ],
)
def test_request_origin(headers, expected):
    assert request_origin(headers) == expected


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://www.cdg44.fr/ateliers/merci/", "https://www.cdg44.fr/ateliers/merci/"),
        ("https://WWW.cdg44.fr:443/merci/?a=1#b", "https://www.cdg44.fr/merci/?a=1#b"),
        ("https://www.cdg44.fr", "https://www.cdg44.fr/"),
        ("https://evil.example/", None),
        ("https://www.cdg44.fr.evil.example/", None),
        ("https://www.cdg44.fr@evil.example/", None),
        ("https://evil.example@www.cdg44.fr/", None),
        ("//evil.example/", None),
        ("https://www.cdg44.fr\\@evil.example/", None),
        ("https://www.cdg44.fr/\r\nSet-Cookie: x", None),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("http://www.cdg44.fr/", None),
        ("https://www.cdg44.fr:8443/", None),
    ],
)
def test_allowed_url(url, expected):
    assert allowed_url(url, ALLOWED) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("../merci/", "https://www.cdg44.fr/ateliers/merci/"),
        ("/merci/", "https://www.cdg44.fr/merci/"),
        ("merci/", PAGE + "merci/"),
        ("https://www.cdg44.fr/merci/", "https://www.cdg44.fr/merci/"),
        ("//evil.example/merci/", None),
        ("\\\\evil.example/merci/", None),
        ("/\\evil.example/", None),
        ("https://evil.example/", None),
    ],
)
def test_resolve_next_against_the_form_page(raw, expected):
    assert resolve_next(raw, PAGE, ALLOWED) == expected
