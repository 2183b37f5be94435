"""Editor Markdown to safe HTML, plus what the linker needs to know about it.

Contract: :func:`render_markdown` never raises for anything an editor can write. It
returns sanitized HTML, the record links the editor wrote (with positions), the
problems found (bad link schemes, malformed record links, bad or duplicate paragraph
anchors), the top-level blocks of an article body with its numbered paragraphs, and
the actors the text auto-links or mentions. Links written in Markdown syntax are
checked; raw HTML is sanitized, never an error. The jobs done on the parsed tree are
steps of their own, in :mod:`kabul_brief.content.mdprocessors`; this module runs
them and sanitizes what they leave.

Record links stay in the HTML as ``href="actor:india"``; publishing makes them URLs
with :func:`rewrite_record_links`, on the parsed HTML (text that merely reads like a
link, in a code span, stays text). Only links the editor wrote in Markdown syntax
(and auto-links) can carry a record scheme or an ``id``: the same in raw HTML is
dropped, because the linker never saw it. Of ``kabul_brief`` it imports only the
steps' module (which knows the id pattern and the ids the theme reserves).
"""

from __future__ import annotations

import functools
import html
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import markdown
import nh3
from markdown.htmlparser import HTMLExtractor
from markdown.inlinepatterns import LinkInlineProcessor, ReferenceInlineProcessor
from markdown.preprocessors import HtmlBlockPreprocessor

from kabul_brief.content.mdprocessors import (
    ANCHOR_RE,
    CLEAN_CONTENT_TAGS,
    HEADINGS,
    SAFE_SCHEMES,
    SCHEME_RE,
    ActorLinker,
    AutoLinker,
    BlockMarker,
    HeadingDemoter,
    LinkChecker,
    Paragraph,
    ParagraphNumberer,
    Problem,
    RecordLink,
    Slots,
    TextContext,
    TextPosition,
    normalize_url,
    shared_names,
)
from kabul_brief.kinds import LINK_SCHEMES

__all__ = [
    "ANCHOR_RE",
    "MAX_NESTING",
    "RECORD_KINDS",
    "AutoLinker",
    "Block",
    "Paragraph",
    "Problem",
    "RecordLink",
    "Rendered",
    "Resolve",
    "TextPosition",
    "TooDeep",
    "nesting_depth",
    "render_markdown",
    "rewrite_record_links",
    "shared_names",
]

RECORD_KINDS: Final[tuple[str, ...]] = LINK_SCHEMES
"""The kinds a record link (``actor:india``) may name."""
_BRACKET_RE: Final = re.compile(r"[\[\]]")
_PAREN_RE: Final = re.compile(r"[()]")
_QUOTE_RE: Final = re.compile("['\"]")

_EXTENSIONS: Final = ("tables", "fenced_code", "sane_lists", "smarty")
"""``smarty``: typographic quotes, apostrophes, dashes and ellipses, as print sets them."""

_TAGS: Final = frozenset(
    {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt"}
    | {"em", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp"}
    | {"small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th"}
    | {"thead", "tr", "ul", "var"}
    | HEADINGS
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
    **{heading: frozenset({"id"}) for heading in HEADINGS},
}
_URL_SCHEMES: Final = frozenset(SAFE_SCHEMES + RECORD_KINDS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """One top-level block of an article body (a paragraph, a heading, a list, ...)."""

    html: str
    """Its sanitized HTML, with the white space that separates it from the block
    before: the blocks' HTML, joined, is the body's."""
    paragraph: Paragraph | None
    """The numbered paragraph this block is, if it is one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """One rendered Markdown text and what the linker needs to know about it."""

    html: str
    """Sanitized HTML fragment."""
    record_links: tuple[RecordLink, ...]
    """Well-formed record links the editor wrote, in document order."""
    problems: tuple[Problem, ...]
    """In source order."""
    blocks: tuple[Block, ...]
    """Only when rendered with ``paragraphs=True``, else empty."""
    autolinked: tuple[str, ...]
    """Actor ids auto-linked, in document order."""
    mentioned: tuple[str, ...]
    """Actor ids mentioned by name or alias anywhere outside code; sorted, unique."""

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        """The numbered paragraphs among the blocks, in order."""
        return tuple(block.paragraph for block in self.blocks if block.paragraph is not None)


def render_markdown(
    text: str, *, paragraphs: bool = False, autolinker: AutoLinker | None = None,
    top_heading: int | None = None,
) -> Rendered:
    """Render one editor text; no state leaks from one text to the next.

    Building a ``markdown.Markdown`` costs more than converting a short summary, so
    each thread keeps one and calls ``reset()`` before every text (Python-Markdown's
    documented way to reuse an instance); the per-text state lives in fresh steps
    (see :mod:`~kabul_brief.content.mdprocessors`), put in the engine's slots for
    this text only.
    """
    if nesting_depth(text) > MAX_NESTING:
        raise TooDeep(text)
    engine = _engine()
    if not paragraphs:
        plain = plain_paragraph(text, autolinker)
        if plain is not None:
            return Rendered(html=engine.cleaner.clean(plain), record_links=(), problems=(),
                            blocks=(), autolinked=(), mentioned=())
    context = TextContext(text=text, mark=engine.mark, md=engine.md)
    links = LinkChecker(context, kinds=RECORD_KINDS)
    numberer = ParagraphNumberer(context) if paragraphs else None
    actors = ActorLinker(context, autolinker) if autolinker is not None else None
    marker = BlockMarker(engine.mark)
    steps = (HeadingDemoter(top_heading or (2 if paragraphs else 3)), links, numberer, actors,
             marker)
    engine.slots.fill(step for step in steps if step is not None)
    engine.md.reset()
    try:
        converted = engine.md.convert(text)
    except BaseException:
        # reset() does not unwind the block parser's state stack: an engine that failed
        # half way (RecursionError) would read every later text as inside a list.
        _LOCAL.engine = None
        raise
    finally:
        engine.slots.fill(())
    # Each top-level block is sanitized on its own: an unclosed raw <iframe>, <style> or
    # <textarea> would otherwise swallow (and the sanitizer drop) the rest of the text.
    pieces = [_alt_for_every_image(engine.cleaner.clean(piece))
              for piece in converted.split(marker.block_end)]
    numbered = numberer.numbered if numberer is not None else {}
    # The piece after the last block's marker holds nothing: zip leaves it out.
    blocks = tuple(
        Block(html=piece, paragraph=numbered.get(element))
        for piece, element in zip(pieces, marker.blocks, strict=False)
    ) if paragraphs else ()
    problems = sorted(context.problems, key=lambda p: (p.at.line, p.at.column))
    return Rendered(
        html="".join(pieces),
        record_links=tuple(links.record_links),
        problems=tuple(problems),
        blocks=blocks,
        autolinked=tuple(actors.autolinked) if actors is not None else (),
        mentioned=tuple(sorted(actors.mentioned)) if actors is not None else (),
    )


_PLAIN_LINE: Final = re.compile(r"[^\W\d_][^\\`*_\[\]<>&|~{}\x00-\x1f\x7f-\x9f\s]*"
                                r"(?:[ ][^\\`*_\[\]<>&|~{}\x00-\x1f\x7f-\x9f\s]+)*")
"""A line Python-Markdown has nothing to do with: it starts with a letter (no list,
heading, quote, code, rule, table or HTML can start so), has no character any of
its inline patterns starts at (emphasis, code, links, HTML, entities, escapes), no
``|`` (tables) and no white space but single spaces between words (no hard line
break, no tab)."""


_SMARTY: Final = re.compile(r"['\"]|--|\.\.\.")
"""What ``smarty`` makes typographic (quotes, dashes, ellipses): such text takes the
full way (``<<`` and ``>>`` cannot be in a plain line)."""


def plain_paragraph(text: str, autolinker: AutoLinker | None = None) -> str | None:
    """The HTML Python-Markdown and our steps make of ``text``, if it is one paragraph
    of plain lines (see :data:`_PLAIN_LINE`) naming no actor: most summaries, claims and
    notes of an archive are one such sentence, and converting them is most of a cold
    build's Markdown time. None for any other text, which takes the full way.
    ``tests/test_markup_fast_path.py`` checks the two agree on generated texts."""
    lines = text.rstrip("\n").split("\n")  # any other white space around it: the full way
    if not all(_PLAIN_LINE.fullmatch(line) for line in lines) or _SMARTY.search(text):
        return None
    if autolinker is not None and next(autolinker.find(text, 0, len(text)), None) is not None:
        return None
    return "<p>" + "\n".join(lines) + "</p>"


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


@dataclass(slots=True)
class _Engine:
    md: markdown.Markdown
    slots: Slots
    cleaner: nh3.Cleaner
    mark: str
    """Random per engine: ids and record links carry it from our steps to the
    sanitizer, so raw HTML (written before the build, unable to know it) can't."""


_LOCAL = threading.local()


def _engine() -> _Engine:
    engine: _Engine | None = getattr(_LOCAL, "engine", None)
    if engine is None:
        mark = f"kb{secrets.token_hex(8)}-"
        md = markdown.Markdown(extensions=[*_EXTENSIONS], output_format="html")
        slots = Slots(md)
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
        engine = _Engine(md=md, slots=slots, cleaner=cleaner, mark=mark)
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


_IMAGE_TAG: Final = re.compile(r'<img((?:\s[^\s="]+="[^"]*")*)(\s*/?>)')
"""An image tag as the sanitizer writes it: every attribute value double-quoted, a
``"`` inside one escaped, so a ``>`` in a value cannot end the match early."""


def _alt_for_every_image(html: str) -> str:
    """Sanitized HTML with ``alt=""`` given to each image written without alt text: a
    screen reader then passes over it as decoration instead of reading out its file
    name, and the page keeps to WCAG's rule that every image has a text alternative."""
    if "<img" not in html:
        return html
    return _IMAGE_TAG.sub(
        lambda tag: tag.group(0) if ' alt="' in tag.group(1)
        else f'<img alt=""{tag.group(1)}{tag.group(2)}', html)


def _cleaner(attribute_filter: Callable[[str, str, str], str | None]) -> nh3.Cleaner:
    """The sanitizer's allow-lists; only what becomes of an attribute differs."""
    return nh3.Cleaner(
        tags=set(_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
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
        scheme = SCHEME_RE.match(value)
        if scheme is None or scheme.group(1) not in RECORD_KINDS:
            return value
        assert self._resolve is not None
        record_id, hash_sign, fragment = value[scheme.end() :].partition("#")
        if tag != "a" or not ANCHOR_RE.fullmatch(record_id) or (
            hash_sign and not ANCHOR_RE.fullmatch(fragment)
        ):
            return None  # never written by render_markdown: a fuse, not a path
        return self._resolve(scheme.group(1), record_id, fragment if hash_sign else None)


def _attribute_filter(mark: str) -> Callable[[str, str, str], str | None]:
    """Keep ids and record links only where this render put them (they carry ``mark``)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return value[len(mark) :] if value.startswith(mark) else None
        if attribute in ("href", "src"):
            url = normalize_url(value)
            scheme = SCHEME_RE.match(url)
            if scheme and scheme.group(1).lower() in RECORD_KINDS:
                rest = url[scheme.end() :]
                ours = scheme.group(1) in RECORD_KINDS and rest.startswith(mark)
                return f"{scheme.group(0)}{rest[len(mark) :]}" if ours else None
        return value

    return keep




def _names(registry: Any) -> list[str]:
    """The names a Python-Markdown registry holds (it lists them only privately)."""
    return [item.name for item in registry._priority]


def _typesetter() -> markdown.Markdown:
    """Python-Markdown with nothing but ``smarty``: one paragraph of text in, its
    quotes, dashes and ellipses made typographic, no other Markdown read."""
    md: markdown.Markdown | None = getattr(_LOCAL, "typesetter", None)
    if md is None:
        md = markdown.Markdown(extensions=["smarty"], output_format="html")
        for name in _names(md.preprocessors):
            md.preprocessors.deregister(name)
        for name in _names(md.parser.blockprocessors):
            if name != "paragraph":
                md.parser.blockprocessors.deregister(name)
        for name in _names(md.inlinePatterns):
            if not name.startswith("smarty"):
                md.inlinePatterns.deregister(name)
        _LOCAL.typesetter = md
    return md


@functools.lru_cache(maxsize=65536)
def typeset(text: str) -> str:
    """A title or name as print sets it (curly quotes and apostrophes, ``--`` an en
    dash), still plain text for the templates to escape. Data files keep the text as
    written; pages show it so, as the Markdown fields are shown (``smarty``)."""
    core = text.strip()
    if not _SMARTY.search(core) or "\n" in core:
        return text
    md = _typesetter()
    md.reset()
    converted = md.convert(html.escape(core, quote=False))
    if not (converted.startswith("<p>") and converted.endswith("</p>")):
        return text
    inner = converted[3:-4]
    if "<" in inner:  # not one paragraph of text: leave it as written
        return text
    start = text.index(core)
    return text[:start] + html.unescape(inner) + text[start + len(core):]
