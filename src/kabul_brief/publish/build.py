"""Publish a validated :class:`~kabul_brief.content.model.Site`: plan, render, write.

Every page is rendered into memory before the first byte reaches the disk, so a
template error leaves ``--out`` as it was; the writer then swaps the new site in
whole. A page whose inputs are those of the previous build into the same folder
is not rendered again (:mod:`~kabul_brief.publish.reuse`): its previous bytes are
the ones a render would give. Only the CLI prints: this returns a report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kabul_brief import __version__
from kabul_brief.content import model as m
from kabul_brief.publish.meta import Page
from kabul_brief.publish.parallel import render_pages
from kabul_brief.publish.plan import plan_site
from kabul_brief.publish.render import Renderer, templates_dir
from kabul_brief.publish.reuse import (
    Entry,
    PreviousBuild,
    digest,
    inputs_digest,
    templates_digest,
    write_manifest,
)
from kabul_brief.publish.search import index_site
from kabul_brief.publish.urls import Urls, output_path
from kabul_brief.publish.writer import publish_tree

_ROOT_FILES = {"index.html": "front page", "404.html": "404 page"}
Progress = Callable[[int, int], None]
"""Told (pages done, pages in all) after each page, so the CLI can show a progress bar."""
SEARCH_FOLDER = Urls.PAGEFIND_FOLDER


@dataclass(frozen=True, slots=True)
class RenderedSite:
    files: dict[str, bytes]
    """Output path -> bytes."""
    entries: tuple[tuple[str, Entry], ...]
    """Each page's input and output digests, for the manifest."""
    rendered: tuple[str, ...]
    """Pages rendered by this build (the others were reused unchanged), sorted."""
    pages: int


@dataclass(frozen=True, slots=True)
class BuildReport:
    counts: tuple[tuple[str, int], ...]
    """(what, how many files), in a fixed order."""
    total: int
    base_url: str
    pages: int
    rendered: tuple[str, ...]
    """Output paths of the pages that had to be rendered again."""


def _what(path: str) -> str:
    if "/" in path:
        return path.split("/", 1)[0]
    return _ROOT_FILES.get(path, path)


def render_site(site: m.Site, base_url: str | None = None, templates: Path | None = None,
                previous: PreviousBuild | None = None, progress: Progress | None = None,
                workers: int = 1) -> RenderedSite:
    """Every file of the site, by output path; nothing is written."""
    folder = templates or templates_dir()
    urls = Urls(base_url or site.settings.base_url)
    plan = plan_site(site, urls, folder)
    renderer = Renderer(site, urls, folder)
    shared = inputs_digest(__version__, templates_digest(folder), renderer.inputs)
    reusable = previous or PreviousBuild.none()
    files = dict(plan.files)
    inputs: dict[str, str] = {}
    stale: list[Page] = []
    for page in plan.pages:
        path = output_path(page.meta.path)
        inputs[path] = inputs_digest(shared, page.template, page.meta, page.view)
        data = reusable.reuse(path, inputs[path])
        if data is None:
            stale.append(page)
        else:
            files[path] = data

    def done(count: int) -> None:
        if progress is not None:
            progress(count, len(stale))

    fresh = render_pages(renderer, stale, workers, done)
    files.update((output_path(page.meta.path), data) for page, data in zip(stale, fresh,
                                                                           strict=True))
    entries = tuple((path, Entry(inputs=page_inputs, output=digest(files[path])))
                    for path, page_inputs in inputs.items())
    rendered = tuple(sorted(output_path(page.meta.path) for page in stale))
    return RenderedSite(files=files, entries=entries, rendered=rendered, pages=len(plan.pages))


def build_site(site: m.Site, out: Path, base_url: str | None = None,
               templates: Path | None = None, progress: Progress | None = None,
               workers: int = 1, sources: str | None = None) -> BuildReport:
    """Render the site and put it in place of ``out``; ``workers`` processes render.
    ``sources`` (see :func:`~kabul_brief.publish.reuse.sources_digest`) lets the next
    build with the same sources skip all work; leave it None when there were warnings."""
    result = render_site(site, base_url, templates, PreviousBuild.read(out), progress, workers)
    indexed: list[int] = []

    def finish(folder: Path) -> None:
        """Pagefind indexes the new site in its temporary folder, then the manifest
        records it, before the swap."""
        index_site(folder)
        indexed.append(sum(1 for p in (folder / SEARCH_FOLDER).rglob("*") if p.is_file()))
        write_manifest(folder, result.entries, sources)

    publish_tree(out, result.files, before_swap=finish)
    counts = Counter(_what(path) for path in result.files)
    counts[SEARCH_FOLDER] += sum(indexed)
    return BuildReport(counts=tuple(sorted(counts.items())), total=sum(counts.values()),
                       base_url=Urls(base_url or site.settings.base_url).base,
                       pages=result.pages, rendered=result.rendered)
