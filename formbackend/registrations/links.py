"""Signed self-service links: a person's own page, without account or password.

A link carries the registration's number, signed and time-stamped with
itsdangerous (HMAC-SHA1 over a derived key, URL-safe, with the signing date so
that age is checked without a table of tokens; key rotation via fallback
keys). The standard library's ``hmac`` would do the signing, but the encoding,
the timestamp and its check, and the constant-time comparison would be ours to
write and get right.
"""

from __future__ import annotations

import secrets
import sqlite3

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "cdg44-inscription"
_KEY_NAME = "liens-inscription"


class LinkRefused(Exception):
    """Why a link cannot be used (expired or tampered)."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "bad")
        self.expired = expired


def stored_key(conn: sqlite3.Connection) -> str:
    """The database's own signing key, made at first use (when FORMBACKEND_SECRET_KEY is not set)."""
    conn.execute("INSERT OR IGNORE INTO receiver_keys (name, value) VALUES (?, ?)", (_KEY_NAME, secrets.token_hex(32)))
    return conn.execute("SELECT value FROM receiver_keys WHERE name = ?", (_KEY_NAME,)).fetchone()[0]


class Links:
    def __init__(self, secret_key: str, max_age_days: int, base_url: str):
        self.serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.max_age = max_age_days * 86400
        self.base_url = base_url.rstrip("/")

    def token(self, registration_id: int) -> str:
        return self.serializer.dumps(registration_id)

    def url(self, registration_id: int) -> str:
        return f"{self.base_url}/inscription/{self.token(registration_id)}"

    def registration_id(self, token: str) -> int:
        try:
            value = self.serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise LinkRefused(expired=True) from None
        except BadSignature:
            raise LinkRefused(expired=False) from None
        if not isinstance(value, int):
            raise LinkRefused(expired=False)
        return value
