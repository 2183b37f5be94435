"""Views of the reader pages: search (Pagefind) and the network of actors.

The search page loads the Pagefind bundle from URLs decided by
:mod:`~kabul_brief.publish.urls`, so a site under a sub-path finds it; without
JavaScript it says so and points to the indexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.publish import meta
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.network import Network, network
from kabul_brief.publish.pagetypes import Page
from kabul_brief.publish.views import Kit, Link


@dataclass(frozen=True, slots=True)
class SearchView:
    script: str
    stylesheet: str
    bundle: str
    """Folder of the Pagefind bundle, ending in ``/``."""
    base: str
    """Root-relative URL of the site, which Pagefind puts before each result's path."""
    loader: str
    """Our script that starts Pagefind UI and runs ``?q=``."""
    indexes: tuple[Link, ...]
    merge: str
    """Folders of the other shards' bundles, space-separated (see ``search``)."""
    names: str
    """The words of actors' and places' names and aliases, space-separated: what
    ``search.js`` respells a misspelt name to (Muttaki -> Muttaqi)."""


_NAME_WORD_RE: Final = re.compile(r"\w{4,}")


def name_words(site: m.Site) -> str:
    """Each word of four letters or more of an actor's or a place's name or alias,
    once, lower case, in sorted order."""
    names = [name for actor in site.actors.values() for name in (actor.name, *actor.aliases)]
    names += [place.name for place in site.places.values()]
    return " ".join(sorted({word.casefold() for name in names
                            for word in _NAME_WORD_RE.findall(name)}))


def search(kit: Kit, shards: Iterable[str] = ("",)) -> Page:
    """The search page; ``shards``: the shard folders of the index (the first is "")."""
    urls = kit.urls
    view = SearchView(
        script=urls.pagefind("pagefind-ui.js"), stylesheet=urls.pagefind("pagefind-ui.css"),
        bundle=urls.pagefind(), base=urls.root, loader=urls.static("search.js"),
        indexes=(Link(urls.index("actor"), kit.say("Actors")),
                 Link(urls.url("timeline/"), kit.say("Timeline")),
                 Link(urls.index("dispute"), kit.say("Disputes")),
                 Link(urls.index("relationship"), kit.say("Relationships")),
                 Link(urls.index("place"), kit.say("Places")),
                 Link(urls.index("source"), kit.say("Sources")),
                 Link(urls.index("article"), kit.say("Articles"))),
        merge=" ".join(urls.pagefind(shard) for shard in shards if shard),
        names=name_words(kit.site),
    )
    title = kit.say("Search")
    page = PageMeta(path=urls.SEARCH_PATH, title=title, section="search",
                    description=kit.say("Search the actors, events, disputes, relationships,"
                                        " places, sources and articles of this site."),
                    jsonld=meta.collection(kit.site, urls, urls.SEARCH_PATH, title))
    return Page(meta=page, template="search.html", view=view)


@dataclass(frozen=True, slots=True)
class NetworkView:
    network: Network
    actors: int


def network_page(kit: Kit) -> Page:
    urls = kit.urls
    view = NetworkView(network=network(kit), actors=len(kit.site.actors))
    title = kit.say("Network")
    page = PageMeta(path=urls.NETWORK_PATH, title=title, section="network",
                    description=kit.say("Who is connected to whom: actors joined by a recorded"
                                        " relationship or by events they share."),
                    jsonld=meta.collection(kit.site, urls, urls.NETWORK_PATH, title))
    return Page(meta=page, template="network.html", view=view)



