"""Dates with the precision the editor gave: a year, a month or a day.

A source that says "April 2025" must never become "1 April 2025" on a page, so a
date keeps its precision all the way to rendering, and sorting uses the start of
the period, then its end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from enum import Enum

# [0-9], not \d: Python's \d and int() also take Arabic-Indic, fullwidth and other digits.
_ISO_RE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")

_MONTHS = tuple(calendar.month_name)


def year_text(year: int) -> str:
    """A year as a reader sees it: four digits, so that year 1 ("0001") never reads as
    a day ("January 1"). Years from 1000 on are written as they are."""
    return f"{year:04d}"


class Precision(Enum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, slots=True, kw_only=True, order=False)
class PartialDate:
    """A calendar year, month or day; ``iso`` is exactly what a ``<time datetime>`` needs."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period the date names."""
        if self.day is not None:
            return self.start
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def display(self) -> str:
        """Human form at the given precision: "2025", "April 2025", "22 April 2025"
        ("January 0001": see :func:`year_text`)."""
        year = year_text(self.year)
        if self.month is None:
            return year
        if self.day is None:
            return f"{_MONTHS[self.month]} {year}"
        return f"{self.day} {_MONTHS[self.month]} {year}"

    def __str__(self) -> str:
        return self.iso


def parse_date(text: str) -> PartialDate | str:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; return the problem as text otherwise."""
    match = _ISO_RE.fullmatch(text.strip())
    if match is None:
        return (
            f"{text!r} is not a date in ISO form: write YYYY, YYYY-MM or YYYY-MM-DD"
        )
    year = int(match["year"])
    if year < 1:
        return f"{text!r} has no year 0000"
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not 1 <= month <= 12:
        return f"{text!r} has month {month}, outside 01-12"
    if month is not None and day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"{text!r} has day {day}, but {_MONTHS[month]} {year} has {last} days"
    return PartialDate(year=year, month=month, day=day)


@functools.cache
def sort_key(date: PartialDate, end: PartialDate | None = None) -> tuple[dt.date, dt.date]:
    """Start of the period, then the end of the range (or of the period itself);
    remembered, as an archive sorts by the same few thousand dates again and again."""
    return (date.start, (end or date).end)
