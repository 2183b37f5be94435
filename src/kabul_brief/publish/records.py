"""Views of the pages about who and where: actors, events and places.

Each function returns the :class:`~kabul_brief.publish.pagetypes.Page` to render. The
reverse indexes (an actor's events, a place's events within) come from the model's
:class:`~kabul_brief.content.model.Backlinks`, computed once by the linker.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup as SafeHtml

from kabul_brief.content import model as m
from kabul_brief.kinds import KINDS
from kabul_brief.publish import follow, meta
from kabul_brief.publish.localize import typeset
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.network import Neighbourhood, neighbourhood
from kabul_brief.publish.pages import ArticleCard, article_card
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.pictures import TimeStrip, time_strip
from kabul_brief.publish.urls import safe_external
from kabul_brief.publish.views import (
    KIND_LABELS,
    ActorRole,
    CorrectionView,
    EventItem,
    Kit,
    Link,
    Note,
    Notes,
    TrendView,
    When,
    fact_anchor,
    when,
)


@dataclass(frozen=True, slots=True)
class Group:
    label: str
    anchor: str
    items: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class RoleView:
    title: str
    of: Link
    start: When | None
    end: When | None


@dataclass(frozen=True, slots=True)
class RoleEvents:
    """Events of a body while this actor held a role in it, which it did not take part in
    by name: what the Foreign Secretary's ministry did during his tenure."""

    role: str
    body: Link
    events: tuple[EventItem, ...]


@dataclass(frozen=True, slots=True)
class ActorDispute:
    link: Link
    status: str
    position: SafeHtml | None
    """The actor's own position, if it holds one."""


@dataclass(frozen=True, slots=True)
class ActorRelationship:
    link: Link
    other: Link
    latest: TrendView | None


@dataclass(frozen=True, slots=True)
class ActorView:
    name: str
    kind: str
    aliases: tuple[str, ...]
    summary: SafeHtml | None
    country: Link | None
    roles: tuple[RoleView, ...]
    holders: tuple[ActorRole, ...]
    """People and bodies holding a role in this actor."""
    events: tuple[EventItem, ...]
    through_roles: tuple[RoleEvents, ...]
    disputes: tuple[ActorDispute, ...]
    relationships: tuple[ActorRelationship, ...]
    articles: tuple[ArticleCard, ...]
    ties: Neighbourhood | None
    """Its ties to other actors, as a picture and a list."""
    links: tuple[Link, ...]
    strip: TimeStrip | None
    corrections: tuple[CorrectionView, ...]


@dataclass(frozen=True, slots=True)
class ClaimView:
    anchor: str
    speaker: Link
    text: SafeHtml
    refs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class EventView:
    item: EventItem
    where: tuple[Link, ...]
    """The place, then the places it is within."""
    summary: SafeHtml | None
    claims: tuple[ClaimView, ...]
    disputes: tuple[Link, ...]
    relationships: tuple[Link, ...]
    refs: tuple[int, ...]
    notes: tuple[Note, ...]
    previous: Link | None
    """The event before this one on the timeline."""
    next: Link | None
    corrections: tuple[CorrectionView, ...]


@dataclass(frozen=True, slots=True)
class PlaceView:
    name: str
    kind: str
    within: tuple[Link, ...]
    coordinates: tuple[str, str] | None
    map_url: str | None
    summary: SafeHtml | None
    events_here: tuple[EventItem, ...]
    events_within: tuple[EventItem, ...]
    children: tuple[Link, ...]
    actors: tuple[Link, ...]
    corrections: tuple[CorrectionView, ...]


@dataclass(frozen=True, slots=True)
class PlaceNode:
    link: Link
    kind: str
    children: tuple[PlaceNode, ...]


def actors_index(kit: Kit) -> Page:
    groups: dict[str, list[Link]] = {kind: [] for kind in KIND_LABELS}
    for actor_id, actor in kit.site.actors.items():
        groups.setdefault(actor.kind, []).append(kit.actor(actor_id))
    view = tuple(Group(kit.say(KIND_LABELS.get(kind, kind)), f"kind_{kind}", tuple(items))
                 for kind, items in groups.items() if items)
    page = meta.index_page(kit.site, kit.urls, "actor",
                           kit.say("People, states, governments and groups, by kind."),
                           kit.say(KINDS["actor"].plural))
    return Page(meta=page, template="actors.html", view=view)


def actor(kit: Kit, actor_id: m.ActorId) -> Page:
    site, back = kit.site, kit.site.backlinks
    item = site.actors[actor_id]
    roles_in = {e: a.role for e in back.actor_events[actor_id]
                for a in site.events[e].actors if a.id == actor_id}
    holders = tuple(ActorRole(kit.actor(holder.actor), holder.title)
                    for holder in back.role_holders[actor_id] if holder.current)
    disputes = []
    for dispute_id in back.actor_disputes[actor_id]:
        dispute = site.disputes[dispute_id]
        own = next((p for p in dispute.positions if p.actor == actor_id), None)
        disputes.append(ActorDispute(kit.dispute(dispute_id), dispute.status,
                                     kit.html(own.text) if own else None))
    relationships = []
    for relationship_id in back.actor_relationships[actor_id]:
        relationship = site.relationships[relationship_id]
        other = next((p for p in relationship.parties if p != actor_id), actor_id)
        trend = kit.trend(relationship.trend, None)
        relationships.append(ActorRelationship(kit.relationship(relationship_id),
                                               kit.actor(other), trend[-1] if trend else None))
    view = ActorView(
        name=typeset(item.name), kind=item.kind,
        aliases=tuple(typeset(alias) for alias in item.aliases), summary=kit.html(item.summary),
        country=kit.place(item.country) if item.country else None,
        roles=tuple(RoleView(r.title, kit.actor(r.of), when(r.start) if r.start else None,
                             when(r.end) if r.end else None) for r in item.roles),
        holders=holders,
        events=tuple(kit.event_item(e, roles_in.get(e), besides=actor_id)
                     for e in back.actor_events[actor_id]),
        through_roles=_through_roles(kit, actor_id),
        disputes=tuple(disputes), relationships=tuple(relationships),
        articles=tuple(article_card(kit, a) for a in back.actor_articles[actor_id]),
        ties=neighbourhood(kit, actor_id),
        links=tuple(Link(url, link.title) for link in item.links
                    if (url := safe_external(link.url))),
        strip=time_strip(kit, back.actor_events[actor_id], "actor_strip",
                         kit.say("Events involving %(name)s", name=item.name)),
        corrections=kit.corrections(item.corrections),
    )
    page = PageMeta(path=kit.urls.record_path("actor", actor_id), title=typeset(item.name),
                    description=meta.plain(item.summary), section=KINDS["actor"].folder,
                    og_type="profile",
                    jsonld=meta.actor(site, kit.urls, item), draft=item.draft,
                    alternates=follow.alternates(kit, "actor", actor_id, item.name))
    return Page(meta=page, template="actor.html", view=view)


def _through_roles(kit: Kit, actor_id: m.ActorId) -> tuple[RoleEvents, ...]:
    """For each role, the body's events dated within the role's period (a role with no
    ``from`` counts from the start, one with no ``to`` until now)."""
    site, back = kit.site, kit.site.backlinks
    own = set(back.actor_events[actor_id])
    groups = []
    for role in site.actors[actor_id].roles:
        events = tuple(
            kit.event_item(e) for e in back.actor_events[role.of]
            if e not in own
            and (role.start is None or site.events[e].date.end >= role.start.start)
            and (role.end is None or site.events[e].date.start <= role.end.end)
        )
        if events:
            groups.append(RoleEvents(role.title, kit.actor(role.of), events))
    return tuple(groups)


def _place_chain(kit: Kit, place_id: m.PlaceId | None) -> tuple[Link, ...]:
    chain: list[Link] = []
    while place_id is not None and len(chain) < len(kit.site.places):
        chain.append(kit.place(place_id))
        place_id = kit.site.places[place_id].within
    return tuple(chain)


def event(kit: Kit, event_id: m.EventId) -> Page:
    item = kit.site.events[event_id]
    notes = Notes(kit)
    refs = notes.refs(item.sources)
    claims = tuple(
        ClaimView(fact_anchor("claim", i), kit.actor(claim.by),
                  kit.html(claim.text) or SafeHtml(""), notes.refs(claim.sources))
        for i, claim in enumerate(item.claims)
    )
    previous, after = kit.neighbours(event_id)
    view = EventView(
        item=kit.event_item(event_id), where=_place_chain(kit, item.place),
        summary=kit.html(item.summary), claims=claims,
        disputes=tuple(kit.dispute(d) for d in item.disputes),
        relationships=tuple(kit.relationship(r) for r in item.relationships),
        refs=refs, notes=notes.items, previous=previous, next=after,
        corrections=kit.corrections(item.corrections),
    )
    page = PageMeta(path=kit.urls.record_path("event", event_id), title=typeset(item.title),
                    description=meta.plain(item.summary), section="timeline",
                    jsonld=meta.event(kit.site, kit.urls, item), draft=item.draft)
    return Page(meta=page, template="event.html", view=view)


def _tree(kit: Kit, place_id: m.PlaceId, depth: int = 0) -> PlaceNode:
    children = kit.site.backlinks.place_children[place_id] if depth < 32 else ()
    return PlaceNode(kit.place(place_id), kit.site.places[place_id].kind,
                     tuple(_tree(kit, c, depth + 1) for c in children))


def places_index(kit: Kit) -> Page:
    roots = [p for p, place in kit.site.places.items() if place.within is None]
    page = meta.index_page(kit.site, kit.urls, "place",
                           kit.say("Countries, regions, cities and sites, each within the next."),
                           kit.say(KINDS["place"].plural))
    return Page(meta=page, template="places.html", view=tuple(_tree(kit, p) for p in roots))


def place(kit: Kit, place_id: m.PlaceId) -> Page:
    site, back = kit.site, kit.site.backlinks
    item = site.places[place_id]
    here = set(back.place_events[place_id])
    coordinates = None
    map_url = None
    if item.coordinates is not None:
        lat, lon = item.coordinates
        coordinates = (f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}",
                       f"{abs(lon):.4f}° {'E' if lon >= 0 else 'W'}")
        map_url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=10/{lat}/{lon}"
    view = PlaceView(
        name=typeset(item.name), kind=item.kind, within=_place_chain(kit, item.within),
        coordinates=coordinates, map_url=map_url, summary=kit.html(item.summary),
        events_here=kit.events(back.place_events[place_id]),
        events_within=kit.events(e for e in back.place_events_within[place_id] if e not in here),
        children=tuple(kit.place(c) for c in back.place_children[place_id]),
        actors=tuple(kit.actor(a) for a in back.country_actors[place_id]),
        corrections=kit.corrections(item.corrections),
    )
    page = PageMeta(path=kit.urls.record_path("place", place_id), title=typeset(item.name),
                    description=meta.plain(item.summary), section=KINDS["place"].folder,
                    jsonld=meta.place(site, kit.urls, item), draft=item.draft)
    return Page(meta=page, template="place.html", view=view)
