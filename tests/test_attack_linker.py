"""Nothing lost, nothing let in: what the link stage reports, and what the data files keep.

Each test writes content an editor could write and looks at what the editor sees:
the exit code, the exact ``PATH:LINE:COL: error:`` lines and hints, and the data
files as a JSON parser reads them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import CliResult, mutate

BASE = "https://example.org/brief/"


def write(site: Path, relative: str, text: str) -> None:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def hint_after(result: CliResult, line: str) -> str:
    lines = result.err.splitlines()
    return lines[lines.index(line) + 1]


# -- 1. every error in one pass ------------------------------------------------

EVERY_ERROR = [
    "content/articles/bad-front.md:4:1: error: unknown field 'colour' in article [unknown-field]",
    "content/articles/bad-front.md:6:28: error: unknown actor 'nobody-in-body' [unknown-reference]",
    "content/events/dates.yaml:1:1: error: event is missing required field 'sources'"
    " [missing-field]",
    "content/events/dates.yaml:5:6: error: end 2025-04-01 is before date 2025-05-01 [date-order]",
    "content/events/wave.yaml:4:6: error: end 2025-04-01 is before date 2025-05-01 [date-order]",
    "content/events/wave.yaml:6:1: error: unknown field 'colour' in event [unknown-field]",
    "content/events/wave.yaml:7:10: error: unknown actor 'nobody-here' [unknown-reference]",
    "content/events/wave.yaml:7:44: error: unknown field 'rolle' in event actor;"
    " did you mean 'role'? [unknown-field]",
    "content/events/wave.yaml:8:20: error: unknown actor 'nobody' [unknown-reference]",
    "content/events/wave.yaml:10:14: error: unknown source 'agency-reprot' [unknown-reference]",
    "content/events/wave.yaml:11:39: error: article 'kabul-outreach' has no paragraph 'p99'"
    " [unknown-anchor]",
    "content/events/wave.yaml:12:31: error: unknown field 'anchr' in article citation;"
    " did you mean 'anchor'? [unknown-field]",
    "content/places/dup.yaml:4:9: error: unknown place 'atlantis' [unknown-reference]",
    "content/places/kabul.yaml:1:5: error: place id 'kabul' is already used"
    " (also at content/places/dup.yaml:1) [duplicate-id]",
    "content/sources/broken.yaml:3:1: error: YAML syntax error: did not find expected ','"
    " or ']' (while parsing a flow sequence) [yaml-syntax]",
]


def plant_every_error(site: Path) -> None:
    """A YAML syntax error, unknown fields, dangling references, a bad source id, a
    bad Markdown record link, an end before its date, a duplicate id and a bad
    anchor, several of them in records that also have other errors."""
    write(site, "content/sources/broken.yaml", "id: broken\ntitle: [unclosed\n")
    write(site, "content/events/wave.yaml", (
        "id: wave\n"
        "title: A wave of errors\n"
        "date: 2025-05-01\n"
        "end: 2025-04-01\n"
        "kind: meeting\n"
        "colour: red\n"
        "actors: [nobody-here, taliban, {id: india, rolle: host}]\n"
        "summary: See [him](actor:nobody).\n"
        "sources:\n"
        "  - {source: agency-reprot}\n"
        "  - {article: kabul-outreach, anchor: p99}\n"
        "  - {article: kabul-outreach, anchr: p1}\n"
        "  - {source: broken}\n"  # the file that does not parse: no second error
    ))
    write(site, "content/events/dates.yaml", (
        "id: dates\n"
        "title: Dates the wrong way round\n"
        "kind: meeting\n"
        "date: 2025-05-01\n"
        "end: 2025-04-01\n"
    ))  # no sources either: the missing field did hide the dates
    write(site, "content/places/dup.yaml", "id: kabul\nname: Kabul again\nkind: city\n"
                                           "within: atlantis\n")
    write(site, "content/articles/bad-front.md", (
        "---\n"
        "title: Bad front matter\n"
        "date: 2025-05-01\n"
        "colour: blue\n"
        "---\n"
        "A body that links [nobody](actor:nobody-in-body).\n"
    ))


def test_check_reports_every_error_in_one_pass_sorted(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    plant_every_error(good_site)
    result = run_cli("check")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.error_lines == EVERY_ERROR
    assert result.err.splitlines()[-1] == (
        f"{len(EVERY_ERROR)} errors found; nothing was written.")
    keys = [line.split(": error:")[0].split(":") for line in result.error_lines]
    assert keys == sorted(keys, key=lambda k: (k[0], int(k[1]), int(k[2])))


def test_build_reports_the_same_errors_as_check_and_writes_nothing(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    plant_every_error(good_site)
    checked = run_cli("check")
    built = run_cli("build", "--out", "out", "--quiet")
    assert built.code == checked.code == 1
    assert built.error_lines == checked.error_lines == EVERY_ERROR
    assert not (good_site / "out").exists()


def test_a_bad_item_does_not_hide_the_errors_of_the_others(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    write(good_site, "content/events/items.yaml", (
        "id: items\n"
        "title: Items\n"
        "date: 2025-05-01\n"
        "kind: meeting\n"
        "claims:\n"
        "  - {by: taliban, text: 'In [Kabul](place:kabull).', sources: [agency-report],"
        " tone: firm}\n"
        "sources:\n"
        "  - {source: agency-reprot}\n"
        "  - {article: kabul-outreach, anchr: p1}\n"
    ))
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/events/items.yaml:6:37: error: unknown place 'kabull' [unknown-reference]",
        "content/events/items.yaml:6:80: error: unknown field 'tone' in claim [unknown-field]",
        "content/events/items.yaml:8:14: error: unknown source 'agency-reprot'"
        " [unknown-reference]",
        "content/events/items.yaml:9:31: error: unknown field 'anchr' in article citation;"
        " did you mean 'anchor'? [unknown-field]",
    ]


def test_a_list_of_the_wrong_length_still_has_its_references_checked(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/relationships/india-taliban.yaml",
           "parties: [india, taliban]", "parties: [india, taliban, nobody]")
    result = run_cli("check")
    assert result.error_lines == [
        "content/relationships/india-taliban.yaml:2:10: error: expected exactly 2 distinct"
        " actors, found 3 [count]",
        "content/relationships/india-taliban.yaml:2:27: error: unknown actor 'nobody'"
        " [unknown-reference]",
    ]


# -- 2. "did you mean" knows names and aliases -----------------------------------


def test_an_alias_written_as_an_id_suggests_the_actor(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    article = "content/articles/analysis/kabul-outreach.md"
    mutate(good_site, article, "actors: [india]", "actors: [india, muttaqi]")
    mutate(good_site, article, "met Muttaqi and", "met [him](actor:muttaqi) and")
    result = run_cli("check")
    assert result.code == 1
    tagged = f"{article}:8:17: error: unknown actor 'muttaqi' [unknown-reference]"
    linked = f"{article}:14:26: error: unknown actor 'muttaqi' [unknown-reference]"
    assert result.error_lines == [tagged, linked]
    assert hint_after(result, tagged) == "    did you mean 'amir-khan-muttaqi'?"
    assert hint_after(result, linked) == "    did you mean 'amir-khan-muttaqi'?"


def test_an_alias_of_several_words_suggests_the_actor(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/events/more.yaml", "actors: [taliban]",
           "actors: [islamic-emirate]")
    result = run_cli("check")
    line = ("content/events/more.yaml:6:12: error: unknown actor 'islamic-emirate'"
            " [unknown-reference]")
    assert result.error_lines == [line]
    assert hint_after(result, line) == "    did you mean 'taliban'?"


# -- 3. self-references ------------------------------------------------------------


def test_an_actor_cannot_hold_a_role_in_itself(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/actors/people.yaml", "      of: taliban",
           "      of: amir-khan-muttaqi")
    result = run_cli("check")
    line = ("content/actors/people.yaml:7:11: error: actor 'amir-khan-muttaqi' cannot hold"
            " a role in itself [self-reference]")
    assert result.code == 1
    assert result.error_lines == [line]
    assert hint_after(result, line) == (
        "    A role's of: names the other actor the role is held in.")


def test_a_place_cannot_be_within_itself(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/places/kabul.yaml", "within: afghanistan", "within: kabul")
    result = run_cli("check")
    line = ("content/places/kabul.yaml:4:9: error: place 'kabul' cannot be within itself"
            " [place-cycle]")
    assert result.error_lines == [line]
    assert hint_after(result, line) == (
        "    Name the place that holds this one, or remove within:.")


def test_places_within_each_other_name_the_cycle(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/places/afghanistan.yaml", "kind: country",
           "kind: country\nwithin: kabul")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/places/afghanistan.yaml:4:9: error: places are within each other in a"
        " circle: afghanistan -> kabul -> afghanistan [place-cycle]"
    ]


@pytest.mark.parametrize(("relative", "old", "new", "error"), [
    ("content/relationships/india-taliban.yaml", "parties: [india, taliban]",
     "parties: [india, india]",
     "content/relationships/india-taliban.yaml:2:18: error: 'india' is listed twice"
     " [duplicate-item]"),
    ("content/disputes/ttp-sanctuary.yaml", "parties: [pakistan, taliban]",
     "parties: [pakistan, pakistan]",
     "content/disputes/ttp-sanctuary.yaml:3:21: error: 'pakistan' is listed twice"
     " [duplicate-item]"),
    ("content/disputes/ttp-sanctuary.yaml", "involves: [india]",
     "involves: [india, taliban]",
     "content/disputes/ttp-sanctuary.yaml:4:19: error: 'taliban' is a party already:"
     " it cannot also be involved [duplicate-item]"),
    ("content/events/kabul-meeting.yaml", "  - amir-khan-muttaqi\n",
     "  - amir-khan-muttaqi\n  - {id: amir-khan-muttaqi, role: host}\n",
     "content/events/kabul-meeting.yaml:10:5: error: 'amir-khan-muttaqi' is listed twice"
     " [duplicate-item]"),
], ids=["relationship-party-twice", "dispute-party-twice", "dispute-party-also-involved",
        "event-actor-twice"])
def test_an_actor_listed_twice_is_an_error(
    good_site: Path, run_cli: Callable[..., CliResult], relative: str, old: str, new: str,
    error: str,
) -> None:
    mutate(good_site, relative, old, new)
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [error]


# -- 4. the data files keep what the editor wrote ------------------------------------


@pytest.fixture
def built(good_site: Path, run_cli: Callable[..., CliResult]) -> Path:
    mutate(good_site, "content/sources/agency-report.yaml", "date: 2025-05\n",
           "date: 2025-05\nurl: https://agency.example.net/report\n")
    result = run_cli("build", "--out", "out", "--quiet")
    assert result.code == 0, result.err
    return good_site / "out"


def test_a_source_keeps_its_own_url_and_adds_its_permalink(built: Path) -> None:
    written = yaml.safe_load(
        (built.parent / "content/sources/agency-report.yaml").read_text(encoding="utf-8"))
    sources = json.loads((built / "data/sources.json").read_text(encoding="utf-8"))
    item = next(s for s in sources["items"] if s["id"] == "agency-report")
    assert item["url"] == written["url"] == "https://agency.example.net/report"
    assert item["permalink"] == BASE + "sources/agency-report/"


@pytest.mark.parametrize("kind", [
    "actors", "places", "events", "disputes", "relationships", "sources", "articles", "pages"])
def test_every_item_has_a_permalink_to_a_written_page(built: Path, kind: str) -> None:
    document = json.loads((built / f"data/{kind}.json").read_text(encoding="utf-8"))
    assert document["items"]
    for item in document["items"]:
        permalink = item["permalink"]
        assert permalink.startswith(BASE)
        path = urlsplit(permalink).path.removeprefix(urlsplit(BASE).path)
        assert path.endswith(f"{item['id']}/")
        assert (built / path / "index.html").is_file(), permalink


def test_fields_keep_the_names_the_editor_wrote(built: Path) -> None:
    actors = json.loads((built / "data/actors.json").read_text(encoding="utf-8"))
    muttaqi = next(a for a in actors["items"] if a["id"] == "amir-khan-muttaqi")
    assert muttaqi["roles"] == [
        {"title": "Foreign Minister", "of": "taliban", "from": "2021-09", "to": None}]
    disputes = json.loads((built / "data/disputes.json").read_text(encoding="utf-8"))
    position = disputes["items"][0]["positions"][0]
    assert sorted(position) == ["actor", "position", "sources"]
    assert position["position"]["markdown"] == "The Afghan Taliban harbour TTP fighters."


# -- 5. ids that would take the site's own paths --------------------------------------


@pytest.mark.parametrize("page_id", ["pagefind", "data", "static", "search", "actors",
                                     "network", "timeline"])
def test_a_page_cannot_take_a_path_the_site_uses(
    good_site: Path, run_cli: Callable[..., CliResult], page_id: str
) -> None:
    pages = good_site / "content/pages"
    (pages / "about.md").rename(pages / f"{page_id}.md")
    line = (f"content/pages/{page_id}.md:1:1: error: page id {page_id!r} is reserved for"
            " the site's own pages [reserved-id]")
    for command in (("check",), ("build", "--out", "out", "--quiet")):
        result = run_cli(*command)
        assert result.code == 1, command
        assert "Traceback" not in result.err
        assert result.error_lines == [line]
        assert hint_after(result, line) == (
            "    Rename the file, or give another id in its front matter."
            f" The site's own /{page_id}/ is there.")
    assert not (good_site / "out").exists()


def test_an_id_given_in_front_matter_is_checked_too(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    mutate(good_site, "content/pages/about.md", "title: About this fixture",
           "id: pagefind\ntitle: About this fixture")
    result = run_cli("build", "--out", "out", "--quiet")
    assert result.code == 1
    assert result.error_lines == [
        "content/pages/about.md:2:5: error: page id 'pagefind' is reserved for the site's"
        " own pages [reserved-id]"
    ]


def test_the_site_paths_list_holds_every_top_level_name_the_build_writes(
    built: Path,
) -> None:
    """The one list the check uses is the list of what the build writes: every
    top-level file or folder but the standing pages' is on it."""
    from kabul_brief.publish.urls import Urls

    pages = json.loads((built / "data/pages.json").read_text(encoding="utf-8"))
    own = {path.split("/")[0] for path in (*Urls.site_paths(), *Urls.site_folders())}
    own.add("index.html")  # the front page, site path ""
    written = {p.name for p in built.iterdir() if not p.name.startswith(".")}
    assert written - own == {item["id"] for item in pages["items"]}
