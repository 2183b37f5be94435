"""Link stage: resolve every reference and build the frozen model with its backlinks.

Contract: given the raw records of the load stage, report every dangling
reference, duplicate id, missing anchor and bad Markdown link (with its
position and a "did you mean"), and return a :class:`~kabul_brief.content.model.Site`
whose reverse indexes are computed here, once. Markdown is rendered here because
linking needs what it finds: paragraph anchors, record links, actor mentions.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar, cast

from kabul_brief.baseurl import BASE_URL_HINT, BaseUrlError, normalize_base_url
from kabul_brief.content import model as m
from kabul_brief.content.backlinks import Citings, compute_backlinks
from kabul_brief.content.dates import sort_key
from kabul_brief.content.fieldtypes import (
    INVALID,
    FieldPath,
    FieldType,
    ListOf,
    OneOf,
    Ref,
    Struct,
    Text,
    Translatable,
)
from kabul_brief.content.loader import LoadedContent, RawRecord, translation_of
from kabul_brief.content.markup import (
    MAX_NESTING,
    AutoLinker,
    Block,
    Rendered,
    TextPosition,
    TooDeep,
    render_markdown,
)
from kabul_brief.content.mdcache import MarkdownCache
from kabul_brief.content.scaffold import slugify
from kabul_brief.content.schemas import (
    ANCHOR_NAME_RE,
    ARTICLE_CITATION,
    RECORD_SCHEMAS,
)
from kabul_brief.errors import ErrorSink, Position
from kabul_brief.kinds import KINDS
from kabul_brief.languages import default_direction, display_name, same_tag, url_segment
from kabul_brief.themeids import is_theme_id

K = TypeVar("K")
V = TypeVar("V")


@dataclass(slots=True)
class _Linker:
    sink: ErrorSink
    index: dict[str, dict[str, RawRecord]] = field(default_factory=dict)
    autolinker: AutoLinker | None = None
    articles_rendered: dict[str, Rendered] = field(default_factory=dict)
    article_anchors: dict[str, dict[str, int]] = field(default_factory=dict)
    source_facts: dict[str, list[m.FactRef]] = field(default_factory=dict)
    paragraph_facts: dict[str, dict[int, list[m.FactRef]]] = field(default_factory=dict)
    actor_articles: dict[str, set[m.ArticleId]] = field(default_factory=dict)
    broken: set[tuple[str, str]] = field(default_factory=set)
    duplicates: list[RawRecord] = field(default_factory=list)
    """Records whose id an earlier one took: not linked, but their references checked."""
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Kind -> what a reference may have meant -> id (see :meth:`known_as`)."""
    converted: dict[MarkdownJob, Rendered] = field(default_factory=dict)
    """Markdown converted ahead of time, by (text, paragraphs, top heading)."""
    drafts: dict[tuple[str, str], RawRecord] = field(default_factory=dict)
    """(kind, id) -> the record, of every record marked ``draft: true``."""
    body_translations: dict[tuple[str, str], dict[str, m.BodyTranslation]] = field(
        default_factory=dict)
    """(kind, id) of an article or page -> language -> its translation."""

    # -- references ------------------------------------------------------------

    def exists(self, raw: RawRecord, kind: str, target: str, path: tuple[str | int, ...]) -> bool:
        """True if ``target`` names a record of ``kind``; else report with a hint."""
        if target in self.index[kind]:
            return True
        if (kind, target) not in self.broken:
            self.report_unknown(raw.position(*path), kind, target)
        return False

    def report_unknown(self, position: Position, kind: str, target: str) -> None:
        hints: list[str] = []
        candidates = self.known_as(kind)
        close = difflib.get_close_matches(target, list(candidates), n=1, cutoff=0.6)
        if close:
            hints.append(f"did you mean {candidates[close[0]]!r}?")
        others = [k for k in KINDS if k != kind and target in self.index[k]]
        if others:
            hints.append(f"{target!r} is {_a(others[0])}, not {_a(kind)}.")
        if not hints:
            hints.append(
                f"Add content/{KINDS[kind].folder}/{target}{KINDS[kind].suffix}"
                f" or correct the id."
            )
        self.sink.add(
            position, "unknown-reference", f"unknown {kind} {target!r}", " ".join(hints)
        )

    def known_as(self, kind: str) -> dict[str, str]:
        """What a reference to ``kind`` may have meant -> the id: every id, and the
        slug of every name and alias (``muttaqi`` for Amir Khan Muttaqi)."""
        known = self.names.get(kind)
        if known is None:
            known = {i: i for i in self.index[kind]}
            known.update((i, i) for k, i in self.broken if k == kind)
            for record_id, raw in self.index[kind].items():
                for name in [raw.data.get("name"), *raw.data.get("aliases", ())]:
                    if isinstance(name, str) and slugify(name):
                        known.setdefault(slugify(name), record_id)
            self.names[kind] = known
        return known

    def ids(self, raw: RawRecord, kind: str, field_name: str) -> tuple[Any, ...]:
        values = raw.data.get(field_name, [])
        return tuple(
            value
            for i, value in enumerate(values)
            if self.exists(raw, kind, value, (field_name, i))
        )

    def optional_id(self, raw: RawRecord, kind: str, field_name: str) -> Any:
        value = raw.data.get(field_name)
        if value is None or not self.exists(raw, kind, value, (field_name,)):
            return None
        return value

    # -- Markdown --------------------------------------------------------------

    def markup(self, raw: RawRecord, path: tuple[str | int, ...]) -> m.Markup | None:
        text = _get(raw.data, path)
        if text is None:
            return None
        rendered = self.render(raw, text, raw.position(*path), paragraphs=False)
        return m.Markup(source=text, html=rendered.html)

    def translations(self, raw: RawRecord) -> m.Translations:
        """The record's texts in further languages, the Markdown ones rendered (and
        their record links checked) like the main language's."""
        if not raw.translations:
            return m.NO_TRANSLATIONS
        result: dict[tuple[str | int, ...], dict[str, m.TranslatedValue]] = {}
        for path, texts in raw.translations.items():
            markdown = isinstance(path[-1], str) and path[-1] in MARKDOWN_FIELDS
            result[path] = {
                code: (m.Markup(source=text, html=self.render(
                    raw, text, raw.position(*path, code), paragraphs=False).html)
                    if markdown else tuple(text) if isinstance(text, list) else text)
                for code, text in texts.items()}
        return result

    def render(
        self, raw: RawRecord, text: str, start: Position, *, paragraphs: bool,
        top_heading: int | None = None,
    ) -> Rendered:
        rendered = self.convert(text, start, paragraphs=paragraphs, top_heading=top_heading)
        self.check(rendered, start)
        return rendered

    def convert(self, text: str, start: Position, *, paragraphs: bool,
                top_heading: int | None = None) -> Rendered:
        job = (text, paragraphs, top_heading)
        ready = self.converted.get(job)
        if ready is not None:
            return ready
        try:
            return _convert_job(self.autolinker, job)
        except (RecursionError, TooDeep):
            self.sink.add(start, "markdown", "the text is nested too deeply to render",
                          f"Nest lists and quotes at most {MAX_NESTING} levels deep.")
            return Rendered(html="", record_links=(), problems=(), blocks=(),
                            autolinked=(), mentioned=())

    def check(self, rendered: Rendered, start: Position) -> None:
        """Report the Markdown problems and unknown record links of one text."""
        for problem in rendered.problems:
            self.sink.add(_within(start, problem.at), problem.code, problem.message, problem.hint)
        for link in rendered.record_links:
            position = _within(start, link.at)
            if link.id not in self.index[link.kind] and (link.kind, link.id) not in self.broken:
                self.report_unknown(position, link.kind, link.id)
            elif link.fragment is not None and link.kind == "article" and (
                    link.id in self.article_anchors):
                anchors = self.article_anchors.get(link.id, {})
                if link.fragment not in anchors:
                    self.sink.add(
                        position,
                        "unknown-anchor",
                        f"article {link.id!r} has no paragraph {link.fragment!r}",
                        _anchor_hint(anchors),
                    )

    def corrections(self, raw: RawRecord) -> tuple[m.Correction, ...]:
        """The record's corrections, newest first (two of one day as written)."""
        written = raw.data.get("corrections", [])
        made = [m.Correction(date=item["date"],
                             text=cast(m.Markup, self.markup(raw, ("corrections", i, "text"))),
                             written=i)
                for i, item in enumerate(written)]
        return tuple(sorted(made, key=lambda c: c.date.start, reverse=True))

    # -- citations -------------------------------------------------------------

    def citations(
        self, raw: RawRecord, path: tuple[str | int, ...], fact: m.FactRef
    ) -> tuple[m.Citation, ...]:
        result: list[m.Citation] = []
        for i, item in enumerate(_get(raw.data, path) or ()):
            where = (*path, i)
            if "article" in item:
                article_id = item["article"]
                anchor = item.get("anchor")
                if not self.exists(raw, "article", article_id, (*where, "article")):
                    if anchor is not None and article_id in self.article_anchors:
                        self.anchor(raw, article_id, anchor, (*where, "anchor"))  # has errors
                    continue
                paragraph: int | None = None
                if anchor is not None:
                    paragraph = self.anchor(raw, article_id, anchor, (*where, "anchor"))
                    if paragraph is None:
                        continue
                self.paragraph_facts.setdefault(article_id, {}).setdefault(
                    paragraph or 0, []
                ).append(fact)
                result.append(
                    m.ArticleCitation(
                        article=m.ArticleId(article_id), anchor=anchor, paragraph=paragraph
                    )
                )
            elif "source" in item:
                if not self.exists(raw, "source", item["source"], (*where, "source")):
                    continue
                self.source_facts.setdefault(item["source"], []).append(fact)
                result.append(
                    m.SourceCitation(source=item["source"], locator=item.get("locator"))
                )
            else:
                result.append(
                    m.LinkCitation(
                        url=item["url"], title=item["title"],
                        publisher=item.get("publisher"), date=item.get("date"),
                    )
                )
        return tuple(result)

    def anchor(self, raw: RawRecord, article_id: str, anchor: str,
               path: tuple[str | int, ...]) -> int | None:
        """The paragraph an anchor of a known article names; else report it."""
        anchors = self.article_anchors.get(article_id, {})
        paragraph = anchors.get(anchor)
        if paragraph is None:
            self.sink.add(
                raw.position(*path),
                "unknown-anchor",
                f"article {article_id!r} has no paragraph {anchor!r}",
                _anchor_hint(anchors),
            )
        return paragraph

    def trend(self, raw: RawRecord, owner_kind: Any, label: str) -> tuple[m.TrendPoint, ...]:
        points: list[m.TrendPoint] = []
        written = list(enumerate(raw.data.get("trend", [])))
        # Shown in date order; a fact's index is its place in that order.
        ordered = sorted(written, key=lambda item: (sort_key(item[1]["date"]), item[0]))
        for shown, (i, point) in enumerate(ordered):
            fact = m.FactRef(
                kind="trend", owner_kind=owner_kind, owner_id=raw.id, index=shown,
                label=f"{label}: {point['direction']} ({point['date'].display()})",
                date=point["date"],
            )
            points.append(
                m.TrendPoint(
                    date=point["date"],
                    circa=point.get("circa", False),
                    as_reported=point.get("as_reported"),
                    direction=point["direction"],
                    note=self.markup(raw, ("trend", i, "note")),
                    sources=self.citations(raw, ("trend", i, "sources"), fact),
                    written=i,
                )
            )
        return tuple(points)


SitePathTaken = Callable[[str, str], "str | None"]
"""(kind, id) -> the path of the site's own that the record's page would take, or None."""


def link(loaded: LoadedContent, sink: ErrorSink, workers: int = 1,
         cache: MarkdownCache | None = None,
         taken_by_site: SitePathTaken | None = None, *, drafts: bool = False) -> m.Site | None:
    """Resolve and index everything; None if any error was reported. Markdown is
    converted first: taken from ``cache`` where an earlier build converted the same
    text, the rest on ``workers`` processes. ``taken_by_site`` says which records'
    pages would take a path the site uses for itself (the publishing side knows:
    nothing here imports it). Records marked ``draft: true`` are checked like the
    others, but the model keeps them only with ``drafts``: without, nothing of theirs
    is in it (no record, no backlink, no auto-link to a draft actor), so no page,
    index or data file can show them."""
    return link_keeping(loaded, sink, workers, cache, taken_by_site, drafts=drafts)[0]


@dataclass(slots=True)
class LinkState:
    """What a link leaves for linking the same content again after an edit
    (:func:`relink`): the linker as it was once every record was built, the records
    it built (drafts included), and the loaded content it read."""

    linker: _Linker
    settings: m.SiteSettings
    records: dict[str, dict[Any, Any]]
    """Kind -> id -> the linked record."""
    loaded: LoadedContent
    drafts: bool


def link_keeping(loaded: LoadedContent, sink: ErrorSink, workers: int = 1,
                 cache: MarkdownCache | None = None,
                 taken_by_site: SitePathTaken | None = None, *, drafts: bool = False
                 ) -> tuple[m.Site | None, LinkState | None]:
    """:func:`link`, and what :func:`relink` needs to link the content again."""
    linker = _Linker(sink=sink, broken=loaded.broken)
    _index_records(linker, loaded.records)
    linker.drafts = _draft_records(linker.index)
    readable = _check_invalid_ids(linker, loaded.invalid)
    actors_raw = linker.index["actor"]
    names = {actor_id: [raw.data["name"], *raw.data.get("aliases", [])]
             for actor_id, raw in actors_raw.items()
             if drafts or ("actor", actor_id) not in linker.drafts}
    linker.autolinker = AutoLinker(names)
    _convert_ahead_of_linking(linker, repr(sorted(names.items())), workers,
                              cache or MarkdownCache.disabled())
    _render_article_bodies(linker, readable)
    _body_translations(linker, loaded.translations)
    for raw in [*loaded.invalid, *linker.duplicates]:
        _check_unlinked(linker, raw, body=raw not in readable)

    settings = _settings(linker, loaded.settings)
    places = {m.PlaceId(i): _place(linker, raw) for i, raw in linker.index["place"].items()}
    _check_place_cycles(linker, loaded.invalid)
    if taken_by_site is not None:
        _check_site_paths(linker, taken_by_site, loaded.languages[1:])
    _check_timeline_ids(linker)
    actors = {m.ActorId(i): _actor(linker, raw) for i, raw in actors_raw.items()}
    records: dict[str, dict[Any, Any]] = {"place": places, "actor": actors}
    for kind, build in _BUILDERS.items():
        records[kind] = {i: build(linker, raw, actors) for i, raw in linker.index[kind].items()}
    _check_draft_references(linker)
    if sink or settings is None:
        return None, None
    state = LinkState(linker=linker, settings=settings, records=records, loaded=loaded,
                      drafts=drafts)
    return _assemble(state), state


_BUILDERS: dict[str, Callable[[_Linker, RawRecord, Mapping[m.ActorId, m.Actor]], Any]] = {
    "source": lambda linker, raw, actors: _source(linker, raw),
    "event": lambda linker, raw, actors: _event(linker, raw),
    "dispute": lambda linker, raw, actors: _dispute(linker, raw),
    "relationship": lambda linker, raw, actors: _relationship(linker, raw, actors),
    "article": lambda linker, raw, actors: _article(linker, raw),
    "page": lambda linker, raw, actors: _page(linker, raw),
}
"""How each kind's records are built, after the places and actors, in this order."""

_RELINKED: frozenset[str] = frozenset({"source", "event", "dispute", "relationship"})
"""Kinds whose records :func:`relink` builds again on their own: nothing another
record is built from depends on them but their ids (which must stay the same)."""


def relink(state: LinkState, loaded: LoadedContent, sink: ErrorSink
           ) -> tuple[m.Site, LinkState] | None:
    """Link ``loaded`` again, building only the records whose raw record is not the one
    ``state`` was built from (the loader gives unchanged files' records as the same
    objects), when that is sure to give what :func:`link` gives: the same records by
    kind and id as before, no record with errors, the settings file unchanged, and the
    changed records all events, sources, disputes or relationships that stayed drafts
    or published as they were. Anything else (an actor renamed, which changes
    auto-links; a place moved, which changes what lies within what; an article, whose
    anchors others cite), and any error, is None: link the whole content."""
    before = state.loaded
    if (loaded.invalid or before.invalid or loaded.broken != before.broken
            or loaded.settings != before.settings
            or [id(raw) for raw in loaded.translations]
            != [id(raw) for raw in before.translations]):
        return None
    old = {(raw.kind, raw.id): raw for raw in before.records}
    new = {(raw.kind, raw.id): raw for raw in loaded.records}
    if len(new) != len(loaded.records) or old.keys() != new.keys():
        return None
    changed = {key: raw for key, raw in new.items() if raw is not old[key]}
    if any(kind not in _RELINKED or _is_draft(raw) != _is_draft(old[(kind, record_id)])
           for (kind, record_id), raw in changed.items()):
        return None
    previous = state.linker
    linker = _Linker(
        sink=sink, index={kind: dict(records) for kind, records in previous.index.items()},
        autolinker=previous.autolinker, articles_rendered=previous.articles_rendered,
        article_anchors=previous.article_anchors, broken=previous.broken,
        converted=previous.converted, drafts=previous.drafts,
        source_facts=_facts_without(previous.source_facts, changed),
        paragraph_facts={article: _facts_without(paragraphs, changed)
                         for article, paragraphs in previous.paragraph_facts.items()},
        actor_articles=previous.actor_articles,
    )
    for (kind, record_id), raw in changed.items():
        linker.index[kind][record_id] = raw
    records = {kind: dict(built) for kind, built in state.records.items()}
    for (kind, record_id), raw in changed.items():
        if not _is_draft(raw):
            _check_draft_fields(linker, raw)
        records[kind][record_id] = _BUILDERS[kind](linker, raw, records["actor"])
    if sink:
        return None
    relinked = LinkState(linker=linker, settings=state.settings, records=records,
                         loaded=loaded, drafts=state.drafts)
    return _assemble(relinked), relinked


def _facts_without(facts: Mapping[K, list[m.FactRef]], changed: Mapping[tuple[str, str], Any]
                   ) -> dict[K, list[m.FactRef]]:
    """The facts, less those of the changed records (built again, they add their own)."""
    return {key: [f for f in found if (f.owner_kind, f.owner_id) not in changed]
            for key, found in facts.items()}


def _assemble(state: LinkState) -> m.Site:
    """The model from the records built (drafts left out unless ``state.drafts``),
    with its orders and reverse indexes."""
    linker, records = state.linker, state.records
    source_facts, paragraph_facts = linker.source_facts, linker.paragraph_facts
    actor_articles = linker.actor_articles
    if not state.drafts and linker.drafts:
        def published(kind: str) -> dict[Any, Any]:
            return {i: r for i, r in records[kind].items() if (kind, i) not in linker.drafts}

        records = {kind: published(kind) for kind in records}
        source_facts, paragraph_facts, actor_articles = _leave_out_drafts(linker)
    if not state.drafts:
        records = {kind: {i: _without_draft_translations(r) for i, r in found.items()}
                   if kind in ("article", "page") else found
                   for kind, found in records.items()}
    places, actors, sources = records["place"], records["actor"], records["source"]
    events, disputes = records["event"], records["dispute"]
    relationships, articles = records["relationship"], records["article"]
    pages = dict(sorted(records["page"].items()))

    timeline = tuple(sorted(events, key=lambda e: _event_key(events[e])))
    articles_by_date = tuple(
        sorted(articles, key=lambda a: (articles[a].date.start, a), reverse=True)
    )
    citings = Citings(
        source_facts=source_facts,
        paragraph_facts=paragraph_facts,
        actor_articles=actor_articles,
        source_ids=sources,
    )
    backlinks = compute_backlinks(
        citings, actors, places, events, disputes, relationships, articles, timeline,
        articles_by_date,
    )
    return m.Site(
        settings=state.settings,
        actors=_sorted_map(actors, lambda a: (a.name.casefold(), a.id)),
        places=_sorted_map(places, lambda p: (p.name.casefold(), p.id)),
        events={e: events[e] for e in timeline},
        disputes=_sorted_map(disputes, lambda d: (d.title.casefold(), d.id)),
        relationships=_sorted_map(relationships, lambda r: (r.title.casefold(), r.id)),
        sources=_sorted_map(sources, lambda s: (s.title.casefold(), s.id)),
        articles={a: articles[a] for a in articles_by_date},
        pages=pages,
        timeline=timeline,
        articles_by_date=articles_by_date,
        backlinks=backlinks,
    )


# -- drafts --------------------------------------------------------------------


ArticleOrPage = TypeVar("ArticleOrPage", m.Article, m.Page)


def _without_draft_translations(record: ArticleOrPage) -> ArticleOrPage:
    """A translation marked ``draft: true`` is left out of a build without drafts,
    like any draft: the published article is shown in the languages that are ready."""
    if not any(t.draft for t in record.translated.values()):
        return record
    return replace(record, translated={code: t for code, t in record.translated.items()
                                       if not t.draft})


def _is_draft(raw: RawRecord) -> bool:
    return raw.data.get("draft") is True


def _draft_records(index: Mapping[str, Mapping[str, RawRecord]]
                   ) -> dict[tuple[str, str], RawRecord]:
    return {(kind, record_id): raw for kind, records in index.items()
            for record_id, raw in records.items() if _is_draft(raw)}


def _check_draft_references(linker: _Linker) -> None:
    """A published record or article may not refer to a draft, by a reference field, a
    citation or a record link in its Markdown: the published site would point at a
    page it does not have. Drafts may refer to anything. Reported in check as in
    build, with or without ``--drafts``: what check accepts, every build builds."""
    if not linker.drafts:
        return
    for kind, records in linker.index.items():
        for raw in records.values():
            if _is_draft(raw):
                continue
            _check_draft_fields(linker, raw)
            if kind == "article":
                start = Position(path=raw.display_path, line=raw.body_line, column=1)
                _check_draft_links(linker, raw, linker.articles_rendered[raw.id], start)
            elif kind == "page":
                start = Position(path=raw.display_path, line=raw.body_line, column=1)
                rendered = linker.convert(raw.body or "", start, paragraphs=False,
                                          top_heading=PAGE_TOP_HEADING)
                _check_draft_links(linker, raw, rendered, start)


def _check_draft_fields(linker: _Linker, raw: RawRecord) -> None:
    for spec, value, path in _field_values(raw.data, RECORD_SCHEMAS[raw.kind], ()):
        if isinstance(spec, Ref) and isinstance(value, str):
            _report_if_draft(linker, raw, raw.position(*path), spec.kind, value)
        elif isinstance(spec, Text) and spec.markdown and isinstance(value, str):
            start = raw.position(*path)
            _check_draft_links(linker, raw, linker.convert(value, start, paragraphs=False),
                               start)
    for text, start in _translated_markdown(raw):
        _check_draft_links(linker, raw, linker.convert(text, start, paragraphs=False), start)


def _translated_markdown(raw: RawRecord) -> Iterator[tuple[str, Position]]:
    """Each Markdown text of the record in a further language, with where it starts."""
    for path, texts in raw.translations.items():
        if isinstance(path[-1], str) and path[-1] in MARKDOWN_FIELDS:
            for code, text in texts.items():
                yield text, raw.position(*path, code)


def _check_draft_links(linker: _Linker, raw: RawRecord, rendered: Rendered,
                       start: Position) -> None:
    for record_link in rendered.record_links:
        _report_if_draft(linker, raw, _within(start, record_link.at), record_link.kind,
                         record_link.id)


def _report_if_draft(linker: _Linker, raw: RawRecord, position: Position, kind: str,
                     target: str) -> None:
    draft = linker.drafts.get((kind, target))
    if draft is None:
        return
    where = draft.position("draft")
    record_id = raw.data.get("id")  # a record with errors may have none
    this = f"{raw.kind} {record_id!r}" if isinstance(record_id, str) else f"{raw.kind} here"
    linker.sink.add(
        position,
        "draft-reference",
        f"{kind} {target!r} is a draft ({where.path}:{where.line}): the published"
        f" {this} cannot refer to it",
        f"Publish the {kind} (remove its draft: true), mark this {raw.kind} a draft too,"
        " or remove the reference.",
    )


def _leave_out_drafts(linker: _Linker) -> tuple[
        dict[str, list[m.FactRef]], dict[str, dict[int, list[m.FactRef]]],
        dict[str, set[m.ArticleId]]]:
    """What drafts gave the reverse indexes, dropped (the facts of a draft event citing
    a published source, a draft article mentioning a published actor): the linker's
    tables as they would be without drafts, the linker's own left as they are."""
    drafts = linker.drafts

    def kept(facts: Iterable[m.FactRef]) -> list[m.FactRef]:
        return [f for f in facts if (f.owner_kind, f.owner_id) not in drafts]

    source_facts = {source: kept(facts) for source, facts in linker.source_facts.items()
                    if ("source", source) not in drafts}
    paragraph_facts = {
        article: {number: kept(facts) for number, facts in paragraphs.items() if kept(facts)}
        for article, paragraphs in linker.paragraph_facts.items()
        if ("article", article) not in drafts
    }
    actor_articles = {
        actor: {a for a in articles if ("article", a) not in drafts}
        for actor, articles in linker.actor_articles.items() if ("actor", actor) not in drafts
    }
    return source_facts, paragraph_facts, actor_articles


# -- building records ----------------------------------------------------------


def _index_records(linker: _Linker, records: Iterable[RawRecord]) -> None:
    linker.index = {kind: {} for kind in KINDS}
    for raw in records:
        known = linker.index[raw.kind]
        first = known.get(raw.id)
        if first is not None:
            first_position = first.position("id")
            linker.sink.add(
                raw.position("id"),
                "duplicate-id",
                f"{raw.kind} id {raw.id!r} is already used",
                "Ids are unique within a kind: rename one of them.",
                also=(first_position,),
            )
            linker.duplicates.append(raw)
            continue
        known[raw.id] = raw


def _check_invalid_ids(linker: _Linker, invalid: Iterable[RawRecord]) -> list[RawRecord]:
    """A record with errors that takes an id already used is a duplicate too, reported
    in the same pass as its other errors. Returns the articles among them whose id is
    their own: their bodies' anchors are known, so citations of them are checked."""
    seen: dict[tuple[str, str], RawRecord] = {}
    readable = []
    for raw in invalid:
        record_id = raw.data.get("id")
        if not isinstance(record_id, str):
            continue
        first = linker.index[raw.kind].get(record_id) or seen.get((raw.kind, record_id))
        if first is None:
            seen[(raw.kind, record_id)] = raw
            if raw.kind == "article":
                readable.append(raw)
            continue
        # Reported at the later of the two, as between valid records.
        later, earlier = sorted((raw, first), key=lambda r: r.position("id").sort_key(),
                                reverse=True)
        linker.sink.add(
            later.position("id"),
            "duplicate-id",
            f"{raw.kind} id {record_id!r} is already used",
            "Ids are unique within a kind: rename one of them.",
            also=(earlier.position("id"),),
        )
        if raw.kind == "article" and first in readable:
            readable.remove(first)
    return readable


def _check_unlinked(linker: _Linker, raw: RawRecord, *, body: bool = True) -> None:
    """Everything the linker would report of a record it cannot link (one with errors,
    or a duplicate): its references, its Markdown, its body (unless ``body`` is false:
    checked already with the other articles). Reported in the same pass as the rest,
    so fixing one error never reveals others."""
    _check_references(linker, raw)
    start = Position(path=raw.display_path, line=raw.body_line, column=1)
    if raw.body is not None and body:
        if raw.kind == "article":
            linker.render(raw, raw.body, start, paragraphs=True)
        else:
            linker.render(raw, raw.body, start, paragraphs=False,
                          top_heading=PAGE_TOP_HEADING)
    if linker.drafts and raw.data.get("draft") in (None, False):  # published, or meant so
        _check_draft_fields(linker, raw)
        if raw.body is not None:
            paragraphs = raw.kind == "article"
            rendered = linker.convert(raw.body, start, paragraphs=paragraphs,
                                      top_heading=None if paragraphs else PAGE_TOP_HEADING)
            _check_draft_links(linker, raw, rendered, start)


def _check_references(linker: _Linker, raw: RawRecord) -> None:
    """Check the references among the valid fields of a record that had errors."""
    for spec, value, path in _field_values(raw.data, RECORD_SCHEMAS[raw.kind], ()):
        if isinstance(spec, Ref):
            linker.exists(raw, spec.kind, value, path)
        elif isinstance(spec, Text) and spec.markdown and isinstance(value, str):
            linker.render(raw, value, raw.position(*path), paragraphs=False)
        elif spec is ARTICLE_CITATION and isinstance(value, dict):
            article_id, anchor = value.get("article"), value.get("anchor")
            if anchor is not None and article_id in linker.article_anchors:
                linker.anchor(raw, article_id, anchor, (*path, "anchor"))
    for text, start in _translated_markdown(raw):
        linker.render(raw, text, start, paragraphs=False)


def _field_values(value: Any, spec: FieldType, path: FieldPath
                  ) -> Iterator[tuple[FieldType, Any, FieldPath]]:
    """Each value of a record's checked fields with its field type and path: the value
    itself, then what lies inside it (list items, a citation's chosen form, a
    mapping's fields). The checks that walk a record's fields for references (its
    own, a published record's of drafts) read this, not a walk of their own."""
    if value is INVALID:
        return
    if isinstance(spec, Translatable):
        spec = spec.inner
    yield spec, value, path
    if isinstance(spec, ListOf) and isinstance(value, list):
        for i, item in enumerate(value):
            item_spec = spec.positions[i] if i < len(spec.positions) else spec.item
            yield from _field_values(item, item_spec, (*path, i))
    elif isinstance(spec, OneOf) and isinstance(value, dict):
        for key, struct in spec.variants:
            if key in value:
                yield from _field_values(value, struct, path)
    elif isinstance(spec, Struct) and isinstance(value, dict):
        for name, item in value.items():
            if name in spec.by_name:
                yield from _field_values(item, spec.by_name[name].type, (*path, name))


MarkdownJob = tuple[str, bool, int | None]
"""A text to convert: (text, paragraphs numbered, top heading level or the default)."""
PAGE_TOP_HEADING = 2
"""A standing page's body is the page, like an article's: its sections are ``<h2>``."""
MARKDOWN_FIELDS = frozenset({"summary", "note", "text", "position"})
"""The contract: text fields of these names, and article bodies, are Markdown."""


_TEXTS_OF: dict[int, tuple[RawRecord, tuple[str, ...]]] = {}
"""The Markdown texts of each raw record of the last link, by the record's identity
(held, so the identity stays its own): a resident preview links the same loaded
records again on every edit, and walking every record's fields for its texts was a
third of the time it took to find the conversions."""


def _markdown_jobs(index: Mapping[str, Mapping[str, RawRecord]]) -> list[MarkdownJob]:
    """Every Markdown text of the content, as the linker will ask for it."""
    global _TEXTS_OF
    jobs: set[MarkdownJob] = set()
    known, seen = _TEXTS_OF, {}
    for kind, records in index.items():
        for raw in records.values():
            if kind == "article":
                jobs.add((raw.body or "", True, None))
            elif kind == "page":
                jobs.add((raw.body or "", False, PAGE_TOP_HEADING))
            found = known.get(id(raw))
            texts = found[1] if found is not None and found[0] is raw else tuple(
                _markdown_texts(raw.data))
            seen[id(raw)] = (raw, texts)
            jobs.update((text, False, None) for text in texts)
            jobs.update((text, False, None) for text, _ in _translated_markdown(raw))
    _TEXTS_OF = seen
    return sorted(jobs, key=lambda job: (job[0], job[1], job[2] or 0))


def _markdown_texts(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MARKDOWN_FIELDS and isinstance(item, str):
                yield item
            else:
                yield from _markdown_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _markdown_texts(item)


def _convert_ahead_of_linking(linker: _Linker, names: str, workers: int,
                              cache: MarkdownCache) -> None:
    jobs = _markdown_jobs(linker.index)
    keys = [cache.key(text, paragraphs, names, top) for text, paragraphs, top in jobs]
    assert linker.autolinker is not None
    converting = partial(_convert_ahead, linker.autolinker)
    for job, rendered in zip(jobs, cache.map(keys, converting, jobs, workers),
                             strict=True):
        if rendered is not None:
            linker.converted[job] = rendered


def _convert_job(autolinker: AutoLinker | None, job: MarkdownJob) -> Rendered:
    """Only article bodies (numbered paragraphs) are auto-linked."""
    text, paragraphs, top_heading = job
    return render_markdown(text, paragraphs=paragraphs,
                           autolinker=autolinker if paragraphs else None,
                           top_heading=top_heading)


def _convert_ahead(autolinker: AutoLinker, job: MarkdownJob) -> Rendered | None:
    """One conversion in a worker; None leaves a failing text to the linker's own
    conversion, which reports it."""
    try:
        return _convert_job(autolinker, job)
    except (RecursionError, TooDeep):
        return None


def _render_article_bodies(linker: _Linker, readable: Iterable[RawRecord] = ()) -> None:
    """Bodies first, all of them before any link is checked: citations and
    ``article:ID#anchor`` links anywhere need every article's anchors, those of
    ``readable`` articles too (articles with errors in their front matter, whose
    body is fine): citing them by a missing anchor is reported in the same pass."""
    starts: dict[str, Position] = {}
    articles = [*linker.index["article"].items(), *((raw.id, raw) for raw in readable)]
    for article_id, raw in articles:
        start = Position(path=raw.display_path, line=raw.body_line, column=1)
        starts[article_id] = start
        rendered = linker.convert(raw.body or "", start, paragraphs=True)
        linker.articles_rendered[article_id] = rendered
        anchors: dict[str, int] = {}
        for paragraph in rendered.paragraphs:
            anchors[f"p{paragraph.number}"] = paragraph.number
            if paragraph.name:
                anchors[paragraph.name] = paragraph.number
        linker.article_anchors[article_id] = anchors
    for article_id, rendered in linker.articles_rendered.items():
        linker.check(rendered, starts[article_id])


def _settings(linker: _Linker, raw: RawRecord | None) -> m.SiteSettings | None:
    if raw is None:
        return None
    data = raw.data
    base_url = data["base_url"]
    try:  # the check --base-url gets too: what check accepts, build builds with
        base_url = normalize_base_url(base_url)
    except BaseUrlError as problem:
        linker.sink.add(raw.position("base_url"), "base-url", str(problem), BASE_URL_HINT)
    main = data.get("language", "en")
    return m.SiteSettings(
        title=data["title"],
        tagline=data.get("tagline"),
        base_url=base_url,
        language=main,
        description=data.get("description"),
        license=data.get("license"),
        languages=_languages(linker, raw, main),
        translations=linker.translations(raw),
    )


def _languages(linker: _Linker, raw: RawRecord, main: str) -> tuple[m.Language, ...]:
    """The main language, then each further one of ``languages:``; a language given
    twice (tags ignore case), or the main one again, is an error."""
    found = [m.Language(code=main, name=display_name(main), direction=default_direction(main),
                        main=True)]
    for i, item in enumerate(raw.data.get("languages", ())):
        code = item["code"]
        earlier = next((known for known in found if same_tag(known.code, code)), None)
        if earlier is not None:
            linker.sink.add(
                raw.position("languages", i, "code"), "duplicate-language",
                f"{code!r} is the site's main language already" if earlier.main else
                f"{code!r} is listed twice (language tags ignore case)",
                "languages: lists the further languages; the main one is language:."
                if earlier.main else "List each language once.")
            continue
        found.append(m.Language(code=code, name=item["name"],
                                direction=item.get("direction") or default_direction(code),
                                main=False))
    return tuple(found)


def _body_translations(linker: _Linker, translations: Iterable[RawRecord]) -> None:
    """Find each translation's original (``STEM.md`` beside ``STEM.CODE.md``) and render
    its body: its record links are checked, its anchors kept for citations."""
    originals = {raw.relative_path: raw for kind in ("article", "page")
                 for raw in linker.index[kind].values()}
    for raw in translations:
        named = translation_of(raw.relative_path.rpartition("/")[2])
        assert named is not None and raw.language is not None
        folder = raw.relative_path.rpartition("/")[0]
        original_path = f"{folder}/{named[0]}.md" if folder else f"{named[0]}.md"
        original = originals.get(original_path)
        if original is None:
            if (raw.kind, named[0]) not in linker.broken:  # not an original with errors
                beside = [path.rpartition("/")[2].removesuffix(".md") for path in originals
                          if path.rpartition("/")[0] == folder]
                close = difflib.get_close_matches(named[0], beside, n=1, cutoff=0.6)
                linker.sink.add(
                    Position(path=raw.display_path, line=1, column=1), "no-original",
                    f"{raw.relative_path.rpartition('/')[2]!r} is a translation of"
                    f" {original_path.rpartition('/')[2]!r}, which does not exist"
                    + (f"; did you mean {close[0]}.{raw.language}.md?" if close else ""),
                    "A translation is named after its original, beside it: STEM.md is"
                    f" translated into {raw.language} as STEM.{raw.language}.md.")
            continue
        key = (original.kind, original.id)
        made = linker.body_translations.setdefault(key, {})
        if raw.language in made:
            linker.sink.add(
                Position(path=raw.display_path, line=1, column=1), "duplicate-translation",
                f"{original_path.rpartition('/')[2]!r} has two translations into"
                f" {raw.language} ({made[raw.language].origin.path} and this one)",
                "Language codes in file names ignore case: keep one of the two files.")
            continue
        start = Position(path=raw.display_path, line=raw.body_line, column=1)
        article = raw.kind == "article"
        rendered = linker.render(raw, raw.body or "", start, paragraphs=article,
                                 top_heading=None if article else PAGE_TOP_HEADING)
        anchors: dict[str, int] = {}
        for paragraph in rendered.paragraphs:
            anchors[f"p{paragraph.number}"] = paragraph.number
            if paragraph.name:
                anchors[paragraph.name] = paragraph.number
        if not _is_draft(raw) and not _is_draft(original):
            _check_draft_links(linker, raw, rendered, start)
        made[raw.language] = m.BodyTranslation(
            language=raw.language, title=raw.data["title"],
            summary=linker.markup(raw, ("summary",)), translator=raw.data.get("translator"),
            reviewed=raw.data.get("reviewed", False),
            body=m.Markup(source=raw.body or "", html=rendered.html),
            anchors=anchors, origin=_origin(raw), draft=_is_draft(raw),
            blocks=tuple(_body_block(block) for block in rendered.blocks))


def _place(linker: _Linker, raw: RawRecord) -> m.Place:
    data = raw.data
    within = linker.optional_id(raw, "place", "within")
    if within == raw.id:
        linker.sink.add(raw.position("within"), "place-cycle",
                        f"place {raw.id!r} cannot be within itself",
                        "Name the place that holds this one, or remove within:.")
        within = None
    coordinates = data.get("coordinates")
    return m.Place(
        id=m.PlaceId(raw.id),
        name=data["name"],
        kind=data["kind"],
        within=within,
        coordinates=(coordinates[0], coordinates[1]) if coordinates else None,
        summary=linker.markup(raw, ("summary",)),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
    )


def _check_place_cycles(linker: _Linker, invalid: Iterable[RawRecord]) -> None:
    """Places within each other in a circle. A place with errors in other fields (a bad
    coordinate) takes part by its ``within:`` too, so the circle is reported in the same
    pass as those errors."""
    records = dict(linker.index["place"])
    for raw in invalid:
        record_id = raw.data.get("id")
        if raw.kind != "place" or not isinstance(record_id, str) or record_id in records:
            continue  # a duplicate: reported as such
        records[record_id] = raw
        if raw.data.get("within") == record_id:  # a valid place's is reported by _place
            linker.sink.add(raw.position("within"), "place-cycle",
                            f"place {record_id!r} cannot be within itself",
                            "Name the place that holds this one, or remove within:.")
    within: dict[str, str] = {}
    for record_id, raw in records.items():
        value = raw.data.get("within")
        if isinstance(value, str) and value != record_id:
            within[record_id] = value
    reported: set[str] = set()
    for start in sorted(records, key=lambda i: records[i].position("within").sort_key()):
        seen: list[str] = []
        current: str | None = start
        while current is not None and current not in seen:
            seen.append(current)
            current = within.get(current)
        if current is not None and current == start and start not in reported:
            cycle = seen[seen.index(current):]
            reported.update(cycle)
            linker.sink.add(
                records[start].position("within"),
                "place-cycle",
                "places are within each other in a circle: "
                + " -> ".join([*cycle, current]),
                "Remove one of these within: lines.",
            )


def _check_site_paths(linker: _Linker, taken_by_site: SitePathTaken,
                      further: Iterable[str] = ()) -> None:
    """A record whose page would take a path the site uses for its own pages or files
    (a standing page ``pagefind`` or ``actors``, or one named like the folder of a
    further language, ``ur``) is an error here, in check as in build, not a collision
    found while planning the build."""
    folders = {url_segment(code) for code in further}
    for kind, records in linker.index.items():
        for record_id, raw in records.items():
            taken = taken_by_site(kind, record_id)
            if kind == "page" and record_id.casefold() in folders:
                taken = f"{record_id.casefold()}/ (the pages in that language)"
            if taken is not None:
                linker.sink.add(
                    raw.position("id"),
                    "reserved-id",
                    f"{kind} id {record_id!r} is reserved for the site's own pages",
                    "Rename the file, or give another id in its front matter."
                    f" The site's own /{taken} is there.",
                )


def _check_timeline_ids(linker: _Linker) -> None:
    """The timeline gives each event's entry the event's id as its element id: an id
    the page uses itself (``search``, ``site-search``) would be there twice."""
    for event_id, raw in linker.index["event"].items():
        if is_theme_id(event_id):
            linker.sink.add(
                raw.position("id"),
                "reserved-id",
                f"event id {event_id!r} is an element id the timeline page uses itself",
                "Give the event another id: the timeline's entry for it carries its id.",
            )


def _actor(linker: _Linker, raw: RawRecord) -> m.Actor:
    data = raw.data
    roles = []
    for i, role in enumerate(data.get("roles", [])):
        if role["of"] == raw.id:
            linker.sink.add(
                raw.position("roles", i, "of"), "self-reference",
                f"actor {raw.id!r} cannot hold a role in itself",
                "A role's of: names the other actor the role is held in.",
            )
            continue
        if not linker.exists(raw, "actor", role["of"], ("roles", i, "of")):
            continue
        roles.append(
            m.Role(title=role["title"], of=role["of"], start=role.get("from"), end=role.get("to"))
        )
    return m.Actor(
        id=m.ActorId(raw.id),
        name=data["name"],
        kind=data["kind"],
        aliases=tuple(data.get("aliases", ())),
        roles=tuple(roles),
        country=linker.optional_id(raw, "place", "country"),
        summary=linker.markup(raw, ("summary",)),
        links=tuple(m.WebLink(url=link["url"], title=link["title"])
                    for link in data.get("links", ())),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
    )


def _source(linker: _Linker, raw: RawRecord) -> m.Source:
    data = raw.data
    return m.Source(
        id=m.SourceId(raw.id),
        title=data["title"],
        publisher=data.get("publisher"),
        date=data.get("date"),
        url=data.get("url"),
        note=linker.markup(raw, ("note",)),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
    )


def _event(linker: _Linker, raw: RawRecord) -> m.Event:
    data = raw.data
    actors = []
    listed: set[str] = set()
    for i, item in enumerate(data.get("actors", [])):
        if item["id"] in listed:
            linker.sink.add(raw.position("actors", i), "duplicate-item",
                            f"{item['id']!r} is listed twice",
                            "List each actor once, with its role if it has one.")
            continue
        listed.add(item["id"])
        if linker.exists(raw, "actor", item["id"], ("actors", i)):
            actors.append(m.EventActor(id=item["id"], role=item.get("role")))
    claims = []
    for i, claim in enumerate(data.get("claims", [])):
        if not linker.exists(raw, "actor", claim["by"], ("claims", i, "by")):
            continue
        speaker = linker.index["actor"][claim["by"]].data["name"]
        fact = m.FactRef(kind="claim", owner_kind="event", owner_id=raw.id, index=i,
                         label=f"Claim by {speaker}: {data['title']}", date=data["date"])
        claims.append(
            m.Claim(
                by=claim["by"],
                text=cast(m.Markup, linker.markup(raw, ("claims", i, "text"))),
                sources=linker.citations(raw, ("claims", i, "sources"), fact),
            )
        )
    fact = m.FactRef(kind="event", owner_kind="event", owner_id=raw.id, index=None,
                     label=data["title"], date=data["date"])
    return m.Event(
        id=m.EventId(raw.id),
        title=data["title"],
        date=data["date"],
        end=data.get("end"),
        circa=data.get("circa", False),
        as_reported=data.get("as_reported"),
        kind=data["kind"],
        place=linker.optional_id(raw, "place", "place"),
        actors=tuple(actors),
        disputes=linker.ids(raw, "dispute", "disputes"),
        relationships=linker.ids(raw, "relationship", "relationships"),
        summary=linker.markup(raw, ("summary",)),
        claims=tuple(claims),
        sources=linker.citations(raw, ("sources",), fact),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
    )


def _dispute(linker: _Linker, raw: RawRecord) -> m.Dispute:
    data = raw.data
    positions = []
    for i, position in enumerate(data.get("positions", [])):
        if not linker.exists(raw, "actor", position["actor"], ("positions", i, "actor")):
            continue
        holder = linker.index["actor"][position["actor"]].data["name"]
        fact = m.FactRef(kind="position", owner_kind="dispute", owner_id=raw.id, index=i,
                         label=f"Position of {holder}: {data['title']}", date=None)
        positions.append(
            m.Position(
                actor=position["actor"],
                text=cast(m.Markup, linker.markup(raw, ("positions", i, "position"))),
                sources=linker.citations(raw, ("positions", i, "sources"), fact),
            )
        )
    parties = data.get("parties", [])
    for i, actor_id in enumerate(data.get("involves", [])):
        if actor_id in parties:
            linker.sink.add(
                raw.position("involves", i), "duplicate-item",
                f"{actor_id!r} is a party already: it cannot also be involved",
                "Keep it in parties: and remove it from involves:.",
            )
    return m.Dispute(
        id=m.DisputeId(raw.id),
        title=data["title"],
        parties=linker.ids(raw, "actor", "parties"),
        involves=linker.ids(raw, "actor", "involves"),
        status=data.get("status", "active"),
        since=data.get("since"),
        summary=linker.markup(raw, ("summary",)),
        positions=tuple(positions),
        trend=linker.trend(raw, "dispute", data["title"]),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
    )


def _relationship(
    linker: _Linker, raw: RawRecord, actors: Mapping[m.ActorId, m.Actor]
) -> m.Relationship:
    data = raw.data
    parties = linker.ids(raw, "actor", "parties")
    names = [actors[p].name if p in actors else p for p in data["parties"]]
    title = data.get("title") or " \u2013 ".join(names)
    return m.Relationship(
        id=m.RelationshipId(raw.id),
        title=title,
        parties=cast(tuple[m.ActorId, m.ActorId], parties),
        summary=linker.markup(raw, ("summary",)),
        trend=linker.trend(raw, "relationship", title),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
    )


def _article(linker: _Linker, raw: RawRecord) -> m.Article:
    data = raw.data
    rendered = linker.articles_rendered[raw.id]
    tagged = linker.ids(raw, "actor", "actors")
    linked = [link.id for link in rendered.record_links if link.kind == "actor"]
    for actor_id in {*tagged, *linked, *rendered.mentioned, *rendered.autolinked}:
        if actor_id in linker.index["actor"]:
            linker.actor_articles.setdefault(actor_id, set()).add(m.ArticleId(raw.id))
    return m.Article(
        id=m.ArticleId(raw.id),
        title=data["title"],
        date=data["date"],
        updated=data.get("updated"),
        kind=data.get("kind", "analysis"),
        authors=tuple(data.get("authors", ())),
        summary=linker.markup(raw, ("summary",)),
        actors=tagged,
        disputes=linker.ids(raw, "dispute", "disputes"),
        sources=linker.ids(raw, "source", "sources"),
        body=m.Markup(source=raw.body or "", html=rendered.html),
        blocks=tuple(_body_block(block) for block in rendered.blocks),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
        translated=linker.body_translations.get(("article", raw.id), {}),
    )


def _body_block(block: Block) -> m.BodyBlock:
    paragraph = block.paragraph
    return m.BodyBlock(html=block.html, paragraph=None if paragraph is None else (
        m.ArticleParagraph(number=paragraph.number, name=paragraph.name, text=paragraph.text)))


def _page(linker: _Linker, raw: RawRecord) -> m.Page:
    start = Position(path=raw.display_path, line=raw.body_line, column=1)
    rendered = linker.render(raw, raw.body or "", start, paragraphs=False,
                             top_heading=PAGE_TOP_HEADING)
    return m.Page(
        id=m.PageId(raw.id),
        title=raw.data["title"],
        summary=linker.markup(raw, ("summary",)),
        body=m.Markup(source=raw.body or "", html=rendered.html),
        origin=_origin(raw),
        corrections=linker.corrections(raw),
        draft=_is_draft(raw),
        translations=linker.translations(raw),
        translated=linker.body_translations.get(("page", raw.id), {}),
    )


# -- helpers -------------------------------------------------------------------


def _event_key(event: m.Event) -> Any:
    return (*sort_key(event.date, event.end), event.id)


def _origin(raw: RawRecord) -> m.Origin:
    return m.Origin(path=raw.relative_path, line=raw.line)


def _sorted_map(records: Mapping[K, V], key: Callable[[V], Any]) -> dict[K, V]:
    return {k: v for k, v in sorted(records.items(), key=lambda item: key(item[1]))}


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def _within(start: Position, at: TextPosition) -> Position:
    """A position inside a Markdown text, from where the text starts in its file."""
    if start.line is None:
        return start
    if at.line == 1:
        column = (start.column or 1) + at.column - 1
        return Position(path=start.path, line=start.line, column=column)
    return Position(path=start.path, line=start.line + at.line - 1, column=at.column)


def _anchor_hint(anchors: Mapping[str, int]) -> str:
    if not anchors:
        return "That article has no paragraphs to cite."
    count = max(anchors.values())
    names = sorted(name for name in anchors if ANCHOR_NAME_RE.fullmatch(name))
    hint = f"Use p1 to p{count}"
    if names:
        hint += " or one of its named anchors: " + ", ".join(names[:12])
    return hint + "."


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind
