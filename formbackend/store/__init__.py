"""SQLite storage: the schema and its version (``schema``), the connection,
the records and the group-commit writer (``database``)."""

from formbackend.store.database import (
    NewSubmission,
    OutboxRow,
    OutgoingMail,
    Store,
    StoredSubmission,
    StoreError,
    Transaction,
    Writer,
    connect,
    insert_submission,
    parse_timestamp,
    timestamp,
    utcnow,
)
from formbackend.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "NewSubmission",
    "OutboxRow",
    "OutgoingMail",
    "Store",
    "StoreError",
    "StoredSubmission",
    "Transaction",
    "Writer",
    "connect",
    "insert_submission",
    "parse_timestamp",
    "timestamp",
    "utcnow",
]
