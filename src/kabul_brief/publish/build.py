"""Publish a validated :class:`~kabul_brief.content.model.Site`: plan, render, write.

The whole site is planned first (every path, so two pages can never claim one; the
views of record pages are made later, on the workers that render them), then
written into a fresh folder beside ``--out`` page by page as it is rendered, and
swapped in whole by the writer only when everything is there: a view or template
error or a killed build leaves ``--out`` as it was, and memory holds one page at a
time, not the site. A page whose inputs are those of the previous build
into the same folder is not rendered again (:mod:`~kabul_brief.publish.reuse`): its
previous bytes are the ones a render would give. Only the CLI prints: this returns
a report.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import sys
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from kabul_brief import __version__
from kabul_brief.content import model as m
from kabul_brief.folders import Theme, site_theme
from kabul_brief.publish import writer
from kabul_brief.publish.cards import CardMaker, card_of
from kabul_brief.publish.localize import editions
from kabul_brief.publish.pagetypes import LazyPage, Page, PlannedPage, made, planned_path
from kabul_brief.publish.plan import Plan, plan_site, record_pages_in_every_language
from kabul_brief.publish.reads import key_digests, reading
from kabul_brief.publish.render import Renderer
from kabul_brief.publish.reuse import (
    Entry,
    GraphDigests,
    PreviousBuild,
    PreviousGraph,
    digest,
    file_records,
    inputs_digest,
    templates_digest,
    write_graph,
    write_manifest,
)
from kabul_brief.publish.search import SHARD_PREFIX, index_site, shard_digests
from kabul_brief.publish.urls import Urls, output_path
from kabul_brief.publish.writer import GRAPH
from kabul_brief.stopwatch import Stopwatch
from kabul_brief.workers import forked_map

_ROOT_FILES = {"index.html": "front page", "404.html": "404 page"}
CARDS = "social cards"
"""What the report counts the cards as (each beside its page)."""
SEARCH_FOLDER = Urls.PAGEFIND_FOLDER
Progress = Callable[[int, int], None]
"""Told (pages done, pages in all) after each page, so the CLI can show a progress bar."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    counts: tuple[tuple[str, int], ...]
    """(what, how many files), in a fixed order."""
    total: int
    base_url: str
    pages: int
    rendered: tuple[str, ...]
    """Output paths of the pages that had to be rendered again."""
    remade: tuple[str, ...] = ()
    """Output paths of the record pages whose views were made: those that read
    something that changed since the previous build (all of them without one)."""
    reads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Output path of each record page -> what its view read of the model."""
    outputs: Mapping[str, str] = field(default_factory=dict)
    """Output path of each page -> digest of its bytes."""
    cards: tuple[str, ...] = ()
    """Paths of the social cards that had to be drawn again (the others were kept)."""
    card_count: int = 0
    """The social cards written, drawn or kept."""


def _what(path: str) -> str:
    if path.endswith(f"/{Urls.FEED_PATH}"):  # the events' and each followed record's
        return "feeds"
    if path.endswith(f"/{Urls.CALENDAR_NAME}"):
        return "calendars"
    if "/" in path:
        return path.split("/", 1)[0]
    return _ROOT_FILES.get(path, path)


class _Done(enum.Enum):
    """What became of a planned page."""

    KEPT = "kept"
    """Nothing it read changed: the previous file, its view not made."""
    SAME_VIEW = "same view"
    """Its view was made, and was the previous one: the previous file."""
    RENDERED = "rendered"


@dataclass(frozen=True, slots=True)
class _Written:
    """What became of one planned page, and of its social card."""

    entry: Entry
    done: _Done
    card: tuple[str, Entry] | None = None
    """The card's path and manifest entry (None for a page without one)."""
    drawn: bool = False
    """The card was drawn, not kept from the previous build."""


@dataclass(frozen=True, slots=True)
class _PageWriter:
    """Writes the planned pages into the new folder: reused ones from the previous
    build, the others rendered (on ``workers`` processes)."""

    plan: Plan
    renderer: Renderer
    shared: str
    """Digest of what every page depends on (templates, chrome, version)."""
    previous: PreviousBuild
    graph: PreviousGraph
    """What each record page read at the previous build, and which of it changed."""
    workers: int
    progress: Progress | None
    cards: CardMaker
    settings: m.SiteSettings
    urls: Urls

    def write(self, root: Path) -> tuple[tuple[tuple[str, Entry], ...], tuple[str, ...],
                                         tuple[str, ...], tuple[str, ...]]:
        """(manifest entries, paths rendered, record pages whose views were made, cards
        drawn); the manifest sorts its entries."""
        entries: list[tuple[str, Entry]] = []
        rendered: list[str] = []
        remade: list[str] = []
        drawn: list[str] = []
        pages = self.plan.pages
        with forked_map(functools.partial(self._write_page, root), pages,
                        self.workers) as outcomes:
            for done, (page, written) in enumerate(zip(pages, outcomes, strict=True), start=1):
                path = output_path(planned_path(page))
                entry, what = written.entry, written.done
                if entry.reads is not None:  # each read once in memory, not once per page
                    entry = replace(entry, reads=tuple(map(sys.intern, entry.reads)))
                entries.append((path, entry))
                if written.card is not None:
                    entries.append(written.card)
                    if written.drawn:
                        drawn.append(written.card[0])
                if what is _Done.RENDERED:
                    rendered.append(path)
                if what is not _Done.KEPT and isinstance(page, LazyPage):
                    remade.append(path)
                if self.progress is not None:
                    self.progress(done, len(pages))
        return (tuple(entries), tuple(sorted(rendered)), tuple(sorted(remade)),
                tuple(sorted(drawn)))

    def _write_page(self, root: Path, planned: PlannedPage) -> _Written:
        """Put one page in the new folder: kept from the previous build if nothing it
        read changed (its view is not even made), or if its view and the rest of its
        inputs are the same, else rendered. Returns its manifest entry and which of the
        three it was. Runs on the workers, which write the files themselves: digesting,
        rendering and writing all scale with the cores, and no page's bytes travel
        back to the parent. A lazily planned page's view is made here, and what it
        reads of the model is recorded as it is made."""
        found: tuple[str, ...] | None = None
        if isinstance(planned, LazyPage):
            path = output_path(planned.path)
            kept = self.graph.unchanged(path)
            unchanged = self.previous.reuse(path, None) if kept is not None else None
            # A page in a further language shows its original's card: it has none.
            card = None if planned.folder else Urls.card_path(planned.path)
            # Nothing the page read changed, its title included: nor did its card.
            card_kept = (self.previous.reuse(card, None)
                         if card is not None and kept is not None else None)
            if (kept is not None and unchanged is not None and unchanged[1].output == kept[0]
                    and (card is None or card_kept is not None)):
                existing, entry = unchanged
                writer.link_file(root, path, existing)
                if card is None or card_kept is None:
                    return _Written(replace(entry, reads=kept[1]), _Done.KEPT)
                writer.link_file(root, card, card_kept[0])
                return _Written(replace(entry, reads=kept[1]), _Done.KEPT, (card, card_kept[1]))
            with reading() as reads:
                page = made(planned)
            found = tuple(sorted(reads))
        else:
            page = made(planned)
        card_entry, drawn = self._card(root, page)
        path = output_path(page.meta.written_at)
        inputs = inputs_digest(self.shared, page.template, page.meta, page.view)
        unchanged = self.previous.reuse(path, inputs)
        if unchanged is not None:
            existing, entry = unchanged
            writer.link_file(root, path, existing)
            return _Written(replace(entry, reads=found), _Done.SAME_VIEW, card_entry, drawn)
        data = self.renderer.render(page)
        writer.write_file(root, path, data)
        entry = Entry(inputs=inputs, output=digest(data), size=len(data), reads=found)
        return _Written(entry, _Done.RENDERED, card_entry, drawn)

    def _card(self, root: Path, page: Page) -> tuple[tuple[str, Entry] | None, bool]:
        """Put the page's social card in the new folder: the previous build's if it
        shows the same text, else drawn. (Its path and entry, and whether it was
        drawn.)"""
        path = Urls.card_path(page.meta.path)
        if path is None or page.meta.folder:  # a translation shows its original's card
            return None, False
        card = card_of(page.meta, self.settings, self.urls)
        inputs = self.cards.digest(card)
        unchanged = self.previous.reuse(path, inputs)
        if unchanged is not None:
            writer.link_file(root, path, unchanged[0])
            return (path, unchanged[1]), False
        data = self.cards.draw(card)
        writer.write_file(root, path, data)
        return (path, Entry(inputs=inputs, output=digest(data), size=len(data))), True


def build_site(site: m.Site, out: Path, base_url: str | None = None,
               theme: Theme | None = None, progress: Progress | None = None,
               workers: int = 1, sources: str | None = None,
               stopwatch: Stopwatch | None = None, cache: Path | None = None) -> BuildReport:
    """Plan, render and write the site in place of ``out``; ``workers`` processes render.
    ``sources`` (see :func:`~kabul_brief.publish.reuse.sources_digest`) lets the next
    build with the same sources skip all work; ``stopwatch`` times the phases. ``theme``:
    the package's alone unless given (see :func:`~kabul_brief.folders.site_theme`)."""
    clock = stopwatch or Stopwatch()
    theme = theme or site_theme()
    urls = Urls(base_url or site.settings.base_url)
    clock.start("plan")
    plan = plan_site(site, urls, theme, workers)
    try:  # the data files are being made on another process: stopped if this fails
        renderer = Renderer(site, urls, theme, editions=plan.editions)
        cards = CardMaker(theme)
        shared = inputs_digest(__version__, templates_digest(theme), renderer.inputs,
                               cards.fonts_digest)
        tracked_shared = inputs_digest(shared, site.settings)  # pages see all the settings
        clock.start("what changed")
        now = key_digests(site)
        trust = GraphDigests(cache)  # without a cache folder, no graph is believed
        pages = _PageWriter(
            plan=plan, renderer=renderer, previous=PreviousBuild.read(out),
            graph=PreviousGraph.read(out, tracked_shared, now,
                                     trust.get(GraphDigests.key_of(out))),
            workers=workers,
            shared=shared, progress=progress, cards=cards, settings=site.settings, urls=urls,
        )
    except BaseException:
        plan.abandon()
        raise
    rendered: list[str] = []
    remade: list[str] = []
    indexed: list[int] = []
    written: list[tuple[str, Entry]] = []
    drawn: list[str] = []

    def produce(root: Path) -> None:
        clock.start("render and write")
        entries, paths, views, cards_drawn = pages.write(root)
        rendered.extend(paths)
        remade.extend(views)
        written.extend(entries)
        drawn.extend(cards_drawn)
        files = plan.files()  # the data files and exports, made meanwhile
        writer.write_files(root, files)
        clock.start("search index")
        shards = plan.search_shards
        search = shard_digests(shards, {path: entry.output for path, entry in entries})
        unchanged = [shard for shard, value in search.items()
                     if pages.previous.search.get(shard) == value
                     and pages.previous.bundle_intact(shard, SHARD_PREFIX)]
        # Pagefind indexes the new folder, before the swap; unchanged shards are kept.
        index_site(root, shards, pages.previous.folder, unchanged)
        bundle, bundle_digests = file_records(root / SEARCH_FOLDER, f"{SEARCH_FOLDER}/")
        indexed.append(len(bundle))
        clock.start("manifest")
        sizes = {path: len(data) for path, data in files.items()}
        sizes[GRAPH], written_graph = write_graph(root, tracked_shared, now, entries)
        trust.put(GraphDigests.key_of(out), written_graph)
        trust.save()
        write_manifest(root, entries, {**sizes, **bundle, **writer.marker_size()}, sources,
                       search, bundle_digests)
        clock.start("swap")

    try:
        writer.publish_tree(out, produce)
    finally:
        plan.abandon()  # nothing left to stop once the files were written
    clock.stop()
    card_paths = set(plan.card_paths())
    counts = Counter(_what(path) for path in plan.output_paths() if path not in card_paths)
    counts[CARDS] = len(card_paths)
    counts[SEARCH_FOLDER] += sum(indexed)
    return BuildReport(counts=tuple(sorted(counts.items())), total=sum(counts.values()),
                       base_url=urls.base, pages=len(plan.pages), rendered=tuple(rendered),
                       remade=tuple(remade),
                       reads={path: e.reads for path, e in written if e.reads is not None},
                       outputs={path: entry.output for path, entry in written},
                       cards=tuple(drawn), card_count=len(card_paths))


def patch_pages(site: m.Site, out: Path, paths: Collection[str], base_url: str | None = None,
                theme: Theme | None = None, env: jinja2.Environment | None = None
                ) -> tuple[str, ...]:
    """Render the record pages at ``paths`` (output paths) from ``site`` and put each in
    place in the built folder ``out`` at once (:func:`~kabul_brief.publish.writer.replace_file`):
    what a resident preview shows of an edit before the build that follows has done
    the rest. That build renders the same pages from the same model to the same bytes,
    and replaces the folder whole. Returns the paths whose bytes changed. ``env``: see
    :class:`~kabul_brief.publish.render.Renderer`."""
    urls = Urls(base_url or site.settings.base_url)
    theme = theme or site_theme()
    every = editions(site)  # localized once, for the pages and their renderer
    renderer = Renderer(site, urls, theme, env, editions=every)
    changed = []
    for planned in record_pages_in_every_language(every, urls, theme, paths):
        path = output_path(planned_path(planned))
        data = renderer.render(made(planned))
        with contextlib.suppress(OSError):
            if (out / path).read_bytes() == data:
                continue
        writer.replace_file(out, path, data)
        changed.append(path)
    return tuple(changed)


def render_every_page(site: m.Site, theme: Theme | None = None, workers: int = 1) -> None:
    """Render every page of the site and keep none of it: how ``check`` makes sure a
    site's own templates run (an error a template raises only while rendering, such
    as an undefined name, would otherwise pass ``check`` and fail ``build``)."""
    urls = Urls(site.settings.base_url)
    plan = plan_site(site, urls, theme or site_theme(), workers)
    try:
        renderer = Renderer(site, urls, theme or site_theme(), editions=plan.editions)
        with forked_map(functools.partial(_render_only, renderer), plan.pages,
                        workers) as rendering:
            for _ in rendering:
                pass  # each page is rendered as it is asked for
    finally:
        plan.abandon()


def _render_only(renderer: Renderer, planned: PlannedPage) -> None:
    renderer.render(made(planned))
