"""The page plan: every file the build writes, decided before anything is rendered.

A plan is a list of pages (output path, template, view) plus plain files (data,
robots.txt, the stylesheet). Two entries claiming one output path are a bug, found
here rather than discovered as a page silently overwritten on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kabul_brief.content import model as m
from kabul_brief.publish import feeds, pages, readers, records, topics
from kabul_brief.publish.data import data_files
from kabul_brief.publish.exports import export_files
from kabul_brief.publish.meta import Page
from kabul_brief.publish.urls import Urls, output_path
from kabul_brief.publish.views import Kit
from kabul_brief.workers import in_background

STATIC_FOLDER = "static"


class PathCollision(Exception):
    """Two planned files would be written to the same path."""


@dataclass(frozen=True, slots=True)
class Plan:
    pages: tuple[Page, ...]
    files: dict[str, bytes]
    """Output path -> content, for files that need no template."""

    def output_paths(self) -> list[str]:
        return [output_path(p.meta.path) for p in self.pages] + list(self.files)


def plan_pages(kit: Kit, network: Callable[[], Page] | None = None) -> tuple[Page, ...]:
    """Every HTML page and XML document, in a fixed order; ``network`` gives the network
    page when another process lays it out."""
    site = kit.site
    planned: list[Page] = [
        pages.front(kit),
        pages.articles_index(kit),
        *(pages.article(kit, a) for a in site.articles),
        pages.timeline(kit),
        records.actors_index(kit),
        *(records.actor(kit, a) for a in site.actors),
        *(records.event(kit, e) for e in site.events),
        records.places_index(kit),
        *(records.place(kit, p) for p in site.places),
        topics.disputes_index(kit),
        *(topics.dispute(kit, d) for d in site.disputes),
        topics.relationships_index(kit),
        *(topics.relationship(kit, r) for r in site.relationships),
        topics.sources_index(kit),
        *(topics.source(kit, s) for s in site.sources),
        network() if network is not None else readers.network_page(kit),
        readers.search(kit),
        *(pages.standing(kit, p) for p in site.pages),
        pages.not_found(kit),
    ]
    planned.append(feeds.feed(kit))
    planned.append(feeds.sitemap(kit, tuple(planned)))
    return tuple(planned)


def static_files(folder: Path) -> dict[str, bytes]:
    """``templates/static/**`` copied as is, under ``static/``."""
    source = folder / STATIC_FOLDER
    if not source.is_dir():
        return {}
    return {
        f"{STATIC_FOLDER}/{path.relative_to(source).as_posix()}": path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


@dataclass(frozen=True, slots=True)
class _Slow:
    """The parts of the plan that take long and that no page waits for."""

    network: Page
    files: dict[str, bytes]


def plan_site(site: m.Site, urls: Urls, templates: Path, workers: int = 1) -> Plan:
    """The plan; with ``workers`` above 1 the network page (its layout) and the data
    files and exports are made on another process while the pages are planned."""
    kit = Kit(site, urls)
    slow = in_background(
        lambda: _Slow(network=readers.network_page(kit),
                      files={**data_files(site, urls), **export_files(site, urls)}),
        workers)
    waited: list[_Slow] = []

    def slow_parts() -> _Slow:
        if not waited:
            waited.append(slow())
        return waited[0]

    pages = plan_pages(kit, lambda: slow_parts().network)  # one kit: links made once
    files = {
        **static_files(templates),
        **slow_parts().files,
        "robots.txt": feeds.robots(kit).encode(),
    }
    plan = Plan(pages=pages, files=files)
    check_collisions(plan.output_paths())
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


def kind_of(path: str) -> str:
    """How the build report counts a file: by folder (``actors``), else by name."""
    head = path.split("/", 1)[0]
    if "/" not in path:
        return "pages" if path.endswith(".html") else head
    return head
