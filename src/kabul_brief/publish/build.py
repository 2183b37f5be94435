"""Publish a validated :class:`~kabul_brief.content.model.Site`: plan, render, write.

Every page is rendered into memory before the first byte reaches the disk, so a
template error leaves ``--out`` as it was; the writer then swaps the new site in
whole. Only the CLI prints: this returns a report of what was written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kabul_brief.content import model as m
from kabul_brief.publish.plan import plan_site
from kabul_brief.publish.render import Renderer, templates_dir
from kabul_brief.publish.search import index_site
from kabul_brief.publish.urls import Urls, output_path
from kabul_brief.publish.writer import publish_tree

_ROOT_FILES = {"index.html": "front page", "404.html": "404 page"}
SEARCH_FOLDER = Urls.PAGEFIND_FOLDER


@dataclass(frozen=True, slots=True)
class BuildReport:
    counts: tuple[tuple[str, int], ...]
    """(what, how many files), in a fixed order."""
    total: int
    base_url: str


def _what(path: str) -> str:
    if "/" in path:
        return path.split("/", 1)[0]
    return _ROOT_FILES.get(path, path)


def render_site(site: m.Site, base_url: str | None = None,
                templates: Path | None = None) -> dict[str, bytes]:
    """Every file of the site, by output path; nothing is written."""
    folder = templates or templates_dir()
    urls = Urls(base_url or site.settings.base_url)
    plan = plan_site(site, urls, folder)
    renderer = Renderer(site, urls, folder)
    files = dict(plan.files)
    for page in plan.pages:
        files[output_path(page.meta.path)] = renderer.render(page)
    return files


def build_site(site: m.Site, out: Path, base_url: str | None = None,
               templates: Path | None = None) -> BuildReport:
    files = render_site(site, base_url, templates)
    indexed: list[int] = []

    def index(folder: Path) -> None:
        """Pagefind indexes the new site in its temporary folder, before the swap."""
        index_site(folder)
        indexed.append(sum(1 for p in (folder / SEARCH_FOLDER).rglob("*") if p.is_file()))

    publish_tree(out, files, before_swap=index)
    counts = Counter(_what(path) for path in files)
    counts[SEARCH_FOLDER] += sum(indexed)
    return BuildReport(counts=tuple(sorted(counts.items())), total=len(files) + sum(indexed),
                       base_url=Urls(base_url or site.settings.base_url).base)
