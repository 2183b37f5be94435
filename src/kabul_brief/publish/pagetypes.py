"""What the build plans and renders: a page (where it goes, its template, its view) or a
page planned lazily, whose view is made where it is rendered.

Apart from :mod:`~kabul_brief.publish.meta`, which says what a page's ``<head>`` holds:
the page builders, the plan, the renderer and the writer all pass these around.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kabul_brief.publish.meta import PageMeta


@dataclass(frozen=True, slots=True)
class Page:
    """One file to render: where it goes, with which template, from which view."""

    meta: PageMeta
    template: str
    view: object


@dataclass(frozen=True, slots=True)
class RawFile:
    """The view of a page that is its bytes already, written as they are (a calendar:
    its lines escaped and folded by :mod:`~kabul_brief.publish.calendars`)."""

    data: bytes


RAW: str = "(raw)"
"""The template name of a page whose view is a :class:`RawFile`: no template."""


@dataclass(frozen=True, slots=True)
class LazyPage:
    """A page whose view is made where it is rendered, on a worker: making the views of
    an archive's ten thousand record pages is work that should scale with the cores
    too, and the parent process then never holds them all."""

    path: str
    """Where it is written: its site path in its language folder."""
    make: Callable[[], Page]
    folder: str = ""
    """Its language folder (``''``: the main language's page)."""


PlannedPage = Page | LazyPage


def planned_path(page: PlannedPage) -> str:
    """Where the page is written: its site path in its language folder."""
    return page.path if isinstance(page, LazyPage) else page.meta.written_at


def made(page: PlannedPage) -> Page:
    """The page itself, its view made now if it was planned lazily."""
    if isinstance(page, Page):
        return page
    result = page.make()
    if result.meta.written_at != page.path:
        raise AssertionError(
            f"page planned at {page.path!r} was made at {result.meta.written_at!r}")
    return result
