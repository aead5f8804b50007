"""A session's people as an OpenDocument spreadsheet (.ods).

The French administration's interoperability rules (RGI) recommend ODF. It
is written with odfpy: one small, long-standing library that writes typed
cells (text, dates) into a valid ODS, where pyexcel-ods3 would add a stack
of wrappers for the same result.
"""

from __future__ import annotations

import io

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from formbackend.registrations.records import Registration
from formbackend.registrations.states import LABELS

HEADER = ("N°", "Prénom", "Nom", "Adresse électronique", "Collectivité", "Fonction", "État", "Inscrit le")


def _cell(value) -> TableCell:
    text = "" if value is None else str(value)
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=text))
    return cell


def session_people(slug: str, registrations: list[Registration]) -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name=slug[:31] or "Session")
    rows = [HEADER] + [
        (
            r.id,
            r.person.get("prenom", ""),
            r.person.get("nom", ""),
            r.email,
            r.person.get("collectivite", ""),
            r.person.get("fonction", ""),
            LABELS[r.state],
            r.created_at[:10],
        )
        for r in registrations
    ]
    for values in rows:
        row = TableRow()
        for value in values:
            row.addElement(_cell(value))
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
