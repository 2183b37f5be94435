"""Reverse indexes of the model, computed once after linking.

Each index is built in one pass over the records it comes from, in display
order (events by date), so no page ever has to search the whole model.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate, sort_key

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True, kw_only=True)
class Citings:
    """What the linker gathered while resolving citations and article mentions."""

    source_facts: Mapping[str, list[m.FactRef]]
    paragraph_facts: Mapping[str, Mapping[int, list[m.FactRef]]]
    actor_articles: Mapping[str, set[m.ArticleId]]
    source_ids: Iterable[str]


def compute_backlinks(
    citings: Citings,
    actors: Mapping[m.ActorId, m.Actor],
    places: Mapping[m.PlaceId, m.Place],
    events: Mapping[m.EventId, m.Event],
    disputes: Mapping[m.DisputeId, m.Dispute],
    relationships: Mapping[m.RelationshipId, m.Relationship],
    articles: Mapping[m.ArticleId, m.Article],
    timeline: tuple[m.EventId, ...],
    articles_by_date: tuple[m.ArticleId, ...],
) -> m.Backlinks:
    actor_events: dict[m.ActorId, list[m.EventId]] = {a: [] for a in actors}
    place_events: dict[m.PlaceId, list[m.EventId]] = {p: [] for p in places}
    dispute_events: dict[m.DisputeId, list[m.EventId]] = {d: [] for d in disputes}
    relationship_events: dict[m.RelationshipId, list[m.EventId]] = {r: [] for r in relationships}
    shared: dict[m.ActorId, dict[m.ActorId, int]] = {a: {} for a in actors}
    for event_id in timeline:  # in date order, so every list below is too
        event = events[event_id]
        participants = list(dict.fromkeys(actor.id for actor in event.actors))
        for actor_id in participants:
            actor_events[actor_id].append(event_id)
            for other in participants:
                if other != actor_id:
                    shared[actor_id][other] = shared[actor_id].get(other, 0) + 1
        if event.place is not None:
            place_events[event.place].append(event_id)
        for dispute_id in event.disputes:
            dispute_events[dispute_id].append(event_id)
        for relationship_id in event.relationships:
            relationship_events[relationship_id].append(event_id)

    actor_disputes: dict[m.ActorId, list[m.DisputeId]] = {a: [] for a in actors}
    for dispute_id, dispute in disputes.items():
        concerned = [*dispute.parties, *dispute.involves, *(p.actor for p in dispute.positions)]
        for actor_id in dict.fromkeys(concerned):
            actor_disputes[actor_id].append(dispute_id)
    actor_relationships: dict[m.ActorId, list[m.RelationshipId]] = {a: [] for a in actors}
    for relationship_id, relationship in relationships.items():
        for actor_id in dict.fromkeys(relationship.parties):
            actor_relationships[actor_id].append(relationship_id)

    place_children: dict[m.PlaceId, list[m.PlaceId]] = {p: [] for p in places}
    for place_id, place in places.items():
        if place.within is not None:
            place_children[place.within].append(place_id)
    order = {event_id: i for i, event_id in enumerate(timeline)}
    place_events_within = {
        place_id: tuple(sorted(
            {e for p in _descendants(place_id, place_children) for e in place_events[p]},
            key=order.__getitem__,
        ))
        for place_id in places
    }
    article_order = {article_id: i for i, article_id in enumerate(articles_by_date)}
    by_name = {a: (actors[a].name.casefold(), a) for a in actors}
    named = sorted(actors, key=by_name.__getitem__)  # the order of the site's actors
    role_holders: dict[m.ActorId, list[m.RoleHolder]] = {a: [] for a in actors}
    country_actors: dict[m.PlaceId, list[m.ActorId]] = {p: [] for p in places}
    for actor_id in named:
        actor = actors[actor_id]
        for role in actor.roles:
            role_holders[role.of].append(
                m.RoleHolder(actor=actor_id, title=role.title, current=role.end is None))
        if actor.country is not None:
            country_actors[actor.country].append(actor_id)
    claim_events: dict[m.ActorId, list[m.EventId]] = {a: [] for a in actors}
    for event_id in timeline:
        for speaker in dict.fromkeys(claim.by for claim in events[event_id].claims):
            claim_events[speaker].append(event_id)
    source_articles: dict[m.SourceId, list[m.ArticleId]] = {
        m.SourceId(s): [] for s in citings.source_ids}
    dispute_articles: dict[m.DisputeId, list[m.ArticleId]] = {d: [] for d in disputes}
    for article_id in articles_by_date:
        article = articles[article_id]
        for source_id in dict.fromkeys(article.sources):
            source_articles[source_id].append(article_id)
        for dispute_id in dict.fromkeys(article.disputes):
            dispute_articles[dispute_id].append(article_id)
    return m.Backlinks(
        actor_events=_freeze(actor_events),
        actor_disputes=_freeze(actor_disputes),
        actor_relationships=_freeze(actor_relationships),
        actor_articles={
            a: tuple(sorted(citings.actor_articles.get(a, ()), key=article_order.__getitem__))
            for a in actors
        },
        related_actors={
            a: tuple(
                _related(other, count)
                for other, count in sorted(
                    shared[a].items(), key=lambda item: (-item[1], by_name[item[0]])
                )
            )
            for a in actors
        },
        place_events=_freeze(place_events),
        place_events_within=place_events_within,
        place_children={
            p: tuple(sorted(children, key=lambda c: (places[c].name.casefold(), c)))
            for p, children in place_children.items()
        },
        dispute_events=_freeze(dispute_events),
        relationship_events=_freeze(relationship_events),
        source_citations={
            m.SourceId(s): tuple(sorted(citings.source_facts.get(s, ()), key=_fact_key))
            for s in citings.source_ids
        },
        paragraph_citations={
            m.ArticleId(a): {
                number: tuple(sorted(facts, key=_fact_key))
                for number, facts in sorted(citings.paragraph_facts.get(a, {}).items())
            }
            for a in articles
        },
        article_citations={
            m.ArticleId(a): tuple(sorted(
                {f for facts in citings.paragraph_facts.get(a, {}).values() for f in facts},
                key=_fact_key,
            ))
            for a in articles
        },
        role_holders=_freeze(role_holders),
        claim_events=_freeze(claim_events),
        country_actors=_freeze(country_actors),
        source_articles=_freeze(source_articles),
        dispute_articles=_freeze(dispute_articles),
    )


_UNDATED = sort_key(PartialDate(year=9999))


@functools.cache
def _related(actor: m.ActorId, shared_events: int) -> m.RelatedActor:
    """One made per actor and count, and shared: an archive has hundreds of thousands
    of pairs of actors sharing events, each list built again on every link."""
    return m.RelatedActor(id=actor, shared_events=shared_events)


def _fact_key(fact: m.FactRef) -> Any:
    """Facts by date (undated last), then by what they belong to."""
    date = sort_key(fact.date) if fact.date else _UNDATED
    index = fact.index if fact.index is not None else -1
    return (date, fact.owner_kind, fact.owner_id, index, fact.kind)


def _descendants(
    place_id: m.PlaceId, children: Mapping[m.PlaceId, list[m.PlaceId]]
) -> list[m.PlaceId]:
    found: list[m.PlaceId] = []
    stack = [place_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue  # a cycle was already reported
        found.append(current)
        stack.extend(children[current])
    return found


def _freeze(mapping: Mapping[K, list[V]]) -> dict[K, tuple[V, ...]]:
    return {key: tuple(values) for key, values in mapping.items()}
