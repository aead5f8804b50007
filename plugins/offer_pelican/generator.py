"""The thin Pelican adapter: load + validate at start, then write the catalogue.

Content is loaded in the generator's constructor, which Pelican runs *before*
it cleans the output folder: a broken content file therefore stops the build
with every problem listed and the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from offer import atom, calendar, opendata, rich_text
from offer.availability import PARIS, build_date
from offer.catalogue import CountsFileError, build_catalogue, read_registration_counts
from offer.form_providers import ProviderSettingsError, check_provider_settings, provider_for
from offer.forms import load_forms
from offer.problems import ContentError, Problem, report_problems
from offer.typography import french_html
from offer.validation import load_content, relative, stale_rates

from . import finishing
from .entry_pages import EntryRenderer, SitemapPage, local_context
from .output import OutputFolder
from .parallel import ordered_map, worker_count
from .printable import Documents, LayoutProcess, PdfSource
from .settings import SettingsError, missing_legal_notice, offer_settings
from .template_helpers import FILTERS, RENDERED_DESCRIPTIONS, menu_entries
from .templates import share_environment
from .views import TYPE_LABELS, CatalogueFilter, OfferView, all_filters, group_by_year

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


@dataclass
class Job:
    """One output: what to render, in a worker process or here (None: nothing), and how to finish it here."""

    render: Callable[[], object] | None
    finish: Callable[[object], None]


def _run(job: Job):
    return job.render()


class CatalogueGenerator(Generator):
    """Entry pages, catalogue views, calendars, feed and open data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = self.settings["OFFER"]  # merged and checked by add_filters at start-up
        # The process that lays out the PDFs starts now and imports WeasyPrint while this one
        # reads the content. With the build cache, when every PDF comes from it, the process
        # is stopped unused.
        self.layout_process = LayoutProcess() if self._pdf_in_background() else None
        try:
            self._load()
        except BaseException:
            if self.layout_process is not None:
                self.layout_process.close()
            raise

    def _load(self) -> None:
        """Validate the settings and load the content (see the module's docstring)."""
        content_dir = Path(self.path)
        root = content_dir.parent
        # The devserver's build cache (off for a clean build: OFFER["CACHE_DIR"] empty).
        self.cache = None
        if self.offer["CACHE_DIR"]:
            from .build_cache import build_cache  # imported only when the cache is on

            self.cache = build_cache(self.offer["CACHE_DIR"])
        memo = self.cache.validation_memo() if self.cache else None
        RENDERED_DESCRIPTIONS.clear()
        content = load_content(content_dir, root, memo, map_files=self._load_files)
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

    def _map(self, function, inputs):
        """``map``, over worker processes when there are enough inputs (OFFER["WORKERS"])."""
        return ordered_map(function, inputs, worker_count(self.offer["WORKERS"], len(inputs)))

    def _load_files(self, load, paths):
        """Load the entry files over the workers; each also renders its description, which
        validation has just converted: the entry pages, rendered in other workers, reuse it."""

        def load_and_render(path):
            result = load(path)
            text = result.value.workshop.description if result.value is not None else None
            return result, rich_text.render_description(text) if text else None

        for result, html in self._map(load_and_render, paths):
            if html is not None:
                RENDERED_DESCRIPTIONS[result.value.workshop.description] = html
            yield result

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
            printable_sessions=self.offer["PRINTABLE_SESSIONS"],
        )
        self.context["offer"] = self.view
        self.context["offer_provider"] = provider
        # Made now, before any page is written, so that the pages can give their sizes.
        self.view.printables = self._printables()

    def _printables(self) -> Documents:
        """The programme ("programme") and each offer page (by its type) as PDF documents."""
        stylesheet = Path(self.theme) / "static" / "css" / "pdf.css"
        # Links written in full: a printed page must lead to the site itself.
        context = {**self.context, "SITEURL": self.absolute_base.rstrip("/")}
        view = self.view
        # The offer pages' documents first: Pelican writes its pages, which show their sizes, before the catalogue.
        sources = {}
        for page in self.context.get("pages", []):
            kind = getattr(page, "offre", None)
            if kind in TYPE_LABELS:
                html = self.get_template("pdf/offre").render({**context, "page": page})
                sources[kind] = PdfSource(f"{page.url}{page.slug}.pdf", html, self.absolute_base + page.url)
        url = view.catalogue_url + "programme-des-sessions.pdf"
        html = self.get_template("pdf/programme").render(
            {**context, "items": view.printable_programme, "more": view.printable_rest}
        )
        sources["programme"] = PdfSource(url, html, self.absolute_base + url)
        process, self.layout_process = self.layout_process, None
        return Documents(sources, stylesheet, self._pdf_in_background(), self.cache, process)

    def _pdf_in_background(self) -> bool:
        """PDFs laid out in a forked process, unless the build runs in one process."""
        return hasattr(os, "fork") and self.offer["WORKERS"] != 1

    # -- output --------------------------------------------------------------
    def generate_output(self, writer):
        """Every output of the catalogue, rendered in worker processes when there are enough of them.

        Each output is a job: what to render (nothing when the build cache
        says the file on disk is current) and how to finish it here (write,
        record, tell the plugins), in a fixed order. The subscribable calendar,
        made of the entries' VEVENTs, comes last.
        """
        self.writer = writer
        self.relative = self.settings.get("RELATIVE_URLS", False)
        self.folder = OutputFolder(self.output_path, catalogue_folder(self.offer) if self.cache else None)
        self.keys = None
        if self.cache is not None:
            from .build_cache import CacheKeys

            self.keys = CacheKeys(self)
        renderer = EntryRenderer(
            self.get_template("entry"),
            self.context,
            self.view,
            self.relative,
            self.absolute_base,
            self._organizer(),
            self.today,
            self.stamp,
        )
        events_by_slug: dict[str, list[str]] = {}
        entry_jobs = self._entry_jobs(renderer, events_by_slug)
        # Entries first: their pages do not show the PDFs' sizes, so the programme's PDF is
        # laid out meanwhile; the catalogue's views, which show it, follow.
        self._run_jobs(entry_jobs)
        rendered = sum(1 for job in entry_jobs if job.render is not None)
        logger.info("fiches : %d rendues, %d reprises du cache de construction", rendered, len(entry_jobs) - rendered)
        for document in self.view.printables.values():
            self._write_bytes(document.url, document.data)
        self._run_jobs([*self._page_jobs(), *self._data_jobs()])
        self._write_bytes(
            self.view.catalogue_url + "calendrier.ics",
            calendar.feed_calendar(self.view.items, self._url_for, self.stamp, events_by_slug),
        )
        for path in self.folder.remove_stale():
            logger.info('Removed "%s" (no longer produced)', path)
        if self.cache is not None:
            self.cache.finish()

    def _run_jobs(self, jobs: list[Job]) -> None:
        """Render the jobs that need it (over the workers), then finish every job here, in order."""
        to_run = [job for job in jobs if job.render is not None]
        results = self._map(_run, to_run)
        for job in jobs:
            job.finish(next(results) if job.render is not None else None)

    def _url_for(self, item) -> str:
        return self.absolute_base + self.view.entry_url(item)

    def _page_jobs(self) -> list[Job]:
        """The catalogue's views (all, by type, by audience) and its yearly archives."""
        view, jobs = self.view, []
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
            jobs.append(
                self._page_job(
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
            )
        archive_template = self.get_template("archive")
        for year, items in group_by_year(view.past).items():
            url = f"{view.catalogue_url}archives/{year}/"
            jobs.append(
                self._page_job(
                    url + "index.html",
                    archive_template,
                    (year, *items),
                    year=year,
                    year_items=items,
                    page=SitemapPage(url, self.today),
                )
            )
        return jobs

    def _page_job(self, name: str, template, inputs: tuple, **values) -> Job:
        """``template`` rendered into ``name`` as Pelican's ``Writer.write_file`` renders it.

        With the build cache on, ``inputs`` (the page's own inputs: catalogue
        items and plain values) and the site's fingerprint make the page's key:
        a page this process already wrote from the same key is left as it is.
        """
        key = self.keys.page(template.name, name, inputs) if self.keys else None
        current = key is not None and self.cache.is_current(key, (name,), self.folder)

        def render() -> bytes:
            html = template.render(local_context(self.context, name, self.relative, **values))
            return french_html(html).encode("utf-8")

        def finish(data: bytes | None) -> None:
            if data is None:
                path = self.folder.keep(name)
            else:
                path = self.folder.write(name, data)
                if key is not None:
                    self.cache.wrote(key, (name,))
            self._written(path, local_context(self.context, name, self.relative, **values))

        return Job(None if current else render, finish)

    def _entry_jobs(self, renderer: EntryRenderer, events_by_slug: dict) -> list[Job]:
        """Each entry's page and calendar; the VEVENTs of upcoming entries go to ``events_by_slug``.

        An entry's outputs come from the build cache when it is on and holds them.
        """
        cache, folder = self.cache, self.folder
        jobs = []
        for item in self.view.items:
            names = renderer.names(item)
            key = self.keys.entry(renderer.template.name, item) if cache is not None else None

            def finish(output, item=item, names=names, key=key, new=True) -> None:
                events = cache.events_if_current(key, names, folder) if cache is not None and not new else None
                if events is not None:  # the files already hold this key's outputs
                    path = folder.keep(names[0])
                    for name in names[1:]:
                        folder.keep(name)
                else:
                    if output is None:
                        output = cache.get_output(key) or renderer.render(item)  # unreadable cache file: render
                    path = folder.write(names[0], output.page)
                    if len(names) > 1:  # no calendar for a postponed entry
                        folder.write(names[1], output.ics)
                    events = output.events
                    if cache is not None:
                        cache.wrote_entry(key, names, output, new=new)
                if item.availability.is_upcoming:
                    events_by_slug[item.slug] = events
                self._written(path, local_context(self.context, names[0], self.relative, **renderer.page_values(item)))

            if cache is not None and cache.has_output(key):
                jobs.append(Job(None, partial(finish, new=False)))
            else:
                jobs.append(Job(partial(renderer.render, item), finish))
        return jobs

    def _data_jobs(self) -> list[Job]:
        """The Atom feed and the open data files."""
        view = self.view

        def feed() -> bytes:
            feed_url = self.absolute_base + view.catalogue_url + "flux.atom"
            text = atom.atom_feed(
                view.items, self.absolute_base, feed_url, self._url_for, self.settings["SITENAME"], self.stamp
            )
            return text.encode("utf-8")

        def open_data() -> tuple[bytes, bytes, bytes]:
            rows = opendata.session_rows(view.items, self._url_for)
            return (
                opendata.to_json(rows).encode("utf-8"),
                opendata.open_registrations(view.items).encode("utf-8"),
                "\ufeff".encode("utf-8") + opendata.to_csv(rows).encode("utf-8"),
            )

        def write_open_data(files: tuple[bytes, bytes, bytes]) -> None:
            for name, data in zip(("sessions.json", "inscriptions.json", "sessions.csv"), files, strict=True):
                self._write_bytes("donnees/" + name, data)

        return [
            Job(feed, partial(self._write_bytes, view.catalogue_url + "flux.atom")),
            Job(open_data, write_open_data),
        ]

    def _written(self, path: str, localcontext: dict) -> None:
        """What Writer.write_file does once a file is written: record it, tell the plugins.

        The catalogue's pages are typeset as they are rendered, so finishing leaves them as they are.
        """
        localcontext[finishing.TYPESET] = True
        if localcontext["localsiteurl"]:
            self.context["localsiteurl"] = localcontext["localsiteurl"]
        self.writer._written_files.add(path)
        logger.info('Writing "%s"', path)
        signals.content_written.send(path, context=localcontext)

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
    signals.generator_init.connect(share_environment)
    signals.get_generators.connect(get_generators)
    signals.content_object_init.connect(sanitize_page)
