"""`kabul-brief schema`: the editors' JSON Schemas agree with the validator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kabul_brief.content.loader import translation_of
from tests.conftest import GOOD_SITE, CliResult

REPO = Path(__file__).resolve().parents[1]
FOLDER_KINDS = {
    "actors": "actor", "places": "place", "events": "event", "disputes": "dispute",
    "relationships": "relationship", "sources": "source",
}


class Yaml12Loader(yaml.SafeLoader):
    """Reads YAML as editors' tools (yaml-language-server, YAML 1.2) do: dates stay text."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def content_documents(content: Path) -> Iterator[tuple[str, Path, Any]]:
    """(kind, file, parsed document) for every content file, front matter included."""
    yield "site", content / "site.yaml", yaml.load(
        (content / "site.yaml").read_text(encoding="utf-8"), Loader=Yaml12Loader
    )
    for folder, kind in FOLDER_KINDS.items():
        for path in sorted((content / folder).rglob("*.yaml")):
            if not path.name.startswith("_"):
                yield kind, path, yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)
    for folder, kind in (("articles", "article"), ("pages", "page")):
        for path in sorted((content / folder).rglob("*.md")):
            front_matter = path.read_text(encoding="utf-8").split("---\n")[1]
            # STEM.CODE.md is a translation, with front matter of its own
            own = "translation" if translation_of(path.name) is not None else kind
            yield own, path, yaml.load(front_matter, Loader=Yaml12Loader)


@pytest.fixture
def schemas(tmp_path: Path, run_cli: Callable[..., CliResult]) -> dict[str, Any]:
    result = run_cli("schema", "--out", str(tmp_path / "schema"))
    assert result.code == 0
    written = sorted(p.name for p in (tmp_path / "schema").iterdir())
    assert written == sorted(f"{kind}.schema.json" for kind in
                             ["site", "article", "page", "translation", *FOLDER_KINDS.values()])
    loaded = {}
    for path in (tmp_path / "schema").iterdir():
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        loaded[path.name.removesuffix(".schema.json")] = schema
    return loaded


@pytest.mark.parametrize("content", [GOOD_SITE / "content", REPO / "content"],
                         ids=["good-fixture", "shipped-content"])
def test_schemas_accept_every_valid_content_file(schemas: dict[str, Any], content: Path) -> None:
    checked = 0
    for kind, path, document in content_documents(content):
        errors = list(jsonschema.Draft202012Validator(schemas[kind]).iter_errors(document))
        assert errors == [], f"{path}: {errors[0].message if errors else ''}"
        checked += 1
    assert checked >= 10


def test_schema_rejects_an_unknown_field(schemas: dict[str, Any]) -> None:
    event = yaml.load(
        (GOOD_SITE / "content/events/kabul-meeting.yaml").read_text(encoding="utf-8"),
        Loader=Yaml12Loader,
    )
    event["sumary"] = event.pop("summary")
    errors = list(jsonschema.Draft202012Validator(schemas["event"]).iter_errors(event))
    assert errors, "an unknown field must be rejected"
    assert any("sumary" in error.message for error in _leaves(errors))


@pytest.mark.parametrize(
    ("kind", "document"),
    [
        ("place", {"id": "x", "name": "X", "kind": "planet"}),
        ("place", {"id": "Bad Id", "name": "X", "kind": "city"}),
        ("event", {"id": "x", "title": "X", "date": "17/08/2021", "kind": "other",
                   "sources": [{"source": "s"}]}),
        ("event", {"id": "x", "title": "X", "date": 2025, "kind": "other", "sources": []}),
        ("relationship", {"id": "x", "parties": ["a"]}),
        ("source", {"id": "x", "title": "X", "url": "javascript:alert(1)"}),
    ],
    ids=["closed-vocabulary", "id-syntax", "date-form", "empty-sources", "two-parties",
         "http-urls-only"],
)
def test_schema_rejects_what_the_validator_rejects(
    schemas: dict[str, Any], kind: str, document: dict[str, Any]
) -> None:
    assert not jsonschema.Draft202012Validator(schemas[kind]).is_valid(document)


def _leaves(errors: list[jsonschema.ValidationError]) -> Iterator[jsonschema.ValidationError]:
    for error in errors:
        yield error
        yield from _leaves(list(error.context or []))


def test_the_translation_schema_names_its_fields_and_refuses_others(
        schemas: dict[str, Any]) -> None:
    """What editors' YAML tooling knows of a translation's front matter (STEM.CODE.md):
    its own title (required), summary, translator and reviewed; not the original's
    date or actors, which it takes from the original."""
    schema = schemas["translation"]
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors({"title": "عنوان", "translator": "Desk",
                                           "reviewed": False}))
    refused = {"title": "x", "date": "2025-05-01"}
    assert [e.message for e in validator.iter_errors(refused)]  # the original's field
    assert [e.message for e in validator.iter_errors({"summary": "x"})]  # no title
    assert [e.message for e in validator.iter_errors({"title": "x", "reviewed": "yes"})]
