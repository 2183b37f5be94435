"""The steps Python-Markdown runs over the tree of one editor text, one job each.

Like MkDocs' tree processors (its relative-path and anchor-extracting ones), each step
does one job and has its own name and priority on the Markdown instance; :data:`STEPS`
is their order. They run after Python-Markdown's inline processing and prettifying
and before its unescaping. What they share for one text (its source, where things
were written in it, the problems found, Python-Markdown's stash of raw HTML) is one
:class:`TextContext`, given to each explicitly. The instance is reused from text to
text, so what is registered on it is a :class:`Slots`' slot per step, and each text
fills the slots with steps made for it.

:mod:`kabul_brief.content.markup` is the public face: it builds the steps for each
text, sanitizes the result and re-exports the result types defined here.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import html as htmllib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final
from xml.etree.ElementTree import Element

import markdown
from markdown import util as md_util
from markdown.treeprocessors import Treeprocessor

from kabul_brief.content.fieldtypes import ID_MAX_LENGTH, ID_RE, NOT_ID_RUN_RE
from kabul_brief.themeids import is_theme_id

ANCHOR_RE: Final[re.Pattern[str]] = re.compile(
    rf"(?=.{{1,{ID_MAX_LENGTH}}}\Z)" + ID_RE.pattern)  # an id, of an id's length
"""Ids and paragraph names: the id pattern, matched whole (``fullmatch``, and ``\\Z``
in the length check) so that ``"india\\n"`` is refused."""

SAFE_SCHEMES: Final = ("http", "https", "mailto")
_NETWORK_PATH_RE: Final = re.compile(r"[/\\][/\\]")
"""A target starting with two slashes (either way round): a network-path reference."""
SCHEME_RE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_AND_SPACE: Final = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE_RE: Final = re.compile(r"[\t\n\r]")
_ENTITY_RE: Final = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
_ESCAPE_RE: Final = re.compile("\x02([0-9]+)\x03")
_STASH_RE: Final = re.compile("\x02wzxhzdk:([0-9]+)\x03")
_LONG_CHARREF_RE: Final = re.compile(r"&#([0-9]{8,}+)(;?)")
_TARGET_PLACE_RE: Final = re.compile(r"[(<:][ \t]{0,79}+")
"""A link target starts after one of these and up to 79 blanks (the locator looks
80 characters back)."""
_PLACEHOLDER_RE: Final = re.compile("\x02[^\x02\x03]*\x03")
_AMP_ENTITY_RE: Final = re.compile(re.escape(md_util.AMP_SUBSTITUTE) + r"(#?[0-9A-Za-z]+;)")
_RESERVED_ANCHOR_RE: Final = re.compile(r"p[0-9]+\Z")
_RAW_TAG_RE: Final = re.compile(r"<\s*+(?:(/)\s*+)?([A-Za-z][A-Za-z0-9-]*)")
"""Possessive: ``<`` and a long run of spaces must not be retried split in two ways."""

HEADINGS: Final = frozenset(f"h{n}" for n in range(1, 7))
_NO_LINK_TAGS: Final = HEADINGS | {"a", "button", "label", "option", "select", "textarea"}
_CODE_TAGS: Final = frozenset({"code", "pre", "kbd", "samp", "script", "style", "template"})
# Their content is never prose: the sanitizer drops it, and so does a paragraph's text.
CLEAN_CONTENT_TAGS: Final = frozenset(
    {"script", "style", "iframe", "noscript", "template", "textarea", "title", "xmp"}
    | {"noembed", "noframes", "plaintext", "object", "select", "svg", "math"}
)

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

    def find(self, text: str, start: int, end: int) -> Iterator[tuple[int, int, str | None]]:
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


def normalize_url(value: str) -> str:
    """The URL as a browser resolves it: tabs and newlines dropped, C0 and spaces trimmed."""
    return _TAB_NEWLINE_RE.sub("", value).strip(_C0_AND_SPACE)


def _show(value: str) -> str:
    """A target fit for a one-line message: control characters made visible."""
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


class Locator:
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


class TextContext:
    """What the steps of one text share: its source and where things were written in
    it, the problems found so far, Python-Markdown's stash of raw HTML, and the mark.

    ``mark`` is random per engine: ids and record links carry it from the steps to
    the sanitizer, so raw HTML (written before the build, unable to know it) can't.
    """

    def __init__(self, *, text: str, mark: str, md: markdown.Markdown) -> None:
        self.text = text
        self.mark = mark
        self._md = md
        self._locator = Locator(text)
        self.problems: list[Problem] = []
        """In the order found; the caller sorts them by position."""

    def stash(self, index: str) -> str:
        """The raw HTML Python-Markdown stashed under a placeholder's number."""
        blocks = self._md.htmlStash.rawHtmlBlocks
        return str(blocks[int(index)]) if int(index) < len(blocks) else ""

    def plain(self, value: str) -> str:
        """Python-Markdown's placeholders turned back into the characters they stand for."""
        value = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1))), value)
        value = _STASH_RE.sub(lambda m: _entity_text(self.stash(m.group(1))), value)
        value = _AMP_ENTITY_RE.sub(lambda m: _unescape("&" + m.group(1)), value)
        return value.replace(md_util.AMP_SUBSTITUTE, "&")

    def as_written(self, value: str) -> str:
        """Best guess at the editor's source for a value (escapes back as backslashes)."""
        value = _ESCAPE_RE.sub(lambda m: "\\" + chr(int(m.group(1))), value)
        return _STASH_RE.sub(lambda m: self.stash(m.group(1)), value)

    def claim(self, candidates: Sequence[str], *, link: bool) -> TextPosition:
        """Where the first candidate was written (see :meth:`Locator.claim`)."""
        return self._locator.claim(candidates, link=link)

    def report(self, code: str, message: str, hint: str | None, at: TextPosition) -> None:
        self.problems.append(Problem(code=code, message=message, hint=hint, at=at))


class _Step:
    """One job over the tree of one text; its slot runs it at its name and priority."""

    NAME: ClassVar[str]
    PRIORITY: ClassVar[int]

    def run(self, root: Element) -> None:
        raise NotImplementedError


class HeadingDemoter(_Step):
    """The page's title is its only ``<h1>``: a text whose highest heading is above
    ``top`` (``<h2>`` in an article body, ``<h3>`` in a summary shown under a section
    heading) has all its headings moved down by the same step, keeping their order."""

    NAME = "kabul-brief-headings"
    PRIORITY = 9

    def __init__(self, top: int) -> None:
        self.top = top

    def run(self, root: Element) -> None:
        headings = [e for e in root.iter()
                    if len(e.tag) == 2 and e.tag[0] == "h" and e.tag[1] in "123456"]
        if not headings:
            return
        step = self.top - min(int(e.tag[1]) for e in headings)
        if step > 0:
            for element in headings:
                element.tag = f"h{min(int(element.tag[1]) + step, 6)}"


class LinkChecker(_Step):
    """Checks every Markdown link and image target: a bad one is reported and unwrapped
    (its text stays), a record link is collected and given the mark."""

    NAME = "kabul-brief-links"
    PRIORITY = 8

    def __init__(self, context: TextContext, *, kinds: Sequence[str]) -> None:
        self._context = context
        self._kinds = tuple(kinds)
        """The record kinds a link may name as its scheme (``actor:``, ...)."""
        self.record_links: list[RecordLink] = []
        """Well-formed record links, in document order."""

    def run(self, root: Element) -> None:
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
        context = self._context
        decoded = context.plain(value)
        target = normalize_url(_ENTITY_RE.sub(lambda m: _unescape(m.group()), decoded))
        written = [context.as_written(value), decoded, target]
        if target.lower().startswith("mailto:"):
            written.append(target[len("mailto:") :])
        at = context.claim(written, link=True)
        scheme_match = SCHEME_RE.match(target)
        what = "image source" if attribute == "src" else "link target"
        if scheme_match is None and _NETWORK_PATH_RE.match(target):
            # ``//host/path``: another host, in whatever scheme the page has (a browser
            # reads ``/\host`` and ``\\host`` the same way)
            message = (f"{what} `{_show(target)}` names another host without a scheme;"
                       " it is not a relative path")
            host_and_path = target.lstrip("/\\")
            hint = f"write the whole address: https://{_show(host_and_path)}"
            context.report("link-scheme", message, hint, at)
            return False
        if scheme_match is None:
            return True  # a relative path or a #fragment
        scheme = scheme_match.group(1).lower()
        if scheme in SAFE_SCHEMES:
            return True
        if scheme not in self._kinds:
            close = difflib.get_close_matches(scheme, (*self._kinds, *SAFE_SCHEMES), n=1)
            hint = (
                f"did you mean `{close[0]}:`?"
                if close
                else "a link may point to an http(s) or mailto URL, a relative path, "
                "a #fragment or a record, such as `actor:ID`"
            )
            message = f"{what} `{_show(target)}` uses the scheme `{scheme}:`, which is not allowed"
            context.report("link-scheme", message, hint, at)
            return False
        if attribute == "src":
            message = f"{what} `{_show(target)}` is a record link; an image needs a URL or path"
            hint = f"to link to the record, write [text]({_show(target)})"
            context.report("bad-record-link", message, hint, at)
            return False
        link = self._record_link(scheme, target[scheme_match.end() :], target, at)
        if link is None:
            return False
        self.record_links.append(link)
        rest = link.id if link.fragment is None else f"{link.id}#{link.fragment}"
        element.set(attribute, f"{link.kind}:{context.mark}{rest}")
        return True

    def _record_link(
        self, kind: str, rest: str, target: str, at: TextPosition
    ) -> RecordLink | None:
        """Parse ``ID`` or ``ID#anchor`` after a record scheme; report what is malformed."""
        record_id, hash_sign, fragment = rest.partition("#")
        shown = _show(target)
        report = self._context.report
        if not ANCHOR_RE.fullmatch(record_id):
            suggestion = _slug(record_id)
            hint = (
                f"did you mean `{kind}:{suggestion}`?"
                if suggestion
                else "ids are lowercase ASCII letters, digits and single hyphens"
            )
            message = f"record link `{shown}` has a malformed id `{_show(record_id)}`"
            report("bad-record-link", message, hint, at)
            return None
        if hash_sign and kind != "article":
            message = f"record link `{shown}` has a #fragment; only article links take one"
            report("bad-record-link", message, f"write `{kind}:{record_id}`", at)
            return None
        if hash_sign and not ANCHOR_RE.fullmatch(fragment):
            message = f"record link `{shown}` has a malformed anchor `{_show(fragment)}`"
            hint = (
                "an anchor is a paragraph number such as `p3` or a `{#name}` given in the article"
            )
            report("bad-record-link", message, hint, at)
            return None
        return RecordLink(kind=kind, id=record_id, fragment=fragment if hash_sign else None, at=at)


class ParagraphNumberer(_Step):
    """Numbers the top-level paragraphs of an article body and gives each its id and
    its optional ``{#name}`` anchor.

    Runs before Python-Markdown's unescaping, so a backslash-escaped ``\\{#name}`` is
    still visibly escaped and is not an anchor.
    """

    NAME = "kabul-brief-paragraphs"
    PRIORITY = 7

    def __init__(self, context: TextContext) -> None:
        self._context = context
        self.paragraphs: list[Paragraph] = []
        """In document order."""
        self.numbered: dict[Element, Paragraph] = {}
        """The top-level element of each paragraph."""

    def run(self, root: Element) -> None:
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
            element.set("id", f"{self._context.mark}p{number}")
            name = self._take_anchor(element, names)
            text = self._paragraph_text(element)
            paragraph = Paragraph(number=number, name=name, text=text)
            self.paragraphs.append(paragraph)
            self.numbered[element] = paragraph

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
            tag = _RAW_TAG_RE.match(self._context.stash(token.group(1)))
            if tag and tag.group(2).lower() in CLEAN_CONTENT_TAGS:
                depth = max(0, depth + (-1 if tag.group(1) else 1))
            elif depth == 0:
                kept.append(token.group())
            start = token.end()
        return " ".join(self._context.plain("".join(kept)).split())

    def _is_raw_block(self, element: Element) -> bool:
        """A raw HTML block: a ``<p>`` holding only placeholders of stashed tags."""
        if len(element) or not element.text:
            return False
        stashed = _STASH_RE.findall(element.text)
        return (
            bool(stashed)
            and not _STASH_RE.sub("", element.text).strip()
            and all(self._context.stash(index).lstrip().startswith("<") for index in stashed)
        )

    def _take_anchor(self, paragraph: Element, names: dict[str, TextPosition]) -> str | None:
        """Remove a trailing ``{#name}`` and, if the name is good, add ``<span id=name>``."""
        context = self._context
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
        name = context.plain(raw_name)
        at = context.claim(
            ["{#" + context.as_written(raw_name) + "}", "{#" + name + "}"], link=False)
        if not ANCHOR_RE.fullmatch(name):
            suggestion = _slug(name)
            hint = f"did you mean `{{#{suggestion}}}`?" if suggestion else None
            message = (
                f"paragraph anchor `{{#{_show(name)}}}` is malformed: use lowercase ASCII "
                "letters, digits and single hyphens, up to 64 characters"
            )
            context.report("bad-anchor", message, hint, at)
            return None
        if _RESERVED_ANCHOR_RE.fullmatch(name):
            message = f"paragraph anchor `{{#{name}}}` looks like a paragraph number"
            hint = "names of the form p + digits are reserved: cite the paragraph by number"
            context.report("bad-anchor", message, hint, at)
            return None
        if is_theme_id(name):
            message = f"paragraph anchor `{{#{name}}}` is an id the page itself uses"
            hint = ("the site's pages already carry an element with this id (such as the"
                    " search box): pick another name")
            context.report("reserved-anchor", message, hint, at)
            return None
        if name in names:
            first = names[name]
            message = f"paragraph anchor `{{#{name}}}` is used twice in this text"
            hint = f"first used at line {first.line}, column {first.column}: pick another name"
            context.report("duplicate-anchor", message, hint, at)
            return None
        names[name] = at
        span = Element("span", {"id": f"{context.mark}{name}"})
        span.tail = paragraph.text
        paragraph.text = None
        paragraph.insert(0, span)
        return name


class ActorLinker(_Step):
    """Links each actor's first mention in document order, outside links, headings
    and code, and notes every actor mentioned."""

    NAME = "kabul-brief-actors"
    PRIORITY = 6

    def __init__(self, context: TextContext, autolinker: AutoLinker) -> None:
        self._context = context
        self._autolinker = autolinker
        self.autolinked: list[str] = []
        """Actor ids auto-linked, in document order."""
        self.mentioned: set[str] = set()
        """Actor ids mentioned by name or alias anywhere outside code."""
        self._raw_no_link = 0
        self._raw_code = 0

    def run(self, root: Element) -> None:
        linked: set[str] = set()
        explicit = f"actor:{self._context.mark}"
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
            spans = self._mentions(text, mode, linked)
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

    def _mentions(self, text: str, mode: int, linked: set[str]) -> list[tuple[int, int, str]]:
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
                for low, high, actor in self._autolinker.find(text, start, end):
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
        raw = self._context.stash(stashed.group(1)) if stashed else ""
        tag = _RAW_TAG_RE.match(raw)
        if tag is None or raw.rstrip().endswith("/>"):
            return
        step = -1 if tag.group(1) else 1
        name = tag.group(2).lower()
        if name in _CODE_TAGS or name in CLEAN_CONTENT_TAGS:
            self._raw_code = max(0, self._raw_code + step)
        elif name in _NO_LINK_TAGS:
            self._raw_no_link = max(0, self._raw_no_link + step)

    def _split(self, text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[Element]]:
        """Cut a text node into its head and one ``<a class="autolink">`` per span."""
        anchors: list[Element] = []
        for index, (low, high, actor) in enumerate(spans):
            anchor = Element(
                "a", {"href": f"actor:{self._context.mark}{actor}", "class": "autolink"})
            anchor.text = text[low:high]
            anchor.tail = text[high : spans[index + 1][0] if index + 1 < len(spans) else None]
            anchors.append(anchor)
        return text[: spans[0][0]], anchors


class BlockMarker(_Step):
    """Writes a marker after each top-level block, so that the serialized text can be
    cut back into its blocks (each is sanitized on its own) in this order."""

    NAME = "kabul-brief-blocks"
    PRIORITY = 5

    def __init__(self, mark: str) -> None:
        self.block_end = f"{mark}end"
        self.blocks: list[Element] = []
        """The top-level elements, in the order of the pieces between the markers."""

    def run(self, root: Element) -> None:
        self.blocks = list(root)
        for block in self.blocks:
            block.tail = self.block_end + (block.tail or "")


STEPS: Final[tuple[type[_Step], ...]] = (
    HeadingDemoter, LinkChecker, ParagraphNumberer, ActorLinker, BlockMarker)
"""Every step, in the order they run (highest priority first): after Python-Markdown's
prettifying (10), before its unescaping (0)."""


class _Slot(Treeprocessor):
    """Registered on the Markdown instance at one step's name and priority: runs that
    step for the text being converted, if the text has one."""

    def __init__(self) -> None:
        super().__init__()
        self.step: _Step | None = None

    def run(self, root: Element) -> None:
        if self.step is not None:
            self.step.run(root)


class Slots:
    """A slot for each step, registered once on a Markdown instance, which is reused
    for text after text (building one costs more than converting a summary); each
    text puts its own steps in them, made for it."""

    def __init__(self, md: markdown.Markdown) -> None:
        self._slots = {step_type: _Slot() for step_type in STEPS}
        for step_type, slot in self._slots.items():
            md.treeprocessors.register(slot, step_type.NAME, step_type.PRIORITY)

    def fill(self, steps: Iterable[_Step]) -> None:
        """Run ``steps`` on the next text, and no other."""
        given = {type(step): step for step in steps}
        for step_type, slot in self._slots.items():
            slot.step = given.get(step_type)

    def filled(self) -> list[str]:
        """The names of the steps the slots hold."""
        return [slot.step.NAME for slot in self._slots.values() if slot.step is not None]


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
