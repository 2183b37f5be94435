"""Second round of content attacks: citation links by name, anchors that take the
theme's own ids, errors reported in waves, weak URL checks, invisible required text
and ``new`` writing a file ``check`` refuses.

Each case drives the CLI on a copy of the good fixture (or of the shipped content)
and reads what an editor or a reader would see: the exit code, the exact
``PATH:LINE:COL: error:`` lines of ``check`` and ``build`` (identical, in one run),
and the built pages parsed with BeautifulSoup.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from kabul_brief.content.markup import ANCHOR_RE
from kabul_brief.themeids import is_theme_id
from tests.conftest import FIXTURES, GOOD_SITE, CliResult

Run = Callable[..., CliResult]
SHIPPED = Path(__file__).resolve().parents[1] / "content"
EVENT = "content/events/kabul-meeting.yaml"
ARTICLE = "content/articles/analysis/kabul-outreach.md"
SOURCE = "content/sources/agency-report.yaml"
PEOPLE = "content/actors/people.yaml"


def _refused(run_cli: Run, *expected: str) -> CliResult:
    """``check`` and ``build`` both exit 1 with exactly ``expected`` error lines, in
    one run (``build`` writes nothing)."""
    checked = run_cli("check")
    assert "Traceback" not in checked.err
    assert checked.error_lines == list(expected), checked.err
    assert checked.code == 1
    built = run_cli("build", "--out", "_site", "--quiet", "--jobs", "1")
    assert "Traceback" not in built.err
    assert built.error_lines == list(expected), built.err
    assert built.code == 1
    assert not Path("_site").exists()
    return checked


def _builds(run_cli: Run, content: str = "content") -> Path:
    checked = run_cli("check", "--content", content)
    assert checked.code == 0, checked.err
    built = run_cli("build", "--content", content, "--out", "_site", "--quiet", "--jobs", "1")
    assert built.code == 0, built.err
    return Path("_site")


def _page(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def _write(relative: str, text: str) -> None:
    path = Path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- 1. a citation by name links to the name ----------------------------------------


def _fragments(soup: BeautifulSoup, article: str) -> set[str]:
    return {urlsplit(a["href"]).fragment for a in soup.select("a[href]")
            if urlsplit(a["href"]).path.rstrip("/").endswith(f"/articles/{article}")
            and urlsplit(a["href"]).fragment}


def test_a_citation_by_name_links_to_the_name_in_the_shipped_content(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Run) -> None:
    shutil.copytree(SHIPPED, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    out = _builds(run_cli)
    event = _page(out, "events/kabul-delegation-2025-04")
    assert _fragments(event, "india-kabul-outreach-after-pahalgam") == {
        "kabul-meeting", "assurances", "taliban-interest"}
    article = _page(out, "articles/india-kabul-outreach-after-pahalgam")
    for name in ("kabul-meeting", "assurances", "taliban-interest"):
        assert article.find(id=name) is not None


def test_a_citation_and_a_record_link_by_name_link_to_the_name(
        good_site: Path, run_cli: Run) -> None:
    about = good_site / "content/pages/about.md"
    about.write_text(about.read_text(encoding="utf-8")
                     + "\nSee [the assurance](article:kabul-outreach#assurance).\n",
                     encoding="utf-8")
    out = _builds(run_cli)
    # kabul-meeting cites the article by name (assurance) and by number (p2).
    assert _fragments(_page(out, "events/kabul-meeting"), "kabul-outreach") == {
        "assurance", "p2"}
    assert _fragments(_page(out, "relationships/india-taliban"), "kabul-outreach") == {
        "assurance"}
    assert _fragments(_page(out, "about"), "kabul-outreach") == {"assurance"}


# -- 2. an anchor may not take an id of the theme -----------------------------------


@pytest.mark.parametrize("name", ["site-search", "search", "search-fallback"])
def test_an_anchor_taking_an_id_of_the_page_is_refused(
        good_site: Path, run_cli: Run, name: str) -> None:
    _write("content/articles/fz-art.md",
           f"---\ntitle: Fz\ndate: 2025-05-01\n---\nText one.\n\nText two {{#{name}}}\n")
    result = _refused(
        run_cli,
        f"content/articles/fz-art.md:7:10: error: paragraph anchor `{{#{name}}}` is an id"
        " the page itself uses [reserved-anchor]")
    assert "pick another name" in result.err


def _content_ids(soup: BeautifulSoup, out: Path, page: Path) -> set[str]:
    """Ids that come from content on a page: paragraphs, editors' anchors (a span
    first in a paragraph) and record ids on the timeline."""
    ids = {p["id"] for p in soup.select("p[id]") if re.fullmatch(r"p[0-9]+", p["id"])}
    ids |= {span["id"] for span in soup.select("p > span[id]")}
    if page.parent == out / "timeline":
        ids |= {li["id"] for li in soup.select("li.event-item[id]")}
    return ids


@pytest.mark.parametrize("content", [
    SHIPPED, GOOD_SITE / "content", FIXTURES / "site" / "basic" / "content",
    FIXTURES / "site" / "hostile" / "content",
], ids=["shipped", "good", "basic", "hostile"])
def test_every_id_the_theme_puts_on_a_page_is_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Run, content: Path) -> None:
    if not content.is_dir():
        pytest.skip(f"no fixture {content}")
    shutil.copytree(content, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    built = run_cli("build", "--out", "_site", "--quiet", "--jobs", "1")
    assert built.code == 0, built.err
    out = Path("_site")
    unlisted: dict[str, str] = {}
    pages = sorted(out.rglob("*.html"))
    assert pages
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        from_content = _content_ids(soup, out, page)
        for element in soup.find_all(id=True):
            name = element["id"]
            if name not in from_content and not is_theme_id(name):
                unlisted.setdefault(name, str(page.relative_to(out)))
    assert not unlisted, f"ids of the theme missing from kabul_brief.themeids: {unlisted}"
    # and no theme id could be written by an editor without being refused
    assert all(not ANCHOR_RE.fullmatch(n) or is_theme_id(n) for n in unlisted)


# -- 9. new refuses an id check would refuse ----------------------------------------


@pytest.mark.parametrize(("kind", "title", "taken"), [
    ("page", "Actors", "actors/"), ("page", "Timeline", "timeline/"),
    ("page", "Search", "search/"), ("page", "Pagefind", "pagefind/"),
    ("page", "Data", "data/"),
])
def test_new_refuses_a_title_whose_id_is_reserved(
        good_site: Path, run_cli: Run, kind: str, title: str, taken: str) -> None:
    before = sorted(p.relative_to(good_site) for p in good_site.rglob("*"))
    result = run_cli("new", kind, title)
    record_id = taken.rstrip("/")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        f"kabul-brief new: error: {kind} id {record_id!r} is reserved for the site's own"
        f" pages (/{taken}): give another title; nothing was written"]
    assert sorted(p.relative_to(good_site) for p in good_site.rglob("*")) == before
    assert run_cli("check").code == 0


def test_new_still_writes_a_page_check_accepts(good_site: Path, run_cli: Run) -> None:
    result = run_cli("new", "page", "Actors and roles")
    assert result.code == 0, result.err
    assert Path(result.out.strip()) == Path("content/pages/actors-and-roles.md")
