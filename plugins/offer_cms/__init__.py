"""The editing interface at /admin/ (Decap CMS), written into the built site.

When Pelican has written the site (signal ``finalized``), this step writes
``admin/``: the page, its configuration ``config.yml`` generated from the
model (``offer.cms``), and the script bundled by esbuild from
``theme/admin/cms.js`` with Decap CMS and React from ``node_modules/`` (the
versions of ``package-lock.json``), with Decap's lazily loaded pieces beside it.

No page of the public site links to /admin/ or loads any of it; the sitemap
lists only Pelican's pages. Without ``node_modules/`` (``npm ci`` not run)
the step is skipped with a French warning and the rest of the site is built as
usual; ``make test`` and ``make editer`` install it.

Settings (pelicanconf.py / publishconf.py): ``CMS`` — see DEFAULTS.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path

import yaml
from pelican import signals

from offer.cms import Backend, CmsConfigError, cms_config

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "theme" / "admin"
NODE_MODULES = ROOT / "node_modules"
DECAP_DIST = NODE_MODULES / "decap-cms-app" / "dist"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
CACHE = ROOT / ".cache" / "admin"
COPIED = ("index.html", "apercu.css")

DEFAULTS = {
    # False: no /admin/ at all.
    "ENABLED": True,
    # gitlab (self-hosted, PKCE) | github | gitea | forgejo
    "BACKEND": "gitlab",
    "REPO": "cdg44/ateliers",
    "BRANCH": "main",
    "BASE_URL": "",
    "APP_ID": "",
    "API_ROOT": "",
    "EDITORIAL_WORKFLOW": True,
    # Decap's local backend (decap-server on 127.0.0.1), used when /admin/ is opened on 127.0.0.1.
    "LOCAL_BACKEND": False,
    "LOCAL_BACKEND_URL": "http://127.0.0.1:8081/api/v1",
    # Stop the build when the bundle cannot be made (publishconf.py may set it).
    "REQUIRED": False,
}


class CmsBuildError(RuntimeError):
    pass


def settings_of(pelican_settings: dict) -> dict:
    raw = dict(pelican_settings.get("CMS") or {})
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise CmsBuildError(
            f"réglage(s) CMS inconnu(s) : {', '.join(unknown)} — réglages possibles : {', '.join(DEFAULTS)}"
        )
    return {**DEFAULTS, **raw}


def _rules(content: Path, threshold: int) -> dict:
    from offer.validation import load_rates

    result = load_rates(content / "tarifs.yaml", content)
    rates = []
    if result.value is not None:
        rates = [
            {"annee": r.annee, "journee": float(r.journee), "demi_journee": float(r.demi_journee)}
            for r in result.value.tarifs
        ]
    return {"rates": rates, "threshold": threshold}


def config_for(settings: dict, site_url: str, rules: dict) -> dict:
    from offer.tools.schemas import build_schemas

    backend = Backend(
        name=settings["BACKEND"],
        repo=settings["REPO"],
        branch=settings["BRANCH"],
        base_url=settings["BASE_URL"],
        app_id=settings["APP_ID"],
        api_root=settings["API_ROOT"],
        editorial_workflow=settings["EDITORIAL_WORKFLOW"],
        local_backend=settings["LOCAL_BACKEND"],
        local_backend_url=settings["LOCAL_BACKEND_URL"],
        site_url=site_url,
    )
    return cms_config(build_schemas(), backend, rules)


def _bundle_key() -> str:
    digest = hashlib.sha256()
    for path in [ROOT / "package-lock.json", *sorted(SOURCE.glob("*.js"))]:
        if not path.is_file():  # a copy of the project without the lock: no bundle to match anyway
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cached() -> Path:
    return CACHE / _bundle_key() / "cms.js"


def bundle() -> Path:
    """theme/admin/cms.js with Decap CMS, React and yaml, minified; cached by content."""
    target = _cached()
    if target.exists():
        return target
    if CACHE.is_dir():  # keep only the bundle of the current sources
        shutil.rmtree(CACHE)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp.js")
    command = [
        str(ESBUILD),
        str(SOURCE / "cms.js"),
        "--bundle",
        "--minify",
        "--format=iife",
        "--target=es2020",
        "--legal-comments=linked",
        '--define:process.env.NODE_ENV="production"',
        "--log-level=error",
        f"--outfile={partial}",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise CmsBuildError(f"l'assemblage de /admin/ a échoué (esbuild) :\n{result.stderr.strip()}")
    partial.replace(target)
    legal = partial.with_suffix(".js.LEGAL.txt")
    if legal.exists():
        legal.replace(target.with_name("cms.js.LEGAL.txt"))
    return target


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def write_admin(output: Path, content: Path, pelican_settings: dict) -> Path | None:
    settings = settings_of(pelican_settings)
    if not settings["ENABLED"]:
        return None
    needed = [DECAP_DIST / "decap-cms-app.js"] + ([] if _cached().exists() else [ESBUILD])
    missing = [p for p in needed if not p.exists()]
    if missing:
        message = (
            "interface d'édition /admin/ non construite : les paquets npm manquent"
            f" ({', '.join(_shown(p) for p in missing)})."
            " Lancez « make npm-deps » (npm ci --ignore-scripts) puis reconstruisez."
        )
        if settings["REQUIRED"]:
            raise CmsBuildError(message)
        log.warning(message)
        return None
    threshold = (pelican_settings.get("OFFER") or {}).get("LAST_PLACES_THRESHOLD", 3)
    config = config_for(settings, pelican_settings.get("SITEURL", ""), _rules(content, threshold))
    bundled = bundle()
    admin = output / "admin"
    admin.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(SOURCE / name, admin / name)
    shutil.copyfile(bundled, admin / "cms.js")
    legal = bundled.with_name("cms.js.LEGAL.txt")
    if legal.exists():
        shutil.copyfile(legal, admin / "cms.js.LEGAL.txt")
    # Decap's pieces loaded on demand (webpack chunks, WebAssembly), beside cms.js.
    for piece in DECAP_DIST.iterdir():
        if piece.suffix in (".js", ".wasm") and piece.name != "decap-cms-app.js":
            shutil.copyfile(piece, admin / piece.name)
    header = "# Généré par la construction du site à partir du modèle (offer/cms.py) : ne pas modifier.\n"
    (admin / "config.yml").write_text(
        header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )
    return admin


def on_finalized(pelican) -> None:
    try:
        write_admin(Path(pelican.output_path), Path(pelican.settings["PATH"]), pelican.settings)
    except (CmsBuildError, CmsConfigError) as exc:
        log.error(str(exc))
        raise


def register():
    signals.finalized.connect(on_finalized)
