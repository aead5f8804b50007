"""The corpus of hostile requests: one line each, with the answer expected beside it.

``test_hostile_requests.py`` sends every line to the receiver (the ASGI app,
through httpx) and checks the answer. A line reads::

    Hostile(id, method, path, body, status, errors, has=…, headers=…, stored=…)

- ``body``: ``form(form_name, field=value…)`` is the form's valid example
  (``VALID`` in conftest.py) posted urlencoded with these changes (``None``
  drops a field); ``multipart(…)`` the same as multipart/form-data;
  ``raw(content_type, bytes)`` anything else; ``NONE`` no body.
- ``status``: the HTTP status expected.
- ``errors``: for a JSON answer that refuses, its errors exactly, as
  "field:code" separated by spaces ("-:code" when no field is at fault).
- ``has``: fragments the answer must hold, each looked for in its headers
  (written "name: value", names in lower case) and in its body (an HTML
  page's text with its character references decoded).
- ``headers``: ``SITE`` (a page of the site asking for JSON; the default),
  ``BROWSER`` (the same, asking for HTML), ``ADMIN`` (the administration's
  credentials) or any dict.
- ``stored``: how many submissions the database holds afterwards (each with
  its two mails); a stored one must hold what was posted, verbatim.

Every line is also checked for what holds for all: the status is the one
expected (so never a 500), a JSON answer says ``ok`` rightly, and a foreign
origin never gets a CORS header.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .conftest import FORM_PAGE, SITE, VALID, headers

POST, GET = "POST", "GET"
SITE_HEADERS = headers()
BROWSER = headers(json=False)
ADMIN_USER, ADMIN_PASSWORD = "gestion", "mot-de-passe-long-é"
ADMIN = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN_USER}:{ADMIN_PASSWORD}".encode()).decode()}


@dataclass(frozen=True)
class Body:
    content_type: str | None = None
    content: bytes = b""
    pairs: tuple = ()  # what a stored submission must hold, for a body made of fields


NONE = Body()


def _pairs(form_name: str, changes: dict) -> list[tuple[str, str]]:
    data = {**VALID[form_name], **changes}
    return [(name, value) for name, value in data.items() if value is not None]


def form(form_name: str = "contact", extra: tuple = (), **changes) -> Body:
    """The form's valid example with these changes, urlencoded; `extra` adds (name, value) pairs as they are."""
    pairs = _pairs(form_name, changes) + list(extra)
    return Body("application/x-www-form-urlencoded", urlencode(pairs).encode("ascii"), tuple(pairs))


def multipart(form_name: str = "contact", raw_parts: tuple = (), charset: str | None = None, **changes) -> Body:
    """The same as multipart/form-data; `raw_parts` adds (name bytes, value bytes) parts byte for byte."""
    boundary = b"----limite7MA4YWxkTrZu0gW"
    pairs = _pairs(form_name, changes)
    parts = [(name.encode(), value.encode()) for name, value in pairs] + list(raw_parts)
    content = b"".join(
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in parts
    )
    content_type = f"multipart/form-data; boundary={boundary.decode()}" + (f"; charset={charset}" if charset else "")
    return Body(content_type, content + b"--" + boundary + b"--\r\n", tuple(pairs))


def raw(content_type: str, content: bytes) -> Body:
    return Body(content_type, content)


@dataclass(frozen=True)
class Hostile:
    id: str
    method: str
    path: str
    body: Body = NONE
    status: int = 422
    errors: str = ""
    has: tuple[str, ...] = ()
    headers: dict = field(default_factory=lambda: SITE_HEADERS)
    stored: int = 0


# An RFC 2047 encoded word that Python 3.11.7's email package decodes into new header lines.
ENCODED_WORD = "=?utf-8?q?Devis=0D=0AContent-Type:_text/html=0D=0A=0D=0A<a href=https://evil.example>?="
ENCODED_BCC = "Devis=?utf-8?b?" + base64.b64encode(b"\r\nBcc: victime@evil.example").decode() + "?="
MALFORMED = "Envoi mal formé"
FILE_PART = b'--b\r\nContent-Disposition: form-data; name="piece"; filename="a.txt"\r\n\r\nbonjour\r\n--b--\r\n'
OVERSIZED = "a" * (70 * 1024)
EVIL = "https://evil.example"
EXPORT = "/admin/formulaires/inscription/export.csv"
# Each line is one request; keep them on one line each (ruff's line length is lifted for this file).
# fmt: off
CORPUS = [
    # -- size and shape of the request
    Hostile("corps-trop-gros", POST, "/f/contact", form(message=OVERSIZED), 413, "-:too_large"),
    Hostile("trop-de-champs", POST, "/f/contact", form(extra=tuple((f"champ{i}", "x") for i in range(60))), 413, "-:too_many_fields"),
    Hostile("type-de-contenu-json", POST, "/f/contact", raw("application/json", b'{"nom": "x"}'), 415, "-:unsupported_media_type"),
    Hostile("fichier-joint", POST, "/f/contact", raw("multipart/form-data; boundary=b", FILE_PART), 400, "-:bad_request"),
    Hostile("formulaire-inconnu", POST, "/f/inconnu", form(), 404, "-:unknown_form"),
    Hostile("formulaire-inconnu-page", POST, "/f/inconnu", form(), 404, has=("Formulaire introuvable",), headers=BROWSER),
    # -- bytes that are not UTF-8: the same 400 on both formats (issue 8, item 10)
    Hostile("urlencode-octets-invalides", POST, "/f/contact", raw("application/x-www-form-urlencoded", b"nom=%FF%FE&email=x"), 400, "-:bad_request"),
    Hostile("urlencode-octets-bruts", POST, "/f/contact", raw("application/x-www-form-urlencoded", b"nom=L\xe9a&email=x"), 400, "-:bad_request"),
    Hostile("urlencode-octets-invalides-page", POST, "/f/contact", raw("application/x-www-form-urlencoded", b"nom=%FF"), 400, has=(MALFORMED,), headers=BROWSER),
    Hostile("urlencode-autre-jeu", POST, "/f/contact", Body("application/x-www-form-urlencoded; charset=iso-8859-1", form().content), 400, "-:bad_request"),
    Hostile("multipart-valide", POST, "/f/contact", multipart(nom="Zoë Ñúñez 李", message="Émoji 🙂\nfin"), 200, stored=1),
    Hostile("multipart-octets-invalides", POST, "/f/contact", multipart(raw_parts=((b"objet", b"caf\xe9"),), objet=None), 400, "-:bad_request"),
    Hostile("multipart-octets-invalides-page", POST, "/f/contact", multipart(raw_parts=((b"objet", b"\xff\xfe"),), objet=None), 400, has=(MALFORMED,), headers=BROWSER),
    Hostile("multipart-nom-invalide", POST, "/f/contact", multipart(raw_parts=((b"obj\xe9t", b"x"),)), 400, "-:bad_request"),
    Hostile("multipart-autre-jeu", POST, "/f/contact", multipart(charset="iso-8859-1", nom="Léa"), 400, "-:bad_request"),
    # -- fields
    Hostile("champ-inconnu", POST, "/f/contact", form(extra=(("role", "admin"),)), 422, "role:unknown_field"),
    Hostile("champ-inconnu-balise", POST, "/f/contact", form(extra=(("<script>alert(1)</script>", "x"),)), 422, "<script>alert(1)</script>:unknown_field"),
    Hostile("champ-requis-manquant", POST, "/f/contact", form(email=None), 422, "email:required", has=("Indiquez votre adresse électronique",)),
    Hostile("champ-requis-vide", POST, "/f/contact", form(objet="   "), 422, "objet:required"),
    Hostile("balise-script", POST, "/f/contact", form(objet="<script>alert('x')</script>", message="<img src=x onerror=alert(1)>"), 200, stored=1),
    Hostile("chaine-sql", POST, "/f/contact", form(nom="Robert'); DROP TABLE submissions;--", objet="' OR '1'='1"), 200, stored=1),
    Hostile("inversion-droite-gauche", POST, "/f/contact", form(nom="Léa \u202eBernard"), 422, "nom:invalid_characters"),
    Hostile("espace-sans-chasse", POST, "/f/contact", form(objet="Une\u200bquestion"), 422, "objet:invalid_characters"),
    Hostile("octet-nul", POST, "/f/contact", form(message="Bonjour\x00"), 422, "message:invalid_characters"),
    Hostile("unicode-correct", POST, "/f/contact", form(nom="Zoë Ñúñez-Łukasz 李", message="Émoji 🙂\nfin"), 200, stored=1),
    # -- addresses (issue 8, item 6): ASCII only, never an invalid Reply-To
    Hostile("adresse-invalide", POST, "/f/contact", form(email="jeanne.martin@mairie"), 422, "email:invalid", has=("Saisissez une adresse électronique valide",)),
    Hostile("adresse-injection-en-tete", POST, "/f/contact", form(email="a@b.fr\nBcc: c@d.fr"), 422, "email:invalid_characters"),
    Hostile("adresse-domaine-accentue", POST, "/f/contact", form(email="jean@café.fr"), 422, "email:not_ascii", has=("sans accent ni lettre d'un autre alphabet",)),
    Hostile("adresse-domaine-sosie-cyrillique", POST, "/f/contact", form(email="jean@сdg44.fr"), 422, "email:not_ascii"),
    Hostile("adresse-locale-accentuee", POST, "/f/inscription", form("inscription", email="jéan@mairie-exemple.fr"), 422, "email:not_ascii"),
    Hostile("adresse-domaine-ascii-idn", POST, "/f/contact", form(email="jean@xn--caf-dma.fr"), 200, stored=1),
    Hostile("adresse-mot-encode", POST, "/f/contact", form(email="x=?utf-8?q?=0D=0ABcc=3A_v=40evil=2Eexample?=@exemple.fr"), 422, "email:invalid"),
    Hostile("adresse-domaine-reserve", POST, "/f/contact", form(email="jean@mairie.local"), 422, "email:invalid"),
    Hostile("adresse-accentuee-page", POST, "/f/contact", form(email="jean@café.fr"), 422, has=("sans accent ni lettre d'un autre alphabet",), headers=BROWSER),
    # -- the contract fields that reach a mail header (issue 8, item 1)
    Hostile("sujet-mot-encode", POST, "/f/devis", form("devis", _subject=ENCODED_WORD), 422, "_subject:invalid"),
    Hostile("sujet-mot-encode-colle", POST, "/f/contact", form(_subject=ENCODED_BCC), 422, "_subject:invalid"),
    Hostile("sujet-retour-ligne", POST, "/f/contact", form(_subject="Devis\r\nBcc: victime@evil.example"), 422, "_subject:invalid"),
    Hostile("sujet-separateur-ligne", POST, "/f/contact", form(_subject="Devis\u2028Bcc: victime@evil.example"), 422, "_subject:invalid"),
    Hostile("sujet-ordinaire", POST, "/f/contact", form(_subject="Question sur un atelier"), 200, stored=1),
    Hostile("repondre-a-injection", POST, "/f/contact", form(_replyto="a@b.fr\r\nBcc: victime@evil.example"), 422, "_replyto:invalid"),
    Hostile("repondre-a-accentue", POST, "/f/contact", form(_replyto="jean@café.fr"), 422, "_replyto:not_ascii"),
    Hostile("repondre-a-nom-affiche", POST, "/f/contact", form(_replyto="=?utf-8?q?x=0D=0ABcc:_v@evil.example?= <a@b.fr>"), 422, "_replyto:invalid"),
    # -- where the request comes from and where the visitor goes back to
    Hostile("origine-etrangere", POST, "/f/contact", form(), 403, "-:origin_not_allowed", headers=headers(origin=EVIL, referer=None)),
    Hostile("origine-ressemblante", POST, "/f/contact", form(), 403, "-:origin_not_allowed", headers=headers(origin="https://www.cdg44.fr.evil.example", referer=None)),
    Hostile("origine-null", POST, "/f/contact", form(), 403, "-:origin_not_allowed", headers=headers(origin="null", referer=FORM_PAGE)),
    Hostile("sans-origine-ni-referent", POST, "/f/contact", form(), 403, "-:origin_not_allowed", headers=headers(origin=None, referer=None)),
    Hostile("referent-seul-autorise", POST, "/f/contact", form(), 200, stored=1, headers=headers(origin=None, referer=FORM_PAGE)),
    Hostile("referent-seul-etranger", POST, "/f/contact", form(), 403, "-:origin_not_allowed", headers=headers(origin=None, referer=EVIL + "/page")),
    Hostile("origine-etrangere-page", POST, "/f/contact", form(), 403, has=("Envoi refusé",), headers=headers(origin=EVIL, referer=None, json=False)),
    Hostile("next-autre-hote", POST, "/f/contact", form(_next=EVIL + "/merci/"), 422, "_next:next_not_allowed"),
    Hostile("next-autre-hote-page", POST, "/f/contact", form(_next=EVIL + "/merci/"), 422, has=("page de remerciement n'est pas autorisée",), headers=BROWSER),
    Hostile("next-protocole-relatif", POST, "/f/contact", form(_next="//evil.example/merci/"), 422, "_next:next_not_allowed"),
    Hostile("next-identifiants", POST, "/f/contact", form(_next=SITE + "@evil.example/"), 422, "_next:next_not_allowed"),
    Hostile("next-javascript", POST, "/f/contact", form(_next="javascript:alert(1)"), 422, "_next:next_not_allowed"),
    Hostile("next-antislash", POST, "/f/contact", form(_next=SITE + "\\@evil.example/"), 422, "_next:next_not_allowed"),
    Hostile("next-http-au-lieu-de-https", POST, "/f/contact", form(_next="http://www.cdg44.fr/merci/"), 422, "_next:next_not_allowed"),
    Hostile("pot-de-miel", POST, "/f/contact", form(_gotcha="http://spam.example"), 200),
    Hostile("pot-de-miel-et-erreurs", POST, "/f/contact", form(_gotcha="x", email="pas-une-adresse"), 200),
    # -- the administration's CSV export names its file in any script (issue 8, item 9)
    Hostile("export-session-japonais", GET, EXPORT + "?session=日本", status=200, headers=ADMIN, has=("content-disposition: attachment; filename=\"inscription-_.csv\"; filename*=UTF-8''inscription-%E6%97%A5%E6%9C%AC.csv",)),
    Hostile("export-session-cyrillique", GET, EXPORT + "?session=сессия", status=200, headers=ADMIN, has=("filename*=UTF-8''inscription-%D1%81%D0%B5%D1%81%D1%81%D0%B8%D1%8F.csv",)),
    Hostile("export-session-accents", GET, EXPORT + "?session=été-à-nantes", status=200, headers=ADMIN, has=("filename=\"inscription-ete-a-nantes.csv\"; filename*=UTF-8''inscription-%C3%A9t%C3%A9-%C3%A0-nantes.csv",)),
    Hostile("export-session-guillemets", GET, EXPORT + "?session=a%22%3B%20filename%3Devil.sh", status=200, headers=ADMIN, has=("filename=\"inscription-a_filename_evil.sh.csv\"; filename*=UTF-8''inscription-a%22%3B%20filename%3Devil.sh.csv",)),
    Hostile("export-session-retour-ligne", GET, EXPORT + "?session=a%0D%0ASet-Cookie%3A%20x%3D1", status=200, headers=ADMIN, has=("filename*=UTF-8''inscription-a%0D%0ASet-Cookie%3A%20x%3D1.csv",)),
    Hostile("export-session-ascii", GET, EXPORT + "?session=2027-03-mutualiser-services", status=200, headers=ADMIN, has=('filename="inscription-2027-03-mutualiser-services.csv"',)),
    Hostile("export-sans-identifiants", GET, EXPORT + "?session=日本", status=401, headers={}),
]
# fmt: on
