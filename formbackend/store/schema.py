"""The database schema, and its version (SQLite's ``user_version``)."""

SCHEMA_VERSION = 1

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
