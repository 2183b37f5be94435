"""The Atom feed of articles, the sitemap and robots.txt.

Nothing here reads a clock: the feed's ``updated`` is the newest article's
``updated`` or ``date``, so two builds of the same content are byte-identical. A
date given to the month becomes the first instant of that month in UTC, since
Atom needs a full timestamp with a time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.kinds import LINKED_KINDS
from kabul_brief.publish.meta import PageMeta, plain
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import Kit

FEED_PATH: Final = Urls.FEED_PATH
SITEMAP_PATH: Final = Urls.SITEMAP_PATH
NO_ENTRIES: Final = "1970-01-01T00:00:00Z"
"""The ``updated`` of a feed with no entries: a fixed instant, never a clock's."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    url: str
    title: str
    published: str
    updated: str
    authors: tuple[str, ...]
    summary: str | None
    content: str
    """HTML as text: the template escapes it, as Atom's ``type="html"`` wants."""


@dataclass(frozen=True, slots=True)
class FeedView:
    id: str
    title: str
    subtitle: str | None
    self_url: str
    site_url: str
    updated: str
    language: str
    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None


def timestamp(date: PartialDate) -> str:
    """RFC 3339 for Atom: the start of the period, in UTC."""
    return f"{date.start.isoformat()}T00:00:00Z"


def _entry(kit: Kit, article: m.Article) -> FeedEntry:
    url = kit.urls.absolute(kit.urls.record("article", article.id))
    summary = article.summary
    return FeedEntry(
        id=url, url=url, title=article.title, published=timestamp(article.date),
        updated=timestamp(article.updated or article.date),
        authors=article.authors or (kit.site.settings.title,),
        summary=plain(summary, limit=1000),
        content=kit.urls.rewrite(article.body.html, absolute=True),
    )


def feed(kit: Kit) -> Page:
    settings = kit.site.settings
    entries = tuple(_entry(kit, kit.site.articles[a]) for a in kit.site.articles_by_date)
    updated = max((e.updated for e in entries), default=NO_ENTRIES)
    view = FeedView(
        id=kit.urls.base, title=settings.title, subtitle=settings.tagline,
        self_url=kit.urls.absolute_path(FEED_PATH), site_url=kit.urls.base, updated=updated,
        language=settings.language, entries=entries,
    )
    page = PageMeta(path=FEED_PATH, title=settings.title, description=None, section=None)
    return Page(meta=page, template="feed.xml", view=view)


_PAGED_KINDS: Final = frozenset(kind.name for kind in LINKED_KINDS)
"""The kinds whose records have pages of their own."""


def sitemap(kit: Kit, paths: Iterable[str]) -> Page:
    """Every page of the site (``paths``: as planned), with the day each record's page
    last changed: its file's last commit, else (outside git) an article's own date."""
    lastmod: dict[str, str] = {}
    for article_id, article in kit.site.articles.items():
        changed = article.updated or article.date
        if changed.day is not None:  # the sitemaps.org schema wants a full date: never invent one
            lastmod[kit.urls.record_path("article", article_id)] = changed.iso
    for key, history in kit.site.history.items():
        kind, _, record_id = key.partition("/")
        if kind in _PAGED_KINDS:
            lastmod[kit.urls.record_path(kind, record_id)] = history.updated.isoformat()
    entries = tuple(
        SitemapEntry(kit.urls.absolute_path(path), lastmod.get(path))
        for path in sorted(paths)
        if path == "" or path.endswith("/")
    )
    page = PageMeta(path=SITEMAP_PATH, title="Sitemap", description=None, section=None)
    return Page(meta=page, template="sitemap.xml", view=entries)


def robots(kit: Kit) -> str:
    return (
        "User-agent: *\n"
        "Disallow:\n"
        f"Sitemap: {kit.urls.absolute_path(SITEMAP_PATH)}\n"
    )
