"""iCalendar files: the whole timeline (``timeline.ics``) and, beside the page of each
actor, dispute and relationship, the calendar of its events (``actors/ID/calendar.ics``).

Only what the sources give. A calendar places every event on days: RFC 5545 has no
"some time in April 2025", and an event known only to its month or year would show
as a month-long bar or on every day of the year. So an event goes into a calendar
only when its day is known (its ``date``, and its ``end`` if it has one, given to
the day); the others are left out, and the calendar says how many and where they
are (``DESCRIPTION`` / ``X-WR-CALDESC``: the record's page, the timeline, the data
files). A day-precise range is all-day ``DTSTART`` to the day after its last day
(``DTEND`` is exclusive). A ``circa`` day keeps its day, its title marked
"(date approximate: c. 27 April 2025)".

Revisions come from the record's git history (:meth:`~kabul_brief.content.model.Site.history_of`):
``DTSTAMP`` and ``LAST-MODIFIED`` are the day of the last commit that changed the
event's file, ``CREATED`` the day of the first, ``SEQUENCE`` the number of commits
after the first, so a corrected event looks newer to a client. Git gives the day;
the time is 00:00 UTC. Without a history nothing is claimed: no ``LAST-MODIFIED``,
``CREATED`` or ``SEQUENCE``, and ``DTSTAMP`` (which RFC 5545 requires) is the
Unix epoch, 1970-01-01T00:00:00Z, a value no one can take for a real revision
(any revision git later gives is newer).

UIDs do not depend on where the site is published: ``EVENT-ID@SITE`` with ``SITE``
the site's title made a slug (``kabul-delegation-2025-04@kabul-brief``; a title with
letters ASCII cannot spell ends in a digest of the whole title), so a preview, a
build with ``--base-url`` and a move to another host give the same UIDs, and two
sites built with this tool do not share them unless they share a title.

An event that lasts to 31 December 9999 is left out too, and counted: a reader
reckons the day after an event's last, and there is none.

A calendar with no event known to the day (an actor's events all known only to the
month) is still a valid one: RFC 5545 wants a component, and it holds a UTC time
zone, which claims no happening.
The same event has the same UID in every calendar that holds it.

Nothing here reads a clock: two builds give the same bytes. The lines are put
together here and escaped and folded by the iCalendar library's own functions
(building a ``Calendar`` of ten thousand events with the library and serializing
it took seconds; a test compares the two byte for byte).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import Precision
from kabul_brief.publish.meta import plain, site_slug
from kabul_brief.publish.views import Kit

PRODID: Final = "-//Kabul Brief//kabul-brief//EN"
NO_REVISION: Final = "19700101T000000Z"
"""``DTSTAMP`` of an event without a git history: the epoch, "not known"."""
_NO_EVENTS: Final = (
    "BEGIN:VTIMEZONE", "TZID:UTC", "BEGIN:STANDARD", "DTSTART:19700101T000000",
    "TZNAME:UTC", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0000", "END:STANDARD", "END:VTIMEZONE")
"""What a calendar with no event known to the day holds: RFC 5545 wants one component
or more, and a time zone (UTC, which nothing refers to) is the one that claims no
happening; a placeholder event would show on someone's calendar."""
_FOLD_AT: Final = 75
"""Octets from which a content line is folded (RFC 5545, section 3.1)."""


def day_known(event: m.Event) -> bool:
    """The event's days are known: its date, and its end if any, given to the day."""
    return event.date.precision is Precision.DAY and (
        event.end is None or event.end.precision is Precision.DAY)


def past_the_last_day(event: m.Event) -> bool:
    """The event lasts to 31 December 9999: a calendar reader reckons the day after an
    event's last (``DTEND`` is exclusive), and no date library has one, so one such
    event would make the whole calendar unreadable (recurring-ical-events fails)."""
    return (event.end or event.date).end == dt.date.max


def in_calendar(event: m.Event) -> bool:
    return day_known(event) and not past_the_last_day(event)


def _ical_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _stamp(day: dt.date) -> str:
    return f"{_ical_date(day)}T000000Z"


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


def approximate(event: m.Event) -> str | None:
    """How the title says the date is approximate (a ``circa`` event), or None."""
    if not event.circa:
        return None
    text = event.date.display()
    if event.end is not None and event.end != event.date:
        text = f"{text} to {event.end.display()}"
    return f"c. {text}"


def _description(event: m.Event, url: str) -> str:
    parts = [text for text in (plain(event.summary, limit=2000),) if text]
    if event.as_reported:
        parts.append(f"As reported: {event.as_reported}")
    parts.append(url)
    return "\n\n".join(parts)


def _vevent(kit: Kit, event_id: m.EventId) -> tuple[str, ...]:
    site, urls = kit.site, kit.urls
    event = site.events[event_id]
    hedge = approximate(event)
    summary = event.title + (f" (date approximate: {hedge})" if hedge else "")
    url = urls.absolute(urls.record("event", event.id))
    last = (event.end or event.date).end
    until = ("DTEND;VALUE=DATE", _ical_date(last + dt.timedelta(days=1)))  # exclusive
    history = site.history_of("event", event.id)
    # In the order the iCalendar library writes them: its canonical ones, then by name.
    properties = [
        ("SUMMARY", _text(summary)),
        ("DTSTART;VALUE=DATE", _ical_date(event.date.start)),
        until,
        ("DTSTAMP", _stamp(history.updated) if history else NO_REVISION),
        ("UID", _text(f"{event.id}@{site_slug(site.settings)}")),
    ]
    if history is not None:
        properties.append(("SEQUENCE", str(max(history.revisions - 1, 0))))
    properties.append(("CATEGORIES", _text(event.kind)))
    if history is not None:
        properties.append(("CREATED", _stamp(history.published)))
    properties.append(("DESCRIPTION", _text(_description(event, url))))
    if history is not None:
        properties.append(("LAST-MODIFIED", _stamp(history.updated)))
    if event.place is not None:
        properties.append(("LOCATION", _text(site.places[event.place].name)))
    properties += [("TRANSP", "TRANSPARENT"), ("URL", url)]
    return ("BEGIN:VEVENT", *(_content_line(n, v) for n, v in properties), "END:VEVENT")


def left_out_note(count: int, where: str, endless: int = 0) -> str:
    """What a calendar says of the events it leaves out: ``count`` known only to the
    month or the year, ``endless`` lasting to 31 December 9999."""
    total = count + endless
    if total == 0:
        return ""
    why = [part for part in (
        f"{count} known only to the month or the year" if count else "",
        f"{endless} lasting to 31 December 9999, whose next day no calendar has"
        if endless else "") if part]
    events = "event is" if total == 1 else "events are"
    return (f"{total} {events} not in this calendar, which can only place an event on "
            f"days ({'; '.join(why)}): see {where}, the timeline and the data files.")


def calendar(kit: Kit, events: Iterable[m.EventId], name: str, page_url: str) -> bytes:
    """The events among ``events`` whose days are known, in the order given, one all-day
    ``VEVENT`` each; named ``name``, for the page at ``page_url`` (absolute)."""
    site = kit.site
    lines: list[str] = []
    left_out = endless = 0
    for event_id in events:
        event = site.events[event_id]
        if in_calendar(event):
            lines.extend(kit.remember(("vevent", event_id),
                                      functools.partial(_vevent, kit, event_id)))
        elif day_known(event):
            endless += 1
        else:
            left_out += 1
    title = f"{site.settings.title}: {name}"
    description = " ".join(part for part in (
        f"Events of {name}, from {site.settings.title}, on the days the sources give.",
        left_out_note(left_out, page_url, endless)) if part)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _content_line("PRODID", PRODID),
        "CALSCALE:GREGORIAN",
        # RFC 7986's names, each with the X-WR- name Apple's and Google's calendars read
        _content_line("DESCRIPTION", _text(description)),
        _content_line("X-WR-CALDESC", _text(description)),
        _content_line("NAME", _text(title)),
        _content_line("X-WR-CALNAME", _text(title)),
        _content_line("URL", page_url),
    ]
    return ("\r\n".join([*head, *(lines or _NO_EVENTS), "END:VCALENDAR"]) + "\r\n").encode()
