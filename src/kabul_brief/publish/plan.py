"""The page plan: every file the build writes, decided before anything is rendered.

A plan is a list of pages (output path, template, view) plus plain files (data,
robots.txt, the stylesheet). Two entries claiming one output path are a bug, found
here rather than discovered as a page silently overwritten on disk.
"""

from __future__ import annotations

import dataclasses
import functools
import gettext
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from kabul_brief.content import model as m
from kabul_brief.folders import Theme, site_theme
from kabul_brief.kinds import KINDS
from kabul_brief.publish import (
    corrections,
    datetext,
    feeds,
    follow,
    interface,
    meta,
    pages,
    readers,
    records,
    timeline,
    topics,
)
from kabul_brief.publish.data import data_files, schema_files
from kabul_brief.publish.exports import export_files
from kabul_brief.publish.localize import Edition, editions
from kabul_brief.publish.pagetypes import LazyPage, Page, PlannedPage, planned_path
from kabul_brief.publish.search import indexed_paths, plan_shards
from kabul_brief.publish.tables import table_files
from kabul_brief.publish.urls import FOLDERS, Urls, output_path
from kabul_brief.publish.views import Kit
from kabul_brief.workers import BackgroundJob, in_background

STATIC_FOLDER = Urls.STATIC_FOLDER


class PathCollision(Exception):
    """Two planned files would be written to the same path."""


class Plan:
    """The pages (record pages planned lazily, see
    :class:`~kabul_brief.publish.pagetypes.LazyPage`) and the plain files: those made at
    once, and the data files and exports, made meanwhile on another process and
    waited for by :meth:`files` (after the pages are written)."""

    def __init__(self, pages: tuple[PlannedPage, ...], files: dict[str, bytes],
                 later: BackgroundJob[dict[str, bytes]] | None = None,
                 search_shards: Mapping[str, tuple[str, ...]] | None = None,
                 editions: Sequence[Edition] = ()) -> None:
        self.pages = pages
        self.editions = tuple(editions)
        """The site in each of its languages, the main one first (the renderer's too)."""
        self._files = files
        self._later = later
        self.search_shards = dict(search_shards or {})
        """Shard folder of the search index -> the site paths of its pages."""

    def files(self) -> dict[str, bytes]:
        """Output path -> content, for every file that needs no template."""
        if self._later is not None:
            later, self._later = self._later, None
            self._files = {**self._files, **later.result()}
            check_collisions(self.output_paths())
        return self._files

    def abandon(self) -> None:
        """The build failed: stop making the files still on their way."""
        if self._later is not None:
            self._later.cancel()
            self._later = None

    def card_paths(self) -> list[str]:
        """The social card of each HTML page but the 404 page, beside it
        (:meth:`Urls.card_path`): drawn, or kept, as the page is written."""
        return [card for page in self.pages if _folder_of(page) == ""
                and (card := Urls.card_path(planned_path(page))) is not None]

    def output_paths(self) -> list[str]:
        """Every path planned so far (the data files once :meth:`files` has given them)."""
        return ([output_path(planned_path(p)) for p in self.pages] + self.card_paths()
                + list(self._files))


def _lazy(kit: Kit, kind: str, ids: Iterable[str],
          make: Callable[[Kit, Any], Page]) -> list[PlannedPage]:
    """Each record's page, and for a followed kind its feed and calendar after it (a
    calendar is one for every language: the main language's pages plan it)."""
    beside = tuple((where, maker) for where, maker in follow.MAKERS
                   if kit.language is None or where != Urls.record_calendar_path
                   ) if KINDS[kind].followed else ()
    return [page for record_id in ids for page in (
        LazyPage(kit.urls.record_path(kind, record_id),
                 functools.partial(_dated, make, kind, kit, record_id)),
        *(LazyPage(where(kind, record_id), functools.partial(maker, kit, kind, record_id))
          for where, maker in beside))]


def _dated(make: Callable[[Kit, Any], Page], kind: str, kit: Kit, record_id: str) -> Page:
    """A record's page with its file's git history (none outside git): "Published" and
    "Updated" on the page, ``datePublished`` and ``dateModified`` in its JSON-LD."""
    page = make(kit, record_id)
    history = kit.site.history_of(kind, record_id)
    if history is None:
        return page
    jsonld = meta.with_history(page.meta.jsonld, history, kit.urls, page.meta.path)
    dated = dataclasses.replace(page.meta, dates=meta.record_dates(history), jsonld=jsonld)
    if page.meta.published is not None:  # an article's Open Graph times, the same dates
        dated = dataclasses.replace(dated, published=history.published.isoformat(),
                                    modified=history.updated.isoformat())
    return dataclasses.replace(page, meta=dated)


_RECORD_VIEWS: dict[str, Callable[[Kit, Any], Page]] = {
    "article": pages.article, "actor": records.actor, "event": records.event,
    "place": records.place, "dispute": topics.dispute, "relationship": topics.relationship,
    "source": topics.source,
}
"""Kind -> what makes the view of one of its records' pages."""


def _by_kind(kit: Kit) -> dict[str, list[PlannedPage]]:
    return {kind: _lazy(kit, kind, kit.site.records(kind), make)
            for kind, make in _RECORD_VIEWS.items()}


def _network(kit: Kit) -> LazyPage:
    return LazyPage(kit.urls.NETWORK_PATH, functools.partial(readers.network_page, kit))


def record_pages(kit: Kit, only: Collection[str] | None = None) -> list[PlannedPage]:
    """The lazily planned pages: one per record (and each followed record's feed and
    calendar), and the network page; what the
    dependency graph records reads for (:mod:`~kabul_brief.publish.reads`). ``only``:
    just those at these output paths."""
    if only is None:
        return [page for planned in _by_kind(kit).values() for page in planned] + [
            _network(kit)]
    wanted = set(only)
    return [page for page in record_pages(kit) if output_path(planned_path(page)) in wanted]


def record_pages_in_every_language(every: Sequence[Edition], urls: Urls,
                                   theme: Theme | None,
                                   only: Collection[str]) -> list[PlannedPage]:
    """:func:`record_pages` at these output paths, in whichever language's folder each
    is (``every``: the site's editions, :func:`~kabul_brief.publish.localize.editions`):
    what a resident preview renders of an edit at once."""
    wanted = set(only)
    found: list[PlannedPage] = []
    for edition in every:
        local = Kit(edition.site, urls.language(edition.folder),
                    edition.language.code if edition.folder else None, _words(theme, edition))
        code = edition.language.code
        if not edition.folder and datetext.is_english(code):
            pages = record_pages(local)
        else:
            pages = [_in_folder(edition.folder, code, page) for page in record_pages(local)]
        found += (page for page in pages if output_path(planned_path(page)) in wanted)
    return found


def plan_pages(kit: Kit, search_shards: Iterable[str] = ("",),
               further: Sequence[Edition] = (), theme: Theme | None = None
               ) -> tuple[PlannedPage, ...]:
    """Every HTML page and XML document, in a fixed order: the main language's, then
    each ``further`` edition's in its folder, then the sitemap of them all. Record
    pages and the network page are lazy: their views are made where they are rendered."""
    main_language = kit.site.settings.languages[0].code if kit.site.settings.languages else None
    planned = _in_language(main_language, "", kit, search_shards)
    drafts = draft_paths(kit)
    main = [path for path in map(planned_path, planned) if path not in drafts]
    for edition in further:
        local = Kit(edition.site, kit.urls.language(edition.folder), edition.language.code,
                    _words(theme, edition))
        planned += _in_language(edition.language.code, edition.folder, local, search_shards)
    newest = corrections.newest_day(kit.site)
    planned.append(feeds.sitemap(
        kit, main, {corrections.PATH: newest.isoformat()} if newest is not None else {},
        tuple(edition.folder for edition in further)))
    return tuple(planned)


def _in_language(language: str | None, folder: str, kit: Kit,
                 search_shards: Iterable[str]) -> list[PlannedPage]:
    """The pages of one edition, their dates written in its language (see
    :mod:`~kabul_brief.publish.datetext`), in its folder."""
    if not folder and datetext.is_english(language):  # part 1's pages, as they were
        return _edition_pages(kit, search_shards)
    with datetext.written_in(language):
        return [_in_folder(folder, language, page)
                for page in _edition_pages(kit, search_shards)]


def _words(theme: Theme | None, edition: Edition) -> gettext.NullTranslations:
    """The interface's catalog in the edition's language."""
    return interface.catalog((theme or site_theme()).folders, edition.language.code)


def _folder_of(page: PlannedPage) -> str:
    return page.folder if isinstance(page, LazyPage) else page.meta.folder


def _in_folder(folder: str, language: str | None, page: PlannedPage) -> PlannedPage:
    """A page of an edition: written into its language's folder, the dates of its
    lazily made view in its language."""
    if isinstance(page, LazyPage):
        return LazyPage(folder + page.path,
                        functools.partial(_made_in, folder, language, page.make), folder)
    if not folder:
        return page
    return dataclasses.replace(page, meta=dataclasses.replace(page.meta, folder=folder))


def _made_in(folder: str, language: str | None, make: Callable[[], Page]) -> Page:
    with datetext.written_in(language):
        page = make()
    if not folder:
        return page
    return dataclasses.replace(page, meta=dataclasses.replace(page.meta, folder=folder))


def _edition_pages(kit: Kit, search_shards: Iterable[str]) -> list[PlannedPage]:
    """The pages of one language, the sitemap aside."""
    site = kit.site
    lazy = _by_kind(kit)
    planned: list[PlannedPage] = [
        pages.front(kit),
        pages.articles_index(kit),
        *lazy["article"],
        timeline.timeline(kit),
        timeline.timeline(kit, newest=True),
        records.actors_index(kit),
        *lazy["actor"],
        *lazy["event"],
        records.places_index(kit),
        *lazy["place"],
        topics.disputes_index(kit),
        *lazy["dispute"],
        topics.relationships_index(kit),
        *lazy["relationship"],
        topics.sources_index(kit),
        *lazy["source"],
        _network(kit),
        readers.search(kit, search_shards),
        *(pages.standing(kit, p) for p in site.pages),
        corrections.corrections_page(kit),
        pages.not_found(kit),
    ]
    planned += [feeds.feed(kit), feeds.events_feed(kit), corrections.corrections_feed(kit)]
    return planned


def draft_paths(kit: Kit) -> set[str]:
    """The pages of drafts (only a build with ``--drafts`` has any): they are marked
    noindex, so the sitemap leaves them out even then."""
    site = kit.site
    paths = {kit.urls.record_path(kind, record_id)
             for kind in FOLDERS for record_id, record in site.records(kind).items()
             if record.draft}
    return paths | {kit.urls.page_path(page_id)
                    for page_id, page in site.pages.items() if page.draft}


def static_files(theme: Theme) -> dict[str, bytes]:
    """``static/**`` of the theme copied as is, under ``static/``: the package theme's
    files, each replaced by the site's own file of the same path where it has one."""
    found: dict[str, bytes] = {}
    for folder in reversed(theme.folders):
        source = folder / STATIC_FOLDER
        if not source.is_dir():
            continue
        found.update({
            f"{STATIC_FOLDER}/{path.relative_to(source).as_posix()}": path.read_bytes()
            for path in sorted(source.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        })
    return dict(sorted(found.items()))


def plan_site(site: m.Site, urls: Urls, theme: Theme, workers: int = 1) -> Plan:
    """The plan; with ``workers`` above 1 the data files and exports are made on another
    process, while the pages are planned and rendered."""
    every = editions(site)
    further = every[1:]
    kit = Kit(site, urls, None, _words(theme, every[0]))
    later = in_background(lambda: {**data_files(site, urls), **export_files(site, urls),
                                   **table_files(site, urls), **schema_files(site)},
                          workers)
    try:
        files = {**static_files(theme), Urls.ROBOTS_PATH: feeds.robots(kit).encode()}
        shards = plan_shards(indexed_paths(site, urls, [e.folder for e in further]))
        plan = Plan(pages=plan_pages(kit, shards, further, theme), files=files, later=later,
                    search_shards=shards, editions=every)
        check_collisions(plan.output_paths())
    except BaseException:
        later.cancel()
        raise
    return plan


def check_collisions(paths: Iterable[str]) -> None:
    seen: set[str] = set()
    bundle = f"{Urls.PAGEFIND_FOLDER}/"
    for path in paths:
        key = path.casefold()  # a case-insensitive file system would merge them too
        if key.startswith(bundle):
            raise PathCollision(f"{path!r} is inside {bundle}, where the search index goes")
        if key in seen:
            raise PathCollision(f"two files of the site claim {path!r}")
        seen.add(key)

