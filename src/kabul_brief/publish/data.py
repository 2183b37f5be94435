"""The validated model as JSON: ``data/KIND.json``, one file per kind of record.

Shape (documented in ``docs/data.md``): ``{"kind": ..., "count": N, "items": [...]}``
with records in the site's display order; dates are ISO strings at the precision
given, Markdown fields are ``{"markdown", "html"}`` with record links resolved to
absolute URLs, citations carry a ``type``, and every record its page ``url``. Keys
are sorted and no build time is written, so the files are deterministic.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate
from kabul_brief.publish.urls import FOLDERS, Urls

_CITATION_TYPES: Final[dict[type, str]] = {
    m.ArticleCitation: "article", m.SourceCitation: "source", m.LinkCitation: "url",
}
_LEFT_OUT: Final = frozenset({"origin"})
"""Where a record was written is the editors' business, not the readers'."""


def _json(value: Any, urls: Urls) -> Any:
    if isinstance(value, PartialDate):
        return value.iso
    if isinstance(value, m.Markup):
        return {"markdown": value.source, "html": urls.rewrite(value.html, absolute=True)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {
            f.name: _json(getattr(value, f.name), urls)
            for f in dataclasses.fields(value) if f.name not in _LEFT_OUT
        }
        if type(value) in _CITATION_TYPES:
            data["type"] = _CITATION_TYPES[type(value)]
        return data
    if isinstance(value, Mapping):
        return {str(k): _json(v, urls) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_json(v, urls) for v in value]
    return value


def _records(kind: str, records: Mapping[Any, Any], urls: Urls) -> dict[str, Any]:
    items = []
    for record_id, record in records.items():
        item = _json(record, urls)
        item["url"] = urls.absolute(urls.record(kind, record_id))
        items.append(item)
    return {"kind": kind, "count": len(items), "items": items}


def data_files(site: m.Site, urls: Urls) -> dict[str, bytes]:
    """Site path -> file content, for every ``data/*.json``."""
    collections: dict[str, Mapping[Any, Any]] = {
        "actor": site.actors, "place": site.places, "event": site.events,
        "dispute": site.disputes, "relationship": site.relationships,
        "source": site.sources, "article": site.articles,
    }
    documents: dict[str, Any] = {
        f"data/{FOLDERS[kind]}.json": _records(kind, records, urls)
        for kind, records in collections.items()
    }
    pages = [
        _json(page, urls) | {"url": urls.absolute_path(urls.page_path(page_id))}
        for page_id, page in site.pages.items()
    ]
    documents["data/pages.json"] = {"kind": "page", "count": len(pages), "items": pages}
    documents["data/site.json"] = {
        "kind": "site",
        "settings": _json(site.settings, urls) | {"base_url": urls.base},
        "timeline": list(site.timeline),
        "files": sorted(documents),
    }
    return {
        path: (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        for path, doc in documents.items()
    }
