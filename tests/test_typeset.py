"""Titles and names are set as print sets them, as the Markdown fields are, and
stay plain text: nothing in them becomes markup, and the data keeps them as written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kabul_brief.content.markup import typeset

_BACK = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _as_typed(text: str) -> str:
    return (text.translate(_BACK).replace("\u2014", "---").replace("\u2013", "--")
            .replace("\u2026", "..."))


def test_apostrophes_quotes_dashes_and_ellipses_are_typographic() -> None:
    assert typeset("India's Kabul outreach") == "India\u2019s Kabul outreach"
    assert typeset('Called it "a step" -- then...') == (
        "Called it \u201ca step\u201d \u2013 then\u2026")


def test_markdown_and_html_in_a_title_stay_text() -> None:
    for title in ["# Pakistan's claim", "1. India's list", "*Kabul's* view", "`x's`",
                  "<script>alert('x')</script>", "a &amp; b's", "[x's](http://e)",
                  "    indented 'code'", "> quoted 'text'", "---", "x\\'s"]:
        out = typeset(title)
        assert _as_typed(out) == title, (title, out)
        assert "<" not in out.replace("<script>", "").replace("</script>", "")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab '\"-.<>&*#`[]()\\\n\t1"), max_size=40))
def test_only_typography_changes(text: str) -> None:
    assert _as_typed(typeset(text)) == _as_typed(text)

