"""Editor Markdown to safe HTML, plus what the linker needs to know about it.

Contract: :func:`render_markdown` never raises for anything an editor can write. It
returns sanitized HTML, the record links the editor wrote (with positions), the
problems found (bad link schemes, malformed record links, bad or duplicate paragraph
anchors), the numbered top-level paragraphs of an article body and the actors the
text auto-links or mentions. Links written in Markdown syntax are checked; raw HTML
is sanitized, never an error.

Record links stay in the HTML as ``href="actor:india"``; publishing makes them URLs
with :func:`rewrite_record_links`, on the parsed HTML (text that merely reads like a
link, in a code span, stays text). Only links the editor wrote in Markdown syntax
(and auto-links) can carry a record scheme or an ``id``: the same in raw HTML is
dropped, because the linker never saw it. This is a leaf module: it imports nothing
else from ``kabul_brief``.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import html as htmllib
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown import util as md_util
from markdown.extensions import Extension
from markdown.htmlparser import HTMLExtractor
from markdown.inlinepatterns import LinkInlineProcessor, ReferenceInlineProcessor
from markdown.preprocessors import HtmlBlockPreprocessor
from markdown.treeprocessors import Treeprocessor

from kabul_brief.content.fieldtypes import ID_MAX_LENGTH, ID_RE, NOT_ID_RUN_RE
from kabul_brief.kinds import LINK_SCHEMES
from kabul_brief.themeids import is_theme_id

RECORD_KINDS: Final[tuple[str, ...]] = LINK_SCHEMES
"""The kinds a record link (``actor:india``) may name."""
ANCHOR_RE: Final[re.Pattern[str]] = re.compile(
    rf"(?=.{{1,{ID_MAX_LENGTH}}}\Z)" + ID_RE.pattern)  # an id, of an id's length
"""Ids and paragraph names: the id pattern, matched whole (``fullmatch``, and ``\\Z``
in the length check) so that ``"india\\n"`` is refused."""

_SAFE_SCHEMES: Final = ("http", "https", "mailto")
_NETWORK_PATH_RE: Final = re.compile(r"[/\\][/\\]")
"""A target starting with two slashes (either way round): a network-path reference."""
_SCHEME_RE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_AND_SPACE: Final = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE_RE: Final = re.compile(r"[\t\n\r]")
_ENTITY_RE: Final = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
_ESCAPE_RE: Final = re.compile("\x02([0-9]+)\x03")
_STASH_RE: Final = re.compile("\x02wzxhzdk:([0-9]+)\x03")
_LONG_CHARREF_RE: Final = re.compile(r"&#([0-9]{8,}+)(;?)")
_BRACKET_RE: Final = re.compile(r"[\[\]]")
_PAREN_RE: Final = re.compile(r"[()]")
_QUOTE_RE: Final = re.compile("['\"]")
_TARGET_PLACE_RE: Final = re.compile(r"[(<:][ \t]{0,79}+")
"""A link target starts after one of these and up to 79 blanks (the locator looks
80 characters back)."""
_PLACEHOLDER_RE: Final = re.compile("\x02[^\x02\x03]*\x03")
_AMP_ENTITY_RE: Final = re.compile(re.escape(md_util.AMP_SUBSTITUTE) + r"(#?[0-9A-Za-z]+;)")
_RESERVED_ANCHOR_RE: Final = re.compile(r"p[0-9]+\Z")
_RAW_TAG_RE: Final = re.compile(r"<\s*+(?:(/)\s*+)?([A-Za-z][A-Za-z0-9-]*)")
"""Possessive: ``<`` and a long run of spaces must not be retried split in two ways."""

_EXTENSIONS: Final = ("tables", "fenced_code", "sane_lists")
_HEADINGS: Final = frozenset(f"h{n}" for n in range(1, 7))
_NO_LINK_TAGS: Final = _HEADINGS | {"a", "button", "label", "option", "select", "textarea"}
_CODE_TAGS: Final = frozenset({"code", "pre", "kbd", "samp", "script", "style", "template"})

_TAGS: Final = frozenset(
    {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt"}
    | {"em", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp"}
    | {"small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th"}
    | {"thead", "tr", "ul", "var"}
    | _HEADINGS
)
_CELL_ATTRIBUTES: Final = frozenset({"style", "colspan", "rowspan"})
_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = {
    "a": frozenset({"href", "title", "class"}),
    "img": frozenset({"src", "alt", "title"}),
    "p": frozenset({"id"}),
    "span": frozenset({"id", "class"}),
    "code": frozenset({"class"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
    "th": _CELL_ATTRIBUTES,
    "td": _CELL_ATTRIBUTES,
    **{heading: frozenset({"id"}) for heading in _HEADINGS},
}
# Their content is never prose: drop it rather than show a script's source as text.
_CLEAN_CONTENT_TAGS: Final = frozenset(
    {"script", "style", "iframe", "noscript", "template", "textarea", "title", "xmp"}
    | {"noembed", "noframes", "plaintext", "object", "select", "svg", "math"}
)
_URL_SCHEMES: Final = frozenset(_SAFE_SCHEMES + RECORD_KINDS)

_LINK: Final = 0
_MENTION: Final = 1
_IGNORE: Final = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class TextPosition:
    """Where something was written in the Markdown text given (the caller adds offsets)."""

    line: int
    """1-based line within the Markdown text given."""
    column: int
    """1-based column (in characters) within that line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordLink:
    """A link to a record the editor wrote; the linker checks that the record exists."""

    kind: str
    """One of :data:`RECORD_KINDS`, lowercase."""
    id: str
    """The record id as written (well-formed, but possibly unknown)."""
    fragment: str | None
    """The anchor of ``article:ID#anchor``, else None."""
    at: TextPosition


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Something the editor must fix; the caller turns it into a content error."""

    code: str
    """``link-scheme``, ``bad-record-link``, ``bad-anchor`` or ``duplicate-anchor``."""
    message: str
    hint: str | None
    at: TextPosition


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    """A top-level paragraph of an article body: what citations can point at."""

    number: int
    """1-based; the paragraph's ``<p>`` carries ``id="p{number}"``."""
    name: str | None
    """The explicit ``{#name}`` anchor, if any (valid and unique)."""
    text: str
    """Plain text of the paragraph, white space collapsed (for previews and tests)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """One rendered Markdown text and what the linker needs to know about it."""

    html: str
    """Sanitized HTML fragment."""
    record_links: tuple[RecordLink, ...]
    """Well-formed record links the editor wrote, in document order."""
    problems: tuple[Problem, ...]
    """In source order."""
    paragraphs: tuple[Paragraph, ...]
    """Only when rendered with ``paragraphs=True``, else empty."""
    autolinked: tuple[str, ...]
    """Actor ids auto-linked, in document order."""
    mentioned: tuple[str, ...]
    """Actor ids mentioned by name or alias anywhere outside code; sorted, unique."""


class AutoLinker:
    """Finds the first mention of each actor's name or aliases in body text.

    One compiled pattern for all names, longest first, so "Amir Khan Muttaqi" wins
    over "Muttaqi". A name shared by two actors links to neither (see ``ambiguous``).
    """

    __slots__ = ("_owner", "_pattern", "ambiguous")

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        owners = _owners(names)
        self._owner: dict[str, str | None] = {
            key: next(iter(ids)) if len(ids) == 1 else None for key, ids in owners.items()
        }
        self.ambiguous: tuple[str, ...] = tuple(sorted(k for k, v in owners.items() if len(v) > 1))
        """Names that belong to more than one actor: never linked, never counted."""
        ordered = sorted(owners, key=lambda key: (-len(key), key))
        # A name may be broken across lines in the source: any white space matches.
        alternatives = "|".join(r"\s+".join(map(re.escape, key.split(" "))) for key in ordered)
        word = _word_characters()
        self._pattern: re.Pattern[str] | None = (
            re.compile(f"(?<![{word}])(?:{alternatives})(?![{word}])") if ordered else None
        )

    def _find(self, text: str, start: int, end: int) -> Iterator[tuple[int, int, str | None]]:
        """Yield (start, end, actor id or None when ambiguous) for each whole-word mention."""
        if self._pattern is None:
            return
        for match in self._pattern.finditer(text, start, end):
            yield match.start(), match.end(), self._owner.get(" ".join(match.group().split()))


def _owners(names: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """Each name (white space collapsed) and the actors it belongs to."""
    owners: dict[str, set[str]] = {}
    for actor_id, actor_names in names.items():
        for name in (actor_names,) if isinstance(actor_names, str) else actor_names:
            key = " ".join(name.split())
            if key:
                owners.setdefault(key, set()).add(actor_id)
    return owners


def shared_names(names: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Names that more than one actor has, with those actors (sorted): the auto-linker
    links them to none, so the linter can say so."""
    return {
        name: tuple(sorted(ids))
        for name, ids in sorted(_owners(names).items()) if len(ids) > 1
    }


@functools.cache
def _word_characters() -> str:
    """Regex class body for letters that continue a word.

    Python's ``\\w`` leaves out combining marks (Devanagari vowel signs, Arabic
    harakat) and the zero-width joiners Persian and Pashto use inside words.
    """
    ranges: list[tuple[int, int]] = []
    for code in (*range(0x30000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    marks = "".join(rf"\U{low:08x}-\U{high:08x}" for low, high in ranges)
    return rf"\w\u200c\u200d{marks}"


def render_markdown(
    text: str, *, paragraphs: bool = False, autolinker: AutoLinker | None = None,
    top_heading: int | None = None,
) -> Rendered:
    """Render one editor text; no state leaks from one text to the next.

    Building a ``markdown.Markdown`` costs more than converting a short summary, so
    each thread keeps one and calls ``reset()`` before every text (Python-Markdown's
    documented way to reuse an instance); the per-text state lives in a fresh
    ``_Processor``.
    """
    if nesting_depth(text) > MAX_NESTING:
        raise TooDeep(text)
    engine = _engine()
    processor = _Processor(
        text=text, mark=engine.mark, number_paragraphs=paragraphs, autolinker=autolinker,
        top_heading=top_heading or (2 if paragraphs else 3),
    )
    processor.md = engine.md
    engine.slot.current = processor
    engine.md.reset()
    try:
        converted = engine.md.convert(text)
    except BaseException:
        # reset() does not unwind the block parser's state stack: an engine that failed
        # half way (RecursionError) would read every later text as inside a list.
        _LOCAL.engine = None
        raise
    finally:
        engine.slot.current = None
    # Each top-level block is sanitized on its own: an unclosed raw <iframe>, <style> or
    # <textarea> would otherwise swallow (and the sanitizer drop) the rest of the text.
    blocks = converted.split(processor.block_end)
    clean = "".join(engine.cleaner.clean(block) for block in blocks)
    problems = sorted(processor.problems, key=lambda p: (p.at.line, p.at.column))
    return Rendered(
        html=clean,
        record_links=tuple(processor.record_links),
        problems=tuple(problems),
        paragraphs=tuple(processor.paragraphs),
        autolinked=tuple(processor.autolinked),
        mentioned=tuple(sorted(processor.mentioned)),
    )


MAX_NESTING: Final = 40
"""Lists and quotes nested deeper than this are refused before they are parsed:
Python-Markdown takes quadratic time over them and runs out of stack near 100."""


class TooDeep(ValueError):
    """The text nests lists or quotes more than :data:`MAX_NESTING` deep."""


def nesting_depth(text: str) -> int:
    """How deep the text's lines are nested: four columns of indentation, or one ``>``,
    to a level (the most Python-Markdown makes of them), in one pass over the text."""
    deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip(" \t>")
        lead = line[: len(line) - len(stripped)]
        columns = len(lead.replace(">", "").expandtabs(4))
        deepest = max(deepest, columns // 4 + lead.count(">"))
    return deepest


class _Slot(Treeprocessor):
    """The treeprocessor registered once per engine; runs the current text's processor."""

    current: _Processor | None = None

    def run(self, root: Element) -> None:
        assert self.current is not None
        self.current.run(root)


@dataclass(slots=True)
class _Engine:
    md: markdown.Markdown
    slot: _Slot
    cleaner: nh3.Cleaner
    mark: str
    """Random per engine: ids and record links carry it from our processor to the
    sanitizer, so raw HTML (written before the build, unable to know it) can't."""


_LOCAL = threading.local()


def _engine() -> _Engine:
    engine: _Engine | None = getattr(_LOCAL, "engine", None)
    if engine is None:
        mark = f"kb{secrets.token_hex(8)}-"
        slot = _Slot()
        md = markdown.Markdown(
            extensions=[*_EXTENSIONS, _SlotExtension(slot)], output_format="html"
        )
        brackets = _Brackets()
        parens = _Parens()
        for pattern in md.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor):
                fast = functools.partial(brackets.get_text, fallback=pattern.getText)
                pattern.getText = fast  # type: ignore[method-assign]
            if isinstance(pattern, LinkInlineProcessor) and not isinstance(
                    pattern, ReferenceInlineProcessor):  # references never call getLink
                link = functools.partial(
                    parens.get_link, pattern=pattern.RE_LINK, unescape=pattern.unescape,
                    fallback=pattern.getLink)
                pattern.getLink = link  # type: ignore[method-assign]
        md.preprocessors.register(_HtmlBlocks(md), "html_block", 20)
        cleaner = _cleaner(_attribute_filter(mark))
        engine = _Engine(md=md, slot=slot, cleaner=cleaner, mark=mark)
        _LOCAL.engine = engine
    return engine


class _Brackets:
    """Python-Markdown's ``getText`` for links and images, in linear time.

    It counts from each ``[`` to its ``]``; with many unclosed ``[`` every one scans to
    the end of the text, which takes quadratic time. This scan keeps a stack instead
    and remembers, for the text it scanned, where every ``[`` it passed closes (or
    that it never does), so no bracket is scanned twice until the text changes.
    """

    def __init__(self) -> None:
        self._data: str | None = None
        self._closes: dict[int, int | None] = {}

    def get_text(
        self, data: str, index: int, *, fallback: Callable[[str, int], tuple[str, int, bool]]
    ) -> tuple[str, int, bool]:
        """Same answer as ``LinkInlineProcessor.getText``: the text inside the brackets
        opened just before ``index``, the index after the closing one, whether it closes."""
        opening = index - 1
        if opening < 0 or data[opening] != "[":
            return fallback(data, index)  # every link pattern ends with the "[": not seen
        if data is not self._data:
            self._data, self._closes = data, {}
        if opening not in self._closes:
            self._scan(data, opening)
        close = self._closes[opening]
        if close is None:
            return "", len(data), False
        return data[index:close], close + 1, True

    def _scan(self, data: str, opening: int) -> None:
        _pair(data, opening, _BRACKET_RE, "[", self._closes)


def _pair(data: str, opening: int, pattern: re.Pattern[str], opener: str,
          closes: dict[int, int | None]) -> None:
    """Pair ``opening`` and every opener nested in it with its closer, in one pass
    over ``pattern``'s matches (openers and closers); an unclosed one pairs with None."""
    stack = [opening]
    for match in pattern.finditer(data, opening + 1):
        position = match.start()
        if data[position] == opener:
            stack.append(position)
            continue
        closes[stack.pop()] = position
        if not stack:
            return
    for unclosed in stack:
        closes[unclosed] = None


class _Parens:
    """Python-Markdown's ``getLink`` for the ``(...)`` of a link, in linear time where
    it was quadratic.

    It counts parentheses from each ``(`` to the end of the text; with many unclosed
    ``(`` that is quadratic. Until its first quote (which may start a title) the count
    is plain nesting, so when no quote comes before the ``(`` closes (or before the end,
    if it never does) a stack scan like :class:`_Brackets` gives the same answer.
    Anything with a quote in it goes to the original.
    """

    def __init__(self) -> None:
        self._data: str | None = None
        self._closes: dict[int, int | None] = {}
        self._quote_span = (0, -1)
        """Positions from the first to the second have no quote before the second
        (the end of the text when there is none)."""

    def get_link(
        self, data: str, index: int, *, pattern: re.Pattern[str],
        unescape: Callable[[str], str],
        fallback: Callable[[str, int], tuple[str, str | None, int, bool]],
    ) -> tuple[str, str | None, int, bool]:
        """Same answer as ``LinkInlineProcessor.getLink``: href, title, the index after
        the link, whether it closes."""
        match = pattern.match(data, index)
        if match is None or match.group(1):
            return fallback(data, index)  # no "(", or a "<href>": a regex, already linear
        if data is not self._data:
            self._data, self._closes, self._quote_span = data, {}, (0, -1)
        if index not in self._closes:
            self._scan(data, index)
        close = self._closes[index]
        start = match.end()
        if self._quote_at(data, start, len(data) if close is None else close):
            return fallback(data, index)
        if close is None:
            return "", None, len(data), False
        return unescape(data[start:close]).strip(), None, close + 1, True

    def _quote_at(self, data: str, start: int, end: int) -> bool:
        """Whether a quote is in ``data[start:end]``. A closed link searches only its
        own target (the text changes after it); an unclosed one searches to the end
        once, and later ones in the same text reuse what that found."""
        low, high = self._quote_span
        if not low <= start <= high:
            if end < len(data):
                return _QUOTE_RE.search(data, start, end) is not None
            found = _QUOTE_RE.search(data, start)
            high = len(data) if found is None else found.start()
            self._quote_span = (start, high)
        return high < end

    def _scan(self, data: str, opening: int) -> None:
        _pair(data, opening, _PAREN_RE, "(", self._closes)


_TAG_STOPS: Final = "'\">`\x00"
"""Where Python-Markdown's start-tag pattern may stop before the end of the text."""


class _Extractor(HTMLExtractor):
    """Python-Markdown's raw HTML extractor, with ``check_for_whole_start_tag`` linear
    on many unclosed ``<a`` openers.

    The start-tag pattern, tried from each ``<`` and a letter, runs to the end of the
    text when no tag closes: quadratic. After the last character it can stop at (a
    quote, ``>``, a backtick, NUL) it always runs to the end, and the answer is -1
    ("incomplete"): given without matching. Anywhere else the original answers.
    """

    _tail_of: str | None = None
    _tail_from: int = 0

    def check_for_whole_start_tag(self, i: int) -> int:
        rawdata: str = self.rawdata
        if rawdata is not self._tail_of:
            self._tail_of = rawdata
            self._tail_from = max(rawdata.rfind(stop) for stop in _TAG_STOPS) + 1
        letter = rawdata[i + 1 : i + 2]
        if i >= self._tail_from and rawdata[i] == "<" and letter.isascii() and letter.isalpha():
            return -1
        result: int = super().check_for_whole_start_tag(i)
        return result


class _HtmlBlocks(HtmlBlockPreprocessor):
    """Python-Markdown's raw HTML block preprocessor, run with :class:`_Extractor`."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        parser = _Extractor(self.md)
        parser.feed(source)
        parser.close()
        return "".join(parser.cleandoc).split("\n")


def _cleaner(attribute_filter: Callable[[str, str, str], str | None]) -> nh3.Cleaner:
    """The sanitizer's allow-lists; only what becomes of an attribute differs."""
    return nh3.Cleaner(
        tags=set(_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(_URL_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel=None,
    )


Resolve = Callable[[str, str, str | None], str]
"""(kind, id, fragment or None) -> the URL a record link points to."""

_RECORD_HREF_HINT: Final = re.compile(f'(?:href|src)="(?:{"|".join(RECORD_KINDS)}):')


def rewrite_record_links(html: str, resolve: Resolve) -> str:
    """Sanitized HTML with each record link (``href="actor:india"``) made a URL.

    The HTML is parsed and only real ``href`` attributes are changed: a code span
    showing ``<a href="actor:india">`` is text and stays text. Re-sanitizing our own
    output with the same allow-lists changes nothing else. A text with no record
    link at all is returned as it is, unparsed.
    """
    if _RECORD_HREF_HINT.search(html) is None:
        return html
    rewriter: _Rewriter | None = getattr(_LOCAL, "rewriter", None)
    if rewriter is None:
        rewriter = _Rewriter()
        _LOCAL.rewriter = rewriter
    return rewriter.rewrite(html, resolve)


class _Rewriter:
    """One cleaner per thread whose attribute filter asks the current ``resolve``."""

    def __init__(self) -> None:
        self._resolve: Resolve | None = None
        self._cleaner = _cleaner(self._filter)

    def rewrite(self, html: str, resolve: Resolve) -> str:
        self._resolve = resolve
        try:
            return self._cleaner.clean(html)
        finally:
            self._resolve = None

    def _filter(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        scheme = _SCHEME_RE.match(value)
        if scheme is None or scheme.group(1) not in RECORD_KINDS:
            return value
        assert self._resolve is not None
        record_id, hash_sign, fragment = value[scheme.end() :].partition("#")
        if tag != "a" or not ANCHOR_RE.fullmatch(record_id) or (
            hash_sign and not ANCHOR_RE.fullmatch(fragment)
        ):
            return None  # never written by render_markdown: a fuse, not a path
        return self._resolve(scheme.group(1), record_id, fragment if hash_sign else None)


def _normalize_url(value: str) -> str:
    """The URL as a browser resolves it: tabs and newlines dropped, C0 and spaces trimmed."""
    return _TAB_NEWLINE_RE.sub("", value).strip(_C0_AND_SPACE)


def _attribute_filter(mark: str) -> Callable[[str, str, str], str | None]:
    """Keep ids and record links only where this render put them (they carry ``mark``)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return value[len(mark) :] if value.startswith(mark) else None
        if attribute in ("href", "src"):
            url = _normalize_url(value)
            scheme = _SCHEME_RE.match(url)
            if scheme and scheme.group(1).lower() in RECORD_KINDS:
                rest = url[scheme.end() :]
                ours = scheme.group(1) in RECORD_KINDS and rest.startswith(mark)
                return f"{scheme.group(0)}{rest[len(mark) :]}" if ours else None
        return value

    return keep


def _show(value: str) -> str:
    """A target fit for a one-line message: control characters made visible."""
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


class _Locator:
    """Finds where a string was written in the source; each occurrence is claimed once.

    Searching the whole text once per link takes quadratic time in a text of many
    links. Where the syntax puts a target (after ``(``, ``<`` or ``:`` and blanks) or
    an anchor (at a ``{#``) is found once; those places are grouped by the characters
    that start there, so a needle is looked up, not searched for. Only a needle
    written nowhere the syntax puts it is searched for in the whole text.
    """

    _KEY: Final = 16
    """Characters that group the places: enough to tell most link targets apart."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._claimed: set[int] = set()
        self._places: dict[bool, list[int]] = {}
        self._groups: dict[tuple[bool, int], dict[str, list[int]]] = {}
        self._cache: dict[tuple[str, bool], list[int]] = {}

    def position(self, offset: int) -> TextPosition:
        line = bisect.bisect_right(self._line_starts, offset)
        return TextPosition(line=line, column=offset - self._line_starts[line - 1] + 1)

    def _fits(self, offset: int, needle: str, *, link: bool) -> bool:
        """Where the syntax puts it: a link target after ``(``, ``<`` or ``]:``; an anchor
        at the end of its line."""
        if link:
            before = self._text[max(0, offset - 80) : offset]
            return before.rstrip(" \t").endswith(("(", "<", ":"))
        after = offset + len(needle)
        line_end = self._text.find("\n", after)
        return not self._text[after : line_end if line_end >= 0 else None].strip()

    def _candidate_places(self, *, link: bool) -> list[int]:
        """Offsets where a link target (``link``) or an anchor may start, in order."""
        if link not in self._places:
            if link:
                places = [
                    offset
                    for match in _TARGET_PLACE_RE.finditer(self._text)
                    for offset in range(match.start() + 1, match.end() + 1)
                    if offset < len(self._text)
                ]
            else:
                places = [m.start() for m in re.finditer(re.escape("{#"), self._text)]
            self._places[link] = places
        return self._places[link]

    def _group(self, needle: str, *, link: bool) -> list[int]:
        """The candidate places that start with the first characters of ``needle``."""
        size = min(len(needle), self._KEY)
        key = (link, size)
        if key not in self._groups:
            groups: dict[str, list[int]] = {}
            for offset in self._candidate_places(link=link):
                groups.setdefault(self._text[offset : offset + size], []).append(offset)
            self._groups[key] = groups
        return self._groups[key].get(needle[:size], [])

    def _fitting(self, needle: str, *, link: bool) -> list[int]:
        """Offsets of ``needle`` where the syntax puts it, in order (cached)."""
        key = (needle, link)
        if key not in self._cache:
            self._cache[key] = [
                offset
                for offset in self._group(needle, link=link)
                if self._text.startswith(needle, offset)
                and (link or self._fits(offset, needle, link=False))
            ]
        return self._cache[key]

    def _everywhere(self, needle: str, *, link: bool) -> list[int]:
        """Every offset of ``needle``, overlapping ones too, in order."""
        if not link and needle.startswith("{#"):  # an anchor starts at a candidate place
            return [o for o in self._group(needle, link=False) if self._text.startswith(needle, o)]
        found: list[int] = []
        offset = self._text.find(needle)
        while offset >= 0:
            found.append(offset)
            offset = self._text.find(needle, offset + 1)
        return found

    def claim(self, candidates: Sequence[str], *, link: bool) -> TextPosition:
        """Position of the first unclaimed occurrence of the first candidate written.

        Where the syntax puts it comes first. A reference definition serves several
        links, so when every occurrence is claimed one is reused rather than falling
        back to the start of the text.
        """
        for needle in dict.fromkeys(c for c in candidates if c):
            fitting = self._fitting(needle, link=link)
            offset = next((o for o in fitting if o not in self._claimed), None)
            if offset is None:
                offsets = self._everywhere(needle, link=link)
                if not offsets:
                    continue
                offset = next(
                    (o for o in offsets if o not in self._claimed),
                    fitting[0] if fitting else offsets[0],
                )
            self._claimed.add(offset)
            return self.position(offset)
        return TextPosition(line=1, column=1)


def _demote_headings(root: Element, top: int) -> None:
    """The page's title is its only ``<h1>``: a text whose highest heading is above
    ``top`` (``<h2>`` in an article body, ``<h3>`` in a summary shown under a section
    heading) has all its headings moved down by the same step, keeping their order."""
    headings = [e for e in root.iter()
                if len(e.tag) == 2 and e.tag[0] == "h" and e.tag[1] in "123456"]
    if not headings:
        return
    step = top - min(int(e.tag[1]) for e in headings)
    if step > 0:
        for element in headings:
            element.tag = f"h{min(int(element.tag[1]) + step, 6)}"


class _Processor(Treeprocessor):
    """Checks links, numbers paragraphs and auto-links actors, in one tree walk each.

    Runs after Python-Markdown's inline processing and before its unescaping, so a
    backslash-escaped ``\\{#name}`` is still visibly escaped and is not an anchor.
    """

    md: markdown.Markdown

    def __init__(
        self, *, text: str, mark: str, number_paragraphs: bool, autolinker: AutoLinker | None,
        top_heading: int,
    ) -> None:
        super().__init__()
        self.top_heading = top_heading
        """The highest heading level the text may use: 2 in a body, 3 in a summary."""
        self.text = text
        self.mark = mark
        self.block_end = f"{mark}end"
        """Written after each top-level block, so the blocks can be told apart."""
        self.number_paragraphs = number_paragraphs
        self.autolinker = autolinker
        self.record_links: list[RecordLink] = []
        self.problems: list[Problem] = []
        self.paragraphs: list[Paragraph] = []
        self.autolinked: list[str] = []
        self.mentioned: set[str] = set()
        self._locator = _Locator(text)
        self._raw_no_link = 0
        self._raw_code = 0

    def run(self, root: Element) -> None:
        _demote_headings(root, self.top_heading)
        self._check_links(root)
        if self.number_paragraphs:
            self._number_paragraphs(root)
        if self.autolinker is not None:
            self._autolink(root, self.autolinker)
        for block in root:
            block.tail = self.block_end + (block.tail or "")

    # -- placeholders ---------------------------------------------------------------

    def _stash(self, index: str) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        return str(blocks[int(index)]) if int(index) < len(blocks) else ""

    def _plain(self, value: str) -> str:
        """Python-Markdown's placeholders turned back into the characters they stand for."""
        value = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1))), value)
        value = _STASH_RE.sub(lambda m: _entity_text(self._stash(m.group(1))), value)
        value = _AMP_ENTITY_RE.sub(lambda m: _unescape("&" + m.group(1)), value)
        return value.replace(md_util.AMP_SUBSTITUTE, "&")

    def _as_written(self, value: str) -> str:
        """Best guess at the editor's source for a value (escapes back as backslashes)."""
        value = _ESCAPE_RE.sub(lambda m: "\\" + chr(int(m.group(1))), value)
        return _STASH_RE.sub(lambda m: self._stash(m.group(1)), value)

    def _claim(self, candidates: Sequence[str], *, link: bool) -> TextPosition:
        return self._locator.claim(candidates, link=link)

    def _report(self, code: str, message: str, hint: str | None, at: TextPosition) -> None:
        self.problems.append(Problem(code=code, message=message, hint=hint, at=at))

    # -- links ----------------------------------------------------------------------

    def _check_links(self, root: Element) -> None:
        """Check every Markdown link and image in document order; unwrap the bad ones."""
        doomed: list[tuple[Element, Element]] = []
        for parent, element in _preorder_with_parent(root):
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            value = element.get(attribute) if attribute else None
            if attribute is None or value is None:
                continue
            if not self._check_target(element, attribute, value):
                doomed.append((parent, element))
        for parent, element in reversed(doomed):  # descendants before their ancestors
            _unwrap(parent, element, element.get("alt", "") if element.tag == "img" else None)

    def _check_target(self, element: Element, attribute: str, value: str) -> bool:
        """Record a good target (canonical record links get our mark); report a bad one."""
        decoded = self._plain(value)
        target = _normalize_url(_ENTITY_RE.sub(lambda m: _unescape(m.group()), decoded))
        written = [self._as_written(value), decoded, target]
        if target.lower().startswith("mailto:"):
            written.append(target[len("mailto:") :])
        at = self._claim(written, link=True)
        scheme_match = _SCHEME_RE.match(target)
        what = "image source" if attribute == "src" else "link target"
        if scheme_match is None and _NETWORK_PATH_RE.match(target):
            # ``//host/path``: another host, in whatever scheme the page has (a browser
            # reads ``/\host`` and ``\\host`` the same way)
            message = (f"{what} `{_show(target)}` names another host without a scheme;"
                       " it is not a relative path")
            host_and_path = target.lstrip("/\\")
            hint = f"write the whole address: https://{_show(host_and_path)}"
            self._report("link-scheme", message, hint, at)
            return False
        if scheme_match is None:
            return True  # a relative path or a #fragment
        scheme = scheme_match.group(1).lower()
        if scheme in _SAFE_SCHEMES:
            return True
        if scheme not in RECORD_KINDS:
            close = difflib.get_close_matches(scheme, (*RECORD_KINDS, *_SAFE_SCHEMES), n=1)
            hint = (
                f"did you mean `{close[0]}:`?"
                if close
                else "a link may point to an http(s) or mailto URL, a relative path, "
                "a #fragment or a record, such as `actor:ID`"
            )
            message = f"{what} `{_show(target)}` uses the scheme `{scheme}:`, which is not allowed"
            self._report("link-scheme", message, hint, at)
            return False
        if attribute == "src":
            message = f"{what} `{_show(target)}` is a record link; an image needs a URL or path"
            hint = f"to link to the record, write [text]({_show(target)})"
            self._report("bad-record-link", message, hint, at)
            return False
        link = self._record_link(scheme, target[scheme_match.end() :], target, at)
        if link is None:
            return False
        self.record_links.append(link)
        rest = link.id if link.fragment is None else f"{link.id}#{link.fragment}"
        element.set(attribute, f"{link.kind}:{self.mark}{rest}")
        return True

    def _record_link(
        self, kind: str, rest: str, target: str, at: TextPosition
    ) -> RecordLink | None:
        """Parse ``ID`` or ``ID#anchor`` after a record scheme; report what is malformed."""
        record_id, hash_sign, fragment = rest.partition("#")
        shown = _show(target)
        if not ANCHOR_RE.fullmatch(record_id):
            suggestion = _slug(record_id)
            hint = (
                f"did you mean `{kind}:{suggestion}`?"
                if suggestion
                else "ids are lowercase ASCII letters, digits and single hyphens"
            )
            message = f"record link `{shown}` has a malformed id `{_show(record_id)}`"
            self._report("bad-record-link", message, hint, at)
            return None
        if hash_sign and kind != "article":
            message = f"record link `{shown}` has a #fragment; only article links take one"
            self._report("bad-record-link", message, f"write `{kind}:{record_id}`", at)
            return None
        if hash_sign and not ANCHOR_RE.fullmatch(fragment):
            message = f"record link `{shown}` has a malformed anchor `{_show(fragment)}`"
            hint = (
                "an anchor is a paragraph number such as `p3` or a `{#name}` given in the article"
            )
            self._report("bad-record-link", message, hint, at)
            return None
        return RecordLink(kind=kind, id=record_id, fragment=fragment if hash_sign else None, at=at)

    # -- paragraphs -----------------------------------------------------------------

    def _number_paragraphs(self, root: Element) -> None:
        """Number the top-level paragraphs and give each its id and optional named anchor."""
        names: dict[str, TextPosition] = {}
        for element in root:
            if element.tag != "p":
                continue
            if self._is_raw_block(element):
                # Python-Markdown wraps inline raw HTML alone on its lines (``<img>``) in a
                # ``<p>``; unwrap it (the sanitizer drops ``div``) so that every top-level
                # ``<p>`` of ours carries its number.
                element.tag = "div"
                continue
            number = len(self.paragraphs) + 1
            element.set("id", f"{self.mark}p{number}")
            name = self._take_anchor(element, names)
            text = self._paragraph_text(element)
            self.paragraphs.append(Paragraph(number=number, name=name, text=text))

    def _paragraph_text(self, paragraph: Element) -> str:
        """Plain text as a reader sees it: no raw tags, no script or style content."""
        joined = "".join(_text_of(paragraph))
        kept: list[str] = []
        depth = start = 0
        for token in [*_STASH_RE.finditer(joined), None]:
            if depth == 0:
                kept.append(joined[start : token.start() if token else None])
            if token is None:
                break
            tag = _RAW_TAG_RE.match(self._stash(token.group(1)))
            if tag and tag.group(2).lower() in _CLEAN_CONTENT_TAGS:
                depth = max(0, depth + (-1 if tag.group(1) else 1))
            elif depth == 0:
                kept.append(token.group())
            start = token.end()
        return " ".join(self._plain("".join(kept)).split())

    def _is_raw_block(self, element: Element) -> bool:
        """A raw HTML block: a ``<p>`` holding only placeholders of stashed tags."""
        if len(element) or not element.text:
            return False
        stashed = _STASH_RE.findall(element.text)
        return (
            bool(stashed)
            and not _STASH_RE.sub("", element.text).strip()
            and all(self._stash(index).lstrip().startswith("<") for index in stashed)
        )

    def _take_anchor(self, paragraph: Element, names: dict[str, TextPosition]) -> str | None:
        """Remove a trailing ``{#name}`` and, if the name is good, add ``<span id=name>``."""
        last = paragraph[-1] if len(paragraph) else None
        slot = paragraph.text if last is None else last.tail
        found = _trailing_anchor(slot or "")
        if slot is None or found is None:
            return None
        start, raw_name = found
        if last is None:
            paragraph.text = slot[:start]
        else:
            last.tail = slot[:start]
        name = self._plain(raw_name)
        at = self._claim(["{#" + self._as_written(raw_name) + "}", "{#" + name + "}"], link=False)
        if not ANCHOR_RE.fullmatch(name):
            suggestion = _slug(name)
            hint = f"did you mean `{{#{suggestion}}}`?" if suggestion else None
            message = (
                f"paragraph anchor `{{#{_show(name)}}}` is malformed: use lowercase ASCII "
                "letters, digits and single hyphens, up to 64 characters"
            )
            self._report("bad-anchor", message, hint, at)
            return None
        if _RESERVED_ANCHOR_RE.fullmatch(name):
            message = f"paragraph anchor `{{#{name}}}` looks like a paragraph number"
            hint = "names of the form p + digits are reserved: cite the paragraph by number"
            self._report("bad-anchor", message, hint, at)
            return None
        if is_theme_id(name):
            message = f"paragraph anchor `{{#{name}}}` is an id the page itself uses"
            hint = ("the site's pages already carry an element with this id (such as the"
                    " search box): pick another name")
            self._report("reserved-anchor", message, hint, at)
            return None
        if name in names:
            first = names[name]
            message = f"paragraph anchor `{{#{name}}}` is used twice in this text"
            hint = f"first used at line {first.line}, column {first.column}: pick another name"
            self._report("duplicate-anchor", message, hint, at)
            return None
        names[name] = at
        span = Element("span", {"id": f"{self.mark}{name}"})
        span.tail = paragraph.text
        paragraph.text = None
        paragraph.insert(0, span)
        return name

    # -- automatic links ------------------------------------------------------------

    def _autolink(self, root: Element, linker: AutoLinker) -> None:
        """Link each actor's first mention in document order, outside links/headings/code."""
        linked: set[str] = set()
        explicit = f"actor:{self.mark}"
        for event, element, parent, mode in _document_events(root):
            if event == "enter":
                if parent is root:
                    self._raw_no_link = self._raw_code = 0  # unclosed raw tags end here
                href = element.get("href") or ""
                if element.tag == "a" and href.startswith(explicit):
                    linked.add(href[len(explicit) :])
                continue
            text = element.text if event == "text" else element.tail
            if not text:
                continue
            spans = self._mentions(text, mode, linker, linked)
            if not spans:
                continue
            head, anchors = self._split(text, spans)
            if event == "text":
                element.text = head
                index = 0
                host = element
            else:
                assert parent is not None
                element.tail = head
                index = list(parent).index(element) + 1
                host = parent
            for offset, anchor in enumerate(anchors):
                host.insert(index + offset, anchor)

    def _mentions(
        self, text: str, mode: int, linker: AutoLinker, linked: set[str]
    ) -> list[tuple[int, int, str]]:
        """Collect mentions in one text node; return the spans to link.

        Placeholders (``\\x02...\\x03``) are never split; stashed raw tags such as
        ``<a>`` or ``<code>`` change what may be linked until they close.
        """
        spans: list[tuple[int, int, str]] = []
        start = 0
        tokens: list[re.Match[str] | None] = [*_PLACEHOLDER_RE.finditer(text), None]
        for token in tokens:
            end = token.start() if token else len(text)
            effective = max(
                mode,
                _IGNORE if self._raw_code else _LINK,
                _MENTION if self._raw_no_link else _LINK,
            )
            if effective != _IGNORE and end > start:
                for low, high, actor in linker._find(text, start, end):
                    if actor is None:
                        continue
                    self.mentioned.add(actor)
                    if effective == _LINK and actor not in linked:
                        linked.add(actor)
                        self.autolinked.append(actor)
                        spans.append((low, high, actor))
            if token is not None:
                self._track_raw_tag(token.group())
                start = token.end()
        return spans

    def _track_raw_tag(self, placeholder: str) -> None:
        """Follow stashed raw tags that open or close a no-link or code region."""
        stashed = _STASH_RE.fullmatch(placeholder)
        raw = self._stash(stashed.group(1)) if stashed else ""
        tag = _RAW_TAG_RE.match(raw)
        if tag is None or raw.rstrip().endswith("/>"):
            return
        step = -1 if tag.group(1) else 1
        name = tag.group(2).lower()
        if name in _CODE_TAGS or name in _CLEAN_CONTENT_TAGS:
            self._raw_code = max(0, self._raw_code + step)
        elif name in _NO_LINK_TAGS:
            self._raw_no_link = max(0, self._raw_no_link + step)

    def _split(self, text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[Element]]:
        """Cut a text node into its head and one ``<a class="autolink">`` per span."""
        anchors: list[Element] = []
        for index, (low, high, actor) in enumerate(spans):
            anchor = Element("a", {"href": f"actor:{self.mark}{actor}", "class": "autolink"})
            anchor.text = text[low:high]
            anchor.tail = text[high : spans[index + 1][0] if index + 1 < len(spans) else None]
            anchors.append(anchor)
        return text[: spans[0][0]], anchors


class _SlotExtension(Extension):
    """Registers the slot at priority 5: after inline (20), before unescape (0)."""

    def __init__(self, slot: _Slot) -> None:
        super().__init__()
        self._slot = slot

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(self._slot, "kabul_brief", 5)


def _entity_text(stashed: str) -> str:
    """Stashed entities (``&copy;``) read as their character; stashed tags as nothing."""
    return _unescape(stashed) if _ENTITY_RE.fullmatch(stashed) else ""


def _unescape(text: str) -> str:
    """``html.unescape``, except that a decimal reference too long for ``int`` (which
    raises) reads as U+FFFD, as every reference beyond U+10FFFF does."""
    return htmllib.unescape(_LONG_CHARREF_RE.sub(_shorten_charref, text))


def _shorten_charref(match: re.Match[str]) -> str:
    digits = match.group(1).lstrip("0") or "0"
    return "\ufffd" if len(digits) > 7 else f"&#{digits}{match.group(2)}"


def _trailing_anchor(text: str) -> tuple[int, str] | None:
    """Where a trailing ``{#name}`` (white space around it) starts, and the name.

    String methods rather than a pattern searched for: ``\\s*\\{#...`` tried at every
    position of a long run of white space takes quadratic time.
    """
    body = text.rstrip()
    if not body.endswith("}"):
        return None
    opening = body.rfind("{", 0, len(body) - 1)
    if opening < 0 or body[opening + 1 : opening + 2] != "#":
        return None
    name = body[opening + 2 : -1]
    if "}" in name or "\n" in name:
        return None
    return len(body[:opening].rstrip()), name


def _slug(value: str) -> str | None:
    """A well-formed id close to what was written, for a "did you mean" hint."""
    slug = NOT_ID_RUN_RE.sub("-", value.lower()).strip("-")
    return slug if slug != value and ANCHOR_RE.fullmatch(slug) else None


def _preorder_with_parent(root: Element) -> list[tuple[Element, Element]]:
    """(parent, element) pairs in document order, without recursion (nesting may be deep)."""
    pairs: list[tuple[Element, Element]] = []
    stack = [(root, child) for child in reversed(root)]
    while stack:
        parent, element = stack.pop()
        pairs.append((parent, element))
        stack.extend((element, child) for child in reversed(element))
    return pairs


def _document_events(root: Element) -> list[tuple[str, Element, Element | None, int]]:
    """Enter/text/tail events in document order, each with the link mode that applies.

    Computed up front, so inserting auto-links while consuming them is safe.
    """
    events: list[tuple[str, Element, Element | None, int]] = []
    stack: list[tuple[str, Element, Element | None, int]] = [("open", root, None, _LINK)]
    while stack:
        kind, element, parent, mode = stack.pop()
        if kind == "tail":
            events.append(("tail", element, parent, mode))
            continue
        inner = mode
        if element.tag in _CODE_TAGS:
            inner = _IGNORE
        elif element.tag in _NO_LINK_TAGS:
            inner = max(mode, _MENTION)
        events.append(("enter", element, parent, mode))
        events.append(("text", element, parent, inner))
        if parent is not None:
            stack.append(("tail", element, parent, mode))
        stack.extend(("open", child, element, inner) for child in reversed(element))
    return events


def _text_of(element: Element) -> Iterator[str]:
    """Text in document order; code spans hold entity-escaped text, so unescape it."""
    stack: list[tuple[Element, bool]] = [(element, False)]
    while stack:
        node, is_tail = stack.pop()
        if is_tail:
            yield node.tail or ""
            continue
        text = node.text or ""
        yield _unescape(text) if node.tag == "code" else text
        if node is not element:
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def _unwrap(parent: Element, element: Element, replacement: str | None) -> None:
    """Replace ``element`` by its content (or by ``replacement`` text), keeping the text around."""
    index = list(parent).index(element)
    children = list(element) if replacement is None else []
    text = (element.text or "") if replacement is None else replacement
    tail = element.tail or ""
    parent.remove(element)

    def append_at(position: int, value: str) -> None:
        if position == 0:
            parent.text = (parent.text or "") + value
        else:
            previous = parent[position - 1]
            previous.tail = (previous.tail or "") + value

    append_at(index, text)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    append_at(index + len(children), tail)
