"""Search as a reader meets it, on the shipped site in a real browser: a record's own
page first for its name and each alias, every kind of record findable, excerpts from
the page's own text only, one search box, results near the top of a phone's screen.

The site is the shared build of the shipped content (``tools.shared_site``, served
under a sub-path); Playwright drives Debian's Chromium.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import test_browser_site
import yaml
from bs4 import BeautifulSoup, Tag
from test_site_support import REPO
from validators import tools

from kabul_brief.cli import main
from kabul_brief.publish import search

site = test_browser_site.site
"""The shipped site, built once a session (the fixture of ``test_browser_site``)."""
browser = test_browser_site.browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _actors(aliases: bool = True) -> list[tuple[str, str]]:
    """(name or alias, the actor's id) for every actor of the shipped content."""
    names = []
    for file in sorted((REPO / "content" / "actors").glob("*.yaml")):
        actor = yaml.safe_load(file.read_text(encoding="utf-8"))
        own = _in_english(actor["name"])
        also = _in_english(actor.get("aliases", [])) if aliases else []
        names += [(name, actor["id"]) for name in [own, *also]]
    return names


def _in_english(text: Any) -> Any:
    """A text field as written: the main language's (English) text of a mapping."""
    return text["en"] if isinstance(text, dict) else text


def _results(page: Any, site: tools.Site, query: str, folder: str = "") -> list[str]:
    """The result links the search page shows for ``query`` (from ?q=), as site paths;
    ``folder``: the search page of that language (``fa-af/``)."""
    page.goto(site.base_url + (f"{folder}/" if folder else "") + "search/?q=" + query)
    page.wait_for_function(
        """(q) => {
          const said = document.querySelector('.pagefind-ui__message')?.textContent ?? '';
          return said.includes(q) && (/^No results/.test(said)
            || (document.querySelector('.pagefind-ui__result-title') !== null
                && document.querySelector('.pagefind-ui__loading') === null));
        }""", arg=query)  # every result shown has loaded (they load one by one)
    hrefs: list[str] = page.eval_on_selector_all(
        ".pagefind-ui__result-title .pagefind-ui__result-link",
        "links => links.map(a => a.href)")
    return [href.removeprefix(site.base_url) for href in hrefs]


def test_each_actors_name_and_alias_finds_the_actors_page_first(
    site: tools.Site, page: Any
) -> None:
    wrong = []
    for name, actor in _actors():
        results = _results(page, site, name)
        if not results or results[0] != f"actors/{actor}/":
            wrong.append(f"{name!r}: {results[:3]}")
    assert not wrong, "a search for an actor's name does not put its page first:\n" + (
        "\n".join(wrong))


@pytest.fixture
def sharded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tools.Site]:
    """The shipped content built with an index of thirty pages a shard in each
    language, served. The
    search page finds its bundles by root-relative URLs, so the port need not be known
    when it is built."""
    # about thirty pages of each of the site's four languages a shard
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 120)
    root = tmp_path / "brief"
    arguments = ["--content", str(REPO / "content"), "--out", str(root), "--quiet"]
    assert main(["build", *arguments, "--base-url", "http://127.0.0.1/brief/"]) == 0
    assert len(list((root / "pagefind").glob("shard-*"))) >= 2
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served = tools.Site(www=tmp_path, root=root, server=server, thread=thread,
                        base_url=f"http://127.0.0.1:{server.server_address[1]}/brief/")
    yield served
    served.stop()


def test_a_sharded_index_ranks_as_one(sharded: tools.Site, page: Any) -> None:
    """Each shard is ranked as the first one is, so an actor's own page still comes
    first for its name, whichever shard holds it. (Each shard counts how rare a word
    is among its own pages: in shards much smaller than these an alias that shares
    two words with another actor's page can lose its place, which shards of a
    thousand pages do not show.)"""
    wrong = [name for name, actor in _actors(aliases=False)
             if _results(page, sharded, name)[:1] != [f"actors/{actor}/"]]
    assert not wrong, wrong


@pytest.mark.parametrize(("folder", "query", "wanted"), [
    ("fa-af", "طالبان", "actors/taliban/"), ("ur", "طالبان", "actors/taliban/"),
    ("fa-af", "کابل", "places/kabul/"), ("ur", "متقی", "actors/amir-khan-muttaqi/")])
def test_the_search_page_in_each_language_finds_its_names(
    site: tools.Site, page: Any, folder: str, query: str, wanted: str
) -> None:
    """Pagefind keeps an index per language (the pages' lang): the Dari search page
    finds the Taliban's page in Dari for "طالبان", first, and the Urdu one in Urdu."""
    results = _results(page, site, query, folder)
    assert results[:1] == [f"{folder}/{wanted}"], results
    assert all(path.startswith(f"{folder}/") for path in results), results


def test_the_pashto_search_page_finds_the_taliban_among_the_movements_named_so(
    site: tools.Site, page: Any
) -> None:
    """In Pashto the Taliban government is "د طالبانو حکومت" (طالبان is its alias)
    and the TTP "تحریک طالبان پاکستان": both are found, each in Pashto."""
    results = _results(page, site, "طالبان", "ps")
    assert {"ps/actors/taliban/", "ps/actors/ttp/"} <= set(results[:3]), results


def test_places_and_sources_are_found(site: tools.Site, page: Any) -> None:
    assert _results(page, site, "Dubai")[0] == "places/dubai/"
    tribune = _results(page, site, "Tribune")
    assert tribune and all(path.startswith("sources/tribune-") for path in tribune), tribune
    assert "relationships/india-taliban/" in _results(page, site, "India Taliban")


def test_a_misspelt_name_finds_the_record_as_the_site_spells_it(
    site: tools.Site, page: Any
) -> None:
    """Transliterated names are spelt many ways; the search respells the reader's."""
    for query, actor in (("Muttaki", "amir-khan-muttaqi"), ("Taleban", "taliban"),
                         ("Zabiulla Mujahed", "zabihullah-mujahid")):
        results = _results(page, site, query)
        assert results and results[0] == f"actors/{actor}/", (query, results)
    border = _results(page, site, "borders")  # a word that is no name stays as it is
    assert border and "places/afghanistan-pakistan-border/" in border


# --- excerpts -------------------------------------------------------------------

_NOT_OWN_TEXT = (
    "nav, aside, footer, .visually-hidden, figure.chart, ol.event-list, .card-list, "
    ".fact-list, .link-list, .notes, .cites, .cites-intro, .article-foot, .role-events-head"
)
"""What is not a page's own text: navigation, sidebars, text for screen readers only,
charts, and the lists of other records, notes and citations."""

_QUERIES = ("Durand", "Dubai", "Tribune", "diplomats", "Kabul", "shared event", "Pakistan",
            "border", "April 2025", "refugees")


_SENTENCE = re.compile(r"[.;:!?]\s")
"""Where Pagefind may have joined two elements' text (it ends each with a stop)."""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _trigrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def _text(element: Tag) -> str:
    return element.get_text(" ")


def _own_and_other(file: Path) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """Three-word runs of a built page: those of its own text (``main`` less what is
    not its own), and those found only in the rest of the page."""
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
    every = _trigrams(_words(_text(soup.body)))
    main = soup.main
    assert main is not None, file
    for element in main.select(_NOT_OWN_TEXT):
        element.decompose()
    own = _trigrams(_words(_text(main)))
    return own, every - own


def _excerpts(page: Any, site: tools.Site, query: str) -> list[tuple[str, str]]:
    """(site path, excerpt text) of every result and sub-result for ``query``, from the
    Pagefind bundle the search page loads."""
    page.goto(site.base_url + "search/")
    found: list[tuple[str, str]] = page.evaluate(
        """async ([bundle, base, query]) => {
          const pagefind = await import(bundle + 'pagefind.js');
          await pagefind.options({baseUrl: base});
          const search = await pagefind.search(query);
          const out = [];
          for (const result of search.results) {
            const data = await result.data();
            const plain = (html) => {
              const div = document.createElement('div'); div.innerHTML = html;
              return div.textContent; };
            out.push([data.url, plain(data.excerpt)]);
            for (const sub of data.sub_results) { out.push([data.url, plain(sub.excerpt)]); }
          }
          return out;
        }""",
        [site.base_url + "pagefind/", site.base_url, query])
    return [(url.removeprefix(site.base_url).split("#")[0], text) for url, text in found]


def test_no_excerpt_holds_text_from_navigation_sidebars_or_screen_reader_text(
    site: tools.Site, page: Any
) -> None:
    """Each excerpt is checked against the DOM of the page it comes from: no run of
    three words in it may come only from outside the page's own text (a sidebar's
    "1 shared event", a screen reader's "24 to 25 April" where the eye reads
    "24-25 April", with an en dash)."""
    queries = [*_QUERIES, *(name for name, _ in _actors())]
    pages: dict[str, tuple[set[tuple[str, ...]], set[tuple[str, ...]]]] = {}
    leaks = []
    checked = 0
    for query in queries:
        for path, excerpt in _excerpts(page, site, query):
            if path not in pages:
                pages[path] = _own_and_other(site.root / path / "index.html")
            _own, other = pages[path]
            checked += 1
            runs = set().union(*(_trigrams(_words(part)) for part in _SENTENCE.split(excerpt)))
            stray = sorted(" ".join(run) for run in runs & other)
            if stray:
                leaks.append(f"{query!r} {path}: {excerpt!r} has {stray[:3]}")
    assert checked > 100
    assert not leaks, f"{len(leaks)} excerpt(s) with text from outside the page's own:\n" + (
        "\n".join(leaks[:20]))


# --- the page -------------------------------------------------------------------


def test_the_search_page_has_one_search_box_which_searches_as_one_types(
    site: tools.Site, page: Any
) -> None:
    page.goto(site.base_url + "search/")
    page.wait_for_selector("#search.search-live", state="attached")
    visible = page.eval_on_selector_all(
        "input", "inputs => inputs.filter(i => i.type !== 'checkbox' && i.offsetParent)"
        ".map(i => i.id)")
    assert visible == ["site-search"], visible
    page.fill("#site-search", "Zabiullah")
    page.wait_for_selector(".pagefind-ui__result-link")
    first = page.eval_on_selector(".pagefind-ui__result-link", "a => a.href")
    assert first == site.base_url + "actors/zabihullah-mujahid/"


def test_no_filter_offers_a_kind_with_no_results(site: tools.Site, page: Any) -> None:
    _results(page, site, "Muttaqi")
    page.click(".pagefind-ui__filter-name")  # open "Kind" where it starts closed
    labels = page.eval_on_selector_all(
        ".pagefind-ui__filter-label", "labels => labels.map(l => l.textContent.trim())")
    assert labels, "no filter values are shown"
    counts = [int(re.sub(r"\D", "", label.rsplit("(", 1)[1])) for label in labels]
    assert 0 not in counts, labels


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_has_no_axe_violations(
    site: tools.Site, browser: Any, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(site.base_url + "search/?q=Pakistan")
        page.wait_for_selector(".pagefind-ui__result-link")
        page.click(".pagefind-ui__filter-name")
        assert tools.axe(page) == []
    finally:
        context.close()


def test_on_a_phone_the_results_start_near_the_top_and_nothing_scrolls_sideways(
    site: tools.Site, browser: Any
) -> None:
    for width in (320, 375):
        context = browser.new_context(viewport={"width": width, "height": 700})
        try:
            page = context.new_page()
            page.goto(site.base_url + "search/?q=Muttaqi")
            page.wait_for_selector(".pagefind-ui__result-link")
            top = page.eval_on_selector(
                ".pagefind-ui__result-link", "a => a.getBoundingClientRect().top")
            main = page.eval_on_selector("main", "m => m.getBoundingClientRect().top")
            assert top - main < 260, f"at {width} px the first result is {top - main} px " \
                "below the top of the main content"
            assert page.evaluate(tools.SCROLL_WIDTH) <= width, page.evaluate(
                tools.WIDE_ELEMENTS, width)
        finally:
            context.close()
