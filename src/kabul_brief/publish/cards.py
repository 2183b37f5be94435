"""Social cards: the picture a link preview shows of a page (Open Graph's ``og:image``,
1200 x 630), drawn at build time with Pillow from the page's title, its kind and the
site's name, in the theme's own font.

Every HTML page but the 404 page has one, beside it: ``actors/india/card.png`` for
``actors/india/``, ``card.png`` for the front page (:meth:`Urls.card_path`); the 404
page, served at any address, shows the front page's. A card is a pure function of its
:class:`Card` (the text on it) and the font files, so the build draws it again only
when those changed (:func:`card_digest`, kept in the manifest like a page's inputs):
editing an event's summary renders its page again but keeps its card.

The bytes are the same on every build: the font shipped with the theme (never one of
the machine's), its glyphs rasterized by Pillow's FreeType with its basic layout
(whichever shaping library is there), and a PNG of the pixels alone (:func:`png`: no
time, no text chunk). A card costs a few milliseconds: each glyph is rasterized once
per process and size, and the PNG has 16 colours, four bits a pixel.
"""

from __future__ import annotations

import functools
import hashlib
import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kabul_brief.content import model as m
from kabul_brief.folders import Theme
from kabul_brief.kinds import LINKED_KINDS
from kabul_brief.publish.interface import N_
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.urls import Urls

WIDTH: Final = 1200
HEIGHT: Final = 630
"""What Open Graph readers expect of ``og:image`` (1.91:1)."""
CARD_FORMAT: Final = "card 2"
"""Changed whenever the drawing or what a card shows changes. It is one of every page's
shared inputs (with the fonts, :attr:`CardMaker.fonts_digest`), so the next build makes
every view and draws every card again: a record page kept without its view made keeps
its card, which only this tells out of date."""

TITLE_FONT: Final = "static/fonts/source-serif-4-latin-700-normal.woff2"
LABEL_FONT: Final = "static/fonts/source-sans-3-latin-600-normal.woff2"
HOST_FONT: Final = "static/fonts/source-sans-3-latin-400-normal.woff2"
"""The theme's web fonts (a site's own ``templates/static/fonts/`` file of the same
name is taken instead, as for the pages)."""

_PAPER: Final = (253, 252, 248)
_INK: Final = (28, 28, 30)
_ACCENT: Final = (138, 28, 28)
_MARGIN: Final = 80
_TITLE_SIZES: Final = (76, 68, 60, 54, 48)
"""Largest first: the first size at which the title fits in :data:`_TITLE_LINES`."""
_TITLE_LINES: Final = 4
_TITLE_TOP: Final = 240
_TITLE_BOTTOM: Final = 540
_COMPRESSION: Final = 1
"""zlib's level: 1 compresses a card in a third of the time of 6, for a fifth more
bytes (22 kB rather than 18)."""
_INK_LEVELS: Final = 10
_ACCENT_LEVELS: Final = 5
"""A 16-colour palette (a 4-bit PNG: half the bytes to compress of an 8-bit one): the
paper, ten blends of the ink with it, five of the accent colour: the antialiasing of
the text, the grey of the rules and of the muted address."""
_MUTED: Final = 7
"""The ink level of the muted text (the address): about the theme's ``--muted``."""
_RULE: Final = 1
"""The ink level of the rules."""


def _blend(colour: tuple[int, int, int], level: int, levels: int) -> list[int]:
    return [round(p + (c - p) * level / levels) for p, c in zip(_PAPER, colour, strict=True)]


_PALETTE: Final = [
    *_PAPER,
    *(value for level in range(1, _INK_LEVELS + 1) for value in _blend(_INK, level, _INK_LEVELS)),
    *(value for level in range(1, _ACCENT_LEVELS + 1)
      for value in _blend(_ACCENT, level, _ACCENT_LEVELS))]
"""Index 0 the paper; then the ink's blends, faint to full; then the accent's."""


def _table(first: int, levels: int, top: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """How much of a pixel a colour covers (0-255) -> its palette index, no more than
    its level ``top``."""
    cover = np.arange(256)
    level = np.minimum(np.ceil(cover * top / 255), top).astype(np.uint8)
    return np.where(level > 0, first - 1 + level, 0).astype(np.uint8)


_INK_TABLE: Final = _table(1, _INK_LEVELS, _INK_LEVELS)
_MUTED_TABLE: Final = _table(1, _INK_LEVELS, _MUTED)
_ACCENT_TABLE: Final = _table(1 + _INK_LEVELS, _ACCENT_LEVELS, _ACCENT_LEVELS)
_TABLES: Final = {"ink": _INK_TABLE, "muted": _MUTED_TABLE, "accent": _ACCENT_TABLE}
_ACCENT_FULL: Final = _INK_LEVELS + _ACCENT_LEVELS
_LABELS: Final = {kind.url_folder: kind.label for kind in LINKED_KINDS}


@dataclass(frozen=True, slots=True)
class Card:
    """What a card shows."""

    site: str
    label: str
    """What the page is (``Actor``, ``Index``), or ``""``."""
    title: str
    host: str
    """Where the site is (``example.org/kabul-brief``), at the foot of the card."""

    @property
    def alt(self) -> str:
        """The card's text, in reading order: its ``og:image:alt``."""
        said = f"{self.label}: {self.title}" if self.label else self.title
        return f"{self.site}. {said}" if said != self.site else said


@dataclass(frozen=True, slots=True)
class CardLink:
    """What a page's ``<head>`` says of its card."""

    url: str
    """Absolute, as Open Graph requires."""
    alt: str
    width: int = WIDTH
    height: int = HEIGHT


def card_of(meta: PageMeta, settings: m.SiteSettings, urls: Urls,
            say: Callable[[str], str] = str) -> Card:
    """The card of the page with this head. The front page shows the site's tagline
    (its title is the site's name, already at the top). ``say`` gives the label in
    the page's language: a page in another language describes the card in its own."""
    folder, _, rest = meta.path.partition("/")
    label = _LABELS.get(folder, "") if meta.path.endswith("/") else ""
    if label and not rest:
        label = N_("Index")
    label = say(label) if label else ""
    title = meta.title
    if meta.path == "":
        title = settings.tagline or settings.title
    address = urls.base.split("://", 1)[-1].rstrip("/")  # example.org/kabul-brief
    return Card(site=settings.title, label=label, title=title, host=address)


def card_link(meta: PageMeta, settings: m.SiteSettings, urls: Urls,
              say: Callable[[str], str] = str) -> CardLink:
    """Where the page's card is and what it says; the 404 page's is the front page's."""
    path = Urls.card_path(meta.path)
    if path is None:
        front = PageMeta(path="", title=settings.title, description=None, section=None)
        return card_link(front, settings, urls, say)
    return CardLink(url=urls.absolute_path(path), alt=card_of(meta, settings, urls, say).alt)


class CardMaker:
    """Draws cards with the theme's fonts, loaded once per process at each size."""

    def __init__(self, theme: Theme) -> None:
        self._fonts = {name: _find(theme, name) for name in (TITLE_FONT, LABEL_FONT, HOST_FONT)}
        hasher = hashlib.blake2b(CARD_FORMAT.encode(), digest_size=16)
        for name, path in sorted(self._fonts.items()):
            hasher.update(f"\x00{name}\x00".encode() + path.read_bytes())
        self.fonts_digest = hasher.hexdigest()
        """The font files' names and bytes, and :data:`CARD_FORMAT`."""
        self._frames: dict[tuple[str, str], np.ndarray[Any, np.dtype[np.uint8]]] = {}

    def digest(self, card: Card) -> str:
        """What a card's bytes depend on: its text, the fonts, the drawing's version."""
        return hashlib.blake2b(f"{self.fonts_digest}\x00{card!r}".encode(),
                               digest_size=16).hexdigest()

    def draw(self, card: Card) -> bytes:
        """The card as PNG bytes, the same on every run.

        A palette image, its pixels the palette's indices: the ink's higher for more
        of a pixel covered, the accent's above them, so that where glyphs overlap the
        larger index is the one to keep. Each glyph is drawn once per process and size
        (:class:`_Glyphs`) and put in place as an array: a title of sixty letters
        costs sixty array maxima, not a rasterization."""
        canvas = self._frame(card.site, card.host).copy()
        if card.label:
            self._glyphs(LABEL_FONT, 32, "accent").put(canvas, (_MARGIN, 186),
                                                           card.label.upper())
        size, lines = self._fit(card.title)
        glyphs = self._glyphs(TITLE_FONT, size)
        leading = _leading(size)
        top = _TITLE_TOP + max(0, (_TITLE_BOTTOM - _TITLE_TOP - leading * len(lines)) // 2)
        for number, line in enumerate(lines):
            glyphs.put(canvas, (_MARGIN, top + number * leading), line)
        return png(canvas)

    def _frame(self, site: str, host: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
        """What every card of a site has: the bar, the site's name and rules, the host
        (drawn once per process)."""
        found = self._frames.get((site, host))
        if found is None:
            found = np.zeros((HEIGHT, WIDTH), np.uint8)
            found[0:12, :] = _ACCENT_FULL
            self._glyphs(TITLE_FONT, 44).put(found, (_MARGIN, 64), site)
            found[136:139, _MARGIN:WIDTH - _MARGIN] = _RULE
            found[143:146, _MARGIN:WIDTH - _MARGIN] = _RULE
            self._glyphs(HOST_FONT, 30, "muted").put(found, (_MARGIN, HEIGHT - 76), host)
            self._frames[(site, host)] = found
        return found

    def _glyphs(self, name: str, size: int, colour: str = "ink") -> _Glyphs:
        """The font's glyphs at this size in a colour of :data:`_TABLES`."""
        return _glyphs_of(self._fonts[name], size, colour)

    def _fit(self, title: str) -> tuple[int, list[str]]:
        """The largest size at which the title fits in its lines; at the smallest, the
        lines that fit, the last cut with an ellipsis."""
        width = WIDTH - 2 * _MARGIN
        for size in _TITLE_SIZES:
            lines = wrap(title, self._glyphs(TITLE_FONT, size).length, width)
            if len(lines) <= _lines_at(size):
                return size, lines
        size = _TITLE_SIZES[-1]
        length = self._glyphs(TITLE_FONT, size).length
        lines = wrap(title, length, width)[:_lines_at(size)]
        last = lines[-1]
        while last and length(last + "…") > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
        return size, lines


def png(indices: np.ndarray[Any, np.dtype[np.uint8]]) -> bytes:
    """A 4-bit palette PNG of these indices into :data:`_PALETTE` (an even width):
    signature, header, palette, the rows unfiltered and deflated, end; nothing else
    (no time, no text), so the same pixels are always the same bytes. Written here
    rather than by Pillow's encoder, which takes twice the time at the same size."""
    height, width = indices.shape
    rows = np.empty((height, width // 2 + 1), np.uint8)
    rows[:, 0] = 0  # each row: its filter (none), then its pixels two to a byte
    np.left_shift(indices[:, 0::2], 4, out=rows[:, 1:])
    np.bitwise_or(rows[:, 1:], indices[:, 1::2], out=rows[:, 1:])

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 4, 3, 0, 0, 0)),
        chunk(b"PLTE", bytes(_PALETTE)),
        chunk(b"IDAT", zlib.compress(rows.tobytes(), _COMPRESSION)),
        chunk(b"IEND", b""),
    ))


def _leading(size: int) -> int:
    return round(size * 1.18)


def _lines_at(size: int) -> int:
    """How many lines of the title fit between its top and bottom at this size."""
    return min(_TITLE_LINES, (_TITLE_BOTTOM - _TITLE_TOP) // _leading(size))


def wrap(text: str, length: Callable[[str], float], width: float) -> list[str]:
    """Words in lines no wider than ``width`` (as ``length`` measures); a word wider
    than that alone is cut."""
    space = length(" ")
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split():
        size = length(word)
        if line and used + space + size <= width:
            line.append(word)
            used += space + size
            continue
        if line:
            lines.append(" ".join(line))
        while size > width and len(lines) <= _MOST_LINES:
            cut, taken = 0, 0.0  # as many letters as fit, counted forwards: linear time
            while cut < len(word) - 1 and taken + length(word[cut]) <= width:
                taken += length(word[cut])
                cut += 1
            cut = max(cut, 1)
            lines.append(word[:cut])
            word = word[cut:]
            size = length(word)
        if len(lines) > _MOST_LINES:  # a card shows a few lines: the rest is never drawn
            return lines
        line, used = [word], size
    if line:
        lines.append(" ".join(line))
    return lines or [""]


_MOST_LINES: Final = 12
"""Lines :func:`wrap` makes at most: more than any card shows, and a bound on the work
a 20,000-letter word in a title can cause (cutting it took minutes a card)."""


@dataclass(frozen=True, slots=True)
class _Glyph:
    indices: np.ndarray[Any, np.dtype[np.uint8]]
    """Its box's pixels: the palette index of how much of each the glyph covers."""
    left: int
    top: int
    """Where its box is from the pen, down from the top of the line."""
    advance: float


class _Glyphs:
    """The glyphs of one font at one size in one colour, each drawn by FreeType once
    and kept as palette indices (``table``: coverage -> index); laid out as Pillow's
    basic layout does, one advance after another."""

    def __init__(self, font: ImageFont.FreeTypeFont,
                 table: np.ndarray[Any, np.dtype[np.uint8]]) -> None:
        self._font = font
        self._table = table
        self._drawn: dict[str, _Glyph] = {}

    def glyph(self, char: str) -> _Glyph:
        found = self._drawn.get(char)
        if found is None:
            left, top, right, bottom = (math.floor(edge) for edge in self._font.getbbox(char))
            cover = Image.new("L", (max(1, right - left + 1), max(1, bottom - top + 1)), 0)
            ImageDraw.Draw(cover).text((-left, -top), char, font=self._font, fill=255)
            found = _Glyph(self._table[np.asarray(cover, dtype=np.uint8)], left, top,
                           self._font.getlength(char))
            self._drawn[char] = found
        return found

    def length(self, text: str) -> float:
        return sum(self.glyph(char).advance for char in text)

    def put(self, canvas: np.ndarray[Any, np.dtype[np.uint8]], where: tuple[int, int],
            text: str) -> None:
        """Lay ``text`` out from ``where`` (the top left of its line), over what is
        there (the larger index kept)."""
        pen = float(where[0])
        height, width = canvas.shape
        for char in text:
            glyph = self.glyph(char)
            x, y = round(pen) + glyph.left, where[1] + glyph.top
            pen += glyph.advance
            rows, columns = glyph.indices.shape
            x0, y0 = max(x, 0), max(y, 0)
            x1, y1 = min(x + columns, width), min(y + rows, height)
            if x0 >= x1 or y0 >= y1:
                continue
            region = canvas[y0:y1, x0:x1]
            np.maximum(region, glyph.indices[y0 - y:y1 - y, x0 - x:x1 - x], out=region)


def _find(theme: Theme, name: str) -> Path:
    for folder in theme.folders:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"the theme has no {name}")


@functools.cache
def _glyphs_of(path: Path, size: int, colour: str) -> _Glyphs:
    # Basic layout: the same glyphs whichever shaping library Pillow has.
    return _Glyphs(ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC),
                   _TABLES[colour])
