"""The kinds of content, in one place: what an editor writes, where it lives and how
the site names it.

Every other module reads the kinds from here (the loader its folders, the linker and
the Markdown check the kinds a record link may name, the URLs their folders, search
its labels, the navigation and ``check``'s summary their names), so adding a kind is
one entry here, its fields in :mod:`~kabul_brief.content.schemas` and its templates.
A module of its own, importing nothing (the CLI imports lazily; this costs nothing):
the schemas look kinds up here, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class RecordKind:
    """One kind of content file."""

    name: str
    """As record links (``actor:ID``), references and ``kabul-brief new`` write it."""
    folder: str
    """``content/FOLDER/`` holds its files; also the name of its mapping on
    :class:`~kabul_brief.content.model.Site` and of its ``data/FOLDER.json``."""
    markdown: bool
    """Written as Markdown with YAML front matter (one record a file), else YAML."""
    label: str
    """One of them, capitalised: ``Actor`` (search's ``kind`` filter)."""
    plural: str
    """Its index page and menu entry: ``Actors``."""
    url_folder: str | None
    """Its pages live at ``URL_FOLDER/ID/`` (and most kinds' index page at
    ``URL_FOLDER/``); None for standing pages, which live at the top (``about/``). Only
    a kind with a folder can be named by a record link."""
    searchable: bool = False
    """Its pages go into the search index."""

    @property
    def suffix(self) -> str:
        """The suffix of a new file of this kind (the loader also reads ``.yml``)."""
        return ".md" if self.markdown else ".yaml"


RECORD_KINDS: Final[tuple[RecordKind, ...]] = (
    RecordKind("actor", "actors", False, "Actor", "Actors", "actors", searchable=True),
    RecordKind("place", "places", False, "Place", "Places", "places"),
    RecordKind("event", "events", False, "Event", "Events", "events", searchable=True),
    RecordKind("dispute", "disputes", False, "Dispute", "Disputes", "disputes",
               searchable=True),
    RecordKind("relationship", "relationships", False, "Relationship", "Relationships",
               "relationships"),
    RecordKind("source", "sources", False, "Source", "Sources", "sources"),
    RecordKind("article", "articles", True, "Article", "Articles", "articles",
               searchable=True),
    RecordKind("page", "pages", True, "Page", "Pages", None),
)
"""Every kind, in the order the content is read, linked and written out."""

KINDS: Final[dict[str, RecordKind]] = {kind.name: kind for kind in RECORD_KINDS}
"""Each kind by its name."""

LINKED_KINDS: Final[tuple[RecordKind, ...]] = tuple(
    kind for kind in RECORD_KINDS if kind.url_folder is not None)
"""The kinds with pages in a folder of their own: what a record link may name, each
with its ``data/FOLDER.json``."""

LINK_SCHEMES: Final[tuple[str, ...]] = tuple(kind.name for kind in LINKED_KINDS)
"""The schemes of record links (``actor:india``)."""

SEARCHED_KINDS: Final[tuple[RecordKind, ...]] = tuple(
    kind for kind in RECORD_KINDS if kind.searchable)

MENU: Final[tuple[str, ...]] = (
    "article", "timeline", "actor", "dispute", "relationship", "place", "source",
    "network", "search",
)
"""The main navigation, in order: kinds by name (their index pages), and the site's own
pages by key (see :data:`kabul_brief.publish.render.OWN_PAGES`)."""

SUMMARY: Final[tuple[str, ...]] = (
    "article", "event", "actor", "place", "dispute", "relationship", "source",
)
"""The kinds ``check`` counts in its ``content OK`` line, in order."""


def kind(name: str) -> RecordKind:
    """The kind called ``name``; KeyError for another name (a bug: names come from here)."""
    return KINDS[name]
