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
from tests.conftest import FIXTURES, GOOD_SITE, CliResult, mutate
from tests.conftest import builds as _builds
from tests.conftest import refused as _refused

Run = Callable[..., CliResult]
SHIPPED = Path(__file__).resolve().parents[1] / "content"
EVENT = "content/events/kabul-meeting.yaml"
ARTICLE = "content/articles/analysis/kabul-outreach.md"
SOURCE = "content/sources/agency-report.yaml"
PEOPLE = "content/actors/people.yaml"




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
    where = page.parent.relative_to(out).parts  # in any language's folder
    if where[-1:] == ("timeline",) or where[-2:] == ("timeline", "newest"):
        ids |= {li["id"] for li in soup.select("li.event-item[id]")}
    return ids


@pytest.mark.parametrize("content", [
    SHIPPED, GOOD_SITE / "content", FIXTURES / "site" / "basic" / "content",
    FIXTURES / "site" / "hostile" / "content",
], ids=["shipped", "good", "basic", "hostile"])
def test_every_id_the_theme_puts_on_a_page_is_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Run, content: Path) -> None:
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
        f" pages (/{taken}): give another title or --id; nothing was written"]
    assert sorted(p.relative_to(good_site) for p in good_site.rglob("*")) == before
    assert run_cli("check").code == 0


def test_new_still_writes_a_page_check_accepts(good_site: Path, run_cli: Run) -> None:
    result = run_cli("new", "page", "Actors and roles")
    assert result.code == 0, result.err
    assert Path(result.out.strip()) == Path("content/pages/actors-and-roles.md")


# -- 7. URL fields: what urlsplit cannot read, bad ports, user names, bad hosts ------

_URL_HINT = ("Give an address such as https://example.org/report: a host name or IP"
             " address, a port from 1 to 65535 if any, and no user name or password (in"
             " https://trusted.org@evil.example/ the host is evil.example).")
_BAD_URLS = [
    ("https://[::1/", "has a malformed host or port"),
    ("https://x.org:99999/", "has a malformed host or port"),
    ("https://x.org:abc/", "has a malformed host or port"),
    ("https://x.org:0/", "has port 0: give a port from 1 to 65535"),
    ("https://u:p@x.org/", "must not hold a user name or password"),
    ("https://trusted.org@evil.example/", "must not hold a user name or password"),
    ("https://1.2.3.4.5/", "has a malformed IPv4 address"),
    ("https://[::g]/", "has a malformed host or port"),
    ("https://x_y.org/", "has no valid host name"),
]


@pytest.mark.parametrize(("url", "why"), _BAD_URLS, ids=[u for u, _ in _BAD_URLS])
@pytest.mark.parametrize(("where", "old", "new", "column"), [
    (SOURCE, "note: Undated", 'url: "{url}"\nnote: Undated', 6),
    ("content/events/more.yaml", "- url: https://example.org/takeover",
     '- url: "{url}"', 11),
    (PEOPLE, '{url: "https://example.org/muttaqi", title: Profile}',
     '{url: "{url}", title: Profile}', 12),
], ids=["source", "citation", "actor-link"])
def test_a_url_field_with_a_bad_host_port_or_user_is_refused(
        good_site: Path, run_cli: Run, url: str, why: str, where: str, old: str, new: str,
        column: int) -> None:
    mutate(good_site, where, old, new.replace("{url}", url))
    text = (good_site / where).read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if url in row)
    column = text.splitlines()[line - 1].index('"' + url) + 1
    result = _refused(run_cli, f"{where}:{line}:{column}: error: URL {url!r} {why} [url]")
    assert _URL_HINT in result.err


@pytest.mark.parametrize("url", [
    "https://x.org/a?b=1#c", "https://10.0.0.1:8080/x", "https://[::1]:80/",
    "https://b\u00fccher.example/x", "http://example.org./report",
])
def test_a_good_url_with_a_query_port_or_ip_still_builds(
        good_site: Path, run_cli: Run, url: str) -> None:
    mutate(good_site, SOURCE, "note: Undated", f'url: "{url}"\nnote: Undated')
    out = _builds(run_cli)
    links = {a["href"] for a in _page(out, "sources/agency-report").select("a[href]")}
    assert url in links


@pytest.mark.parametrize(("base_url", "why"), [
    ("https://1.2.3.4.5/", "has a malformed IPv4 address"),
    ("https://x.org/%2e%2e/", "has a path segment '%2e%2e' that is empty, '.' or '..',"
     " or holds characters to percent-encode"),
])
def test_the_base_url_refuses_a_bad_ipv4_host_and_an_encoded_dot_segment(
        good_site: Path, run_cli: Run, base_url: str, why: str) -> None:
    result = run_cli("build", "--base-url", base_url, "--out", "_site", "--quiet")
    assert result.code == 2
    assert result.err.splitlines() == [
        f"kabul-brief build: error: base URL {base_url!r} {why}"]
    assert not Path("_site").exists()


# -- 8. required text of invisible characters only is empty -------------------------


@pytest.mark.parametrize("title", [
    "\\u200b", "\\u200b\\u200d\\ufeff", "\\u200b \\u00a0\\u2060", "\\u2063\\u200e",
    "\\u3164", "\\ufe0f ",
])
def test_a_title_of_invisible_characters_only_is_empty(
        good_site: Path, run_cli: Run, title: str) -> None:
    mutate(good_site, EVENT, "title: Indian delegation meets Muttaqi in Kabul",
           f'title: "{title}"')
    _refused(run_cli, f"{EVENT}:2:8: error: title may not be empty [empty]")


def test_an_article_title_of_a_zero_width_space_is_empty(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, ARTICLE, "title: India's Kabul outreach", 'title: "\\u200b\\u200d"')
    _refused(run_cli, f"{ARTICLE}:2:8: error: title may not be empty [empty]")


def test_a_title_with_a_joiner_between_letters_is_kept(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, EVENT, "title: Indian delegation meets Muttaqi in Kabul",
           'title: "Kabul\\u200d talks"')
    out = _builds(run_cli)
    assert _page(out, "events/kabul-meeting").h1.get_text(strip=True) == "Kabul\u200d talks"


# -- 3, 4, 5. every error in one pass ----------------------------------------------


@pytest.fixture
def shipped_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped content, as the tester used; errors read ``content/...``."""
    shutil.copytree(SHIPPED, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


_BAD_FIELDS = ("kind: bad\nplace: nowhere\nsources: [nosrc]\n")


def test_a_duplicate_id_is_reported_with_the_records_other_errors(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w.yaml", "id: pahalgam-attack\ntitle: T\ndate: 2025\n" + _BAD_FIELDS)
    _refused(
        run_cli,
        "content/events/w.yaml:1:5: error: event id 'pahalgam-attack' is already used"
        " (also at content/events/pahalgam-attack.yaml:1) [duplicate-id]",
        "content/events/w.yaml:4:7: error: 'bad' is not a known event kind [choice]",
        "content/events/w.yaml:5:8: error: unknown place 'nowhere' [unknown-reference]",
        "content/events/w.yaml:6:11: error: unknown source 'nosrc' [unknown-reference]",
    )


def test_a_duplicate_id_is_reported_when_one_bad_field_is_all(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w.yaml", "id: pahalgam-attack\ntitle: T\ndate: 2025\nkind: bad\n"
           "place: kabul\nsources: [agency-report-2025-05]\n")
    _refused(
        run_cli,
        "content/events/w.yaml:1:5: error: event id 'pahalgam-attack' is already used"
        " (also at content/events/pahalgam-attack.yaml:1) [duplicate-id]",
        "content/events/w.yaml:4:7: error: 'bad' is not a known event kind [choice]",
    )


def test_two_records_with_errors_and_one_id_are_a_duplicate(
        good_site: Path, run_cli: Run) -> None:
    _write("content/events/a.yaml", "id: twin\ntitle: T\ndate: 2025\nkind: bad\n"
           "place: kabul\nsources: [agency-report]\n")
    _write("content/events/b.yaml", "id: twin\ntitle: T\ndate: 2025-13\nkind: meeting\n"
           "place: kabul\nsources: [agency-report]\n")
    _refused(
        run_cli,
        "content/events/a.yaml:4:7: error: 'bad' is not a known event kind [choice]",
        "content/events/b.yaml:1:5: error: event id 'twin' is already used"
        " (also at content/events/a.yaml:1) [duplicate-id]",
        "content/events/b.yaml:3:7: error: '2025-13' has month 13, outside 01-12 [date]",
    )


def test_an_article_with_a_bad_date_keeps_its_anchors_for_citations(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/articles/w.md", "---\ntitle: T\ndate: 2025-13\n---\nPara {#real}\n")
    _write("content/events/w.yaml", "id: w-ev\ntitle: T\ndate: 2025\nkind: meeting\n"
           "place: kabul\nsources: [{article: w, anchor: fake}]\n"
           "summary: See [this](article:w#nope) and [that](article:w#real).\n")
    result = _refused(
        run_cli,
        "content/articles/w.md:3:7: error: '2025-13' has month 13, outside 01-12 [date]",
        "content/events/w.yaml:6:32: error: article 'w' has no paragraph 'fake'"
        " [unknown-anchor]",
        "content/events/w.yaml:7:21: error: article 'w' has no paragraph 'nope'"
        " [unknown-anchor]",
    )
    assert "real" in result.err  # the hint names the anchors it has


def test_an_article_with_a_bad_date_has_its_body_checked_once(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/articles/w.md",
           "---\ntitle: T\ndate: 2025-13\n---\nPara {#real} [x](event:nope)\n")
    _refused(
        run_cli,
        "content/articles/w.md:3:7: error: '2025-13' has month 13, outside 01-12 [date]",
        "content/articles/w.md:5:18: error: unknown event 'nope' [unknown-reference]",
    )


def test_an_article_whose_written_id_is_bad_is_not_cited_by_its_file_name(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/articles/w.md", "---\nid: Bad_Id\ntitle: T\ndate: 2025-05\n---\nPara\n")
    _write("content/events/w.yaml", "id: w-ev\ntitle: T\ndate: 2025\nkind: meeting\n"
           "place: kabul\nsources: [{article: w, anchor: fake}]\n")
    checked = run_cli("check")
    assert checked.code == 1
    assert not [line for line in checked.error_lines if "unknown-anchor" in line]


_REST = ("content/events/w2.yaml:{}:7: error: 'bad' is not a known event kind [choice]",
         "content/events/w2.yaml:{}:8: error: unknown place 'nowhere' [unknown-reference]",
         "content/events/w2.yaml:{}:11: error: unknown source 'nosrc' [unknown-reference]")


def _rest(first_line: int) -> list[str]:
    return [line.format(first_line + i) for i, line in enumerate(_REST)]


def test_a_duplicate_key_does_not_hide_the_files_other_errors(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w2.yaml", "id: w-ev\ntitle: T\ntitle: U\ndate: 2025\n" + _BAD_FIELDS)
    _refused(
        run_cli,
        "content/events/w2.yaml:3:1: error: key 'title' appears twice in this mapping"
        " (also at content/events/w2.yaml:2) [duplicate-key]",
        *_rest(5),
    )


def test_a_duplicate_key_keeps_its_first_value(good_site: Path, run_cli: Run) -> None:
    # the first kind is good, the second would be refused: only the duplicate is reported
    mutate(good_site, EVENT, "kind: meeting", "kind: meeting\nkind: bad")
    text = (good_site / EVENT).read_text(encoding="utf-8").splitlines()
    line = text.index("kind: bad") + 1
    _refused(run_cli, f"{EVENT}:{line}:1: error: key 'kind' appears twice in this mapping"
             f" (also at {EVENT}:{line - 1}) [duplicate-key]")


def test_an_escaped_control_character_does_not_hide_the_files_other_errors(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w2.yaml", 'id: w-ev\ntitle: "a\\x01"\ndate: 2025\n' + _BAD_FIELDS)
    _refused(
        run_cli,
        "content/events/w2.yaml:2:8: error: the text holds U+0001, a control character,"
        " which pages and feeds cannot carry [control-character]",
        *_rest(4),
    )


def test_a_yaml_tag_does_not_hide_the_files_other_errors(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w2.yaml", "id: w-ev\ntitle: !foo T\ndate: 2025\n" + _BAD_FIELDS)
    _refused(
        run_cli,
        "content/events/w2.yaml:2:8: error: YAML tag !foo is not allowed [yaml-tag]",
        *_rest(4),
    )


def test_a_tagged_value_is_read_as_if_untagged(good_site: Path, run_cli: Run) -> None:
    # untagged, the plain 2025 is a number where a title is text: both are said
    mutate(good_site, EVENT, "title: Indian delegation meets Muttaqi in Kabul",
           "title: !foo 2025")
    checked = _refused(
        run_cli,
        f"{EVENT}:2:8: error: YAML tag !foo is not allowed [yaml-tag]",
        f"{EVENT}:2:8: error: expected title, found an integer 2025 [unquoted-value]",
    )
    assert checked.code == 1


def test_a_tagged_list_is_refused_as_a_whole(good_site: Path, run_cli: Run) -> None:
    mutate(good_site, EVENT, "title: Indian delegation meets Muttaqi in Kabul",
           "title: !!python/object/apply:os.system [touch pwned]")
    _refused(run_cli, f"{EVENT}:2:8: error: YAML tag !!python/object/apply:os.system"
             " is not allowed [yaml-tag]")
    assert not Path("pwned").exists()


def test_too_deep_a_nesting_does_not_hide_the_files_other_errors(
        shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w2.yaml", "id: w-ev\ntitle: T\ndate: 2025\n" + _BAD_FIELDS
           + "summary: " + "[" * 120 + "]" * 120 + "\n")
    _refused(
        run_cli,
        *_rest(4),
        "content/events/w2.yaml:7:109: error: values are nested more than 100 deep"
        " [yaml-too-deep]",
    )


def test_a_true_syntax_error_may_still_hide_the_rest(shipped_site: Path, run_cli: Run) -> None:
    _write("content/events/w2.yaml", "id: w-ev\ntitle: [T\ndate: 2025\n" + _BAD_FIELDS)
    checked = run_cli("check")
    assert checked.code == 1
    assert len(checked.error_lines) == 1 and "[yaml-syntax]" in checked.error_lines[0]
