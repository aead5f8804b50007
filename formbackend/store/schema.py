"""The database schema, and its version (SQLite's ``user_version``).

``SCHEMA`` is version 1 (submissions, outbox); ``migrations`` brings a file to
``SCHEMA_VERSION`` (version 2 adds ``REGISTRATIONS_SCHEMA``).
"""

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    form TEXT NOT NULL,
    created_at TEXT NOT NULL,              -- UTC, ISO 8601, fixed width
    email_key TEXT,                        -- case-folded address, to find a person's rows
    session TEXT,                          -- the session slug of a registration
    waiting_list INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL                     -- JSON object of the cleaned fields
);
CREATE INDEX IF NOT EXISTS submissions_form_created ON submissions (form, created_at);
CREATE INDEX IF NOT EXISTS submissions_email ON submissions (email_key);
CREATE INDEX IF NOT EXISTS submissions_session ON submissions (session) WHERE session IS NOT NULL;

CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                    -- notification | accuse
    recipients TEXT NOT NULL,              -- comma-separated addresses
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_to TEXT,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,         -- Unix time
    claimed_until REAL NOT NULL DEFAULT 0, -- a worker holds the row until then
    sent_at TEXT,
    last_error TEXT                        -- error class and SMTP code only
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_submission ON outbox (submission_id);
"""

# Version 2: registrations and their life. A registration belongs to the
# submission that made it (one submission may register several agents); its
# history is append-only and goes only with it (purge, erase).
REGISTRATIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS registrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    session TEXT NOT NULL,
    email_key TEXT NOT NULL,               -- case-folded address
    position INTEGER NOT NULL DEFAULT 0,   -- the agent's rank in a group submission
    person TEXT NOT NULL DEFAULT '{}',     -- JSON: prenom, nom, email, collectivite, fonction
    state TEXT NOT NULL CHECK (state IN ('demandee', 'confirmee', 'liste_attente', 'annulee', 'presente', 'absente')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    offer_expires_at REAL,                 -- Unix time; set while a freed place is offered
    convocation_at TEXT                    -- when the convocation was queued
);
-- One live registration per person and session, whatever the path that writes it.
CREATE UNIQUE INDEX IF NOT EXISTS registrations_live ON registrations (session, email_key) WHERE state != 'annulee';
CREATE INDEX IF NOT EXISTS registrations_session_state ON registrations (session, state);
CREATE INDEX IF NOT EXISTS registrations_submission ON registrations (submission_id);
CREATE INDEX IF NOT EXISTS registrations_offers ON registrations (session, state) WHERE offer_expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS registration_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                   -- personne | administration | recepteur | migration
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS registration_history_registration ON registration_history (registration_id);
CREATE TRIGGER IF NOT EXISTS registration_history_append_only BEFORE UPDATE ON registration_history
BEGIN SELECT RAISE(ABORT, 'registration_history is append-only'); END;

-- The sessions the receiver has registrations for: the consultants' choice of
-- automatic promotion, and what the build last published about them (JSON), so
-- that mails and documents still know a session once its registrations close.
CREATE TABLE IF NOT EXISTS sessions (
    session TEXT PRIMARY KEY,
    auto_promotion INTEGER NOT NULL DEFAULT 1,
    details TEXT NOT NULL DEFAULT '{}'
);

-- Quotes (devis) numbered in sequence per year. A quote keeps its number and
-- date when printed again; its row outlives the request's purge (no personal data).
CREATE TABLE IF NOT EXISTS quotes (
    number TEXT PRIMARY KEY,               -- D-2027-0001
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    submission_id INTEGER UNIQUE REFERENCES submissions (id) ON DELETE SET NULL,
    issued_at TEXT NOT NULL,               -- Paris date, ISO
    total TEXT NOT NULL,                   -- euros, as a decimal string
    UNIQUE (year, seq)
);

-- The key that signs self-service links when FORMBACKEND_SECRET_KEY is not set.
CREATE TABLE IF NOT EXISTS receiver_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
