"""The catalogue as built by Pelican: pages, calendars, structured data, feeds, reproducibility."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from offer.availability import build_date
from offer.catalogue import build_catalogue
from offer.typography import french_text
from offer.validation import load_content
from tests.conftest import BUILD_EPOCH, ROOT, build_site
from tests.tools.html_tree import normalise

TODAY = build_date({"SOURCE_DATE_EPOCH": BUILD_EPOCH})


@pytest.fixture(scope="module")
def items():
    content = load_content(ROOT / "content")
    assert not content.errors, content.errors
    return build_catalogue(content.entries, content.rates, TODAY)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.json_ld: list[str] = []
        self.badges: list[str] = []
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._in_json, self._in_badge = False, False
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json, self._text = True, ""
        if tag == "strong" and "badge" in (attrs.get("class") or ""):
            self._in_badge, self._text = True, ""
        if tag == "form":
            self.forms.append(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._in_json or self._in_badge:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_json:
            self.json_ld.append(self._text)
            self._in_json = False
        if tag == "strong" and self._in_badge:
            self.badges.append(normalise(self._text))
            self._in_badge = False


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def entry_page(site: Path, slug: str) -> Path:
    return site / "programme" / slug / "index.html"


def test_every_entry_has_its_page_with_badge_and_dates(built_site, items):
    assert len(items) >= 10
    for item in items:
        page = entry_page(built_site, item.slug)
        assert page.exists(), item.slug
        html = page.read_text(encoding="utf-8")
        assert french_text(item.workshop.titre) in html
        assert parse(page).badges[0] == normalise(item.availability.label)
        first = item.workshop.seances[0].date
        assert f'datetime="{first.isoformat()}"' in html


def test_states_of_the_sample_content_are_all_represented(items):
    labels = {item.availability.state.value for item in items}
    assert {"complet", "inscriptions-closes", "annule", "termine", "disponible"} <= labels


def test_registration_form_follows_availability(built_site, items):
    for item in items:
        forms = parse(entry_page(built_site, item.slug)).forms
        html = entry_page(built_site, item.slug).read_text(encoding="utf-8")
        # One person, or several agents of one authority (group registration).
        if item.availability.accepts_registrations:
            assert [f["id"] for f in forms] == ["inscription", "inscription_groupe"], item.slug
            assert 'name="liste_attente" value="non"' in html and 'value="oui"' not in html
        elif item.availability.accepts_waiting_list:
            assert [f["id"] for f in forms] == ["inscription", "inscription_groupe"], item.slug
            assert 'name="liste_attente" value="oui"' in html and 'name="liste_attente" value="non"' not in html
            assert "liste d’attente" in html
        else:
            assert forms == [], item.slug


def test_each_ics_parses_back_with_stable_uids_and_paris_times(built_site, items):
    seen_uids = set()
    for item in items:
        path = built_site / "programme" / item.slug / f"{item.slug}.ics"
        if item.workshop.statut.value == "reporte":  # former dates: no file to add them to a diary
            assert not path.exists(), item.slug
            continue
        calendar = Calendar.from_ical(path.read_bytes())
        assert calendar.walk("VTIMEZONE"), "VTIMEZONE missing"
        events = calendar.walk("VEVENT")
        assert len(events) == len(item.workshop.seances)
        for number, (event, session) in enumerate(zip(events, item.workshop.seances, strict=True), start=1):
            uid = str(event["UID"])
            assert uid == f"{item.slug}-seance-{number}@cdg44.fr"
            assert uid not in seen_uids
            seen_uids.add(uid)
            start = event.decoded("DTSTART")
            assert start.date() == session.date and start.time() == session.start_time
            assert event["DTSTART"].params.get("TZID") == "Europe/Paris"
            expected_status = "CANCELLED" if item.workshop.statut.value == "annule" else None
            if expected_status:
                assert str(event["STATUS"]) == expected_status


def test_subscribable_feed_lists_upcoming_sessions_only(built_site, items):
    calendar = Calendar.from_ical((built_site / "programme" / "calendrier.ics").read_bytes())
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    for item in items:
        first_uid = f"{item.slug}-seance-1@cdg44.fr"
        assert (first_uid in uids) == item.availability.is_upcoming, item.slug


def test_json_ld_carries_the_event_fields(built_site, items):
    availability_urls = {
        "disponible": "https://schema.org/InStock",
        "dernieres-places": "https://schema.org/LimitedAvailability",
        "complet": "https://schema.org/SoldOut",
    }
    for item in items:
        scripts = parse(entry_page(built_site, item.slug)).json_ld
        assert len(scripts) == 1
        data = json.loads(scripts[0])
        assert data["@type"] == "EducationEvent"
        assert data["location"]["address"]["@type"] == "PostalAddress"
        assert data["organizer"]["@type"] == "Organization"
        assert data["maximumAttendeeCapacity"] == item.workshop.capacite
        assert data["remainingAttendeeCapacity"] == item.availability.places_left
        assert data["offers"]["priceCurrency"] == "EUR"
        assert float(data["offers"]["price"]) == float(item.quote.per_participant)
        assert data["offers"]["validThrough"] == item.workshop.registration_deadline.isoformat()
        assert data["audience"]["audienceType"]
        status = {"annule": "EventCancelled", "reporte": "EventPostponed"}.get(
            item.workshop.statut.value, "EventScheduled"
        )
        assert data["eventStatus"].endswith(status)
        state = item.availability.state.value
        if state in availability_urls:
            assert data["offers"]["availability"] == availability_urls[state]
        if len(item.workshop.seances) > 1:
            assert len(data["subEvent"]) == len(item.workshop.seances)


def test_codev_price_is_five_half_days(items):
    rates = load_content(ROOT / "content").rates
    codevs = [i for i in items if i.workshop.type.value == "codev" and len(i.workshop.seances) == 5]
    assert codevs
    half_day = min(rates.tarifs, key=lambda r: r.annee).demi_journee
    for item in codevs:
        if item.quote.rate.annee == min(r.annee for r in rates.tarifs):
            assert item.quote.per_participant == 5 * half_day


def test_atom_feed_parses_and_lists_every_entry(built_site, items):
    feed = feedparser.parse((built_site / "programme" / "flux.atom").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.language.startswith("fr")
    links = {e.link for e in feed.entries}
    for item in items:
        assert any(link.endswith(f"/programme/{item.slug}/") for link in links), item.slug


def test_sitemap_lists_every_entry(built_site, items):
    tree = ET.parse(built_site / "sitemap.xml")
    locs = [el.text for el in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for item in items:
        assert any(loc.endswith(f"programme/{item.slug}/") for loc in locs), item.slug
    assert not any("/type/" in loc or "/public/" in loc for loc in locs)


def test_open_data_has_one_row_per_session(built_site, items):
    rows = json.loads((built_site / "donnees" / "sessions.json").read_text(encoding="utf-8"))["sessions"]
    assert len(rows) == sum(len(i.workshop.seances) for i in items)
    csv_bytes = (built_site / "donnees" / "sessions.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    assert csv_bytes.decode("utf-8-sig").count("\n") == len(rows) + 1


def test_catalogue_and_filtered_views(built_site, items):
    catalogue = (built_site / "programme" / "index.html").read_text(encoding="utf-8")
    upcoming = [i for i in items if i.availability.is_upcoming]
    for item in upcoming:
        assert f"programme/{item.slug}/" in catalogue
    codev_view = (built_site / "programme" / "type" / "codev" / "index.html").read_text(encoding="utf-8")
    for item in upcoming:
        assert (f"/{item.slug}/" in codev_view) == (item.workshop.type.value == "codev"), item.slug
    dgs_view = (built_site / "programme" / "public" / "dgs" / "index.html").read_text(encoding="utf-8")
    for item in upcoming:
        assert (f"/{item.slug}/" in dgs_view) == ("DGS" in item.workshop.public), item.slug
    # Upcoming sessions come in date order.
    positions = [catalogue.index(f"programme/{i.slug}/") for i in upcoming]
    assert positions == sorted(positions)


def test_home_shows_the_next_three_sessions_open_ones_first(built_site, items):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    held = [i for i in items if i.availability.is_upcoming and i.availability.state.value not in ("annule", "reporte")]
    expected = (
        [i for i in held if i.availability.accepts_registrations]
        + [i for i in held if not i.availability.accepts_registrations]
    )[:3]
    positions = [home.find(f"programme/{item.slug}/") for item in expected]
    assert -1 not in positions and positions == sorted(positions), [i.slug for i in expected]
    assert all(i.availability.accepts_registrations for i in expected), "the samples have three open sessions"
    for item in held:
        if item not in expected:
            assert f'href="./programme/{item.slug}/"' not in home, item.slug


def test_prices_on_entry_pages_come_from_the_rates(built_site, items):
    from offer.formatting import euros

    def squash(text):
        return re.sub(r"[\s\u00a0\u202f]+", " ", text)

    for item in items:
        html = squash(entry_page(built_site, item.slug).read_text(encoding="utf-8"))
        if item.availability.state.value in ("termine", "annule"):  # no price nor quote table any more
            assert 'id="cout"' not in html, item.slug
            continue
        assert squash(euros(item.quote.per_participant)) in html
        for example in item.quote.examples:
            assert squash(euros(example.total)) in html


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_builds_with_the_same_date_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert build_site(first).returncode == 0
    assert build_site(second).returncode == 0
    assert _digest(first) == _digest(second)


def test_broken_content_stops_the_build_and_keeps_the_previous_output(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    output = tmp_path / "output"
    assert build_site(output, content=content).returncode == 0
    before = _digest(output)
    (content / "ateliers" / "2027-10-casse.yaml").write_text(
        "type: atelier\ntitre: Essai\nquestion: Comment faire pour casser ?\nobjet: rien\npublic: [DGS]\n"
        "lieu: {nom: X, adresse: 'Y, 44000 Nantes'}\nseances:\n  - {date: 2027-10-01, duree: journee, debut: 14:30}\n"
        "capacite: 20\n",
        encoding="utf-8",
    )
    (content / "ateliers" / "2027-10-trop-grand.yaml").write_text(
        "type: atelier\ntitre: Essai\nquestion: Comment faire pour grandir ?\nobjet: rien\npublic: [DGS]\n"
        "lieu: {nom: X, adresse: 'Y, 44000 Nantes'}\nseances:\n  - {date: 2027-10-01, duree: journee}\n"
        "capacite: 20\n",
        encoding="utf-8",
    )
    (content / "ateliers" / "2027-11-casse-aussi.yaml").write_text("titre: [pas fermé\n", encoding="utf-8")
    result = build_site(output, content=content)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in log
    assert "2027-10-casse.yaml:8: debut de la 1re séance" in log
    assert '"14:30"' in log
    # A type error does not hide the cross-field rules of the same file.
    assert "2027-10-casse.yaml:9: capacite" in log
    assert "2027-10-trop-grand.yaml:9: capacite" in log
    assert "2027-11-casse-aussi.yaml:" in log
    assert _digest(output) == before


def test_registration_counts_file_adds_online_registrations(tmp_path, items):
    from offer.catalogue import CountsFileError, read_registration_counts

    open_item = next(i for i in items if i.availability.state.value == "disponible")
    counts = tmp_path / "inscrits.json"
    counts.write_text(json.dumps({open_item.slug: open_item.availability.places_left}), encoding="utf-8")
    output = tmp_path / "output"
    result = build_site(output, env={"REGISTRATION_COUNTS": str(counts)})
    assert result.returncode == 0, result.stderr
    assert parse(entry_page(output, open_item.slug)).badges[0] == "Complet"
    counts.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(CountsFileError, match="formbackend counts"):
        read_registration_counts(counts)
    result = build_site(tmp_path / "output2", env={"REGISTRATION_COUNTS": str(counts)})
    assert result.returncode == 0 and "Inscriptions en ligne ignorées" in result.stderr


def test_the_receiver_learns_which_sessions_are_open(built_site, items):
    sessions = json.loads((built_site / "donnees" / "inscriptions.json").read_text(encoding="utf-8"))["sessions"]
    for item in items:
        state = sessions.get(item.slug, {}).get("etat")
        if item.availability.accepts_registrations:
            assert state == "ouverte", item.slug
        elif item.availability.accepts_waiting_list:
            assert state == "liste_attente", item.slug
        else:
            assert state is None, item.slug
