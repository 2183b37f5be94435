"""The reading pages as a reader sees them, measured in a real browser (Playwright
with Debian's Chromium): an article's text reads on without boxes between its
paragraphs on a phone, its citations stand in the margin on a wide screen and all
print on paper; the front page starts near the top of a phone's screen; an event's
claims do not look like quotations; events lead on to their neighbours.

The shipped content is built once (``tools.shared_site``) under a sub-path.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import test_browser_site
from bs4 import BeautifulSoup
from validators import tools

from tests.conftest import set_main_text

PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1280, "height": 900}

PARAGRAPH_GAPS = """() => {
  const body = document.querySelector('.article-body');
  const paragraphs = [...body.querySelectorAll(':scope > p, :scope > .block > p')];
  const gaps = [];
  for (let i = 1; i < paragraphs.length; i++) {
    gaps.push(paragraphs[i].getBoundingClientRect().top
              - paragraphs[i - 1].getBoundingClientRect().bottom);
  }
  return gaps;
}"""

NOTES = """() => [...document.querySelectorAll('.article-body .cites')].map(note => {
  const box = note.getBoundingClientRect();
  const paragraph = note.parentElement.querySelector(':scope > p').getBoundingClientRect();
  const links = [...note.querySelectorAll(':scope > ul li a')];  // beside the paragraph
  const all = [...note.querySelectorAll('li a')];  // with those behind "and N more"
  const shown = a => a.checkVisibility({contentVisibilityAuto: true})
                     && a.getBoundingClientRect().height > 0;
  return {height: box.height, left: box.left, top: box.top,
          lineHeight: parseFloat(getComputedStyle(note.querySelector('summary')).lineHeight),
          paragraphRight: paragraph.right, paragraphTop: paragraph.top,
          paragraphBottom: paragraph.bottom,
          // rendered for the reader: not in a closed disclosure's skipped content
          linksShown: links.filter(shown).length, links: links.length,
          allShown: all.filter(shown).length, all: all.length};
})"""


site = test_browser_site.site
"""The shipped content built once for the session and served (``tools.shared_site``)."""
browser = test_browser_site.browser


def _pages(site: tools.Site, folder: str) -> list[Any]:
    return sorted((site.root / folder).glob("*/index.html"))


@contextlib.contextmanager
def _tab(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    """A page in a fresh browser context of that size, closed after the block."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _each_article(site: tools.Site, page: Any) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Open every article in turn: (its file, its citation notes as measured)."""
    for path in _pages(site, "articles"):
        page.goto(site.url(path))
        yield path, page.evaluate(NOTES)


def test_on_a_phone_an_articles_paragraphs_follow_each_other_with_one_closed_line_between(
        site: tools.Site, browser: Any) -> None:
    with _tab(browser, PHONE) as page:
        for path, notes in _each_article(site, page):
            assert notes, f"{path}: no citation notes"
            for note in notes:  # closed: its one line, and none of its links on show
                assert note["height"] <= note["lineHeight"] * 1.5, (path, note)
                assert note["linksShown"] == 0, (path, note)
            # Between two paragraphs: at most the paragraph margin and one line.
            line = max(note["lineHeight"] for note in notes)
            assert max(page.evaluate(PARAGRAPH_GAPS)) <= 2 * line + 32, path
            # Opened by the reader, a note shows every fact citing its paragraph.
            page.locator(".article-body .cites summary").first.click()
            opened = page.evaluate(NOTES)[0]
            assert opened["linksShown"] == opened["links"] > 0


def test_on_a_wide_screen_citations_stand_in_the_margin_beside_their_paragraph(
        site: tools.Site, browser: Any) -> None:
    with _tab(browser, WIDE) as page:
        for path, notes in _each_article(site, page):
            for note in notes:
                assert note["left"] >= note["paragraphRight"], (path, note)  # in the margin
                assert note["linksShown"] == note["links"] > 0, (path, note)  # open
                assert note["top"] >= note["paragraphTop"] - 1, (path, note)
                assert note["top"] < note["paragraphBottom"], (path, note)  # beside it
            # The notes take no room from the text: paragraphs keep their own spacing.
            assert max(page.evaluate(PARAGRAPH_GAPS)) <= 40, path
            tops = [note["top"] for note in notes]
            assert tops == sorted(tops)  # each note below the one before: none overlaps
            for first, second in itertools.pairwise(notes):
                assert first["top"] + first["height"] <= second["top"] + 0.5, path


def test_on_paper_every_citation_prints_and_the_search_box_does_not(
        site: tools.Site, browser: Any) -> None:
    with _tab(browser, WIDE) as page:
        for width in (PHONE["width"], WIDE["width"]):
            page.set_viewport_size({"width": width, "height": 900})
            for path in _pages(site, "articles"):
                page.goto(site.url(path))
                page.emulate_media(media="print")
                notes = page.evaluate(NOTES)
                assert all(n["allShown"] == n["all"] > 0 for n in notes), (width, path)
                # under the paragraph it cites, not above it, on paper as on a phone
                assert all(n["top"] >= n["paragraphBottom"] - 1 for n in notes), (width, path)
                assert not page.locator(".site-search").is_visible()
                page.emulate_media(media="screen")


def test_the_front_page_names_the_site_once_and_starts_near_the_top_of_a_phone(
        site: tools.Site, browser: Any) -> None:
    with _tab(browser, PHONE) as page:
        page.goto(site.base_url)
        headings = page.locator("h1").all_inner_texts()
        assert headings == ["Kabul Brief"]
        visible_names = page.evaluate("""() => [...document.querySelectorAll('body *')]
          .filter(e => e.children.length === 0 && e.textContent.trim() === 'Kabul Brief'
                       && e.getBoundingClientRect().top < 600).length""")
        assert visible_names == 1
        main_top = page.evaluate(
            "() => document.querySelector('main').getBoundingClientRect().top")
        # the masthead, and above it the one line of the language switcher
        switcher = page.evaluate(
            "() => document.querySelector('nav.languages')?.getBoundingClientRect().height ?? 0")
        assert switcher <= 30, switcher
        assert main_top <= 90 + switcher, main_top
        nav = page.locator(".site-nav a")
        assert not nav.first.is_visible()  # behind the Menu button
        page.locator(".site-menu summary").click()
        assert all(nav.nth(n).is_visible() for n in range(nav.count()))
        assert nav.count() >= 9
    with _tab(browser, WIDE) as page:
        page.goto(site.base_url)
        assert page.locator(".site-nav a").first.is_visible()  # no Menu button needed
        assert not page.locator(".site-menu summary").is_visible()


def test_an_events_claims_are_set_as_paraphrase_not_as_quotation(
        site: tools.Site, browser: Any) -> None:
    with _tab(browser, WIDE) as page:
        claimed = [p for p in _pages(site, "events")
                   if 'class="claim"' in p.read_text(encoding="utf-8")]
        assert claimed
        for path in claimed:
            page.goto(site.url(path))
            styles = page.evaluate("""() => [...document.querySelectorAll('.claim-text')]
              .map(e => getComputedStyle(e).fontStyle)""")
            assert styles and set(styles) == {"normal"}, path
            assert page.locator(".claim blockquote").count() == 0


# -- on the built pages ---------------------------------------------------------


def _soup(path: Any) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_an_event_says_its_date_and_place_once_and_leads_to_its_neighbours(
        site: tools.Site) -> None:
    timeline = _soup(site.root / "timeline" / "index.html")
    order = [item["id"] for item in timeline.select("li.event-item[id]")]
    assert len(order) > 2
    for position, event_id in enumerate(order):
        page = _soup(site.root / "events" / event_id / "index.html")
        assert [dt.get_text() for dt in page.select(".facts-box dt")
                if dt.get_text() in ("Date", "Place")] == []
        assert len(page.select(".event-when time")) >= 1
        assert page.select(".event-when sup") == []  # no citation marks on the place
        previous = page.select_one("a[rel=prev]")
        following = page.select_one("a[rel=next]")
        if position == 0:
            assert previous is None
        else:
            assert previous is not None and previous["href"].endswith(
                f"/events/{order[position - 1]}/")
        if position == len(order) - 1:
            assert following is None
        else:
            assert following is not None and following["href"].endswith(
                f"/events/{order[position + 1]}/")


def test_article_text_is_set_with_typographic_quotes(site: tools.Site) -> None:
    for path in _pages(site, "articles"):
        body = _soup(path).select_one(".article-body")
        assert body is not None
        text = "".join(p.get_text() for p in body.select("p"))
        assert "\u2019" in text or "\u201c" in text
        assert not re.search("[\"']", text), path


def test_sources_drawn_on_say_who_published_them_and_when(site: tools.Site) -> None:
    for path in _pages(site, "articles"):
        entries = _soup(path).select("#drawn_on ~ ul li")
        assert entries
        for entry in entries:
            meta = entry.select_one(".item-meta")
            assert meta is not None and meta.get_text(strip=True), entry


def test_the_front_page_shows_disputes_and_relationships_in_plain_words(
        site: tools.Site) -> None:
    front = _soup(site.root / "index.html")
    assert front.select(".front-relationships .card")
    assert front.select(".front-events .time-strip svg")
    for latest in front.select(".latest"):
        assert "((" not in latest.get_text() and not re.search(r"\(\d{4} \(", latest.get_text())


# -- names an editor may write: long words, right-to-left text ------------------

LONG = "Longnamewithoutanyspaces" * 5
built: list[Any] = [None]
"""Where the long names' site was built."""


@pytest.fixture(scope="module")
def long_names_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped content with an actor, an event and a place named by one 120-letter
    word (a URL pasted as a name, a German compound), built and served."""
    root = tmp_path_factory.mktemp("long")
    content = root / "content"
    shutil.copytree(tools.REPO / "content", content)
    wordy = [(f"actors/{path.name}", "name", f"Ministry of Very Long Official Designations "
              f"and Other Extremely Wordy Matters of State {n}")
             for n, path in enumerate(sorted((content / "actors").glob("*.yaml"))[:8])
             if path.name != "india.yaml"]
    for relative, field, name in (("actors/india.yaml", "name", LONG),
                                  ("places/kabul.yaml", "name", LONG),
                                  ("events/pahalgam-attack.yaml", "title", LONG), *wordy):
        path = content / relative
        text = path.read_text(encoding="utf-8")
        path.write_text(set_main_text(text, field, name), encoding="utf-8")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}/site/"
    built[0] = root / "site"
    subprocess.run([sys.executable, "-m", "kabul_brief", "build", "-q", "--content",
                    str(content), "--out", str(root / "site"), "--base-url", base],
                   check=True, capture_output=True, timeout=300)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", [
    "", "actors/india/", "actors/", "places/kabul/", "places/", "events/pahalgam-attack/",
    "events/india-ccs-measures-2025-04-23/", "events/kabul-delegation-2025-04/",
    "timeline/", "network/",
    "articles/india-kabul-outreach-after-pahalgam/", "relationships/",
])
def test_a_long_word_in_a_name_breaks_instead_of_widening_the_page_at_320_px(
        long_names_site: str, browser: Any, path: str) -> None:
    with _tab(browser, {"width": 320, "height": 640}) as page:
        page.goto(long_names_site + path)
        assert LONG in page.content()
        width = page.evaluate(tools.SCROLL_WIDTH)
        assert width <= 320, page.evaluate(tools.WIDE_ELEMENTS, 320)


def _network_sizes(root: Any) -> dict[str, tuple[float, float]]:
    soup = _soup(root / "network" / "index.html")
    sizes = {}
    for variant in ("network-wide", "network-narrow"):
        svg = soup.select_one(f"svg.{variant}")
        assert svg is not None
        _, _, width, height = map(float, svg["viewbox"].split())
        sizes[variant] = (width, height)
    return sizes


def test_long_names_do_not_blow_up_the_network_pictures(
        site: tools.Site, long_names_site: str) -> None:
    """Names cut short in the picture (whole in the marks' titles and the list), so
    that the layout finds them room without a picture thousands of pixels tall."""
    plain, wordy = _network_sizes(site.root), _network_sizes(built[0])
    for variant, (width, height) in wordy.items():
        assert width <= plain[variant][0] * 1.25 and height <= plain[variant][1] * 1.5, (
            variant, plain[variant], (width, height))
    labels = [t.get_text() for t in _soup(built[0] / "network" / "index.html").select(
        "svg.network-svg text.node-label")]
    assert labels and max(map(len, labels)) <= 32
    assert any(label.endswith("\u2026") for label in labels)
