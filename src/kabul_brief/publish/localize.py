"""The model as a page in one of the site's further languages reads it.

Every page exists in every language (``/fa-af/actors/taliban/``); its views are made
by the same code as the main language's, from a site whose texts are the language's
own where an editor gave them. Where one was not given, the text is the main
language's, marked as such (:class:`Fallback`, :func:`fallback_markup`), so that the
page says which passages are in which language (``lang`` and ``dir``) and a screen
reader reads each in its own voice.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, TypeVar

from markupsafe import escape

from kabul_brief.content import markup
from kabul_brief.content import model as m
from kabul_brief.languages import default_direction, url_segment

T = TypeVar("T")

MARK_FALLBACKS: ContextVar[bool] = ContextVar("mark_fallbacks", default=False)
"""Set while an HTML page is rendered: only there is a fallback wrapped in an element
(an Atom title or a calendar line takes text alone)."""

_OPEN: Final = "\x00\x01"
_BETWEEN: Final = "\x00\x03"
_CLOSE: Final = "\x00\x02"
_MARK_RE: Final = re.compile("\x00\x01([A-Za-z0-9-]{1,35}) (ltr|rtl)\x00\x03(.*?)\x00\x02", re.S)
_TEXT_ONLY: Final = frozenset({"title", "option", "textarea", "text", "tspan", "script", "style"})
"""Elements whose content is text alone: a fallback there is its text, unwrapped."""
_TAG_RE: Final = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


class Fallback(str):
    """A text in the main language standing in for a missing translation. It is the
    text itself everywhere (in Python, JSON, attributes through ``|bare``); escaped
    into an HTML page it is wrapped in ``<bdi lang dir>``, which also isolates its
    direction from the page's."""

    __slots__ = ("direction", "language")
    language: str
    direction: str

    def __new__(cls, text: str, language: str, direction: str) -> Fallback:
        made = super().__new__(cls, text)
        made.language = language
        made.direction = direction
        return made

    def __html__(self) -> str:
        escaped = str(escape(str.__str__(self)))  # as Jinja escapes any other text
        if not MARK_FALLBACKS.get():
            return escaped
        # A mark the page is finished from (resolve_marks): the template may have put
        # the text in an attribute or a <title>, where it can only be text.
        return f"{_OPEN}{self.language} {self.direction}{_BETWEEN}{escaped}{_CLOSE}"

    def __reduce__(self) -> tuple[Any, ...]:  # the workers are handed views, pickled
        return (Fallback, (str.__str__(self), self.language, self.direction))


class Phrase(str):
    """A message of the interface with a fallback among its values ("Events involving
    Amir Khan Muttaqi" on a Dari page): the text itself everywhere, and in an HTML page
    the message with each fallback marked (:class:`Fallback`)."""

    __slots__ = ("message", "values")
    message: str
    values: dict[str, object]

    def __new__(cls, message: str, values: dict[str, object]) -> Phrase:
        made = super().__new__(cls, message % {k: bare(v) for k, v in values.items()})
        made.message = message
        made.values = values
        return made

    def __html__(self) -> str:
        return str(escape(self.message) % self.values)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Phrase, (self.message, self.values))


def compose(message: str, values: dict[str, object]) -> str:
    """``message % values``: a :class:`Phrase` if a value is a fallback, else plain text."""
    if any(isinstance(value, Fallback | Phrase) for value in values.values()):
        return Phrase(message, values)
    return message % values


def resolve_marks(page: str) -> str:
    """The rendered page with each fallback's mark made ``<bdi lang dir>`` where an
    element may stand (the text of the page), and its text alone inside a tag (an
    attribute) or an element that holds text only (``<title>``, ``<option>``, SVG
    ``<text>``). Editors' text holds no control character (the loader refuses them),
    so every mark is one :class:`Fallback` made."""
    if _OPEN not in page:
        return page

    def resolve(found: re.Match[str]) -> str:
        start = found.start()
        opened = page.rfind("<", 0, start)
        in_tag = opened > page.rfind(">", 0, start)
        tag = _TAG_RE.match(page, opened) if opened >= 0 else None
        if in_tag or (tag is not None and not tag.group(0).startswith("</")
                      and tag.group(1).lower() in _TEXT_ONLY):
            return found.group(3)
        return f'<bdi lang="{found.group(1)}" dir="{found.group(2)}">{found.group(3)}</bdi>'

    return _MARK_RE.sub(resolve, page).replace("\x00", "")


def bare(text: object) -> str:
    """The text alone, unmarked: for attributes and other places that take no element."""
    return str.__str__(text) if isinstance(text, str) else str(text)


def like(original: str, text: str) -> str:
    """``text``, made from ``original`` (typeset, cut): marked as ``original`` was."""
    if isinstance(original, Fallback):
        return Fallback(text, original.language, original.direction)
    return text


_BLOCK: Final = '<div lang="{language}" dir="{direction}">{html}</div>'


def fallback_markup(markup: m.Markup, main: m.Language) -> m.Markup:
    """Markdown in the main language standing in for a missing translation: marked with
    its language and direction, which the page puts on an element around it
    (:func:`wrapped`, once its record links are URLs: rewriting them re-sanitizes)."""
    return m.Markup(source=markup.source, html=markup.html, language=main.code,
                    direction=main.direction)


def wrapped(html: str, markup: m.Markup) -> str:
    """``html`` (``markup`` made ready for the page) in an element with the language and
    direction of a fallback; as it is otherwise."""
    if markup.language is None:
        return html
    return _BLOCK.format(language=markup.language, direction=markup.direction, html=html)


def _written_only_in(text: str, direction: str) -> bool:
    """Whether every strongly directed letter of the text runs in this direction."""
    kinds = {unicodedata.bidirectional(char) for char in text} & {"L", "R", "AL"}
    return bool(kinds) and kinds <= ({"R", "AL"} if direction == "rtl" else {"L"})


class _Localizer:
    """Replaces each translatable text of a record by the language's, or a fallback."""

    def __init__(self, language: m.Language, main: m.Language) -> None:
        self.language = language
        self.main = main

    def text(self, original: str, translations: m.Translations,
             path: tuple[str | int, ...]) -> str:
        given = translations.get(path, {}).get(self.language.code)
        if isinstance(given, str):
            return given
        return Fallback(original, self.main.code, self.main.direction)

    def optional_text(self, original: str | None, translations: m.Translations,
                      path: tuple[str | int, ...]) -> str | None:
        return None if original is None else self.text(original, translations, path)

    def optional_markup(self, original: m.Markup | None, translations: m.Translations,
                        path: tuple[str | int, ...]) -> m.Markup | None:
        return None if original is None else self.markup(original, translations, path)

    def markup(self, original: m.Markup, translations: m.Translations,
               path: tuple[str | int, ...]) -> m.Markup:
        given = translations.get(path, {}).get(self.language.code)
        if isinstance(given, m.Markup):
            return given
        return fallback_markup(original, self.main)

    def untranslated(self, original: str | None) -> str | None:
        """A text no translation is given for (a publisher, an author): the main
        language's, marked as such."""
        return None if original is None else self.mark(original)

    def mark(self, original: str) -> str:
        """A name as written, marked as the main language's unless it is written in
        the page's direction alone (``احمد ولی`` on a Dari page of an English site),
        where calling it English would have it read in an English voice."""
        if self.language.direction != self.main.direction and _written_only_in(
                original, self.language.direction):
            return original
        return Fallback(original, self.main.code, self.main.direction)

    def with_translator_marked(
            self, translated: Mapping[str, m.BodyTranslation]) -> dict[str, m.BodyTranslation]:
        """The translations, this language's translator's name marked as a name is."""
        marked = dict(translated)
        mine = marked.get(self.language.code)
        if mine is not None:
            marked[self.language.code] = dataclasses.replace(
                mine, translator=self.untranslated(mine.translator))
        return marked

    def aliases(self, original: tuple[str, ...], translations: m.Translations) -> tuple[str, ...]:
        given = translations.get(("aliases",), {}).get(self.language.code)
        if isinstance(given, tuple):
            return given
        return tuple(Fallback(alias, self.main.code, self.main.direction) for alias in original)

    def corrections(self, corrections: tuple[m.Correction, ...],
                    translations: m.Translations) -> tuple[m.Correction, ...]:
        return tuple(dataclasses.replace(c, text=self.markup(
            c.text, translations, ("corrections", c.written, "text"))) for c in corrections)

    def trend(self, trend: tuple[m.TrendPoint, ...],
              translations: m.Translations) -> tuple[m.TrendPoint, ...]:
        return tuple(dataclasses.replace(
            point,
            note=self.optional_markup(point.note, translations, ("trend", point.written, "note")),
            as_reported=self.optional_text(point.as_reported, translations,
                                           ("trend", point.written, "as_reported")),
            sources=self.citations(point.sources),
        ) for point in trend)

    # -- one function per kind -------------------------------------------------------

    def actor(self, actor: m.Actor) -> m.Actor:
        t = actor.translations
        return dataclasses.replace(
            actor, name=self.text(actor.name, t, ("name",)),
            aliases=self.aliases(actor.aliases, t),
            roles=tuple(dataclasses.replace(role, title=self.text(role.title, t,
                                                                   ("roles", i, "title")))
                        for i, role in enumerate(actor.roles)),
            summary=self.optional_markup(actor.summary, t, ("summary",)),
            links=tuple(dataclasses.replace(link, title=self.mark(link.title))
                        for link in actor.links),
            corrections=self.corrections(actor.corrections, t))

    def place(self, place: m.Place) -> m.Place:
        t = place.translations
        return dataclasses.replace(
            place, name=self.text(place.name, t, ("name",)),
            summary=self.optional_markup(place.summary, t, ("summary",)),
            corrections=self.corrections(place.corrections, t))

    def event(self, event: m.Event) -> m.Event:
        t = event.translations
        return dataclasses.replace(
            event, title=self.text(event.title, t, ("title",)),
            as_reported=self.optional_text(event.as_reported, t, ("as_reported",)),
            summary=self.optional_markup(event.summary, t, ("summary",)),
            actors=tuple(dataclasses.replace(
                actor, role=self.optional_text(actor.role, t, ("actors", i, "role")))
                for i, actor in enumerate(event.actors)),
            sources=self.citations(event.sources),
            claims=tuple(dataclasses.replace(
                claim, text=self.markup(claim.text, t, ("claims", i, "text")),
                sources=self.citations(claim.sources)) for i, claim in enumerate(event.claims)),
            corrections=self.corrections(event.corrections, t))

    def dispute(self, dispute: m.Dispute) -> m.Dispute:
        t = dispute.translations
        return dataclasses.replace(
            dispute, title=self.text(dispute.title, t, ("title",)),
            summary=self.optional_markup(dispute.summary, t, ("summary",)),
            positions=tuple(dataclasses.replace(
                position, text=self.markup(position.text, t, ("positions", i, "position")),
                sources=self.citations(position.sources))
                for i, position in enumerate(dispute.positions)),
            trend=self.trend(dispute.trend, t),
            corrections=self.corrections(dispute.corrections, t))

    def relationship(self, relationship: m.Relationship) -> m.Relationship:
        t = relationship.translations
        return dataclasses.replace(
            relationship, title=self.text(relationship.title, t, ("title",)),
            summary=self.optional_markup(relationship.summary, t, ("summary",)),
            trend=self.trend(relationship.trend, t),
            corrections=self.corrections(relationship.corrections, t))

    def source(self, source: m.Source) -> m.Source:
        t = source.translations
        return dataclasses.replace(
            source, title=self.text(source.title, t, ("title",)),
            note=self.optional_markup(source.note, t, ("note",)),
            publisher=self.untranslated(source.publisher),
            corrections=self.corrections(source.corrections, t))

    def citations(self, citations: tuple[m.Citation, ...]) -> tuple[m.Citation, ...]:
        """A citation's own words (a link's title and publisher, a locator such as
        "p. 3"): no translation is given for them."""
        return tuple(
            dataclasses.replace(c, title=self.mark(c.title),
                                publisher=self.untranslated(c.publisher))
            if isinstance(c, m.LinkCitation) else
            dataclasses.replace(c, locator=self.untranslated(c.locator))
            if isinstance(c, m.SourceCitation) else c for c in citations)

    def article(self, article: m.Article) -> m.Article:
        translated = article.translated.get(self.language.code)
        t = article.translations
        article = dataclasses.replace(
            article, authors=tuple(map(self.mark, article.authors)),
            translated=self.with_translator_marked(article.translated))
        if translated is None:
            return dataclasses.replace(  # its blocks marked by its body's language
                article, title=self.text(article.title, t, ("title",)),
                summary=self.optional_markup(article.summary, t, ("summary",)),
                body=fallback_markup(article.body, self.main),
                corrections=self.corrections(article.corrections, t))
        return dataclasses.replace(
            article, title=translated.title,
            summary=translated.summary or self.optional_markup(article.summary, t, ("summary",)),
            body=translated.body, blocks=_aligned(translated.blocks, article.paragraphs),
            corrections=self.corrections(article.corrections, t))

    def page(self, page: m.Page) -> m.Page:
        translated = page.translated.get(self.language.code)
        t = page.translations
        page = dataclasses.replace(page, translated=self.with_translator_marked(page.translated))
        if translated is None:
            return dataclasses.replace(
                page, title=self.text(page.title, t, ("title",)),
                summary=self.optional_markup(page.summary, t, ("summary",)),
                body=fallback_markup(page.body, self.main),
                corrections=self.corrections(page.corrections, t))
        return dataclasses.replace(
            page, title=translated.title,
            summary=translated.summary or self.optional_markup(page.summary, t, ("summary",)),
            body=translated.body, corrections=self.corrections(page.corrections, t))

    def settings(self, settings: m.SiteSettings) -> m.SiteSettings:
        t = settings.translations
        return dataclasses.replace(  # its pages' language: their JSON-LD, their feeds'
            settings, language=self.language.code,
            title=self.text(settings.title, t, ("title",)),
            tagline=self.optional_text(settings.tagline, t, ("tagline",)),
            description=self.optional_text(settings.description, t, ("description",)))


def _aligned(blocks: tuple[m.BodyBlock, ...],
             originals: tuple[m.ArticleParagraph, ...]) -> tuple[m.BodyBlock, ...]:
    """A translation's blocks, each paragraph told which of the original's it
    translates: the one of its ``{#name}``, else the one of its number if that one
    has no name of its own (a named paragraph is found by its name alone)."""
    by_name = {p.name: p.number for p in originals if p.name}
    unnamed = {p.number for p in originals if not p.name}
    aligned = []
    for block in blocks:
        paragraph = block.paragraph
        if paragraph is not None:
            original = (by_name.get(paragraph.name, m.NO_ORIGINAL) if paragraph.name
                        else paragraph.number if paragraph.number in unnamed
                        else m.NO_ORIGINAL)
            block = dataclasses.replace(
                block, paragraph=dataclasses.replace(paragraph, original=original))
        aligned.append(block)
    return tuple(aligned)


def _each(records: Mapping[Any, T], localize: Any) -> Mapping[Any, T]:
    return MappingProxyType({key: localize(record) for key, record in records.items()})


def _role_holders(site: m.Site, actors: Mapping[m.ActorId, m.Actor]
                  ) -> Mapping[m.ActorId, tuple[m.RoleHolder, ...]]:
    """Who holds a role in each body, the roles' titles as the localized actors have them."""
    titles = {(actor_id, role.of, role.title): local.title
              for actor_id, actor in site.actors.items()
              for role, local in zip(actor.roles, actors[actor_id].roles, strict=True)}
    return MappingProxyType({
        body: tuple(dataclasses.replace(
            holder, title=titles.get((holder.actor, body, holder.title), holder.title))
            for holder in holders)
        for body, holders in site.backlinks.role_holders.items()})


def localized_site(site: m.Site, language: m.Language) -> m.Site:
    """The site as the pages in ``language`` show it (a further language of the site)."""
    main = site.settings.languages[0]
    local = _Localizer(language, main)
    actors = _each(site.actors, local.actor)
    return dataclasses.replace(
        site, settings=local.settings(site.settings),
        backlinks=dataclasses.replace(site.backlinks,
                                      role_holders=_role_holders(site, actors)),
        actors=actors, places=_each(site.places, local.place),
        events=_each(site.events, local.event), disputes=_each(site.disputes, local.dispute),
        relationships=_each(site.relationships, local.relationship),
        sources=_each(site.sources, local.source),
        articles=_each(site.articles, local.article), pages=_each(site.pages, local.page))


@dataclass(frozen=True, slots=True)
class Edition:
    """The site in one of its languages: the pages written into one folder."""

    language: m.Language
    folder: str
    """``''`` for the main language, else its URL segment and a slash (``fa-af/``)."""
    site: m.Site
    """The model as its pages read it."""


def editions(site: m.Site) -> tuple[Edition, ...]:
    """The main language's edition first (the site itself), then each further one."""
    languages = site.settings.languages
    if not languages:
        main = m.Language(code=site.settings.language, name=site.settings.language,
                          direction=default_direction(site.settings.language), main=True)
        return (Edition(main, "", site),)
    return (Edition(languages[0], "", site), *(
        Edition(language, f"{url_segment(language.code)}/", localized_site(site, language))
        for language in languages[1:]))


def typeset(text: str) -> str:
    """:func:`~kabul_brief.content.markup.typeset`, a fallback staying one (and a
    phrase one, each of its texts typeset)."""
    if isinstance(text, Phrase):
        return Phrase(text.message, {key: typeset(value) if isinstance(value, str) else value
                                     for key, value in text.values.items()})
    return like(text, markup.typeset(bare(text)))


def joined(separator: str, parts: Sequence[str]) -> str:
    """``separator.join(parts)``, a fallback among them staying marked."""
    if not any(isinstance(part, Fallback | Phrase) for part in parts):
        return separator.join(parts)
    names = [f"part{i}" for i in range(len(parts))]
    message = separator.replace("%", "%%").join(f"%({name})s" for name in names)
    return Phrase(message, dict(zip(names, parts, strict=True)))
