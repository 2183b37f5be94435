"""The timeline: every event by date, oldest first at ``/timeline/`` and newest first
at ``/timeline/newest/``.

Each entry carries the ids of its actors, disputes and places (the place and the
places it lies within) and its kind as data attributes, which the small script
``timeline.js`` filters by where JavaScript runs. Without it, the page links to the
timelines of one actor, one dispute or one place, which their own pages hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kabul_brief.content import model as m
from kabul_brief.content.dates import year_text
from kabul_brief.publish import datetext, follow, meta
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.pictures import TimeStrip, time_strip
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import EventItem, Kit, Link


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    item: EventItem
    actor: str
    """Ids of the event's actors, space-separated (ids hold no spaces)."""
    dispute: str
    place: str
    """The place and every place it lies within."""
    kind: str


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: str
    anchor: str
    events: tuple[TimelineEntry, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    text: str
    """"India (4)": the name and how many events it has."""


@dataclass(frozen=True, slots=True)
class Filter:
    name: str
    """``actor``, ``dispute``, ``place`` or ``kind``: the entries' data attribute."""
    label: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Pick:
    """Links to the timelines of one actor, one dispute or one place (their pages)."""

    label: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class TimelineView:
    years: tuple[YearGroup, ...]
    count: int
    strip: TimeStrip | None
    exports: tuple[Link, ...]
    """The timeline as iCalendar and TimelineJS JSON."""
    newest: bool
    """Newest first (``/timeline/newest/``) or oldest first."""
    other_order: Link
    filters: tuple[Filter, ...]
    picks: tuple[Pick, ...]
    script: str


def _places(site: m.Site, place_id: m.PlaceId | None) -> list[str]:
    chain: list[str] = []
    while place_id is not None and len(chain) < len(site.places):
        chain.append(place_id)
        place_id = site.places[place_id].within
    return chain


def _choices(counts: Counter[str], name: Callable[[str], str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, f"{name(value)} ({datetext.number(count)})") for value, count in
                 sorted(counts.items(), key=lambda item: (name(item[0]).casefold(), item[0])))


def _picks(label: str, ids: Iterable[str], link: Callable[[str], Link]) -> Pick:
    links = sorted((link(i) for i in ids), key=lambda found: found.text.casefold())
    return Pick(label, tuple(links))


def timeline(kit: Kit, *, newest: bool = False) -> Page:
    site, urls = kit.site, kit.urls
    order = tuple(reversed(site.timeline)) if newest else site.timeline
    years: dict[int, list[TimelineEntry]] = {}
    actors: Counter[str] = Counter()
    disputes: Counter[str] = Counter()
    places: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for event_id in order:
        event = site.events[event_id]
        own_actors = list(dict.fromkeys(a.id for a in event.actors))
        own_places = _places(site, event.place)
        actors.update(own_actors)
        disputes.update(event.disputes)
        places.update(own_places)
        kinds[event.kind] += 1
        years.setdefault(event.date.year, []).append(TimelineEntry(
            item=kit.event_item(event_id), actor=" ".join(own_actors),
            dispute=" ".join(event.disputes), place=" ".join(own_places), kind=event.kind))
    view = TimelineView(
        years=tuple(YearGroup(year=year_text(year), anchor=f"year_{year}", events=tuple(items))
                    for year, items in years.items()),
        count=len(site.timeline),
        strip=time_strip(kit, site.timeline, "timeline_strip", kit.say("Events on record")),
        exports=(Link(urls.url(urls.ICS_PATH), kit.say("Calendar (iCalendar, .ics)")),
                 Link(urls.url(urls.EVENTS_FEED_PATH), kit.say("Events feed (Atom)")),
                 Link(urls.url(urls.TIMELINEJS_PATH), kit.say("TimelineJS data (JSON)"))),
        newest=newest,
        other_order=(Link(urls.url(Urls.TIMELINE_PATH), kit.say("Oldest first")) if newest
                     else Link(urls.url(Urls.TIMELINE_NEWEST_PATH), kit.say("Newest first"))),
        filters=(
            Filter("actor", kit.say("Actor"), _choices(actors, lambda a: kit.actor(a).text)),
            Filter("dispute", kit.say("Dispute"),
                   _choices(disputes, lambda d: kit.dispute(d).text)),
            Filter("place", kit.say("Place"), _choices(places, lambda p: kit.place(p).text)),
            Filter("kind", kit.say("Kind"), _choices(kinds, lambda k: kit.say(k).capitalize())),
        ),
        picks=(
            _picks(kit.say("Actors"), actors, lambda a: Link(
                urls.record("actor", a, "actor_events"), kit.actor(a).text)),
            _picks(kit.say("Disputes"), disputes, lambda d: Link(
                urls.record("dispute", d, "dispute_events"), kit.dispute(d).text)),
            _picks(kit.say("Places"), places, lambda p: Link(
                urls.record("place", p, "place_events"), kit.place(p).text)),
        ),
        script=urls.static("timeline.js"),
    )
    path = Urls.TIMELINE_NEWEST_PATH if newest else Urls.TIMELINE_PATH
    title = kit.say("Timeline, newest first") if newest else kit.say("Timeline")
    page = PageMeta(path=path, title=title, section="timeline",
                    description=kit.say(
                        "Every event on record, in date order, with its place and actors."),
                    jsonld=meta.collection(site, urls, path, title),
                    alternates=follow.timeline_alternates(kit))
    return Page(meta=page, template="timeline.html", view=view)
