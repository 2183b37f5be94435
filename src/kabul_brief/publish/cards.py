"""Social cards: the picture a link preview shows of a page (Open Graph's ``og:image``,
1200 x 630), drawn at build time with Pillow from the page's title, its kind and the
site's name, in the theme's own font.

Every HTML page but the 404 page has one, beside it: ``actors/india/card.png`` for
``actors/india/``, ``card.png`` for the front page (:meth:`Urls.card_path`); the 404
page, served at any address, shows the front page's. A card is a pure function of its
:class:`Card` (the text on it) and the font files, so the build draws it again only
when those changed (:func:`card_digest`, kept in the manifest like a page's inputs):
editing an event's summary renders its page again but keeps its card.

The bytes are the same on every build: no time, no text chunk, the font shipped with
the theme (never one of the machine's), and Pillow's PNG writer, which adds nothing
of its own.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, ImageChops, ImageDraw, ImageFont

from kabul_brief.content import model as m
from kabul_brief.folders import Theme
from kabul_brief.kinds import LINKED_KINDS
from kabul_brief.publish.meta import PageMeta
from kabul_brief.publish.urls import Urls

WIDTH: Final = 1200
HEIGHT: Final = 630
"""What Open Graph readers expect of ``og:image`` (1.91:1)."""
CARD_FORMAT: Final = "card 1"
"""Changed whenever the drawing changes: every card is drawn again."""

TITLE_FONT: Final = "static/fonts/source-serif-4-latin-700-normal.woff2"
LABEL_FONT: Final = "static/fonts/source-sans-3-latin-600-normal.woff2"
HOST_FONT: Final = "static/fonts/source-sans-3-latin-400-normal.woff2"
"""The theme's web fonts (a site's own ``templates/static/fonts/`` file of the same
name is taken instead, as for the pages)."""

_PAPER: Final = (253, 252, 248)
_INK: Final = (28, 28, 30)
_MUTED: Final = (85, 87, 92)
_RULE: Final = (217, 213, 201)
_ACCENT: Final = (138, 28, 28)
_MARGIN: Final = 80
_TITLE_SIZES: Final = (76, 68, 60, 54, 48)
"""Largest first: the first size at which the title fits in :data:`_TITLE_LINES`."""
_TITLE_LINES: Final = 4
_TITLE_TOP: Final = 240
_TITLE_BOTTOM: Final = 540
_COLOURS: Final = (_INK, _MUTED, _RULE, _ACCENT)
"""The colours drawn on the paper."""
_COMPRESSION: Final = 3
"""zlib's level: 3 compresses a card in a third of the time of 6, for a fifth more bytes."""
_LEVELS: Final = 63
"""Blends of each colour with the paper in the palette: its antialiasing."""


def _blend(colour: tuple[int, int, int], level: int) -> list[int]:
    return [round(p + (c - p) * level / _LEVELS) for p, c in zip(_PAPER, colour, strict=True)]


_PALETTE: Final = list(_PAPER) + [
    value for colour in _COLOURS for level in range(1, _LEVELS + 1)
    for value in _blend(colour, level)]
"""Index 0 the paper; then each colour's blends, from faint to full."""
_INDEX_TABLES: Final = [
    [0] + [1 + number * _LEVELS + max(0, round(cover * _LEVELS / 255) - 1)
           for cover in range(1, 256)]
    for number in range(len(_COLOURS))]
"""For each colour: how much of a pixel it covers (0-255) -> its palette index."""
_LABELS: Final = {kind.url_folder: kind.label for kind in LINKED_KINDS}


@dataclass(frozen=True, slots=True)
class Card:
    """What a card shows."""

    site: str
    label: str
    """What the page is (``Actor``, ``Index``), or ``""``."""
    title: str
    host: str
    """Where the site is (``example.org``), at the foot of the card."""

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


def card_of(meta: PageMeta, settings: m.SiteSettings, urls: Urls) -> Card:
    """The card of the page with this head. The front page shows the site's tagline
    (its title is the site's name, already at the top)."""
    folder, _, rest = meta.path.partition("/")
    label = _LABELS.get(folder, "") if meta.path.endswith("/") else ""
    if label and not rest:
        label = "Index"
    title = meta.title
    if meta.path == "":
        title = settings.tagline or settings.title
    return Card(site=settings.title, label=label, title=title, host=urls.host)


def card_link(meta: PageMeta, settings: m.SiteSettings, urls: Urls) -> CardLink:
    """Where the page's card is and what it says; the 404 page's is the front page's."""
    path = Urls.card_path(meta.path)
    if path is None:
        front = PageMeta(path="", title=settings.title, description=None, section=None)
        return card_link(front, settings, urls)
    return CardLink(url=urls.absolute_path(path), alt=card_of(meta, settings, urls).alt)


class CardMaker:
    """Draws cards with the theme's fonts, loaded once per process at each size."""

    def __init__(self, theme: Theme) -> None:
        self._fonts = {name: _find(theme, name) for name in (TITLE_FONT, LABEL_FONT, HOST_FONT)}
        hasher = hashlib.blake2b(CARD_FORMAT.encode(), digest_size=16)
        for name, path in sorted(self._fonts.items()):
            hasher.update(f"\x00{name}\x00".encode() + path.read_bytes())
        self.fonts_digest = hasher.hexdigest()
        """The font files' names and bytes, and :data:`CARD_FORMAT`."""
        self._frames: dict[tuple[str, str], Image.Image] = {}

    def digest(self, card: Card) -> str:
        """What a card's bytes depend on: its text, the fonts, the drawing's version."""
        return hashlib.blake2b(f"{self.fonts_digest}\x00{card!r}".encode(),
                               digest_size=16).hexdigest()

    def draw(self, card: Card) -> bytes:
        """The card as PNG bytes, the same on every run.

        A palette image: index 0 the paper, then each colour's :data:`_LEVELS` blends
        with it. Each line of text is drawn alone as how much of each pixel it covers,
        which the colour's table turns into indices (the lines never overlap). A
        palette PNG is a third of the bytes of a true-colour one and several times
        faster to compress, with the same antialiased text."""
        image = self._frame(card.site, card.host).copy()
        if card.label:
            _text(image, (_MARGIN, 186), card.label.upper(), self._font(LABEL_FONT, 32),
                  _ACCENT)
        size, lines = self._fit(card.title)
        font = self._font(TITLE_FONT, size)
        leading = _leading(size)
        top = _TITLE_TOP + max(0, (_TITLE_BOTTOM - _TITLE_TOP - leading * len(lines)) // 2)
        for number, line in enumerate(lines):
            _text(image, (_MARGIN, top + number * leading), line, font, _INK)
        image.putpalette(_PALETTE)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=_COMPRESSION)
        return out.getvalue()

    def _frame(self, site: str, host: str) -> Image.Image:
        """What every card of a site has: the bar, the site's name and rules, the host
        (drawn once per process: a fifth of the time of a card)."""
        found = self._frames.get((site, host))
        if found is None:
            found = Image.new("L", (WIDTH, HEIGHT), 0)
            found.paste(_full(_ACCENT), (0, 0, WIDTH, 12))
            _text(found, (_MARGIN, 64), site, self._font(TITLE_FONT, 44), _INK)
            found.paste(_full(_RULE), (_MARGIN, 136, WIDTH - _MARGIN, 139))
            found.paste(_full(_RULE), (_MARGIN, 143, WIDTH - _MARGIN, 146))
            _text(found, (_MARGIN, HEIGHT - 76), host, self._font(HOST_FONT, 30), _MUTED)
            self._frames[(site, host)] = found
        return found

    def _font(self, name: str, size: int) -> ImageFont.FreeTypeFont:
        return _load(self._fonts[name], size)

    def _fit(self, title: str) -> tuple[int, list[str]]:
        """The largest size at which the title fits in its lines; at the smallest, the
        lines that fit, the last cut with an ellipsis."""
        width = WIDTH - 2 * _MARGIN
        for size in _TITLE_SIZES:
            font = self._font(TITLE_FONT, size)
            lines = wrap(title, font, width)
            if len(lines) <= _lines_at(size):
                return size, lines
        size = _TITLE_SIZES[-1]
        font = self._font(TITLE_FONT, size)
        lines = wrap(title, font, width)[:_lines_at(size)]
        last = lines[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
        return size, lines


def _leading(size: int) -> int:
    return round(size * 1.18)


def _lines_at(size: int) -> int:
    """How many lines of the title fit between its top and bottom at this size."""
    return min(_TITLE_LINES, (_TITLE_BOTTOM - _TITLE_TOP) // _leading(size))


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words in lines no wider than ``width``; a word wider than that alone is cut.
    Each word is measured once (a line's width is its words' and spaces')."""
    space = font.getlength(" ")
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split():
        length = font.getlength(word)
        if line and used + space + length <= width:
            line.append(word)
            used += space + length
            continue
        if line:
            lines.append(" ".join(line))
        while length > width:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            length = font.getlength(word)
        line, used = [word], length
    if line:
        lines.append(" ".join(line))
    return lines or [""]


def _text(image: Image.Image, where: tuple[int, int], text: str,
          font: ImageFont.FreeTypeFont, colour: tuple[int, int, int]) -> None:
    """One line of text in a colour, put where it goes over what is there (the higher
    index wins a pixel: a descender over the next line's ascender keeps both)."""
    _, _, right, bottom = (math.ceil(edge) for edge in font.getbbox(text))
    if right <= 0 or bottom <= 0:
        return
    cover = Image.new("L", (right, bottom), 0)
    ImageDraw.Draw(cover).text((0, 0), text, font=font, fill=255)
    box = (where[0], where[1], where[0] + right, where[1] + bottom)
    image.paste(ImageChops.lighter(image.crop(box),
                                   cover.point(_INDEX_TABLES[_COLOURS.index(colour)])), box)


def _full(colour: tuple[int, int, int]) -> int:
    """The palette index of a colour itself, unblended."""
    return (_COLOURS.index(colour) + 1) * _LEVELS


def _find(theme: Theme, name: str) -> Path:
    for folder in theme.folders:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"the theme has no {name}")


@functools.cache
def _load(path: Path, size: int) -> ImageFont.FreeTypeFont:
    # Basic layout: the same glyph positions whichever shaping library Pillow has.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
