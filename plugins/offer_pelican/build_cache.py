"""The build cache of ``make devserver``: validated entries and rendered entry outputs.

Off unless OFFER["CACHE_DIR"] names a folder (``make devserver`` sets
``.cache/offer/``): a clean build, ``make html`` or CI never reads it. Every
key is a content hash:

- a validated entry: the file's name and bytes, the rate years and the code
  version (the sources of ``offer`` and of this adapter, and the versions of
  the libraries the output depends on);
- an entry's outputs (page, .ics, VEVENTs): the site fingerprint (code version,
  every template, the settings, the pages' metadata, forms, rates, build date,
  form targets) and the entry's own inputs (file hash, registrations);
- a printable document (PDF): its HTML, its stylesheet and WeasyPrint's version.

So an edited entry misses and is rendered again, an edited template, page
title, ``tarifs.yaml`` or setting changes the site fingerprint and every entry
is rendered again, and nothing stale is ever served. Validated entries are kept
in memory for the life of the process (``pelican -r`` rebuilds in the same
process) and in one pickle; rendered outputs and PDFs are files named by their key, and
the ones no build used are removed after each build.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import re
import tempfile
from functools import cached_property
from pathlib import Path

from jinja2 import meta

from offer.catalogue import CatalogueItem

from .entry_pages import EntryOutput

# Libraries whose version can change the output.
LIBRARIES = ("pelican", "jinja2", "markdown", "nh3", "babel", "pydantic", "pyyaml", "markupsafe", "feedgenerator")
# An entry page that reads these sees every entry: its key then covers all of them.
SEES_ALL_ENTRIES = re.compile(r"\boffer\s*\.\s*(items|upcoming|past|next_sessions|offer_summary)\b")
FORMAT = "1"  # of the files below; changing it discards old caches


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def stable_repr(value) -> str:
    """A repr that is the same from one process to the next (no addresses)."""
    if isinstance(value, dict):
        items = sorted(((stable_repr(k), stable_repr(v)) for k, v in value.items()))
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(stable_repr(v) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(stable_repr(v) for v in value)) + "}"
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    if callable(value):
        return f"<{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}>"
    text = repr(value)
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def code_version() -> str:
    """The sources of the domain and of this adapter, and the libraries' versions."""
    import offer

    parts = [FORMAT]
    for package in (Path(offer.__file__).parent, Path(__file__).parent):
        for source in sorted(package.rglob("*.py")):
            parts += [source.relative_to(package).as_posix(), source.read_bytes()]
    for name in LIBRARIES:
        try:
            parts.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return digest(*parts)


_SEES_ALL_BY_TEMPLATES: dict[str, dict[str, bool]] = {}


class TemplateSources:
    """Every template the environment's loader finds, and which of them read every entry."""

    def __init__(self, env):
        self.env = env
        self.sources = {}
        for name in sorted(env.list_templates()):
            try:
                self.sources[name] = env.loader.get_source(env, name)[0]
            except Exception:  # noqa: BLE001 - an unreadable template is still part of the key
                self.sources[name] = ""
        self.digest = digest(*(part for name, source in self.sources.items() for part in (name, source)))
        # Parsing templates costs; the answers hold as long as the templates are the same.
        self._sees_all: dict[str, bool] = _SEES_ALL_BY_TEMPLATES.setdefault(self.digest, {})

    def sees_all_entries(self, name: str) -> bool:
        """Whether ``name``, or a template it extends, includes or imports, reads the list of entries."""
        if name not in self._sees_all:
            reachable, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in reachable or current not in self.sources:
                    continue
                reachable.add(current)
                try:
                    todo += [n for n in meta.find_referenced_templates(self.env.parse(self.sources[current])) if n]
                except Exception:  # noqa: BLE001 - a template that does not parse: assume the worst
                    self._sees_all[name] = True
                    return True
            self._sees_all[name] = any(SEES_ALL_ENTRIES.search(self.sources[n]) for n in reachable)
        return self._sees_all[name]


def pages_fingerprint(context: dict) -> str:
    """What entry pages can read of the Markdown pages: addresses, titles, metadata (not the text)."""
    parts = []
    for key in ("pages", "hidden_pages", "draft_pages"):
        for page in context.get(key) or []:
            metadata = {k: v for k, v in page.metadata.items() if k not in ("content",)}
            parts += [key, page.source_path or "", page.url, page.save_as, stable_repr(metadata)]
    return digest(*parts)


class CacheKeys:
    """The keys of a build's outputs: the site's fingerprint and each page's own inputs."""

    def __init__(self, generator):
        self.templates = TemplateSources(generator.env)
        self.own = {
            item.slug: digest(
                item.entry.source, generator.source_digests.get(item.entry.source, ""), str(item.workshop.inscrits)
            )
            for item in generator.view.items
        }
        self.all_entries = digest(*sorted(self.own.values()))
        # An entry page links to its follow-up (a later session of the same question):
        # its key holds the follow-up's, not every entry's, so one edit re-renders one page.
        self.follow_ups = {item.slug: generator.view.follow_up(item) for item in generator.view.items}
        self.site = digest(
            generator.cache.code,
            self.templates.digest,
            stable_repr(generator.settings),
            pages_fingerprint(generator.context),
            stable_repr(generator.forms),
            stable_repr(generator.content.rates),
            stable_repr(generator.view.form_targets),
            stable_repr(generator.context.get("offer_provider")),
            generator.today.isoformat(),
            generator.stamp.isoformat(),
        )
        self._printables = generator.view.printables
        self._by_template: dict[str, str] = {}

    @cached_property
    def printables(self) -> str:
        """The printable PDFs' sizes, which the catalogue pages show (entry pages do not):
        read when the first page key is asked for, once the documents are laid out."""
        return stable_repr({name: len(doc.data) for name, doc in self._printables.items()})

    def _template(self, name: str) -> str:
        if name not in self._by_template:
            sees_all = self.templates.sees_all_entries(name)
            self._by_template[name] = digest(self.site, name, self.all_entries if sees_all else "")
        return self._by_template[name]

    def entry(self, template_name: str, item) -> str:
        """The key of an entry's outputs (page, .ics, VEVENTs)."""
        follow_up = self.follow_ups.get(item.slug)
        follow_key = follow_up.slug + self.own[follow_up.slug] if follow_up is not None else ""
        return digest(self._template(template_name), "entry", self.own[item.slug], follow_key)

    def page(self, template_name: str, name: str, inputs: tuple) -> str:
        """The key of the page ``name``: its template and its own inputs (catalogue items or plain values)."""
        parts = [self.own[x.slug] if isinstance(x, CatalogueItem) else stable_repr(x) for x in inputs]
        return digest(self._template(template_name), name, self.printables, *parts)


class BuildCache:
    """One cache folder; kept for the life of the process, which ``pelican -r`` rebuilds in."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.outputs = folder / "entrees"
        self.outputs.mkdir(parents=True, exist_ok=True)
        self.code = code_version()
        self.validated: dict[tuple, object] = self._read_validated()
        self._validated_changed = False
        self._outputs_present = {p.name for p in self.outputs.iterdir()}
        self._outputs_used: set[str] = set()
        self.pdfs = folder / "pdf"
        self.pdfs.mkdir(exist_ok=True)
        self._pdfs_present = {p.name for p in self.pdfs.iterdir()}
        self._pdfs_used: set[str] = set()
        # In this process: the key each output file on disk was written from, and the entries' VEVENTs.
        self._written_from: dict[str, str] = {}
        self._events: dict[str, list[str]] = {}

    # -- validated entries ---------------------------------------------------------
    @property
    def _validated_file(self) -> Path:
        return self.folder / "fiches-validees.pickle"

    def _read_validated(self) -> dict:
        try:
            with self._validated_file.open("rb") as handle:
                code, memo = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return {}
        return memo if code == self.code else {}

    def validation_memo(self) -> ValidationMemo:
        return ValidationMemo(self)

    # -- rendered entries ---------------------------------------------------------------
    def has_output(self, key: str) -> bool:
        return key in self._outputs_present

    def get_output(self, key: str) -> EntryOutput | None:
        self._outputs_used.add(key)
        if key not in self._outputs_present:
            return None
        try:
            with (self.outputs / key).open("rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return None

    def put_output(self, key: str, output: EntryOutput) -> None:
        self._outputs_used.add(key)
        _atomic_write(self.outputs / key, pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))
        self._outputs_present.add(key)

    # -- printable documents (see printable.py) -------------------------------------------
    def get_pdf(self, key: str) -> bytes | None:
        self._pdfs_used.add(key)
        if key not in self._pdfs_present:
            return None
        try:
            return (self.pdfs / key).read_bytes()
        except OSError:
            return None

    def put_pdf(self, key: str, data: bytes) -> None:
        self._pdfs_used.add(key)
        _atomic_write(self.pdfs / key, data)
        self._pdfs_present.add(key)

    def is_current(self, key: str, names: tuple[str, ...], folder) -> bool:
        """Whether this process wrote the files ``names`` from ``key`` and they are still there."""
        if not all(self._written_from.get(name) == key and folder.exists(name) for name in names):
            return False
        self._outputs_used.add(key)
        return True

    def wrote(self, key: str, names: tuple[str, ...]) -> None:
        for name in names:
            self._written_from[name] = key

    def events_if_current(self, key: str, names: tuple[str, ...], folder) -> list[str] | None:
        """The VEVENTs of an entry whose files (page, .ics) are current (see ``is_current``)."""
        return self._events.get(key) if self.is_current(key, names, folder) else None

    def wrote_entry(self, key: str, names: tuple[str, ...], output: EntryOutput, new: bool) -> None:
        """An entry's ``output`` is on disk at ``names``; ``new``: rendered by this build, to keep."""
        if new:
            self.put_output(key, output)
        self.wrote(key, names)
        self._events[key] = output.events

    def finish(self) -> None:
        """After a build: drop the outputs it did not use, save the validated entries."""
        for name in self._outputs_present - self._outputs_used:
            try:
                (self.outputs / name).unlink()
            except OSError:
                pass
        self._outputs_present &= self._outputs_used
        for name in self._pdfs_present - self._pdfs_used:
            try:
                (self.pdfs / name).unlink()
            except OSError:
                pass
        self._pdfs_present &= self._pdfs_used
        self._pdfs_used = set()
        self._events = {key: events for key, events in self._events.items() if key in self._outputs_used}
        self._outputs_used = set()
        if self._validated_changed:
            _atomic_write(
                self._validated_file, pickle.dumps((self.code, self.validated), protocol=pickle.HIGHEST_PROTOCOL)
            )
            self._validated_changed = False


class ValidationMemo:
    """The ``memo`` of ``offer.validation.load_content``: results by file name, bytes and rate years.

    Only this build's files are kept, so a deleted file leaves nothing behind.
    """

    def __init__(self, cache: BuildCache):
        self.cache = cache
        self.kept: dict[tuple, object] = {}
        self.digests: dict[str, str] = {}

    def key(self, name: str, data: bytes, rate_years) -> tuple:
        file_digest = digest(data)
        self.digests[name] = file_digest
        return (name, file_digest, tuple(sorted(rate_years or ())))

    def get(self, key: tuple):
        value = self.cache.validated.get(key)
        if value is not None:
            self.kept[key] = value
        return value

    def put(self, key: tuple, value) -> None:
        self.kept[key] = value
        self.cache.validated[key] = value
        self.cache._validated_changed = True

    def close(self) -> None:
        if set(self.cache.validated) != set(self.kept):
            self.cache.validated = dict(self.kept)
            self.cache._validated_changed = True


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


_caches: dict[str, BuildCache] = {}


def build_cache(folder: str | os.PathLike) -> BuildCache:
    """The process's cache for ``folder`` (created on first use)."""
    key = os.path.abspath(folder)
    if key not in _caches:
        _caches[key] = BuildCache(Path(key))
    return _caches[key]
