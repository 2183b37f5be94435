"""The Jinja environment: templates from the theme's folders (a site's own
``templates/`` first, then the package's theme), escaping always on, and undefined
names an error rather than an empty string.

A site's templates are the site's, not ours: they run sandboxed (Jinja's immutable
sandbox: no reaching Python's internals through ``__globals__`` or ``__class__``, no
changing the views, no ``range`` of more than 100,000), so a template change in a pull
request cannot run commands on the machine that builds the site. An error a template
raises while rendering (``1/0``, a template that includes itself) is a template
error, with the template's file and line, like Jinja's own.

Autoescape is on for every template, XML included (``select_autoescape`` would look
only at the last extension): all text comes from editors. Views hand over sanitized
Markdown HTML as :class:`markupsafe.Markup`; nothing else is trusted.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kabul_brief.content import model as m
from kabul_brief.folders import Theme, files_in, is_template, site_theme
from kabul_brief.kinds import KINDS, MENU
from kabul_brief.languages import default_direction
from kabul_brief.publish import datetext, interface, localize
from kabul_brief.publish.cards import card_link
from kabul_brief.publish.interface import N_
from kabul_brief.publish.pagetypes import Page, RawFile
from kabul_brief.publish.urls import Urls

OWN_PAGES: Final[dict[str, str]] = {"timeline": N_("Timeline"), "network": N_("Network"),
                                    "search": N_("Search")}
"""The site's own pages in the menu (:data:`~kabul_brief.kinds.MENU`): key -> text; each
lives at ``KEY/``."""
NAV: Final[tuple[tuple[str, str | None, str], ...]] = tuple(
    (KINDS[key].folder, key, KINDS[key].plural) if key in KINDS else (key, None, OWN_PAGES[key])
    for key in MENU
)
"""The main navigation: (key, kind or None, text), the key naming the page's section."""


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    path: str
    url: str
    text: str


@dataclass(frozen=True, slots=True)
class Icons:
    """The theme's favicons (``static/``): SVG, a PNG for browsers without SVG icons,
    and the touch icon phones put on their home screen."""

    svg: str
    png: str
    touch: str


PRELOADED_FONTS: Final = ("fonts/source-serif-4-latin-400-normal.woff2",)
"""Under ``static/``: the text's font, asked for before the stylesheet is read."""


@dataclass(frozen=True, slots=True)
class LanguageVersion:
    """A page in one of the site's languages: for ``hreflang`` and the switcher."""

    code: str
    name: str
    """The language's name in itself (``دری``)."""
    direction: str
    url: str
    absolute: str
    current: bool
    """The version the reader is on."""


@dataclass(frozen=True, slots=True)
class Chrome:
    """What every page shows around its content: the site's name, navigation, assets."""

    title: str
    tagline: str | None
    language: str
    direction: str
    """``ltr`` or ``rtl``: the page's, on ``<html dir>``."""
    home: str
    stylesheet: str
    icons: Icons
    fonts: tuple[str, ...]
    """The web fonts every page uses, fetched early (``<link rel="preload">``)."""
    feed: str
    feed_absolute: str
    data: str
    articles: str
    timeline: str
    search: str
    network: str
    corrections: str
    """The list of every correction (``/corrections/``), linked from the footer."""
    ics: str
    timelinejs: str
    geojson: str
    nav: tuple[NavItem, ...]
    standing: tuple[NavItem, ...]
    """Standing pages (``/about/``), linked from the footer."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with its verdict on each attribute remembered.

    The sandbox asks on every ``x.y`` of every page whether ``y`` is safe on ``x``:
    a dozen ``isinstance`` checks, a third of the render time. Its answer depends on
    the type of ``x`` and the name ``y`` alone (:func:`jinja2.sandbox.is_internal_attribute`
    and :func:`~jinja2.sandbox.modifies_known_mutable` test the object's type, then
    the name), so it is asked once per (type, name) and remembered for the build.
    """

    _FORMATTERS: Final = frozenset({"format", "format_map"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        try:
            return self._safe[key]
        except KeyError:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
            return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        """The sandbox's own lookup, short-cut for an attribute already found safe
        on an object of this type (``str.format`` and ``format_map`` excepted: the
        sandbox wraps them)."""
        if self._safe.get((type(obj), attribute)) and attribute not in self._FORMATTERS:
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def environment(theme: Theme | None = None) -> jinja2.Environment:
    """Each template is looked up in the theme's folders in turn: a site's own
    ``article.html`` overrides the theme's, and the theme's templates that extend or
    include ``base.html`` get the site's, if it has one."""
    env = _Sandbox(
        loader=jinja2.FileSystemLoader((theme or site_theme()).folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["bare"] = localize.bare
    interface.install(env)
    return env


def compile_overrides(theme: Theme) -> None:
    """Compile each template of the site's own folders (not its static files): raises
    Jinja's TemplateSyntaxError, with the file and line, for the first that fails."""
    env = environment(theme)
    for folder in theme.overrides:
        for relative, _ in files_in(folder):
            if is_template(relative):
                env.get_template(relative)


def chrome(site: m.Site, urls: Urls, language: m.Language | None = None,
           words: gettext.NullTranslations | None = None) -> Chrome:
    """``language``: the edition's (the main language's when None); ``words``: the
    interface's catalog in it."""
    say = (words or gettext.NullTranslations()).gettext
    nav = tuple(
        NavItem(key, path, urls.url(path), say(text))
        for key, kind, text in NAV
        for path in [urls.index_path(kind) if kind else f"{key}/"]
    )
    return Chrome(
        title=site.settings.title, tagline=site.settings.tagline,
        language=language.code if language else site.settings.language,
        direction=language.direction if language else default_direction(
            site.settings.language),
        home=urls.home(),
        stylesheet=urls.static("style.css"),
        icons=Icons(svg=urls.static("favicon.svg"), png=urls.static("favicon-32.png"),
                    touch=urls.static(Urls.LOGO_NAME)),
        fonts=tuple(urls.static(name) for name in PRELOADED_FONTS),
        feed=urls.url("feed.xml"),
        feed_absolute=urls.absolute_path("feed.xml"), data=urls.url("data/site.json"),
        articles=urls.index("article"), timeline=urls.url("timeline/"),
        search=urls.search(), network=urls.url(urls.NETWORK_PATH),
        corrections=urls.url(urls.CORRECTIONS_PATH),
        ics=urls.url(urls.ICS_PATH), timelinejs=urls.url(urls.TIMELINEJS_PATH),
        geojson=urls.url(urls.GEOJSON_PATH),
        nav=nav,
        standing=tuple(NavItem(page_id, urls.page_path(page_id),
                               urls.url(urls.page_path(page_id)), page.title)
                       for page_id, page in site.pages.items()),
    )


class Renderer:
    """Renders planned pages to bytes; one environment per build."""

    def __init__(self, site: m.Site, urls: Urls, theme: Theme | None = None,
                 env: jinja2.Environment | None = None,
                 editions: Sequence[localize.Edition] = ()) -> None:
        """``env``: an environment of the same theme, its templates already compiled
        (a resident preview keeps one while the templates stay as they are).
        ``editions``: the site in each language, as planned (made here if not given)."""
        self._theme = theme or site_theme()
        self._env = env or environment(self._theme)
        self._urls = urls
        every = tuple(editions) if editions else localize.editions(site)
        self._editions = {edition.folder: edition for edition in every}
        self._catalogs = {edition.folder: interface.catalog(self._theme.folders,
                                                            edition.language.code)
                          for edition in every}
        self._chromes = {
            edition.folder: chrome(edition.site, urls.language(edition.folder),
                                   edition.language, self._catalogs[edition.folder])
            for edition in every}

    @property
    def environment(self) -> jinja2.Environment:
        return self._env

    @property
    def inputs(self) -> tuple[str, tuple[Chrome, ...]]:
        """What every page's bytes depend on besides its own meta and view."""
        return self._urls.base, tuple(self._chromes.values())

    def versions(self, path: str, folder: str) -> tuple[LanguageVersion, ...]:
        """The page at ``path`` in every language of the site (none in a site of one)."""
        if len(self._editions) < 2:
            return ()
        return tuple(
            LanguageVersion(code=e.language.code, name=e.language.name,
                            direction=e.language.direction,
                            url=(urls := self._urls.language(e.folder)).url(path),
                            absolute=urls.absolute_path(path), current=e.folder == folder)
            for e in self._editions.values())

    def render(self, page: Page) -> bytes:
        if isinstance(page.view, RawFile):
            return page.view.data
        folder = page.meta.folder
        urls = self._urls.language(folder)
        marking = localize.MARK_FALLBACKS.set(page.template.endswith(".html"))
        speaking = interface.CURRENT.set(self._catalogs[folder])
        dating = datetext.LANGUAGE.set(self._editions[folder].language.code)
        try:
            template = self._env.get_template(page.template)
            text = template.render(
                site=self._chromes[folder],
                page=page.meta,
                view=page.view,
                canonical=urls.absolute_path(page.meta.path),
                card=card_link(page.meta, self._editions[folder].site.settings, self._urls,
                               self._catalogs[folder].gettext),
                versions=self.versions(page.meta.path, folder),
            )
        except jinja2.TemplateError:
            raise
        except RecursionError:
            raise jinja2.TemplateRuntimeError(
                "the templates include or extend each other without end") from None
        except Exception as problem:  # raised by the template's own code: 1/0, int("x")
            raise jinja2.TemplateRuntimeError(
                f"{type(problem).__name__}: {problem}") from problem
        finally:
            localize.MARK_FALLBACKS.reset(marking)
            interface.CURRENT.reset(speaking)
            datetext.LANGUAGE.reset(dating)
        if page.template.endswith(".html"):
            text = localize.resolve_marks(text)
        return text.encode("utf-8")
