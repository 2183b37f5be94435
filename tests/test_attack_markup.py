"""Editor Markdown that tries to get more out than it put in, or to stall the build:
record-link syntax shown as code, pathological runs of characters, links to paragraphs
that do not exist, descriptions that gain spaces, names two actors share."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup, Tag

from kabul_brief.content.markup import AutoLinker, render_markdown
from tests.conftest import CliResult, mutate

ARTICLE = "content/articles/analysis/kabul-outreach.md"
PEOPLE = "content/actors/people.yaml"
ATOM = "{http://www.w3.org/2005/Atom}"


def built_page(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def no_traceback(*results: CliResult) -> bool:
    return not any("Traceback" in r.out + r.err for r in results)


def append(site: Path, relative: str, text: str) -> None:
    path = site / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# -- 1. record-link syntax inside code is text ------------------------------------------

CODE_PARAGRAPH = (
    "\nWrite `<a href=\"actor:india\">` or `[x](article:kabul-outreach#p1)`, or simply"
    " [India](actor:india).\n\n"
    "    <a href=\"actor:m-anand-prakash\">block</a>\n"
)


def _code_texts(html: BeautifulSoup | Tag) -> list[str]:
    return [code.get_text() for code in html.find_all("code")]


def test_record_link_syntax_in_code_is_published_as_literal_text(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    append(good_site, ARTICLE, CODE_PARAGRAPH)
    check = run_cli("check")
    build = run_cli("build", "--out", str(tmp_path / "out"))
    assert no_traceback(check, build)
    assert (check.code, build.code) == (0, 0), check.err + build.err

    body = built_page(tmp_path / "out", "articles/kabul-outreach")
    codes = {c.get_text(): c for c in body.find_all("code")}
    assert '<a href="actor:india">' in codes, sorted(codes)
    code = codes['<a href="actor:india">']
    assert code.find("a") is None
    paragraph = code.find_parent("p")
    assert paragraph is not None
    assert [str(a["href"]) for a in paragraph.find_all("a")] == ["/brief/actors/india/"]
    assert "[x](article:kabul-outreach#p1)" in _code_texts(paragraph)
    block = body.find("pre")
    assert block is not None and block.find("a") is None
    assert block.get_text() == '<a href="actor:m-anand-prakash">block</a>\n'

    feed = ElementTree.parse(tmp_path / "out" / "feed.xml").getroot()
    content = feed.findtext(f"{ATOM}entry/{ATOM}content") or ""
    in_feed = BeautifulSoup(content, "html.parser")
    assert '<a href="actor:india">' in _code_texts(in_feed)
    assert '<a href="actor:m-anand-prakash">block</a>\n' in _code_texts(in_feed)
    assert "https://example.org/brief/actors/india/" in [
        str(a["href"]) for a in in_feed.find_all("a")
    ]
    assert not [a for a in in_feed.find_all("a") if str(a["href"]).endswith("/m-anand-prakash/")]


def test_a_malformed_record_id_in_code_neither_fails_check_nor_build(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mutate(good_site, PEOPLE, "Foreign minister of the",
           'Foreign minister (`href="actor:-"`) of the')
    check = run_cli("check")
    build = run_cli("build", "--out", str(tmp_path / "out"))
    assert no_traceback(check, build)
    assert (check.code, build.code) == (0, 0)
    actor = built_page(tmp_path / "out", "actors/amir-khan-muttaqi")
    assert 'href="actor:-"' in _code_texts(actor)


# -- 2. no input makes rendering super-linear --------------------------------------------

MUTTAQI = AutoLinker({"amir-khan-muttaqi": ["Amir Khan Muttaqi", "Muttaqi"], "india": ["India"]})

SHAPES: dict[str, Callable[[int], str]] = {
    "white-space-run": lambda n: "a" + " " * n + "b",
    "white-space-before-an-anchor": lambda n: "a {#x}" + " \t" * (n // 2) + "b",
    "white-space-then-an-anchor": lambda n: "a" + " " * n + "{#name}",
    "unclosed-brackets": lambda n: "[" * n,
    "unclosed-image-brackets": lambda n: "![" * (n // 2),
    "anchor-openers": lambda n: "{#" * (n // 2),
    "asterisks": lambda n: "*" * n,
    "a-long-word-after-a-name": lambda n: "Amir" + "x" * n,
    "names-apart-by-white-space": lambda n: ("Amir Khan " + " " * 40) * (n // 50),
    "many-links": lambda n: "".join(f"[a](b{i}) " for i in range(n // 10)),
    "many-anchors": lambda n: "".join(f"para {{#a{i}}}\n\n" for i in range(n // 12)),
}


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(5):  # the minimum of a few runs: a busy machine only adds time
        start = time.perf_counter()
        render_markdown(text, paragraphs=True, autolinker=MUTTAQI)
        best = min(best, time.perf_counter() - start)
    return best


def assert_grows_about_linearly(make: Callable[[int], str]) -> None:
    """Four times the input may take about four times as long, not sixteen. The small
    input is made large enough to take a tenth of a second, so that a busy machine's
    noise is small beside it; linear shapes measure 4-5 here, quadratic ones 16."""
    size = 8_000
    small = _seconds(make(size))
    while small < 0.1 and size < 1_000_000:  # too quick to time well: a larger input
        size *= 2
        small = _seconds(make(size))
    large = _seconds(make(4 * size))
    assert large / small < 10, f"{size} characters: {small:.3f} s, four times: {large:.3f} s"


@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_rendering_time_grows_about_linearly(shape: str) -> None:
    assert_grows_about_linearly(SHAPES[shape])


def test_an_overlong_character_reference_is_text_not_a_crash() -> None:
    digits = "1" * 5000
    for text in (f"&#{digits};", f"[a](&#{digits};)", f"`&#{digits};`", f"x {{#&#{digits};}}"):
        rendered = render_markdown(text, paragraphs=True)
        assert rendered.paragraphs


def test_an_overlong_character_reference_in_a_summary_is_checked_and_built(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    reference = "&#" + "9" * 5000 + ";"
    mutate(good_site, PEOPLE, "Foreign minister of the", f"Foreign {reference} of the")
    append(good_site, ARTICLE, f"\nA paragraph with {reference} in it, [linked](x{reference}).\n")
    check = run_cli("check")
    build = run_cli("build", "--out", str(tmp_path / "out"))
    assert no_traceback(check, build)
    assert (check.code, build.code) == (0, 0)


def test_a_long_url_with_a_space_is_refused_in_linear_time(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    template = (good_site / PEOPLE).read_text(encoding="utf-8")

    def seconds(n: int) -> float:
        url = "https://" + "a" * n + " x"
        (good_site / PEOPLE).write_text(
            template.replace("https://example.org/muttaqi", url), encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            result = run_cli("check")
            best = min(best, time.perf_counter() - start)
            assert result.code == 1 and "is not an http or https URL" in result.err
        return best

    small, large = seconds(10_000), seconds(40_000)
    assert large / small < 8, f"{small:.3f} s -> {large:.3f} s"


# -- 3. a link to a paragraph must name one that exists ----------------------------------


def test_a_link_to_a_missing_paragraph_is_a_positioned_error(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    append(good_site, "content/pages/about.md",
           "\nSee [the fourth](article:kabul-outreach#p4) but not"
           " [the ninth](article:kabul-outreach#p9).\n")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/pages/about.md:7:65: error: article 'kabul-outreach' has no paragraph 'p9'"
        " [unknown-anchor]"
    ]
    assert "Use p1 to p4 or one of its named anchors: assurance." in result.err


def test_links_to_existing_paragraphs_point_at_their_ids(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    append(good_site, "content/pages/about.md",
           "\nSee [the fourth](article:kabul-outreach#p4) and"
           " [the assurance](article:kabul-outreach#assurance).\n")
    assert run_cli("build", "--out", str(tmp_path / "out")).code == 0
    about = built_page(tmp_path / "out", "about")
    targets = [str(a["href"]) for a in about.find_all("a") if "kabul-outreach" in str(a["href"])]
    assert targets == [
        "/brief/articles/kabul-outreach/#p4", "/brief/articles/kabul-outreach/#assurance"
    ]
    article = built_page(tmp_path / "out", "articles/kabul-outreach")
    assert article.find(id="p4") is not None
    assurance = article.find(id="assurance")
    assert assurance is not None and assurance.find_parent("p") == article.find(id="p4")


# -- 4. descriptions read as the text does -----------------------------------------------


def _descriptions(page: BeautifulSoup, schema_type: str) -> tuple[str, str, str]:
    meta = page.find("meta", attrs={"name": "description"})
    og = page.find("meta", attrs={"property": "og:description"})
    assert isinstance(meta, Tag) and isinstance(og, Tag)
    blocks = [json.loads(s.string or "") for s in page.find_all(
        "script", attrs={"type": "application/ld+json"})]
    ld = next(b for b in blocks if b.get("@type") == schema_type)
    return str(meta["content"]), str(og["content"]), ld["description"]


def test_a_summary_ending_in_a_link_has_no_space_before_the_full_stop(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    mutate(good_site, ARTICLE, "summary: How India re-engaged the Taliban government.",
           "summary: How India re-engaged *the* Taliban's [Muttaqi](actor:amir-khan-muttaqi).")
    mutate(good_site, PEOPLE, "Foreign minister of the [Taliban](actor:taliban) government.",
           "Foreign minister of the [Taliban](actor:taliban).\n\n"
           "    - Met [India](actor:india)'s envoy\n    - twice")
    assert run_cli("build", "--out", str(tmp_path / "out")).code == 0
    article = built_page(tmp_path / "out", "articles/kabul-outreach")
    expected = "How India re-engaged the Taliban\u2019s Muttaqi."  # smarty's apostrophe
    assert _descriptions(article, "AnalysisNewsArticle") == (expected,) * 3
    actor = built_page(tmp_path / "out", "actors/amir-khan-muttaqi")
    expected = "Foreign minister of the Taliban. Met India\u2019s envoy twice"
    assert _descriptions(actor, "Person") == (expected,) * 3


# -- 5. a name two actors share is said, not silently left unlinked ----------------------


def test_a_name_two_actors_share_is_a_warning_for_each(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    (good_site / "content/actors/other.yaml").write_text(
        "id: other-muttaqi\nname: Another  Muttaqi\nkind: person\naliases: [Muttaqi]\n"
        "country: afghanistan\nsummary: Not the minister.\n", encoding="utf-8")
    result = run_cli("check")
    assert result.code == 0
    assert [line for line in result.err.splitlines() if "[shared-name]" in line] == [
        "content/actors/other.yaml:1:1: warning: actor 'other-muttaqi' shares the name"
        " 'Muttaqi' with 'amir-khan-muttaqi', so it is never linked automatically"
        " [shared-name]",
        "content/actors/people.yaml:1:1: warning: actor 'amir-khan-muttaqi' shares the name"
        " 'Muttaqi' with 'other-muttaqi', so it is never linked automatically"
        " [shared-name]",
    ]
    assert run_cli("check", "--strict").code == 1
    assert run_cli("build", "--out", str(tmp_path / "out")).code == 0
    article = built_page(tmp_path / "out", "articles/kabul-outreach")
    assert "Muttaqi" not in [a.get_text() for a in article.select("a.autolink")]
