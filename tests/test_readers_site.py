"""Reader features on a built site: search (Pagefind), pictures (inline SVG), exports
(TimelineJS, GeoJSON; the calendars are tested in ``test_site_feeds_calendars.py``).
Built once under a sub-path base URL."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from test_site_support import BASIC, build, one, page

from kabul_brief.publish import network

BASE = "https://example.org/brief/"
ROOT = "/brief/"
INDEXED = {"actors": "Actor", "events": "Event", "disputes": "Dispute", "articles": "Article",
           "places": "Place", "relationships": "Relationship", "sources": "Source"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("readers") / "site"
    assert build(BASIC, target, BASE) == 0
    return target


def html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.relative_to(out).parts[0] != "pagefind")


def records(kind: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for file in sorted((BASIC / kind).glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        items.extend(data if isinstance(data, list) else [data])
    return items


def soup_of(file: Path) -> BeautifulSoup:
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


# -- search --------------------------------------------------------------------------


def test_every_page_has_the_header_search_form(out: Path) -> None:
    for file in html_pages(out):
        soup = soup_of(file)
        form = one(soup, "header.site-header form[role=search]")
        assert form["action"] == f"{ROOT}search/" and form["method"] == "get", file
        field = one(form, "input#site-search")
        assert field["type"] == "search" and field["name"] == "q"
        label = one(form, "label[for=site-search]")
        assert label.get_text(strip=True), file
        assert "visually-hidden" not in (label.get("class") or [])


def test_search_page_loads_pagefind_ui_from_the_sub_path(out: Path) -> None:
    soup = page(out, "search/")
    assert one(soup, 'link[rel=stylesheet][href$="pagefind-ui.css"]')["href"] == (
        f"{ROOT}pagefind/pagefind-ui.css"
    )
    sources = [s["src"] for s in soup.select("script[src]")]
    assert sources == [f"{ROOT}pagefind/pagefind-ui.js", f"{ROOT}static/search.js"]
    box = one(soup, "div#search")
    assert box["data-bundle"] == f"{ROOT}pagefind/" and box["data-base"] == ROOT
    fallback = one(soup, "#search-fallback")
    assert "JavaScript" in fallback.get_text()
    assert {a["href"] for a in fallback.select("a")} == {
        f"{ROOT}actors/",
        f"{ROOT}timeline/",
        f"{ROOT}disputes/",
        f"{ROOT}relationships/",
        f"{ROOT}places/",
        f"{ROOT}sources/",
        f"{ROOT}articles/",
    }
    script = (out / "static" / "search.js").read_text()
    assert "triggerSearch" in script and '.get("q")' in script


def test_search_and_network_are_in_nav_and_sitemap(out: Path) -> None:
    soup = page(out, "")
    nav = [a["href"] for a in soup.select("nav.site-nav a")]
    assert f"{ROOT}search/" in nav and f"{ROOT}network/" in nav
    footer = {a["href"] for a in soup.select("footer.site-footer a")}
    assert {
        f"{ROOT}network/",
        f"{ROOT}timeline.ics",
        f"{ROOT}data/timeline.json",
        f"{ROOT}data/places.geojson",
    } <= footer
    sitemap = ElementTree.parse(out / "sitemap.xml").getroot()
    locs = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {f"{BASE}search/", f"{BASE}network/"} <= locs


def test_only_record_pages_are_indexed_with_their_kind_filter(out: Path) -> None:
    indexed = 0
    for file in html_pages(out):
        parts = file.relative_to(out).parts
        soup = soup_of(file)
        bodies = soup.select("[data-pagefind-body]")
        is_record = len(parts) == 3 and parts[0] in INDEXED
        assert bool(bodies) is is_record, file
        if is_record:
            indexed += 1
            # the record's own heading and text, never its sidebar or navigation
            assert bodies[0]["data-pagefind-filter"] == f"kind:{INDEXED[parts[0]]}"
            assert soup.h1 is not None and soup.h1.find_parent(attrs={"data-pagefind-body": True})
            for body in bodies:
                assert body.find_parent(["aside", "nav", "footer"]) is None, file
                for hidden in body.select("aside, nav, .visually-hidden"):
                    assert _left_out(hidden), file
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    (language,) = entry["languages"].values()
    assert language["page_count"] == indexed
    assert (out / "pagefind" / f"pagefind.{language['hash']}.pf_meta").is_file()
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css"):
        assert (out / "pagefind" / name).is_file()
    assert len(list((out / "pagefind" / "filter").glob("*.pf_filter"))) == 1


def test_the_search_index_is_deterministic(tmp_path: Path) -> None:
    trees = []
    for name in ("one", "two", "three"):
        assert build(BASIC, tmp_path / name) == 0
        bundle = tmp_path / name / "pagefind"
        trees.append(
            {
                p.relative_to(bundle).as_posix(): p.read_bytes()
                for p in bundle.rglob("*")
                if p.is_file()
            }
        )
    assert trees[0] == trees[1] == trees[2]


# -- pictures --------------------------------------------------------------------------


def _name_of(soup: BeautifulSoup, svg: Tag) -> str:
    ids = str(svg.get("aria-labelledby", "")).split()
    return " ".join(one(soup, f"[id='{i}']").get_text(" ", strip=True) for i in ids)


def test_every_picture_has_a_name_and_a_text_equivalent(out: Path) -> None:
    seen = 0
    for file in html_pages(out):
        soup = soup_of(file)
        for svg in soup.select("svg"):
            if svg.get("aria-hidden") == "true":  # a mark in a key, beside its words
                assert svg.find_parent("ul", class_="network-key") and svg.parent.get_text(
                    strip=True), file
                continue
            seen += 1
            viewbox = str(svg.get("viewbox"))  # the parser lowercases
            # the network's pictures show at their own size at most, so labels stay legible
            own = viewbox.split()[2] if "network-svg" in svg.get("class", []) else None
            assert svg.get("width") in ("100%", own), file
            figure = svg.find_parent("figure")
            assert isinstance(figure, Tag), file
            assert _name_of(soup, svg), file
            assert svg.get("role") in ("img", "group")
            assert figure.select("figcaption"), file
            if file.parent.name == "network":  # the list of connections follows the figure
                assert soup.select("ul.network-list > li"), file
            elif "network-ties" in svg.get("class", []):  # an actor's ties: their list
                following = figure.find_next_sibling()
                assert following and following.select("ul.ties-list > li, li"), file
            elif "trend-chart" in figure["class"]:  # the trend's own list follows the chart
                following = figure.find_next_sibling()
                assert following is not None and following.name == "ol", file
                assert "trend" in following["class"], file
            else:
                assert figure.find_all(["table", "ol"]), file
    assert seen >= 5


def strip_counts(soup: BeautifulSoup | Tag) -> dict[str, int]:
    table = one(soup, "figure.time-strip table")
    return {
        str(row["data-period"]): int(row.select_one("td").get_text())  # type: ignore[union-attr]
        for row in table.select("tbody tr")
    }


def test_the_timeline_strip_counts_events_by_month_and_year_only_by_year(out: Path) -> None:
    soup = page(out, "timeline/")
    figure = one(soup, "figure.time-strip")
    counts = strip_counts(figure)
    events = records("events")
    assert sum(counts.values()) == len(events) == len(soup.select("li.event-item"))
    # airlift (2021-08) and takeover (2021-08-15) share August 2021; statement-2024
    # is dated only to 2024 and counts in the year, drawn across it, not in a month.
    assert counts == {"2021-08": 2, "2024": 1, "2025-04": 1}
    # a dot per event, linked to it; the one dated only to 2024 in a row of its own,
    # drawn across the year
    dots = figure.select("a.dot")
    assert sorted(str(a["href"]) for a in dots) == sorted(
        f"{ROOT}events/{e['id']}/" for e in events)
    assert [t.get_text() for t in figure.select(".lane-label")] == [
        "Dated to a day or month", "Dated only to the year"]
    (span,) = figure.select("rect.span")
    lines = {str(line["data-date"]): float(line["x1"]) for line in figure.select("line.gridline")}
    assert float(span["x"]) == lines["2024-01-01"]
    assert float(span["x"]) + float(span["width"]) == pytest.approx(lines["2025-01-01"], abs=0.1)
    assert "year-only" in one(figure, 'tr[data-period="2024"]')["class"]
    assert one(figure, "tfoot td").get_text() == str(len(events))


def test_actor_pages_carry_a_strip_of_their_own_events(out: Path) -> None:
    for file in sorted((out / "actors").glob("*/index.html")):
        soup = soup_of(file)
        listed = len(soup.select("#actor_events ~ ol.event-list > li"))
        strips = soup.select("figure.time-strip")
        if listed:
            assert sum(strip_counts(soup).values()) == listed, file
        else:
            assert not strips, file


def test_trend_pictures_give_each_point_in_words(out: Path) -> None:
    for kind in ("disputes", "relationships"):
        for item in records(kind):
            trend = item.get("trend") or []
            assert isinstance(trend, list)
            soup = page(out, f"{kind}/{item['id']}/")
            figures = soup.select("figure.trend-chart")
            if not trend:
                assert not figures
                continue
            (figure,) = figures
            # each mark links to its point in the list after the chart, which says the
            # direction in words and gives the date
            marks = figure.select("a.mark-link")
            assert len(marks) == len(figure.select("path.mark")) == len(trend)
            words = []
            for mark in marks:
                point = one(soup, f"li.trend-point[id='{str(mark['href'])[1:]}']")
                word = str(one(mark, "path.mark")["class"][1]).removeprefix("mark-")
                assert word in point.get_text().lower()
                assert point.select_one("time[datetime]")
                words.append(word)
            assert sorted(words) == sorted(str(p["direction"]) for p in trend)


def test_network_links_every_connected_actor(out: Path) -> None:
    connected: set[str] = set()
    for event in records("events"):
        ids = {a if isinstance(a, str) else a["id"] for a in event.get("actors") or []}  # type: ignore[union-attr]
        if len(ids) > 1:
            connected |= ids
    for relationship in records("relationships"):
        connected |= set(relationship["parties"])  # type: ignore[arg-type]
    soup = page(out, "network/")
    svg = one(soup, "figure.network svg.network-wide")
    nodes = {a["href"] for a in svg.select("a.node")}
    assert nodes == {f"{ROOT}actors/{a}/" for a in connected}
    narrow = one(soup, "figure.network svg.network-narrow")
    assert {a["href"] for a in narrow.select("a.node")} == nodes  # few actors: all on phones
    listed = {a["href"] for a in soup.select("ul.network-list > li > h3 a")}
    assert listed == nodes
    for entry in soup.select("ul.network-list > li"):
        assert entry.select("ul.connections li a"), entry
    coordinates = re.findall(r'translate\(([0-9.]+) ([0-9.]+)\)', str(svg))
    coordinates = [c for pair in coordinates for c in pair]
    assert coordinates and all(len(c.partition(".")[2]) <= 1 for c in coordinates)


def test_a_large_network_draws_the_most_connected_and_lists_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "NETWORK_MAX_DRAWN", 2)
    monkeypatch.setattr(network, "NETWORK_NARROW_DRAWN", 1)
    target = tmp_path / "site"
    assert build(BASIC, target, BASE) == 0
    soup = page(target, "network/")
    svg = one(soup, "figure.network svg.network-wide")
    drawn = svg.select("a.node")
    narrow = one(soup, "figure.network svg.network-narrow").select("a.node")
    listed = soup.select("ul.network-list > li > h3 a")
    assert len(narrow) == 1 < len(drawn) == 2 < len(listed)
    assert {a["href"] for a in narrow} < {a["href"] for a in drawn}
    caption = one(soup, "#network_caption").get_text(" ", strip=True)
    assert f"the 2 most connected of {len(listed)} actors" in caption
    assert f"the most connected of {len(listed)} actors on a narrow screen" in caption
    degree = {a["href"]: len(li.select("ul.connections li"))
              for li in soup.select("ul.network-list > li")
              for a in li.select("h3 a")}
    least_drawn = min(degree[a["href"]] for a in drawn)
    assert all(degree[href] <= least_drawn for href in degree
               if href not in {a["href"] for a in drawn})


# -- exports ----------------------------------------------------------------------------


def test_timelinejs_json_gives_only_the_known_parts_of_each_date(out: Path) -> None:
    data = json.loads((out / "data" / "timeline.json").read_text())
    assert data["title"]["text"]["headline"]
    by_id = {e["unique_id"]: e for e in data["events"]}
    assert len(data["events"]) == len(records("events")) == len(by_id)
    assert by_id["airlift"]["start_date"] == {"year": "2021", "month": "8"}
    assert by_id["statement-2024"]["start_date"] == {"year": "2024"}
    assert by_id["takeover"]["start_date"] == {"year": "2021", "month": "8", "day": "15"}
    assert by_id["talks"]["end_date"] == {"year": "2025", "month": "4", "day": "28"}
    for event in data["events"]:
        assert event["text"]["headline"]


def test_geojson_points_are_longitude_then_latitude(out: Path) -> None:
    data = json.loads((out / "data" / "places.geojson").read_text())
    assert data["type"] == "FeatureCollection"
    places = {p["id"]: p for p in records("places") if p.get("coordinates")}
    assert {f["properties"]["id"] for f in data["features"]} == set(places)
    for feature in data["features"]:
        lat, lon = places[feature["properties"]["id"]]["coordinates"]  # type: ignore[misc]
        assert feature["geometry"] == {"type": "Point", "coordinates": [lon, lat]}
        assert feature["properties"]["url"] == f"{BASE}places/{feature['properties']['id']}/"
        assert set(feature["properties"]) == {"id", "name", "kind", "url", "popupContent"}


def test_event_lists_are_left_out_of_the_search_index(out: Path) -> None:
    """A search for an event finds its own page, not every page listing it."""
    lists = 0
    for file in html_pages(out):
        for listing in soup_of(file).select("ol.event-list, .role-events-head"):
            lists += 1
            indexed = listing.find_parent(attrs={"data-pagefind-body": True}) is not None
            assert not indexed or _left_out(listing), file
    assert lists > 0


def _left_out(element: Tag) -> bool:
    """Marked ``data-pagefind-ignore``, itself or through an ancestor."""
    return element.has_attr("data-pagefind-ignore") or element.find_parent(
        attrs={"data-pagefind-ignore": True}) is not None
