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
from collections.abc import Callable, Mapping
from typing import Any, Final

import orjson

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.publish.urls import FOLDERS, Urls

_CITATION_TYPES: Final[dict[type, str]] = {
    m.ArticleCitation: "article", m.SourceCitation: "source", m.LinkCitation: "url",
}
_LEFT_OUT: Final = frozenset({"origin", "blocks"})
"""Where a record was written is the editors' business, not the readers'; an article's
blocks are its body again (its paragraphs are written, see :data:`_DERIVED`)."""
_DERIVED: Final[dict[type, tuple[str, ...]]] = {m.Article: ("paragraphs",)}
"""Properties of the model written as if they were fields."""
_AS_WRITTEN: Final[dict[type, dict[str, str]]] = {
    m.Role: {"start": "from", "end": "to"},
    m.Position: {"text": "position"},
}
"""Model fields named otherwise than the editor's field: shown by the editor's name."""
PERMALINK: Final = "permalink"


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
