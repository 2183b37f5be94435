"""Warnings: content that is valid but probably not what the editor meant.

A record nothing refers to is only reachable from an index page; an event with no
place is missing from every place page; an article that no fact cites is not
tied to the structured record; a name two actors share is never auto-linked. None
of these stops a build unless ``--strict``.
"""

from __future__ import annotations

from kabul_brief.content import model as m
from kabul_brief.content.markup import shared_names
from kabul_brief.errors import ContentError, Position


def find_warnings(site: m.Site, display_root: str) -> tuple[ContentError, ...]:
    """Every warning for a linked site, sorted by position."""
    def at(origin: m.Origin) -> Position:
        path = f"{display_root.rstrip('/')}/{origin.path}" if display_root else origin.path
        return Position(path=path, line=origin.line, column=1)

    def warn(origin: m.Origin, code: str, message: str, hint: str) -> ContentError:
        return ContentError(
            position=at(origin), code=code, message=message, hint=hint, severity="warning"
        )

    links = site.backlinks
    warnings: list[ContentError] = []
    for actor in site.actors.values():
        if not (
            links.actor_events[actor.id] or links.actor_disputes[actor.id]
            or links.actor_relationships[actor.id] or links.actor_articles[actor.id]
            or links.role_holders[actor.id] or links.claim_events[actor.id]
        ):
            warnings.append(warn(
                actor.origin, "unused-actor",
                f"actor {actor.id!r} is not part of any event, dispute, relationship or article",
                "Tag it on an event or article, or remove it.",
            ))
    for place in site.places.values():
        if not (links.place_events_within[place.id] or links.place_children[place.id]
                or place.within is not None or links.country_actors[place.id]):
            warnings.append(warn(
                place.origin, "unused-place",
                f"place {place.id!r} has no events and no page links to it",
                "Give an event this place, or remove it.",
            ))
    for source in site.sources.values():
        if not links.source_citations[source.id] and not links.source_articles[source.id]:
            warnings.append(warn(
                source.origin, "unused-source",
                f"source {source.id!r} is not cited by any fact or article",
                "Cite it with {source: " + source.id + "}, or remove it.",
            ))
    names: dict[str, tuple[str, ...]] = {
        actor.id: (actor.name, *actor.aliases) for actor in site.actors.values()
    }
    for name, owners in shared_names(names).items():
        for owner in owners:
            others = ", ".join(repr(other) for other in owners if other != owner)
            warnings.append(warn(
                site.actors[m.ActorId(owner)].origin, "shared-name",
                f"actor {owner!r} shares the name {name!r} with {others}, so it is never"
                " linked automatically",
                f"Link the mentions you mean by hand, [{name}](actor:{owner}), or give"
                " the actors names of their own.",
            ))
    for event in site.events.values():
        if event.place is None:
            warnings.append(warn(
                event.origin, "event-without-place",
                f"event {event.id!r} has no place",
                "Add place: PLACE-ID so the event shows on its place's page.",
            ))
    for article in site.articles.values():
        if not links.article_citations[article.id]:
            warnings.append(warn(
                article.origin, "uncited-article",
                f"no fact cites article {article.id!r}",
                "Cite its paragraphs from the events, claims and trends it reports:"
                " {article: " + article.id + ", anchor: p1}.",
            ))
    if site.history_missing is not None:
        warnings.append(ContentError(
            position=Position(path=display_root or "."), code="no-history",
            message=site.history_missing[0], hint=site.history_missing[1],
            severity="warning"))
    return tuple(sorted(warnings, key=ContentError.sort_key))
