"""What happens to registrations after the form: cancellation, offers to the
waiting list, validation by the CDG, attendance, convocations.

Each operation is one transaction: the state change, its history row, the
mails it causes and the promotion it frees a place for are committed together.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass

from formbackend.mail import registration_mails as mails
from formbackend.mail.templates import MailTemplates
from formbackend.registrations import records
from formbackend.registrations.capacity import Enrolment, Outcome, Person
from formbackend.registrations.links import Links, stored_key
from formbackend.registrations.open_sessions import OpenSession
from formbackend.registrations.records import ADMINISTRATION, PERSON, RECEIVER, Registration
from formbackend.registrations.states import (
    ABSENTE,
    ANNULEE,
    CANCELLABLE,
    CONFIRMEE,
    DEMANDEE,
    HOLDS_PLACE,
    LISTE_ATTENTE,
    PRESENTE,
    TransitionRefused,
)
from formbackend.settings import Settings
from formbackend.store import Store, Transaction, connect, utcnow

log = logging.getLogger(__name__)


class OfferClosed(TransitionRefused):
    """The place offered is no longer offered (expired, or already answered)."""


def session_details(slug: str, published: OpenSession) -> dict:
    """The JSON snapshot of what the build published about a session."""
    return {
        "titre": published.title,
        "type": published.kind,
        "places": published.places,
        "capacite": published.capacity,
        "lieu": {
            "nom": published.venue_name,
            "adresse": published.venue_address,
            "accessibilite": published.accessibility,
        },
        "seances": [
            {"date": m.date.isoformat(), "debut": m.start, "fin": m.end, "journee": m.full_day}
            for m in published.meetings
        ],
    }


@dataclass
class Lifecycle:
    store: Store
    settings: Settings
    templates: MailTemplates
    links: Links

    @classmethod
    def create(cls, store: Store, settings: Settings) -> Lifecycle:
        key = settings.secret_key
        if not key:
            with store._connection() as conn, Transaction(conn):
                key = stored_key(conn)
        base = settings.public_url or f"http://{settings.host}:{settings.port}"
        return cls(
            store, settings, MailTemplates(settings.mail_templates_path), Links(key, settings.link_max_age_days, base)
        )

    # -- helpers -------------------------------------------------------------------------
    @property
    def reply_to(self) -> str | None:
        return self.settings.notify_to[0] if self.settings.notify_to else None

    def needs_approval(self, kind: str | None) -> bool:
        return kind in self.settings.approval_types if kind else bool(self.settings.approval_types)

    def _mail(self, conn, name: str, registration: Registration, now: dt.datetime, reason: str = "") -> None:
        details = records.session_details(conn, registration.session)
        mail = mails.registration_mail(
            self.templates,
            name,
            registration,
            details,
            self.links.url(registration.id),
            now,
            self.reply_to,
            reason,
        )
        records.queue_mail(conn, registration, mail, now)

    def _transaction(self):
        return _Tx(self.store.path)

    # -- intake --------------------------------------------------------------------------
    def enrolment(
        self, session: str, people: list[Person], published: OpenSession | None, waiting_asked: bool
    ) -> Enrolment:
        """The registrations of one submission, for the writer (see capacity.Enrolment)."""

        def compose(conn: sqlite3.Connection, outcome: Outcome):
            # Runs in the writer's transaction for every registration: no query it can spare.
            now = utcnow()
            details = records.session_details(conn, session)
            result = []
            for position, registration_id in enumerate(outcome.registration_ids):
                who = people[position]
                registration = records.Registration(
                    registration_id, 0, session, who.email_key, position, who.person, outcome.state, "", "", None
                )
                result.append(
                    mails.registration_mail(
                        self.templates,
                        mails.TEMPLATE_FOR_STATE[outcome.state],
                        registration,
                        details,
                        self.links.url(registration_id),
                        now,
                        self.reply_to,
                        deferred=True,
                    )
                )
            return tuple(result)

        return Enrolment(
            session=session,
            people=tuple(people),
            places=published.places if published else None,
            waiting_asked=waiting_asked,
            approval=self.needs_approval(published.kind if published else None),
            details=session_details(session, published) if published else {"titre": session},
            mails=compose,
        )

    # -- the person's own actions (signed link) ------------------------------------------
    def get(self, registration_id: int, with_history: bool = False) -> Registration:
        with self.store._connection() as conn:
            return records.get(conn, registration_id, with_history)

    def cancel(self, registration_id: int, actor: str = PERSON, reason: str = "", now: dt.datetime | None = None):
        now = now or utcnow()
        with self._transaction() as conn:
            before = records.get(conn, registration_id)
            if before.state not in CANCELLABLE:
                raise TransitionRefused("Cette inscription ne peut plus être annulée.")
            why = reason or ("annulée par la personne" if actor == PERSON else "annulée par le CDG")
            after = records.change_state(conn, registration_id, ANNULEE, now, actor, why)
            self._mail(conn, mails.CANCELLATION, after, now, reason if actor != PERSON else "")
            self.fill_free_places(conn, before.session, now)
            return after

    def accept_offer(self, registration_id: int, now: dt.datetime | None = None) -> Registration:
        now = now or utcnow()
        with self._transaction() as conn:
            current = records.get(conn, registration_id)
            if not current.offer_pending or current.offer_expires_at <= now.timestamp():
                raise OfferClosed("Cette place n'est plus proposée.")
            kind = records.session_details(conn, current.session).get("type")
            target = DEMANDEE if self.needs_approval(kind) else CONFIRMEE
            after = records.change_state(conn, registration_id, target, now, PERSON, "place proposée acceptée")
            self._mail(conn, mails.TEMPLATE_FOR_STATE[target], after, now)
            return after

    # -- the consultants' actions ----------------------------------------------------------
    def confirm(self, registration_id: int, now: dt.datetime | None = None) -> Registration:
        """Validate a request, or take someone from the waiting list at once (manual promotion)."""
        now = now or utcnow()
        with self._transaction() as conn:
            current = records.get(conn, registration_id)
            reason = (
                "validée par le CDG" if current.state == DEMANDEE else "promue depuis la liste d'attente par le CDG"
            )
            after = records.change_state(conn, registration_id, CONFIRMEE, now, ADMINISTRATION, reason)
            self._mail(conn, mails.CONFIRMATION, after, now)
            return after

    def refuse(self, registration_id: int, reason: str = "", now: dt.datetime | None = None) -> Registration:
        return self.cancel(registration_id, ADMINISTRATION, reason or "inscription non retenue par le CDG", now)

    def mark(self, registration_id: int, present: bool, now: dt.datetime | None = None) -> Registration:
        now = now or utcnow()
        with self._transaction() as conn:
            target = PRESENTE if present else ABSENTE
            return records.change_state(conn, registration_id, target, now, ADMINISTRATION, "émargement")

    def set_auto_promotion(self, session: str, enabled: bool) -> None:
        with self._transaction() as conn:
            records.set_auto_promotion(conn, session, enabled)

    # -- promotion -------------------------------------------------------------------------
    def fill_free_places(self, conn: sqlite3.Connection, session: str, now: dt.datetime) -> list[Registration]:
        """Offer each free place to the next waiting person (when the session promotes automatically)."""
        places = records.session_details(conn, session).get("places")
        if places is None or not records.auto_promotion(conn, session):
            return []
        offered = []
        free = places - records.places_taken(conn, session)
        for waiting in records.waiting_queue(conn, session):
            if free <= 0:
                break
            if waiting.offer_expires_at is not None:
                continue
            expires = now.timestamp() + self.settings.offer_delay_hours * 3600
            registration = records.set_offer(conn, waiting.id, expires, now, RECEIVER, "place libérée proposée")
            self._mail(conn, mails.OFFER, registration, now)
            offered.append(registration)
            free -= 1
        return offered

    def tick(self, now: dt.datetime | None = None, published: dict[str, OpenSession] | None = None) -> dict[str, int]:
        """Expire unanswered offers, offer the places freed, queue the convocations due."""
        now = now or utcnow()
        done = {"offres_expirees": 0, "offres": 0, "convocations": 0}
        with self._transaction() as conn:
            for slug, session in (published or {}).items():
                if conn.execute("SELECT 1 FROM sessions WHERE session = ?", (slug,)).fetchone():
                    records.remember_session(conn, slug, session_details(slug, session))
            expired = conn.execute(
                "SELECT id FROM registrations WHERE state = ? AND offer_expires_at IS NOT NULL AND offer_expires_at <= ?",
                (LISTE_ATTENTE, now.timestamp()),
            ).fetchall()
            for (registration_id,) in expired:
                reason = "place proposée non acceptée dans le délai"
                after = records.change_state(conn, registration_id, ANNULEE, now, RECEIVER, reason)
                self._mail(conn, mails.CANCELLATION, after, now, reason)
                done["offres_expirees"] += 1
            for (slug,) in conn.execute("SELECT session FROM sessions ORDER BY session").fetchall():
                done["offres"] += len(self.fill_free_places(conn, slug, now))
                done["convocations"] += self._convocations(conn, slug, now)
        return done

    def _convocations(self, conn: sqlite3.Connection, session: str, now: dt.datetime) -> int:
        meetings = records.session_details(conn, session).get("seances") or []
        if not meetings:
            return 0
        first = min(dt.date.fromisoformat(m["date"]) for m in meetings)
        today = now.astimezone(mails.PARIS).date()
        if not (first - dt.timedelta(days=self.settings.convocation_days) <= today <= first):
            return 0
        due = [r for r in records.of_session(conn, session) if r.state == CONFIRMEE and r.convocation_at is None]
        for registration in due:
            self._mail(conn, mails.CONVOCATION, registration, now)
            conn.execute("UPDATE registrations SET convocation_at = ? WHERE id = ?", (now.isoformat(), registration.id))
        return len(due)


async def lifecycle_ticks(state, interval: float = 60.0) -> None:
    """The server's background task: offers' expiry, promotions and convocations, every minute."""
    import asyncio

    while True:
        try:
            published = state.open_sessions.all() if state.open_sessions is not None else None
            done = await asyncio.to_thread(state.lifecycle.tick, None, published)
            if any(done.values()):
                log.info("inscriptions : %s", " ".join(f"{k}={v}" for k, v in sorted(done.items())))
                state.worker.wake()
        except Exception:  # noqa: BLE001 - the task must survive anything
            log.exception("erreur du suivi des inscriptions")
        await asyncio.sleep(interval)


class _Tx:
    """A connection in a BEGIN IMMEDIATE transaction, closed afterwards."""

    def __init__(self, path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        self.conn = connect(self.path)
        self.tx = Transaction(self.conn)
        return self.tx.__enter__()

    def __exit__(self, *exc):
        try:
            return self.tx.__exit__(*exc)
        finally:
            self.conn.close()


__all__ = ["HOLDS_PLACE", "Lifecycle", "OfferClosed"]
