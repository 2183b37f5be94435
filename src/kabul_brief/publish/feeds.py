"""The Atom feeds (articles, events, and everything about one actor, dispute or
relationship), the sitemap and robots.txt.

Nothing here reads a clock: a feed's ``updated`` is its newest entry's, so two builds
of the same content are byte-identical. No time is invented where it can be helped.
Atom needs a full timestamp in an entry's ``updated`` and in ``published`` if it is
given, so:

- In a git work tree, ``published`` and ``updated`` are the days the record's file
  was first and last committed: the same days as the page's "Published" and
  "Updated", its JSON-LD and the sitemap's ``lastmod``. An event's own date says when
  it happened, not when the entry changed: a summit announced for December is no
  entry updated in December.
- Outside git, ``published`` is given only where a day is known (an article's
  ``date`` given to the day; it is optional), and ``updated`` (required) is the
  record's own date (an article's ``updated`` or ``date``): the first instant of its
  period, the least a reader can take from "May 2025" (a feed reader shows it as 1 May).

A day is written as its first instant in UTC (``2025-05-04T00:00:00Z``): git and the
editors give days, never times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.kinds import LINKED_KINDS
from kabul_brief.publish import datetext
from kabul_brief.publish.localize import bare
from kabul_brief.publish.meta import PageMeta, plain
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import TREND_WORDS, Kit, trend_anchors

FEED_PATH: Final = Urls.FEED_PATH
EVENTS_FEED_PATH: Final = Urls.EVENTS_FEED_PATH
SITEMAP_PATH: Final = Urls.SITEMAP_PATH
NO_ENTRIES: Final = "1970-01-01T00:00:00Z"
"""The ``updated`` of a feed with no entry (Atom requires one; nothing changed)."""
FEED_ENTRIES: Final = 100
"""The newest entries the events feed and a record's feed hold; the page lists all."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    url: str
    title: str
    published: str | None
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
    page_url: str
    """The page the feed is about (``rel="alternate"``)."""
    author: str
    updated: str
    language: str
    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None
    alternates: tuple[tuple[str, str], ...] = ()
    """(hreflang, absolute URL) of each language version, itself and ``x-default``
    included; none in a site of one language."""


def instant(day: dt.date) -> str:
    """RFC 3339 for Atom: the first instant of the day, in UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def timestamp(date: PartialDate) -> str:
    """The first instant of the period a date names."""
    return instant(date.start)


def _updated(own: PartialDate, history: m.FileHistory | None) -> str:
    return timestamp(own) if history is None else instant(history.updated)


def _published(own: PartialDate | None, history: m.FileHistory | None) -> str | None:
    if history is not None:
        return instant(history.published)
    return timestamp(own) if own is not None and own.day is not None else None


def article_entry(kit: Kit, article_id: m.ArticleId) -> FeedEntry:
    def make() -> FeedEntry:
        article = kit.site.articles[article_id]
        history = kit.site.history_of("article", article_id)
        url = kit.urls.absolute(kit.urls.record("article", article.id))
        return FeedEntry(
            id=url, url=url, title=article.title,
            published=_published(article.date, history),
            updated=_updated(article.updated or article.date, history),
            authors=article.authors, summary=plain(article.summary, limit=1000),
            content=kit.urls.rewrite(article.body.html, absolute=True),
        )
    return kit.remember(("feed entry", "article", article_id), make)


def _when_text(kit: Kit, date: PartialDate, end: PartialDate | None, circa: bool) -> str:
    """A date or range as the feed's language writes it (its words and digits)."""
    text = datetext.text(date) if end is None or end == date else (
        f"{datetext.text(date)} {kit.say('to')} {datetext.text(end)}")
    return f"{kit.say('c.')} {text}" if circa else text


def _html_say(kit: Kit, message: str, **html: str) -> str:
    """A message of the interface around pieces of HTML: the message escaped (a
    site's own catalog gives text, not markup), the pieces as they are."""
    return escape(kit.words.gettext(message)) % html


def event_entry(kit: Kit, event_id: m.EventId) -> FeedEntry:
    def make() -> FeedEntry:
        site, urls = kit.site, kit.urls
        event = site.events[event_id]
        history = site.history_of("event", event_id)
        url = urls.absolute(urls.record("event", event_id))
        facts = [f'<time datetime="{event.date.iso}">'
                 f"{escape(_when_text(kit, event.date, event.end, event.circa))}</time>"]
        if event.as_reported:
            facts.append(_html_say(kit, "as reported: %(said)s",
                                   said=str(escape(event.as_reported))))
        if event.place is not None:
            place = site.places[event.place]
            facts.append(f'<a href="{escape(urls.absolute(urls.record("place", place.id)))}">'
                         f"{escape(place.name)}</a>")
        actors = str(escape(kit.say(", "))).join(
            f'<a href="{escape(urls.absolute(urls.record("actor", a.id)))}">'
            f"{escape(site.actors[a.id].name)}</a>" for a in event.actors)
        content = (f"<p>{escape(kit.say(event.kind).capitalize())}{escape(kit.say(', '))}"
                   + escape(kit.say("; ")).join(facts) + ".</p>")
        if event.summary is not None:
            content += urls.rewrite(event.summary.html, absolute=True)
        if actors:
            with_them = _html_say(kit, "With %(actors)s.", actors=actors)
            content += f"<p>{with_them}</p>"
        return FeedEntry(
            id=url, url=url, title=event.title, published=_published(None, history),
            updated=_updated(event.date, history), authors=(),
            summary=plain(event.summary, limit=1000), content=content,
        )
    return kit.remember(("feed entry", "event", event_id), make)


def trend_entries(kit: Kit, kind: str, record_id: str, title: str,
                  trend: tuple[m.TrendPoint, ...]) -> list[FeedEntry]:
    """A dispute's or relationship's trend points, each an entry linking its place on
    the page (``#trend_2025-04``). A point says when the trend was seen; in git the
    entry is updated when the record's file last was, like every other entry."""
    page = kit.urls.absolute(kit.urls.record(kind, record_id))
    history = kit.site.history_of(kind, record_id)
    entries = []
    for anchor, point in zip(trend_anchors(trend), trend, strict=True):
        url = f"{page}#{anchor}"
        when = _when_text(kit, point.date, None, point.circa)
        note = kit.urls.rewrite(point.note.html, absolute=True) if point.note else ""
        entries.append(FeedEntry(
            id=url, url=url, published=None,
            title=bare(kit.say("%(topic)s: %(direction)s (%(date)s)", topic=title,
                               direction=kit.say(point.direction), date=when)),
            updated=_updated(point.date, history), authors=(),
            summary=plain(point.note, limit=1000),
            content=f'<p>{escape(kit.say(TREND_WORDS[point.direction]))}'
                    f'{escape(kit.say(", "))}<time datetime="'
                    f'{point.date.iso}">{escape(when)}</time>.</p>{note}',
        ))
    return entries


def newest(entries: Iterable[FeedEntry], limit: int | None = FEED_ENTRIES
           ) -> tuple[FeedEntry, ...]:
    """Newest ``updated`` first, then by id; at most ``limit``."""
    ordered = sorted(entries, key=lambda e: e.id)
    ordered.sort(key=lambda e: e.updated, reverse=True)
    return tuple(ordered[:limit])


def feed_page(kit: Kit, path: str, title: str, page_path: str,
              entries: tuple[FeedEntry, ...], subtitle: str | None = None,
              feed_id: str | None = None) -> Page:
    """An Atom feed at ``path`` about the page at ``page_path``; its id is its own
    address unless ``feed_id`` is given."""
    settings = kit.site.settings
    view = FeedView(
        id=feed_id or kit.urls.absolute_path(path), title=title, subtitle=subtitle,
        self_url=kit.urls.absolute_path(path), page_url=kit.urls.absolute_path(page_path),
        author=settings.title, updated=max((e.updated for e in entries), default=NO_ENTRIES),
        language=settings.language, entries=entries,
    )
    page = PageMeta(path=path, title=title, description=None, section=None)
    return Page(meta=page, template="feed.xml", view=view)


def feed(kit: Kit) -> Page:
    """Every article, newest first; its id is the site's address, as it always was."""
    settings = kit.site.settings
    entries = tuple(article_entry(kit, a) for a in kit.site.articles_by_date)
    return feed_page(kit, FEED_PATH, settings.title, "", entries, settings.tagline,
                     feed_id=kit.urls.base)


def events_feed(kit: Kit) -> Page:
    """The newest events (by their revision where git tells it, else by date)."""
    entries = newest(event_entry(kit, e) for e in kit.site.timeline)
    return feed_page(kit, EVENTS_FEED_PATH,
                     kit.say("%(site)s: events", site=kit.site.settings.title),
                     Urls.TIMELINE_PATH, entries)


_PAGED_KINDS: Final = frozenset(kind.name for kind in LINKED_KINDS)
"""The kinds whose records have pages of their own."""


def sitemap(kit: Kit, paths: Iterable[str], known: Mapping[str, str] | None = None,
            folders: Sequence[str] = ()) -> Page:
    """Every page of the site (``paths``: the main language's, as planned), with the
    day each record's page last changed: its file's last commit, else (outside git) an
    article's own date; ``known`` gives the day of other pages that know theirs
    (``/corrections/``). With further languages (``folders``, in the order of the
    site's languages after the main one), each page in each language, listing all
    its language versions."""
    lastmod: dict[str, str] = dict(known or {})
    for article_id, article in kit.site.articles.items():
        changed = article.updated or article.date
        if changed.day is not None:  # the sitemaps.org schema wants a full date: never invent one
            lastmod[kit.urls.record_path("article", article_id)] = changed.iso
    for key, history in kit.site.history.items():
        kind, _, record_id = key.partition("/")
        if kind in _PAGED_KINDS:
            lastmod[kit.urls.record_path(kind, record_id)] = history.updated.isoformat()
    languages = kit.site.settings.languages
    versions = tuple(zip((language.code for language in languages), ("", *folders),
                         strict=False)) if folders else ()
    entries = []
    for path in sorted(paths):
        if not (path == "" or path.endswith("/")):
            continue
        alternates = tuple((code, kit.urls.language(folder).absolute_path(path))
                           for code, folder in versions)
        if alternates:
            alternates += (("x-default", alternates[0][1]),)
        entries += [SitemapEntry(kit.urls.language(folder).absolute_path(path),
                                 lastmod.get(path), alternates)
                    for folder in ("", *folders)]
    page = PageMeta(path=SITEMAP_PATH, title="Sitemap", description=None, section=None)
    return Page(meta=page, template="sitemap.xml", view=tuple(entries))


def robots(kit: Kit) -> str:
    """Crawlers read ``/robots.txt`` at the root of the host only: a site published
    under a sub-path writes this one where none will look (see ``docs/data.md``)."""
    return (
        "User-agent: *\n"
        "Disallow:\n"
        f"Sitemap: {kit.urls.absolute_path(SITEMAP_PATH)}\n"
    )
