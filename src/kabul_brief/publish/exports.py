"""Exports for other tools: the timeline as iCalendar and as TimelineJS JSON, places
as GeoJSON.

Nothing here reads a clock. iCalendar wants a ``DTSTAMP``: it is the event's own
start date, so two builds are byte-identical. Dates keep their precision: an event
known to the month or the year is an all-day span over that month or year, its
summary marked "(date approximate: April 2025)"; TimelineJS gets only the parts of
a date that were given; GeoJSON coordinates are ``[longitude, latitude]``.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any, Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate, Precision
from kabul_brief.publish.data import pretty_json
from kabul_brief.publish.meta import plain
from kabul_brief.publish.urls import Urls

PRODID: Final = "-//Kabul Brief//kabul-brief//EN"
_FOLD_AT: Final = 75
"""Octets from which a content line is folded (RFC 5545, section 3.1)."""


def _approximate(event: m.Event) -> str | None:
    """The period to name when the day is not known (or the date is circa)."""
    if event.date.precision is Precision.DAY and not event.circa:
        return None
    text = event.date.display()
    if event.end is not None and event.end != event.date:
        text = f"{text} to {event.end.display()}"
    return f"c. {text}" if event.circa else text


def _ical_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _text(value: str) -> str:
    """A TEXT value escaped by the iCalendar library (commas, semicolons, newlines).
    Unicode's line and paragraph separators become newlines first: some calendar
    readers break a content line at them."""
    from icalendar import vText

    value = value.replace("\u2028", "\n").replace("\u2029", "\n")
    return bytes(vText(value).to_ical()).decode()


def _content_line(name: str, value: str) -> str:
    """``NAME:value``, folded at 75 octets by the iCalendar library's own rule."""
    from icalendar.parser import Contentline

    line = f"{name}:{value}"
    if len(line.encode()) < _FOLD_AT:
        return line
    folded = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
    return bytes(folded).decode()


def _vevent(site: m.Site, urls: Urls, event: m.Event) -> list[str]:
    approximate = _approximate(event)
    summary = event.title + (f" (date approximate: {approximate})" if approximate else "")
    url = urls.absolute(urls.record("event", event.id))
    description = plain(event.summary, limit=2000)
    last = (event.end or event.date).end
    if last < dt.date.max:
        until = ("DTEND;VALUE=DATE", _ical_date(last + dt.timedelta(days=1)))  # exclusive
    else:  # the day after 31 December 9999 has no date: give the length instead
        until = ("DURATION", f"P{(last - event.date.start).days + 1}D")
    properties = [
        ("SUMMARY", _text(summary)),
        ("DTSTART;VALUE=DATE", _ical_date(event.date.start)),
        until,
        ("DTSTAMP", f"{_ical_date(event.date.start)}T000000Z"),
        ("UID", _text(f"{event.id}@{urls.host}")),
        ("CATEGORIES", _text(event.kind)),
        ("DESCRIPTION", _text(f"{description}\n\n{url}" if description else url)),
    ]
    if event.place is not None:
        properties.append(("LOCATION", _text(site.places[event.place].name)))
    properties.append(("URL", url))
    return ["BEGIN:VEVENT", *(_content_line(n, v) for n, v in properties), "END:VEVENT"]


def ics(site: m.Site, urls: Urls) -> bytes:
    """Every event, in timeline order, one all-day ``VEVENT`` each.

    The lines are put together here and escaped and folded by the iCalendar library's
    functions: building a ``Calendar`` of ten thousand events and serializing it with
    the library took seconds; this takes a fraction of that and gives the same bytes
    (a test compares the two)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _content_line("PRODID", PRODID),
        "CALSCALE:GREGORIAN",
        _content_line("X-WR-CALNAME", _text(f"{site.settings.title}: timeline")),
    ]
    for event_id in site.timeline:
        lines.extend(_vevent(site, urls, site.events[event_id]))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


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


def export_files(site: m.Site, urls: Urls) -> dict[str, bytes]:
    """Output path -> content of each export."""
    return {
        urls.ICS_PATH: ics(site, urls),
        urls.TIMELINEJS_PATH: pretty_json(timelinejs(site, urls)),
        urls.GEOJSON_PATH: pretty_json(geojson(site, urls)),
    }
