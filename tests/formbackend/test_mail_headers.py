"""No visitor text can add a header to a mail (issue 8, item 1), on the interpreter the project runs.

Python 3.11.7's email package decodes an RFC 2047 encoded word given in a
header value, then writes what it hides as it is: "=?utf-8?q?Devis=0D=0ABcc:…?="
becomes a Subject line and a Bcc line in what is handed to the relay (anything
that reads recipients from the headers, as ``sendmail -t`` does, sends a copy
there), and "…=0D=0AContent-Type:_text/html=0D=0A=0D=0A<a…" replaces the body. The
receiver refuses such values (hostile_requests.py), and the mails are built so
that nothing a visitor wrote can act as mail syntax, whatever the runtime: each
message here is written as smtplib writes it and read back as a mail client
reads it (email.parser with policy.default).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import platform
import unicodedata
from email.parser import BytesParser

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from formbackend.intake.validation import validate
from formbackend.mail.compose import ACKNOWLEDGEMENT, NOTIFICATION, build_message, compose, header_text
from formbackend.mail.outbox import send_due
from formbackend.store import NewSubmission, OutboxRow, OutgoingMail, Store

from .conftest import ROOT, VALID
from .test_mail import mail_settings, smtp  # noqa: F401 - smtp is a fixture used below

MOMENT = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)
BCC = base64.b64encode(b"\r\nBcc: victime@evil.example").decode()
HOSTILE = {
    "issue": "=?utf-8?q?Devis=0D=0AContent-Type:_text/html=0D=0A=0D=0A<a href=https://evil.example>?=",
    "bcc-q": "=?utf-8?q?Devis=0D=0ABcc:_victime@evil.example?=",
    "bcc-b": f"=?utf-8?b?{BCC}?=",
    "colle-a-un-mot": f"Devis=?UTF-8?B?{BCC}?=",
    "apres-nos-mots": "Nouvelle – =?utf-8?q?Devis=0D=0ABcc:_victime@evil.example?=",
    "lf-seul": "=?utf-8?q?Devis=0ABcc:_victime@evil.example?=",
    "cr-seul": "=?utf-8?q?Devis=0DBcc:_victime@evil.example?=",
    "retour-ligne-brut": "Devis\r\nBcc: victime@evil.example",
    "separateur-unicode": "Devis\u2028Bcc: victime@evil.example\x85Cc: autre@evil.example",
    "corps-vide": "Devis\r\n\r\nAutre corps",
    "long": "Devis " * 30 + "=?utf-8?q?=0D=0ABcc:_victime@evil.example?=",
}
NOTIFICATION_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "Reply-To"]
MIME_HEADERS = ["Content-Type", "Content-Transfer-Encoding", "MIME-Version"]


def test_the_tests_run_on_the_python_the_project_pins():
    """The README and .python-version name the interpreter these tests prove safe."""
    pinned = (ROOT / ".python-version").read_text().strip()
    assert platform.python_version() == pinned, (
        f"les tests tournent sous Python {platform.python_version()}, le projet fixe {pinned} (.python-version) : "
        "lancez-les sous cette version, ou mettez .python-version et le README à jour une fois les tests passés"
    )
    assert f"Python {pinned}" in (ROOT / "README.md").read_text()


def as_sent(message) -> bytes:
    """The bytes smtplib's send_message writes (it keeps the message's policy, with CRLF)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def as_read(raw: bytes):
    return BytesParser(policy=email.policy.default).parsebytes(raw)


def body_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def same_words(read: str, written: str) -> bool:
    return "".join(read.split()) == "".join(written.split())


def row_of(mail: OutgoingMail) -> OutboxRow:
    return OutboxRow(1, 1, mail.kind, mail.recipients, mail.subject, mail.body, mail.reply_to, 0)


def composed(settings, forms, form_name: str, contract: dict, session: str | None = None):
    definition = forms.formulaires[form_name]
    items = [(name, value) for name, value in VALID[form_name].items() if not name.startswith("_")]
    result = validate(definition, items)
    assert result.ok
    return compose(settings, forms, form_name, result.data, contract, MOMENT, session, False)


@pytest.mark.parametrize("where", ["_subject", "session"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_visitor_text_in_a_subject_adds_no_header(settings, forms, name, where):
    """Even past validation (a mail queued by an older release, a future bug), the mail keeps its headers."""
    hostile = HOSTILE[name]
    if where == "_subject":
        mails = composed(settings, forms, "devis", {"_subject": hostile})
    else:
        mails = composed(settings, forms, "inscription", {}, session=hostile)
    notification = next(mail for mail in mails if mail.kind == NOTIFICATION)
    expected_start = "Nouvelle demande de devis : « " if where == "_subject" else "Nouvelle inscription — "
    assert notification.subject.startswith(expected_start)

    read = as_read(as_sent(build_message(row_of(notification), settings)))
    assert read.keys() == NOTIFICATION_HEADERS + MIME_HEADERS
    assert read.defects == []
    subject = str(read["Subject"])
    assert same_words(subject, header_text(notification.subject))
    assert "\r" not in subject and "\n" not in subject and "=?" not in subject
    assert "victime@evil.example" not in str(read["To"]) + str(read["Reply-To"])
    assert read.get_content_type() == "text/plain" and not read.is_multipart()
    assert body_of(read) == notification.body  # the body, whole and alone


@hypothesis_settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(list(HOSTILE.values()) + ["=?", "?=", "\r\n", "\u2028", "=?utf-8?q?", "=0D=0A"]),
        ),
        max_size=8,
    ).map("".join)
)
def test_any_text_made_inert_stays_one_subject_line(text):
    inert = header_text(text)
    assert "=?" not in inert
    assert all(
        char == " " or not (char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"})
        for char in inert
    )
    row = OutboxRow(1, 1, NOTIFICATION, ("conseilrh@cdg44.fr",), "Nouveau message : " + text, "Corps\n", None, 0)
    settings_like = type("S", (), {"mail_from": "formulaires@cdg44.fr"})
    read = as_read(as_sent(build_message(row, settings_like)))
    assert read.keys() == ["From", "To", "Subject", "Date", "Message-ID"] + MIME_HEADERS
    subject = str(read["Subject"])
    assert "\r" not in subject and "\n" not in subject
    # Not always the same words: 3.11.7 may garble the fold of a long encoded word (a
    # display matter; the receiver refuses "=?" in _subject before any of this).
    assert body_of(read) == "Corps\n"


@pytest.mark.parametrize(
    "reply_to, kept",
    [
        ("jeanne.martin@mairie-exemple.fr", True),
        ("jean@café.fr", False),  # would be written jean@=?utf-8?q?caf=C3=A9?=.fr, an invalid address
        ("x=?utf-8?q?=0D=0ABcc=3A_v=40evil=2Eexample?=@exemple.fr", False),
        ("a@b.fr\r\nBcc: victime@evil.example", False),
    ],
)
def test_only_a_valid_address_becomes_the_reply_to(settings, reply_to, kept):
    mail = OutgoingMail(NOTIFICATION, ("conseilrh@cdg44.fr",), "Nouveau message", "Corps\n", reply_to)
    read = as_read(as_sent(build_message(row_of(mail), settings)))
    assert (read["Reply-To"] == reply_to) if kept else ("Reply-To" not in read)
    assert "Bcc" not in read and body_of(read) == "Corps\n"


def test_mails_queued_with_hostile_headers_arrive_with_their_own_headers_only(tmp_path, smtp):  # noqa: F811
    """Mails queued before this fix, with a hostile subject or reply-to, through a real SMTP server."""
    controller, inbox = smtp
    settings = mail_settings(tmp_path, controller.port)
    store = Store(settings.db_path)
    store.add(
        NewSubmission(
            form="devis",
            data={"nom": "X"},
            mails=(
                OutgoingMail(NOTIFICATION, ("conseilrh@cdg44.fr",), HOSTILE["bcc-q"], "Corps du message\n"),
                OutgoingMail(
                    ACKNOWLEDGEMENT, ("jeanne.martin@mairie-exemple.fr",), HOSTILE["issue"], "Accusé\n", "jean@café.fr"
                ),
            ),
        )
    )
    assert send_due(store, settings) == {"envoyes": 2, "echecs": 0}
    assert sorted(recipient for _, recipients, _ in inbox.messages for recipient in recipients) == [
        "conseilrh@cdg44.fr",
        "jeanne.martin@mairie-exemple.fr",
    ]
    for _, _, message in inbox.messages:
        assert {"Bcc", "Cc", "Reply-To"}.isdisjoint(message.keys())
        assert message.get_content_type() == "text/plain"
        assert message.get_content().replace("\r\n", "\n") in {"Corps du message\n", "Accusé\n"}
