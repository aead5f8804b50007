"""Command line: ``python -m formbackend serve|export|counts|purge|erase|send-outbox``.

Every option has an environment variable (see settings.py); an option given on
the command line wins. Help and messages are in French.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from formbackend.settings import DEFAULT_ORIGINS, Settings, SettingsError, from_env

# argparse's own words, in French (argparse looks them up through gettext).
_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisissez parmi %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "expected one argument": "une valeur est attendue",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
}


def _french(message: str) -> str:
    return _ARGPARSE_FR.get(message, message)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, help="fichier SQLite des envois (FORMBACKEND_DB ; défaut : var/formulaires.sqlite3)"
    )
    parser.add_argument(
        "--forms", type=Path, help="définition des formulaires (FORMBACKEND_FORMS ; défaut : content/forms.yaml)"
    )


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _french  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(
        prog="python -m formbackend",
        description="Récepteur de formulaires du site du CDG 44 : reçoit, vérifie et conserve les envois, "
        "envoie les courriels, exporte et purge les données.",
        epilog="Chaque commande a sa propre aide : python -m formbackend COMMANDE --help",
    )
    commands = parser.add_subparsers(dest="command", title="commandes", metavar="COMMANDE", required=True)

    serve = commands.add_parser(
        "serve",
        help="lancer le service web (formulaires et administration)",
        description="Lance le service web. Les réglages viennent des variables FORMBACKEND_* ; "
        "les options ci-dessous les remplacent.",
    )
    serve.add_argument("--host", help="adresse d'écoute (FORMBACKEND_HOST ; défaut : 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port d'écoute (FORMBACKEND_PORT ; défaut : 8001)")
    _common(serve)
    serve.add_argument(
        "--allowed-origins",
        help="origines autorisées, séparées par des virgules "
        f"(FORMBACKEND_ALLOWED_ORIGINS ; défaut : {','.join(DEFAULT_ORIGINS)})",
    )
    serve.add_argument(
        "--sessions",
        type=Path,
        help="donnees/inscriptions.json du site construit : seules ses sessions ouvertes acceptent une inscription "
        "(FORMBACKEND_SESSIONS ; obligatoire en production, voir FORMBACKEND_ENV)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="niveau des journaux (défaut : info)",
    )

    export = commands.add_parser(
        "export",
        help="exporter les envois d'un formulaire (CSV) ou les données d'une personne (JSON)",
        description="Exporte en CSV (UTF-8, séparateur « ; ») les envois d'un formulaire, "
        "ou en JSON tout ce qui est conservé pour une adresse électronique.",
    )
    _common(export)
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--form", help="nom du formulaire à exporter en CSV (inscription, devis, contact…)")
    what.add_argument("--email", help="adresse électronique dont exporter les données en JSON (droit d'accès)")
    export.add_argument("--session", help="avec --form : seulement les inscriptions à cette session")
    export.add_argument("--output", "-o", type=Path, help="fichier à écrire (défaut : la sortie standard)")

    counts = commands.add_parser(
        "counts",
        help="écrire le nombre d'inscrits par session pour le site",
        description='Écrit le fichier JSON {"session": inscrits hors liste d\'attente} que lit la '
        'construction du site (réglage OFFER["REGISTRATION_COUNTS"]).',
    )
    _common(counts)
    counts.add_argument(
        "--output", "-o", type=Path, help="fichier à écrire (FORMBACKEND_COUNTS ; défaut : var/inscrits.json)"
    )

    purge = commands.add_parser(
        "purge",
        help="effacer les envois plus anciens que leur durée de conservation",
        description="Efface les envois (et leurs courriels) plus anciens que la durée "
        "conservation_jours de leur formulaire. À lancer chaque jour.",
    )
    _common(purge)

    erase = commands.add_parser(
        "erase",
        help="effacer tous les envois d'une adresse électronique",
        description="Efface définitivement tous les envois d'une adresse électronique "
        "(droit à l'effacement), avec leurs courriels.",
    )
    _common(erase)
    erase.add_argument("--email", required=True, help="adresse électronique de la personne")
    erase.add_argument(
        "--yes", action="store_true", help="confirmer l'effacement (sans cette option, rien n'est effacé)"
    )

    send = commands.add_parser(
        "send-outbox",
        help="envoyer les courriels en attente",
        description="Envoie les courriels en attente dont l'heure est venue (réglages FORMBACKEND_SMTP_*).",
    )
    _common(send)
    send.add_argument(
        "--retry-abandoned",
        action="store_true",
        help="remettre d'abord en file les courriels abandonnés après le dernier essai (nouvelle série d'essais)",
    )
    return parser


def _settings(args) -> Settings:
    overrides = {
        "db_path": args.db,
        "forms_path": args.forms,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "sessions_path": getattr(args, "sessions", None),
    }
    if getattr(args, "allowed_origins", None):
        from formbackend.settings import parse_origins

        overrides["allowed_origins"] = parse_origins(args.allowed_origins)
    return from_env(**overrides)


def _check_sessions(settings: Settings) -> None:
    """Production needs the sessions the build published; a named file must be readable."""
    from formbackend.registrations.open_sessions import OpenSessions

    if settings.sessions_path is None:
        if settings.production:
            raise SettingsError(
                "FORMBACKEND_SESSIONS manque : en production, le récepteur n'accepte que les sessions publiées "
                "par le site — indiquez le fichier donnees/inscriptions.json du site construit (FORMBACKEND_SESSIONS "
                "ou --sessions), ou, sur un poste de développement, FORMBACKEND_ENV=developpement"
            )
        return
    problem = OpenSessions(settings.sessions_path).problem()
    if problem:
        raise SettingsError(problem)


def _serve(args, settings: Settings) -> int:
    from formbackend import server
    from formbackend.app import create_app

    _check_sessions(settings)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    app = create_app(settings)
    logging.getLogger("formbackend").info(
        "service démarré formulaires=%s origines=%s",
        ",".join(app.state.receiver.forms.formulaires),
        ",".join(settings.allowed_origins),
    )
    if not settings.notify_to:
        logging.getLogger("formbackend").warning(
            "aucune notification au Centre de gestion : FORMBACKEND_NOTIFY_TO est vide"
        )
    if not settings.admin_enabled:
        logging.getLogger("formbackend").warning(
            "administration désactivée : FORMBACKEND_ADMIN_USER ou FORMBACKEND_ADMIN_PASSWORD manque"
        )
    if settings.sessions_path is None:
        logging.getLogger("formbackend").warning(
            "développement sans FORMBACKEND_SESSIONS : toute inscription à une session est refusée"
        )
    server.run(app, settings, args.log_level)
    return 0


def _write(output: Path | None, data: bytes) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)


def _export(args, settings: Settings) -> int:
    from formbackend.backoffice import csv_export
    from formbackend.forms import load
    from formbackend.intake.validation import email_key
    from formbackend.registrations.counts import person_export
    from formbackend.store import Store

    store = Store(settings.db_path)
    if args.email:
        data = person_export(store, email_key(args.email))
        _write(args.output, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        print(f"{data['nombre_envois']} envoi(s) exporté(s).", file=sys.stderr)
        return 0
    forms = load(settings.forms_path)
    definition = forms.formulaires.get(args.form)
    if definition is None:
        print(
            f"erreur : le formulaire « {args.form} » n'existe pas — choisissez parmi {', '.join(forms.formulaires)}",
            file=sys.stderr,
        )
        return 2
    submissions = list(store.iter_submissions(args.form, session=args.session))
    _write(args.output, csv_export.export_text(definition, submissions).encode("utf-8"))
    print(f"{len(submissions)} envoi(s) exporté(s).", file=sys.stderr)
    return 0


def _counts(args, settings: Settings) -> int:
    from formbackend.registrations.counts import write_counts
    from formbackend.store import Store

    path = args.output or settings.counts_path
    counts = write_counts(Store(settings.db_path), path)
    print(f"{path} écrit : {len(counts)} session(s), {sum(counts.values())} inscrit(s) hors liste d'attente.")
    return 0


def _purge(args, settings: Settings) -> int:
    from formbackend.forms import load, retention_days
    from formbackend.store import Store

    store = Store(settings.db_path)
    retention = retention_days(load(settings.forms_path))
    deleted = store.purge(retention)
    for form, count in deleted.items():
        print(f"{form} : {count} envoi(s) effacé(s) (conservation {retention[form]} jours)")
    others = sorted(set(store.counts_by_form()) - set(retention))
    for form in others:
        print(
            f"attention : le formulaire « {form} » n'est plus dans le fichier des formulaires ; "
            "ses envois sont gardés — effacez-les ou remettez sa définition",
            file=sys.stderr,
        )
    return 0


def _erase(args, settings: Settings) -> int:
    from formbackend.intake.validation import email_key
    from formbackend.store import Store

    store = Store(settings.db_path)
    key = email_key(args.email)
    found = len(store.person(key))
    if not args.yes:
        print(f"{found} envoi(s) trouvé(s) pour cette adresse. Relancez avec --yes pour les effacer.")
        return 0 if found == 0 else 1
    deleted = store.erase_person(key)
    print(f"{deleted} envoi(s) effacé(s), avec leurs courriels.")
    return 0


def _send_outbox(args, settings: Settings) -> int:
    from formbackend.mail.outbox import send_due, warn_if_abandoned
    from formbackend.store import Store

    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    if not settings.smtp_enabled:
        print(
            "erreur : définissez FORMBACKEND_SMTP_HOST et FORMBACKEND_MAIL_FROM pour envoyer les courriels",
            file=sys.stderr,
        )
        return 2
    store = Store(settings.db_path)
    if args.retry_abandoned:
        requeued = store.requeue_abandoned(settings.outbox_max_attempts)
        print(f"{requeued} courriel(s) abandonné(s) remis en file d'envoi.")
    result = send_due(store, settings)
    print(f"{result['envoyes']} courriel(s) envoyé(s), {result['echecs']} échec(s) (nouvel essai plus tard).")
    warn_if_abandoned(store, settings)
    return 1 if result["echecs"] else 0


COMMANDS = {
    "serve": _serve,
    "export": _export,
    "counts": _counts,
    "purge": _purge,
    "erase": _erase,
    "send-outbox": _send_outbox,
}


def main(argv: list[str] | None = None) -> int:
    from formbackend.forms import FormsFileError
    from formbackend.store import StoreError

    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        return COMMANDS[args.command](args, settings)
    except (SettingsError, FormsFileError, StoreError) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
