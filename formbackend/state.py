"""What the receiver's handlers share: settings, forms, store, writer, limits, workers."""

from __future__ import annotations

from dataclasses import dataclass

from formbackend.intake.ratelimit import RateLimiter
from formbackend.mail.outbox import OutboxWorker
from formbackend.registrations.lifecycle import Lifecycle
from formbackend.registrations.open_sessions import OpenSessions
from formbackend.settings import Settings
from formbackend.store import Store, Writer
from offer.forms import FormsFile


@dataclass
class State:
    settings: Settings
    forms: FormsFile
    store: Store
    writer: Writer
    limiter: RateLimiter
    worker: OutboxWorker
    admin_failures: RateLimiter
    open_sessions: OpenSessions | None = None
    lifecycle: Lifecycle | None = None
