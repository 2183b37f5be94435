"""The validated model as JSON: ``data/KIND.json``, one file per kind of record.

Shape (documented in ``docs/data.md``): ``{"record_kind": ..., "count": N, "items": [...]}``
with records in the site's display order; dates are ISO strings at the precision
given, Markdown fields are ``{"markdown", "html"}`` with record links resolved to
absolute URLs, citations carry a ``type``. Fields keep the names and values the
editor wrote (a source's ``url`` is its own address), and every record adds the
``permalink`` of its page here. Keys are sorted and no build time is written, so
the files are deterministic.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final

import orjson

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.publish.urls import FOLDERS, Urls

_CITATION_TYPES: Final[dict[type, str]] = {
    m.ArticleCitation: "article", m.SourceCitation: "source", m.LinkCitation: "url",
}
_LEFT_OUT: Final = frozenset({"origin", "blocks", "written", "original"})
"""Where a record was written is the editors' business, not the readers'; an article's
blocks are its body again (its paragraphs are written, see :data:`_DERIVED`); a list
item's place in its file is its place in the list written."""
_DERIVED: Final[dict[type, tuple[str, ...]]] = {m.Article: ("paragraphs",)}
"""Properties of the model written as if they were fields."""
_AS_WRITTEN: Final[dict[type, dict[str, str]]] = {
    m.Role: {"start": "from", "end": "to"},
    m.Position: {"text": "position"},
}
"""Model fields named otherwise than the editor's field: shown by the editor's name."""
PERMALINK: Final = "permalink"
_ONLY_IF_GIVEN: Final = ("translations", "translated")
"""Written only when the record has some: a site in one language has none."""


def _translations_json(translations: m.Translations) -> dict[str, dict[str, Any]]:
    """The texts in further languages, keyed by the field's path as written, joined by
    dots (``name``, ``roles.0.title``), then by language code: language-neutral data
    with the translations kept as mappings beside the main language's fields."""
    return {".".join(map(str, path)): dict(texts) for path, texts in translations.items()}


def pretty_json(document: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Indented, key-sorted UTF-8 JSON ending in a newline: the layout of
    ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)``, written by orjson,
    which takes a fraction of the time on an archive's ten thousand records."""
    return orjson.dumps(
        document, default=default,
        option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
        | orjson.OPT_PASSTHROUGH_DATACLASS,
    )


@functools.cache
def _fields(kind: type) -> tuple[str, ...]:
    names = (f.name for f in dataclasses.fields(kind) if f.name not in _LEFT_OUT)
    return (*names, *_DERIVED.get(kind, ()))


@functools.cache
def _names(kind: type) -> tuple[tuple[str, str], ...]:
    """(model field, JSON key) of each field written."""
    renamed = _AS_WRITTEN.get(kind, {})
    return tuple((name, renamed.get(name, name)) for name in _fields(kind))


def _record_json(urls: Urls) -> Callable[[Any], Any]:
    """What orjson calls for each value it cannot write itself: records, dates, Markdown."""

    def convert(value: Any) -> Any:
        if isinstance(value, PartialDate):
            return value.iso
        if isinstance(value, m.Markup):
            return {"markdown": value.source, "html": urls.rewrite(value.html, absolute=True)}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            data = {key: getattr(value, name) for name, key in _names(type(value))}
            if data.get("draft") is False:  # as the editor wrote it: no draft: false
                del data["draft"]
            for key in _ONLY_IF_GIVEN:
                if key in data and not data[key]:
                    del data[key]
            if "translations" in data:
                data["translations"] = _translations_json(data["translations"])
            if type(value) in _CITATION_TYPES:
                data["type"] = _CITATION_TYPES[type(value)]
            return data
        if isinstance(value, Mapping):
            return {str(k): v for k, v in value.items()}
        raise TypeError(f"no JSON for {type(value).__name__}")

    return convert


def _records(kind: str, records: Mapping[Any, Any], urls: Urls,
             convert: Callable[[Any], Any]) -> dict[str, Any]:
    items = []
    for record_id, record in records.items():
        item = convert(record)
        item[PERMALINK] = urls.absolute(urls.record(kind, record_id))
        items.append(item)
    return {"record_kind": kind, "count": len(items), "items": items}


def data_files(site: m.Site, urls: Urls) -> dict[str, bytes]:
    """Site path -> file content, for every ``data/*.json``."""
    convert = _record_json(urls)
    documents: dict[str, Any] = {
        f"{Urls.DATA_FOLDER}/{folder}.json": _records(kind, site.records(kind), urls, convert)
        for kind, folder in FOLDERS.items()
    }
    pages = [
        convert(page) | {PERMALINK: urls.absolute_path(urls.page_path(page_id))}
        for page_id, page in site.pages.items()
    ]
    documents[f"{Urls.DATA_FOLDER}/pages.json"] = {
        "record_kind": "page", "count": len(pages), "items": pages}
    documents[f"{Urls.DATA_FOLDER}/site.json"] = {
        "record_kind": "site",
        "settings": convert(site.settings) | {"base_url": urls.base},
        "timeline": list(site.timeline),
        "files": sorted(documents),
    }
    return {path: pretty_json(doc, convert) for path, doc in documents.items()}


# -- JSON Schemas of the files above ------------------------------------------------
# Made from the model's own type hints by the rules ``_record_json`` writes by, so a
# field added to the model is in the schema without anyone writing it there, and a
# test validates every built file against its schema.

SCHEMA_FOLDER: Final = f"{Urls.DATA_FOLDER}/schema"
_RECORD_TYPES: Final[dict[str, type]] = {
    "actor": m.Actor, "place": m.Place, "event": m.Event, "dispute": m.Dispute,
    "relationship": m.Relationship, "source": m.Source, "article": m.Article, "page": m.Page}
_DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
_DATE_PATTERN: Final = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _type_schema(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if hint is str or isinstance(hint, typing.NewType):
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is PartialDate:
        return {"type": "string", "pattern": _DATE_PATTERN,
                "description": "a date at the precision given: YYYY, YYYY-MM or YYYY-MM-DD"}
    if hint is m.Markup:
        return {"type": "object", "required": ["markdown", "html"],
                "properties": {"markdown": {"type": "string"}, "html": {"type": "string"}},
                "additionalProperties": False}
    if origin is Mapping:
        key, item = typing.get_args(hint)
        described = ("field path as written, dot-joined (name, roles.0.title), then"
                     " language code" if typing.get_origin(key) is tuple else "")
        schema: dict[str, Any] = {"type": "object",
                                  "additionalProperties": _type_schema(item, definitions)}
        return {**schema, "description": described} if described else schema
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(hint))}
    if origin in (types.UnionType, typing.Union):
        options = [_type_schema(arg, definitions) for arg in typing.get_args(hint)]
        return options[0] if len(options) == 1 else {"anyOf": options}
    if hint is type(None):
        return {"type": "null"}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], definitions)}
        return {"type": "array", "prefixItems": [_type_schema(a, definitions) for a in args],
                "minItems": len(args), "maxItems": len(args)}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        name = hint.__name__
        if name not in definitions:
            definitions[name] = {}  # recursion guard
            definitions[name] = _dataclass_schema(hint, definitions)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {hint!r}")


@functools.cache
def _narrowed() -> dict[tuple[type, str], dict[str, Any]]:
    """Fields the content's own schema narrows further than their type says (a
    correction is dated to the day; a latitude lies within ±90): the data file's schema
    takes the same rule from the same field type, so the two cannot drift apart."""
    from kabul_brief.content import schemas

    def rule(struct: Any, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = next(
            f for f in struct.fields if f.name == name).type.json_schema()
        return schema

    return {(m.Correction, "date"): rule(schemas.CORRECTION, "date"),
            (m.Place, "coordinates"): {"anyOf": [rule(schemas.PLACE, "coordinates"),
                                                 {"type": "null"}]}}


def _dataclass_schema(kind: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(kind)
    narrowed = _narrowed()
    properties = {key: narrowed.get((kind, name)) or _type_schema(hints[name], definitions)
                  for name, key in _names(kind) if name in hints}
    required = [key for _, key in _names(kind)
                if key != "draft" and key not in _ONLY_IF_GIVEN]
    if "draft" in properties:
        properties["draft"] = {"const": True, "description": "only in a build with --drafts"}
    if kind in _CITATION_TYPES:
        properties["type"] = {"const": _CITATION_TYPES[kind]}
        required.append("type")
    for name in _DERIVED.get(kind, ()):  # properties of the model, not fields
        hint = typing.get_type_hints(getattr(kind, name).fget)["return"]
        properties[name] = _type_schema(hint, definitions)
    return {"type": "object", "properties": properties, "required": sorted(required),
            "additionalProperties": False}


def _file_schema(title: str, record_kind: str, item: type) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    item_schema = _dataclass_schema(item, definitions)
    item_schema["properties"][PERMALINK] = {"type": "string", "format": "uri"}
    item_schema["required"] = sorted([*item_schema["required"], PERMALINK])
    return {"$schema": _DRAFT, "title": title, "type": "object",
            "required": ["record_kind", "count", "items"], "additionalProperties": False,
            "properties": {"record_kind": {"const": record_kind},
                           "count": {"type": "integer", "minimum": 0},
                           "items": {"type": "array", "items": item_schema}},
            "$defs": definitions}


def schema_files(site: m.Site) -> dict[str, bytes]:
    """Site path -> bytes: the JSON Schema of each ``data/KIND.json`` and of
    ``data/site.json``, at ``data/schema/KIND.schema.json``."""
    del site  # the schemas are the model's, whatever the content
    documents: dict[str, Any] = {}
    for kind, folder in {**FOLDERS, "page": "pages"}.items():
        documents[f"{SCHEMA_FOLDER}/{folder}.schema.json"] = _file_schema(
            f"data/{folder}.json", kind, _RECORD_TYPES[kind])
    definitions: dict[str, Any] = {}
    settings = _dataclass_schema(m.SiteSettings, definitions)
    documents[f"{SCHEMA_FOLDER}/site.schema.json"] = {
        "$schema": _DRAFT, "title": "data/site.json", "type": "object",
        "required": ["record_kind", "settings", "timeline", "files"],
        "additionalProperties": False,
        "properties": {"record_kind": {"const": "site"}, "settings": settings,
                       "timeline": {"type": "array", "items": {"type": "string"}},
                       "files": {"type": "array", "items": {"type": "string"}}},
        "$defs": definitions}
    return {path: pretty_json(doc) for path, doc in documents.items()}
