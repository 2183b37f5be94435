"""Plain one-paragraph texts skip Python-Markdown: the fast way must give exactly what
the full way gives, for every text it takes, and take the plain sentences that most
summaries, claims and notes are."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kabul_brief.content import markup
from kabul_brief.content.mdprocessors import AutoLinker

ACTORS = AutoLinker({"india": ["India", "Republic of India"], "taliban": ["Taliban"],
                     "muttaqi": ["Amir Khan Muttaqi", "Muttaqi"], "pak": ["پاکستان"]})

# Letters of the site's scripts, digits, every ASCII punctuation mark, the spaces and
# joiners of Dari and Pashto, marks and controls Python-Markdown or the sanitizer
# might treat apart.
ALPHABET = st.sampled_from(
    list("abcXYZéüçñ") + list("سلامدنیاپښتوړ") + list("हिंदी") + list("0123456789")
    + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + [" ", " ", "\n", "\t", "\r", "\u00a0",
    "\u200c", "\u200d", "\u202e", "\u2003", "\u0651", "\x02", "\x03", "\ufeff"]
    + ["India", "Taliban", "Muttaqi", "پاکستان", "Indian", "    ", "\n\n", "1. ", "- "])
WORDS = st.lists(ALPHABET, max_size=40).map("".join)


def full_way(text: str, autolinker: AutoLinker | None) -> markup.Rendered:
    original = markup.plain_paragraph
    markup.plain_paragraph = lambda text, autolinker=None: None  # type: ignore[assignment]
    try:
        return markup.render_markdown(text, autolinker=autolinker)
    finally:
        markup.plain_paragraph = original


@settings(max_examples=3000, deadline=None)
@given(text=WORDS, linked=st.booleans())
@example(text="    Indented code", linked=False)
@example(text="Hard  \nbreak", linked=False)
@example(text="\u2003Wide space", linked=False)
@example(text="A =\n===", linked=False)
@example(text="Setext\n---", linked=False)
@example(text="Muttaqi met them.", linked=True)
@example(text="Muttaqi met them.", linked=False)
def test_the_fast_way_gives_what_the_full_way_gives(text: str, linked: bool) -> None:
    autolinker = ACTORS if linked else None
    if markup.plain_paragraph(text, autolinker) is None:
        return
    assert markup.render_markdown(text, autolinker=autolinker) == full_way(text, autolinker)


@pytest.mark.parametrize("text", [
    "Delegations from both sides met in the capital.",
    "The border crossing was closed for\nthree weeks, officials said.",
    "Officials said the talks would resume; no date was set.",
    "هیئت‌های دو طرف در کابل دیدار کردند.",
    "دواړو خواوو په کابل کې ولیدل.",
    "The statement called it a step forward (see below).",
])
def test_plain_sentences_take_the_fast_way(text: str) -> None:
    assert markup.plain_paragraph(text, ACTORS) is not None
    assert markup.render_markdown(text, autolinker=ACTORS) == full_way(text, ACTORS)


@pytest.mark.parametrize("text", [
    "India and the Taliban met.",  # names an actor: auto-linked
    "Some *emphasis* here.", "A [link](actor:india).", "Two\n\nparagraphs.",
    "1. a list", "- a list", "# heading", "> quote", "Tom & Jerry", "a <b>tag</b>",
    "col | col", "back`tick`", "hard  \nbreak", "x\u00a0y", "    code", " lead", "\u2003x",
    "the ministry's", 'called it "a step"', "then -- later", "and so...",  # smarty's
])
def test_texts_with_anything_to_convert_take_the_full_way(text: str) -> None:
    assert markup.plain_paragraph(text, ACTORS) is None


@pytest.mark.parametrize(("text", "typeset"), [
    ("The ministry's statement", "The ministry\u2019s statement"),
    ('It called it "a step forward".', "It called it \u201ca step forward\u201d."),
    ("Talks -- for now -- stalled...", "Talks \u2013 for now \u2013 stalled\u2026"),
])
def test_quotes_dashes_and_ellipses_are_typeset_as_print_sets_them(text: str,
                                                                    typeset: str) -> None:
    assert markup.render_markdown(text).html == f"<p>{typeset}</p>"
