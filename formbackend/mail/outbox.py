"""Delivery of the outbox: ``send_due`` and the worker that runs it.

``send_due`` sends what is due with the standard library's smtplib; a failure
leaves the row in the outbox with a later retry time (exponential backoff), so
an SMTP outage never loses anything. After the last attempt a mail is
abandoned, with a warning in the logs: it stays in the outbox, counted by the
administration and /sante, until ``send-outbox --retry-abandoned`` (or the
administration's button) gives it a new series of attempts.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage

from formbackend.mail.compose import build_message
from formbackend.settings import Settings
from formbackend.store import OutboxRow, Store

log = logging.getLogger(__name__)


class SmtpSession:
    """One SMTP connection for a batch of messages (blocking: run it in a thread)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        s = self.settings
        if s.smtp_ssl:
            self.smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=ssl.create_default_context()
            )
        else:
            self.smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            self.smtp.ehlo()
            if s.smtp_starttls:
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
            if s.smtp_user:
                self.smtp.login(s.smtp_user, s.smtp_password)
        except BaseException:
            self.smtp.close()
            raise
        return self

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)

    def __exit__(self, *exc):
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        return False


def describe_error(exc: BaseException) -> str:
    """An error's class and SMTP code, never its text (it may quote an address)."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({value[0] for value in exc.recipients.values()})
        code = ",".join(map(str, codes))
    return type(exc).__name__ + (f" {code}" if code else "")


def backoff(settings: Settings, attempts_before: int) -> float:
    return min(settings.outbox_retry_base_seconds * (2**attempts_before), settings.outbox_retry_max_seconds)


def send_due(
    store: Store,
    settings: Settings,
    now: Callable[[], float] = time.time,
    session_factory: Callable[[Settings], SmtpSession] = SmtpSession,
) -> dict[str, int]:
    """Send every mail that is due (blocking). Returns {"envoyes": n, "echecs": n}."""
    result = {"envoyes": 0, "echecs": 0}
    if not settings.smtp_enabled:
        return result
    attempted: set[int] = set()
    while True:
        rows = store.claim_due_mails(now(), settings.outbox_max_attempts, exclude=attempted)
        if not rows:
            return result
        attempted.update(row.id for row in rows)
        done: set[int] = set()
        try:
            with session_factory(settings) as session:
                for row in rows:
                    try:
                        session.send(build_message(row, settings))
                    except (
                        smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPSenderRefused,
                        smtplib.SMTPDataError,
                        smtplib.SMTPNotSupportedError,
                        ValueError,
                    ) as exc:
                        _failed(store, settings, row, exc, now())
                        result["echecs"] += 1
                    else:
                        store.mark_sent(row.id)
                        result["envoyes"] += 1
                        log.info("courriel envoyé id=%s envoi=%s type=%s", row.id, row.submission_id, row.kind)
                    done.add(row.id)
        except (smtplib.SMTPException, OSError) as exc:
            # The connection failed: every row of the batch not yet handled waits for a retry.
            for row in rows:
                if row.id not in done:
                    _failed(store, settings, row, exc, now())
                    result["echecs"] += 1
            return result


RETRY_HINT = "python -m formbackend send-outbox --retry-abandoned, ou le bouton de l'administration"


def _failed(store: Store, settings: Settings, row: OutboxRow, exc: BaseException, now: float) -> None:
    error = describe_error(exc)
    store.mark_failed(row.id, now + backoff(settings, row.attempts), error)
    log.warning(
        "échec d'envoi du courriel id=%s envoi=%s type=%s tentative=%s erreur=%s",
        row.id,
        row.submission_id,
        row.kind,
        row.attempts + 1,
        error,
    )
    if row.attempts + 1 >= settings.outbox_max_attempts:
        log.warning(
            "courriel abandonné après %s tentative(s) id=%s envoi=%s type=%s : il reste dans la file ; "
            "renvoyez-le une fois le serveur SMTP rétabli (%s)",
            row.attempts + 1,
            row.id,
            row.submission_id,
            row.kind,
            RETRY_HINT,
        )


def warn_if_abandoned(store: Store, settings: Settings) -> int:
    """A warning in the logs when abandoned mails wait in the outbox; their number."""
    abandoned = store.unsent_mails(settings.outbox_max_attempts)["abandonnes"]
    if abandoned:
        log.warning("%s courriel(s) abandonné(s) dans la file : renvoyez-les (%s)", abandoned, RETRY_HINT)
    return abandoned


class OutboxWorker:
    """The server's background task: sends due mails now and then, and when woken."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        if not self.settings.smtp_enabled:
            log.warning("envoi des courriels désactivé : FORMBACKEND_SMTP_HOST ou FORMBACKEND_MAIL_FROM manque")
            return
        try:
            await asyncio.to_thread(warn_if_abandoned, self.store, self.settings)
        except Exception:  # noqa: BLE001 - the worker must survive anything
            log.exception("erreur du service d'envoi des courriels")
        while True:
            self._wake.clear()
            try:
                await asyncio.to_thread(send_due, self.store, self.settings)
            except Exception:  # noqa: BLE001 - the worker must survive anything
                log.exception("erreur du service d'envoi des courriels")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.outbox_interval_seconds)
            except TimeoutError:
                pass
