"""Tests written for mutants that survived a mutation run (docs/testing.md lists them):
each asserts something an editor would notice and no earlier test pinned down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kabul_brief.content.dates import PartialDate, parse_date
from kabul_brief.content.fieldtypes import (
    INVALID,
    Bool,
    Date,
    Field,
    FieldType,
    ListOf,
    Number,
    ReadContext,
    Struct,
    Text,
    Url,
    id_text,
)
from kabul_brief.content.schemas import record_json_schema
from kabul_brief.content.yamlsource import SourceText, compose

# -- dates: the edges of the calendar ----------------------------------------------------


def test_year_one_is_a_date_and_year_zero_and_month_thirteen_are_not() -> None:
    assert parse_date("0001") == PartialDate(year=1)
    assert parse_date("0001-01-01") == PartialDate(year=1, month=1, day=1)
    assert parse_date("0000") == "'0000' has no year 0000"
    assert parse_date("2025-13") == "'2025-13' has month 13, outside 01-12"
    assert parse_date("2025-12") == PartialDate(year=2025, month=12)


# -- field types: the editors' JSON Schema accepts exactly what the validator accepts -----


def _validator_accepts(field_type: FieldType, text: str) -> bool:
    """Whether the build would accept ``value: TEXT`` for a field of this type."""
    source = SourceText(f"value: {text}\n", "f.yaml")
    root, errors = compose(source)
    assert root is not None and not errors, text
    ctx = ReadContext(source=source, errors=[], positions={})
    record = Struct("record", (Field(name="value", type=field_type),))
    return record.read(root, (), ctx) is not INVALID and not ctx.errors


class _Yaml12Loader(yaml.SafeLoader):
    """Reads YAML as editors' tools do (YAML 1.2): dates stay text."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _schema_accepts(field_type: FieldType, text: str, required: bool = False) -> bool:
    schema = Struct("record", (Field(name="value", type=field_type, required=required),)
                    ).json_schema()
    document: Any = yaml.load(f"value: {text}\n", Loader=_Yaml12Loader)
    return jsonschema.Draft202012Validator(schema).is_valid(document)


AGREEMENT: list[tuple[str, FieldType, list[str]]] = [
    ("text", Text(), ["Kabul", "''", "'  '", "[Kabul]", "{a: b}", "'x'"]),
    ("id", id_text(), ["kabul", "Kabul", "'" + "a" * 64 + "'", "'" + "a" * 65 + "'", "a--b"]),
    ("bounded-text", Text(max_length=3), ["abc", "abcd"]),
    ("date", Date(), ["2025", "2025-04", "2025-04-22", "'2025-13'", "0", "10000", "0001",
                      "[2025]", "2025-4"]),
    ("nullable-date", Date(nullable=True), ["2025-04", "'someday'", "[2025]", "{a: b}"]),
    ("bool", Bool(), ["true", "false", "'yes'", "1"]),
    ("number", Number(-90, 90), ["0", "-90", "90", "90.5", "-91", "'12'"]),
    ("url", Url(), ["https://example.org/a", "HTTP://EXAMPLE.ORG", "ftp://example.org",
                    "example.org", "[https://example.org]"]),
    ("list", ListOf(Text(), min_items=1, max_items=2, unique=True),
     ["[a]", "[a, b]", "[a, b, c]", "[]", "[a, a]", "a", "[[a]]"]),
]


@pytest.mark.parametrize(("field_type", "texts"), [(t, v) for _, t, v in AGREEMENT],
                         ids=[name for name, _, _ in AGREEMENT])
def test_the_schema_of_a_field_type_agrees_with_the_validator(
    field_type: FieldType, texts: list[str]
) -> None:
    for text in texts:
        assert _schema_accepts(field_type, text) == _validator_accepts(field_type, text), text


def test_the_schema_allows_an_empty_optional_field_but_not_an_empty_required_one() -> None:
    assert _validator_accepts(Date(nullable=True), "")  # a role's "to": still holds
    assert _schema_accepts(Date(nullable=True), "")
    for field_type in (Text(), Url(), Bool(), Date(), ListOf(Text())):
        assert _validator_accepts(field_type, "")  # an optional field left empty
        assert _schema_accepts(field_type, "")
        assert not _schema_accepts(field_type, "", required=True)
        assert not _schema_accepts(field_type, "{}", required=True)
    event = record_json_schema("event")
    assert jsonschema.Draft202012Validator(event).is_valid(
        {"id": "x", "title": "X", "date": "2025", "kind": "other", "sources": [{"source": "s"}]})
    assert not jsonschema.Draft202012Validator(event).is_valid(
        {"id": "x", "title": "X", "kind": "other", "sources": [{"source": "s"}]})
    for citation in ({"sourse": "s"}, {"source": "Bad Id"}, 42, ["s"]):  # each refused
        assert not jsonschema.Draft202012Validator(event).is_valid(
            {"id": "x", "title": "X", "date": "2025", "kind": "other", "sources": [citation]})


def test_the_schema_describes_dates_markdown_references_and_documented_fields() -> None:
    """What an editor's YAML tooling shows when hovering over a field."""
    event = record_json_schema("event")["oneOf"][0]["properties"]
    assert event["date"]["description"] == "YYYY, YYYY-MM or YYYY-MM-DD"
    assert event["summary"]["anyOf"][0]["description"] == "Markdown"
    assert event["place"]["anyOf"][0]["description"] == "id of a place"
    assert event["circa"]["description"] == "the date is approximate"


# -- YAML syntax errors: the message and the hint -----------------------------------------


def _one_error(text: str) -> tuple[str, str, str | None]:
    root, errors = compose(SourceText(text, "f.yaml"))
    assert root is None and len(errors) == 1
    error = errors[0]
    return str(error.position), error.message, error.hint


def test_a_syntax_error_says_what_yaml_was_parsing() -> None:
    assert _one_error("a: [b, c\n") == (
        "f.yaml:2:1",
        "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        None,
    )


def test_aliases_and_tags_get_their_hints() -> None:
    assert _one_error("a: *nope\n") == (
        "f.yaml:1:4", "YAML syntax error: found undefined alias",
        "Define an anchor (&name) before using it as an alias (*name).")
    assert _one_error("a: !e!foo 1\n") == (
        "f.yaml:1:4", "YAML syntax error: found undefined tag handle (while parsing a node)",
        "Tags such as !foo are not allowed in content files: remove it.")


@pytest.mark.parametrize(("text", "hint"), [
    ("a: 1\n\tb: 2\n", "YAML does not allow tabs for indentation: use spaces."),
    ("a: &x 1\nb: &x 2\n", "An anchor (&name) may be defined once in a file: rename the"
     " second one."),
], ids=["tab", "duplicate-anchor"])
def test_tabs_and_duplicate_anchors_get_their_hints(text: str, hint: str) -> None:
    assert _one_error(text)[2] == hint


# -- field types: what the editor is told, and what the model holds -------------------------


def _read(field_type: FieldType, text: str) -> tuple[Any, list[tuple[str, str, str | None]]]:
    """(value or INVALID, [(code, message, hint)]) for a required ``value: TEXT``."""
    source = SourceText(f"value: {text}\n", "f.yaml")
    root, errors = compose(source)
    assert root is not None and not errors, text
    ctx = ReadContext(source=source, errors=[], positions={})
    read = Struct("record", (Field(name="value", type=field_type, required=True),)).read(
        root, (), ctx)
    value = read if read is INVALID else read["value"]
    return value, [(e.code, e.message, e.hint) for e in ctx.errors]


ROLE = Struct("role", (Field(name="title", type=Text()),))
COORDINATE = Number(-90, 90, "a coordinate")


@pytest.mark.parametrize(("field_type", "text", "error"), [
    (Text(), "{a: b}", ("type", "expected text, found a mapping", None)),
    (ListOf(ROLE), "[~]", ("type", "expected role (a mapping of fields), found nothing", None)),
    (ListOf(ROLE), "['~']", ("type", "expected role (a mapping of fields), found '~'", None)),
    (COORDINATE, "north", ("type", "expected a coordinate, found 'north'", None)),
    (COORDINATE, "'12'", ("type", "expected a coordinate, found '12'", None)),
    (COORDINATE, "[1]", ("type", "expected a coordinate, found a list", None)),
    (Bool(), "[true]", ("type", "expected true or false, found a list", None)),
    (Bool(), "yes", ("type", "expected true or false, found 'yes'", "Write true or false.")),
], ids=["mapping", "nothing", "quoted-tilde", "word-for-number",
        "quoted-number", "list-for-number", "list-for-bool", "yes-for-bool"])
def test_a_value_of_the_wrong_kind_is_named_in_the_error(
    field_type: FieldType, text: str, error: tuple[str, str, str | None]
) -> None:
    assert _read(field_type, text) == (INVALID, [error])


def test_booleans_and_numbers_hold_what_was_written() -> None:
    assert _read(Bool(), "true") == (True, [])
    assert _read(Bool(), "False") == (False, [])
    assert _read(COORDINATE, "34") == (34.0, [])
    assert _read(COORDINATE, "-1.5") == (-1.5, [])


def test_new_files_show_an_example_of_each_optional_field(tmp_path: Path) -> None:
    from kabul_brief.cli import main

    content = tmp_path / "content"
    content.mkdir()
    assert main(["new", "event", "Talks", "--content", str(content)]) == 0
    assert main(["new", "source", "A report", "--content", str(content)]) == 0
    event = (content / "events" / "talks.yaml").read_text("utf-8").splitlines()
    source = (content / "sources" / "a-report.yaml").read_text("utf-8").splitlines()
    assert "# circa: true  # the date is approximate" in event
    assert "# end: 2025-04  # last day/month/year of a range" in event
    assert "# url: https://example.org/report" in source
    assert "# publisher: ..." in source


# -- urls ------------------------------------------------------------------------------------


def test_a_page_id_that_is_no_path_segment_is_refused_by_name() -> None:
    """The loader refuses such ids first; this guard keeps a bug from writing outside."""
    from kabul_brief.publish.urls import Urls

    assert Urls.page_path("about") == "about/"
    with pytest.raises(ValueError, match=r"^page id '\.\./x' cannot be a path$"):
        Urls.page_path("../x")
    with pytest.raises(ValueError, match=r"^actor id 'a/b' cannot be a path$"):
        Urls("https://example.org/").record_path("actor", "a/b")


# -- feeds -----------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(("summary", "shown"), [
    (" ".join(["word123"] * 125), None),  # 999 characters: shown whole
    (" ".join(["word123"] * 125) + " a", " ".join(["word123"] * 125) + "…"),  # 1001
    (" ".join(["word123"] * 200), " ".join(["word123"] * 125) + "…"),
], ids=["999", "1001", "1599"])
def test_a_feed_summary_is_cut_at_a_word_after_1000_characters(
    tmp_path: Path, summary: str, shown: str | None
) -> None:
    from xml.etree import ElementTree

    from test_site_support import BASIC, build, copy_content

    content = copy_content(BASIC, tmp_path)
    article = content / "articles" / "outreach.md"
    article.write_text(article.read_text("utf-8").replace(
        "summary: How India re-engaged the Taliban government.", f"summary: {summary}"), "utf-8")
    assert build(content, tmp_path / "site") == 0
    feed = ElementTree.parse(tmp_path / "site" / "feed.xml").getroot()
    summaries = [entry.findtext(f"{ATOM}summary") or "" for entry in feed.iter(f"{ATOM}entry")]
    assert (shown or summary) in summaries


def test_the_feed_of_a_site_without_articles_is_dated_at_the_epoch(tmp_path: Path) -> None:
    """Atom requires an <updated> date even with no entries; a fixed one keeps builds
    byte-identical."""
    import shutil
    from xml.etree import ElementTree

    from test_site_support import BASIC, build

    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(BASIC / "site.yaml", content / "site.yaml")
    assert build(content, tmp_path / "site") == 0
    feed = ElementTree.parse(tmp_path / "site" / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    assert not list(feed.iter(f"{ATOM}entry"))
