"""Development settings: relative URLs, so the output works from any folder."""

import os

AUTHOR = "CDG 44 – Conseil & accompagnement"
SITENAME = "Ateliers et co-développement – CDG 44"
SITE_SHORTNAME = "CDG 44"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = []
STATIC_PATHS = []
THEME = "theme"
OUTPUT_PATH = "output"

TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_DATE_FORMAT = "%d/%m/%Y"

# Only pages and the catalogue: no blog, tags, authors or archives.
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ""
ARTICLE_URL = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DRAFT_SAVE_AS = ""
PAGE_TRANSLATION_ID = None
ARTICLE_TRANSLATION_ID = None

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = False
SUMMARY_MAX_LENGTH = None
# Pages carry their own <h1>; Markdown headings start at level 2.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.smarty": {
            "substitutions": {
                "left-single-quote": "’",
                "right-single-quote": "’",
                "left-double-quote": "« ",
                "right-double-quote": " »",
            }
        },
    },
    "output_format": "html5",
}
TYPOGRIFY = False

# Every value a template prints is HTML-escaped unless it is our own rendered
# HTML, marked safe where it is produced: a page's content (Pelican), a
# description (sanitised Markdown, the `markdown` filter) and JSON-LD.
JINJA_ENVIRONMENT = {"autoescape": True}

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["offer_pelican", "offer_cms", "pelican.plugins.sitemap"]

SITEMAP = {
    "format": "xml",
    # Filtered views repeat the catalogue: only the catalogue itself is listed.
    # /admin/ (the editing interface) is no page of the site.
    "exclude": [r"programme/(type|public)/", r"^admin/"],
    "priorities": {"articles": 0.5, "indexes": 0.5, "pages": 0.6},
    "changefreqs": {"articles": "weekly", "indexes": "daily", "pages": "monthly"},
}

# The offer plugin (see plugins/offer_pelican/settings.py for every key and its default).
OFFER = {
    "LAST_PLACES_THRESHOLD": 3,
    "CATALOGUE_URL": "programme/",
    "FORM_PROVIDER": os.environ.get("FORM_PROVIDER", "selfhosted"),
    "FORM_ENDPOINT": os.environ.get("FORM_ENDPOINT", "http://127.0.0.1:8001"),
    "PUBLIC_SITE_URL": os.environ.get("PUBLIC_SITE_URL", "http://127.0.0.1:8000"),
    "REGISTRATION_COUNTS": os.environ.get("REGISTRATION_COUNTS", ""),
    # make devserver's build cache (.cache/offer/); empty = off, as for every clean build.
    "CACHE_DIR": os.environ.get("OFFER_CACHE_DIR", ""),
}

# The editing interface /admin/ (plugins/offer_cms: every key and its default).
# Here: Decap's local backend (make editer) when /admin/ is opened on 127.0.0.1.
CMS = {
    "ENABLED": os.environ.get("CMS_ENABLED", "1") != "0",
    "BACKEND": os.environ.get("CMS_BACKEND", "gitlab"),
    "REPO": os.environ.get("CMS_REPO", "cdg44/ateliers"),
    "BRANCH": os.environ.get("CMS_BRANCH", "main"),
    "BASE_URL": os.environ.get("CMS_BASE_URL", ""),
    "APP_ID": os.environ.get("CMS_APP_ID", ""),
    "LOCAL_BACKEND": True,
    "LOCAL_BACKEND_URL": os.environ.get("CMS_LOCAL_BACKEND_URL", "http://127.0.0.1:8081/api/v1"),
}

# Live badges (theme/static/js/disponibilites.js): pages showing open sessions ask the self-hosted
# receiver for the places left. Only with the receiver running and allowed in the
# site's CSP connect-src (docs/exploitation.md, « Le suivi des inscriptions »).
LIVE_AVAILABILITY = os.environ.get("LIVE_AVAILABILITY", "") == "1"

CONTACT = {
    "organisme": "Centre de gestion de la fonction publique territoriale de Loire-Atlantique (CDG 44)",
    "service": "Conseil & accompagnement en organisation et ressources humaines",
    "adresse": ["6, rue du Pen Duick II", "CS 66225", "44262 Nantes cedex 2"],
    "telephone": "02 40 20 77 50",
    "telephone_uri": "+33240207750",
    "email": "conseilrh@cdg44.fr",
    "site": "https://www.cdg44.fr",
}

# Mentions légales: the publication director and the host (name, address, phone).
# Not in the brochure: the operators give them at build time (docs/exploitation.md);
# `make publish` refuses to build without them.
MENTIONS_LEGALES = {
    "directeur_publication": os.environ.get("DIRECTEUR_PUBLICATION", ""),
    "hebergeur_nom": os.environ.get("HEBERGEUR_NOM", ""),
    "hebergeur_adresse": os.environ.get("HEBERGEUR_ADRESSE", ""),
    "hebergeur_telephone": os.environ.get("HEBERGEUR_TELEPHONE", ""),
}

# Reproducible output: pages without a date (all of ours) take the build date
# from SOURCE_DATE_EPOCH, which the sitemap uses as their last modification.
if os.environ.get("SOURCE_DATE_EPOCH"):
    import datetime as _dt

    DEFAULT_DATE = _dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=_dt.UTC).timetuple()[:6]

DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = []
LOAD_CONTENT_CACHE = False

# The CDG 44's logo, when the Centre de gestion supplies the official file: a path
# under the theme's static files (e.g. "theme/img/logo-cdg44.svg") and its size in
# pixels. Empty: the name "CDG 44" is set as a text wordmark (docs/exploitation.md).
SITE_LOGO = ""
SITE_LOGO_WIDTH = 96
SITE_LOGO_HEIGHT = 40
