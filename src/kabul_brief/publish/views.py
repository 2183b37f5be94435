"""Building blocks of page views: links, dates, citations, events and trends.

Templates only print what a view holds: every URL, every date text, every "which
facts cite this" is decided here, from the frozen model, so that templates carry
no logic that a test could not reach. HTML from Markdown arrives here already
sanitized; it is wrapped as :class:`markupsafe.Markup` after its record links are
rewritten, and everything else stays plain text for Jinja to escape.
"""

from __future__ import annotations

import calendar
import gettext
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Final, TypeVar, cast

from markupsafe import Markup as SafeHtml

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate, Precision
from kabul_brief.publish import datetext
from kabul_brief.publish.interface import N_
from kabul_brief.publish.localize import compose, joined, typeset, wrapped
from kabul_brief.publish.reads import remembered, tracked
from kabul_brief.publish.urls import Urls, safe_external

_MONTHS: Final = tuple(calendar.month_name)
ARROWS: Final[dict[str, str]] = {"improved": "↑", "deteriorated": "↓", "unchanged": "→"}
KIND_LABELS: Final[dict[str, str]] = {
    "person": N_("People"), "state": N_("States"), "government": N_("Governments"),
    "organisation": N_("Organisations"), "armed-group": N_("Armed groups"),
    "multilateral": N_("Multilateral bodies"), "group": N_("Groups"),
}
TREND_WORDS: Final[dict[str, str]] = {
    "improved": N_("Improved"), "deteriorated": N_("Deteriorated"),
    "unchanged": N_("Unchanged"),
}
"""A trend point's direction, as a page says it."""


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str
    """As print sets it (:func:`~kabul_brief.content.markup.typeset`), whoever made it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", typeset(self.text))  # a fallback stays one


@dataclass(frozen=True, slots=True)
class DateView:
    iso: str
    """Exactly the precision given: ``2025``, ``2025-04`` or ``2025-04-22``."""
    text: str
    """In the page's language (:mod:`~kabul_brief.publish.datetext`)."""
    hijri: str | None = None
    """The Solar Hijri form beside it, on Dari and Pashto pages."""


@dataclass(frozen=True, slots=True)
class When:
    """A date or range as an editor gave it, with its hedges."""

    start: DateView
    end: DateView | None
    circa: bool
    as_reported: str | None

    @property
    def separator(self) -> str:
        """The en dash of a range: closed after a one-word start (27-28 April 2025,
        March-May 2025), spaced after a longer one (30 April - 2 May 2025)."""
        return " \N{EN DASH} " if " " in self.start.text else "\N{EN DASH}"


@dataclass(frozen=True, slots=True)
class Note:
    """One numbered citation in a page's notes."""

    number: int
    main: Link
    detail: str | None
    external: Link | None


@dataclass(frozen=True, slots=True)
class FactLink:
    """A sourced fact as listed where it is cited (source and article pages)."""

    link: Link
    kind: str
    when: When | None


@dataclass(frozen=True, slots=True)
class ActorRole:
    link: Link
    role: str | None


@dataclass(frozen=True, slots=True)
class EventItem:
    id: str
    link: Link
    when: When
    kind: str
    place: Link | None
    actors: tuple[ActorRole, ...]
    role: str | None
    """The role of the actor whose page lists the event, if given."""


@dataclass(frozen=True, slots=True)
class TrendView:
    anchor: str
    when: When
    direction: str
    word: str
    arrow: str
    note: SafeHtml | None
    refs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CorrectionView:
    """A correction as its record's page shows it, before the body."""

    anchor: str
    """Its element id (``correction_2025-05-06``; a second of that day ``_2``), which
    ``/corrections/`` and its feed link to."""
    date: DateView
    text: SafeHtml


def date_view(date: PartialDate) -> DateView:
    return DateView(iso=date.iso, text=datetext.text(date), hijri=datetext.solar_hijri(date))


def when(
    date: PartialDate, end: PartialDate | None = None, *, circa: bool = False,
    as_reported: str | None = None,
) -> When:
    """A date or a range; a range in one month reads "24-25 April 2025" (with an en
    dash, spaced across months: see ``When.separator``)."""
    if end is None or end == date:
        return When(start=date_view(date), end=None, circa=circa, as_reported=as_reported)
    if not datetext.is_english(datetext.LANGUAGE.get()):  # each end in full, as CLDR has it
        return When(start=date_view(date), end=date_view(end), circa=circa,
                    as_reported=as_reported)
    first = date.display()
    if date.precision == end.precision and date.year == end.year:
        if date.precision is Precision.DAY:
            same_month = date.month == end.month
            first = str(date.day) if same_month else f"{date.day} {_MONTHS[date.month or 1]}"
        elif date.precision is Precision.MONTH:
            first = _MONTHS[date.month or 1]
    return When(start=DateView(iso=date.iso, text=first), end=date_view(end), circa=circa,
                as_reported=as_reported)


def fact_anchor(kind: m.FactKind, index: int) -> str:
    """The element id of an event's claim or a dispute's position on its owner's page,
    and of the fragment that links to it: ``claim_1`` for the first (``index`` 0)."""
    return f"{kind}_{index + 1}"


def _dated_anchors(prefix: str, dates: Iterable[PartialDate]) -> list[str]:
    """``PREFIX_DATE`` per date; a second of the same date gets ``_2``."""
    seen: dict[str, int] = {}
    anchors = []
    for date in dates:
        count = seen[date.iso] = seen.get(date.iso, 0) + 1
        anchors.append(f"{prefix}_{date.iso}" + (f"_{count}" if count > 1 else ""))
    return anchors


def trend_anchors(trend: Iterable[m.TrendPoint]) -> list[str]:
    """``trend_2025-04`` per point; a second point on the same date gets ``_2``."""
    return _dated_anchors("trend", (point.date for point in trend))


def correction_anchors(corrections: Iterable[m.Correction]) -> list[str]:
    """``correction_2025-05-06`` per correction; a second of the same day gets ``_2``."""
    return _dated_anchors("correction", (correction.date for correction in corrections))


Record = TypeVar("Record")


class Kit:
    """The model and the URLs of one build, with the helpers every page view uses.

    Links and event items are made once per record and shared (they are frozen); the
    reverse lookups are the model's own (:mod:`~kabul_brief.content.backlinks`): a
    page view never scans every record of a kind, so planning stays linear."""

    def __init__(self, site: m.Site, urls: Urls, language: str | None = None,
                 words: gettext.NullTranslations | None = None) -> None:
        """``language``: the code of the further language whose pages these are (its
        edition of the site, :mod:`~kabul_brief.publish.localize`); None: the main one.
        ``words``: the interface's catalog in the pages' language
        (:mod:`~kabul_brief.publish.interface`); none: the messages as written."""
        self.language = language
        self.words = words or gettext.NullTranslations()
        self.site = tracked(site)
        """The model, noting what each page's view reads (:mod:`~kabul_brief.publish.reads`)."""
        self.urls = urls
        self._links: dict[Hashable, tuple[Link, frozenset[str]]] = {}
        self._event_items: dict[Hashable, tuple[EventItem, frozenset[str]]] = {}
        self._order: dict[Hashable, tuple[dict[str, int], frozenset[str]]] = {}
        self._remembered: dict[Hashable, tuple[object, frozenset[str]]] = {}

    def remember(self, key: Hashable, compute: Callable[[], Record]) -> Record:
        """``compute()``, made once for the build's pages that ask for it under ``key``
        (a feed's entry for an event, a calendar's lines for it), what it read passed
        on to each of them (:func:`~kabul_brief.publish.reads.remembered`)."""
        return cast(Record, remembered(self._remembered, key, compute))

    def say(self, message: str, **values: object) -> str:
        """A message of the interface in the pages' language, ``%(name)s`` filled in
        (numbers in its digits; a fallback among the values stays marked)."""
        text = self.words.gettext(message)
        return compose(text, self._digits(values)) if values else text

    def say_n(self, singular: str, plural: str, count: int, **values: object) -> str:
        """A message that counts (``1 event``, ``3 events``), ``%(count)s`` filled in."""
        return compose(self.words.ngettext(singular, plural, count),
                       self._digits({"count": count, **values}))

    def _digits(self, values: dict[str, object]) -> dict[str, object]:
        if self.language is None or datetext.is_english(self.language):
            return values
        return {key: datetext.digits(str(value), self.language)
                if isinstance(value, int) and not isinstance(value, bool) else value
                for key, value in values.items()}

    # -- names and links ---------------------------------------------------------

    def _link(self, kind: str, record_id: str, title: Callable[[], str]) -> Link:
        return remembered(self._links, (kind, record_id),
                          lambda: Link(self.urls.record(kind, record_id), title()))

    def actor(self, actor_id: str) -> Link:
        return self._link("actor", actor_id,
                          lambda: self.site.actors[m.ActorId(actor_id)].name)

    def place(self, place_id: str) -> Link:
        return self._link("place", place_id,
                          lambda: self.site.places[m.PlaceId(place_id)].name)

    def event(self, event_id: str) -> Link:
        return self._link("event", event_id,
                          lambda: self.site.events[m.EventId(event_id)].title)

    def neighbours(self, event_id: str) -> tuple[Link | None, Link | None]:
        """The events before and after this one on the timeline: a reader's previous
        and next. (Any change of the timeline's order touches every event page.)"""
        timeline = self.site.timeline
        order = remembered(self._order, "timeline",
                           lambda: {e: n for n, e in enumerate(timeline)})
        position = order.get(event_id)
        if position is None:
            return None, None
        before = self.event(timeline[position - 1]) if position > 0 else None
        after = self.event(timeline[position + 1]) if position + 1 < len(order) else None
        return before, after

    def dispute(self, dispute_id: str) -> Link:
        return self._link("dispute", dispute_id,
                          lambda: self.site.disputes[m.DisputeId(dispute_id)].title)

    def relationship(self, relationship_id: str) -> Link:
        return self._link(
            "relationship", relationship_id,
            lambda: self.site.relationships[m.RelationshipId(relationship_id)].title)

    def source(self, source_id: str) -> Link:
        return self._link("source", source_id,
                          lambda: self.site.sources[m.SourceId(source_id)].title)

    def standing(self, page_id: str) -> Link:
        return Link(self.urls.url(self.urls.page_path(page_id)),
                    self.site.pages[m.PageId(page_id)].title)

    def article(self, article_id: str) -> Link:
        return self._link("article", article_id,
                          lambda: self.site.articles[m.ArticleId(article_id)].title)

    def record(self, kind: str, record_id: str) -> Link:
        """A link to the page of a record of any kind (``"event"``, ``"page"``, ...)."""
        if kind == "page":
            return self.standing(record_id)

        def title() -> str:
            record = self.site.records(kind)[record_id]
            return str(record.name if isinstance(record, m.Actor | m.Place) else record.title)

        return self._link(kind, record_id, title)

    def html(self, markup: m.Markup | None) -> SafeHtml | None:
        """Sanitized Markdown HTML with its record links made URLs."""
        if markup is None:
            return None
        return SafeHtml(wrapped(self.urls.rewrite(markup.html), markup))

    def corrections(self, corrections: tuple[m.Correction, ...]) -> tuple[CorrectionView, ...]:
        """A record's corrections, for its page."""
        return tuple(
            CorrectionView(anchor=anchor, date=date_view(correction.date),
                           text=self.html(correction.text) or SafeHtml(""))
            for anchor, correction in zip(correction_anchors(corrections), corrections,
                                          strict=True))

    # -- events and trends ---------------------------------------------------------

    def event_item(
        self, event_id: str, role: str | None = None, *, besides: str | None = None
    ) -> EventItem:
        """An event for lists; ``besides`` leaves out the actor whose page lists it."""
        return remembered(self._event_items, (event_id, role, besides),
                          lambda: self._event_item(event_id, role, besides))

    def _event_item(self, event_id: str, role: str | None, besides: str | None) -> EventItem:
        event = self.site.events[m.EventId(event_id)]
        return EventItem(
            id=event.id,
            link=self.event(event_id),
            when=when(event.date, event.end, circa=event.circa, as_reported=event.as_reported),
            kind=event.kind,
            place=self.place(event.place) if event.place else None,
            actors=tuple(ActorRole(self.actor(a.id), a.role) for a in event.actors
                         if a.id != besides),
            role=role,
        )

    def events(self, event_ids: Iterable[str]) -> tuple[EventItem, ...]:
        return tuple(self.event_item(e) for e in event_ids)

    def trend(self, trend: tuple[m.TrendPoint, ...], notes: Notes | None) -> tuple[TrendView, ...]:
        anchors = trend_anchors(trend)
        return tuple(
            TrendView(
                anchor=anchor,
                when=when(point.date, circa=point.circa, as_reported=point.as_reported),
                direction=point.direction,
                word=self.say(TREND_WORDS[point.direction]),
                arrow=ARROWS[point.direction],
                note=self.html(point.note),
                refs=notes.refs(point.sources) if notes is not None else (),
            )
            for anchor, point in zip(anchors, trend, strict=True)
        )

    # -- facts -------------------------------------------------------------------

    def fact_url(self, fact: m.FactRef) -> str:
        """Where a cited fact is shown: its event, or its place on its owner's page."""
        fragment: str | None = None
        if fact.kind in ("claim", "position") and fact.index is not None:
            fragment = fact_anchor(fact.kind, fact.index)
        elif fact.kind == "trend" and fact.index is not None:
            owner: m.Dispute | m.Relationship = (
                self.site.disputes[m.DisputeId(fact.owner_id)] if fact.owner_kind == "dispute"
                else self.site.relationships[m.RelationshipId(fact.owner_id)]
            )
            fragment = trend_anchors(owner.trend)[fact.index]  # index: position as shown
        return self.urls.record(fact.owner_kind, fact.owner_id, fragment)

    def fact_label(self, fact: m.FactRef) -> str:
        """What a cited fact is called where it is listed: the linker's words on the
        main language's pages, the page's language's on the others."""
        if self.language is None:
            return fact.label
        if fact.owner_kind == "event":
            event = self.site.events[m.EventId(fact.owner_id)]
            if fact.kind == "claim" and fact.index is not None:
                return self.say("Claim by %(actor)s: %(event)s",
                                actor=self.actor(event.claims[fact.index].by).text,
                                event=event.title)
            return event.title
        owner: m.Dispute | m.Relationship = (
            self.site.disputes[m.DisputeId(fact.owner_id)] if fact.owner_kind == "dispute"
            else self.site.relationships[m.RelationshipId(fact.owner_id)])
        if fact.kind == "position" and isinstance(owner, m.Dispute) and fact.index is not None:
            return self.say("Position of %(actor)s: %(dispute)s",
                            actor=self.actor(owner.positions[fact.index].actor).text,
                            dispute=owner.title)
        if fact.kind == "trend" and fact.index is not None:
            point = owner.trend[fact.index]
            return self.say("%(topic)s: %(direction)s (%(date)s)", topic=owner.title,
                            direction=self.say(point.direction),
                            date=datetext.text(point.date))
        return owner.title

    def fact(self, fact: m.FactRef) -> FactLink:
        return FactLink(
            link=Link(self.fact_url(fact), self.fact_label(fact)),
            kind=fact.kind,
            # A trend point's label already ends with its date.
            when=when(fact.date) if fact.date is not None and fact.kind != "trend" else None,
        )

    def facts(self, facts: Iterable[m.FactRef]) -> tuple[FactLink, ...]:
        return tuple(self.fact(f) for f in facts)


class Notes:
    """Numbers the citations of one page; a citation cited twice keeps its number."""

    def __init__(self, kit: Kit) -> None:
        self._kit = kit
        self._numbers: dict[m.Citation, int] = {}
        self._notes: list[Note] = []

    def refs(self, citations: Iterable[m.Citation]) -> tuple[int, ...]:
        numbers = []
        for citation in citations:
            if citation not in self._numbers:
                self._numbers[citation] = len(self._notes) + 1
                self._notes.append(self._note(len(self._notes) + 1, citation))
            numbers.append(self._numbers[citation])
        return tuple(sorted(set(numbers)))  # [1][3][4], as readers expect, not [1][4][3]

    @property
    def items(self) -> tuple[Note, ...]:
        return tuple(self._notes)

    def _note(self, number: int, citation: m.Citation) -> Note:
        kit = self._kit
        if isinstance(citation, m.ArticleCitation):
            article = kit.site.articles[citation.article]
            if citation.paragraph is None:
                return Note(number, kit.article(citation.article),
                            kit.say("the whole article"), None)
            # The name as written: a copied link keeps pointing at the same paragraph;
            # in the page's language where its translation has that paragraph.
            anchor = citation.anchor or f"p{citation.paragraph}"
            translated = article.translated.get(kit.language) if kit.language else None
            here = kit.language is None or (translated is not None
                                            and anchor in translated.anchors)
            urls = kit.urls if here else kit.urls.main
            url = urls.record("article", citation.article, anchor)
            return Note(number, Link(url, article.title),
                        kit.say("paragraph %(number)s", number=citation.paragraph), None)
        if isinstance(citation, m.SourceCitation):
            source = kit.site.sources[citation.source]
            detail = joined(kit.say(", "), [
                part for part in (source.publisher,
                                  datetext.text(source.date) if source.date else None,
                                  citation.locator) if part])
            original = safe_external(source.url)
            external = Link(original, kit.say("original")) if original else None
            return Note(number, kit.source(citation.source), detail or None, external)
        detail = joined(kit.say(", "), [
            part for part in (citation.publisher,
                              datetext.text(citation.date) if citation.date else None) if part])
        target = safe_external(citation.url) or kit.urls.home()
        return Note(number, Link(target, citation.title), detail or None, None)


@dataclass(frozen=True, slots=True)
class SourceItem:
    """A source as a reader weighs it: what it is, who published it and when."""

    link: Link
    publisher: str | None
    when: When | None
    cited: int | None
    """How many facts cite it, where a page says so (the list of sources)."""


def source_item(kit: Kit, source_id: m.SourceId, counted: bool = True) -> SourceItem:
    """Without ``counted`` the page does not read what cites the source, so an edit
    of a fact citing it does not make the page again."""
    item = kit.site.sources[source_id]
    return SourceItem(kit.source(source_id), item.publisher,
                      when(item.date) if item.date else None,
                      len(kit.site.backlinks.source_citations[source_id]) if counted else None)
