"""The OFFER settings dict: defaults and validation at start-up (French messages)."""

from __future__ import annotations

DEFAULTS = {
    # "Plus que N places" from this many places left.
    "LAST_PLACES_THRESHOLD": 3,
    # Where the catalogue lives, relative to the site root.
    "CATALOGUE_URL": "programme/",
    # Form backend: "selfhosted" (formbackend/), "formspree" or "netlify".
    "FORM_PROVIDER": "selfhosted",
    # Address of the self-hosted receiver, e.g. https://formulaires.cdg44.fr
    "FORM_ENDPOINT": "http://127.0.0.1:8001",
    # Formspree form ids, {"inscription": "…", "devis": "…", "contact": "…"}.
    "FORMSPREE_IDS": {},
    # Absolute address of the site, for redirects after a form (the thank-you page)
    # and for feeds; empty in development = PUBLIC_SITE_URL.
    "PUBLIC_SITE_URL": "http://127.0.0.1:8000",
    # JSON file written by the receiver ({"slug": registrations}); empty = none.
    "REGISTRATION_COUNTS": "",
    # publishconf.py sets it: incomplete form settings then stop the build.
    "REQUIRE_COMPLETE_FORM_SETTINGS": False,
    # publishconf.py sets it: the mentions légales' missing facts then stop the build.
    "REQUIRE_LEGAL_NOTICE": False,
    # How many upcoming sessions the home page shows.
    "HOME_SESSIONS": 3,
    # How many past sessions the catalogue shows before the yearly archives.
    "RECENT_PAST_SESSIONS": 6,
    # How many upcoming sessions the printable programme (PDF) lists: the next
    # ones; it sends to the site for the others. A PDF is laid out at about
    # 0.1 s a page (three sessions a page): this bounds the build's time and memory.
    "PRINTABLE_SESSIONS": 50,
    # Worker processes rendering the entries' pages and calendars: 0 = one per
    # available core, 1 = none (everything in the build's own process).
    "WORKERS": 0,
    # The build cache (validated entries, rendered entries), off when empty;
    # `make devserver` sets .cache/offer/. A clean build never reads it.
    "CACHE_DIR": "",
}


class SettingsError(ValueError):
    pass


def offer_settings(raw: dict | None) -> dict:
    """Merge with the defaults and check types; raise SettingsError in French."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise SettingsError(
            f"réglage(s) OFFER inconnu(s) : {', '.join(unknown)} — réglages possibles : {', '.join(DEFAULTS)}"
        )
    merged = {**DEFAULTS, **raw}
    for key, default in DEFAULTS.items():
        value = merged[key]
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif isinstance(default, dict):
            ok = isinstance(value, dict)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise SettingsError(
                f"réglage OFFER['{key}'] : valeur {value!r} incorrecte (attendu : {type(default).__name__})"
            )
    if not merged["CATALOGUE_URL"].endswith("/") or merged["CATALOGUE_URL"].startswith("/"):
        raise SettingsError(
            "réglage OFFER['CATALOGUE_URL'] : écrivez un chemin relatif terminé par « / », par exemple « programme/ »"
        )
    return merged


# The mentions légales' facts (MENTIONS_LEGALES in pelicanconf.py) and their environment variables.
LEGAL_FIELDS = {
    "directeur_publication": ("DIRECTEUR_PUBLICATION", "le directeur de la publication"),
    "hebergeur_nom": ("HEBERGEUR_NOM", "le nom de l'hébergeur"),
    "hebergeur_adresse": ("HEBERGEUR_ADRESSE", "l'adresse de l'hébergeur"),
    "hebergeur_telephone": ("HEBERGEUR_TELEPHONE", "le téléphone de l'hébergeur"),
}


def missing_legal_notice(legal: dict | None) -> str | None:
    """A French sentence naming what the mentions légales lack, or None."""
    legal = legal or {}
    missing = [(var, what) for key, (var, what) in LEGAL_FIELDS.items() if not str(legal.get(key) or "").strip()]
    if not missing:
        return None
    return (
        "mentions légales incomplètes : il manque "
        + ", ".join(what for _, what in missing)
        + " — définissez "
        + ", ".join(var for var, _ in missing)
        + " (voir docs/exploitation.md, « Construire le site »)"
    )
