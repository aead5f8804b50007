"""The registration counts the site build reads (OFFER["REGISTRATION_COUNTS"]).

A JSON object ``{"<session slug>": <registrations not on the waiting list>}``,
written atomically (temporary file, then rename) so the build never reads half
a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from formbackend.store import Store


def write_counts(store: Store, path: Path) -> dict[str, int]:
    counts = store.registration_counts()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".inscrits-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # Counts hold no personal data; the site build may run as another user.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return counts


def person_export(store: Store, key: str) -> dict:
    """Everything stored about one e-mail address, for a right-of-access answer."""
    from formbackend.registrations.records import of_person

    submissions = store.person(key)
    with store._connection() as conn:
        registrations = of_person(conn, key)
    return {
        "adresse": key,
        "nombre_envois": len(submissions),
        "envois": [s.as_dict() for s in submissions],
        # Registrations, a group's agents' included, with their history.
        "inscriptions": [
            {
                "session": r.session,
                "etat": r.state,
                "personne": r.person,
                "historique": [
                    {"date": h.at, "par": h.actor, "de": h.from_state, "vers": h.to_state, "motif": h.reason}
                    for h in r.history
                ],
            }
            for r in registrations
        ],
    }
