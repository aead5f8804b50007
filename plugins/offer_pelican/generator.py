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

from offer import atom, calendar, opendata
from offer.availability import PARIS, build_date
from offer.catalogue import CountsFileError, build_catalogue, read_registration_counts
from offer.form_providers import ProviderSettingsError, check_provider_settings, provider_for
from offer.forms import load_forms
from offer.problems import ContentError, Problem, report_problems
from offer.validation import load_content

from .entry_pages import EntryRenderer, SitemapPage, local_context
from .output import OutputFolder
from .parallel import ordered_map, worker_count
from .settings import SettingsError, offer_settings
from .template_helpers import FILTERS, menu_entries
from .templates import share_environment
from .views import CatalogueFilter, OfferView, all_filters, group_by_year

logger = logging.getLogger(__name__)


def add_filters(pelican) -> None:
    pelican.settings.setdefault("JINJA_FILTERS", {}).update(FILTERS)
    pelican.settings.setdefault("JINJA_GLOBALS", {})["menu_entries"] = menu_entries
    # Validate the settings dict once, at start-up; a French line, no traceback.
    try:
        pelican.settings["OFFER"] = offer_settings(pelican.settings.get("OFFER"))
    except SettingsError as exc:
        sys.stderr.write(f"pelicanconf.py: {exc}\n")
        raise SystemExit(1) from None
    if pelican.settings["OFFER"]["CACHE_DIR"]:
        # With the build cache (devserver), the catalogue's folder is kept and written incrementally.
        kept = catalogue_folder(pelican.settings["OFFER"])
        if kept not in pelican.output_retention:
            pelican.output_retention = [*pelican.output_retention, kept]


def catalogue_folder(offer: dict) -> str:
    """The top folder of the catalogue's outputs (``programme`` for ``programme/``)."""
    return offer["CATALOGUE_URL"].split("/")[0]


class CatalogueGenerator(Generator):
    """Entry pages, catalogue views, calendars, feed and open data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = self.settings["OFFER"]  # merged and checked by add_filters at start-up
        content_dir = Path(self.path)
        root = content_dir.parent
        # The devserver's build cache (off for a clean build: OFFER["CACHE_DIR"] empty).
        self.cache = None
        if self.offer["CACHE_DIR"]:
            from .build_cache import build_cache  # imported only when the cache is on

            self.cache = build_cache(self.offer["CACHE_DIR"])
        memo = self.cache.validation_memo() if self.cache else None
        content = load_content(content_dir, root, memo, map_files=self._map)
        if memo is not None:
            memo.close()
            self.source_digests = memo.digests
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
        report_problems(problems)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise ContentError(errors)
        self.content = content
        self.forms = forms.value
        self.today = build_date()
        self.stamp = dt.datetime.combine(self.today, dt.time(), tzinfo=PARIS)

    def _map(self, function, inputs):
        """``map``, over worker processes when there are enough inputs (OFFER["WORKERS"])."""
        return ordered_map(function, inputs, worker_count(self.offer["WORKERS"], len(inputs)))

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

    # -- output --------------------------------------------------------------
    def generate_output(self, writer):
        view = self.view
        self.writer = writer
        self.relative = self.settings.get("RELATIVE_URLS", False)
        self.folder = OutputFolder(self.output_path, catalogue_folder(self.offer) if self.cache else None)
        renderer = EntryRenderer(
            self.get_template("entry"),
            self.context,
            view,
            self.relative,
            self.absolute_base,
            self._organizer(),
            self.today,
            self.stamp,
        )
        self.keys = None
        if self.cache is not None:
            from .build_cache import CacheKeys

            self.keys = CacheKeys(self)
        events_by_slug = self._write_entries(renderer)

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
            recent_past = past[: view.recent_past]
            archive_years = list(group_by_year(past)) if flt == CatalogueFilter() else []
            self._write_page(
                url + "index.html",
                catalogue_template,
                (flt.path, *upcoming, "|", *recent_past, "|", *archive_years),
                current_filter=flt,
                upcoming=upcoming,
                recent_past=recent_past,
                archive_years=archive_years,
                filters=all_filters(),
                page=SitemapPage(url, self.today) if flt == CatalogueFilter() else None,
            )

        archive_template = self.get_template("archive")
        for year, items in group_by_year(view.past).items():
            url = f"{view.catalogue_url}archives/{year}/"
            self._write_page(
                url + "index.html",
                archive_template,
                (year, *items),
                year=year,
                year_items=items,
                page=SitemapPage(url, self.today),
            )

        def url_for(item):
            return self.absolute_base + view.entry_url(item)

        self._write_bytes(
            view.catalogue_url + "calendrier.ics",
            calendar.feed_calendar(view.items, url_for, self.stamp, events_by_slug),
        )
        feed_url = self.absolute_base + view.catalogue_url + "flux.atom"
        self._write_bytes(
            view.catalogue_url + "flux.atom",
            atom.atom_feed(
                view.items, self.absolute_base, feed_url, url_for, self.settings["SITENAME"], self.stamp
            ).encode("utf-8"),
        )
        rows = opendata.session_rows(view.items, url_for)
        self._write_bytes("donnees/sessions.json", opendata.to_json(rows).encode("utf-8"))
        self._write_bytes("donnees/inscriptions.json", opendata.open_registrations(view.items).encode("utf-8"))
        self._write_bytes("donnees/sessions.csv", "\ufeff".encode("utf-8") + opendata.to_csv(rows).encode("utf-8"))
        for path in self.folder.remove_stale():
            logger.info('Removed "%s" (no longer produced)', path)
        if self.cache is not None:
            self.cache.finish()

    def _write_page(self, name: str, template, inputs: tuple, **values) -> None:
        """Render ``template`` into ``name`` as Pelican's ``Writer.write_file`` does.

        With the build cache on, ``inputs`` (the page's own inputs: catalogue
        items and plain values) and the site's fingerprint make the page's key:
        a page this process already wrote from the same key is left as it is.
        """
        key = self.keys.page(template.name, name, inputs) if self.keys else None
        localcontext = local_context(self.context, name, self.relative, **values)
        if key is not None and self.cache.is_current(key, (name,), self.folder):
            path = self.folder.keep(name)
        else:
            path = self.folder.write(name, template.render(localcontext).encode("utf-8"))
            if key is not None:
                self.cache.wrote(key, (name,))
        self._written(path, localcontext)

    def _written(self, path: str, localcontext: dict) -> None:
        """What Writer.write_file does once a file is written: record it, tell the plugins."""
        if localcontext["localsiteurl"]:
            self.context["localsiteurl"] = localcontext["localsiteurl"]
        self.writer._written_files.add(path)
        logger.info('Writing "%s"', path)
        signals.content_written.send(path, context=localcontext)

    # -- entries ---------------------------------------------------------------
    def _write_entries(self, renderer: EntryRenderer) -> dict[str, list[str]]:
        """Each entry's page and calendar; returns the VEVENTs of upcoming entries, for the feed.

        The outputs come from the build cache when it is on and holds them;
        the others are rendered, in worker processes when there are enough of
        them (OFFER["WORKERS"]). They are written here, in the catalogue's order.
        """
        items, cache, folder = self.view.items, self.cache, self.folder
        keys = {item.slug: self.keys.entry(renderer.template.name, item) for item in items} if cache else {}
        to_render = [item for item in items if cache is None or not cache.has_output(keys[item.slug])]
        rendered = self._map(renderer.render, to_render)
        pending = {item.slug for item in to_render}
        events_by_slug = {}
        for item in items:
            names = renderer.names(item)
            key = keys.get(item.slug)
            events = cache.events_if_current(key, names, folder) if cache is not None else None
            if events is not None:  # the files already hold this key's outputs
                path = folder.keep(names[0])
                folder.keep(names[1])
            else:
                output = next(rendered) if item.slug in pending else cache.get_output(key)
                if output is None:  # an unreadable cache file
                    output = renderer.render(item)
                path = folder.write(names[0], output.page)
                folder.write(names[1], output.ics)
                events = output.events
                if cache is not None:
                    cache.wrote_entry(key, names, output, new=item.slug in pending)
            if item.availability.is_upcoming:
                events_by_slug[item.slug] = events
            self._written(path, local_context(self.context, names[0], self.relative, **renderer.page_values(item)))
        logger.info(
            "fiches : %d rendues, %d reprises du cache de construction", len(to_render), len(items) - len(to_render)
        )
        return events_by_slug

    def _organizer(self) -> dict:
        contact = self.settings.get("CONTACT", {})
        return {
            "name": contact.get("organisme", "CDG 44"),
            "url": contact.get("site", ""),
            "email": contact.get("email", ""),
            "telephone": contact.get("telephone_uri", ""),
            "address": contact.get("adresse", []),
        }

    def _write_bytes(self, relative_path: str, data: bytes) -> str:
        return self.folder.write(relative_path, data)


class _NoTracebackForContentErrors(logging.Filter):
    """Pelican logs any build exception with its Python traceback, which tells an
    editor nothing: for a ContentError, keep only its French one-line summary."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ContentError):
            record.exc_info, record.exc_text = None, None
            record.msg, record.args = "%s", (str(error),)
        return True


def get_generators(_pelican):
    return CatalogueGenerator


def register():
    logging.getLogger("pelican").addFilter(_NoTracebackForContentErrors())
    signals.initialized.connect(add_filters)
    signals.generator_init.connect(share_environment)
    signals.get_generators.connect(get_generators)
