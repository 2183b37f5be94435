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
from typing import Final, Literal


@dataclass(frozen=True, slots=True)
class RecordKind:
    """One kind of content file."""

    name: str
    """As record links (``actor:ID``), references and ``kabul-brief new`` write it."""
    folder: str
    """``content/FOLDER/`` holds its files; also the name of its mapping on
    :class:`~kabul_brief.content.model.Site` and of its ``data/FOLDER.json``."""
    source: Literal["yaml", "markdown"]
    """How its files are written: YAML (one record or a list of them a file), or
    Markdown with YAML front matter (one record a file, the body its text)."""
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
    followed: bool = False
    """Each of its records has an Atom feed and a calendar of everything about it beside
    its page (``actors/ID/feed.xml``, ``actors/ID/calendar.ics``)."""

    @property
    def markdown(self) -> bool:
        return self.source == "markdown"

    @property
    def suffix(self) -> str:
        """The suffix of a new file of this kind (the loader also reads ``.yml``)."""
        return ".md" if self.markdown else ".yaml"


RECORD_KINDS: Final[tuple[RecordKind, ...]] = (
    RecordKind(name="actor", folder="actors", source="yaml", label="Actor",
               plural="Actors", url_folder="actors", searchable=True, followed=True),
    RecordKind(name="place", folder="places", source="yaml", label="Place",
               plural="Places", url_folder="places", searchable=True),
    RecordKind(name="event", folder="events", source="yaml", label="Event",
               plural="Events", url_folder="events", searchable=True),
    RecordKind(name="dispute", folder="disputes", source="yaml", label="Dispute",
               plural="Disputes", url_folder="disputes", searchable=True, followed=True),
    RecordKind(name="relationship", folder="relationships", source="yaml",
               label="Relationship", plural="Relationships", url_folder="relationships",
               searchable=True, followed=True),
    RecordKind(name="source", folder="sources", source="yaml", label="Source",
               plural="Sources", url_folder="sources", searchable=True),
    RecordKind(name="article", folder="articles", source="markdown", label="Article",
               plural="Articles", url_folder="articles", searchable=True),
    RecordKind(name="page", folder="pages", source="markdown", label="Page",
               plural="Pages", url_folder=None),
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
"""The kinds whose pages go into the search index, each filtered by its label."""

FOLLOWED_KINDS: Final[tuple[RecordKind, ...]] = tuple(
    kind for kind in RECORD_KINDS if kind.followed)
"""The kinds whose records each have a feed and a calendar beside their page."""

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

if not set(SUMMARY) <= set(KINDS):
    raise AssertionError("check's summary names a kind that is not in RECORD_KINDS")
