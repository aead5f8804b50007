"""Print the editing interface's configuration (Decap CMS ``config.yml``), generated from the model.

    python -m offer.tools.cms_config [--forge gitlab] [--depot cdg44/ateliers]
        [--adresse https://gitlab.cdg44.fr] [--application ID] [--local]

The build writes the same configuration into ``output/admin/config.yml``
(plugins/offer_cms, from the ``CMS`` settings); this command shows it without
building, e.g. to review what a change of ``offer/model.py`` does to the forms.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from offer.cms import BACKENDS, Backend, cms_config
from offer.tools.check import FrenchArgumentParser
from offer.tools.schemas import build_schemas


def render(config: dict) -> str:
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000)


def main(argv: list[str] | None = None) -> int:
    parser = FrenchArgumentParser(
        prog="python -m offer.tools.cms_config",
        description="Affiche la configuration de l'interface d'édition (/admin/config.yml), tirée du modèle.",
    )
    parser.add_argument("--forge", choices=BACKENDS, default="gitlab", help="la forge (par défaut : gitlab)")
    parser.add_argument("--depot", default="cdg44/ateliers", help="le dépôt, groupe/projet")
    parser.add_argument("--adresse", default="", help="l'adresse de la forge, https://gitlab.exemple.fr")
    parser.add_argument("--application", default="", help="l'identifiant de l'application OAuth")
    parser.add_argument("--local", action="store_true", help="ajoute le serveur local (make editer)")
    parser.add_argument("--sortie", type=Path, help="écrit dans ce fichier au lieu de l'afficher")
    args = parser.parse_args(argv)
    backend = Backend(
        name=args.forge, repo=args.depot, base_url=args.adresse, app_id=args.application, local_backend=args.local
    )
    text = render(cms_config(build_schemas(), backend))
    if args.sortie:
        args.sortie.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
