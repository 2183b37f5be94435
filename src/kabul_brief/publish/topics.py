"""Views of the pages about what is contested and what is cited: disputes,
relationships and sources.

A trend is shown as a dated sequence whose direction is always in words, with the
arrow only as decoration; positions and trend points carry numbered notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup as SafeHtml

from kabul_brief.content import model as m
from kabul_brief.kinds import KINDS
from kabul_brief.publish import follow, meta
from kabul_brief.publish.interface import N_
from kabul_brief.publish.localize import typeset
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.pages import DisputeCard, RelationshipCard, dispute_card, relationship_card
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.pictures import TimeStrip, TrendChart, time_strip, trend_chart
from kabul_brief.publish.records import Group
from kabul_brief.publish.urls import safe_external
from kabul_brief.publish.views import (
    CorrectionView,
    EventItem,
    FactLink,
    Kit,
    Link,
    Note,
    Notes,
    SourceItem,
    TrendView,
    When,
    fact_anchor,
    source_item,
    when,
)

STATUS_LABELS = {"active": N_("Active"), "dormant": N_("Dormant"), "resolved": N_("Resolved")}


@dataclass(frozen=True, slots=True)
class PositionView:
    anchor: str
    actor: Link
    text: SafeHtml
    refs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DisputeView:
    card: DisputeCard
    involves: tuple[Link, ...]
    since: When | None
    summary: SafeHtml | None
    positions: tuple[PositionView, ...]
    trend: tuple[TrendView, ...]
    events: tuple[EventItem, ...]
    articles: tuple[Link, ...]
    notes: tuple[Note, ...]
    chart: TrendChart | None
    strip: TimeStrip | None
    """The dispute's own timeline: its events by date."""
    corrections: tuple[CorrectionView, ...]


@dataclass(frozen=True, slots=True)
class RelationshipView:
    card: RelationshipCard
    summary: SafeHtml | None
    trend: tuple[TrendView, ...]
    events: tuple[EventItem, ...]
    notes: tuple[Note, ...]
    chart: TrendChart | None
    corrections: tuple[CorrectionView, ...]


@dataclass(frozen=True, slots=True)
class SourceView:
    item: SourceItem
    url: str | None
    note: SafeHtml | None
    facts: tuple[FactLink, ...]
    articles: tuple[Link, ...]
    corrections: tuple[CorrectionView, ...]


def disputes_index(kit: Kit) -> Page:
    groups: dict[str, list[DisputeCard]] = {status: [] for status in STATUS_LABELS}
    for dispute_id, dispute in kit.site.disputes.items():
        groups.setdefault(dispute.status, []).append(dispute_card(kit, dispute_id))
    view = tuple(Group(kit.say(STATUS_LABELS.get(status, status)), f"status_{status}",
                       tuple(items))
                 for status, items in groups.items() if items)
    page = meta.index_page(kit.site, kit.urls, "dispute",
                           kit.say("Contested issues, the parties' positions and how each"
                                   " is moving."),
                           kit.say(KINDS["dispute"].plural))
    return Page(meta=page, template="disputes.html", view=view)


def dispute(kit: Kit, dispute_id: m.DisputeId) -> Page:
    item = kit.site.disputes[dispute_id]
    notes = Notes(kit)
    positions = tuple(
        PositionView(fact_anchor("position", i), kit.actor(p.actor),
                     kit.html(p.text) or SafeHtml(""), notes.refs(p.sources))
        for i, p in enumerate(item.positions)
    )
    trend = kit.trend(item.trend, notes)
    view = DisputeView(
        card=dispute_card(kit, dispute_id),
        involves=tuple(kit.actor(a) for a in item.involves),
        since=when(item.since) if item.since else None, summary=kit.html(item.summary),
        positions=positions, trend=trend,
        events=kit.events(kit.site.backlinks.dispute_events[dispute_id]),
        articles=tuple(kit.article(a) for a in kit.site.backlinks.dispute_articles[dispute_id]),
        notes=notes.items,
        chart=trend_chart(kit, item.trend, "dispute_chart",
                          kit.say("Trend of %(name)s", name=item.title)),
        strip=time_strip(kit, kit.site.backlinks.dispute_events[dispute_id], "dispute_strip",
                         kit.say("Events of %(name)s", name=item.title)),
        corrections=kit.corrections(item.corrections),
    )
    path = kit.urls.record_path("dispute", dispute_id)
    page = PageMeta(path=path, title=typeset(item.title), description=meta.plain(item.summary),
                    section=KINDS["dispute"].folder,
                    jsonld=meta.topic(kit.site, kit.urls, path, item.title, item.parties,
                                      meta.plain(item.summary)), draft=item.draft,
                    alternates=follow.alternates(kit, "dispute", dispute_id, item.title))
    return Page(meta=page, template="dispute.html", view=view)


def relationships_index(kit: Kit) -> Page:
    view = tuple(relationship_card(kit, r) for r in kit.site.relationships)
    page = meta.index_page(kit.site, kit.urls, "relationship",
                           kit.say("Two-party relationships and how each has moved over time."),
                           kit.say(KINDS["relationship"].plural))
    return Page(meta=page, template="relationships.html", view=view)


def relationship(kit: Kit, relationship_id: m.RelationshipId) -> Page:
    item = kit.site.relationships[relationship_id]
    notes = Notes(kit)
    trend = kit.trend(item.trend, notes)
    view = RelationshipView(
        card=relationship_card(kit, relationship_id), summary=kit.html(item.summary),
        trend=trend, events=kit.events(kit.site.backlinks.relationship_events[relationship_id]),
        notes=notes.items,
        chart=trend_chart(kit, item.trend, "relationship_chart",
                          kit.say("Trend of %(name)s", name=item.title)),
        corrections=kit.corrections(item.corrections),
    )
    path = kit.urls.record_path("relationship", relationship_id)
    page = PageMeta(path=path, title=typeset(item.title), description=meta.plain(item.summary),
                    section=KINDS["relationship"].folder,
                    jsonld=meta.topic(kit.site, kit.urls, path, item.title, item.parties,
                                      meta.plain(item.summary)), draft=item.draft,
                    alternates=follow.alternates(kit, "relationship", relationship_id,
                                                 item.title))
    return Page(meta=page, template="relationship.html", view=view)


def sources_index(kit: Kit) -> Page:
    page = meta.index_page(kit.site, kit.urls, "source",
                           kit.say("The reports and documents the facts on this site cite."),
                           kit.say(KINDS["source"].plural))
    view = tuple(source_item(kit, s) for s in kit.site.sources)
    return Page(meta=page, template="sources.html", view=view)


def source(kit: Kit, source_id: m.SourceId) -> Page:
    item = kit.site.sources[source_id]
    view = SourceView(
        item=source_item(kit, source_id), url=safe_external(item.url), note=kit.html(item.note),
        facts=kit.facts(kit.site.backlinks.source_citations[source_id]),
        articles=tuple(kit.article(a) for a in kit.site.backlinks.source_articles[source_id]),
        corrections=kit.corrections(item.corrections),
    )
    page = PageMeta(path=kit.urls.record_path("source", source_id), title=typeset(item.title),
                    description=meta.plain(item.note), section=KINDS["source"].folder,
                    jsonld=meta.source(kit.urls, item), draft=item.draft)
    return Page(meta=page, template="source.html", view=view)
