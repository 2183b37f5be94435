"""Editor Markdown to safe HTML: paragraphs and anchors, link checks, sanitizing, auto-links."""

from __future__ import annotations

import dataclasses
import re
from textwrap import dedent

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from kabul_brief.content.markup import (
    ANCHOR_RE,
    RECORD_KINDS,
    AutoLinker,
    Paragraph,
    RecordLink,
    Rendered,
    TextPosition,
    TooDeep,
    render_markdown,
)

ACTORS = AutoLinker(
    {
        "amir-khan-muttaqi": ["Amir Khan Muttaqi", "Muttaqi"],
        "india": ["India"],
        "pakistan": ["Pakistan"],
        "ashraf-ghani": ["Ashraf Ghani"],
        "bharat": ["भारत"],
        "zabihullah-mujahid": ["ذبیح‌الله مجاهد"],
        "kabul-govt": ["Kābul Government"],
    }
)


def soup(rendered: Rendered) -> BeautifulSoup:
    return BeautifulSoup(rendered.html, "html.parser")


def top_level_paragraphs(rendered: Rendered) -> list[Tag]:
    return [el for el in soup(rendered).children if isinstance(el, Tag) and el.name == "p"]


def autolinks(rendered: Rendered) -> list[tuple[str, str]]:
    return [(str(a["href"]), a.get_text()) for a in soup(rendered).select("a.autolink")]


def at(line: int, column: int) -> TextPosition:
    return TextPosition(line=line, column=column)


# -- paragraphs and anchors -------------------------------------------------------------


def test_paragraphs_are_top_level_p_blocks_only() -> None:
    body = dedent(
        """\
        First paragraph.

        ## A heading

        - a list item

        1. loose item

        2. with its own paragraph

        > A quoted paragraph.

        <div>A raw HTML block.</div>

        Second paragraph.

        ```
        fenced code
        ```

            indented code

        | a | b |
        | - | - |
        | 1 | 2 |

        <img src="map.png" alt="map">

        Third paragraph.
        """
    )
    rendered = render_markdown(body, paragraphs=True)
    assert [p.get("id") for p in top_level_paragraphs(rendered)] == ["p1", "p2", "p3"]
    assert [p.get_text() for p in top_level_paragraphs(rendered)] == [
        "First paragraph.",
        "Second paragraph.",
        "Third paragraph.",
    ]
    assert rendered.paragraphs == (
        Paragraph(number=1, name=None, text="First paragraph."),
        Paragraph(number=2, name=None, text="Second paragraph."),
        Paragraph(number=3, name=None, text="Third paragraph."),
    )
    page = soup(rendered)
    assert page.select("li p, blockquote p") and not page.select("li p[id], blockquote p[id]")
    assert rendered.problems == ()


def test_paragraph_with_inline_html_and_text_is_a_paragraph() -> None:
    rendered = render_markdown("<abbr title='United Nations'>UN</abbr> met.", paragraphs=True)
    assert rendered.paragraphs == (Paragraph(number=1, name=None, text="UN met."),)
    assert soup(rendered).select_one("p#p1 abbr[title='United Nations']") is not None


def test_named_anchor_becomes_first_child_span_and_paragraph_keeps_number() -> None:
    body = "Intro.\n\nThe delegation *met* Muttaqi. {#kabul-meeting}\n\nAfter.{#after}\n"
    rendered = render_markdown(body, paragraphs=True)
    second = soup(rendered).select_one("p#p2")
    assert second is not None
    first_child = next(iter(second.children))
    assert isinstance(first_child, Tag)
    assert first_child.name == "span" and first_child.get("id") == "kabul-meeting"
    assert first_child.get_text() == ""
    assert second.get_text() == "The delegation met Muttaqi."
    assert "{#" not in rendered.html
    assert [(p.number, p.name) for p in rendered.paragraphs] == [
        (1, None),
        (2, "kabul-meeting"),
        (3, "after"),
    ]
    assert rendered.paragraphs[1].text == "The delegation met Muttaqi."
    assert rendered.problems == ()


@pytest.mark.parametrize(
    "body",
    [
        "> quoted {#q}",
        "- item {#i}",
        "## Heading {#h}",
        "Anchor {#mid} in the middle.",
        "*inside emphasis {#e}*",
        "Escaped \\{#esc}",
        "```\ncode {#c}\n```",
    ],
)
def test_anchor_syntax_only_counts_at_the_end_of_a_top_level_paragraph(body: str) -> None:
    rendered = render_markdown(body, paragraphs=True)
    assert all(p.name is None for p in rendered.paragraphs)
    assert soup(rendered).select("span[id]") == []
    assert "{#" in soup(rendered).get_text()
    assert rendered.problems == ()


@pytest.mark.parametrize(
    ("name", "hint_part"),
    [
        ("Bad_Name", "`{#bad-name}`"),
        ("two--hyphens", "`{#two-hyphens}`"),
        ("", None),
        ("a" * 65, None),
        ("kābul", None),
    ],
)
def test_malformed_anchor_is_a_problem_at_its_position(name: str, hint_part: str | None) -> None:
    rendered = render_markdown(f"First.\n\nSecond one {{#{name}}}\n", paragraphs=True)
    (problem,) = rendered.problems
    assert problem.code == "bad-anchor"
    assert problem.at == at(3, 12)
    assert f"{{#{name}}}" in problem.message
    if hint_part is not None:
        assert problem.hint is not None and hint_part in problem.hint
    assert rendered.paragraphs[1].name is None
    assert soup(rendered).select("span[id]") == []
    assert "{#" not in rendered.html


@pytest.mark.parametrize("name", ["p3", "p1", "p12"])
def test_paragraph_number_names_are_reserved(name: str) -> None:
    rendered = render_markdown(f"One.\n\nTwo.\n\nThree. {{#{name}}}", paragraphs=True)
    (problem,) = rendered.problems
    assert problem.code == "bad-anchor"
    assert problem.hint is not None and "reserved" in problem.hint
    assert [p.get("id") for p in top_level_paragraphs(rendered)] == ["p1", "p2", "p3"]
    assert soup(rendered).select("span[id]") == []


def test_names_that_merely_start_with_p_are_fine() -> None:
    rendered = render_markdown("Text. {#p3a}\n\nMore. {#pahalgam}", paragraphs=True)
    assert [p.name for p in rendered.paragraphs] == ["p3a", "pahalgam"]
    assert rendered.problems == ()


def test_duplicate_anchor_is_reported_at_the_second_use() -> None:
    body = "One. {#same}\n\nTwo.\n\nThree. {#same}\n"
    rendered = render_markdown(body, paragraphs=True)
    (problem,) = rendered.problems
    assert problem.code == "duplicate-anchor"
    assert problem.at == at(5, 8)
    assert problem.hint is not None and "line 1" in problem.hint
    assert [p.name for p in rendered.paragraphs] == ["same", None, None]
    assert len(soup(rendered).select("#same")) == 1


def test_text_fields_get_no_ids_and_no_anchor_handling() -> None:
    rendered = render_markdown("A summary. {#name}\n\nSecond.")
    page = soup(rendered)
    assert [p.get("id") for p in page.find_all("p")] == [None, None]
    assert "{#name}" in page.get_text()
    assert rendered.paragraphs == ()
    assert rendered.problems == ()


def test_output_is_html_not_xhtml() -> None:
    rendered = render_markdown("line one  \nline two\n\n---\n\n![map](map.png)")
    assert "<br>" in rendered.html and "<hr>" in rendered.html
    assert "/>" not in rendered.html


# -- record links -------------------------------------------------------------------------


def test_record_links_are_kept_and_collected_with_positions() -> None:
    body = dedent(
        """\
        The foreign minister, [Muttaqi](actor:amir-khan-muttaqi),
        received the delegation in [Kabul](place:kabul).

        After [the attack](event:pahalgam-attack) the talks on
        [the Durand Line](dispute:durand-line) stalled; see
        [our earlier piece](article:kabul-outreach#p3) and [the report][r].

        [r]: source:agency-report-2025-05
        """
    )
    rendered = render_markdown(body, paragraphs=True)
    assert rendered.record_links == (
        RecordLink(kind="actor", id="amir-khan-muttaqi", fragment=None, at=at(1, 33)),
        RecordLink(kind="place", id="kabul", fragment=None, at=at(2, 36)),
        RecordLink(kind="event", id="pahalgam-attack", fragment=None, at=at(4, 20)),
        RecordLink(kind="dispute", id="durand-line", fragment=None, at=at(5, 19)),
        RecordLink(kind="article", id="kabul-outreach", fragment="p3", at=at(6, 21)),
        RecordLink(kind="source", id="agency-report-2025-05", fragment=None, at=at(8, 6)),
    )
    hrefs = [a["href"] for a in soup(rendered).find_all("a")]
    assert hrefs == [
        "actor:amir-khan-muttaqi",
        "place:kabul",
        "event:pahalgam-attack",
        "dispute:durand-line",
        "article:kabul-outreach#p3",
        "source:agency-report-2025-05",
    ]
    assert 'href="actor:amir-khan-muttaqi"' in rendered.html  # the URL stage's regex needs this
    assert rendered.problems == ()


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_every_record_kind_is_a_record_link(kind: str) -> None:
    rendered = render_markdown(f"[x]({kind}:some-id)")
    assert [(link.kind, link.id) for link in rendered.record_links] == [(kind, "some-id")]
    assert [a["href"] for a in soup(rendered).find_all("a")] == [f"{kind}:some-id"]


def test_same_target_twice_gets_each_occurrence() -> None:
    rendered = render_markdown("[a](actor:india) and\n[b](actor:india)")
    assert [link.at for link in rendered.record_links] == [at(1, 5), at(2, 5)]


def test_record_link_scheme_is_case_insensitive_and_written_canonically() -> None:
    rendered = render_markdown("[India](Actor:india)")
    assert rendered.record_links[0].kind == "actor"
    assert [a["href"] for a in soup(rendered).find_all("a")] == ["actor:india"]


@pytest.mark.parametrize(
    ("target", "hint_part"),
    [
        ("actor:India", "`actor:india`"),
        ("actor:amir_khan", "`actor:amir-khan`"),
        ("actor:", "lowercase"),
        ("actor:india#p3", "`actor:india`"),
        ("article:kabul-outreach#Para 3", "paragraph number"),
        ("article:kabul-outreach#", "paragraph number"),
    ],
)
def test_malformed_record_link_is_a_problem_and_loses_its_link(target: str, hint_part: str) -> None:
    rendered = render_markdown(f"Intro.\n\nSee [the page](<{target}>) here.")
    (problem,) = rendered.problems
    assert problem.code == "bad-record-link"
    assert problem.at == at(3, 17)
    assert problem.hint is not None and hint_part in problem.hint
    assert rendered.record_links == ()
    assert soup(rendered).find("a") is None
    assert "See the page here." in soup(rendered).get_text()


# -- link schemes ---------------------------------------------------------------------------


def test_javascript_link_is_a_problem_with_a_hint_and_is_removed() -> None:
    body = "Intro line.\n\nClick [here](javascript:alert(1)) now.\n"
    rendered = render_markdown(body)
    (problem,) = rendered.problems
    assert problem.code == "link-scheme"
    assert "javascript:alert(1)" in problem.message
    assert problem.hint is not None and "actor:" in problem.hint
    assert problem.at == at(3, 14)
    assert soup(rendered).find("a") is None
    assert "Click here now." in soup(rendered).get_text()


def test_record_kind_typo_says_did_you_mean() -> None:
    rendered = render_markdown("Met [India](actr:india) officials.")
    (problem,) = rendered.problems
    assert problem.code == "link-scheme"
    assert "actr:india" in problem.message
    assert problem.hint == "did you mean `actor:`?"
    assert problem.at == at(1, 13)
    assert rendered.record_links == ()
    assert soup(rendered).find("a") is None


@pytest.mark.parametrize(
    "target",
    [
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "JavaScript:alert(1)",
        "java&#9;script:alert(1)",
        "&#106;avascript:alert(1)",
        "<\x01javascript:alert(1)>",
        "file:///etc/passwd",
        "C:\\report.pdf",
        "tel:+93123",
    ],
)
def test_other_schemes_are_problems(target: str) -> None:
    rendered = render_markdown(f"[x]({target})")
    assert [p.code for p in rendered.problems] == ["link-scheme"]
    assert rendered.problems[0].hint is not None
    assert soup(rendered).find("a") is None


@pytest.mark.parametrize(
    "body",
    [
        "[x](https://example.org/a?b=1&c=2)",
        "[x](http://example.org)",
        "[x](mailto:desk@example.org)",
        "<https://example.org/page>",
        "<desk@example.org>",
        "[x](../actors/india/)",
        "[x](notes/page.html#part)",
        "[x](#p3)",
        "[x](HTTPS://EXAMPLE.ORG)",
        "[x](a\\_b)",
    ],
)
def test_allowed_link_targets_are_kept(body: str) -> None:
    rendered = render_markdown(body)
    assert rendered.problems == ()
    link = soup(rendered).find("a")
    assert link is not None and link.get("href") is not None


def test_images_are_checked_too() -> None:
    body = "![map](maps/kabul.png)\n\n![bad](javascript:alert(1))\n\n![rec](actor:india)"
    rendered = render_markdown(body)
    assert [p.code for p in rendered.problems] == ["link-scheme", "bad-record-link"]
    assert [p.at for p in rendered.problems] == [at(3, 8), at(5, 8)]
    assert [img["src"] for img in soup(rendered).find_all("img")] == ["maps/kabul.png"]
    assert "bad" in soup(rendered).get_text() and "rec" in soup(rendered).get_text()
    assert rendered.record_links == ()


def test_bad_link_inside_a_good_link_keeps_the_outer_link() -> None:
    rendered = render_markdown("[![logo](javascript:x)](https://example.org)")
    assert [p.code for p in rendered.problems] == ["link-scheme"]
    link = soup(rendered).find("a")
    assert link is not None and link["href"] == "https://example.org"
    assert link.get_text() == "logo" and soup(rendered).find("img") is None


def test_problems_come_in_source_order() -> None:
    body = "[a](actr:x) text\n\nmore [b](javascript:y)\n\nend {#Bad}"
    rendered = render_markdown(body, paragraphs=True)
    assert [(p.code, p.at.line) for p in rendered.problems] == [
        ("link-scheme", 1),
        ("link-scheme", 3),
        ("bad-anchor", 5),
    ]


# -- raw HTML is sanitized, not an error ------------------------------------------------


HOSTILE = dedent(
    """\
    Intro <script>alert('inline')</script> text.

    <script>alert('block')</script>

    <img src=x onerror=alert(1)>

    <a href="javascript:alert(1)">click</a> and <a href=" JaVa&#x09;script:alert(2)">two</a>

    <iframe src="https://evil.example/"></iframe>

    <style>body { display: none }</style>

    <p onclick="alert(3)" style="color: red">styled</p>

    <svg onload="alert(4)"><circle r="1"/></svg>

    <object data="evil.swf"></object><embed src="evil.swf">

    <form action="https://evil.example/"><input name="x"></form>
    """
)


def test_hostile_raw_html_is_neutralised_without_problems() -> None:
    rendered = render_markdown(HOSTILE, paragraphs=True)
    page = soup(rendered)
    assert rendered.problems == ()
    for tag in ("script", "iframe", "style", "svg", "object", "embed", "form", "input"):
        assert page.find(tag) is None, tag
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.startswith("on"), element
            assert attribute != "style", element
            if attribute in ("href", "src"):
                assert "script" not in re.sub(r"\s", "", str(value)).lower(), element
    assert "alert" not in page.get_text()
    assert "display" not in page.get_text()
    img = page.find("img")
    assert img is not None and dict(img.attrs) == {"src": "x", "alt": ""}  # alt: decoration
    assert [a.attrs for a in page.find_all("a")] == [{}, {}]
    assert "click" in page.get_text() and "styled" in page.get_text()


def test_raw_html_cannot_forge_ids_or_record_links() -> None:
    body = (
        '<p id="p1">raw paragraph</p>\n\n'
        'Real paragraph with <span id="fake">a span</span> and <a href="actor:india">raw</a>.'
    )
    rendered = render_markdown(body, paragraphs=True)
    page = soup(rendered)
    assert [el["id"] for el in page.find_all(id=True)] == ["p1"]
    first = page.find(id="p1")
    assert first is not None and first.get_text().startswith("Real")
    assert rendered.record_links == ()
    assert all("href" not in a.attrs for a in page.find_all("a"))


@pytest.mark.parametrize("tag", ["iframe", "textarea", "style", "script", "title", "plaintext"])
def test_unclosed_raw_text_tag_does_not_swallow_later_paragraphs(tag: str) -> None:
    body = f"India <{tag}> hidden\n\nSecond paragraph.\n\nThird <{tag}> also hidden"
    rendered = render_markdown(body, paragraphs=True)
    assert [p.get_text() for p in top_level_paragraphs(rendered)] == [
        "India ",
        "Second paragraph.",
        "Third ",
    ]
    assert [p.text for p in rendered.paragraphs] == ["India", "Second paragraph.", "Third"]
    assert "hidden" not in rendered.html and "<" + tag not in rendered.html


def test_unclosed_raw_block_tag_makes_the_rest_raw_html() -> None:
    """Python-Markdown's behaviour, pinned: the rest is neither numbered nor link-checked."""
    body = "First.\n\n<div>\n\nSecond [x](javascript:alert(1)).\n\nThird."
    rendered = render_markdown(body, paragraphs=True)
    assert [p.text for p in rendered.paragraphs] == ["First."]
    assert rendered.problems == ()
    assert "Third." in soup(rendered).get_text()
    assert soup(rendered).find("a") is None


def test_table_alignment_survives_but_other_styles_do_not() -> None:
    rendered = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    cells = soup(rendered).find_all(["th", "td"])
    assert [cell.get("style") for cell in cells] == ["text-align:left", "text-align:right"] * 2


# -- automatic links ------------------------------------------------------------------------


def test_first_mention_is_linked_longest_name_first() -> None:
    body = "Muttaqi spoke. Later Amir Khan Muttaqi and India met; Muttaqi and India again."
    rendered = render_markdown(body, paragraphs=True, autolinker=ACTORS)
    assert autolinks(rendered) == [("actor:amir-khan-muttaqi", "Muttaqi"), ("actor:india", "India")]
    assert rendered.autolinked == ("amir-khan-muttaqi", "india")
    assert rendered.mentioned == ("amir-khan-muttaqi", "india")


def test_longest_name_wins_when_names_overlap() -> None:
    rendered = render_markdown("Amir Khan Muttaqi, then Muttaqi.", autolinker=ACTORS)
    assert autolinks(rendered) == [("actor:amir-khan-muttaqi", "Amir Khan Muttaqi")]
    assert soup(rendered).get_text() == "Amir Khan Muttaqi, then Muttaqi."


def test_name_broken_across_lines_still_matches() -> None:
    rendered = render_markdown("Amir Khan\nMuttaqi arrived.", autolinker=ACTORS)
    assert [text.split() for _, text in autolinks(rendered)] == [["Amir", "Khan", "Muttaqi"]]


def test_each_actor_is_linked_once_per_document_across_paragraphs() -> None:
    body = "India first.\n\nIndia second.\n\n- India in a list"
    rendered = render_markdown(body, paragraphs=True, autolinker=ACTORS)
    assert len(autolinks(rendered)) == 1
    assert soup(rendered).select_one("p#p1 a.autolink") is not None


@pytest.mark.parametrize(
    "prefix",
    [
        "## India in a heading\n\n",
        "[India](https://india.gov.in) in a link.\n\n",
        "`India` in code.\n\n",
        "```\nIndia in fenced code\n```\n\n",
        "    India in indented code\n\n",
        "<code>India</code> in raw code.\n\n",
        '<a href="https://x.example">India</a> in a raw link.\n\n',
    ],
)
def test_mentions_in_headings_links_and_code_are_not_linked(prefix: str) -> None:
    rendered = render_markdown(prefix + "Then India.", paragraphs=True, autolinker=ACTORS)
    links = soup(rendered).select("a.autolink")
    assert len(links) == 1
    assert links[0].parent is not None and links[0].parent.name == "p"
    assert links[0].find_parent("a") is None
    assert str(links[0].next_sibling) == "."
    assert rendered.mentioned == ("india",)


def test_mentions_in_headings_and_links_count_but_code_does_not() -> None:
    heading = render_markdown("# India\n\nText.", autolinker=ACTORS)
    assert heading.mentioned == ("india",) and heading.autolinked == ()
    link = render_markdown("[India](https://india.gov.in)", autolinker=ACTORS)
    assert link.mentioned == ("india",) and link.autolinked == ()
    code = render_markdown("`India`\n\n```\nIndia\n```", autolinker=ACTORS)
    assert code.mentioned == () and code.autolinked == ()


def test_no_autolink_after_an_explicit_link_to_the_same_actor() -> None:
    body = "[Pakistan's army](actor:pakistan) said Pakistan would act. India replied."
    rendered = render_markdown(body, autolinker=ACTORS)
    assert autolinks(rendered) == [("actor:india", "India")]
    assert rendered.mentioned == ("india", "pakistan")


def test_explicit_link_in_a_heading_still_counts_as_earlier() -> None:
    body = "## About [Pakistan](actor:pakistan)\n\nPakistan said."
    rendered = render_markdown(body, autolinker=ACTORS)
    assert autolinks(rendered) == []


def test_mention_before_an_explicit_link_is_still_linked() -> None:
    rendered = render_markdown("Pakistan said; [its army](actor:pakistan) too.", autolinker=ACTORS)
    assert autolinks(rendered) == [("actor:pakistan", "Pakistan")]
    assert [a["href"] for a in soup(rendered).find_all("a")] == ["actor:pakistan"] * 2


@pytest.mark.parametrize(
    "text", ["Indiana", "Indian", "IndiaX", "India_", "India2", "india", "INDIA", "MiniIndia"]
)
def test_only_whole_case_sensitive_words_match(text: str) -> None:
    rendered = render_markdown(f"The {text} delegation.", autolinker=ACTORS)
    assert autolinks(rendered) == []
    assert rendered.mentioned == ()


@pytest.mark.parametrize(
    "text", ["India's", "(India)", "India.", "«India»", "India—Pakistan", "*India*", "India\\*"]
)
def test_names_next_to_punctuation_match(text: str) -> None:
    rendered = render_markdown(f"The {text} talks.", autolinker=ACTORS)
    assert ("actor:india", "India") in autolinks(rendered)


def test_unicode_names_and_word_boundaries() -> None:
    body = (
        "भारतीय अधिकारी. भारत ने कहा.\n\n"
        "ذبیح‌الله مجاهدی گفت. ذبیح‌الله مجاهد گفت.\n\n"
        "The Kābul Government spoke."
    )
    rendered = render_markdown(body, paragraphs=True, autolinker=ACTORS)
    assert autolinks(rendered) == [
        ("actor:bharat", "भारत"),
        ("actor:zabihullah-mujahid", "ذبیح‌الله مجاهد"),
        ("actor:kabul-govt", "Kābul Government"),
    ]
    first = soup(rendered).select_one("p#p1 a.autolink")
    assert first is not None and str(first.previous_sibling) == "भारतीय अधिकारी. "


def test_autolinks_inside_emphasis_and_around_entities_keep_the_text() -> None:
    body = "*India* &amp; Pakistan, AT&T and **Amir Khan Muttaqi** &copy;"
    rendered = render_markdown(body, paragraphs=True, autolinker=ACTORS)
    assert soup(rendered).get_text() == "India & Pakistan, AT&T and Amir Khan Muttaqi ©"
    assert len(autolinks(rendered)) == 3
    assert soup(rendered).select_one("em > a.autolink") is not None
    assert rendered.paragraphs[0].text == "India & Pakistan, AT&T and Amir Khan Muttaqi ©"


def test_names_shared_by_two_actors_are_not_linked() -> None:
    linker = AutoLinker({"khan-a": ["Khan"], "khan-b": ["Khan", "Other"], "x": "Solo"})
    rendered = render_markdown("Khan met Solo.", autolinker=linker)
    assert linker.ambiguous == ("Khan",)
    assert autolinks(rendered) == [("actor:x", "Solo")]
    assert rendered.mentioned == ("x",)


def test_without_an_autolinker_nothing_is_linked_or_mentioned() -> None:
    rendered = render_markdown("India and Pakistan.", paragraphs=True)
    assert autolinks(rendered) == [] and rendered.autolinked == () and rendered.mentioned == ()


def test_empty_autolinker_is_harmless() -> None:
    rendered = render_markdown("India.", autolinker=AutoLinker({}))
    assert rendered.autolinked == () and rendered.mentioned == ()


# -- the whole -------------------------------------------------------------------------------


def test_no_state_leaks_from_one_text_to_the_next() -> None:
    first = render_markdown("[r]: https://example.org\n\n[a][r]")
    second = render_markdown("[a][r]")
    assert soup(first).a is not None
    assert soup(second).a is None


def test_rendering_is_deterministic() -> None:
    body = "Muttaqi met [India](actor:india). {#meeting}\n\nPakistan <b>said</b>."
    first = render_markdown(body, paragraphs=True, autolinker=ACTORS)
    second = render_markdown(body, paragraphs=True, autolinker=ACTORS)
    assert first == second


def test_results_are_frozen_tuples() -> None:
    rendered = render_markdown("[a](actor:india)", paragraphs=True)
    assert isinstance(rendered.record_links, tuple) and isinstance(rendered.paragraphs, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rendered.html = ""  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        *[("india", True), ("a-1", True), ("a" * 64, True), ("p3", True)],
        *[("a" * 65, False), ("India", False), ("a--b", False), ("-a", False), ("a-", False)],
        *[("", False), ("india\n", False), ("kābul", False)],
    ],
)
def test_anchor_re(value: str, ok: bool) -> None:
    assert bool(ANCHOR_RE.match(value)) is ok


def test_empty_and_blank_text() -> None:
    for text in ("", "   \n\n  "):
        rendered = render_markdown(text, paragraphs=True, autolinker=ACTORS)
        assert rendered.html.strip() == "" and rendered.paragraphs == () and rendered.problems == ()


def test_deeply_nested_quotes_are_refused_before_parsing() -> None:
    """The linker reports TooDeep as a positioned error (test_attack_round2_text)."""
    with pytest.raises(TooDeep):
        render_markdown(">" * 200 + " India [x](javascript:y)", autolinker=ACTORS)
    rendered = render_markdown(">" * 40 + " India [x](javascript:y)", autolinker=ACTORS)
    assert [p.code for p in rendered.problems] == ["link-scheme"]


FRAGMENTS = [
    "India",
    "Amir Khan Muttaqi",
    "Muttaqi",
    "[x](actor:india)",
    "[y](javascript:alert(1))",
    "[z](actr:x)",
    "![i](data:x)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">a</a>',
    '<a href="actor:india">',
    "</a>",
    '<p id="p1">',
    "<code>",
    "<iframe>",
    "{#name}",
    "{#p2}",
    "\\{#x}",
    "`",
    "*",
    "_",
    "\n\n",
    "\n",
    " ",
    "- ",
    "> ",
    "# ",
    "    ",
    "```",
    "&amp;",
    "&#106;",
    "<",
    ">",
    "\\",
    "[",
    "](",
    ")",
    "[r]: actor:pakistan\n",
    "[r]",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=25).map("".join))
def test_any_text_renders_safely(text: str) -> None:
    rendered = render_markdown(text, paragraphs=True, autolinker=ACTORS)
    page = soup(rendered)
    assert page.find(["script", "iframe", "style"]) is None
    ids: list[str] = []
    record_hrefs: list[str] = []
    for element in page.find_all(True):
        assert not any(name.startswith("on") for name in element.attrs)
        for name in ("href", "src"):
            value = re.sub(r"[\x00-\x20]", "", str(element.get(name, ""))).lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:"))
            if re.match(rf"({'|'.join(RECORD_KINDS)}):", value) and name == "href":
                record_hrefs.append(str(element[name]))
        if element.get("id") is not None:
            ids.append(str(element["id"]))
    assert len(ids) == len(set(ids))
    named = {p.name for p in rendered.paragraphs if p.name}
    assert set(ids) == {f"p{p.number}" for p in rendered.paragraphs} | named
    expected = {f"{link.kind}:{link.id}" for link in rendered.record_links}
    expected |= {f"actor:{actor}" for actor in rendered.autolinked}
    assert set(record_hrefs) <= expected
    assert len(rendered.autolinked) == len(set(rendered.autolinked))
    assert not re.search(r"kb[0-9a-f]{16}-", rendered.html)


@pytest.mark.parametrize(
    ("text", "paragraphs", "levels"),
    [
        ("# Top\n\nText.\n\n## Under\n\n#### Deep", True, ["h2", "h3", "h5"]),
        ("## Talks\n\nText.\n\n### Detail", True, ["h2", "h3"]),
        ("# In a summary\n\nText.", False, ["h3"]),
        ("###### Smallest\n\n# Top", True, ["h6", "h2"]),
    ],
)
def test_headings_never_compete_with_the_page_title(
    text: str, paragraphs: bool, levels: list[str]
) -> None:
    headings = soup(render_markdown(text, paragraphs=paragraphs)).find_all(
        re.compile(r"^h[1-6]$"))
    assert [h.name for h in headings] == levels


def test_a_standing_page_body_starts_its_headings_at_h2() -> None:
    rendered = render_markdown("# How we date facts\n\nText.", top_heading=2)
    assert [h.name for h in soup(rendered).find_all(re.compile(r"^h[1-6]$"))] == ["h2"]


@pytest.mark.parametrize(("text", "html"), [
    ('Dek <img src="x" onerror="alert(1)">', '<p>Dek <img alt="" src="x"></p>'),
    ('<img src="x" title="a > b" alt="A map">',
     '<p><img src="x" title="a &gt; b" alt="A map"></p>'),
    ("![A map](pic.png)", '<p><img alt="A map" src="pic.png"></p>'),
    ("`<img src=x>`", "<p><code>&lt;img src=x&gt;</code></p>"),
])
def test_every_image_has_alt_text_and_one_given_none_is_decoration(text: str,
                                                                     html: str) -> None:
    """A raw <img> with no alt failed axe's image-alt rule on every page showing it."""
    assert render_markdown(text).html == html
