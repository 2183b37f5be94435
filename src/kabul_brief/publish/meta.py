"""What the ``<head>`` of a page says about it: title, description, canonical URL,
Open Graph and schema.org JSON-LD.

JSON-LD is built here as plain data and serialized by the template with Jinja's
``|tojson``, which escapes ``<``, ``>`` and ``&``: a title holding ``</script>``
cannot end the script element early. Dates keep their precision (``2025-05``).

Every node has an ``@id``: the URL of the page that is about it and a fragment
naming what it is (``https://site/actors/taliban/#actor``, ``.../events/ID/#event``,
``.../#page`` for a page itself), and the site's own nodes hang off its front page
(``#website``, ``#organization`` for the desk that publishes it, ``#logo``), so the
same actor named on two pages is one node to a reader that merges them. Each page's
main node carries its social card as ``image``. Events are plain ``Event``s: no
schema.org subtype describes a meeting or an attack, and ``eventStatus`` and
``eventAttendanceMode`` are a ticketed event's vocabulary; those who meet or visit
are its ``attendee``s, the actors of any other kind of event what it is ``about``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import quote

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.content.scaffold import slugify
from kabul_brief.kinds import KINDS
from kabul_brief.publish.localize import bare
from kabul_brief.publish.urls import Urls, safe_external
from kabul_brief.publish.views import DateView, date_view

JsonLd = dict[str, Any]

_FALLBACK_SLUG: Final = "site"

_BLOCK_TAGS: Final = frozenset(
    {"p", "div", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "hr", "br"}
    | {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
    | {f"h{n}" for n in range(1, 7)}
)
"""Where words are apart however the HTML is written; at any other tag they may touch
(``<a>Muttaqi</a>.`` reads "Muttaqi.")."""
ACTOR_TYPES: Final[dict[str, str]] = {
    "person": "Person",
    "state": "GovernmentOrganization",
    "government": "GovernmentOrganization",
    "organisation": "Organization",
    "armed-group": "Organization",
    "multilateral": "Organization",
    "group": "Organization",
}
EVENT_PARTICIPANTS: Final[dict[str, str]] = {
    "meeting": "attendee", "visit": "attendee", "agreement": "attendee"}
"""Event kind -> the property naming its actors (``about`` for the other kinds)."""
ARTICLE_TYPES: Final[dict[str, str]] = {
    "analysis": "AnalysisNewsArticle",
    "news": "NewsArticle",
    "explainer": "NewsArticle",
}


@dataclass(frozen=True, slots=True)
class Alternate:
    """A feed or calendar of what a page shows: a ``<link rel="alternate">`` in its head
    and a visible link on it."""

    type: str
    """``application/atom+xml`` or ``text/calendar``."""
    url: str
    """Root-relative, as every link of a page."""
    text: str
    """The visible link's words, and the link element's ``title``."""


@dataclass(frozen=True, slots=True)
class RecordDates:
    """When the record's file was first committed and last changed (git's committer
    dates, UTC): the page's "Published" and "Updated"."""

    published: DateView
    updated: DateView | None
    """Only when later than ``published``."""


def _day(day: dt.date) -> DateView:
    return date_view(PartialDate(year=day.year, month=day.month, day=day.day))


_PAGE_TYPES: Final = frozenset({"WebPage", "CollectionPage", *ARTICLE_TYPES.values()})
"""Types whose ``datePublished`` and ``dateModified`` are the page's own."""


def with_history(jsonld: JsonLd, history: m.FileHistory, urls: Urls, path: str) -> JsonLd:
    """A record page's JSON-LD with when its file was published and changed. An article
    or a web page carries the dates itself; an event, actor, place or source is no
    creative work (a source's ``datePublished`` is its publisher's), so the dates go on
    the page that describes it, its ``mainEntityOfPage``."""
    if not jsonld:
        return jsonld
    dates = {"datePublished": history.published.isoformat(),
             "dateModified": history.updated.isoformat()}
    if jsonld.get("@type") in _PAGE_TYPES:
        return {**jsonld, **dates}
    page = {"@type": "WebPage", "@id": node_id(urls, path, "page"), "url": _page(urls, path),
            **dates}
    return {**jsonld, "mainEntityOfPage": page}


def record_dates(history: m.FileHistory) -> RecordDates:
    return RecordDates(published=_day(history.published),
                       updated=_day(history.updated)
                       if history.updated > history.published else None)


@dataclass(frozen=True, slots=True)
class PageMeta:
    path: str
    """Site path, as :mod:`~kabul_brief.publish.urls` understands it."""
    title: str
    description: str | None
    section: str | None
    """Which entry of the main navigation the page belongs to."""
    og_type: str = "website"
    jsonld: JsonLd = field(default_factory=dict)
    published: str | None = None
    modified: str | None = None
    draft: bool = False
    """The page of a draft (``build --drafts``, ``serve``): marked so, and noindex."""
    dates: RecordDates | None = None
    """A record's page, in a git work tree: when its file was published and updated."""
    alternates: tuple[Alternate, ...] = ()
    """Its feeds and calendars."""
    folder: str = ""
    """The language folder it is written into (``fa-af/``; ``''``: the main language's
    page). ``path`` is the same in every language."""

    def __post_init__(self) -> None:
        # The <title> and the meta tags take text alone: a fallback is its text here.
        object.__setattr__(self, "title", bare(self.title))
        if self.description is not None:
            object.__setattr__(self, "description", bare(self.description))

    @property
    def written_at(self) -> str:
        """The site path the page is written at: ``path`` in its language folder."""
        return self.folder + self.path


def plain(markup: m.Markup | None, limit: int = 300) -> str | None:
    """Plain text of sanitized HTML, for descriptions; cut at a word near ``limit``."""
    if markup is None:
        return None
    reader = _PlainText()
    reader.feed(markup.html)
    reader.close()
    text = " ".join("".join(reader.parts).split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text or None


class _PlainText(HTMLParser):
    """Text of an HTML fragment: a space at block boundaries, nothing at inline ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _page(urls: Urls, path: str) -> str:
    return urls.absolute_path(path)


def node_id(urls: Urls, path: str, fragment: str) -> str:
    """The ``@id`` of what the page at ``path`` is about: its URL and ``#fragment``."""
    return f"{urls.absolute_path(path)}#{fragment}"


def _record_id(urls: Urls, kind: str, record_id: str) -> str:
    return node_id(urls, urls.record_path(kind, record_id), kind)


def _image(urls: Urls, path: str) -> str | None:
    """The page's social card: the main language's page's, in every language (a card
    is drawn in the theme's Latin fonts; see :mod:`~kabul_brief.publish.cards`)."""
    card = Urls.card_path(path)
    return urls.main.absolute_path(card) if card is not None else None


def _clean(data: JsonLd) -> JsonLd:
    """Leave out empty values: schema.org readers treat absent and empty alike."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _website_ref(urls: Urls) -> JsonLd:
    return {"@id": node_id(urls, "", "website")}


def publisher(site: m.Site, urls: Urls) -> JsonLd:
    """The desk that publishes the site: an organisation, its logo the theme's icon."""
    return {
        "@type": "Organization", "@id": node_id(urls, "", "organization"),
        "name": site.settings.title, "url": urls.base,
        "logo": {"@type": "ImageObject", "@id": node_id(urls, "", "logo"),
                 "url": urls.absolute(urls.static(Urls.LOGO_NAME))},
    }


def is_desk(site: m.Site, name: str) -> bool:
    """An author named after the site (``Kabul Brief``, ``Kabul Brief desk``) is the
    organisation that publishes it, not a person."""
    title = site.settings.title.casefold()
    return name.casefold() == title or name.casefold().startswith(f"{title} ")


def _author(site: m.Site, urls: Urls, name: str) -> JsonLd:
    if is_desk(site, name):
        return publisher(site, urls)
    return {"@type": "Person", "@id": node_id(urls, "", f"author-{quote(name, safe='')}"),
            "name": name}


def website(site: m.Site, urls: Urls) -> JsonLd:
    return _clean({
        "@context": "https://schema.org", "@type": "WebSite", **_website_ref(urls),
        "name": site.settings.title, "url": urls.base,
        "description": site.settings.description, "inLanguage": site.settings.language,
        "publisher": publisher(site, urls), "image": _image(urls, ""),
    })


def collection(site: m.Site, urls: Urls, path: str, name: str) -> JsonLd:
    return _clean({
        "@context": "https://schema.org", "@type": "CollectionPage",
        "@id": node_id(urls, path, "page"), "name": name, "url": _page(urls, path),
        "isPartOf": _website_ref(urls), "image": _image(urls, path),
    })


def index_page(site: m.Site, urls: Urls, kind: str, description: str,
               title: str | None = None) -> PageMeta:
    """The head of a kind's index page (``actors/``): titled with the kind's plural (in
    the page's language: ``title``), in the menu's entry for it, a schema.org collection."""
    record_kind = KINDS[kind]
    path = urls.index_path(kind)
    title = title or record_kind.plural
    return PageMeta(path=path, title=title, section=record_kind.folder,
                    description=description, jsonld=collection(site, urls, path, title))


def article(site: m.Site, urls: Urls, item: m.Article) -> JsonLd:
    path = urls.record_path("article", item.id)
    return _clean({
        "@context": "https://schema.org",
        "@type": ARTICLE_TYPES.get(item.kind, "NewsArticle"),
        "@id": _record_id(urls, "article", item.id),
        "headline": item.title,
        "description": plain(item.summary),
        "datePublished": item.date.iso,
        "dateModified": (item.updated or item.date).iso,
        "author": [_author(site, urls, name) for name in item.authors]
        or [publisher(site, urls)],
        "publisher": publisher(site, urls),
        "url": _page(urls, path),
        "mainEntityOfPage": _page(urls, path),
        "image": _image(urls, path),
        "inLanguage": site.settings.language,
        "isPartOf": _website_ref(urls),
        "about": [_actor_ref(site, urls, a) for a in item.actors],
    })


def _actor_ref(site: m.Site, urls: Urls, actor_id: m.ActorId) -> JsonLd:
    actor = site.actors[actor_id]
    return {"@type": ACTOR_TYPES.get(actor.kind, "Organization"),
            "@id": _record_id(urls, "actor", actor_id), "name": actor.name,
            "url": _page(urls, urls.record_path("actor", actor_id))}


def _place_ref(site: m.Site, urls: Urls, place_id: m.PlaceId) -> JsonLd:
    return {"@type": "Place", "@id": _record_id(urls, "place", place_id),
            "name": site.places[place_id].name,
            "url": _page(urls, urls.record_path("place", place_id))}


def actor(site: m.Site, urls: Urls, item: m.Actor) -> JsonLd:
    data: JsonLd = {
        "@context": "https://schema.org",
        **_actor_ref(site, urls, item.id),
        "alternateName": list(item.aliases),
        "description": plain(item.summary),
        "image": _image(urls, urls.record_path("actor", item.id)),
        "sameAs": [url for link in item.links if (url := safe_external(link.url))],
    }
    current = [role for role in item.roles if role.end is None]
    if item.kind == "person" and current:
        data["jobTitle"] = current[0].title
        data["affiliation"] = [_actor_ref(site, urls, role.of) for role in current]
    return _clean(data)


def place(site: m.Site, urls: Urls, item: m.Place) -> JsonLd:
    path = urls.record_path("place", item.id)
    data: JsonLd = {
        "@context": "https://schema.org", **_place_ref(site, urls, item.id),
        "description": plain(item.summary), "image": _image(urls, path),
    }
    if item.coordinates is not None:
        data["geo"] = {"@type": "GeoCoordinates", "@id": node_id(urls, path, "geo"),
                       "latitude": item.coordinates[0], "longitude": item.coordinates[1]}
    if item.within is not None:
        data["containedInPlace"] = _place_ref(site, urls, item.within)
    return _clean(data)


def event(site: m.Site, urls: Urls, item: m.Event) -> JsonLd:
    path = urls.record_path("event", item.id)
    data: JsonLd = {
        "@context": "https://schema.org", "@type": "Event",
        "@id": _record_id(urls, "event", item.id), "name": item.title,
        "url": _page(urls, path),
        "startDate": item.date.iso,
        "endDate": item.end.iso if item.end else None,
        "description": plain(item.summary),
        "image": _image(urls, path),
        EVENT_PARTICIPANTS.get(item.kind, "about"):
            [_actor_ref(site, urls, a) for a in dict.fromkeys(a.id for a in item.actors)],
    }
    if item.place is not None:
        data["location"] = _place_ref(site, urls, item.place)
    return _clean(data)


def source(urls: Urls, item: m.Source) -> JsonLd:
    path = urls.record_path("source", item.id)
    return _clean({
        "@context": "https://schema.org", "@type": "CreativeWork",
        "@id": _record_id(urls, "source", item.id), "name": item.title,
        "url": _page(urls, path),
        "sameAs": safe_external(item.url),
        "datePublished": item.date.iso if item.date else None,
        "image": _image(urls, path),
        "publisher": {"@type": "Organization", "@id": node_id(urls, path, "publisher"),
                      "name": item.publisher} if item.publisher else None,
    })


def topic(site: m.Site, urls: Urls, path: str, name: str, parties: tuple[m.ActorId, ...],
          description: str | None) -> JsonLd:
    """Disputes, relationships and standing pages: a web page about its parties."""
    return _clean({
        "@context": "https://schema.org", "@type": "WebPage",
        "@id": node_id(urls, path, "page"), "name": name,
        "url": _page(urls, path), "description": description,
        "image": _image(urls, path),
        "about": [_actor_ref(site, urls, p) for p in parties],
        "isPartOf": _website_ref(urls),
    })


def site_slug(settings: m.SiteSettings) -> str:
    """The site's name in identifiers (its calendars' UIDs, its data package's
    ``name``): its title as an ASCII slug
    (``Kabul Brief`` -> ``kabul-brief``). A title whose letters ASCII cannot spell
    (``کابل بریف``, ``Кабул``) would lose them, and two such sites would share UIDs; its
    slug ends in a digest of the whole title instead (``site-3f09c1a2d4``)."""
    title = unicodedata.normalize("NFC", settings.title)
    slug = slugify(title)[:50].rstrip("-")
    spelled = all(unicodedata.category(c)[0] not in "LN"
                  or unicodedata.normalize("NFKD", c).encode("ascii", "ignore")
                  for c in title)
    if slug and spelled:
        return slug
    digest = hashlib.blake2b(title.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()
    return f"{slug or _FALLBACK_SLUG}-{digest}"
