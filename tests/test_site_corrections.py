"""Corrections as a reader, a feed reader and an editor meet them, through the real
command line (``python -m kabul_brief``) in temporary folders.

A correction is shown on its record's page before the body, inside ``.correction``
with its ``<time datetime>``; ``/corrections/`` lists every correction of the site,
newest first, each linking the correction on its record's page; the Atom feed
``/corrections/feed.xml`` is read by feedparser and passes the RFC 4287 schema. A
correction without a day, or without a text, is an error at its line.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from hostile import scan
from test_site_support import broken_links, page, tree
from validators import tools

from tests.conftest import CliResult

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "site" / "basic" / "content"
BASE = "https://example.org/brief/"
HOSTILE_TEXT = ("Said <script>alert('c')</script>"
                "<img src=https://example.org/i.png onerror=alert(1)>"
                " <a href='javascript:alert(2)'>here</a> too.")


def kabul_brief(*args: str) -> CliResult:
    result = subprocess.run([sys.executable, "-m", "kabul_brief", *args], capture_output=True,
                            text=True, timeout=600, check=False,
                            env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert "Traceback" not in result.stderr + result.stdout
    return CliResult(result.returncode, result.stdout, result.stderr)


def edit(content: Path, relative: str, old: str, new: str) -> None:
    file = content / relative
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, (relative, old)
    file.write_text(text.replace(old, new), encoding="utf-8")


def corrected(into: Path) -> Path:
    """The basic content with corrections on an event (two), an article, an actor, a
    standing page and a draft event."""
    content = into / "content"
    shutil.copytree(BASIC, content)
    edit(content, "events/events.yaml", "  as_reported: in late April\n",
         "  as_reported: in late April\n  corrections:\n"
         "    - date: 2025-05-06\n"
         "      text: An earlier version dated the talks 28 April; they began on"
         " [27 April](event:talks).\n"
         "    - date: 2025-05-08\n"
         f"      text: \"{HOSTILE_TEXT}\"\n")
    edit(content, "articles/outreach.md", "sources: [wire-report]\n",
         "sources: [wire-report]\ncorrections:\n"
         "  - {date: 2025-05-06, text: 'The delegation had *four* members, not five.'}\n")
    edit(content, "actors/all.yaml", "  kind: state\n",
         "  kind: state\n  corrections:\n"
         "    - {date: 2025-05-06, text: An earlier version gave the wrong ministry.}\n")
    edit(content, "pages/about.md", "summary: Who writes it.\n",
         "summary: Who writes it.\ncorrections:\n"
         "  - {date: 2025-05-10, text: The desk's address was wrong.}\n")
    edit(content, "events/events.yaml", "- id: statement-2024\n",
         "- id: draft-event\n  title: Not yet\n  date: 2025-06\n  kind: meeting\n"
         "  place: kabul\n  draft: true\n  sources: [wire-report]\n  corrections:\n"
         "    - {date: 2025-06-02, text: A draft's own correction.}\n"
         "- id: statement-2024\n")
    return content


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corrections")
    target = folder / "www" / "brief"  # served from www, the site lives under /brief/
    ran = kabul_brief("build", "--content", str(corrected(folder)), "--out", str(target),
                      "--base-url", BASE)
    assert ran.code == 0, ran.err
    return target


def _before(first: Tag, second: Tag) -> bool:
    """Whether ``first`` comes before ``second`` in the document."""
    return any(element is second for element in first.find_all_next())


def test_the_page_shows_its_corrections_before_the_body(out: Path) -> None:
    event = page(out, "events/talks/")
    box = event.select_one("section.corrections")
    assert box is not None
    heading = box.find("h2")
    assert isinstance(heading, Tag) and heading.get_text() == "Corrections"
    assert box["aria-labelledby"] == heading["id"]
    items = box.select(".correction")
    assert [item.select_one("time[datetime]")["datetime"] for item in items] == [  # type: ignore[index]
        "2025-05-08", "2025-05-06"]
    assert items[1].get_text(" ", strip=True) == (
        "Corrected 6 May 2025 An earlier version dated the talks 28 April; they began on"
        " 27 April .")
    body = event.select_one(".record-grid")
    assert body is not None and _before(box, body)
    assert _before(event.select_one("h1"), box)  # type: ignore[arg-type]
    for path, body_selector in (("articles/outreach/", ".article-body"),
                                ("about/", ".article-body"), ("actors/india/", ".record-grid")):
        soup = page(out, path)
        found = soup.select(".correction")
        assert len(found) == 1, path
        assert found[0].select_one("time")["datetime"] in ("2025-05-06", "2025-05-10")  # type: ignore[index]
        assert _before(found[0], soup.select_one(body_selector)), path  # type: ignore[arg-type]
    article = page(out, "articles/outreach/")
    assert article.select_one(".correction h2, .corrections h2").get_text() == "Correction"  # type: ignore[union-attr]
    assert article.select_one(".correction-text em").get_text() == "four"  # type: ignore[union-attr]
    # A record without corrections shows none, not an empty box.
    assert page(out, "events/airlift/").select(".corrections, .correction") == []


def test_the_list_is_newest_first_and_links_each_record(out: Path) -> None:
    soup = page(out, "corrections/")
    items = soup.select("main .correction")
    shown = [(item.select_one("time")["datetime"],  # type: ignore[index]
              item.select_one(".tag").get_text(),  # type: ignore[union-attr]
              item.select_one("h2 a")["href"]) for item in items]  # type: ignore[index]
    assert shown == [
        ("2025-05-10", "Page", "/brief/about/#correction_2025-05-10"),
        ("2025-05-08", "Event", "/brief/events/talks/#correction_2025-05-08"),
        # One day: by the kinds' order (actors, ..., events, ..., articles).
        ("2025-05-06", "Actor", "/brief/actors/india/#correction_2025-05-06"),
        ("2025-05-06", "Event", "/brief/events/talks/#correction_2025-05-06"),
        ("2025-05-06", "Article", "/brief/articles/outreach/#correction_2025-05-06"),
    ]
    for _, _, href in shown:
        path, fragment = href.removeprefix("/brief/").split("#")
        target = page(out, path).find(id=fragment)
        assert isinstance(target, Tag) and "correction" in target["class"], href
    assert [a.get_text() for a in soup.select("main .correction h2 a")][:2] == [
        "About this site", "Talks in Kabul"]
    assert not broken_links(out, BASE)


def test_the_list_is_linked_from_every_page_and_has_its_feed(out: Path) -> None:
    for path in ("", "events/talks/", "404.html"):
        footer = page(out, path).select_one("footer")
        assert footer is not None
        assert "/brief/corrections/" in [a["href"] for a in footer.find_all("a")], path
    alternate = page(out, "corrections/").select(
        'head link[rel="alternate"][type="application/atom+xml"]')
    assert "/brief/corrections/feed.xml" in [link["href"] for link in alternate]
    sitemap = BeautifulSoup((out / "sitemap.xml").read_text(encoding="utf-8"), "xml")
    entry = next(url for url in sitemap.find_all("url")
                 if url.loc.string == f"{BASE}corrections/")
    # the list changed when its newest correction was published, as its feed says too
    assert entry.lastmod is not None and entry.lastmod.string == "2025-05-10"
    script = page(out, "corrections/").find("script", type="application/ld+json")
    assert json.loads(script.string)["dateModified"] == "2025-05-10"


def test_a_feed_reader_reads_the_corrections_newest_first(out: Path) -> None:
    feed = feedparser.parse((out / "corrections" / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.updated == "2025-05-10T00:00:00Z"
    assert feed.feed.id == f"{BASE}corrections/"
    assert [e.id for e in feed.entries] == [
        f"{BASE}about/#correction_2025-05-10",
        f"{BASE}events/talks/#correction_2025-05-08",
        f"{BASE}actors/india/#correction_2025-05-06",
        f"{BASE}events/talks/#correction_2025-05-06",
        f"{BASE}articles/outreach/#correction_2025-05-06",
    ]
    assert [e.link for e in feed.entries] == [e.id for e in feed.entries]
    assert feed.entries[3].title == "Correction: Talks in Kabul"
    assert feed.entries[3].published == "2025-05-06T00:00:00Z"
    content = BeautifulSoup(feed.entries[3].content[0].value, "html.parser")
    assert [a["href"] for a in content.find_all("a")] == [f"{BASE}events/talks/"]
    assert not tools.jing_atom(out / "corrections" / "feed.xml")
    assert not tools.atom_own_checks(out / "corrections" / "feed.xml")


def test_hostile_text_in_a_correction_stays_text(out: Path) -> None:
    assert not scan(out).problems
    box = page(out, "events/talks/").select_one("#correction_2025-05-08")
    assert box is not None
    assert box.find("script") is None and box.find(attrs={"onerror": True}) is None
    assert box.find("a") is None or not box.find("a").get("href", "").startswith("javascript")
    assert "Said" in box.get_text()


def test_the_pages_pass_the_nu_html_checker(out: Path, tmp_path: Path) -> None:
    for path in ("corrections/", "events/talks/", "articles/outreach/", "about/"):
        target = tmp_path / path.replace("/", "-") / "index.html"
        target.parent.mkdir()
        shutil.copy(out / path / "index.html", target)
    assert not tools.vnu(tmp_path)


def test_a_draft_s_corrections_appear_nowhere_in_a_plain_build(out: Path,
                                                               tmp_path: Path) -> None:
    assert not any(b"draft's own correction" in data for data in tree(out).values())
    with_drafts = tmp_path / "drafts"
    ran = kabul_brief("build", "--content", str(corrected(tmp_path)), "--out",
                      str(with_drafts), "--drafts", "-q")
    assert ran.code == 0, ran.err
    first = page(with_drafts, "corrections/").select_one("main .correction h2 a")
    assert first is not None and first["href"] == "/events/draft-event/#correction_2025-06-02"


def test_a_site_without_corrections_says_so_and_has_an_empty_feed(tmp_path: Path) -> None:
    target = tmp_path / "site"
    ran = kabul_brief("build", "--content", str(BASIC), "--out", str(target), "-q")
    assert ran.code == 0, ran.err
    soup = page(target, "corrections/")
    assert soup.select("main .correction") == []
    empty = soup.select_one("main p.empty")
    assert empty is not None and empty.get_text().startswith("No corrections yet")
    feed = feedparser.parse((target / "corrections" / "feed.xml").read_bytes())
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.updated == "1970-01-01T00:00:00Z"  # fixed: no build time
    assert not tools.jing_atom(target / "corrections" / "feed.xml")


def test_adding_a_correction_renders_its_page_and_the_corrections_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    target = tmp_path / "site"
    assert kabul_brief("build", "--content", str(content), "--out", str(target), "-q").code == 0
    edit(content, "events/events.yaml", "  as_reported: in late April\n",
         "  as_reported: in late April\n  corrections:\n"
         "    - {date: 2025-05-06, text: The talks began a day earlier.}\n")
    ran = kabul_brief("build", "--content", str(content), "--out", str(target), "-v")
    assert ran.code == 0, ran.err
    rendered = {line.split("rendered ", 1)[1] for line in ran.out.splitlines()
                if line.startswith("  rendered ") and " of " not in line}
    # and the sitemap, whose lastmod of /corrections/ is the newest correction's day
    assert rendered == {"events/talks/index.html", "corrections/index.html",
                        "corrections/feed.xml", "sitemap.xml"}
    again = tmp_path / "again"
    assert kabul_brief("build", "--content", str(content), "--out", str(again), "-q").code == 0
    assert tree(again) == tree(target)  # the same bytes as a build from nothing


@pytest.mark.parametrize(("correction", "error", "hint"), [
    ("{text: The date was wrong.}",
     "correction is missing required field 'date' [missing-field]",
     "Add a line such as: date: 2025-05-06"),
    ("{date: 2025-05, text: The date was wrong.}",
     "'2025-05' is not a whole day: a correction's date needs the day [date]",
     "Write the day it was made, such as 2025-05-01."),
    ("{date: 2025-02-30, text: The date was wrong.}",
     "'2025-02-30' has day 30, but February 2025 has 28 days [date]",
     "Write the day it was made as YYYY-MM-DD, such as 2025-05-06."),
    ("{date: 2025-05-06T10:00, text: The date was wrong.}", "[date]",
     "Write the day it was made as YYYY-MM-DD, such as 2025-05-06."),
    ("{date: 2025-05-06}",
     "correction is missing required field 'text' [missing-field]", None),
    ("{date: 2025-05-06, text: ''}", "correction text may not be empty [empty]", None),
    ("{date: 2025-05-06, text: '[x](javascript:alert(1))'}", "[link-scheme]", None),
    ("{date: 2025-05-06, text: 'See [India](actor:indai).'}",
     "unknown actor 'indai' [unknown-reference]", "did you mean 'india'?"),
])
def test_a_bad_correction_is_an_error_at_its_line(tmp_path: Path, correction: str, error: str,
                                                  hint: str | None) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    edit(content, "events/events.yaml", "  as_reported: in late April\n",
         f"  as_reported: in late April\n  corrections:\n    - {correction}\n")
    ran = kabul_brief("check", "--content", str(content))
    assert ran.code == 1
    lines = (content / "events/events.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text == f"    - {correction}")
    errors = [text for text in ran.err.splitlines() if ": error: " in text]
    assert len(errors) == 1, ran.err
    assert re.fullmatch(rf"{re.escape(str(content))}/events/events\.yaml:{line}:\d+: error: .*",
                        errors[0]), errors
    assert errors[0].endswith(error), errors
    if hint is not None:
        assert f"    {hint}" in ran.err.splitlines()
    assert "as_reported" not in ran.err  # an event's date's hint, not a correction's


@pytest.fixture(scope="module")
def served(out: Path) -> Iterator[str]:
    """The built site over HTTP on this machine: the URL of its front page."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out.parent))
    handler.log_message = lambda *args: None  # type: ignore[assignment]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/brief/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield tools.shared_browser()
    tools.stop_shared_browser()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_pages_with_corrections(served: str, browser: Any,
                                                     scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    problems = []
    try:
        for path in ("corrections/", "events/talks/", "articles/outreach/", "about/"):
            tab.goto(served + path)
            problems += [f"{path}: {problem}" for problem in tools.axe(tab)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_corrections_are_printed_with_the_page(served: str, browser: Any) -> None:
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.emulate_media(media="print")
        tab.goto(served + "events/talks/")
        for box in tab.locator(".correction").all():
            assert box.is_visible()
            assert box.bounding_box()["height"] > 10  # type: ignore[index]
        # Told apart by its heading and its rule, not by colour alone.
        assert tab.locator(".corrections h2").inner_text() == "Corrections"
        assert tab.evaluate("getComputedStyle(document.querySelector('.corrections'))"
                            ".borderLeftStyle") == "solid"
    finally:
        context.close()
