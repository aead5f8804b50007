"""Site search: Pagefind indexes the written site once the build is done.

The binary comes from the ``pagefind-bin`` wheel (installed with the project), so
nothing is downloaded at build time. Pagefind reads ``<html lang="fr">`` and indexes
in French (stemming); it indexes only the elements marked ``data-pagefind-body``
(the theme marks pages and sessions, not lists), and writes its bundle in
``pagefind/`` beside the pages.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from pagefind_bin import get_executable

logger = logging.getLogger(__name__)

BUNDLE_FOLDER = "pagefind"


class SearchIndexError(RuntimeError):
    """The index could not be written; the build must fail rather than publish a broken search."""


def index_site(output_path: str | Path) -> Path:
    """Index the built site in output_path; return the bundle's folder."""
    site = Path(output_path)
    command = [str(get_executable()), "--site", str(site), "--output-subdir", BUNDLE_FOLDER, "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SearchIndexError(
            f"l'index de recherche n'a pas pu être construit dans {site / BUNDLE_FOLDER} :"
            f" {(result.stderr or result.stdout).strip()}"
        )
    logger.info("Index de recherche écrit dans %s", site / BUNDLE_FOLDER)
    return site / BUNDLE_FOLDER


def index_after_build(pelican) -> None:
    """Pelican's ``finalized`` signal: every page is written, index them."""
    index_site(pelican.output_path)
