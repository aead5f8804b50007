"""The documents: tagged PDFs (attendance sheet, attestation, quote) read back with pypdf, and the ODS export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml
from pypdf import PdfReader

from formbackend.backoffice.admin import csrf_token
from tests.formbackend.conftest import ROOT, VALID, asgi_client, headers, make_settings, post_form
from tests.formbackend.lifecycle_support import SESSION, query, register, session_info, write_sessions
from tests.formbackend.test_admin import BAD_CREDENTIALS, GOOD, PASSWORD, USER

pytestmark = pytest.mark.anyio


@pytest.fixture
def office(make_app, tmp_path):
    sessions = write_sessions(tmp_path / "inscriptions.json", {SESSION: session_info(places=3)})
    settings = make_settings(
        tmp_path,
        sessions_path=sessions,
        admin_user=USER,
        admin_password=PASSWORD,
        approval_types=(),
        rates_path=ROOT / "content" / "tarifs.yaml",
        quote_siret="284 400 019 00035",
        quote_deliberation="délibération n° 2026-12 du 4 décembre 2026",
    )
    return make_app(settings), settings


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def assert_tagged(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "no structure tree: the PDF is not tagged"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fr"


async def test_attendance_sheet_and_attestation(office):
    app, settings = office
    async with asgi_client(app) as client:
        for n in (1, 2, 3, 4):
            await register(client, n, nom=f"Nom{n}")
        ids = dict(query(settings.db_path, "SELECT json_extract(person, '$.email'), id FROM registrations"))
        sheet = await client.get(f"/admin/inscriptions/{SESSION}/emargement.pdf", headers=GOOD)
        first = ids["agent1@mairie-exemple.fr"]
        too_early = await client.get(f"/admin/inscriptions/{SESSION}/{first}/attestation.pdf", headers=GOOD)
        await client.post(
            f"/admin/inscriptions/{SESSION}/{first}/present", data={"jeton": csrf_token(settings)}, headers=GOOD
        )
        attestation = await client.get(f"/admin/inscriptions/{SESSION}/{first}/attestation.pdf", headers=GOOD)
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "application/pdf"
    reader, text = pdf_text(sheet.content)
    assert_tagged(reader)
    assert "Feuille d’émargement – Mutualiser un service" in text
    assert "Séance du 11 mars 2027" in text and "Séance du 8 avril 2027" in text
    assert "Nom1, Agent1" in text and "Nom3, Agent3" in text
    assert "Nom4" not in text  # on the waiting list: not on the sheet
    assert "3 participants confirmés" in text

    assert too_early.status_code == 409
    reader, text = pdf_text(attestation.content)
    assert_tagged(reader)
    assert "Attestation de présence" in text and "Agent1 Nom1" in text
    assert "jeudi 11 mars 2027, de 9 h 00 à 17 h 00" in text


def rate_of_year(year: int) -> dict:
    rates = yaml.safe_load((ROOT / "content" / "tarifs.yaml").read_text(encoding="utf-8"))["tarifs"]
    return max((r for r in rates if r["annee"] <= year), key=lambda r: r["annee"])


def site_estimate(agents: int, half_days: int, year: int) -> str:
    """What theme/static/js/estimate.js computes: half-days × agents × the year's half-day rate."""
    total = agents * half_days * rate_of_year(year)["demi_journee"]
    return f"{total:,}".replace(",", " ") + " €"


async def test_quotes_are_numbered_dated_and_priced_like_the_site(office):
    app, settings = office
    request = {
        **VALID["devis"],
        "agents": "8",
        "demi_journees": "4",
        "siret": "214 401 093 00018",
        "code_service": "SERV-RH",
        "numero_engagement": "EJ-2027-42",
    }
    async with asgi_client(app) as client:
        for _ in range(2):
            assert (await post_form(client, "/f/devis", request, headers())).status_code == 200
        first = await client.get("/admin/devis/1.pdf", headers=GOOD)
        second = await client.get("/admin/devis/2.pdf", headers=GOOD)
        again = await client.get("/admin/devis/1.pdf", headers=GOOD)
        missing = await client.get("/admin/devis/99.pdf", headers=GOOD)
        listing = await client.get("/admin/formulaires/devis", headers=GOOD)
    year = dt.datetime.now(ZoneInfo("Europe/Paris")).year
    assert first.status_code == 200 and missing.status_code == 404
    assert 'href="/admin/devis/1.pdf"' in listing.text
    reader, text = pdf_text(first.content)
    assert_tagged(reader)
    assert f"Devis n° D-{year}-0001" in text and f"D-{year}-0002" in pdf_text(second.content)[1]
    assert f"Devis n° D-{year}-0001" in pdf_text(again.content)[1]  # the same number when printed again
    expected = site_estimate(8, 4, year)
    assert f"Total {expected}" in text
    assert "8 participants" in text and "4 demi-journées par participant" in text
    assert "Communauté de communes d'Exemple" in text and "Paul Durand" in text
    assert "SIRET : 214 401 093 00018" in text and "Code service (Chorus Pro) : SERV-RH" in text
    assert "Numéro d’engagement : EJ-2027-42" in text
    assert "SIRET : 284 400 019 00035" in text and "délibération n° 2026-12 du 4 décembre 2026" in text
    assert "TVA non applicable, article 256 B du code général des impôts." in text
    assert "Devis valable jusqu’au " in text
    amount = Decimal(expected.replace(" ", "").rstrip("€"))
    stored = query(settings.db_path, "SELECT number, total FROM quotes ORDER BY seq")
    assert [(number, Decimal(total)) for number, total in stored] == [
        (f"D-{year}-0001", amount),
        (f"D-{year}-0002", amount),
    ]


async def test_quote_with_vat(office, make_app, tmp_path):
    _, settings = office
    app = make_app(settings.replace(quote_vat_rate=20.0))
    async with asgi_client(app) as client:
        await post_form(client, "/f/devis", {**VALID["devis"], "agents": "3", "demi_journees": "2"}, headers())
        answer = await client.get("/admin/devis/1.pdf", headers=GOOD)
    _, text = pdf_text(answer.content)
    half = rate_of_year(dt.date.today().year)["demi_journee"]
    ht = 3 * 2 * half
    assert f"Total hors taxes {ht:,} €".replace(",", " ") in text
    assert "TVA (20 %)" in text and "TVA non applicable" not in text


async def test_ods_export_of_a_session(office):
    from odf.opendocument import load
    from odf.table import TableRow
    from odf.teletype import extractText

    app, settings = office
    async with asgi_client(app) as client:
        for n in (1, 2, 3, 4):
            await register(client, n)
        answer = await client.get(f"/admin/inscriptions/{SESSION}/inscriptions.ods", headers=GOOD)
    assert answer.headers["content-type"] == "application/vnd.oasis.opendocument.spreadsheet"
    document = load(io.BytesIO(answer.content))
    rows = [[extractText(cell) for cell in row.childNodes] for row in document.getElementsByType(TableRow)]
    assert rows[0] == ["N°", "Prénom", "Nom", "Adresse électronique", "Collectivité", "Fonction", "État", "Inscrit le"]
    assert [row[3] for row in rows[1:]] == [f"agent{n}@mairie-exemple.fr" for n in (1, 2, 3, 4)]
    assert [row[6] for row in rows[1:]] == ["Confirmée", "Confirmée", "Confirmée", "Liste d'attente"]


@pytest.mark.parametrize("credentials", ["absents", "mauvais-mot-de-passe"])
async def test_documents_need_the_credentials(office, credentials):
    app, settings = office
    async with asgi_client(app) as client:
        await register(client, 1)
        await post_form(client, "/f/devis", VALID["devis"], headers())
        for path in (
            f"/admin/inscriptions/{SESSION}/emargement.pdf",
            f"/admin/inscriptions/{SESSION}/inscriptions.ods",
            f"/admin/inscriptions/{SESSION}/1/attestation.pdf",
            "/admin/devis/1.pdf",
        ):
            answer = await client.get(path, headers=BAD_CREDENTIALS[credentials])
            assert answer.status_code == 401, path
    assert query(settings.db_path, "SELECT count(*) FROM quotes") == [(0,)]
