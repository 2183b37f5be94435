"""Everything about one actor, dispute or relationship, to subscribe to: an Atom feed
and a calendar beside its page (``actors/ttp/feed.xml``, ``actors/ttp/calendar.ics``),
for the kinds :data:`~kabul_brief.kinds.FOLLOWED_KINDS` names.

What is about a record:

- an actor: the events it takes part in or makes a claim at, and the articles that
  tag, link to or mention it;
- a dispute: its events, the articles tagging it, and its trend points;
- a relationship: its events and its trend points.

The feed holds the newest :data:`~kabul_brief.publish.feeds.FEED_ENTRIES` of them; the
calendar holds every one of its events whose days are known (see
:mod:`~kabul_brief.publish.calendars`). Both are planned lazily, like the record pages:
their views are made from the tracking model, so an edit of one event makes again only
the feeds and calendars that read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import sort_key
from kabul_brief.publish import feeds
from kabul_brief.publish.calendars import calendar
from kabul_brief.publish.meta import Alternate, PageMeta
from kabul_brief.publish.pagetypes import RAW, Page, RawFile
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import Kit

ATOM: Final = "application/atom+xml"
ICALENDAR: Final = "text/calendar"


@dataclass(frozen=True, slots=True)
class _About:
    name: str
    events: tuple[m.EventId, ...]
    """In timeline order."""
    articles: tuple[m.ArticleId, ...]
    trend: tuple[m.TrendPoint, ...]


def _about(kit: Kit, kind: str, record_id: str) -> _About:
    site, back = kit.site, kit.site.backlinks
    if kind == "actor":
        actor_id = m.ActorId(record_id)
        events = set(back.actor_events[actor_id]) | set(back.claim_events[actor_id])
        ordered = tuple(sorted(events, key=lambda e: (
            sort_key(site.events[e].date, site.events[e].end), e)))
        return _About(site.actors[actor_id].name, ordered, back.actor_articles[actor_id], ())
    if kind == "dispute":
        dispute_id = m.DisputeId(record_id)
        dispute = site.disputes[dispute_id]
        return _About(dispute.title, back.dispute_events[dispute_id],
                      back.dispute_articles[dispute_id], dispute.trend)
    if kind == "relationship":
        relationship_id = m.RelationshipId(record_id)
        relationship = site.relationships[relationship_id]
        return _About(relationship.title, back.relationship_events[relationship_id], (),
                      relationship.trend)
    raise ValueError(f"{kind} records have no feed")  # kinds.FOLLOWED_KINDS names them


def record_feed(kit: Kit, kind: str, record_id: str) -> Page:
    about = _about(kit, kind, record_id)
    entries = [
        *(feeds.event_entry(kit, e) for e in about.events),
        *(feeds.article_entry(kit, a) for a in about.articles),
        *feeds.trend_entries(kit, kind, record_id, about.name, about.trend),
    ]
    return feeds.feed_page(kit, Urls.record_feed_path(kind, record_id),
                           f"{kit.site.settings.title}: {about.name}",
                           Urls.record_path(kind, record_id), feeds.newest(entries),
                           kit.say("Everything about %(name)s: events, articles and trends.",
                                   name=about.name))


def record_calendar(kit: Kit, kind: str, record_id: str) -> Page:
    about = _about(kit, kind, record_id)
    path = Urls.record_calendar_path(kind, record_id)
    data = calendar(kit, about.events, about.name,
                    kit.urls.absolute(kit.urls.record(kind, record_id)))
    meta = PageMeta(path=path, title=about.name, description=None, section=None)
    return Page(meta=meta, template=RAW, view=RawFile(data))


MAKERS: Final[tuple[tuple[Callable[[str, str], str], Callable[[Kit, str, str], Page]], ...]] = (
    (Urls.record_feed_path, record_feed),
    (Urls.record_calendar_path, record_calendar),
)
"""(where it goes, what makes it) for each file beside a followed record's page."""


def alternates(kit: Kit, kind: str, record_id: str, name: str) -> tuple[Alternate, ...]:
    """The feed and the calendar of a followed record, for its page."""
    urls = kit.urls
    return (
        Alternate(ATOM, urls.url(Urls.record_feed_path(kind, record_id)),
                  kit.say("Follow %(name)s (Atom feed)", name=name)),
        Alternate(ICALENDAR, urls.url(Urls.record_calendar_path(kind, record_id)),
                  kit.say("Calendar of %(name)s (iCalendar, .ics)", name=name)),
    )


def timeline_alternates(kit: Kit) -> tuple[Alternate, ...]:
    urls = kit.urls
    return (
        Alternate(ATOM, urls.url(Urls.EVENTS_FEED_PATH), kit.say("Follow the events (Atom feed)")),
        Alternate(ICALENDAR, urls.url(Urls.ICS_PATH),
                  kit.say("Calendar of the events (iCalendar, .ics)")),
    )
