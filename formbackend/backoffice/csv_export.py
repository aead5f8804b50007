"""CSV export of a form's submissions, for a spreadsheet.

UTF-8 with a byte order mark, ``;`` as separator, RFC 4180 quoting and CRLF
line ends, as a French spreadsheet expects. A cell that a spreadsheet could
take for a formula (starting with = + - @, a tab or a carriage return) is
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from formbackend.intake.validation import label
from formbackend.mail.compose import paris_time
from formbackend.store import StoredSubmission, parse_timestamp
from offer.forms import FormDefinition

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def header(definition: FormDefinition, extra: list[str]) -> list[str]:
    return ["N°", "Reçu le"] + [label(spec) for spec in definition.champs] + extra


def rows(definition: FormDefinition, submissions: Iterable[StoredSubmission]) -> Iterator[list[str]]:
    names = [spec.nom for spec in definition.champs]
    for submission in submissions:
        extra = [key for key in submission.data if key not in names]
        yield (
            [str(submission.id), paris_time(parse_timestamp(submission.created_at))]
            + [submission.data.get(name, "") for name in names]
            + [f"{key} : {submission.data[key]}" for key in extra]
        )


def export(definition: FormDefinition, submissions: Iterable[StoredSubmission]) -> Iterator[str]:
    """The CSV text, in chunks (the first one starts with the BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header(definition, [])])
    yield BOM + buffer.getvalue()
    for row in rows(definition, submissions):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()


def export_text(definition: FormDefinition, submissions: Iterable[StoredSubmission]) -> str:
    return "".join(export(definition, submissions))
