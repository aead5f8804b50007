"""Helpers of the end-to-end tests: the receiver under test, an SMTP sink, sample data."""

from __future__ import annotations

import email
import email.policy
import json
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NOTIFY_TO = "conseilrh@cdg44.example"
MAIL_FROM = "formulaires@cdg44.example"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What a visitor types in each form (the e-mail address is added per test).
SAMPLE_ANSWERS = {
    "inscription": {
        "prenom": "Jeanne",
        "nom": "Le Bihan",
        "telephone": "02 40 20 77 50",
        "collectivite": "Mairie de Saint-Herblain",
        "fonction": "Responsable RH",
        "message": "Je viendrai avec une collègue du service enfance.",
    },
    "devis": {
        "collectivite": "Communauté de communes d'Erdre et Gesvres",
        "prenom": "Yannick",
        "nom": "Guérin",
        "fonction": "DGS",
        "offre": "atelier",
        "agents": "6",
        "demi_journees": "2",
        "periode": "premier semestre 2027",
        "message": "Comment faire pour mutualiser l'accueil entre deux communes ?",
    },
    "contact": {
        "nom": "Maëlle Rivière",
        "collectivite": "Mairie de Clisson",
        "objet": "Dates des prochains ateliers",
        "message": "Bonjour, les dates de l'automne seront-elles publiées bientôt ?",
    },
}


def unique_email() -> str:
    return f"essai-{uuid.uuid4().hex[:12]}@mairie-exemple.fr"


# -- the SMTP sink ----------------------------------------------------------------------------
@dataclass
class Mail:
    mail_from: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


@dataclass
class SmtpSink:
    """An aiosmtpd handler that keeps every message it receives."""

    messages: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait_for(self, predicate, timeout: float = 20.0) -> Mail:
        """The first message matching predicate; the outbox worker may need a moment."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = next((mail for mail in self.messages if predicate(mail)), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                with self.lock:
                    seen = [(m.recipients, m.subject) for m in self.messages]
                raise AssertionError(f"no such e-mail after {timeout} s; received: {seen}")
            time.sleep(0.1)

    def to(self, address: str) -> list[Mail]:
        with self.lock:
            return [mail for mail in self.messages if address in mail.recipients]


# -- the receiver -----------------------------------------------------------------------------
@dataclass
class Receiver:
    url: str
    db_path: Path
    log_path: Path
    process: subprocess.Popen

    def action(self, form_name: str) -> str:
        return f"{self.url}/f/{form_name}"

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def submissions(self, address: str) -> list[dict]:
        """The stored submissions of one visitor, oldest first."""
        rows = self._query(
            "SELECT form, session, waiting_list, data FROM submissions WHERE email_key = ? ORDER BY id",
            (address.casefold(),),
        )
        return [
            {
                "form": r["form"],
                "session": r["session"],
                "waiting_list": bool(r["waiting_list"]),
                "data": json.loads(r["data"]),
            }
            for r in rows
        ]

    def count(self) -> int:
        return self._query("SELECT count(*) FROM submissions")[0][0]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def wait_until_answering(receiver: Receiver, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if receiver.process.poll() is not None:
            raise RuntimeError(f"the receiver stopped (code {receiver.process.returncode}):\n{receiver.log()}")
        try:
            with urllib.request.urlopen(receiver.url + "/sante", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the receiver did not answer within {timeout} s:\n{receiver.log()}")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- the built site's data --------------------------------------------------------------------
def sessions(site: Path) -> list[dict]:
    """One row per séance, from the built open data file (donnees/sessions.json)."""
    return json.loads((site / "donnees" / "sessions.json").read_text(encoding="utf-8"))["sessions"]


def entry_with(site: Path, *labels: str, prefix: str | None = None) -> dict:
    """The first session whose availability label is one of labels (or starts with prefix)."""
    for row in sessions(site):
        label = row["disponibilite"]
        if label in labels or (prefix and label.startswith(prefix)):
            return row
    known = sorted({row["disponibilite"] for row in sessions(site)})
    raise AssertionError(f"no sample session is {labels or prefix}; the sample data has: {known}")


def open_entry(site: Path) -> dict:
    return entry_with(site, "Places disponibles", prefix="Plus que")


def rate_of_year(year: int) -> dict:
    """The rate content/tarifs.yaml gives a year: the latest year not after it."""
    rates = yaml.safe_load((ROOT / "content" / "tarifs.yaml").read_text(encoding="utf-8"))["tarifs"]
    return max((r for r in rates if r["annee"] <= year), key=lambda r: r["annee"])


def euros(amount: int) -> str:
    """2100 -> '2 100 €' (spaces plain, for comparing with normalise())."""
    return f"{amount:,}".replace(",", " ") + " €"


def normalise(text: str) -> str:
    """Collapse every kind of space (Intl uses narrow no-break spaces) into one plain space."""
    return " ".join(text.split())


def fill_form(page, form_name: str, answers: dict) -> None:
    """Type the answers in the form's fields (ids are {form}-{field})."""
    for name, value in answers.items():
        selector = f"#{form_name}-{name}"
        if page.eval_on_selector(selector, "element => element.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def assert_accessible(page) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA rules) finds nothing on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def receiver_errors(receiver, form_name: str, body: str, origin: str) -> list[tuple[str | None, str]]:
    """(field, message) the receiver answers for a urlencoded body, in its order."""
    import httpx

    answer = httpx.post(
        receiver.action(form_name),
        content=body.encode("utf-8"),
        timeout=10,
        headers={"Origin": origin, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 422, answer.text
    return [(error["field"], error["message"]) for error in answer.json()["errors"]]


def posted_body(page, form_name: str) -> str:
    """The urlencoded body the form would post as it is filled now."""
    return page.evaluate("id => new URLSearchParams(new FormData(document.getElementById(id))).toString()", form_name)


def summary_errors(page, form_name: str) -> list[tuple[str | None, str]]:
    """(field, message) listed by the error summary; field None for an item without link."""
    items = []
    for item in page.locator(f"#{form_name}-erreurs .error-summary__list li").all():
        links = item.locator("a")
        if links.count():
            href = links.first.get_attribute("href")
            assert href.startswith(f"#{form_name}-"), href
            items.append((href[len(form_name) + 2 :], links.first.inner_text().strip()))
        else:
            items.append((None, item.inner_text().strip()))
    return items
