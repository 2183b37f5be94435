"""Link integrity over whole built sites: every internal href/src names a written file
and every #fragment an element id, at the domain root and under a sub-path."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_site_support import BASIC, SHIPPED, broken_links, build, hrefs, one, page

BASES = ["https://example.org/", "https://example.org/kabul-brief/"]


@pytest.mark.parametrize("base_url", BASES)
@pytest.mark.parametrize("content", [BASIC, SHIPPED], ids=["basic", "shipped"])
def test_every_internal_link_and_fragment_resolves(
    tmp_path: Path, content: Path, base_url: str
) -> None:
    out = tmp_path / "site"
    assert build(content, out, base_url) == 0
    assert broken_links(out, base_url) == []


def test_links_honour_the_path_of_the_base_url(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out, "https://example.org/kabul-brief") == 0
    soup = page(out, "articles/outreach/")
    internal = [h for h in hrefs(soup) if not h.startswith(("#", "https://example.com"))]
    assert internal and all(h.startswith("/kabul-brief/") for h in internal)
    assert one(soup, 'link[rel="stylesheet"]')["href"] == "/kabul-brief/static/style.css"
    assert one(soup, 'link[rel="canonical"]')["href"] == (
        "https://example.org/kabul-brief/articles/outreach/")
    timeline = page(out, "timeline/")
    assert "/kabul-brief/events/talks/" in hrefs(one(timeline, "li#talks"))


def test_base_url_option_overrides_site_yaml(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out, "http://localhost:8000/x/") == 0
    assert one(page(out, ""), 'link[rel="canonical"]')["href"] == "http://localhost:8000/x/"
    out2 = tmp_path / "site2"
    assert build(BASIC, out2) == 0
    assert one(page(out2, ""), 'link[rel="canonical"]')["href"] == "https://example.org/"


def test_the_link_checker_finds_a_broken_link(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out) == 0
    file = out / "index.html"
    file.write_text(file.read_text().replace('href="/actors/"', 'href="/actorz/"', 1))
    file.write_text(file.read_text().replace('href="/timeline/"', 'href="/timeline/#nope"', 1))
    problems = broken_links(out, "https://example.org/")
    assert any("/actorz/" in p for p in problems)
    assert any("#nope" in p for p in problems)
