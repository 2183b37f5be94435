"""Every URL and output path of the site, decided here and nowhere else.

A page lives at ``PATH/index.html`` and is linked as ``PATH/``; other files (the
feed, the sitemap, ``404.html``) keep their name. Internal links are root-relative
and carry the path part of the base URL, so a site published under
``/kabul-brief/`` links there; canonical URLs, the feed and the sitemap use the
absolute form. Record links that Markdown left as ``href="actor:ID"`` are rewritten
here too, so templates never build a URL by hand.
"""

from __future__ import annotations

import functools
import re
from typing import Final
from urllib.parse import urlsplit

from kabul_brief.baseurl import normalize_base_url
from kabul_brief.content.fieldtypes import is_id
from kabul_brief.content.markup import rewrite_record_links
from kabul_brief.kinds import LINKED_KINDS
from kabul_brief.publish.writer import PAGEFIND_FOLDER

__all__ = ["FOLDERS", "Urls", "output_path", "safe_external"]

FOLDERS: Final[dict[str, str]] = {
    kind.name: kind.url_folder for kind in LINKED_KINDS if kind.url_folder is not None}
"""Record kind -> the folder its pages live in (and its ``data/*.json`` name)."""

_SAFE_URL_RE: Final = re.compile(r"^https?://", re.IGNORECASE)


def safe_external(url: str | None) -> str | None:
    """An external URL fit for ``href``: http(s) only (the loader checked; this is a fuse)."""
    if url is None or not _SAFE_URL_RE.match(url.strip()):
        return None
    return url.strip()


def output_path(path: str) -> str:
    """Site path (``actors/india/``, ``''``, ``feed.xml``) -> file written under ``--out``."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


@functools.cache
def _site_outputs() -> tuple[dict[str, str], tuple[str, ...]]:
    """The files of the site's own pages, case folded -> their site path; and its
    folders: asked once per record of every build."""
    return ({output_path(own).casefold(): own for own in reversed(Urls.site_paths())},
            Urls.site_folders())


class Urls:
    """URLs of one build: root-relative for links, absolute for canonical and feeds."""

    __slots__ = ("base", "folder", "origin", "root")

    def __init__(self, base_url: str, folder: str = "") -> None:
        """``base_url``: as :func:`~kabul_brief.baseurl.normalize_base_url` gave it, once,
        where it was read (``site.yaml`` by the linker, ``--base-url`` by the CLI).
        ``folder``: the language folder of the pages these URLs are for (``fa-af/``;
        ``''`` for the main language), which every link to a page goes into."""
        if normalize_base_url(base_url) != base_url:  # a fuse: never normalized twice
            raise ValueError(f"base URL {base_url!r} was not normalized where it was read")
        self.base = base_url
        """Absolute URL of the site's front page, ending in ``/``."""
        parts = urlsplit(self.base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.root = parts.path
        """Path part of the base URL: ``/`` or ``/kabul-brief/``."""
        if folder and not (folder.endswith("/") and is_id(folder[:-1])):
            raise ValueError(f"language folder {folder!r} is not a folder name")
        self.folder = folder

    @property
    def main(self) -> Urls:
        """The URLs of the main language's pages."""
        return Urls(self.base) if self.folder else self

    def language(self, folder: str) -> Urls:
        """The URLs of the pages in the language of ``folder`` (``''``: the main one)."""
        return Urls(self.base, folder) if folder != self.folder else self

    @classmethod
    def is_shared(cls, path: str) -> bool:
        """Whether a site path is one file for every language (the stylesheet, the data,
        the search index, the sitemap, the calendars), not a page each language has its
        own of."""
        return (path.startswith(cls._SHARED_FOLDERS) or path in cls._SHARED_FILES
                or path.endswith(f"/{cls.CALENDAR_NAME}"))

    # -- site paths (relative to the site root, no leading slash) ------------------

    @staticmethod
    def record_path(kind: str, record_id: str) -> str:
        if not is_id(record_id):  # ids become paths: never let one escape
            raise ValueError(f"{kind} id {record_id!r} cannot be a path")
        return f"{FOLDERS[kind]}/{record_id}/"

    @classmethod
    def record_feed_path(cls, kind: str, record_id: str) -> str:
        """The Atom feed of everything about a record, beside its page
        (``actors/ttp/feed.xml``; no id holds a dot, so no page can take it)."""
        return cls.record_path(kind, record_id) + cls.FEED_PATH

    @classmethod
    def record_calendar_path(cls, kind: str, record_id: str) -> str:
        """The calendar of a record's events, beside its page (``actors/ttp/calendar.ics``)."""
        return cls.record_path(kind, record_id) + cls.CALENDAR_NAME

    @staticmethod
    def page_path(page_id: str) -> str:
        """A standing page (``content/pages/about.md``) lives at the top: ``about/``."""
        if not is_id(page_id):
            raise ValueError(f"page id {page_id!r} cannot be a path")
        return f"{page_id}/"

    @staticmethod
    def index_path(kind: str) -> str:
        return f"{FOLDERS[kind]}/"

    # -- URLs ------------------------------------------------------------------

    def url(self, path: str, fragment: str | None = None) -> str:
        """Root-relative URL of a site path, honouring the base URL's path; a page's in
        this language's folder."""
        if self.folder and not path.startswith(self.folder) and not self.is_shared(path):
            path = self.folder + path
        return self.root + path + (f"#{fragment}" if fragment else "")

    def record(self, kind: str, record_id: str, fragment: str | None = None) -> str:
        return self.url(self.record_path(kind, record_id), fragment)

    def index(self, kind: str) -> str:
        return self.url(self.index_path(kind))

    def home(self) -> str:
        """The front page in this language."""
        return self.url("")

    def static(self, name: str) -> str:
        return self.url(f"static/{name}")

    # -- reader features: search, the network, exports -----------------------------

    SEARCH_PATH: Final = "search/"
    NETWORK_PATH: Final = "network/"
    PAGEFIND_FOLDER: Final = PAGEFIND_FOLDER
    ICS_PATH: Final = "timeline.ics"
    DATA_FOLDER: Final = "data"
    TIMELINEJS_PATH: Final = f"{DATA_FOLDER}/timeline.json"
    GEOJSON_PATH: Final = f"{DATA_FOLDER}/places.geojson"

    # -- the site's own pages and files -------------------------------------------

    TIMELINE_PATH: Final = "timeline/"
    TIMELINE_NEWEST_PATH: Final = "timeline/newest/"
    CORRECTIONS_PATH: Final = "corrections/"
    CORRECTIONS_FEED_PATH: Final = f"{CORRECTIONS_PATH}feed.xml"
    FEED_PATH: Final = "feed.xml"
    EVENTS_FEED_PATH: Final = f"{FOLDERS['event']}/{FEED_PATH}"
    """The Atom feed of events, newest first (``events/feed.xml``)."""
    CALENDAR_NAME: Final = "calendar.ics"
    SITEMAP_PATH: Final = "sitemap.xml"
    ROBOTS_PATH: Final = "robots.txt"
    NOT_FOUND_PATH: Final = "404.html"
    STATIC_FOLDER: Final = "static"
    CARD_NAME: Final = "card.png"
    LOGO_NAME: Final = "apple-touch-icon.png"
    """Under ``static/``: the theme's icon of 180 x 180 pixels, for phones' home
    screens and as the logo of the site's publisher in JSON-LD."""

    _SHARED_FOLDERS: Final = (f"{STATIC_FOLDER}/", f"{DATA_FOLDER}/", f"{PAGEFIND_FOLDER}/")
    _SHARED_FILES: Final = frozenset({ICS_PATH, SITEMAP_PATH, ROBOTS_PATH})

    @classmethod
    def card_path(cls, path: str) -> str | None:
        """The site path of the social card of the page at ``path``: beside its
        ``index.html`` (``actors/india/card.png``, ``card.png`` for the front page; no
        id holds a dot, so no page can take it). None for a file that is not such a
        page (``404.html``, ``feed.xml``). See :mod:`~kabul_brief.publish.cards`."""
        return f"{path}{cls.CARD_NAME}" if path == "" or path.endswith("/") else None

    @classmethod
    def site_paths(cls) -> tuple[str, ...]:
        """The site paths of the site's own pages and files (front page, indexes,
        feeds), not those of records and standing pages."""
        return ("", *(f"{folder}/" for folder in FOLDERS.values()), cls.TIMELINE_PATH,
                cls.TIMELINE_NEWEST_PATH, cls.CORRECTIONS_PATH, cls.CORRECTIONS_FEED_PATH,
                cls.SEARCH_PATH, cls.NETWORK_PATH, cls.ICS_PATH, cls.FEED_PATH,
                cls.EVENTS_FEED_PATH,
                cls.SITEMAP_PATH, cls.ROBOTS_PATH, cls.NOT_FOUND_PATH,
                cls.CARD_NAME)  # the front page's social card

    @classmethod
    def site_folders(cls) -> tuple[str, ...]:
        """Folders the build fills on its own (``data/``, ``static/``, the search index):
        nothing of the content may go inside."""
        return (f"{cls.DATA_FOLDER}/", f"{cls.STATIC_FOLDER}/", f"{cls.PAGEFIND_FOLDER}/")

    @classmethod
    def taken_by_site(cls, path: str) -> str | None:
        """The site's own path or folder that a content page at ``path`` would take
        (``pagefind/``, ``actors/``), or None: as file names, case ignored."""
        written = output_path(path).casefold()
        own, folders = _site_outputs()
        if written in own:
            return own[written]
        for folder in folders:
            if written.startswith(folder.casefold()):
                return folder
        return None

    def search(self) -> str:
        return self.url(self.SEARCH_PATH)

    def pagefind(self, name: str = "") -> str:
        """A file of the Pagefind bundle (``pagefind/pagefind-ui.js``); ``''``: the folder."""
        return self.url(f"{self.PAGEFIND_FOLDER}/{name}")

    def absolute(self, url: str) -> str:
        """Absolute form of a root-relative URL made by this class."""
        return self.origin + url

    def absolute_path(self, path: str) -> str:
        return self.absolute(self.url(path))

    # -- Markdown record links -------------------------------------------------

    def rewrite(self, html: str, *, absolute: bool = False) -> str:
        """Replace ``href="KIND:ID"`` (and ``article:ID#anchor``) by real URLs."""

        def resolve(kind: str, record_id: str, fragment: str | None) -> str:
            url = self.record(kind, record_id, fragment)
            # nh3 writes the attribute escaped, whatever the base URL holds.
            return self.absolute(url) if absolute else url

        return rewrite_record_links(html, resolve)
