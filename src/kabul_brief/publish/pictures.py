"""Pictures drawn at build time: the time strip of events and trend lines (the network
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from kabul_brief.content import model as m
from kabul_brief.content.dates import Precision, year_text
from kabul_brief.publish.views import Kit

_MONTHS: Final = tuple(calendar.month_name)
_SHORT: Final = tuple(calendar.month_abbr)

STRIP_WIDTH: Final = 480
STRIP_BARS: Final = 56
"""Height of the tallest month bar."""


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# -- the time strip ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str
    """"April 2025: 3 events"."""


@dataclass(frozen=True, slots=True)
class Tick:
    x: str
    label: str


@dataclass(frozen=True, slots=True)
class StripRow:
    """One line of the text equivalent: a month or a year (year-only dates) and its count."""

    iso: str
    text: str
    count: int
    year_only: bool


@dataclass(frozen=True, slots=True)
class TimeStrip:
    id: str
    title: str
    width: int
    height: int
    months: tuple[Bar, ...]
    years: tuple[Bar, ...]
    """Events dated only to a year: a band across the year."""
    ticks: tuple[Tick, ...]
    rows: tuple[StripRow, ...]
    total: int
    baseline: str
    band_y: str
    band_height: str
    right: str


def _plural(count: int, word: str = "event") -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


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


def _strip_ticks(first: int, last: int, x_of: Callable[[int], float]) -> tuple[Tick, ...]:
    """A tick per year (or per few years, over a long span); over one or two years,
    quarters (or half-years) too, so that a reader can tell the months apart. ``x_of``
    maps a month index from January of ``first`` to its x."""
    months = (1, 4, 7, 10) if first == last else (1, 7) if last - first == 1 else (1,)
    every = _year_step(last - first + 1)
    ticks = []
    for year in range(first, last + 1):
        if every > 1 and year % every:
            continue
        for month in months:
            if month == 1:
                label = f"{_SHORT[1]} {year_text(year)}" if first == last else year_text(year)
            else:
                label = _SHORT[month]
            ticks.append(Tick(_n(x_of((year - first) * 12 + month - 1)), label))
    return tuple(ticks)


def time_strip(kit: Kit, event_ids: Iterable[str], strip_id: str, title: str) -> TimeStrip | None:
    """Events per month (and per year, for year-only dates); None without events."""
    events = [kit.site.events[m.EventId(e)] for e in event_ids]
    if not events:
        return None
    by_month: Counter[tuple[int, int]] = Counter()
    by_year: Counter[int] = Counter()
    for event in events:
        if event.date.precision is Precision.YEAR:
            by_year[event.date.year] += 1
        else:
            by_month[(event.date.year, event.date.month or 1)] += 1
    first = min(e.date.year for e in events)
    last = max(e.date.year for e in events)
    span = (last - first + 1) * 12
    pad = 4.0
    step = (STRIP_WIDTH - 2 * pad) / span
    top = 8.0
    base = top + STRIP_BARS
    band_y, band_h = base + 6, 14.0
    tallest = max(by_month.values(), default=1)
    months = []
    for (year, month), count in sorted(by_month.items()):
        index = (year - first) * 12 + month - 1
        height = max(STRIP_BARS * count / tallest, 3.0)
        months.append(Bar(
            x=_n(pad + index * step + step * 0.1), y=_n(base - height),
            width=_n(max(step * 0.8, 1.0)), height=_n(height),
            label=f"{_MONTHS[month]} {year_text(year)}: {_plural(count)}",
        ))
    years = []
    most = max(by_year.values(), default=1)
    for year, count in sorted(by_year.items()):
        index = (year - first) * 12
        years.append(Bar(
            x=_n(pad + index * step), y=_n(band_y), width=_n(step * 12),
            height=_n(0.35 + 0.65 * count / most),  # opacity, for a band of fixed height
            label=f"{year_text(year)} (date given only as the year): {_plural(count)}",
        ))
    ticks = _strip_ticks(first, last, lambda index: pad + index * step)
    rows = sorted(
        [StripRow(f"{y:04d}-{mo:02d}", f"{_MONTHS[mo]} {y}", c, False)
         for (y, mo), c in by_month.items()]
        + [StripRow(f"{y:04d}", f"{y} (year only)", c, True) for y, c in by_year.items()],
        key=lambda row: (row.iso[:4], row.year_only, row.iso),
    )
    period = str(first) if first == last else f"{first}\N{EN DASH}{last}"
    return TimeStrip(
        id=strip_id, title=f"{title}, {period}: {_plural(len(events))} by month",
        width=STRIP_WIDTH, height=int((band_y + band_h if years else base) + 22),
        months=tuple(months),
        years=tuple(years), ticks=ticks, rows=tuple(rows), total=len(events),
        baseline=_n(base), band_y=_n(band_y), band_height=_n(band_h),
        right=_n(STRIP_WIDTH - pad),
    )


# -- trend lines -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    x: str
    y: str
    direction: str
    shape: str
    """SVG path data of the mark, centred on (x, y)."""
    span_x: str | None
    span_width: str | None
    """For a month or a year: the period the mark stands for."""
    text: str
    """"April 2025: improved"."""
    iso: str
    date_text: str
    word: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    id: str
    title: str
    width: int
    height: int
    marks: tuple[Mark, ...]
    line: str
    """``points`` of the polyline joining the marks."""
    ticks: tuple[Tick, ...]
    zero: str
    baseline: str
    right: str


_SHAPES: Final[dict[str, str]] = {  # big enough to tell apart on a phone
    "improved": "m0,-9 l8.5,14 h-17 z",
    "deteriorated": "m0,9 l8.5,-14 h-17 z",
    "unchanged": "m-7,0 a7,7 0 1,0 14,0 a7,7 0 1,0 -14,0",
}


def _days(date: dt.date) -> int:
    return date.toordinal()


def trend_chart(trend: tuple[m.TrendPoint, ...], chart_id: str, title: str) -> TrendChart | None:
    """Marks in date order; the line climbs with each improvement and falls with each
    deterioration (a running balance, not a measurement)."""
    if not trend:
        return None
    width, height, pad = 480, 120, 16.0
    first_day = min(_days(p.date.start) for p in trend)
    last_day = max(_days(p.date.end) + 1 for p in trend)
    margin = max((last_day - first_day) // 20, 15)  # the first and last marks stay clear
    # ... within the calendar's own range: 1 January of year 1 to 31 December 9999
    start = max(first_day - margin, _days(dt.date.min))
    end = min(last_day + margin, _days(dt.date.max) + 1)
    start_year = dt.date.fromordinal(start).year
    end_year = dt.date.fromordinal(end - 1).year
    scale = (width - 2 * pad) / (end - start)
    scores, score = [], 0
    for point in trend:
        score += {"improved": 1, "deteriorated": -1}.get(point.direction, 0)
        scores.append(score)
    low, high = min([0, *scores]), max([0, *scores])
    top, bottom = 20.0, height - 34.0  # room for a mark above the highest point
    unit = (bottom - top) / max(high - low, 1)

    def y_of(value: int) -> float:
        return bottom - (value - low) * unit if high != low else (top + bottom) / 2

    marks = []
    for point, value in zip(trend, scores, strict=True):
        first, last = _days(point.date.start), _days(point.date.end) + 1
        x = pad + ((first + last) / 2 - start) * scale
        spans = point.date.precision is not Precision.DAY
        text = point.date.display()
        marks.append(Mark(
            x=_n(x), y=_n(y_of(value)), direction=point.direction,
            shape=_SHAPES[point.direction],
            span_x=_n(pad + (first - start) * scale) if spans else None,
            span_width=_n(max((last - first) * scale, 2.0)) if spans else None,
            text=f"{'c. ' if point.circa else ''}{text}: {point.direction}",
            iso=point.date.iso, date_text=text, word=point.direction.capitalize(),
        ))
    every = _year_step(end_year - start_year + 1)
    ticks = [Tick(_n(x), year_text(year)) for year in range(start_year, end_year + 1)
             if year % every == 0 or every == 1
             for x in [pad + (_days(dt.date(year, 1, 1)) - start) * scale]
             if pad <= x < width - pad - 36]  # a year that barely begins gets no label
    room = (float(ticks[0].x) if ticks else width - pad) - pad
    opening = dt.date.fromordinal(start)
    if room >= 90:  # say where the chart starts, as far as its label fits
        ticks.insert(0, Tick(_n(pad), f"{_SHORT[opening.month]} {year_text(opening.year)}"))
    elif room >= 45:
        ticks.insert(0, Tick(_n(pad), year_text(opening.year)))
    return TrendChart(
        id=chart_id, title=title, width=width, height=height, marks=tuple(marks),
        line=" ".join(f"{mark.x},{mark.y}" for mark in marks), ticks=tuple(ticks),
        zero=_n(y_of(0)), baseline=_n(bottom + 8), right=_n(width - pad),
    )
