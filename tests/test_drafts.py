"""Drafts: ``draft: true`` keeps a record or article out of ``build`` entirely; ``build
--drafts`` (and the preview) shows it, marked noindex with a visible "Draft" label; a
published record that refers to a draft is an error naming both files.

The fixture ``tests/fixtures/drafts/`` is the good model fixture plus one draft of every
kind (ids ``qx-...``), drafts referring to drafts and to published records, and a
published article that names the draft actor (never auto-linked to it in a build
without drafts).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kabul_brief.content.markup import typeset
from tests.conftest import FIXTURES, CliResult, mutate

DRAFTS_SITE = FIXTURES / "drafts"
DRAFT_PAGES = {
    # site path of each draft's page -> its title as the page shows it
    "actors/qx-envoy/": "Qorvald Envoy",
    "places/qx-province/": "Qarvistan Province",
    "events/qx-summit/": "Qorvald summit in Qarvistan",
    "disputes/qx-dispute/": "Quarrel over the Qarvistan corridor",
    "relationships/qx-relationship/": "Qorvald and India",
    "sources/qx-source/": "Qarvistan field notes",
    "articles/qx-article/": "Qorvald's quiet tour",
    "qx-page/": "Qarvistan desk page",
}
DRAFT_IDS = {path.rstrip("/").rsplit("/", 1)[-1] for path in DRAFT_PAGES}
MARKERS = (
    # Every draft's id (and so its URL) holds "qx-"; its title, its words. The draft
    # actor's name is left out: the published article names him in its text.
    "qx-", "Qarvistan", "quiet tour", "Quarrel over", "Qorvald and India", "Qx Wire",
    "qx-field-notes", "desk page", "open for trade",
)
SEARCHED_KINDS = ("actors", "events", "disputes", "articles", "places", "relationships", "sources")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the drafts fixture; the working directory is its root."""
    root = tmp_path / "site"
    shutil.copytree(DRAFTS_SITE, root)
    monkeypatch.chdir(root)
    return root


def _build(run_cli: Callable[..., CliResult], *extra: str, out: str = "_site") -> CliResult:
    result = run_cli("build", "--out", out, "--jobs", "1", *extra)
    assert "Traceback" not in result.err, result.err
    return result


def _files(out: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of the built site as its reader gets it: Pagefind's gzipped index
    files decompressed."""
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        yield path.relative_to(out).as_posix(), data


def _soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def _noindex(soup: BeautifulSoup) -> bool:
    return any("noindex" in str(meta.get("content", "")).split(",")
               for meta in soup.select('meta[name="robots"]'))


def _draft_label(soup: BeautifulSoup) -> str | None:
    label = soup.select_one("main .draft-label")
    return label.get_text(" ", strip=True) if label is not None else None


def _sitemap(out: Path) -> list[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return [loc.text or "" for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def _data_ids(out: Path) -> set[str]:
    ids: set[str] = set()
    for path in (out / "data").glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        ids.update(item["id"] for item in document.get("items", ()))
        ids.update(document.get("timeline", ()))
    return ids


def _pagefind_urls(out: Path) -> set[str]:
    """The page URLs the search index holds, read from its decompressed fragments."""
    urls: set[str] = set()
    for fragment in (out / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        start = data.index(b"{")
        urls.add(json.loads(data[start:])["url"])
    return urls


# -- (a) build leaves drafts out entirely ------------------------------------------


def test_build_leaves_every_draft_out_of_every_file(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = _build(run_cli)
    assert result.code == 0, result.err
    out = site / "_site"
    found = [(name, marker) for name, data in _files(out) for marker in MARKERS
             if marker.encode() in data]
    assert found == []
    for path in DRAFT_PAGES:
        assert not (out / path).exists()
    assert _data_ids(out) & DRAFT_IDS == set()
    assert "qx-envoy" not in {loc.rstrip("/").rsplit("/", 1)[-1] for loc in _sitemap(out)}
    searched = _pagefind_urls(out)
    assert searched  # the index was read: published pages are in it
    assert {url for url in searched if "qx-" in url} == set()
    # The published article names the draft actor: not linked to him, and not counted
    # among the articles about any actor through him.
    note = _soup(out, "articles/published-note/")
    assert "Qorvald Envoy" in note.get_text()
    assert [a["href"] for a in note.select("main a") if "qx-" in str(a["href"])] == []
    # A draft event's citation of a published source is not listed on the source's page.
    source = _soup(out, "sources/agency-report/")
    assert "Qorvald" not in source.get_text()


def _exported(out: Path) -> dict[str, set[str]]:
    """What the feed, the calendar, TimelineJS and GeoJSON list, each read by its parser."""
    import icalendar

    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.parse(out / "feed.xml").getroot().findall(f"{atom}entry")
    calendar = icalendar.Calendar.from_ical((out / "timeline.ics").read_bytes())
    timeline = json.loads((out / "data/timeline.json").read_text(encoding="utf-8"))
    places = json.loads((out / "data/places.geojson").read_text(encoding="utf-8"))
    return {
        "feed": {entry.findtext(f"{atom}title") or "" for entry in entries},
        "calendar": {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")},
        "timelinejs": {event["unique_id"] for event in timeline["events"]},
        "geojson": {feature["properties"]["id"] for feature in places["features"]},
    }


def test_build_leaves_drafts_out_of_the_feed_the_calendar_and_the_exports(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    assert _build(run_cli).code == 0
    exported = _exported(site / "_site")
    assert exported["feed"] == {"India's Kabul outreach", "A note on envoys"}
    assert "Qorvald summit in Qarvistan" not in exported["calendar"]
    assert exported["calendar"]
    assert {"qx-summit", "qx-province"} & (exported["timelinejs"] | exported["geojson"]) == set()
    assert exported["geojson"] and exported["timelinejs"]
    assert _build(run_cli, "--drafts").code == 0  # the same readers see them with --drafts
    exported = _exported(site / "_site")
    assert "Qorvald's quiet tour" in exported["feed"]
    assert "Qorvald summit in Qarvistan" in exported["calendar"]
    assert "qx-province" in exported["geojson"]
    assert "qx-summit" in exported["timelinejs"]


# -- (b) build --drafts shows them, marked ------------------------------------------


def test_build_with_drafts_gives_every_draft_a_page_marked_draft_and_noindex(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = _build(run_cli, "--drafts")
    assert result.code == 0, result.err
    out = site / "_site"
    for path, title in DRAFT_PAGES.items():
        soup = _soup(out, path)
        assert soup.h1 is not None and soup.h1.get_text(strip=True) == typeset(title), path
        assert _noindex(soup), path
        label = _draft_label(soup)
        assert label is not None and label.startswith("Draft"), path
    published = [p.parent.relative_to(out).as_posix() + "/" for p in out.rglob("index.html")]
    published = [p for p in published if p not in DRAFT_PAGES and not p.startswith("./")]
    assert "articles/published-note/" in published
    for path in published:
        soup = _soup(out, path)
        assert not _noindex(soup), path
        assert _draft_label(soup) is None, path
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert not _noindex(home) and _draft_label(home) is None
    # In the preview of the whole site the published article links the draft actor.
    note = _soup(out, "articles/published-note/")
    assert "/brief/actors/qx-envoy/" in [a["href"] for a in note.select("main a")]


def test_build_with_drafts_keeps_them_out_of_the_sitemap_only(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    assert _build(run_cli, "--drafts").code == 0
    out = site / "_site"
    assert [loc for loc in _sitemap(out) if "qx-" in loc] == []
    assert _data_ids(out) >= DRAFT_IDS
    events = json.loads((out / "data/events.json").read_text(encoding="utf-8"))
    marked = {item["id"]: item.get("draft") for item in events["items"]}
    assert marked == {"qx-summit": True, "kabul-meeting": None, "takeover": None,
                      "ttp-attacks": None}  # published items have no draft key
    assert "/events/qx-summit/" in _pagefind_urls(out)


# -- (c) a published record may not refer to a draft -----------------------------------

REFERENCES = [
    pytest.param(
        "content/events/kabul-meeting.yaml", "place: kabul", "place: qx-province",
        "content/events/kabul-meeting.yaml:6:8: error: place 'qx-province' is a draft"
        " (content/places/qx-province.yaml:7): the published event 'kabul-meeting' cannot"
        " refer to it [draft-reference]", id="reference-field"),
    pytest.param(
        "content/actors/people.yaml", "of: taliban", "of: qx-envoy",
        "content/actors/people.yaml:7:11: error: actor 'qx-envoy' is a draft"
        " (content/actors/qx-envoy.yaml:10): the published actor 'amir-khan-muttaqi'"
        " cannot refer to it [draft-reference]", id="role-of"),
    pytest.param(
        "content/events/kabul-meeting.yaml", "  - by: taliban", "  - by: qx-envoy",
        "content/events/kabul-meeting.yaml:13:9: error: actor 'qx-envoy' is a draft"
        " (content/actors/qx-envoy.yaml:10): the published event 'kabul-meeting' cannot"
        " refer to it [draft-reference]", id="claim-by"),
    pytest.param(
        "content/disputes/ttp-sanctuary.yaml", "parties: [pakistan, taliban]",
        "parties: [pakistan, qx-envoy]",
        "content/disputes/ttp-sanctuary.yaml:3:21: error: actor 'qx-envoy' is a draft"
        " (content/actors/qx-envoy.yaml:10): the published dispute 'ttp-sanctuary' cannot"
        " refer to it [draft-reference]", id="parties"),
    pytest.param(
        "content/articles/analysis/kabul-outreach.md", "actors: [india]",
        "actors: [india, qx-envoy]",
        "content/articles/analysis/kabul-outreach.md:8:17: error: actor 'qx-envoy' is a"
        " draft (content/actors/qx-envoy.yaml:10): the published article 'kabul-outreach'"
        " cannot refer to it [draft-reference]", id="article-tag"),
    pytest.param(
        "content/events/kabul-meeting.yaml", "{article: kabul-outreach, anchor: p2}",
        "{article: qx-article, anchor: p1}",
        "content/events/kabul-meeting.yaml:17:15: error: article 'qx-article' is a draft"
        " (content/articles/qx-article.md:10): the published event 'kabul-meeting' cannot"
        " refer to it [draft-reference]", id="article-citation"),
    pytest.param(
        "content/events/kabul-meeting.yaml", "{source: agency-report, locator: para 3}",
        "{source: qx-source, locator: para 3}",
        "content/events/kabul-meeting.yaml:18:14: error: source 'qx-source' is a draft"
        " (content/sources/qx-source.yaml:6): the published event 'kabul-meeting' cannot"
        " refer to it [draft-reference]", id="source-citation"),
    pytest.param(
        "content/disputes/ttp-sanctuary.yaml", "sources: [{source: agency-report}]",
        "sources: [qx-source]",
        "content/disputes/ttp-sanctuary.yaml:11:15: error: source 'qx-source' is a draft"
        " (content/sources/qx-source.yaml:6): the published dispute 'ttp-sanctuary' cannot"
        " refer to it [draft-reference]", id="source-citation-shorthand"),
    pytest.param(
        "content/events/kabul-meeting.yaml", "  - amir-khan-muttaqi", "  - qx-envoy",
        "content/events/kabul-meeting.yaml:9:5: error: actor 'qx-envoy' is a draft"
        " (content/actors/qx-envoy.yaml:10): the published event 'kabul-meeting' cannot"
        " refer to it [draft-reference]", id="event-actor-shorthand"),
    pytest.param(
        "content/articles/analysis/kabul-outreach.md", "[Kabul](place:kabul)",
        "[Kabul](place:qx-province)",
        "content/articles/analysis/kabul-outreach.md:14:66: error: place 'qx-province' is a"
        " draft (content/places/qx-province.yaml:7): the published article 'kabul-outreach'"
        " cannot refer to it [draft-reference]", id="record-link-in-body"),
    pytest.param(
        "content/actors/india.yaml", "summary: The Republic of India.",
        "summary: The Republic of India, with [an envoy](actor:qx-envoy).",
        "content/actors/india.yaml:5:49: error: actor 'qx-envoy' is a draft"
        " (content/actors/qx-envoy.yaml:10): the published actor 'india' cannot refer to"
        " it [draft-reference]", id="record-link-in-summary"),
    pytest.param(
        "content/pages/about.md", "[India](actor:india)", "[India](event:qx-summit)",
        "content/pages/about.md:5:39: error: event 'qx-summit' is a draft"
        " (content/events/qx-summit.yaml:23): the published page 'about' cannot refer to"
        " it [draft-reference]", id="record-link-in-page"),
]


@pytest.mark.parametrize(("path", "old", "new", "expected"), REFERENCES)
def test_a_published_record_referring_to_a_draft_is_an_error_naming_both_files(
    site: Path, run_cli: Callable[..., CliResult], path: str, old: str, new: str,
    expected: str,
) -> None:
    assert _build(run_cli).code == 0
    before = dict(_files(site / "_site"))
    mutate(site, path, old, new)
    for command in (["check"], ["build", "--out", "_site", "--jobs", "1"],
                    ["build", "--out", "_site", "--jobs", "1", "--drafts"]):
        result = run_cli(*command)
        assert "Traceback" not in result.err
        assert result.error_lines == [expected], (command, result.err)
        assert result.code == 1
    assert dict(_files(site / "_site")) == before


def test_a_draft_error_is_reported_with_the_others(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(site, "content/events/kabul-meeting.yaml", "place: kabul", "place: qx-province")
    mutate(site, "content/actors/india.yaml", "kind: state", "kind: stat")
    result = run_cli("check")
    assert result.code == 1
    assert [line.rsplit("[", 1)[-1] for line in result.error_lines] == [
        "choice]", "draft-reference]"]


def test_a_published_record_with_other_errors_is_checked_for_drafts_too(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    """One run reports everything: fixing the other error reveals nothing new."""
    mutate(site, "content/events/kabul-meeting.yaml", "place: kabul", "place: qx-province")
    mutate(site, "content/events/kabul-meeting.yaml", "kind: meeting", "kind: meetin")
    mutate(site, "content/articles/analysis/kabul-outreach.md", "kind: analysis",
           "kind: analysys")
    mutate(site, "content/articles/analysis/kabul-outreach.md", "[Kabul](place:kabul)",
           "[Kabul](place:qx-province)")
    result = run_cli("check")
    assert result.code == 1
    assert [line.rsplit("[", 1)[-1] for line in result.error_lines] == [
        "choice]", "draft-reference]", "choice]", "draft-reference]"]


def test_a_published_record_without_a_valid_id_is_checked_for_drafts_too(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(site, "content/events/kabul-meeting.yaml", "place: kabul", "place: qx-province")
    mutate(site, "content/events/kabul-meeting.yaml", "id: kabul-meeting", "id: Kabul Meeting")
    result = run_cli("check")
    assert "Traceback" not in result.err
    assert result.code == 1
    assert result.error_lines[-1] == (
        "content/events/kabul-meeting.yaml:6:8: error: place 'qx-province' is a draft"
        " (content/places/qx-province.yaml:7): the published event here cannot refer to it"
        " [draft-reference]")


# -- (d) drafts may refer to anything ---------------------------------------------------


def test_drafts_may_refer_to_drafts_and_published_records(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    checked = run_cli("check")
    assert checked.code == 0, checked.err
    assert checked.err == ""
    assert _build(run_cli, "--drafts").code == 0
    summit = _soup(site / "_site", "events/qx-summit/")
    hrefs = {str(a["href"]) for a in summit.select("main a")}
    assert {"/brief/places/qx-province/", "/brief/actors/qx-envoy/",
            "/brief/actors/india/", "/brief/sources/agency-report/"} <= hrefs


def test_a_draft_is_checked_like_any_record(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(site, "content/places/qx-province.yaml", "within: afghanistan",
           "within: afghanistn")
    mutate(site, "content/actors/qx-envoy.yaml", "draft: true", "draft: yes")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/actors/qx-envoy.yaml:10:8: error: expected true or false, found"
        " 'yes' [type]",
        "content/places/qx-province.yaml:4:9: error: unknown place 'afghanistn'"
        " [unknown-reference]",
    ]


# -- (e) the drafts flag is part of what makes a build "up to date" ------------------------


def test_a_build_after_a_build_with_drafts_is_not_up_to_date(
    site: Path, run_cli: Callable[..., CliResult]
) -> None:
    out = site / "_site"
    assert _build(run_cli, "--drafts").code == 0
    assert (out / "actors/qx-envoy/index.html").is_file()
    assert "up to date" in _build(run_cli, "--drafts").out
    plain = _build(run_cli)
    assert plain.code == 0 and "up to date" not in plain.out
    assert not (out / "actors/qx-envoy").exists()
    assert [name for name, data in _files(out) if b"qx-" in data] == []
    assert "up to date" in _build(run_cli).out
    again = _build(run_cli, "--drafts")
    assert again.code == 0 and "up to date" not in again.out
    assert (out / "actors/qx-envoy/index.html").is_file()
    # Each build into the folder the other one wrote gives what a fresh build gives.
    for extra in ((), ("--drafts",)):
        assert _build(run_cli, *extra).code == 0
        assert _build(run_cli, *extra, out="_fresh").code == 0
        assert _tree(out) == _tree(site / "_fresh")
        shutil.rmtree(site / "_fresh")


def _tree(out: Path) -> dict[str, bytes]:
    return {name: data for name, data in _files(out) if name != ".kabul-brief-manifest.json"}


# -- (f) new files are drafts ------------------------------------------------------------


NEW_KINDS = ("actor", "place", "event", "dispute", "relationship", "source", "article", "page")


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_new_writes_a_draft_that_check_accepts_and_build_leaves_out(
    good_site: Path, run_cli: Callable[..., CliResult], kind: str
) -> None:
    created = run_cli("new", kind, "Talks in Zeravshan")
    assert created.code == 0, created.err
    path = Path(created.out.strip())
    assert re.search(r"^draft: true\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    checked = run_cli("check")  # as it is, stand-in values and all
    assert checked.code == 0, checked.err
    built = run_cli("build", "--out", "_site", "--jobs", "1", "--quiet")
    assert built.code == 0, built.err
    found = [name for name, data in _files(good_site / "_site")
             if b"talks-in-zeravshan" in data or b"Zeravshan" in data]
    assert found == []
    previewed = run_cli("build", "--out", "_preview", "--jobs", "1", "--quiet", "--drafts")
    assert previewed.code == 0, previewed.err
    assert [name for name, _ in _files(good_site / "_preview")
            if "talks-in-zeravshan/" in name] != []


def test_schemas_know_the_draft_field_of_every_kind(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    assert run_cli("schema", "--out", str(tmp_path)).code == 0
    for kind in NEW_KINDS:
        schema = json.loads((tmp_path / f"{kind}.schema.json").read_text(encoding="utf-8"))
        record = schema["oneOf"][0] if "oneOf" in schema else schema
        assert {"type": "boolean"} in record["properties"]["draft"]["anyOf"], kind
    site_schema = json.loads((tmp_path / "site.schema.json").read_text(encoding="utf-8"))
    assert "draft" not in site_schema["properties"]


# -- the preview includes drafts -------------------------------------------------------


def test_the_preview_serves_drafts_marked_as_drafts(tmp_path: Path) -> None:
    from tests.test_build_entry import Preview
    from tests.test_serve import fetch

    root = tmp_path / "site"
    shutil.copytree(DRAFTS_SITE, root)
    preview = Preview(root)
    try:
        preview.read_until("serving content at")
        base = f"http://127.0.0.1:{preview.port}"
        status, html = fetch(f"{base}/actors/qx-envoy/")
        assert status == 200
        soup = BeautifulSoup(html, "html.parser")
        assert _noindex(soup)
        assert (_draft_label(soup) or "").startswith("Draft")
        status, html = fetch(f"{base}/actors/india/")
        assert status == 200
        assert not _noindex(BeautifulSoup(html, "html.parser"))
    finally:
        assert preview.stop() == 0


# -- any records drafts: an error, or a site without them ---------------------------------


def _records(content: Path) -> list[tuple[str, str, str, int | None]]:
    """(kind folder, id, file, index in a list file) of every record of the fixture."""
    import yaml

    found: list[tuple[str, str, str, int | None]] = []
    for path in sorted(content.rglob("*")):
        if not path.is_file() or path.name == "site.yaml":
            continue
        relative = path.relative_to(content).as_posix()
        folder = relative.split("/", 1)[0]
        if path.suffix == ".md":
            found.append((folder, path.stem, relative, None))
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, list):
            found.extend((folder, item["id"], relative, i) for i, item in enumerate(data))
        else:
            found.append((folder, data["id"], relative, None))
    return found


FIXTURE_RECORDS = _records(DRAFTS_SITE / "content")


def _mark(content: Path, drafts: set[int]) -> None:
    """Make exactly the records numbered ``drafts`` (in FIXTURE_RECORDS) drafts."""
    import yaml

    by_file: dict[str, list[tuple[int | None, bool]]] = {}
    for number, (_, _, relative, index) in enumerate(FIXTURE_RECORDS):
        by_file.setdefault(relative, []).append((index, number in drafts))
    for relative, marks in by_file.items():
        path = content / relative
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            _, front, body = text.split("---\n", 2)
            data = yaml.safe_load(front)
            data.pop("draft", None)
            if marks[0][1]:
                data["draft"] = True
            front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
            path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
            continue
        data = yaml.safe_load(text)
        items = data if isinstance(data, list) else [data]
        for index, draft in marks:
            item = items[index or 0]
            item.pop("draft", None)
            if draft:
                item["draft"] = True
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")


_REFERRING = re.compile(r"the published ([a-z]+) '([a-z0-9-]+)' cannot refer to it")


def _check_and_build(main: Callable[[list[str]], int], content: Path,
                     out: Path) -> tuple[dict[str, int], list[str]]:
    """Exit codes of check and build, in-process; the error lines of build (the same
    lines as check's, asserted)."""
    import contextlib
    import io

    codes: dict[str, int] = {}
    lines: dict[str, list[str]] = {}
    for command in ("check", "build"):
        err = io.StringIO()
        args = ["--content", str(content)]
        if command == "build":
            args += ["--out", str(out), "--jobs", "1", "--quiet"]
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            codes[command] = main([command, *args])
        assert "Traceback" not in err.getvalue()
        lines[command] = [line for line in err.getvalue().splitlines() if ": error: " in line]
    assert lines["check"] == lines["build"]
    return codes, lines["build"]


def _page_url(folder: str, record_id: str) -> str:
    return f"/{record_id}/" if folder == "pages" else f"/{folder}/{record_id}/"


def test_any_records_may_be_drafts_a_build_errs_or_shows_none_of_them(
    tmp_path: Path,
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from kabul_brief.cli import main

    numbers = st.sets(st.integers(0, len(FIXTURE_RECORDS) - 1))

    @settings(max_examples=int(os.environ.get("KB_HYPOTHESIS_EXAMPLES", "20")),
              deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(numbers)
    def run(chosen: set[int]) -> None:
        """Mark ``chosen`` drafts; while the build refuses, each error names a published
        record referring to a draft: make it a draft too and build again, until the
        build succeeds (it must: every record refused is one more draft)."""
        drafts = set(chosen)
        root = Path(tempfile.mkdtemp(dir=tmp_path))
        content = root / "content"
        shutil.copytree(DRAFTS_SITE / "content", content)
        out = root / "out"
        number_of = {(folder, record_id): number for number, (folder, record_id, _, _)
                     in enumerate(FIXTURE_RECORDS)}
        while True:
            _mark(content, drafts)
            codes, errors = _check_and_build(main, content, out)
            assert codes["check"] == codes["build"], errors
            if codes["build"] == 0:
                break
            assert codes["build"] == 1
            assert errors and all(line.endswith("[draft-reference]") for line in errors), errors
            assert not out.exists()
            matches = [_REFERRING.search(line) for line in errors]
            assert all(matches), errors
            referring = {number_of[(f"{m[1]}s", m[2])] for m in matches if m}
            assert not referring & drafts, errors  # named as published: it was one
            drafts |= referring
        urls = [_page_url(folder, record_id) for number, (folder, record_id, _, _)
                in enumerate(FIXTURE_RECORDS) if number in drafts]
        published = [_page_url(folder, record_id) for number, (folder, record_id, _, _)
                     in enumerate(FIXTURE_RECORDS) if number not in drafts]
        for url in published:
            assert (out / url.strip("/") / "index.html").is_file(), url
        for url in urls:
            assert not (out / url.strip("/")).exists(), url
        found = [(name, url) for name, data in _files(out) for url in urls
                 if f"/brief{url}".encode() in data or f'"{url}"'.encode() in data]
        assert found == []

    run()
