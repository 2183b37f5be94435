"""Dates in the page's language, with the precision the editor gave and nothing more.

English pages write dates as part 1 of the contract has it ("22 April 2025", "April
2025", "2025"). Other languages take month names, digits and order from CLDR through
Babel, by skeleton (``yMMMMd``, ``yMMMM``, ``y``), so that a month stays a month in
every language. Dari and Pashto pages add the Solar Hijri date Afghanistan uses,
converted by jdatetime, with the Afghan month names (Hamal, Sawr, ...): a Gregorian
month spans parts of two Hijri months and a Gregorian year parts of two Hijri years,
and they are shown so, never as one of them.

The language is the page's, set where its views are made (:func:`written_in`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

import jdatetime
from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton

from kabul_brief.content.dates import PartialDate, Precision

LANGUAGE: ContextVar[str | None] = ContextVar("date_language", default=None)
"""The language of the pages whose views are being made; None: English, as part 1."""

_DIGITS: Final[dict[str, str]] = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}
"""CLDR numbering systems of the region's languages other than Latin digits."""

AFGHAN_MONTHS: Final[dict[str, tuple[str, ...]]] = {
    # The months of the Solar Hijri calendar as Afghanistan names them (the zodiac
    # names, not Iran's Farvardin, Ordibehesht, ...).
    "fa": ("حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله",
           "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت"),
    "ps": ("وری", "غویی", "غبرگولی", "چنگاښ", "زمری", "وږی",
           "تله", "لړم", "لیندۍ", "مرغومی", "سلواغه", "کب"),
}
"""Language -> the twelve months of the Solar Hijri year, Hamal first."""

_DASH: Final = "\N{EN DASH}"

_SKELETONS: Final = {Precision.DAY: "yMMMMd", Precision.MONTH: "yMMMM", Precision.YEAR: "y"}


@contextmanager
def written_in(language: str | None) -> Iterator[None]:
    """Dates made inside are written in ``language`` (None: as part 1, in English)."""
    token = LANGUAGE.set(language)
    try:
        yield
    finally:
        LANGUAGE.reset(token)


@functools.cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        return None


def is_english(code: str | None) -> bool:
    """Whether dates in ``code`` are part 1's English ones (None: the default)."""
    return code is None or code.split("-")[0].lower() == "en"


def digits(text: str, code: str) -> str:
    """``text`` with its digits in the language's own (CLDR's default numbering)."""
    locale = _locale(code)
    system = locale.default_numbering_system if locale is not None else "latn"
    own = _DIGITS.get(system)
    return text.translate(str.maketrans("0123456789", own)) if own else text


def text(date: PartialDate) -> str:
    """The date in the current language, at its precision."""
    code = LANGUAGE.get()
    locale = _locale(code) if code is not None else None
    if is_english(code) or locale is None:
        return date.display()
    assert code is not None
    day = dt.date(date.year, date.month or 1, date.day or 1)
    return digits(format_skeleton(_SKELETONS[date.precision], day, locale=locale), code)


def solar_hijri(date: PartialDate) -> str | None:
    """The Solar Hijri form of the date on Dari and Pashto pages, spanning what the
    Gregorian one spans ("حمل" to "ثور" 1404 for April 2025); None elsewhere."""
    code = LANGUAGE.get()
    if code is None:
        return None
    months = AFGHAN_MONTHS.get(code.split("-")[0].lower())
    if months is None:
        return None
    first = dt.date(date.year, date.month or 1, date.day or 1)
    if date.precision is Precision.DAY:
        last = first
    elif date.precision is Precision.MONTH:
        last = first.replace(day=calendar.monthrange(date.year, first.month)[1])
    else:
        last = dt.date(date.year, 12, 31)
    try:
        start = jdatetime.date.fromgregorian(date=first)
        end = jdatetime.date.fromgregorian(date=last)
    except (ValueError, OverflowError):  # before the calendar's first year (622)
        return None
    if start.year < 1:
        return None
    if date.precision is Precision.DAY:
        said = f"{start.day} {months[start.month - 1]} {start.year}"
    elif date.precision is Precision.MONTH:
        said = (f"{months[start.month - 1]}{_DASH}{months[end.month - 1]} {start.year}"
                if start.year == end.year else
                f"{months[start.month - 1]} {start.year}{_DASH}{months[end.month - 1]} {end.year}")
    else:
        said = f"{start.year}{_DASH}{end.year}"
    return digits(said, code)


def month_short(month: int) -> str:
    """A month's short name, for a time axis: ``Apr`` (CLDR's on other languages' pages)."""
    code = LANGUAGE.get()
    locale = _locale(code) if code is not None else None
    if is_english(code) or locale is None:
        return calendar.month_abbr[month]
    return format_skeleton("MMM", dt.date(2000, month, 1), locale=locale)


def number(value: int | str) -> str:
    """A number (a year, a count) in the current language's digits."""
    code = LANGUAGE.get()
    return str(value) if is_english(code) or code is None else digits(str(value), code)
