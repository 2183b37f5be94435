"""Language tags: the one pattern of them, how two spellings of one tag are matched,
and which way a language is written.

BCP 47 tags are case-insensitive (``fa-AF`` and ``fa-af`` are one tag), so a text's
code is matched against the site's languages without regard to case and kept as
``site.yaml`` spells it. Directions come from CLDR through Babel, the data every
platform's own locales use, not from a list of our own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal

LANGUAGE_RE: Final = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")
"""A BCP 47 language tag, as an editor writes it. Match with ``fullmatch``."""
LANGUAGE_HINT: Final = "Use a BCP 47 language tag such as en, fa-AF, ps or ur."

Direction = Literal["ltr", "rtl"]
DIRECTIONS: Final[tuple[Direction, ...]] = ("ltr", "rtl")

_RTL_SCRIPTS: Final = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand"})
"""Script subtags written right to left, for a tag whose language CLDR does not know."""


def is_language_tag(text: str) -> bool:
    return LANGUAGE_RE.fullmatch(text) is not None


def same_tag(first: str, second: str) -> bool:
    return first.casefold() == second.casefold()


def declared_as(code: str, declared: Iterable[str]) -> str | None:
    """``code`` as the site declares it (``fa-af`` -> ``fa-AF``), or None if the site
    has no such language."""
    return next((known for known in declared if same_tag(known, code)), None)


def url_segment(code: str) -> str:
    """The folder a further language's pages live under: the tag in lowercase."""
    return code.lower()


def default_direction(code: str) -> Direction:
    """Right to left for the languages CLDR writes so (Dari, Pashto, Urdu, Arabic,
    Hebrew, ...) and for a tag naming a right-to-left script (``pa-Arab``)."""
    from babel import Locale, UnknownLocaleError

    subtags = code.split("-")
    if any(tag.casefold() in _RTL_SCRIPTS for tag in subtags[1:] if len(tag) == 4):
        return "rtl"
    for candidate in (code, subtags[0]):
        try:
            locale = Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
        return "rtl" if locale.character_order == "right-to-left" else "ltr"
    return "ltr"


def display_name(code: str) -> str:
    """A language's own name for itself (``English``, ``دری``) from CLDR, or the tag
    when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    for candidate in (code, code.split("-")[0]):
        try:
            locale = Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
        name = locale.get_display_name(locale)
        if name:
            return name
    return code
