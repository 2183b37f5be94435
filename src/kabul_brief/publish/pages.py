"""Views of the reading pages: the front page, articles, the timeline, the 404 page.

Each function takes the build's :class:`~kabul_brief.publish.views.Kit` and returns
the :class:`~kabul_brief.publish.pagetypes.Page` to render; nothing here writes or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup as SafeHtml

from kabul_brief.content import model as m
from kabul_brief.kinds import KINDS
from kabul_brief.publish import meta
from kabul_brief.publish.localize import typeset, wrapped
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.pictures import TimeStrip, time_strip
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import (
    CorrectionView,
    EventItem,
    FactLink,
    Kit,
    Link,
    SourceItem,
    TrendView,
    When,
    source_item,
    when,
)

FRONT_ARTICLES: Final = 6
FRONT_EVENTS: Final = 8
FRONT_RELATIONSHIPS: Final = 6
MARGIN_FACTS: Final = 3


@dataclass(frozen=True, slots=True)
class ArticleCard:
    link: Link
    kind: str
    when: When
    updated: When | None
    authors: tuple[str, ...]
    summary: SafeHtml | None


@dataclass(frozen=True, slots=True)
class DisputeCard:
    link: Link
    status: str
    parties: tuple[Link, ...]
    latest: TrendView | None


@dataclass(frozen=True, slots=True)
class RelationshipCard:
    link: Link
    parties: tuple[Link, ...]
    latest: TrendView | None


@dataclass(frozen=True, slots=True)
class FrontView:
    articles: tuple[ArticleCard, ...]
    disputes: tuple[DisputeCard, ...]
    relationships: tuple[RelationshipCard, ...]
    all_relationships: str
    """The URL of the list of every relationship."""
    events: tuple[EventItem, ...]
    strip: TimeStrip | None
    """Every event on record, as on the timeline: the front page's picture."""
    description: str | None = None
    """The site's description (or tagline), as the page shows it: a fallback marked."""


@dataclass(frozen=True, slots=True)
class Block:
    """A top-level piece of an article body; a paragraph carries the facts citing it,
    shown as a margin note beside it on wide screens and as one closed line under it
    on phones, so that the text reads on without boxes between its paragraphs."""

    html: SafeHtml
    paragraph: int | None
    facts: tuple[FactLink, ...]
    cited_by: str
    """The note's one line: "cited by 3 facts"."""

    @property
    def shown(self) -> tuple[FactLink, ...]:
        """The facts a margin note lists; the rest wait behind "and N more", so that a
        note stays about as tall as its paragraph and beside it."""
        return self.facts[:MARGIN_FACTS]

    @property
    def more(self) -> tuple[FactLink, ...]:
        return self.facts[MARGIN_FACTS:]



@dataclass(frozen=True, slots=True)
class TranslationNote:
    """What a page in a further language says of its text: translated by whom and
    whether a native-speaking editor has reviewed it, or not translated at all."""

    translated: bool
    reviewed: bool
    translator: str | None
    original: Link
    """The text in the main language."""


@dataclass(frozen=True, slots=True)
class ArticleView:
    card: ArticleCard
    blocks: tuple[Block, ...]
    whole: tuple[FactLink, ...]
    """Facts citing the article as a whole."""
    cited_paragraphs: int
    actors: tuple[Link, ...]
    disputes: tuple[Link, ...]
    sources: tuple[SourceItem, ...]
    corrections: tuple[CorrectionView, ...]
    translation: TranslationNote | None = None
    """On a page in a further language; None on the main language's."""


def translation_note(kit: Kit, item: m.Article | m.Page, path: str) -> TranslationNote | None:
    if kit.language is None:
        return None
    translated = item.translated.get(kit.language)
    original = Link(kit.urls.main.url(path), kit.say("the original"))
    if translated is None:
        return TranslationNote(False, False, None, original)
    return TranslationNote(True, translated.reviewed, translated.translator, original)


@dataclass(frozen=True, slots=True)
class ListView:
    """An index page: a flat list of cards or links."""

    items: tuple[object, ...]


def article_card(kit: Kit, article_id: m.ArticleId) -> ArticleCard:
    article = kit.site.articles[article_id]
    return ArticleCard(
        link=kit.article(article_id), kind=article.kind, when=when(article.date),
        updated=when(article.updated) if article.updated else None,
        authors=article.authors, summary=kit.html(article.summary),
    )


def dispute_card(kit: Kit, dispute_id: m.DisputeId) -> DisputeCard:
    dispute = kit.site.disputes[dispute_id]
    trend = kit.trend(dispute.trend, None)
    return DisputeCard(
        link=kit.dispute(dispute_id), status=dispute.status,
        parties=tuple(kit.actor(p) for p in dispute.parties),
        latest=trend[-1] if trend else None,
    )


def relationship_card(kit: Kit, relationship_id: m.RelationshipId) -> RelationshipCard:
    item = kit.site.relationships[relationship_id]
    trend = kit.trend(item.trend, None)
    return RelationshipCard(kit.relationship(relationship_id),
                            tuple(kit.actor(p) for p in item.parties),
                            trend[-1] if trend else None)


def front(kit: Kit) -> Page:
    site = kit.site
    recent = tuple(reversed(site.timeline[-FRONT_EVENTS:]))
    view = FrontView(
        articles=tuple(article_card(kit, a) for a in site.articles_by_date[:FRONT_ARTICLES]),
        disputes=tuple(dispute_card(kit, d) for d, dispute in site.disputes.items()
                       if dispute.status == "active"),
        relationships=tuple(relationship_card(kit, r)
                            for r in list(site.relationships)[:FRONT_RELATIONSHIPS]),
        all_relationships=kit.urls.index("relationship"),
        events=kit.events(recent),
        strip=time_strip(kit, site.timeline, "front_strip", kit.say("Events on record")),
        description=site.settings.description or site.settings.tagline,
    )
    description = site.settings.description or site.settings.tagline
    page = PageMeta(path="", title=site.settings.title, description=description, section="home",
                    jsonld=meta.website(site, kit.urls))
    return Page(meta=page, template="front.html", view=view)


def articles_index(kit: Kit) -> Page:
    view = ListView(items=tuple(article_card(kit, a) for a in kit.site.articles_by_date))
    page = meta.index_page(kit.site, kit.urls, "article",
                           kit.say("Every analysis and report, newest first."),
                           kit.say(KINDS["article"].plural))
    return Page(meta=page, template="articles.html", view=view)


def body_pieces(blocks: Sequence[m.BodyBlock]) -> list[tuple[str, int | None, int | None]]:
    """The body as its page shows it: each paragraph on its own, with its number (the
    facts citing it stand beside it), and the blocks between two paragraphs together.
    The white space between blocks goes with what is not a paragraph. Each piece: its
    HTML, its paragraph number, and the number its citing facts are found under (the
    original's paragraph, in a translation)."""
    pieces: list[tuple[str, int | None, int | None]] = []
    between = ""
    for block in blocks:
        if block.paragraph is None:
            between += block.html
            continue
        html = block.html.lstrip()
        between += block.html[: len(block.html) - len(html)]
        if between.strip():
            pieces.append((between, None, None))
        number = block.paragraph.number
        original = block.paragraph.original
        pieces.append((html, number, number if original is None else original))
        between = ""
    if between.strip():
        pieces.append((between, None, None))
    return pieces


def article(kit: Kit, article_id: m.ArticleId) -> Page:
    item = kit.site.articles[article_id]
    cited = kit.site.backlinks.paragraph_citations.get(article_id, {})
    blocks = tuple(
        Block(html=SafeHtml(wrapped(kit.urls.rewrite(html), item.body)),  # sanitized by nh3
              paragraph=number, facts=facts,
              cited_by=kit.say_n("cited by %(count)s fact", "cited by %(count)s facts",
                                 len(facts)))
        for html, number, original in body_pieces(item.blocks)
        for facts in [kit.facts(cited.get(original, ())) if original else ()]
    )
    view = ArticleView(
        card=article_card(kit, article_id), blocks=blocks, whole=kit.facts(cited.get(0, ())),
        cited_paragraphs=sum(1 for block in blocks if block.facts),
        actors=tuple(kit.actor(a) for a in item.actors),
        disputes=tuple(kit.dispute(d) for d in item.disputes),
        sources=tuple(source_item(kit, s, counted=False) for s in item.sources),
        corrections=kit.corrections(item.corrections),
        translation=translation_note(kit, item, kit.urls.record_path("article", article_id)),
    )
    page = PageMeta(
        path=kit.urls.record_path("article", article_id), title=typeset(item.title),
        description=meta.plain(item.summary), section=KINDS["article"].folder, og_type="article",
        jsonld=meta.article(kit.site, kit.urls, item), published=item.date.iso,
        modified=(item.updated or item.date).iso, draft=item.draft,
    )
    return Page(meta=page, template="article.html", view=view)


@dataclass(frozen=True, slots=True)
class StandingView:
    title: str
    summary: SafeHtml | None
    body: SafeHtml
    corrections: tuple[CorrectionView, ...]
    translation: TranslationNote | None = None


def standing(kit: Kit, page_id: m.PageId) -> Page:
    """A standing page such as ``/about/``: Markdown only, no facts."""
    item = kit.site.pages[page_id]
    path = kit.urls.page_path(page_id)
    view = StandingView(title=typeset(item.title), summary=kit.html(item.summary),
                        body=kit.html(item.body) or SafeHtml(""),
                        corrections=kit.corrections(item.corrections),
                        translation=translation_note(kit, item, path))
    page = PageMeta(path=path, title=typeset(item.title), description=meta.plain(item.summary),
                    section=None, jsonld=meta.topic(kit.site, kit.urls, path, item.title, (),
                                                    meta.plain(item.summary)),
                    draft=item.draft)
    return Page(meta=page, template="page.html", view=view)


def not_found(kit: Kit) -> Page:
    page = PageMeta(path=Urls.NOT_FOUND_PATH, title=kit.say("Page not found"), description=None,
                    section=None)
    return Page(meta=page, template="404.html", view=ListView(items=()))
