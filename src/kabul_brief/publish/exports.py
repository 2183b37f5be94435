"""Exports for other tools: the timeline as iCalendar (made by
:mod:`~kabul_brief.publish.calendars`) and as TimelineJS JSON, places as GeoJSON.

Nothing here reads a clock. Dates keep their precision: TimelineJS gets only the
parts of a date that were given; GeoJSON coordinates are ``[longitude, latitude]``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate, Precision
from kabul_brief.publish.calendars import calendar
from kabul_brief.publish.data import pretty_json
from kabul_brief.publish.urls import Urls
from kabul_brief.publish.views import Kit


def timelinejs_date(date: PartialDate) -> dict[str, str]:
    """``{"year": "2025", "month": "4"}``: only the parts the editor gave."""
    parts = {"year": str(date.year)}
    if date.month is not None:
        parts["month"] = str(date.month)
    if date.day is not None:
        parts["day"] = str(date.day)
    return parts


def timelinejs(site: m.Site, urls: Urls) -> dict[str, Any]:
    """TimelineJS shows its headlines, texts, dates and groups as HTML: plain text goes
    in escaped, and only the sanitized Markdown of a summary goes in as HTML."""
    events = []
    for event_id in site.timeline:
        event = site.events[event_id]
        url = urls.absolute(urls.record("event", event.id))
        summary = urls.rewrite(event.summary.html, absolute=True) if event.summary else ""
        item: dict[str, Any] = {
            "start_date": timelinejs_date(event.date),
            "text": {"headline": escape(event.title),
                     "text": f'{summary}<p><a href="{escape(url)}">{escape(event.title)}</a></p>'},
            "unique_id": event.id,
            "group": escape(event.kind),
        }
        if event.end is not None and event.end != event.date:
            item["end_date"] = timelinejs_date(event.end)
        if event.date.precision is not Precision.DAY or event.circa:
            shown = event.date.display()
            item["display_date"] = escape(f"c. {shown}" if event.circa else shown)
        events.append(item)
    return {
        "title": {"text": {"headline": escape(f"{site.settings.title}: timeline"),
                           "text": escape(site.settings.tagline or "")}},
        "events": events,
    }


def _popup(name: str, url: str) -> str:
    """Safe HTML for a map popup. ``name`` stays plain text, as written: map tools that
    insert properties as HTML (Leaflet's ``bindPopup``) are given this one instead."""
    return f'<a href="{escape(url)}">{escape(name)}</a>'


def geojson(site: m.Site, urls: Urls) -> dict[str, Any]:
    features = []
    for place_id, place in site.places.items():
        if place.coordinates is None:
            continue
        lat, lon = place.coordinates
        url = urls.absolute(urls.record("place", place_id))
        features.append({
            "type": "Feature",
            "id": place_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": place_id, "name": place.name, "kind": place.kind,
                           "url": url, "popupContent": _popup(place.name, url)},
        })
    return {"type": "FeatureCollection", "features": features}


def ics(site: m.Site, urls: Urls) -> bytes:
    """Every event whose days are known, in timeline order."""
    return calendar(Kit(site, urls), site.timeline, "timeline",
                    urls.absolute_path(urls.TIMELINE_PATH))


def export_files(site: m.Site, urls: Urls) -> dict[str, bytes]:
    """Output path -> content of each export."""
    return {
        urls.ICS_PATH: ics(site, urls),
        urls.TIMELINEJS_PATH: pretty_json(timelinejs(site, urls)),
        urls.GEOJSON_PATH: pretty_json(geojson(site, urls)),
    }
