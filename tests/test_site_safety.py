"""Hostile content (script tags, event handlers, javascript: links, a title holding
</script>) yields nothing executable on any page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from test_site_support import HOSTILE, broken_links, build, jsonld, one, page

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "srcdoc", "xlink:href",
                  "poster", "background", "content")
DANGEROUS_TAGS = ("iframe", "object", "embed", "form", "base", "style", "svg", "math",
                  "frame", "applet", "meta[http-equiv]")
_SCHEME = re.compile(r"^[\x00-\x20]*(javascript|vbscript|data):", re.IGNORECASE)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("hostile") / "site"
    assert build(HOSTILE, target) == 0
    return target


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.relative_to(out).parts)


def _without_own_elements(soup: BeautifulSoup, file: Path) -> BeautifulSoup:
    """Drop what the templates themselves put there (the header's search form, the
    pictures' SVG, the search page's own scripts), so what remains came from content."""
    for form in soup.select("header.site-header > div > form.site-search[role=search]"):
        form.decompose()
    for form in soup.select("main form#timeline_filter.timeline-filter[hidden]"):
        form.decompose()  # the timeline's filter, which timeline.js shows
    for svg in soup.select("figure.chart svg.chart-svg"):  # the network's pictures too
        svg.decompose()
    for svg in soup.select("figure.chart ul.network-key svg"):  # the marks of their key
        svg.decompose()
    own = {"search": ("/pagefind/pagefind-ui.js", "/static/search.js"),
           "timeline": ("/static/timeline.js",), "newest": ("/static/timeline.js",)}
    if file.parent.name in own:
        for script in soup.select("head > script[src][defer]"):
            if script["src"].endswith(own[file.parent.name]):
                script.decompose()
    return soup


def test_no_script_but_json_ld_and_json_ld_parses_strictly(out: Path) -> None:
    assert len(pages(out)) > 10
    for file in pages(out):
        soup = _without_own_elements(BeautifulSoup(file.read_text(), "html.parser"), file)
        for script in soup.find_all("script"):
            assert script.get("type") == "application/ld+json", file
            json.loads(script.string or "", strict=True)
            assert "</" not in (script.string or ""), file


def test_no_event_handler_attributes_and_no_dangerous_elements(out: Path) -> None:
    for file in pages(out):
        soup = _without_own_elements(BeautifulSoup(file.read_text(), "html.parser"), file)
        for element in soup.find_all(True):
            handlers = [name for name in element.attrs if name.lower().startswith("on")]
            assert not handlers, (file, element)
        for selector in DANGEROUS_TAGS:
            assert not soup.select(selector), (file, selector)


def test_no_javascript_or_data_urls(out: Path) -> None:
    for file in pages(out):
        soup = BeautifulSoup(file.read_text(), "html.parser")
        for element in soup.find_all(True):
            for name in URL_ATTRIBUTES:
                value = element.get(name)
                if isinstance(value, str):
                    assert not _SCHEME.match(value), (file, element)


def test_hostile_text_is_shown_as_text(out: Path) -> None:
    soup = page(out, "articles/evil-article/")
    title = "Title </script><script>alert('title')</script>"
    shown = "Title </script><script>alert(\u2018title\u2019)</script>"  # quotes as print sets them
    assert one(soup, "h1").get_text() == shown
    assert jsonld(soup)[0]["headline"] == title  # the data as written
    assert one(soup, 'meta[property="og:title"]')["content"] == shown
    actor = page(out, "actors/evil/")
    assert one(actor, "h1").get_text() == "Evil </script><script>alert(\u2018name\u2019)</script>"
    assert [p["id"] for p in soup.select(".article-body p[id]")] == ["p1", "p2"]
    assert one(soup, "p#p1 > span#first")


def test_hostile_site_links_are_intact_but_for_the_editors_relative_image(out: Path) -> None:
    problems = broken_links(out, "https://example.org/")
    assert problems and all(p.endswith("/x (no such file)") for p in problems), problems


def test_feed_and_sitemap_stay_well_formed_xml(out: Path) -> None:
    feed = ElementTree.parse(out / "feed.xml").getroot()
    assert not [el for el in feed.iter() if el.tag.endswith("script")]
    title = feed.findtext("{http://www.w3.org/2005/Atom}title")
    assert title == "Brief </script><script>alert('site')</script>"
    ElementTree.parse(out / "sitemap.xml")
    content = feed.findtext(".//{http://www.w3.org/2005/Atom}content") or ""
    body = BeautifulSoup(content, "html.parser")
    assert not body.find_all("script")
    assert not [e for e in body.find_all(True) if any(a.startswith("on") for a in e.attrs)]
