"""Pictures drawn at build time: time strips of events and trend charts (the network
of actors is :mod:`~kabul_brief.publish.network`).

Each picture is plain data (coordinates already rounded to text, so output is
byte-stable) that a template macro lays out as inline SVG, with its accessible name
and a text equivalent (a table or list) beside it. Colours are left to the
stylesheet (``currentColor`` and CSS variables), so dark mode works; no JavaScript.

Precision is honoured: an event dated to a month or a day counts in its month; an
event dated only to a year counts in that year and is drawn across the whole year,
never as a particular month. A range counts where it starts.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import PartialDate, Precision, year_text
from kabul_brief.content.markup import typeset
from kabul_brief.publish import datetext
from kabul_brief.publish.views import TREND_WORDS, Kit, Link, trend_anchors


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# -- the time axis shared by the time strips and the trend charts -----------------------

PICTURE_WIDTH: Final = 400
"""Width of a strip or a trend chart, in SVG units (about CSS pixels on a phone)."""
_LEFT: Final = 10.0
_RIGHT: Final = PICTURE_WIDTH - 10.0


@dataclass(frozen=True, slots=True)
class Gridline:
    """A vertical line at the start of a year (or, over a few months, of a month)."""

    x: str
    iso: str
    """The day the line marks: ``2024-01-01``."""


@dataclass(frozen=True, slots=True)
class AxisLabel:
    x: str
    y: str
    text: str
    anchor: str
    """``start``, ``middle`` or ``end``: SVG text-anchor."""


@dataclass(frozen=True, slots=True)
class TimeAxis:
    gridlines: tuple[Gridline, ...]
    labels: tuple[AxisLabel, ...]
    unit: str
    """What a gridline marks: ``year`` (1 January) or ``month`` (the 1st)."""
    lines: str
    """The gridlines' meaning in words, for the caption: "the start of each year",
    "1 January every 5 years"."""
    y: str
    """The axis line's height; the gridlines run from the top to a little below it."""
    tick_end: str


def _year(year: int) -> str:
    """A year on an axis or in a caption, in the page's digits."""
    return datetext.number(year_text(year))


_MOST_YEAR_TICKS: Final = 10


def _year_step(years: int) -> int:
    """Label every year, or over a long span (centuries: the calendar runs from year 1
    to 9999) every 2nd, 5th, 10th, 20th... year, so that at most ten labels show."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if years <= _MOST_YEAR_TICKS * step:
                return step
        scale *= 10


def _days_in(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


class _Scale:
    """Dates to x: equal widths for equal time. Over more than one calendar year each
    year is as wide as the next (1 January of successive years equally spaced), the
    days of a year spread evenly across it; within one year, days across the months
    shown (at least three)."""

    def __init__(self, low: dt.date, high: dt.date) -> None:
        self.years = low.year != high.year
        if self.years:
            self.first, self.count = low.year, high.year - low.year + 1
        else:
            first, last = low.month, high.month
            if last - first < 2:
                last = min(12, first + 2)
                first = max(1, last - 2)
            self.year, self.first, self.count = low.year, first, last - first + 1
            self.start = dt.date(low.year, first, 1).toordinal()
            self.days = sum(calendar.monthrange(low.year, mo)[1] for mo in range(first, last + 1))

    def x(self, date: dt.date, fraction: float = 0.0) -> float:
        """The x of the start of ``date`` (plus ``fraction`` of that day)."""
        width = _RIGHT - _LEFT
        if self.years:
            into = date.toordinal() - dt.date(date.year, 1, 1).toordinal() + fraction
            years = date.year - self.first + into / _days_in(date.year)
            return _LEFT + years * width / self.count
        return _LEFT + (date.toordinal() - self.start + fraction) * width / self.days

    def middle(self, first: dt.date, last: dt.date) -> float:
        """The x of the middle of the days ``first`` to ``last``, both included."""
        return (self.x(first) + self.x(last, 1.0)) / 2

    def axis(self, axis_y: float, kit: Kit) -> TimeAxis:
        label_y = axis_y + 17
        if self.years:
            return self._years(axis_y, label_y, kit)
        width = (_RIGHT - _LEFT) / self.count
        gridlines = [Gridline(_n(_LEFT + i * width), f"{self.year:04d}-{self.first + i:02d}-01")
                     for i in range(self.count)] + [Gridline(_n(_RIGHT), "")]
        labels = [AxisLabel(_n(_LEFT + (i + 0.5) * width), _n(label_y),
                            datetext.month_short(self.first + i), "middle")
                  for i in range(self.count)]
        labels.append(AxisLabel(_n(_LEFT), _n(label_y + 15), _year(self.year), "start"))
        return TimeAxis(tuple(gridlines), tuple(labels), "month",
                        kit.say("the start of each month"), _n(axis_y), _n(axis_y + 5))

    def _years(self, axis_y: float, label_y: float, kit: Kit) -> TimeAxis:
        width = (_RIGHT - _LEFT) / self.count
        every = _year_step(self.count)
        gridlines, labels = [], []
        for i in range(self.count + 1):
            year = self.first + i
            if year % every and i not in (0, self.count):
                continue
            x = _LEFT + i * width
            gridlines.append(Gridline(_n(x), f"{year:04d}-01-01" if year <= dt.MAXYEAR else ""))
            if every == 1 and i < self.count:  # the year's name in the middle of the year
                labels.append(AxisLabel(_n(x + width / 2), _n(label_y), _year(year), "middle"))
            elif every > 1 and year % every == 0 and year <= dt.MAXYEAR:
                anchor = ("start" if x - _LEFT < 20 else "end" if _RIGHT - x < 20 else "middle")
                labels.append(AxisLabel(_n(x), _n(label_y), _year(year), anchor))
        if not labels:  # a long span none of whose years is a round one
            labels.append(AxisLabel(_n(_LEFT), _n(label_y), _year(self.first), "start"))
        step = format(every, ",")
        lines = (kit.say("the start of each year") if every == 1 else
                 kit.say("1 January every %(every)s years, and the ends of the span",
                         every=step))
        return TimeAxis(tuple(gridlines), tuple(labels), "year", lines, _n(axis_y),
                        _n(axis_y + 5))


def _dodge(xs: list[float], gap: float, most: int) -> list[int]:
    """A row for each x (in order of x), the lowest where it keeps ``gap`` from the marks
    already there, so that close marks stack instead of overlapping; past ``most`` rows
    a mark goes to the row whose last mark is furthest away."""
    last: list[float] = []
    rows = []
    for x in xs:
        row = next((i for i, seen in enumerate(last) if x - seen >= gap), None)
        if row is None:
            if len(last) < most:
                row = len(last)
                last.append(x)
            else:
                row = min(range(most), key=lambda i: last[i])
        last[row] = x
        rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class Lane:
    """A row of marks with its name written above it."""

    label: str
    label_y: str
    top: str
    """Where the lane begins (a rule between lanes)."""


# -- the time strip ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dot:
    x: str
    y: str
    event: str
    link: Link
    label: str
    """"Indian delegation meets Muttaqi in Kabul, 28 April 2025"."""
    span_x: str | None
    span_width: str | None
    """For an event dated only to a year: the year it stands for (a bar at ``span_y``)."""
    span_y: str


@dataclass(frozen=True, slots=True)
class StripRow:
    """One line of the text equivalent: a month or a year (year-only dates) and its count."""

    iso: str
    text: str
    count: str
    """In the page's digits."""
    year_only: bool


@dataclass(frozen=True, slots=True)
class TimeStrip:
    id: str
    title: str
    width: int
    height: int
    dots: tuple[Dot, ...]
    lanes: tuple[Lane, ...]
    axis: TimeAxis
    rows: tuple[StripRow, ...]
    total: int
    year_only: int
    """How many events are dated only to a year (drawn in a lane of their own)."""
    right: str


_DOT_GAP: Final = 12.0
_DOT_ROW: Final = 12.0
_STRIP_ROWS: Final = 10


def _lane_marks(xs: list[float], gap: float, most: int) -> tuple[list[int], int]:
    order = sorted(range(len(xs)), key=lambda i: (xs[i], i))
    rows_sorted = _dodge([xs[i] for i in order], gap, most)
    rows = [0] * len(xs)
    for i, row in zip(order, rows_sorted, strict=True):
        rows[i] = row
    return rows, max(rows, default=0) + 1


def time_strip(kit: Kit, event_ids: Iterable[str], strip_id: str, title: str) -> TimeStrip | None:
    """A dot per event, placed by date and linked to the event; None without events.
    Events dated to a month sit in the middle of their month; those dated only to a
    year have a lane of their own, each drawn across its year, never as a month."""
    ids = list(event_ids)
    events = [kit.site.events[m.EventId(e)] for e in ids]
    if not events:
        return None
    scale = _Scale(min(e.date.start for e in events), max(e.date.end for e in events))
    dated = [i for i, e in enumerate(events) if e.date.precision is not Precision.YEAR]
    year_only = [i for i, e in enumerate(events) if e.date.precision is Precision.YEAR]
    xs = [scale.middle(e.date.start, e.date.end) for e in events]
    dots: list[Dot] = []
    lanes: list[Lane] = []
    top = 0.0
    for members, name in ((dated, kit.say("Dated to a day or month")),
                          (year_only, kit.say("Dated only to the year"))):
        if not members:
            continue
        levels, count = _lane_marks([xs[i] for i in members], _DOT_GAP, _STRIP_ROWS)
        lanes.append(Lane(name, _n(top + 11), _n(top)))
        base = top + 16 + count * _DOT_ROW  # the lowest row sits on the lane's floor
        for i, row in zip(members, levels, strict=True):
            event = events[i]
            spans = event.date.precision is Precision.YEAR
            left = scale.x(event.date.start)
            y = base - _DOT_ROW / 2 - row * _DOT_ROW
            dots.append(Dot(
                x=_n(xs[i]), y=_n(y), event=ids[i], link=kit.event(ids[i]), span_y=_n(y - 1.5),
                label=kit.say("%(event)s, %(date)s", event=typeset(event.title),
                              date=datetext.text(event.date)),
                span_x=_n(left) if spans else None,
                span_width=_n(scale.x(event.date.end, 1.0) - left) if spans else None,
            ))
        top = base + 6
    axis_y = top
    by_month: Counter[tuple[int, int]] = Counter()
    by_year: Counter[int] = Counter()
    for event in events:
        if event.date.precision is Precision.YEAR:
            by_year[event.date.year] += 1
        else:
            by_month[(event.date.year, event.date.month or 1)] += 1
    rows = sorted(
        [StripRow(f"{y:04d}-{mo:02d}", datetext.text(PartialDate(year=y, month=mo)),
                  datetext.number(c), False)
         for (y, mo), c in by_month.items()]
        + [StripRow(f"{y:04d}", kit.say("%(year)s (year only)", year=_year(y)),
                    datetext.number(c), True) for y, c in by_year.items()],
        key=lambda row: (row.iso[:4], row.year_only, row.iso),
    )
    axis = scale.axis(axis_y, kit)
    first = min(e.date.year for e in events)
    last = max(e.date.year for e in events)
    period = (_year(first) if first == last else f"{_year(first)}\N{EN DASH}{_year(last)}")
    return TimeStrip(
        id=strip_id, title=kit.say("%(title)s, %(period)s: %(events)s", title=typeset(title),
                                   period=period, events=kit.say_n(
                                       "%(count)s event", "%(count)s events", len(events))),
        width=PICTURE_WIDTH, height=int(axis_y + (36 if axis.unit == "month" else 24)),
        dots=tuple(dots), lanes=tuple(lanes), axis=axis,
        rows=tuple(rows), total=len(events), year_only=len(year_only), right=_n(_RIGHT),
    )


# -- trend charts ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    x: str
    y: str
    direction: str
    shape: str
    """SVG path data of the mark, centred on (x, y)."""
    span_x: str | None
    span_width: str | None
    """For a month or a year: the period the mark stands for (a bar at ``span_y``)."""
    span_y: str
    text: str
    """"April 2025: improved"."""
    anchor: str
    """Element id of the point in the page's list of the trend: ``trend_2025-04``."""


@dataclass(frozen=True, slots=True)
class TrendChart:
    id: str
    title: str
    width: int
    height: int
    marks: tuple[Mark, ...]
    lanes: tuple[Lane, ...]
    axis: TimeAxis
    right: str
    spans: bool
    """Whether any mark stands for a month or a year (the caption says what its bar means)."""


_SHAPES: Final[dict[str, str]] = {  # big enough to tell apart, and to tap, on a phone
    "improved": "m0,-8 l8,13 h-16 z",
    "deteriorated": "m0,8 l8,-13 h-16 z",
    "unchanged": "m-6.5,0 a6.5,6.5 0 1,0 13,0 a6.5,6.5 0 1,0 -13,0",
}
_LANES: Final = ("improved", "unchanged", "deteriorated")
_MARK_GAP: Final = 18.0
_MARK_ROW: Final = 19.0
_TREND_ROWS: Final = 6


def trend_chart(kit: Kit, trend: tuple[m.TrendPoint, ...], chart_id: str,
                title: str) -> TrendChart | None:
    """A lane per direction (improved, unchanged, deteriorated), each point a mark in
    its lane at its date, linked to the point in the page's list; close points stack
    in their lane instead of overlapping."""
    if not trend:
        return None
    scale = _Scale(min(p.date.start for p in trend), max(p.date.end for p in trend))
    anchors = trend_anchors(trend)
    xs = [scale.middle(p.date.start, p.date.end) for p in trend]
    marks: list[Mark | None] = [None] * len(trend)
    lanes = []
    top = 0.0
    for direction in _LANES:
        name = kit.say(TREND_WORDS[direction])
        members = [i for i, p in enumerate(trend) if p.direction == direction]
        rows, count = _lane_marks([xs[i] for i in members], _MARK_GAP, _TREND_ROWS)
        lanes.append(Lane(name, _n(top + 12), _n(top)))
        for i, row in zip(members, rows, strict=True):
            point = trend[i]
            spans = point.date.precision is not Precision.DAY
            left = scale.x(point.date.start)
            y = top + 30 + row * _MARK_ROW
            marks[i] = Mark(
                x=_n(xs[i]), y=_n(y), span_y=_n(y - 2), direction=direction,
                shape=_SHAPES[direction],
                span_x=_n(left) if spans else None,
                span_width=_n(max(scale.x(point.date.end, 1.0) - left, 2.0)) if spans else None,
                text=kit.say("%(date)s: %(direction)s",
                             date=(kit.say("c.") + " " if point.circa else "")
                             + datetext.text(point.date), direction=kit.say(direction)),
                anchor=anchors[i],
            )
        top += 30 + max(count - 1, 0) * _MARK_ROW + 14
    axis = scale.axis(top, kit)
    return TrendChart(
        id=chart_id, title=typeset(title), width=PICTURE_WIDTH,
        height=int(top + (36 if axis.unit == "month" else 24)),
        marks=tuple(mark for mark in marks if mark is not None), lanes=tuple(lanes),
        axis=axis, right=_n(_RIGHT),
        spans=any(p.date.precision is not Precision.DAY for p in trend),
    )
