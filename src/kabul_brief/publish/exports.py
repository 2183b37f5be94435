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
import json
from typing import TYPE_CHECKING, Any, Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate, Precision
from kabul_brief.publish.meta import plain
from kabul_brief.publish.urls import Urls

if TYPE_CHECKING:
    import icalendar

PRODID: Final = "-//Kabul Brief//kabul-brief//EN"


def _approximate(event: m.Event) -> str | None:
    """The period to name when the day is not known (or the date is circa)."""
    if event.date.precision is Precision.DAY and not event.circa:
        return None
    text = event.date.display()
    if event.end is not None and event.end != event.date:
        text = f"{text} to {event.end.display()}"
    return f"c. {text}" if event.circa else text


def calendar_event(site: m.Site, urls: Urls, event: m.Event) -> icalendar.Event:
    import icalendar  # slow to import; only the export needs it

    item = icalendar.Event()
    approximate = _approximate(event)
    summary = event.title + (f" (date approximate: {approximate})" if approximate else "")
    url = urls.absolute(urls.record("event", event.id))
    item.add("uid", f"{event.id}@{urls.host}")
    item.add("dtstamp", dt.datetime.combine(event.date.start, dt.time(), tzinfo=dt.UTC))
    item.add("dtstart", event.date.start)
    item.add("dtend", (event.end or event.date).end + dt.timedelta(days=1))  # exclusive
    item.add("summary", summary)
    description = plain(event.summary, limit=2000)
    item.add("description", f"{description}\n\n{url}" if description else url)
    item.add("url", url)
    if event.place is not None:
        item.add("location", site.places[event.place].name)
    item.add("categories", [event.kind])
    return item


def ics(site: m.Site, urls: Urls) -> bytes:
    """Every event, in timeline order, one all-day ``VEVENT`` each."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{site.settings.title}: timeline")
    for event_id in site.timeline:
        cal.add_component(calendar_event(site, urls, site.events[event_id]))
    return bytes(cal.to_ical())


def timelinejs_date(date: PartialDate) -> dict[str, str]:
    """``{"year": "2025", "month": "4"}``: only the parts the editor gave."""
    parts = {"year": str(date.year)}
    if date.month is not None:
        parts["month"] = str(date.month)
    if date.day is not None:
        parts["day"] = str(date.day)
    return parts


def timelinejs(site: m.Site, urls: Urls) -> dict[str, Any]:
    events = []
    for event_id in site.timeline:
        event = site.events[event_id]
        url = urls.absolute(urls.record("event", event.id))
        summary = urls.rewrite(event.summary.html, absolute=True) if event.summary else ""
        item: dict[str, Any] = {
            "start_date": timelinejs_date(event.date),
            "text": {"headline": event.title,
                     "text": f'{summary}<p><a href="{url}">{event.title}</a></p>'},
            "unique_id": event.id,
            "group": event.kind,
        }
        if event.end is not None and event.end != event.date:
            item["end_date"] = timelinejs_date(event.end)
        if event.date.precision is not Precision.DAY or event.circa:
            shown = event.date.display()
            item["display_date"] = f"c. {shown}" if event.circa else shown
        events.append(item)
    return {
        "title": {"text": {"headline": f"{site.settings.title}: timeline",
                           "text": site.settings.tagline or ""}},
        "events": events,
    }


def geojson(site: m.Site, urls: Urls) -> dict[str, Any]:
    features = []
    for place_id, place in site.places.items():
        if place.coordinates is None:
            continue
        lat, lon = place.coordinates
        features.append({
            "type": "Feature",
            "id": place_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": place_id, "name": place.name, "kind": place.kind,
                           "url": urls.absolute(urls.record("place", place_id))},
        })
    return {"type": "FeatureCollection", "features": features}


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def export_files(site: m.Site, urls: Urls) -> dict[str, bytes]:
    """Output path -> content of each export."""
    return {
        urls.ICS_PATH: ics(site, urls),
        urls.TIMELINEJS_PATH: _dump(timelinejs(site, urls)),
        urls.GEOJSON_PATH: _dump(geojson(site, urls)),
    }
