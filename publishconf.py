"""Production settings: absolute URLs under the public address (a sub-path is fine)."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "https://www.cdg44.fr/ateliers").rstrip("/")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True

OFFER = {
    **OFFER,  # noqa: F405
    "FORM_PROVIDER": os.environ.get("FORM_PROVIDER", "selfhosted"),
    "FORM_ENDPOINT": os.environ.get("FORM_ENDPOINT", ""),
    "REQUIRE_COMPLETE_FORM_SETTINGS": True,
    "REQUIRE_LEGAL_NOTICE": True,
}

# The editing interface /admin/ against the forge (docs/exploitation.md, « Interface d'édition »):
# CMS_BACKEND (gitlab, github, gitea, forgejo), CMS_REPO, CMS_BASE_URL, CMS_APP_ID.
# CMS_REQUIRED=1 (the forge's publishing job): no npm packages stops the publish instead of a warning.
CMS = {
    **CMS,  # noqa: F405
    "LOCAL_BACKEND": False,
    "REQUIRED": os.environ.get("CMS_REQUIRED", "0") == "1",
}
