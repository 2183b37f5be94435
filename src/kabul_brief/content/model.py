"""The linked model: plain, frozen, typed data that every later stage reads.

Records refer to each other by typed id and are resolved through :class:`Site`;
reverse indexes (what cites a source, which events an actor took part in) are
computed once by the linker and kept in :class:`Backlinks`. Nothing here is
changed after linking, and templates only read it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NewType

from kabul_brief.content.dates import PartialDate
from kabul_brief.kinds import KINDS

ActorId = NewType("ActorId", str)
PlaceId = NewType("PlaceId", str)
EventId = NewType("EventId", str)
DisputeId = NewType("DisputeId", str)
RelationshipId = NewType("RelationshipId", str)
SourceId = NewType("SourceId", str)
ArticleId = NewType("ArticleId", str)
PageId = NewType("PageId", str)

Direction = Literal["improved", "deteriorated", "unchanged"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Origin:
    """Where a record was written: shown in errors and "edit this page" links."""

    path: str
    """Path relative to the content folder, with forward slashes."""
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Markup:
    """Editor Markdown rendered to sanitized HTML.

    Record links are kept as ``href="actor:ID"`` (``KIND:ID``); publishing rewrites
    them to URLs, since only publishing decides URLs.
    """

    source: str
    html: str
    language: str | None = None
    """Set on a text shown for want of a translation: the main language's code, whose
    ``lang`` and ``dir`` the page puts around it (after its links are made URLs)."""
    direction: str | None = None


TranslatedValue = str | Markup | tuple[str, ...]
"""A text in another language: plain text, Markdown rendered, or a list (aliases)."""
Translations = Mapping[tuple[str | int, ...], Mapping[str, TranslatedValue]]
"""Field path as written in the file (``("name",)``, ``("roles", 0, "title")``) ->
language code -> the text in that language. The main language's text is the field."""
NO_TRANSLATIONS: Translations = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """One of the site's languages, as ``site.yaml`` declares it."""

    code: str
    """The BCP 47 tag as the site spells it (``fa-AF``)."""
    name: str
    """Its name in itself, for the language switcher."""
    direction: Literal["ltr", "rtl"]
    main: bool
    """The main language: its pages keep the URLs without a language folder."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyTranslation:
    """An article or page in another language (``STEM.CODE.md``); what it does not
    give (date, actors, sources) is the original's."""

    language: str
    title: str
    summary: Markup | None
    translator: str | None
    reviewed: bool
    """A native-speaking editor has reviewed it; until then the page says so."""
    body: Markup
    anchors: Mapping[str, int]
    """Its paragraph anchors (``p3``, ``{#name}``) -> paragraph number: a citation of
    the original's anchor links here when the translation has it."""
    origin: Origin
    draft: bool = False
    blocks: tuple[BodyBlock, ...] = ()
    """Its body block by block, as :attr:`Article.blocks`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """A correction of what a record's page said: shown on the page before the body,
    and on ``/corrections/`` with every other."""

    date: PartialDate
    """The day it was made (always to the day)."""
    text: Markup
    """What was wrong and what is right now."""
    written: int = 0
    """Its place in the file's list (``corrections[N]``): where its translations are."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleCitation:
    article: ArticleId
    anchor: str | None
    """As written (``p3`` or a ``{#name}``); None cites the whole article."""
    paragraph: int | None
    """The paragraph number the anchor resolves to."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceCitation:
    source: SourceId
    locator: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkCitation:
    url: str
    title: str
    publisher: str | None
    date: PartialDate | None


Citation = ArticleCitation | SourceCitation | LinkCitation

FactKind = Literal["event", "claim", "position", "trend"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FactRef:
    """A sourced fact, as listed on the pages of what it cites."""

    kind: FactKind
    owner_kind: Literal["event", "dispute", "relationship"]
    owner_id: str
    index: int | None
    """Position of the claim, position or trend point within its owner (0-based)."""
    label: str
    """Short plain-text description for lists ("Claim by Pakistan in ...")."""
    date: PartialDate | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    title: str
    of: ActorId
    start: PartialDate | None
    end: PartialDate | None
    """None for a role held until now."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebLink:
    url: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    id: ActorId
    name: str
    kind: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]
    country: PlaceId | None
    summary: Markup | None
    links: tuple[WebLink, ...]
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    id: PlaceId
    name: str
    kind: str
    within: PlaceId | None
    coordinates: tuple[float, float] | None
    """(latitude, longitude)."""
    summary: Markup | None
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventActor:
    id: ActorId
    role: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    by: ActorId
    text: Markup
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    id: EventId
    title: str
    date: PartialDate
    end: PartialDate | None
    circa: bool
    as_reported: str | None
    kind: str
    place: PlaceId | None
    actors: tuple[EventActor, ...]
    disputes: tuple[DisputeId, ...]
    relationships: tuple[RelationshipId, ...]
    summary: Markup | None
    claims: tuple[Claim, ...]
    sources: tuple[Citation, ...]
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    actor: ActorId
    text: Markup
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    date: PartialDate
    circa: bool
    as_reported: str | None
    direction: Direction
    note: Markup | None
    sources: tuple[Citation, ...]
    written: int = 0
    """Its place in the file's list (``trend[N]``; shown in date order): where its
    translations are."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Dispute:
    id: DisputeId
    title: str
    parties: tuple[ActorId, ...]
    involves: tuple[ActorId, ...]
    status: str
    since: PartialDate | None
    summary: Markup | None
    positions: tuple[Position, ...]
    trend: tuple[TrendPoint, ...]
    """In date order."""
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Relationship:
    id: RelationshipId
    title: str
    """As written, or the parties' names joined by an en dash."""
    parties: tuple[ActorId, ActorId]
    summary: Markup | None
    trend: tuple[TrendPoint, ...]
    """In date order."""
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    id: SourceId
    title: str
    publisher: str | None
    date: PartialDate | None
    url: str | None
    note: Markup | None
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""


NO_ORIGINAL: int = -1
"""A translated paragraph matching none of the original's (:attr:`ArticleParagraph.original`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleParagraph:
    number: int
    name: str | None
    text: str
    original: int | None = None
    """In a translation: the number of the original's paragraph it translates (the
    one of the same ``{#name}``, else of the same number), whose citing facts it shows;
    :data:`NO_ORIGINAL` if none. None: the paragraph is the original's own."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyBlock:
    """A top-level block of an article body: a paragraph (what citations point at),
    a heading, a list, a table, ..."""

    html: str
    """Sanitized, with the white space before it: the blocks joined are the body."""
    paragraph: ArticleParagraph | None
    """Set when the block is a numbered paragraph."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    id: ArticleId
    title: str
    date: PartialDate
    updated: PartialDate | None
    kind: str
    authors: tuple[str, ...]
    summary: Markup | None
    actors: tuple[ActorId, ...]
    """Tagged in the front matter."""
    disputes: tuple[DisputeId, ...]
    sources: tuple[SourceId, ...]
    body: Markup
    blocks: tuple[BodyBlock, ...]
    """The body, block by block."""
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""
    translated: Mapping[str, BodyTranslation] = field(
        default_factory=lambda: MappingProxyType({}))
    """Its translations (``STEM.CODE.md``), by language code."""

    @property
    def paragraphs(self) -> tuple[ArticleParagraph, ...]:
        """The body's numbered paragraphs, in order."""
        return tuple(block.paragraph for block in self.blocks if block.paragraph is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A standing page of the site (``/about/``): Markdown, no facts."""

    id: PageId
    title: str
    summary: Markup | None
    body: Markup
    origin: Origin
    corrections: tuple[Correction, ...] = ()
    """Newest first; two of one day in the order written."""
    draft: bool = False
    """Marked ``draft: true``: only in a model linked with drafts (``build --drafts``)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """The texts given in further languages, by field path."""
    translated: Mapping[str, BodyTranslation] = field(
        default_factory=lambda: MappingProxyType({}))
    """Its translations (``STEM.CODE.md``), by language code."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteSettings:
    title: str
    tagline: str | None
    base_url: str
    language: str
    description: str | None
    license: str | None = None
    """An SPDX id (``CC-BY-4.0``); None: the site states no licence."""
    languages: tuple[Language, ...] = ()
    """Every language of the site, the main one first (only it, if none is declared)."""
    translations: Translations = field(default_factory=lambda: NO_TRANSLATIONS)
    """``title``, ``tagline`` and ``description`` in further languages."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RelatedActor:
    id: ActorId
    shared_events: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleHolder:
    actor: ActorId
    title: str
    current: bool
    """Held until now (the role has no end)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Backlinks:
    """Reverse indexes, computed once by the linker. Every tuple is in display order
    (events by date, others by name or id), and every key of its kind is present."""

    actor_events: Mapping[ActorId, tuple[EventId, ...]]
    actor_disputes: Mapping[ActorId, tuple[DisputeId, ...]]
    actor_relationships: Mapping[ActorId, tuple[RelationshipId, ...]]
    actor_articles: Mapping[ActorId, tuple[ArticleId, ...]]
    """Articles that tag, link to or mention the actor, newest first."""
    related_actors: Mapping[ActorId, tuple[RelatedActor, ...]]
    """Actors sharing events, most shared first."""
    place_events: Mapping[PlaceId, tuple[EventId, ...]]
    """Events at the place itself."""
    place_events_within: Mapping[PlaceId, tuple[EventId, ...]]
    """Events at the place or any place within it, at any depth."""
    place_children: Mapping[PlaceId, tuple[PlaceId, ...]]
    dispute_events: Mapping[DisputeId, tuple[EventId, ...]]
    relationship_events: Mapping[RelationshipId, tuple[EventId, ...]]
    source_citations: Mapping[SourceId, tuple[FactRef, ...]]
    paragraph_citations: Mapping[ArticleId, Mapping[int, tuple[FactRef, ...]]]
    """Facts citing each paragraph of an article; key 0 holds whole-article citations."""
    article_citations: Mapping[ArticleId, tuple[FactRef, ...]]
    """Every fact citing the article, any paragraph."""
    role_holders: Mapping[ActorId, tuple[RoleHolder, ...]]
    """Body -> the actors holding or having held a role in it, by name."""
    claim_events: Mapping[ActorId, tuple[EventId, ...]]
    """Events where the actor makes a claim."""
    country_actors: Mapping[PlaceId, tuple[ActorId, ...]]
    """Country -> the actors it is given as the country of, by name."""
    source_articles: Mapping[SourceId, tuple[ArticleId, ...]]
    """Articles listing the source in their front matter ``sources``, newest first."""
    dispute_articles: Mapping[DisputeId, tuple[ArticleId, ...]]
    """Articles tagging the dispute, newest first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileHistory:
    """When a content file was first committed and last changed, from git: what the
    pages show as "Published" and "Updated", never a guess."""

    published: datetime.date
    """Committer date (UTC) of the first commit that added the file."""
    updated: datetime.date
    """Committer date (UTC) of the last commit that changed it."""
    revisions: int
    """How many commits touched it (1 for a file committed once)."""


NO_HISTORY: Mapping[str, FileHistory] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """The whole validated content, ready for publishing."""

    settings: SiteSettings
    actors: Mapping[ActorId, Actor]
    places: Mapping[PlaceId, Place]
    events: Mapping[EventId, Event]
    disputes: Mapping[DisputeId, Dispute]
    relationships: Mapping[RelationshipId, Relationship]
    sources: Mapping[SourceId, Source]
    articles: Mapping[ArticleId, Article]
    pages: Mapping[PageId, Page]
    """Standing pages from ``content/pages/*.md``, by id."""
    timeline: tuple[EventId, ...]
    """Every event by start of period, then end, then id."""
    articles_by_date: tuple[ArticleId, ...]
    """Newest first."""
    backlinks: Backlinks
    history: Mapping[str, FileHistory] = field(default_factory=lambda: NO_HISTORY)
    """By ``"KIND/ID"`` (``"event/kabul-talks-2025"``): the git history of each
    record's file. Empty outside a git work tree: nothing is shown or invented."""
    history_missing: tuple[str, str] | None = None
    """Why the content, in a git work tree, has no history all the same (a shallow
    clone, a repository git refuses), as the warning's message and hint: the build
    warns, as the dates vanish."""

    def history_of(self, kind: str, record_id: str) -> FileHistory | None:
        """The record's git history, or None when its file has none."""
        return self.history.get(f"{kind}/{record_id}")

    def records(self, kind: str) -> Mapping[Any, Any]:
        """The records of one kind (``"actor"``, ``"event"``, ...), by id: the mapping
        named by its folder (:attr:`~kabul_brief.kinds.RecordKind.folder`)."""
        records: Mapping[Any, Any] = getattr(self, KINDS[kind].folder)
        return records
