"""The one way to build: a :class:`BuildRequest` in, an :class:`Outcome` out.

``build``, ``check``, ``serve`` and the tests all call :meth:`Build.run`, so they
validate, warn, reuse and save in the same way (``serve`` printed no warnings while
it assembled a build of its own). The stages, in order:

    freshness check -> load -> link (and gate) -> warnings -> publish

Every stage before the gate only reads; if any content error was found, the gate
raises :class:`~kabul_brief.errors.ContentErrors` with all of them and nothing is
written. The heavy stages are imported when they run: a build with nothing to do
answers "up to date" without loading Markdown, Jinja or the content model.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kabul_brief import __version__
from kabul_brief.errors import ContentError, ContentErrors, ErrorSink, Position
from kabul_brief.folders import Theme, cache_folder, package_theme, site_theme
from kabul_brief.kinds import RECORD_KINDS
from kabul_brief.stopwatch import Stopwatch

if TYPE_CHECKING:
    from jinja2 import Environment

    from kabul_brief.content.history import PendingHistory
    from kabul_brief.content.linker import LinkState
    from kabul_brief.content.loader import LoadCache
    from kabul_brief.content.mdcache import MarkdownCache
    from kabul_brief.content.model import Site
    from kabul_brief.content.since import Before
    from kabul_brief.publish.build import BuildReport, Progress

Warn = Callable[[tuple[ContentError, ...]], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildRequest:
    """What to build. Without ``out`` it is a check: validate and warn, write nothing
    (not even the caches)."""

    content: Path
    out: Path | None = None
    base_url: str | None = None
    """Already checked (the CLI refuses a bad ``--base-url`` as a usage error); None
    means ``site.yaml``'s."""
    templates: Path | None = None
    """The site's own templates (``--templates``); None means ``templates/`` beside
    the content folder, if there is one. Either way over the package's theme."""
    workers: int = 1
    strict: bool = False
    """Warnings are errors: nothing is written if there is one."""
    drafts: bool = False
    """Include the records and articles marked ``draft: true``."""
    since: str | None = None
    """A check only: also warn of the published facts changed since this git revision
    without a new correction (:mod:`~kabul_brief.content.since`)."""
    progress: Progress | None = None
    warn: Warn | None = None
    """Told the warnings as soon as they are known: before publishing, which takes a
    while and may yet fail (a broken template)."""
    stopwatch: Stopwatch | None = None
    resident: Resident | None = None
    """What a preview that stays up keeps from one build to the next."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a build did. ``site`` is None when ``out`` already held the build (nothing
    was loaded); ``report`` is None for a check and for a build with nothing to do."""

    warnings: tuple[ContentError, ...]
    site: Site | None = None
    report: BuildReport | None = None
    kept: int | None = None
    """When ``out`` was up to date: how many files it holds."""
    before: Before | None = None
    """With ``since``: the content it was compared with."""


class Resident:
    """What a preview that stays up keeps between its builds: the caches in memory
    (not read from disk again for every edit), and the last build's model, what each
    record page read of it, and the digest of each page written. With them
    :meth:`show_edit` tells which pages an edit touches, and puts them in place, before
    the build that follows has done the rest (the index pages, the data files, the
    search index)."""

    def __init__(self, content: Path) -> None:
        from kabul_brief.content.loader import LoadCache
        from kabul_brief.content.mdcache import MarkdownCache

        self.markdown = MarkdownCache.beside(content)
        self.files = LoadCache.beside(content)
        self.site: Site | None = None
        self.linked: LinkState | None = None
        """What the last build's link left, to link an edit again quickly."""
        self.reads: Mapping[str, tuple[str, ...]] = {}
        self.outputs: Mapping[str, str] = {}
        self.patched = False
        """Pages were put in the built folder since its build: the next build must run
        even if the content is back to what that build read (an edit undone)."""
        self._templates: tuple[str, Environment] | None = None
        """The Jinja environment of the last edit shown, by the digest of the templates."""

    def remember(self, site: Site, linked: LinkState | None, report: BuildReport) -> None:
        self.site, self.linked = site, linked
        self.reads, self.outputs = report.reads, report.outputs
        self.patched = False

    def show_edit(self, request: BuildRequest) -> tuple[str, ...]:
        """Load and link the content again, and render into ``request.out`` at once the
        record pages that read something the edit changed; returns the paths whose
        bytes changed. Raises what loading raises (content errors: the build that
        follows reports them)."""
        from kabul_brief.publish.build import patch_pages
        from kabul_brief.publish.reads import changed_between
        from kabul_brief.publish.render import environment
        from kabul_brief.publish.reuse import templates_digest

        if self.site is None or request.out is None:
            return ()
        for cache in (self.markdown, self.files):
            cache.begin()
        site, _ = load_site_keeping(request.content, cache=self.markdown, files=self.files,
                                    drafts=request.drafts, previous=self.linked)
        changed = changed_between(self.site, site)
        dirty = [path for path, reads in self.reads.items() if not changed.isdisjoint(reads)]
        self.patched = True
        theme = site_theme(request.content, request.templates)
        digest = templates_digest(theme)
        if self._templates is None or self._templates[0] != digest:
            self._templates = (digest, environment(theme))
        return patch_pages(site, request.out, dirty, request.base_url, theme,
                           self._templates[1])


class StrictWarnings(ContentErrors):
    """Warnings, refused as errors under ``--strict``; nothing was written."""


class Build:
    """One run of a :class:`BuildRequest`; it remembers what it read, so a caller
    interrupted by a signal can ask whether the new site was already swapped in."""

    def __init__(self, request: BuildRequest) -> None:
        self.request = request
        self.theme: Theme | None = None
        """The templates and static files, once found."""
        self._sources: str | None = None
        self.publishing = False
        """Whether everything was read and writing began: an OSError from then on is
        about ``out`` (a full disk), before it about the content or templates."""

    def run(self) -> Outcome:
        """Build (or check); raise :class:`ContentErrors` listing every content problem,
        :class:`StrictWarnings`, or what publishing raises (a broken template, a full
        disk)."""
        request = self.request
        clock = request.stopwatch or Stopwatch()
        require_content_folder(request.content)
        if request.out is None:
            return self._check(clock)
        from kabul_brief.publish.reuse import PreviousBuild, load_warnings
        from kabul_brief.publish.writer import check_output

        self.theme = site_theme(request.content, request.templates)
        check_output(request.out, request.content)
        clock.start("check for changes")
        sources = self._digest_sources()
        recorded = load_warnings(cache_folder(request.content), sources)
        previous = PreviousBuild.read(request.out)
        patched = request.resident is not None and request.resident.patched
        if recorded is not None and previous.is_current(sources) and not patched:
            self._tell(recorded)
            return Outcome(warnings=recorded, kept=previous.files)
        return self._build(request.out, sources, clock)

    @property
    def templates_shown(self) -> Path:
        """Where a template error is said to be when Jinja names no file: the site's
        own templates, else the theme's."""
        if self.theme is not None:
            return self.theme.folders[0]
        return self.request.templates or package_theme()

    def _check(self, clock: Stopwatch) -> Outcome:
        """Validate the content and the site's own templates, reporting the problems of
        both at once; with templates of its own, every page is rendered (and dropped),
        so that what ``check`` accepts ``build`` builds."""
        from kabul_brief.publish.render import compile_overrides

        request = self.request
        found: list[ContentError] = []
        before: Before | None = None
        if request.since is not None:  # a bad revision is said before anything is read
            from kabul_brief.content.since import content_before

            clock.start("load and link the content at --since")
            before = content_before(request.since, request.content, request.workers)
        clock.start("load and link")
        try:
            site, linked = load_site_keeping(request.content, request.workers,
                                             drafts=request.drafts)
        except ContentErrors as errors:
            found.extend(errors.errors)
        try:
            self.theme = site_theme(request.content, request.templates)
        except ContentErrors as errors:
            found.extend(errors.errors)
        if found:
            raise ContentErrors(found)
        assert self.theme is not None
        compile_overrides(self.theme)
        changes: tuple[ContentError, ...] = ()
        if before is not None:
            from kabul_brief.content.since import uncorrected_changes

            changes = uncorrected_changes(before, linked, display_root(request.content))
        warnings = self._gate_warnings(site, clock, changes)
        if self.theme.overrides:  # a site's own templates may fail only as they run
            from kabul_brief.publish.build import render_every_page

            clock.start("render")
            render_every_page(site, self.theme, request.workers)
        return Outcome(warnings=warnings, site=site, before=before)

    def swapped_in(self) -> bool:
        """Whether ``out`` holds what this build writes (a signal that came after the
        swap stopped nothing)."""
        from kabul_brief.publish.reuse import PreviousBuild

        out = self.request.out
        return (out is not None and self._sources is not None
                and PreviousBuild.read(out).is_current(self._sources))

    def _build(self, out: Path, sources: str, clock: Stopwatch) -> Outcome:
        from kabul_brief.content.loader import LoadCache
        from kabul_brief.content.mdcache import MarkdownCache
        from kabul_brief.publish.build import build_site
        from kabul_brief.publish.reuse import save_warnings

        request = self.request
        if request.resident is not None:
            markdown, files = request.resident.markdown, request.resident.files
            for cache in (markdown, files):
                cache.begin()
        else:
            markdown = MarkdownCache.beside(request.content)
            files = LoadCache.beside(request.content)
        clock.start("load and link")
        site, linked = load_site_keeping(request.content, request.workers, cache=markdown,
                                         files=files, drafts=request.drafts)
        warnings = self._gate_warnings(site, clock)
        markdown.save()  # only once the content passed every gate
        files.save()
        self.publishing = True
        report = build_site(site, out, request.base_url, self.theme,
                            progress=request.progress, workers=request.workers,
                            sources=sources, stopwatch=clock,
                            cache=cache_folder(request.content))
        save_warnings(cache_folder(request.content), sources, warnings)
        if request.resident is not None:
            request.resident.remember(site, linked, report)
        return Outcome(warnings=warnings, site=site, report=report)

    def _digest_sources(self) -> str:
        from kabul_brief.content.history import revision
        from kabul_brief.publish.reuse import sources_digest

        request = self.request
        assert self.theme is not None
        self._sources = sources_digest(
            request.content, self.theme, __version__, request.base_url, request.drafts,
            revision(request.content), cache=cache_folder(request.content))
        return self._sources

    def _gate_warnings(self, site: Site, clock: Stopwatch,
                       more: tuple[ContentError, ...] = ()) -> tuple[ContentError, ...]:
        """The content's warnings, with ``more`` (those of ``check --since``), in order
        of position; told, or refused under ``strict``."""
        from kabul_brief.content.lint import find_warnings

        clock.start("warnings")
        warnings = tuple(sorted((*find_warnings(site, display_root(self.request.content)),
                                 *more), key=ContentError.sort_key))
        self._tell(warnings)
        return warnings

    def _tell(self, warnings: tuple[ContentError, ...]) -> None:
        """Refuse the warnings under ``strict``, else tell the caller of them."""
        if self.request.strict and warnings:
            raise StrictWarnings(replace(warning, severity="error") for warning in warnings)
        if self.request.warn is not None:
            self.request.warn(warnings)


def display_root(content_dir: Path) -> str:
    """How paths under the content folder are shown: as the editor gave the folder,
    so that ``PATH:LINE`` can be pasted into an editor from where the command ran."""
    return os.path.normpath(str(content_dir)).replace(os.sep, "/")


def taken_by_site(kind: str, record_id: str) -> str | None:
    """The site's own path (``pagefind/``, ``actors/``) a record's page would take."""
    from kabul_brief.publish.urls import Urls

    try:
        path = (Urls.page_path(record_id) if kind == "page"
                else Urls.record_path(kind, record_id))
    except ValueError:  # not a path at all: the loader's to report
        return None
    return Urls.taken_by_site(path)


def require_content_folder(content_dir: Path) -> None:
    """Raise a content error unless ``content_dir`` is a folder (missing, or a file)."""
    if content_dir.is_dir():
        return
    message = ("the content folder is a file, not a folder" if content_dir.exists()
               else "the content folder does not exist")
    raise ContentErrors([
        ContentError(
            position=Position(path=display_root(content_dir)),
            code="missing-content",
            message=message,
            hint="Pass --content DIR, or run from the folder that holds content/.",
        )
    ])


def load_site(content_dir: Path, workers: int = 1, *,
              cache: MarkdownCache | None = None, files: LoadCache | None = None,
              drafts: bool = False, shown: str | None = None) -> Site:
    """Load, validate and link the content folder; raise ContentErrors listing every problem.
    ``workers`` processes read the files that ``files`` does not hold already and
    convert the Markdown that ``cache`` does not (saving the caches is the caller's:
    only once the build has passed every gate). Records marked ``draft: true`` are
    checked either way, and in the site only with ``drafts``. The load-and-link
    stage of :class:`Build`, on its own for tests of the model. ``shown``: how the
    folder is named in errors (default :func:`display_root`)."""
    return load_site_keeping(content_dir, workers, cache=cache, files=files, drafts=drafts,
                             shown=shown)[0]


def load_site_keeping(content_dir: Path, workers: int = 1, *,
                      cache: MarkdownCache | None = None, files: LoadCache | None = None,
                      drafts: bool = False, previous: LinkState | None = None,
                      shown: str | None = None) -> tuple[Site, LinkState]:
    """:func:`load_site`, and what linking the same content again needs; with
    ``previous`` (a resident preview's last link), only what changed since is linked
    again where that gives the same model (see :func:`~kabul_brief.content.linker.relink`)."""
    from kabul_brief.content.history import PendingHistory
    from kabul_brief.content.linker import link_keeping, relink
    from kabul_brief.content.loader import load_content

    sink = ErrorSink()
    shown = shown if shown is not None else display_root(content_dir)
    require_content_folder(content_dir)
    history = PendingHistory(content_dir)
    try:
        loaded = load_content(content_dir, shown, sink, workers, files)
        if previous is not None and not sink and previous.drafts == drafts:
            again = relink(previous, loaded, ErrorSink())
            if again is not None:
                return with_history(again[0], history), again[1]
        site, state = link_keeping(loaded, sink, workers, cache, taken_by_site, drafts=drafts)
        sink.raise_if_any()
        assert site is not None and state is not None
        return with_history(site, history), state
    finally:
        history.close()


def with_history(site: Site, history: PendingHistory) -> Site:
    """The site with its records' git history (:mod:`~kabul_brief.content.history`)."""
    records = [(kind.name, record.id, record.origin.path)
               for kind in RECORD_KINDS for record in site.records(kind.name).values()]
    return replace(site, history=history.result(records), history_missing=history.missing)
