"""SQLite storage: submissions and their outbox, durable before any answer.

The database runs in WAL mode with ``synchronous=FULL``: a transaction is on
disk when COMMIT returns. A submission and its outgoing e-mails are written in
the same transaction, so an e-mail is never lost and never sent for a
submission that was not stored.

Writes from the web server go through ``Writer``, one thread that commits the
submissions waiting in its queue together (group commit): each request still
gets its answer only after the COMMIT that holds its row.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import datetime as dt
import errno
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from formbackend.store.migrations import MigrationError, migrate
from formbackend.store.schema import SCHEMA, SCHEMA_VERSION


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class OutgoingMail:
    kind: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    reply_to: str | None = None
    html: str | None = None
    # (file name, MIME type, content), e.g. the session's .ics
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    registration_id: int | None = None  # the registration it is about (erased with it)
    # Set for a mail made at sending time from the template ``kind`` (see mail.registration_mails).
    context: dict | None = None


@dataclass(frozen=True)
class NewSubmission:
    form: str
    data: dict
    email_key: str | None = None
    session: str | None = None
    waiting_list: bool = False
    mails: tuple[OutgoingMail, ...] = ()
    created_at: dt.datetime | None = None
    # Registrations to make in the same transaction: an object with
    # ``apply(conn, submission_id, moment) -> tuple[OutgoingMail, ...]``
    # (formbackend.registrations.capacity.Enrolment).
    enrolment: object | None = None


@dataclass(frozen=True)
class StoredSubmission:
    id: int
    form: str
    created_at: str
    session: str | None
    waiting_list: bool
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"id": self.id, "formulaire": self.form, "date": self.created_at, "donnees": self.data}


@dataclass(frozen=True)
class OutboxRow:
    id: int
    submission_id: int
    kind: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    reply_to: str | None
    attempts: int
    html: str | None = None
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    context: dict | None = None


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL and FULL sync."""
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Erased personal data is overwritten, not left in free pages.
    conn.execute("PRAGMA secure_delete = ON")
    return conn


class Transaction:
    """``with Transaction(conn):`` = BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        return False


def _row_to_submission(row) -> StoredSubmission:
    return StoredSubmission(
        id=row[0], form=row[1], created_at=row[2], session=row[3], waiting_list=bool(row[4]), data=json.loads(row[5])
    )


_SUBMISSION_COLUMNS = "id, form, created_at, session, waiting_list, data"


def insert_submission(conn: sqlite3.Connection, submission: NewSubmission) -> int:
    """Insert one submission and its mails (the caller holds the transaction)."""
    moment = submission.created_at or utcnow()
    created = timestamp(moment)
    cursor = conn.execute(
        "INSERT INTO submissions (form, created_at, email_key, session, waiting_list, data) VALUES (?, ?, ?, ?, ?, ?)",
        (
            submission.form,
            created,
            submission.email_key,
            submission.session,
            int(submission.waiting_list),
            json.dumps(submission.data, ensure_ascii=False, separators=(",", ":")),
        ),
    )
    submission_id = cursor.lastrowid
    mails = submission.mails
    if submission.enrolment is not None:
        mails = mails + submission.enrolment.apply(conn, submission_id, moment)
    for mail in mails:
        insert_mail(conn, submission_id, mail, moment)
    return submission_id


class StoreError(Exception):
    """The database cannot be used: one French line saying what to do."""


def _open_problem(path: Path, exc: Exception) -> str:
    """What an error met while opening the database means for the operator (French)."""
    restore = "restaurez la dernière sauvegarde (docs/exploitation.md, « Sauvegarde et restauration »)"
    rights = (
        "donnez à l'utilisateur du service le droit d'écrire dans ce fichier et dans son dossier "
        "(SQLite y crée les fichiers -wal et -shm), ou choisissez un autre fichier (FORMBACKEND_DB ou --db)"
    )
    if isinstance(exc, OSError):
        why = {
            errno.EEXIST: "un fichier qui n'est pas un dossier porte ce nom",
            errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
            errno.EROFS: "système de fichiers en lecture seule",
            errno.ENOSPC: "disque plein",
        }.get(exc.errno, "droits insuffisants ou chemin impossible")
        return f"le dossier de la base {path.parent} ne peut pas être créé ({why}) : {rights}"
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return (
            f"le fichier {path} n'est pas une base SQLite (fichier abîmé ou autre fichier) : {restore}, "
            "ou indiquez la bonne base (FORMBACKEND_DB ou --db)"
        )
    if name == "SQLITE_CORRUPT":
        return f"la base {path} est abîmée : {restore}"
    if name.startswith("SQLITE_READONLY"):
        return f"la base {path} est en lecture seule : {rights}"
    if name.startswith("SQLITE_CANTOPEN") or name.startswith("SQLITE_PERM"):
        return f"la base {path} ne peut pas être ouverte en écriture : {rights}"
    if name == "SQLITE_FULL":
        return f"le disque de la base {path} est plein : libérez de la place"
    return (
        f"la base {path} ne peut pas être ouverte ({name or type(exc).__name__}) : "
        f"vérifiez le fichier et ses droits, ou {restore}"
    )


def _attachments_json(attachments) -> str | None:
    if not attachments:
        return None
    return json.dumps(
        [[name, kind, base64.b64encode(content).decode("ascii")] for name, kind, content in attachments],
        separators=(",", ":"),
    )


def _attachments_from_json(text: str | None) -> tuple:
    if not text:
        return ()
    return tuple((name, kind, base64.b64decode(content)) for name, kind, content in json.loads(text))


def insert_mail(
    conn: sqlite3.Connection,
    submission_id: int,
    mail: OutgoingMail,
    moment: dt.datetime,
    registration_id: int | None = None,
) -> None:
    """Queue one mail in the caller's transaction, due at ``moment``."""
    conn.execute(
        "INSERT INTO outbox (submission_id, kind, recipients, subject, body, reply_to, created_at, next_attempt_at,"
        " html, attachments, registration_id, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            submission_id,
            mail.kind,
            ",".join(mail.recipients),
            mail.subject,
            mail.body,
            mail.reply_to,
            timestamp(moment),
            moment.timestamp(),
            mail.html,
            _attachments_json(mail.attachments),
            registration_id if registration_id is not None else mail.registration_id,
            json.dumps(mail.context, ensure_ascii=False, separators=(",", ":")) if mail.context is not None else None,
        ),
    )


class Store:
    """Queries over one database file; each call opens and closes its connection."""

    def __init__(self, path: Path):
        """Opens (or creates) the database; StoreError with a French line if it cannot be used."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection() as conn:
                conn.executescript(SCHEMA)
                migrate(conn, SCHEMA_VERSION)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(_open_problem(self.path, exc)) from None
        except MigrationError as exc:
            raise StoreError(str(exc)) from None

    def _connection(self):
        return _Closing(connect(self.path))

    # -- writing -------------------------------------------------------------------------
    def add(self, submission: NewSubmission) -> int:
        with self._connection() as conn, Transaction(conn):
            return insert_submission(conn, submission)

    def purge(self, retention_days: dict[str, int], now: dt.datetime | None = None) -> dict[str, int]:
        """Delete the submissions older than their form's retention; {form: rows deleted}."""
        now = now or utcnow()
        deleted = {}
        with self._connection() as conn, Transaction(conn):
            for form, days in sorted(retention_days.items()):
                cutoff = timestamp(now - dt.timedelta(days=days))
                conn.execute(
                    "DELETE FROM outbox WHERE submission_id IN (SELECT id FROM submissions WHERE form = ? AND created_at < ?)",
                    (form, cutoff),
                )
                deleted[form] = conn.execute(
                    "DELETE FROM submissions WHERE form = ? AND created_at < ?", (form, cutoff)
                ).rowcount
        return deleted

    def erase_person(self, key: str) -> int:
        """Delete every submission (and its mails) of one e-mail address; rows deleted."""
        with self._connection() as conn:
            with Transaction(conn):
                # An agent registered by a manager: their registration, history and mails go too.
                conn.execute(
                    "DELETE FROM outbox WHERE registration_id IN (SELECT id FROM registrations WHERE email_key = ?)",
                    (key,),
                )
                conn.execute("DELETE FROM registrations WHERE email_key = ?", (key,))
                conn.execute(
                    "DELETE FROM outbox WHERE submission_id IN (SELECT id FROM submissions WHERE email_key = ?)", (key,)
                )
                deleted = conn.execute("DELETE FROM submissions WHERE email_key = ?", (key,)).rowcount
            # Copy the WAL into the database and empty it, so no old page keeps the data.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted

    # -- reading -------------------------------------------------------------------------
    def person(self, key: str) -> list[StoredSubmission]:
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE email_key = ? ORDER BY id", (key,)
            )
            return [_row_to_submission(row) for row in rows]

    def count(self, form: str | None = None) -> int:
        with self._connection() as conn:
            if form is None:
                return conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
            return conn.execute("SELECT count(*) FROM submissions WHERE form = ?", (form,)).fetchone()[0]

    def counts_by_form(self) -> dict[str, int]:
        with self._connection() as conn:
            return dict(conn.execute("SELECT form, count(*) FROM submissions GROUP BY form ORDER BY form"))

    def submissions(
        self, form: str, session: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[StoredSubmission]:
        """Newest first."""
        return list(self.iter_submissions(form, session, newest_first=True, limit=limit, offset=offset))

    def iter_submissions(
        self,
        form: str,
        session: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[StoredSubmission]:
        sql = f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE form = ?"
        args: list = [form]
        if session is not None:
            sql += " AND session = ?"
            args.append(session)
        sql += " ORDER BY id DESC" if newest_first else " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        with self._connection() as conn:
            for row in conn.execute(sql, args):
                yield _row_to_submission(row)

    def sessions(self) -> list[tuple[str, int, int]]:
        """(session slug, live registrations holding a place, waiting list), by slug."""
        from formbackend.registrations.records import live_counts

        with self._connection() as conn:
            return [(slug, held, waiting) for slug, (held, waiting, _) in live_counts(conn).items()]

    def registration_counts(self) -> dict[str, int]:
        """{session slug: live registrations holding a place} (a person counts once, cancellations not at all)."""
        return {slug: registered for slug, registered, _ in self.sessions()}

    # -- outbox --------------------------------------------------------------------------
    def claim_due_mails(
        self, now: float, max_attempts: int, limit: int = 50, hold_seconds: float = 300.0, exclude: Iterable[int] = ()
    ) -> list[OutboxRow]:
        """Mails due for sending (but those in exclude), held for this worker for hold_seconds."""
        with self._connection() as conn, Transaction(conn):
            rows = conn.execute(
                "SELECT id, submission_id, kind, recipients, subject, body, reply_to, attempts, html, attachments, context"
                " FROM outbox"
                " WHERE sent_at IS NULL AND next_attempt_at <= ? AND claimed_until <= ? AND attempts < ?"
                " AND id NOT IN (SELECT value FROM json_each(?))"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (now, now, max_attempts, json.dumps(sorted(exclude)), limit),
            ).fetchall()
            conn.executemany(
                "UPDATE outbox SET claimed_until = ? WHERE id = ?", [(now + hold_seconds, row[0]) for row in rows]
            )
        return [
            OutboxRow(
                row[0],
                row[1],
                row[2],
                tuple(filter(None, row[3].split(","))),
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                _attachments_from_json(row[9]),
                json.loads(row[10]) if row[10] else None,
            )
            for row in rows
        ]

    def mark_sent(self, mail_id: int, now: dt.datetime | None = None) -> None:
        with self._connection() as conn, Transaction(conn):
            conn.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = 0, last_error = NULL WHERE id = ?",
                (timestamp(now or utcnow()), mail_id),
            )

    def mark_failed(self, mail_id: int, next_attempt_at: float, error: str) -> None:
        with self._connection() as conn, Transaction(conn):
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = 0, last_error = ? WHERE id = ?",
                (next_attempt_at, error, mail_id),
            )

    def outbox_summary(self, max_attempts: int) -> dict[str, int]:
        with self._connection() as conn:
            sent = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL").fetchone()[0]
        return {"envoyes": sent, **self.unsent_mails(max_attempts)}

    def unsent_mails(self, max_attempts: int) -> dict[str, int]:
        """{"en_attente": mails still to be tried, "abandonnes": mails given up after max_attempts}."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT count(*), sum(attempts >= ?) FROM outbox WHERE sent_at IS NULL", (max_attempts,)
            ).fetchone()
        abandoned = row[1] or 0
        return {"en_attente": row[0] - abandoned, "abandonnes": abandoned}

    def requeue_abandoned(self, max_attempts: int, now: float | None = None) -> int:
        """Give every abandoned mail a new series of attempts, due now; the number of mails."""
        with self._connection() as conn, Transaction(conn):
            return conn.execute(
                "UPDATE outbox SET attempts = 0, next_attempt_at = ?, claimed_until = 0"
                " WHERE sent_at IS NULL AND attempts >= ?",
                (time.time() if now is None else now, max_attempts),
            ).rowcount

    def outbox_rows(self) -> list[dict]:
        """Every outbox row's state (for tests and the administration)."""
        with self._connection() as conn:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute("SELECT * FROM outbox ORDER BY id")]


class _Closing:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()
        return False


_STOP = object()


class Writer:
    """One thread that stores submissions, committing those queued together at once."""

    def __init__(self, path: Path, max_batch: int = 256):
        self.path = Path(path)
        self.max_batch = max_batch
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="formbackend-writer", daemon=True)
                self._thread.start()

    def submit(self, submission: NewSubmission) -> concurrent.futures.Future:
        self.start()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((submission, future))
        return future

    async def add(self, submission: NewSubmission) -> int:
        """Store the submission; returns its id once it is committed to disk."""
        return await asyncio.wrap_future(self.submit(submission))

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join()

    def _run(self) -> None:
        conn = connect(self.path)
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                batch = [item]
                stop = False
                while len(batch) < self.max_batch:
                    try:
                        extra = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if extra is _STOP:
                        stop = True
                        break
                    batch.append(extra)
                self._write(conn, batch)
                if stop:
                    return
        finally:
            conn.close()

    def _write(self, conn: sqlite3.Connection, batch: list) -> None:
        batch = [(submission, future) for submission, future in batch if future.set_running_or_notify_cancel()]
        try:
            with Transaction(conn):
                ids = [insert_submission(conn, submission) for submission, _ in batch]
        except Exception:
            # Store them one by one, so that one bad row fails alone.
            for submission, future in batch:
                try:
                    with Transaction(conn):
                        submission_id = insert_submission(conn, submission)
                except Exception as exc:  # noqa: BLE001 - handed to the waiting request
                    future.set_exception(exc)
                else:
                    future.set_result(submission_id)
            return
        for (_, future), submission_id in zip(batch, ids, strict=True):
            future.set_result(submission_id)
