"""The e-mails of an accepted submission, composed before it is stored.

A submission's notification (to the Centre de Gestion) and acknowledgement (to
the visitor) are written to the outbox in the submission's own transaction
(see ``outbox`` for their delivery).

The acknowledgement repeats none of the visitor's free text, so that the
receiver cannot be used to send arbitrary text to arbitrary addresses.

No header holds visitor text as it came: a subject is our own words, the
visitor's ``_subject`` after them made inert (one line, no encoded word), and
an address goes in a header only if the receiver's rule accepts it. This holds
whatever the Python release: some 3.11 ones decode an RFC 2047 encoded word
into new header lines when the message is written.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from formbackend.intake.validation import ENCODED_WORD, REPLY_TO, SUBJECT, label, valid_email
from formbackend.settings import Settings
from formbackend.store import OutboxRow, OutgoingMail
from offer.forms import FieldKind, FormDefinition, FormsFile

PARIS = ZoneInfo("Europe/Paris")
NOTIFICATION, ACKNOWLEDGEMENT = "notification", "accuse"


def paris_time(moment: dt.datetime) -> str:
    local = moment.astimezone(PARIS)
    return local.strftime("%d/%m/%Y à %H:%M") + " (heure de Paris)"


def _format_line(spec, value) -> str:
    """'Label : value', a multi-line value indented below its label."""
    text = spec.choices.get(value, str(value)) if spec.type is FieldKind.CHOICE else str(value)
    if "\n" in text:
        return f"{label(spec)} :\n" + "\n".join("    " + line for line in text.split("\n"))
    return f"{label(spec)} : {text}"


def header_text(text: str) -> str:
    """Text made inert for a header: one line, no encoded word.

    Every control, format or separator character (CR, LF, NEL, U+2028…) becomes
    a space, and "=?" becomes "= ?", so that no mail library or client can
    decode it into something else.
    """
    text = "".join(
        " " if char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"} else char
        for char in unicodedata.normalize("NFC", text)
    )
    return " ".join(text.split()).replace(ENCODED_WORD, "= ?")


def form_title(definition: FormDefinition, waiting_list: bool) -> str:
    return (definition.titre_liste_attente or definition.titre) if waiting_list else definition.titre


def compose(
    settings: Settings,
    forms: FormsFile,
    form_name: str,
    data: dict,
    contract: dict,
    moment: dt.datetime,
    session: str | None,
    waiting_list: bool,
) -> tuple[OutgoingMail, ...]:
    """The mails to queue for one accepted submission."""
    definition = forms.formulaires[form_name]
    email_field = next((spec.nom for spec in definition.champs if spec.type is FieldKind.EMAIL), None)
    visitor = data.get(email_field) if email_field else None
    title = form_title(definition, waiting_list)
    when = paris_time(moment)
    mails = []

    if settings.notify_to:
        subject = definition.sujet
        if session:
            subject += f" — {session}" + (" (liste d'attente)" if waiting_list else "")
        if contract.get(SUBJECT):
            subject += f" : « {header_text(contract[SUBJECT])} »"
        lines = [f"Formulaire : {title} ({form_name})", f"Reçu le {when}", ""]
        for spec in definition.champs:
            if spec.nom in data:
                lines.append(_format_line(spec, data[spec.nom]))
        lines += ["", "Répondez à ce courriel pour écrire directement à l'expéditeur." if visitor else ""]
        mails.append(
            OutgoingMail(
                kind=NOTIFICATION,
                recipients=tuple(settings.notify_to),
                subject=subject,
                body="\n".join(lines).rstrip() + "\n",
                reply_to=contract.get(REPLY_TO) or visitor,
            )
        )

    if visitor:
        privacy = forms.donnees_personnelles
        detail = f" pour la session « {session} »" if session else ""
        body = "\n".join(
            [
                "Bonjour,",
                "",
                f"Nous avons bien reçu votre envoi du formulaire « {title} »{detail}, le {when}.",
                "Un consultant du Centre de gestion reviendra vers vous si nécessaire.",
                "",
                "Si vous n'êtes pas à l'origine de cet envoi, ignorez ce message ou signalez-le-nous en y répondant.",
                "",
                "Vos données personnelles",
                f"Finalité : {definition.finalite}",
                f"Durée de conservation : {definition.conservation}",
                f"Vos droits : {privacy.droits}",
                "",
                "Ce message vous est envoyé automatiquement.",
                "",
            ]
        )
        mails.append(
            OutgoingMail(
                kind=ACKNOWLEDGEMENT,
                recipients=(visitor,),
                subject=f"Accusé de réception : {title}",
                body=body,
                reply_to=settings.notify_to[0] if settings.notify_to else None,
            )
        )
    return tuple(mails)


def build_message(row: OutboxRow, settings: Settings) -> EmailMessage:
    if row.context is not None:  # a registration's mail, made now from its template
        from formbackend.mail.registration_mails import render_deferred

        row = render_deferred(row, settings.mail_templates_path)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(row.recipients)
    message["Subject"] = header_text(row.subject)
    message["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rpartition("@")[2].strip("<> ") or None
    message["Message-ID"] = make_msgid(domain=domain)
    if row.reply_to and valid_email(row.reply_to):  # a mail queued by an older release may hold another
        message["Reply-To"] = row.reply_to
    if row.kind != NOTIFICATION:  # every mail to a visitor is automatic
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body, charset="utf-8")
    if row.html:
        message.add_alternative(row.html, subtype="html", charset="utf-8")
    for name, kind, content in row.attachments:
        maintype, _, subtype = kind.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message
