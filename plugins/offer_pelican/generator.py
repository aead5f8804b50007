"""The thin Pelican adapter: load + validate at start, then write the catalogue.

Content is loaded in the generator's constructor, which Pelican runs *before*
it cleans the output folder: a broken content file therefore stops the build
with every problem listed and the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from offer import atom, calendar, opendata, rich_text, structured_data
from offer.availability import PARIS, State, build_date
from offer.catalogue import CountsFileError, build_catalogue, read_registration_counts
from offer.form_providers import ProviderSettingsError, check_provider_settings, provider_for
from offer.forms import load_forms
from offer.problems import ContentError, Problem, report_problems
from offer.validation import load_content, relative, stale_rates

from . import finishing
from .printable import Printable, render_pdf
from .settings import SettingsError, missing_legal_notice, offer_settings
from .template_helpers import FILTERS, menu_entries
from .views import TYPE_LABELS, CatalogueFilter, OfferView, all_filters, group_by_year

logger = logging.getLogger(__name__)


class _SitemapPage:
    """What pelican-sitemap reads from a written file's context."""

    status = "published"

    def __init__(self, url: str, date: dt.date):
        self.url = url
        self.date = dt.datetime.combine(date, dt.time())


def add_filters(pelican) -> None:
    pelican.settings.setdefault("JINJA_FILTERS", {}).update(FILTERS)
    pelican.settings.setdefault("JINJA_GLOBALS", {})["menu_entries"] = menu_entries
    # Validate the settings dict once, at start-up; a French line, no traceback.
    try:
        pelican.settings["OFFER"] = offer_settings(pelican.settings.get("OFFER"))
    except SettingsError as exc:
        sys.stderr.write(f"pelicanconf.py: {exc}\n")
        raise SystemExit(1) from None


class CatalogueGenerator(Generator):
    """Entry pages, catalogue views, calendars, feed and open data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = self.settings["OFFER"]  # merged and checked by add_filters at start-up
        content_dir = Path(self.path)
        root = content_dir.parent
        content = load_content(content_dir, root)
        forms = load_forms(content_dir / "forms.yaml", root)
        problems = sorted(content.problems + forms.problems, key=lambda p: (p.path, p.line))
        try:
            provider_for(self.offer)
        except ProviderSettingsError as exc:  # an unknown provider is never usable
            problems.append(Problem("pelicanconf.py", 1, "OFFER", str(exc)))
        else:
            if forms.value is not None:
                for message in check_provider_settings(self.offer, list(forms.value.formulaires)):
                    if self.offer["REQUIRE_COMPLETE_FORM_SETTINGS"]:
                        problems.append(Problem("publishconf.py", 1, "OFFER", message))
                    else:
                        logger.warning("formulaires : %s", message)
        legal = missing_legal_notice(self.settings.get("MENTIONS_LEGALES"))
        if legal and self.offer["REQUIRE_LEGAL_NOTICE"]:
            problems.append(Problem("publishconf.py", 1, "MENTIONS_LEGALES", legal))
        elif legal:
            logger.warning("%s", legal)
        report_problems(problems)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise ContentError(errors)
        self.content = content
        self.forms = forms.value
        self.today = build_date()
        # Sessions in a year with no voted rate yet: priced at the latest one, and said so.
        report_problems(
            stale_rates(relative(content_dir / "tarifs.yaml", root), content.rates, content.entries, self.today)
        )
        self.stamp = dt.datetime.combine(self.today, dt.time(), tzinfo=PARIS)

    # -- context -------------------------------------------------------------
    def generate_context(self):
        try:
            counts = read_registration_counts(self.offer["REGISTRATION_COUNTS"])
        except CountsFileError as exc:
            # The editors' counts still give true badges: warn, don't stop the build.
            sys.stderr.write(f"Inscriptions en ligne ignorées : {exc}\n")
            counts = {}
        items = build_catalogue(
            self.content.entries, self.content.rates, self.today, self.offer["LAST_PLACES_THRESHOLD"], counts
        )
        site_url = self.settings.get("SITEURL") or self.offer["PUBLIC_SITE_URL"]
        self.absolute_base = site_url.rstrip("/") + "/"
        thanks = self.absolute_base + "merci/"
        provider = provider_for(self.offer)
        targets = {}
        for name in self.forms.formulaires:
            try:
                targets[name] = provider.target(name, self.offer, thanks, self.forms.formulaires[name].sujet)
            except ValueError as exc:  # incomplete settings in development: forms shown, posting disabled
                logger.warning("formulaires : %s", exc)
        self.view = OfferView(
            items=items,
            today=self.today,
            rates=sorted(self.content.rates.tarifs, key=lambda r: r.annee),
            catalogue_url=self.offer["CATALOGUE_URL"],
            forms=self.forms,
            form_targets=targets,
            home_sessions=self.offer["HOME_SESSIONS"],
            recent_past=self.offer["RECENT_PAST_SESSIONS"],
        )
        self.context["offer"] = self.view
        self.context["offer_provider"] = provider
        # Made now, before any page is written, so that the pages can give their sizes.
        self.view.printables = self._printables()

    def _printables(self) -> dict[str, Printable]:
        """The programme ("programme") and each offer page (by its type) as PDF documents."""
        stylesheet = Path(self.theme) / "static" / "css" / "pdf.css"
        # Links written in full: a printed page must lead to the site itself.
        context = {**self.context, "SITEURL": self.absolute_base.rstrip("/")}
        view = self.view
        url = view.catalogue_url + "programme-des-sessions.pdf"
        html = self.get_template("pdf/programme").render({**context, "items": view.upcoming})
        documents = {"programme": Printable(url, render_pdf(html, self.absolute_base + url, stylesheet))}
        for page in self.context.get("pages", []):
            kind = getattr(page, "offre", None)
            if kind in TYPE_LABELS:
                url = f"{page.url}{page.slug}.pdf"
                html = self.get_template("pdf/offre").render({**context, "page": page})
                documents[kind] = Printable(url, render_pdf(html, self.absolute_base + page.url, stylesheet))
        return documents

    # -- output --------------------------------------------------------------
    def generate_output(self, writer):
        view = self.view
        relative = self.settings.get("RELATIVE_URLS", False)
        entry_template = self.get_template("entry")
        event_cache: dict = {}  # each VEVENT serialised once, for its entry and for the feed
        for item in view.items:
            url = view.entry_url(item)
            absolute = self.absolute_base + url
            calendar_name = f"{item.slug}.ics"
            writer.write_file(
                url + "index.html",
                entry_template,
                self.context,
                relative_urls=relative,
                url=url,
                item=item,
                calendar_url=url + calendar_name,
                json_ld=structured_data.json_ld_script(
                    structured_data.event_json_ld(item, absolute, self._organizer(), self.today)
                ),
                page=_SitemapPage(url, min(item.workshop.published_on, self.today)),
            )
            if item.availability.state is not State.POSTPONED:  # its dates no longer hold: no file to add them
                self._write_bytes(url + calendar_name, calendar.entry_calendar(item, absolute, self.stamp, event_cache))

        catalogue_template = self.get_template("catalogue")
        for flt in all_filters():
            url = view.filter_url(flt)
            matching = [i for i in view.items if flt.accepts(i)]
            upcoming = [i for i in matching if i.availability.is_upcoming]
            past = sorted(
                (i for i in matching if not i.availability.is_upcoming),
                key=lambda i: i.workshop.first_date,
                reverse=True,
            )
            writer.write_file(
                url + "index.html",
                catalogue_template,
                self.context,
                relative_urls=relative,
                url=url,
                current_filter=flt,
                upcoming=upcoming,
                recent_past=past[: view.recent_past],
                archive_years=list(group_by_year(past)) if flt == CatalogueFilter() else [],
                filters=all_filters(),
                page=_SitemapPage(url, self.today) if flt == CatalogueFilter() else None,
            )

        archive_template = self.get_template("archive")
        for year, items in group_by_year(view.past).items():
            url = f"{view.catalogue_url}archives/{year}/"
            writer.write_file(
                url + "index.html",
                archive_template,
                self.context,
                relative_urls=relative,
                url=url,
                year=year,
                year_items=items,
                page=_SitemapPage(url, self.today),
            )

        def url_for(item):
            return self.absolute_base + view.entry_url(item)

        self._write_bytes(
            view.catalogue_url + "calendrier.ics", calendar.feed_calendar(view.items, url_for, self.stamp, event_cache)
        )
        feed_url = self.absolute_base + view.catalogue_url + "flux.atom"
        self._write_bytes(
            view.catalogue_url + "flux.atom",
            atom.atom_feed(
                view.items, self.absolute_base, feed_url, url_for, self.settings["SITENAME"], self.stamp
            ).encode("utf-8"),
        )
        for document in view.printables.values():
            self._write_bytes(document.url, document.data)
        rows = opendata.session_rows(view.items, url_for)
        self._write_bytes("donnees/sessions.json", opendata.to_json(rows).encode("utf-8"))
        self._write_bytes("donnees/inscriptions.json", opendata.open_registrations(view.items).encode("utf-8"))
        self._write_bytes("donnees/sessions.csv", "\ufeff".encode("utf-8") + opendata.to_csv(rows).encode("utf-8"))

    def _organizer(self) -> dict:
        contact = self.settings.get("CONTACT", {})
        return {
            "name": contact.get("organisme", "CDG 44"),
            "url": contact.get("site", ""),
            "email": contact.get("email", ""),
            "telephone": contact.get("telephone_uri", ""),
            "address": contact.get("adresse", []),
        }

    def _write_bytes(self, relative_path: str, data: bytes) -> None:
        path = Path(self.output_path) / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class _NoTracebackForContentErrors(logging.Filter):
    """Pelican logs any build exception with its Python traceback, which tells an
    editor nothing: for a ContentError, keep only its French one-line summary."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ContentError):
            record.exc_info, record.exc_text = None, None
            record.msg, record.args = "%s", (str(error),)
        return True


def sanitize_page(content) -> None:
    """The brochure pages go through the descriptions' sanitiser too (it changes
    nothing in them today); whatever it would remove is logged with the file."""
    html = getattr(content, "_content", None)
    if not html:
        return
    removed = rich_text.removed_markup(html)
    if removed:
        logger.warning("%s : HTML retiré de la page : %s", content.relative_source_path, ", ".join(removed))
    content._content = rich_text.sanitize(html)


def get_generators(_pelican):
    return CatalogueGenerator


def register():
    finishing.register()
    logging.getLogger("pelican").addFilter(_NoTracebackForContentErrors())
    signals.initialized.connect(add_filters)
    signals.get_generators.connect(get_generators)
    signals.content_object_init.connect(sanitize_page)
