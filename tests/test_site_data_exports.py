"""The data files as data journalists read them: pandas, Frictionless, and the docs
that say what each file is."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from frictionless import validate

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "model" / "good"
HOSTILE_TITLE = 'Talks, "frank" and\nlong =cmd|\' /C calc\'!A0 +1 @SUM(A1) -2'


def build(site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kabul_brief", "build", "-q", "--out",
                           "_site", *extra], cwd=site, capture_output=True, text=True,
                          check=False)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kabul_brief.cli import main

    out = tmp_path_factory.mktemp("shipped") / "site"
    assert main(["build", "-q", "--content", str(REPO / "content"), "--out", str(out)]) == 0
    return out / "data"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site with an event title made to trip CSV readers up."""
    site = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(FIXTURE, site)
    event = site / "content" / "events" / "kabul-meeting.yaml"
    text = event.read_text().replace("title: Indian delegation meets Muttaqi in Kabul",
                                     "title: " + json.dumps(HOSTILE_TITLE))
    event.write_text(text)
    done = build(site)
    assert done.returncode == 0, done.stderr
    return site / "_site" / "data"


def test_pandas_reads_the_events_in_one_call_with_their_precision(shipped: Path) -> None:
    events = pd.read_csv(shipped / "events.csv", keep_default_na=False, dtype=str)
    listed = json.loads((shipped / "events.json").read_text())["items"]
    assert len(events) == len(listed) == 15
    rows = events.set_index("id")
    day = rows.loc["taliban-take-kabul-2021"]
    assert (day["date"], day["precision"], day["start"], day["end"]) == (
        "2021-08-15", "day", "2021-08-15", "2021-08-15")
    year = rows.loc["ttp-attacks-in-pakistan-2025"]
    assert (year["date"], year["precision"], year["start"], year["end"]) == (
        "2025", "year", "2025-01-01", "2025-12-31")
    month = rows.loc["taliban-warn-against-border-fencing-2022"]
    assert (month["precision"], month["start"], month["end"]) == (
        "month", "2022-01-01", "2022-01-31")
    ranged = rows.loc["india-briefs-foreign-envoys-2025-04"]
    assert (ranged["start"], ranged["end"]) == ("2025-04-24", "2025-04-25")
    assert (ranged["end_as_written"], ranged["end_precision"]) == ("2025-04-25", "day")
    assert (day["end_as_written"], day["end_precision"]) == ("", "")  # one date, no range
    assert set(events["precision"]) <= {"day", "month", "year"}
    assert pd.to_datetime(events["start"], format="%Y-%m-%d").notna().all()
    assert rows.loc["kabul-delegation-2025-04"]["actors"].split(";")[0]
    assert all(link.startswith("https://example.org/kabul-brief/events/")
               for link in events["permalink"])


def test_a_ranges_end_keeps_its_precision_as_written(tmp_path: Path) -> None:
    """``date: 2024-11``, ``end: 2025``: the CSV says the end was written as a year,
    not only that the period's last day is 31 December."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    more = site / "content" / "events" / "more.yaml"
    more.write_text(more.read_text().replace("  date: 2025\n  end: 2025\n",
                                             "  date: 2024-11\n  end: 2025\n"))
    assert build(site).returncode == 0
    rows = pd.read_csv(site / "_site" / "data" / "events.csv", keep_default_na=False,
                       dtype=str).set_index("id")
    ttp = rows.loc["ttp-attacks"]
    assert (ttp["date"], ttp["precision"], ttp["start"], ttp["end"], ttp["end_as_written"],
            ttp["end_precision"]) == ("2024-11", "month", "2024-11-01", "2025-12-31", "2025",
                                      "year")


def test_the_long_tables_give_one_row_per_actor_claim_and_citation(shipped: Path) -> None:
    listed = json.loads((shipped / "events.json").read_text())["items"]
    actors = pd.read_csv(shipped / "event_actors.csv", keep_default_na=False)
    assert len(actors) == sum(len(event["actors"]) for event in listed)
    claims = pd.read_csv(shipped / "claims.csv", keep_default_na=False)
    assert len(claims) == sum(len(event["claims"]) for event in listed)
    citations = pd.read_csv(shipped / "citations.csv", keep_default_na=False)
    event_citations = citations[citations["fact"] == "event"]
    assert len(event_citations) == sum(len(event["sources"]) for event in listed)
    assert set(citations["type"]) <= {"article", "source", "url"}


def test_json_normalize_takes_the_items_with_the_files_own_keys(shipped: Path) -> None:
    document = json.loads((shipped / "events.json").read_text())
    table = pd.json_normalize(document, record_path="items", meta=["record_kind", "count"])
    assert len(table) == document["count"]
    assert set(table["record_kind"]) == {"event"}
    assert "kind" in table.columns  # each event's own kind, not the file's


def test_frictionless_accepts_the_data_package_with_the_sites_licence(shipped: Path) -> None:
    report = validate(shipped / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((shipped / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    described = {resource["path"] for resource in package["resources"]}
    assert described == {p.name for p in shipped.glob("*.csv")}


def test_frictionless_finds_a_corrupted_table(shipped: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(shipped, copy)
    events = (copy / "events.csv").read_text(encoding="utf-8")
    first_day = re.search(r",day,(\d{4}-\d\d-\d\d),", events)
    assert first_day is not None
    (copy / "events.csv").write_text(events.replace(first_day.group(0), ",day,someday,", 1),
                                     encoding="utf-8", newline="")
    assert not validate(copy / "datapackage.json").valid


def test_hostile_text_comes_back_from_pandas_exactly_as_written(hostile: Path) -> None:
    events = pd.read_csv(hostile / "events.csv", keep_default_na=False, dtype=str)
    assert HOSTILE_TITLE in set(events["title"])
    assert validate(hostile / "datapackage.json").valid
    raw = (hostile / "events.csv").read_bytes()
    assert b"\r\n" in raw and raw.decode("utf-8")


def test_without_a_licence_the_package_claims_none(hostile: Path) -> None:
    package = json.loads((hostile / "datapackage.json").read_text())
    assert "licenses" not in package  # the fixture's site.yaml states none


@pytest.mark.parametrize("licence", [
    "CC-BY-4", "LicenseRef-scancode-public-domain", "LicenseRef-scancode-3com-microcode",
    "Classpath-exception-2.0", "MIT OR Apache-2.0", "LicenseRef-ours",
])
def test_a_licence_that_is_not_an_spdx_id_is_an_error_at_its_line(tmp_path: Path,
                                                                  licence: str) -> None:
    """Only SPDX's licences: not an expression, not an exception, not the ScanCode
    keys the licence library also knows."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    with (site / "content" / "site.yaml").open("a") as handle:
        handle.write(f"license: {licence}\n")
    done = subprocess.run([sys.executable, "-m", "kabul_brief", "check"], cwd=site,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    line = len((site / "content" / "site.yaml").read_text().splitlines())
    assert re.search(rf"content/site.yaml:{line}:\d+: error: '{re.escape(licence)}' is not"
                     " an SPDX licence id", done.stdout + done.stderr), done.stderr


@pytest.mark.parametrize(("written", "spelled"), [
    ("CC-BY-4.0", "CC-BY-4.0"), ("cc0-1.0", "CC0-1.0"), ("ODbL-1.0", "ODbL-1.0")])
def test_an_spdx_licence_is_kept_as_spdx_spells_it(tmp_path: Path, written: str,
                                                   spelled: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    with (site / "content" / "site.yaml").open("a") as handle:
        handle.write(f"license: {written}\n")
    done = subprocess.run([sys.executable, "-m", "kabul_brief", "build", "-q", "--out", "out"],
                          cwd=site, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    package = json.loads((site / "out" / "data" / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == spelled


def test_every_data_file_is_documented_and_every_documented_one_exists(
        shipped: Path) -> None:
    docs = (REPO / "docs" / "data.md").read_text()
    documented = set(re.findall(r"`data/([\w.]+)`", docs)) - {"KIND.json"}
    built = {p.name for p in shipped.iterdir() if p.is_file()}
    assert built == documented
    assert {p.parent.name for p in shipped.rglob("*") if p.is_file()} == {"data", "schema"}
    assert "`data/schema/KIND.schema.json`" in docs


SCHEMA_OF = {"timeline.json": None, "datapackage.json": None}  # formats of their own


def test_every_json_data_file_validates_against_the_schema_beside_it(shipped: Path) -> None:
    import jsonschema

    checked = 0
    for path in sorted(shipped.glob("*.json")):
        if path.name in SCHEMA_OF:
            continue
        schema = json.loads((shipped / "schema" / f"{path.stem}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(json.loads(path.read_text()), schema,
                            cls=jsonschema.Draft202012Validator)
        checked += 1
    assert checked == 9
    schemas = {p.name for p in (shipped / "schema").iterdir()}
    assert schemas == {f"{p.stem}.schema.json" for p in shipped.glob("*.json")
                       if p.name not in SCHEMA_OF}


def test_a_schema_refuses_a_file_that_strays_from_the_model(shipped: Path) -> None:
    import jsonschema

    schema = json.loads((shipped / "schema" / "events.schema.json").read_text())
    document = json.loads((shipped / "events.json").read_text())
    document["items"][0]["date"] = "15 August 2021"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    document = json.loads((shipped / "events.json").read_text())
    document["items"][0]["invented"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(("kind", "stray"), [
    ("places", {"coordinates": [91.0, 69.2]}),      # a latitude past the pole
    ("places", {"coordinates": [34.5, -181.0]}),
    ("places", {"coordinates": [34.5]}),
    ("events", {"corrections": [{"date": "2025-05", "text": {"markdown": "x", "html": "x"}}]}),
    ("events", {"corrections": [{"date": "2025", "text": {"markdown": "x", "html": "x"}}]}),
])
def test_the_schemas_hold_the_data_to_the_rules_the_docs_give(shipped: Path, kind: str,
                                                              stray: dict[str, object]) -> None:
    """As the content's own rules say: a correction is dated to the day; coordinates
    are [latitude, longitude] within their ranges."""
    import jsonschema

    schema = json.loads((shipped / "schema" / f"{kind}.schema.json").read_text())
    document = json.loads((shipped / f"{kind}.json").read_text())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    document["items"][0].update(stray)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    document["items"][0].update({"coordinates": None} if kind == "places" else {
        "corrections": [{"date": "2025-05-06", "text": {"markdown": "x", "html": "x"}}]})
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def test_data_packages_of_sites_titled_in_dari_and_pashto_are_told_apart(
        tmp_path: Path) -> None:
    """The package ``name`` is what a data portal files it under: two desks' packages
    must not share one because ASCII cannot spell their titles."""
    names = set()
    for title in ("کابل بریف", "د پښتو خبرونه", "Kabul Brief"):
        site = tmp_path / str(len(names))
        shutil.copytree(FIXTURE, site)
        settings = site / "content" / "site.yaml"
        text = re.sub(r"(?m)^title:.*$", f"title: {json.dumps(title, ensure_ascii=False)}",
                      settings.read_text(encoding="utf-8"))
        settings.write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "kabul_brief", "build", "-q", "--out",
                               "out"], cwd=site, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        package_file = site / "out" / "data" / "datapackage.json"
        package = json.loads(package_file.read_text())
        assert package["title"] == title
        assert re.fullmatch(r"[a-z0-9._-]+", package["name"]), package["name"]
        assert validate(package_file).valid
        names.add(package["name"])
    assert len(names) == 3
    assert "kabul-brief-data" in names
