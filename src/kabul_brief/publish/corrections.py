"""``/corrections/`` and ``/corrections/feed.xml``: every correction of the site.

Each record's page shows its own corrections before its body (the view's
``corrections``, made by :meth:`~kabul_brief.publish.views.Kit.corrections`); here they
are gathered from every kind, newest first, each linking its record's page at the
correction itself. Ties of one day go by the kinds' order, then the record's id, then
the order of the record's own list, so the order never depends on anything but the
content.

The feed is the Atom feed of :mod:`~kabul_brief.publish.feeds`, with the same template:
its ``updated`` is the newest correction's day, so no clock is read; an entry's id is
its record's URL with the correction's anchor (``#correction_2025-05-06``), which stays
the same while the record keeps its id and the correction its day. A site with no
corrections has the page (saying there are none yet) and a valid feed with no entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup as SafeHtml

from kabul_brief.content import model as m
from kabul_brief.kinds import RECORD_KINDS
from kabul_brief.publish import meta
from kabul_brief.publish.feeds import FeedEntry, feed_page, timestamp
from kabul_brief.publish.interface import N_
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import DateView, Kit, Link, correction_anchors, date_view

PATH: Final = Urls.CORRECTIONS_PATH
FEED_PATH: Final = Urls.CORRECTIONS_FEED_PATH
TITLE: Final = N_("Corrections")


@dataclass(frozen=True, slots=True)
class CorrectionItem:
    """One correction as the list shows it."""

    record: Link
    """The corrected record's page."""
    kind: str
    """What the record is: ``Event``, ``Article``, ..."""
    url: str
    """The correction itself on the record's page."""
    date: DateView
    text: SafeHtml


@dataclass(frozen=True, slots=True)
class CorrectionsView:
    items: tuple[CorrectionItem, ...]
    feed: str
    """The URL of the feed of corrections."""


@dataclass(frozen=True, slots=True)
class _Found:
    kind: str
    record_id: str
    anchor: str
    correction: m.Correction


def _every_correction(site: m.Site) -> list[_Found]:
    """Every correction of the site, newest first (ties as the module says)."""
    found: list[tuple[tuple[int, int, str, int], _Found]] = []
    for order, kind in enumerate(RECORD_KINDS):
        for record_id, record in site.records(kind.name).items():
            corrections: tuple[m.Correction, ...] = record.corrections
            anchors = correction_anchors(corrections)
            for position, (anchor, correction) in enumerate(
                    zip(anchors, corrections, strict=True)):
                key = (-correction.date.start.toordinal(), order, record_id, position)
                found.append((key, _Found(kind.name, record_id, anchor, correction)))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def _url(kit: Kit, found: _Found) -> str:
    if found.kind == "page":
        return kit.urls.url(kit.urls.page_path(found.record_id), found.anchor)
    return kit.urls.record(found.kind, found.record_id, found.anchor)


def _items(kit: Kit) -> Iterator[tuple[_Found, CorrectionItem]]:
    labels = {kind.name: kind.label for kind in RECORD_KINDS}
    for found in _every_correction(kit.site):
        yield found, CorrectionItem(
            record=kit.record(found.kind, found.record_id), kind=labels[found.kind],
            url=_url(kit, found), date=date_view(found.correction.date),
            text=kit.html(found.correction.text) or SafeHtml(""))


def newest_day(site: m.Site) -> dt.date | None:
    """The day of the newest correction: when the list last changed, as the sitemap's
    ``lastmod``, the page's ``dateModified`` and the feed's ``updated`` give it (a
    correction is dated the day it is published, which ``check --since`` holds editors
    to); None for a site with no corrections."""
    return max((c.date.start for kind in RECORD_KINDS
                for record in site.records(kind.name).values() for c in record.corrections),
               default=None)


def corrections_page(kit: Kit) -> Page:
    """``/corrections/``: every correction, newest first, each linking its record."""
    view = CorrectionsView(items=tuple(item for _, item in _items(kit)),
                           feed=kit.urls.url(FEED_PATH))
    title = kit.say(TITLE)
    jsonld = meta.collection(kit.site, kit.urls, PATH, title)
    newest = newest_day(kit.site)
    if newest is not None:
        jsonld = {**jsonld, "dateModified": newest.isoformat()}
    page = PageMeta(path=PATH, title=title, section=None,
                    description=kit.say("Every correction of this site, newest first."),
                    jsonld=jsonld)
    return Page(meta=page, template="corrections.html", view=view)


def corrections_feed(kit: Kit) -> Page:
    """``/corrections/feed.xml``: the corrections as an Atom feed, newest first."""
    settings = kit.site.settings
    entries = tuple(
        FeedEntry(
            id=url, url=url, title=kit.say("Correction: %(name)s", name=item.record.text),
            published=timestamp(found.correction.date),
            updated=timestamp(found.correction.date),
            authors=(settings.title,), summary=meta.plain(found.correction.text, limit=1000),
            content=kit.urls.rewrite(found.correction.text.html, absolute=True),
        )
        for found, item in _items(kit)
        for url in [kit.urls.absolute(item.url)]
    )
    return feed_page(kit, FEED_PATH, kit.say("%(site)s: corrections", site=settings.title),
                     PATH, entries,
                     feed_id=kit.urls.absolute_path(PATH))
