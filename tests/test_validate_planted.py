"""Each validator still fails on a small site with planted errors.

A validator that quietly stops finding things is worse than none: these tests
run every check used on the real site over tests/fixtures/validators/site/
(see its README for what is planted where) and assert each error is reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from validators import tools

SITE = tools.PLANTED / "site"


def _has(problems: list[str], *needles: str) -> None:
    for needle in needles:
        assert any(needle in problem for problem in problems), (needle, problems)


def test_nu_html_checker_fails_on_planted_errors() -> None:
    problems = tools.vnu(SITE)
    _has(problems, "index.html:16: error: Duplicate ID", "not allowed as child of element")


def test_hyperlink_fails_on_a_missing_page_and_a_missing_fragment() -> None:
    problems = tools.hyperlink(SITE, "https://example.org/")
    assert len(problems) == 2, problems
    _has(problems, "site/missing", "#nowhere")


def test_jing_fails_on_an_entry_without_id() -> None:
    problems = tools.jing_atom(SITE / "feed.xml")
    _has(problems, 'missing required element "id"')


def test_own_atom_checks_fail_on_a_naive_date_and_a_missing_author() -> None:
    problems = tools.atom_own_checks(SITE / "feed.xml")
    assert len(problems) == 2, problems
    _has(problems, "'2025-05-01T00:00:00' has no timezone", "'No author anywhere' has no author")


def test_xmllint_fails_on_a_bad_sitemap_lastmod() -> None:
    problems = tools.xmllint_sitemap(SITE / "sitemap.xml")
    _has(problems, "'yesterday' is not a valid value")


def test_xmllint_fails_on_a_sitemap_alternate_without_its_address_or_language(
        tmp_path: Path) -> None:
    """The language versions a sitemap lists (<xhtml:link>) are checked strictly too."""
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        '<url><loc>https://example.org/</loc>\n'
        '<xhtml:link rel="alternate" hreflang="fa-AF"/>\n'
        '<xhtml:link rel="alternate" hreflang="not a tag" href="https://example.org/x/"/>\n'
        '<xhtml:link rel="alternate" hreflang="ur" href="https://example.org/ur/"/>\n'
        '</url></urlset>\n', encoding="utf-8")
    problems = tools.xmllint_sitemap(sitemap)
    _has(problems, "sitemap.xml:4", "The attribute 'href' is required but missing",
         "sitemap.xml:5", "'not a tag' is not accepted by the pattern")
    assert not any("sitemap.xml:6" in problem for problem in problems)


def test_json_ld_check_fails_on_each_planted_error() -> None:
    count, problems = tools.jsonld(SITE)
    assert count == 5
    assert len(problems) == 5, problems
    _has(
        problems,
        "index.html:7: invalid JSON",
        "unknown @type 'NewsArticel'",
        "unknown property 'favouriteColour'",
        "property 'startDate' does not apply to Place",
        "unknown schema.org term 'https://schema.org/EventPostponedForever'",
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    yield tools.shared_browser()
    tools.stop_shared_browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_axe_fails_on_an_image_without_alt(page: Any) -> None:
    page.goto((SITE / "index.html").resolve().as_uri())
    _has(tools.axe(page), "image-alt (critical)")


def test_axe_color_contrast_fails_in_dark_mode_only(page: Any) -> None:
    page.goto((SITE / "dark.html").resolve().as_uri())
    page.emulate_media(color_scheme="light")
    assert tools.axe(page) == []
    page.emulate_media(color_scheme="dark")
    page.reload()
    _has(tools.axe(page), "color-contrast (serious)")


def test_320_px_check_fails_on_a_wide_block(page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto((SITE / "wide.html").resolve().as_uri())
    assert page.evaluate(tools.SCROLL_WIDTH) > 320
