"""What the ``<head>`` of a page says about it: title, description, canonical URL,
Open Graph and schema.org JSON-LD.

JSON-LD is built here as plain data and serialized by the template with Jinja's
``|tojson``, which escapes ``<``, ``>`` and ``&``: a title holding ``</script>``
cannot end the script element early. Dates keep their precision (``2025-05``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Final

from kabul_brief.content import model as m
from kabul_brief.kinds import KINDS
from kabul_brief.publish.urls import Urls, safe_external

JsonLd = dict[str, Any]

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
    alternates: tuple[Alternate, ...] = ()
    """Its feeds and calendars."""


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


def _clean(data: JsonLd) -> JsonLd:
    """Leave out empty values: schema.org readers treat absent and empty alike."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def website(site: m.Site, urls: Urls) -> JsonLd:
    return _clean({
        "@context": "https://schema.org", "@type": "WebSite", "name": site.settings.title,
        "url": urls.base, "description": site.settings.description,
        "inLanguage": site.settings.language,
    })


def collection(site: m.Site, urls: Urls, path: str, name: str) -> JsonLd:
    return {
        "@context": "https://schema.org", "@type": "CollectionPage", "name": name,
        "url": _page(urls, path), "isPartOf": {"@type": "WebSite", "name": site.settings.title,
                                                "url": urls.base},
    }


def index_page(site: m.Site, urls: Urls, kind: str, description: str) -> PageMeta:
    """The head of a kind's index page (``actors/``): titled with the kind's plural, in
    the menu's entry for it, a schema.org collection."""
    record_kind = KINDS[kind]
    path = urls.index_path(kind)
    return PageMeta(path=path, title=record_kind.plural, section=record_kind.folder,
                    description=description,
                    jsonld=collection(site, urls, path, record_kind.plural))


def article(site: m.Site, urls: Urls, item: m.Article) -> JsonLd:
    return _clean({
        "@context": "https://schema.org",
        "@type": ARTICLE_TYPES.get(item.kind, "NewsArticle"),
        "headline": item.title,
        "description": plain(item.summary),
        "datePublished": item.date.iso,
        "dateModified": (item.updated or item.date).iso,
        "author": [{"@type": "Person", "name": name} for name in item.authors]
        or [{"@type": "Organization", "name": site.settings.title}],
        "publisher": {"@type": "Organization", "name": site.settings.title, "url": urls.base},
        "url": _page(urls, urls.record_path("article", item.id)),
        "mainEntityOfPage": _page(urls, urls.record_path("article", item.id)),
        "inLanguage": site.settings.language,
        "about": [_actor_ref(site, urls, a) for a in item.actors],
    })


def _actor_ref(site: m.Site, urls: Urls, actor_id: m.ActorId) -> JsonLd:
    actor = site.actors[actor_id]
    return {"@type": ACTOR_TYPES.get(actor.kind, "Organization"), "name": actor.name,
            "url": _page(urls, urls.record_path("actor", actor_id))}


def actor(site: m.Site, urls: Urls, item: m.Actor) -> JsonLd:
    data: JsonLd = {
        "@context": "https://schema.org",
        **_actor_ref(site, urls, item.id),
        "alternateName": list(item.aliases),
        "description": plain(item.summary),
        "sameAs": [url for link in item.links if (url := safe_external(link.url))],
    }
    current = [role for role in item.roles if role.end is None]
    if item.kind == "person" and current:
        data["jobTitle"] = current[0].title
        data["affiliation"] = [_actor_ref(site, urls, role.of) for role in current]
    return _clean(data)


def place(site: m.Site, urls: Urls, item: m.Place) -> JsonLd:
    data: JsonLd = {
        "@context": "https://schema.org", "@type": "Place", "name": item.name,
        "url": _page(urls, urls.record_path("place", item.id)),
        "description": plain(item.summary),
    }
    if item.coordinates is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": item.coordinates[0],
                       "longitude": item.coordinates[1]}
    if item.within is not None:
        parent = site.places[item.within]
        data["containedInPlace"] = {"@type": "Place", "name": parent.name,
                                    "url": _page(urls, urls.record_path("place", parent.id))}
    return _clean(data)


def event(site: m.Site, urls: Urls, item: m.Event) -> JsonLd:
    data: JsonLd = {
        "@context": "https://schema.org", "@type": "Event", "name": item.title,
        "url": _page(urls, urls.record_path("event", item.id)),
        "startDate": item.date.iso,
        "endDate": item.end.iso if item.end else None,
        "description": plain(item.summary),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
        "actor": [_actor_ref(site, urls, a.id) for a in item.actors],
    }
    if item.place is not None:
        data["location"] = _clean(place(site, urls, site.places[item.place]) | {"@context": None})
    return _clean(data)


def source(urls: Urls, item: m.Source) -> JsonLd:
    return _clean({
        "@context": "https://schema.org", "@type": "CreativeWork", "name": item.title,
        "url": _page(urls, urls.record_path("source", item.id)),
        "sameAs": safe_external(item.url),
        "datePublished": item.date.iso if item.date else None,
        "publisher": {"@type": "Organization", "name": item.publisher} if item.publisher else None,
    })


def topic(site: m.Site, urls: Urls, path: str, name: str, parties: tuple[m.ActorId, ...],
          description: str | None) -> JsonLd:
    """Disputes and relationships: a web page about its parties."""
    return _clean({
        "@context": "https://schema.org", "@type": "WebPage", "name": name,
        "url": _page(urls, path), "description": description,
        "about": [_actor_ref(site, urls, p) for p in parties],
        "isPartOf": {"@type": "WebSite", "name": site.settings.title, "url": urls.base},
    })
