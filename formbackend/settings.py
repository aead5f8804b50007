"""The receiver's settings, read from the environment in one place.

Every other module receives a ``Settings`` object; none reads ``os.environ``.
Command-line options override the environment (see ``__main__``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")

# FORMBACKEND_ENV: production unless the operator says "developpement".
PRODUCTION, DEVELOPMENT = "production", "developpement"
# The administration's password: at least this many characters (spaces at the ends not counted).
ADMIN_PASSWORD_MIN_LENGTH = 12


class SettingsError(ValueError):
    """A setting has a value the receiver cannot use (French message)."""


@dataclass(frozen=True)
class Settings:
    # "production" (the default) or "developpement": production refuses to start without sessions_path.
    environment: str = PRODUCTION
    host: str = "127.0.0.1"
    port: int = 8001
    db_path: Path = Path("var/formulaires.sqlite3")
    forms_path: Path = Path("content/forms.yaml")
    allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS
    default_next_path: str = "/merci/"
    counts_path: Path = Path("var/inscrits.json")
    # donnees/inscriptions.json of the built site: only its open sessions accept a registration.
    # None = no registration is accepted (allowed in development only).
    sessions_path: Path | None = None
    # Limits of one submission.
    max_body_bytes: int = 64 * 1024
    max_fields: int = 50
    # Per-IP rate limit (IPs are kept in memory only, for the window; IPv6 by /64).
    rate_limit: int = 20
    rate_window_seconds: float = 600.0
    # At most this many addresses tracked at once (a fixed bound on the limiter's memory).
    rate_max_addresses: int = 10_000
    # Reverse proxies whose X-Forwarded-For uvicorn trusts (comma list); "" (the default): none.
    forwarded_allow_ips: str = ""
    # Slow clients: a request (headers and body) must arrive whole within request_timeout;
    # an idle kept-alive connection is closed after keep_alive_timeout; at most
    # max_connections are open at once (the next ones get a 503 and are closed).
    request_timeout_seconds: float = 15.0
    keep_alive_timeout_seconds: int = 5
    max_connections: int = 200
    # E-mail.
    notify_to: tuple[str, ...] = ()
    mail_from: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = 30.0
    outbox_interval_seconds: float = 60.0
    outbox_retry_base_seconds: float = 60.0
    outbox_retry_max_seconds: float = 6 * 3600.0
    outbox_max_attempts: int = 12
    # Administration (disabled when either is empty).
    admin_user: str = ""
    admin_password: str = field(default="", repr=False)
    # Registrations' life (see docs/exploitation.md, « Le suivi des inscriptions »).
    public_url: str = ""  # the receiver's address in mails' links; "" = http://host:port
    secret_key: str = field(default="", repr=False)  # signs self-service links; "" = a key kept in the database
    approval_types: tuple[str, ...] = ("atelier", "codev")  # session types whose registrations the CDG validates
    offer_delay_hours: float = 48.0
    convocation_days: int = 7
    link_max_age_days: int = 400
    mail_templates_path: Path | None = None  # a folder whose files replace formbackend/mail/modeles/
    availability_cache_seconds: float = 5.0
    # Quotes (devis): the rates, the CDG's identifiers and the mentions (see docs/exploitation.md).
    rates_path: Path = Path("content/tarifs.yaml")
    quote_siret: str = ""
    quote_deliberation: str = ""  # reference of the board's decision fixing the rates
    quote_vat_rate: float = 0.0  # 0 = no VAT
    quote_vat_mention: str = "TVA non applicable, article 256 B du code général des impôts."
    quote_validity_days: int = 90

    @property
    def production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def admin_enabled(self) -> bool:
        return bool(self.admin_user and self.admin_password)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host and self.mail_from)

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_origins(value: str) -> tuple[str, ...]:
    from formbackend.intake.origins import normalise_origin

    origins = []
    for item in _list(value):
        origin = normalise_origin(item)
        if origin is None:
            raise SettingsError(
                f"FORMBACKEND_ALLOWED_ORIGINS : « {item} » n'est pas une origine — écrivez par exemple https://www.cdg44.fr"
            )
        origins.append(origin)
    return tuple(origins)


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} : « {value} » n'est pas un nombre entier") from None


def _float(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SettingsError(f"{name} : « {value} » n'est pas un nombre") from None


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "oui", "on"}:
        return True
    if lowered in {"0", "false", "no", "non", "off", ""}:
        return False
    raise SettingsError(f"{name} : « {value} » — écrivez 1 (oui) ou 0 (non)")


def _environment(name: str, value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in {PRODUCTION, DEVELOPMENT}:
        raise SettingsError(f"{name} : « {value} » — écrivez {PRODUCTION} ou {DEVELOPMENT}")
    return lowered


def _types(name: str, value: str) -> tuple[str, ...]:
    if value.strip().lower() in {"aucun", "aucune", "non", "0"}:
        return ()
    types = _list(value)
    unknown = [t for t in types if t not in {"atelier", "codev"}]
    if unknown:
        raise SettingsError(f"{name} : « {unknown[0]} » inconnu — écrivez atelier, codev, atelier,codev ou aucun")
    return types


# environment variable -> (Settings attribute, converter)
_ENV = {
    "FORMBACKEND_ENV": ("environment", _environment),
    "FORMBACKEND_HOST": ("host", lambda n, v: v.strip()),
    "FORMBACKEND_PORT": ("port", _int),
    "FORMBACKEND_DB": ("db_path", lambda n, v: Path(v)),
    "FORMBACKEND_FORMS": ("forms_path", lambda n, v: Path(v)),
    "FORMBACKEND_ALLOWED_ORIGINS": ("allowed_origins", lambda n, v: parse_origins(v)),
    "FORMBACKEND_DEFAULT_NEXT_PATH": ("default_next_path", lambda n, v: v),
    "FORMBACKEND_COUNTS": ("counts_path", lambda n, v: Path(v)),
    "FORMBACKEND_SESSIONS": ("sessions_path", lambda n, v: Path(v)),
    "FORMBACKEND_MAX_BODY_BYTES": ("max_body_bytes", _int),
    "FORMBACKEND_MAX_FIELDS": ("max_fields", _int),
    "FORMBACKEND_RATE_LIMIT": ("rate_limit", _int),
    "FORMBACKEND_RATE_WINDOW": ("rate_window_seconds", _float),
    "FORMBACKEND_RATE_MAX_ADDRESSES": ("rate_max_addresses", _int),
    "FORMBACKEND_FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", lambda n, v: v.strip()),
    "FORMBACKEND_REQUEST_TIMEOUT": ("request_timeout_seconds", _float),
    "FORMBACKEND_KEEP_ALIVE_TIMEOUT": ("keep_alive_timeout_seconds", _int),
    "FORMBACKEND_MAX_CONNECTIONS": ("max_connections", _int),
    "FORMBACKEND_NOTIFY_TO": ("notify_to", lambda n, v: _list(v)),
    "FORMBACKEND_MAIL_FROM": ("mail_from", lambda n, v: v.strip()),
    "FORMBACKEND_SMTP_HOST": ("smtp_host", lambda n, v: v.strip()),
    "FORMBACKEND_SMTP_PORT": ("smtp_port", _int),
    "FORMBACKEND_SMTP_USER": ("smtp_user", lambda n, v: v),
    "FORMBACKEND_SMTP_PASSWORD": ("smtp_password", lambda n, v: v),
    "FORMBACKEND_SMTP_STARTTLS": ("smtp_starttls", _bool),
    "FORMBACKEND_SMTP_SSL": ("smtp_ssl", _bool),
    "FORMBACKEND_SMTP_TIMEOUT": ("smtp_timeout_seconds", _float),
    "FORMBACKEND_OUTBOX_INTERVAL": ("outbox_interval_seconds", _float),
    "FORMBACKEND_OUTBOX_RETRY_BASE": ("outbox_retry_base_seconds", _float),
    "FORMBACKEND_OUTBOX_RETRY_MAX": ("outbox_retry_max_seconds", _float),
    "FORMBACKEND_OUTBOX_MAX_ATTEMPTS": ("outbox_max_attempts", _int),
    "FORMBACKEND_ADMIN_USER": ("admin_user", lambda n, v: v),
    "FORMBACKEND_ADMIN_PASSWORD": ("admin_password", lambda n, v: v),
    "FORMBACKEND_PUBLIC_URL": ("public_url", lambda n, v: v.strip().rstrip("/")),
    "FORMBACKEND_SECRET_KEY": ("secret_key", lambda n, v: v),
    "FORMBACKEND_VALIDATION": ("approval_types", lambda n, v: _types(n, v)),
    "FORMBACKEND_OFFER_DELAY_HOURS": ("offer_delay_hours", _float),
    "FORMBACKEND_CONVOCATION_DAYS": ("convocation_days", _int),
    "FORMBACKEND_LINK_MAX_AGE_DAYS": ("link_max_age_days", _int),
    "FORMBACKEND_MAIL_TEMPLATES": ("mail_templates_path", lambda n, v: Path(v)),
    "FORMBACKEND_AVAILABILITY_CACHE": ("availability_cache_seconds", _float),
    "FORMBACKEND_TARIFS": ("rates_path", lambda n, v: Path(v)),
    "FORMBACKEND_DEVIS_SIRET": ("quote_siret", lambda n, v: v.strip()),
    "FORMBACKEND_DEVIS_DELIBERATION": ("quote_deliberation", lambda n, v: v.strip()),
    "FORMBACKEND_DEVIS_TVA": ("quote_vat_rate", _float),
    "FORMBACKEND_DEVIS_MENTION_TVA": ("quote_vat_mention", lambda n, v: v.strip()),
    "FORMBACKEND_DEVIS_VALIDITE_JOURS": ("quote_validity_days", _int),
}

ENVIRONMENT_VARIABLES = tuple(_ENV)


def from_env(environ: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Settings from the environment (``os.environ`` by default), then overrides."""
    environ = os.environ if environ is None else environ
    values = {}
    for name, (attribute, convert) in _ENV.items():
        raw = environ.get(name)
        if raw is not None and (raw.strip() or attribute in {"admin_user", "admin_password", "approval_types"}):
            values[attribute] = convert(name, raw)
    values.update({key: value for key, value in overrides.items() if value is not None})
    settings = Settings(**values)
    check(settings)
    return settings


def check(settings: Settings) -> None:
    if not settings.allowed_origins:
        raise SettingsError(
            "FORMBACKEND_ALLOWED_ORIGINS est vide — indiquez l'origine du site, par exemple https://www.cdg44.fr"
        )
    if not settings.default_next_path.startswith("/"):
        raise SettingsError("FORMBACKEND_DEFAULT_NEXT_PATH doit commencer par « / », par exemple /merci/")
    for name, value in (
        ("FORMBACKEND_MAX_BODY_BYTES", settings.max_body_bytes),
        ("FORMBACKEND_MAX_FIELDS", settings.max_fields),
        ("FORMBACKEND_RATE_LIMIT", settings.rate_limit),
        ("FORMBACKEND_RATE_MAX_ADDRESSES", settings.rate_max_addresses),
        ("FORMBACKEND_OUTBOX_MAX_ATTEMPTS", settings.outbox_max_attempts),
        ("FORMBACKEND_KEEP_ALIVE_TIMEOUT", settings.keep_alive_timeout_seconds),
        ("FORMBACKEND_MAX_CONNECTIONS", settings.max_connections),
    ):
        if value < 1:
            raise SettingsError(f"{name} doit être un nombre entier positif")
    if not settings.request_timeout_seconds > 0:
        raise SettingsError("FORMBACKEND_REQUEST_TIMEOUT doit être un nombre de secondes positif, par exemple 15")
    if settings.offer_delay_hours <= 0 or settings.link_max_age_days < 1 or settings.convocation_days < 0:
        raise SettingsError(
            "FORMBACKEND_OFFER_DELAY_HOURS et FORMBACKEND_LINK_MAX_AGE_DAYS doivent être positifs,"
            " FORMBACKEND_CONVOCATION_DAYS positif ou nul"
        )
    if settings.smtp_starttls and settings.smtp_ssl:
        raise SettingsError("FORMBACKEND_SMTP_STARTTLS et FORMBACKEND_SMTP_SSL s'excluent : choisissez l'un des deux")
    _check_admin_credentials(settings.admin_user, settings.admin_password)


def _check_admin_credentials(user: str, password: str) -> None:
    """The administration's user name and password, if given, must be usable and not guessable."""
    if ":" in user:
        raise SettingsError(
            "FORMBACKEND_ADMIN_USER contient « : », que l'authentification HTTP Basic ne permet pas "
            "dans un identifiant — choisissez un identifiant sans « : »"
        )
    if user and not user.strip():
        raise SettingsError("FORMBACKEND_ADMIN_USER ne contient que des espaces — choisissez un identifiant")
    if password and not password.strip():
        raise SettingsError(
            "FORMBACKEND_ADMIN_PASSWORD ne contient que des espaces — choisissez une phrase de passe "
            f"d'au moins {ADMIN_PASSWORD_MIN_LENGTH} caractères"
        )
    if password and len(password.strip()) < ADMIN_PASSWORD_MIN_LENGTH:
        raise SettingsError(
            f"FORMBACKEND_ADMIN_PASSWORD est trop court ({len(password.strip())} caractère(s)) — choisissez une "
            f"phrase de passe d'au moins {ADMIN_PASSWORD_MIN_LENGTH} caractères, longue et aléatoire"
        )
