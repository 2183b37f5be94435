"""The Atom feed, the sitemap, robots.txt and data/*.json."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from test_site_support import BASIC, build

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("feeds") / "site"
    assert build(BASIC, target, "https://example.org/brief/") == 0
    return target


def test_feed_is_atom_with_updated_from_the_newest_article(out: Path) -> None:
    feed = ElementTree.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}updated") == "2025-05-04T00:00:00Z"
    assert feed.findtext(f"{ATOM}id") == "https://example.org/brief/"
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "https://example.org/brief/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "https://example.org/brief/articles/outreach/",
        "https://example.org/brief/articles/older/",
    ]
    first = entries[0]
    # dated 2025-05, outside git: no day to publish it on, so no <published> at all
    assert first.find(f"{ATOM}published") is None
    assert first.findtext(f"{ATOM}updated") == "2025-05-04T00:00:00Z"
    assert [a.text for a in first.findall(f"{ATOM}author/{ATOM}name")] == [
        "Desk One", "Desk Two"]
    assert entries[1].find(f"{ATOM}published") is None  # dated 2024
    assert entries[1].findtext(f"{ATOM}updated") == "2024-01-01T00:00:00Z"
    content = first.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    body = BeautifulSoup(content.text or "", "html.parser")
    links = [str(a["href"]) for a in body.find_all("a")]
    assert "https://example.org/brief/places/kabul/" in links
    assert body.select_one("p#p4") is not None


def test_sitemap_lists_every_page_with_absolute_urls(out: Path) -> None:
    root = ElementTree.parse(out / "sitemap.xml").getroot()
    locs = [u.findtext(f"{SITEMAP}loc") or "" for u in root.findall(f"{SITEMAP}url")]
    assert all(loc.startswith("https://example.org/brief/") for loc in locs)
    pages = sorted(p.parent for p in out.rglob("index.html"))
    assert len(locs) == len(pages)
    assert "https://example.org/brief/articles/outreach/" in locs
    assert not any("404" in loc for loc in locs)


def test_robots_points_at_the_sitemap(out: Path) -> None:
    lines = (out / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: https://example.org/brief/sitemap.xml" in lines


def test_data_files_hold_the_model_one_file_per_kind(out: Path) -> None:
    names = sorted(p.name for p in (out / "data").iterdir() if p.suffix in {".json", ".geojson"})
    assert names == ["actors.json", "articles.json", "datapackage.json", "disputes.json",
                     "events.json", "pages.json", "places.geojson", "places.json",
                     "relationships.json", "site.json", "sources.json",
                     "timeline.json"]  # + the reader exports; the CSVs: test_site_data_exports
    events = json.loads((out / "data" / "events.json").read_text())
    assert events["record_kind"] == "event" and events["count"] == 4
    talks = next(e for e in events["items"] if e["id"] == "talks")
    assert (talks["date"], talks["end"]) == ("2025-04-27", "2025-04-28")
    assert talks["permalink"] == "https://example.org/brief/events/talks/"
    assert talks["sources"][0] == {
        "type": "article", "article": "outreach", "anchor": "talks", "paragraph": 4}
    assert talks["claims"][0]["text"]["markdown"].startswith("Afghan soil")
    assert "origin" not in talks
    actors = json.loads((out / "data" / "actors.json").read_text())
    india = next(a for a in actors["items"] if a["id"] == "india")
    assert 'href="https://example.org/brief/places/kabul/"' in india["summary"]["html"]
    site = json.loads((out / "data" / "site.json").read_text())
    assert site["settings"]["base_url"] == "https://example.org/brief/"
    assert site["timeline"] == ["airlift", "takeover", "statement-2024", "talks"]
