"""Unclosed link targets and raw-tag openers must not make rendering quadratic, and the
linear link scan must answer exactly as Python-Markdown's own does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.htmlparser import HTMLExtractor
from markdown.inlinepatterns import LinkInlineProcessor, ReferenceInlineProcessor
from markdown.preprocessors import HtmlBlockPreprocessor

from kabul_brief.content import markup
from tests.test_attack_markup import assert_grows_about_linearly

SHAPES: dict[str, Callable[[int], str]] = {
    "unclosed-link-targets": lambda n: "[a](" * (n // 4),
    "unclosed-link-targets-with-text": lambda n: "[a](b " * (n // 6),
    "unclosed-raw-tags": lambda n: "<a " * (n // 3),
}


@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_rendering_time_grows_about_linearly(shape: str) -> None:
    assert_grows_about_linearly(SHAPES[shape])


LINKISH = st.text(alphabet="[]()<>'\" \n\\ab&;#", max_size=60)


def _link_patterns() -> list[LinkInlineProcessor]:
    patterns = [p for p in markup._engine().md.inlinePatterns
                if isinstance(p, LinkInlineProcessor)
                and not isinstance(p, ReferenceInlineProcessor)]
    assert patterns
    return patterns


@settings(max_examples=400, deadline=None)
@given(LINKISH)
def test_the_linear_link_scan_answers_as_python_markdown_does(data: str) -> None:
    for pattern in _link_patterns():
        indices = range(len(data) + 1)
        for index in (*indices, *reversed(indices)):  # what it remembers, either way round
            assert pattern.getLink(data, index) == LinkInlineProcessor.getLink(
                pattern, data, index), (data, index)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(
    ["[a](", "[a](b ", "(", ")", "'", '"', "[x]", "](", "<b>", " ", "\n", "t", "\\)"]),
    max_size=30).map("".join))
def test_link_shapes_render_as_with_python_markdown_s_scan(text: str) -> None:
    fast = markup.render_markdown(text, paragraphs=True).html
    patterns = _link_patterns()
    saved = [p.getLink for p in patterns]
    try:
        for pattern in patterns:
            pattern.getLink = pattern.__class__.getLink.__get__(pattern)  # type: ignore[method-assign]
        slow = markup.render_markdown(text, paragraphs=True).html
    finally:
        for pattern, method in zip(patterns, saved, strict=True):
            pattern.getLink = method  # type: ignore[method-assign]
    assert fast == slow


TAGGISH = st.lists(st.sampled_from(
    ["<a ", "<b", "<", ">", "/", "'", '"', "`", "=", " ", "\n", "\t", "\x00", "x", ",", "\v"]),
    max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(TAGGISH)
def test_the_linear_start_tag_check_answers_as_python_markdown_does(data: str) -> None:
    parser = markup._Extractor(markup._engine().md)
    parser.rawdata = data
    for index in range(len(data) - 1):
        if data[index] == "<" and data[index + 1].isascii() and data[index + 1].isalpha():
            assert parser.check_for_whole_start_tag(index) == (
                HTMLExtractor.check_for_whole_start_tag(parser, index)), (data, index)


@settings(max_examples=200, deadline=None)
@given(TAGGISH)
def test_tag_shapes_render_as_with_python_markdown_s_extractor(text: str) -> None:
    md = markup._engine().md
    fast = markup.render_markdown(text, paragraphs=True).html
    ours = md.preprocessors["html_block"]
    md.preprocessors.register(HtmlBlockPreprocessor(md), "html_block", 20)
    try:
        slow = markup.render_markdown(text, paragraphs=True).html
    finally:
        md.preprocessors.register(ours, "html_block", 20)
    assert fast == slow
