"""Field types: how one YAML value is read, checked and described as JSON Schema.

Each type reads a composed YAML node (so it knows how the editor wrote the value:
quoted or plain, and where) and returns a plain Python value, or :data:`INVALID`
after reporting why. The same objects describe themselves as JSON Schema, so the
editor's schema and the validator can never disagree.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from kabul_brief.baseurl import BaseUrlError, split_address
from kabul_brief.content.dates import parse_date
from kabul_brief.content.yamlsource import (
    INVALID_TAG,
    TAG_PREFIX,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    SourceText,
)
from kabul_brief.errors import ContentError
from kabul_brief.languages import LANGUAGE_HINT, LANGUAGE_RE, declared_as

_ID_CHARS: Final = "a-z0-9"
ID_RE: Final = re.compile(rf"^[{_ID_CHARS}]+(-[{_ID_CHARS}]+)*$")
"""The one pattern of ids (and of the anchors and file names that become ids). Always
match it with ``fullmatch`` (or ask :func:`is_id`): ``$`` alone also matches before a
final newline, so ``match`` would let ``"abc\n"`` (a block scalar ``id: |``) through.
``^`` and ``$`` stay for the JSON Schema export, where the pattern is searched for."""
ID_MAX_LENGTH: Final = 64
NOT_ID_RUN_RE: Final = re.compile(rf"[^{_ID_CHARS}]+")
"""A run of characters an id cannot hold: what a slug turns into one hyphen."""


PLACEHOLDER: Final = "FILL-IN"
"""What ``kabul-brief new`` writes where it cannot know the value: a record whose
lines still hold it must stay a draft (``unfilled``)."""


def is_id(text: str) -> bool:
    """Whether the whole of ``text`` is an id, of an id's length."""
    return len(text) <= ID_MAX_LENGTH and ID_RE.fullmatch(text) is not None

STR_TAG: Final = TAG_PREFIX + "str"
NULL_TAG: Final = TAG_PREFIX + "null"
BOOL_TAG: Final = TAG_PREFIX + "bool"

FieldPath = tuple[str | int, ...]
JSONSchema = dict[str, Any]


class _Invalid:
    """Marker for a value that was reported as an error."""

    def __repr__(self) -> str:
        return "INVALID"

    def __reduce__(self) -> str:
        """Unpickled (from a worker or the load cache) as the one INVALID."""
        return "INVALID"


INVALID: Final = _Invalid()


@dataclass(slots=True)
class ReadContext:
    """What a field type needs while reading: where it is and where to report."""

    source: SourceText
    errors: list[ContentError]
    positions: dict[FieldPath, tuple[int, int]]
    """Field path -> (line, column) in the file, 1-based, for later stages' errors."""
    _lines: list[str] | None = None
    partial: Any = None
    """What was valid in the last mapping or list that was not (a list keeps INVALID in
    place of its bad items): the linker still checks its references, so that one run
    reports every error."""
    languages: tuple[str, ...] = ("en",)
    """The site's languages as ``site.yaml`` spells them, the main language first: the
    codes a translated text may use."""
    translations: dict[FieldPath, dict[str, Any]] = field(default_factory=dict)
    """Field path -> language code -> the field's text in that language, for the
    fields written as a mapping of languages (the main language's text is the value)."""

    def report(self, node: Node, code: str, message: str, hint: str | None = None) -> _Invalid:
        self.errors.append(
            ContentError(
                position=self.source.position(node), code=code, message=message, hint=hint
            )
        )
        return INVALID

    def remember(self, path: FieldPath, node: Node) -> None:
        position = self.source.position(node)
        self.positions[path] = (position.line or 0, position.column or 0)

    def remember_text(self, path: FieldPath, node: ScalarNode) -> None:
        """Remember where a text's first character is, so that an error found inside
        the text (a bad Markdown link) can point at its own line."""
        mark = node.start_mark
        if node.style in ("|", ">"):  # content starts on the next line, indented
            line_text = self._line(mark.line + 1)
            indent = len(line_text) - len(line_text.lstrip(" "))
            start = self.source.at(mark.line + 1, indent)
        else:
            start = self.source.at(mark.line, mark.column + (1 if node.style else 0))
        self.positions[path] = (start.line or 0, start.column or 0)

    def _line(self, index: int) -> str:
        if self._lines is None:
            self._lines = self.source.text.splitlines()
        return self._lines[index] if index < len(self._lines) else ""


def describe_node(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    assert isinstance(node, ScalarNode)
    if node.tag == NULL_TAG and not node.style:
        return "nothing"
    return repr(node.value)


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG and not node.style


def did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class FieldType:
    """Base of all field types."""

    description: str = ""

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        raise NotImplementedError

    def json_schema(self) -> JSONSchema:
        raise NotImplementedError

    def example(self) -> str:
        """A placeholder an editor can replace; used in hints and new files."""
        return "..."


_TYPE_NAMES = {"bool": "a boolean", "int": "an integer", "float": "a number",
               "timestamp": "a timestamp", "null": "nothing"}


def _quote_hint(node: ScalarNode, expected: str) -> str:
    read_as = _TYPE_NAMES.get(node.tag.removeprefix(TAG_PREFIX), "another type")
    return (
        f"YAML reads the plain value {node.value} as {read_as}, not as {expected}:"
        f" quote it, \"{node.value}\"."
    )


_BLANK_CHARACTERS: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10))))
"""Characters that show nothing yet are not format characters (Cf): fillers,
variation selectors, the combining grapheme joiner, the braille blank."""


def is_blank(value: str) -> bool:
    """Whether a reader would see nothing: only white space, format characters
    (zero-width space and joiners, the byte-order mark, bidi marks) and fillers."""
    return all(char.isspace() or char in _BLANK_CHARACTERS or unicodedata.category(char) == "Cf"
               or 0xE0100 <= ord(char) <= 0xE01EF for char in value)


_BIDI_OPENERS: Final = {"\u202a": "embedding", "\u202b": "embedding", "\u202d": "embedding",
                        "\u202e": "embedding", "\u2066": "isolate", "\u2067": "isolate",
                        "\u2068": "isolate"}


def unclosed_bidi(value: str) -> tuple[int, str] | None:
    """The first bidi embedding, override or isolate that the text never closes (its
    index and the character), as Unicode's bidi algorithm pairs them (UAX #9: PDF
    closes the innermost embedding or override, PDI the innermost isolate and what is
    open inside it). Left open, it turns what follows the text around wherever the
    text is set beside other text: a feed reader's list, a calendar, a spreadsheet
    cell, a page's <title>."""
    stack: list[tuple[int, str, str]] = []
    for index, char in enumerate(value):
        opened = _BIDI_OPENERS.get(char)
        if opened is not None:
            stack.append((index, char, opened))
        elif char == "\u202c" and stack and stack[-1][2] == "embedding":
            stack.pop()
        elif char == "\u2069" and any(kind == "isolate" for _, _, kind in stack):
            while stack.pop()[2] != "isolate":
                pass
    return (stack[0][0], stack[0][1]) if stack else None


@dataclass(slots=True)
class Text(FieldType):
    """Plain text. YAML 1.1 turns plain ``no``/``on``/``012`` into other types: refused."""

    markdown: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_hint: str = ""
    max_length: int | None = None
    description: str = "text"

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if not isinstance(node, ScalarNode):
            return ctx.report(
                node, "type", f"expected {self.description}, found {describe_node(node)}"
            )
        if node.tag != STR_TAG:
            return ctx.report(
                node,
                "unquoted-value",
                f"expected {self.description}, found"
                f" {_TYPE_NAMES.get(node.tag.removeprefix(TAG_PREFIX), 'the value')} {node.value}",
                _quote_hint(node, "text"),
            )
        value: str = node.value
        if is_blank(value):
            return ctx.report(node, "empty", f"{self.description} may not be empty")
        if self.max_length is not None and len(value) > self.max_length:
            return ctx.report(
                node,
                "too-long",
                f"{value!r} is {len(value)} characters long; at most {self.max_length} allowed",
            )
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return ctx.report(
                node, "pattern", f"{value!r} is not a valid {self.description}", self.pattern_hint
            )
        unclosed = unclosed_bidi(value)
        if unclosed is not None:
            index, char = unclosed
            closer = "U+202C (POP DIRECTIONAL FORMATTING)" if _BIDI_OPENERS[char] == "embedding" \
                else "U+2069 (POP DIRECTIONAL ISOLATE)"
            return ctx.report(
                node, "unclosed-bidi",
                f"{self.description} opens U+{ord(char):04X} ({unicodedata.name(char)}) at"
                f" character {index + 1} and never closes it",
                f"Left open, it turns around the text that follows it wherever this text is"
                f" shown beside other text (feeds, calendars, spreadsheets). Close it with"
                f" {closer}, or remove it: Dari, Pashto and Urdu need no such control.")
        if self.markdown:
            ctx.remember_text(path, node)
        else:
            ctx.remember(path, node)
        return value

    def json_schema(self) -> JSONSchema:
        schema: JSONSchema = {"type": "string", "minLength": 1, "pattern": r"\S"}
        if self.pattern is not None:
            schema["pattern"] = self.pattern.pattern
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.markdown:
            schema["description"] = "Markdown"
        return schema


ID_HINT = (
    "Ids use lowercase ASCII letters, digits and single hyphens (e.g. amir-khan-muttaqi),"
    f" at most {ID_MAX_LENGTH} characters."
)


def id_text(description: str = "id") -> Text:
    return Text(pattern=ID_RE, pattern_hint=ID_HINT, max_length=ID_MAX_LENGTH,
                description=description)


@dataclass(slots=True)
class Ref(FieldType):
    """A reference to a record of ``kind`` by id; resolved later by the linker."""

    kind: str
    description: str = ""

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        return id_text(f"{self.kind} id").read(node, path, ctx)

    def json_schema(self) -> JSONSchema:
        return {**id_text().json_schema(), "description": f"id of a {self.kind}"}

    def example(self) -> str:
        return f"{self.kind}-id"


@dataclass(slots=True)
class Date(FieldType):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, quoted or not."""

    nullable: bool = False
    description: str = "a date"

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if not isinstance(node, ScalarNode):
            return ctx.report(node, "type", f"expected a date, found {describe_node(node)}")
        parsed = parse_date(node.value)
        if isinstance(parsed, str):
            other_digits = any(c.isdigit() and not c.isascii() for c in node.value)
            return ctx.report(
                node,
                "date",
                parsed,
                "Write the date in ASCII digits 0-9, e.g. 2025-04-22." if other_digits else
                self.how_to_write(),
            )
        ctx.remember(path, node)
        return parsed

    def how_to_write(self) -> str:
        """The hint under a date that is none."""
        return ("Give only the precision the sources give: 2025, 2025-04 or 2025-04-22;"
                " put the source's own wording in as_reported.")

    def json_schema(self) -> JSONSchema:
        options: list[JSONSchema] = [
            {"type": "string",
             "pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"},
            {"type": "integer", "minimum": 1, "maximum": 9999},
        ]
        if self.nullable:
            options.append({"type": "null"})
        return {"anyOf": options, "description": "YYYY, YYYY-MM or YYYY-MM-DD"}

    def example(self) -> str:
        return "2025-04"


class Day(Date):
    """A whole day, ``YYYY-MM-DD``: when something was done (a correction), which is
    known to the day, unlike the dates of the facts reported."""

    __slots__ = ()

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        value = super().read(node, path, ctx)
        if value is INVALID or value.day is not None:
            return value
        return ctx.report(
            node,
            "date",
            f"{value.iso!r} is not a whole day: {self.description} needs the day",
            f"Write the day it was made, such as {value.start.isoformat()}.",
        )

    def how_to_write(self) -> str:
        return "Write the day it was made as YYYY-MM-DD, such as 2025-05-06."

    def json_schema(self) -> JSONSchema:
        return {"type": "string",
                "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                "description": "YYYY-MM-DD"}

    def example(self) -> str:
        return "2025-05-06"


@dataclass(slots=True)
class Bool(FieldType):
    description: str = "true or false"

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if (
            isinstance(node, ScalarNode)
            and node.tag == BOOL_TAG
            and node.value.lower() in ("true", "false")
        ):
            ctx.remember(path, node)
            return node.value.lower() == "true"
        return ctx.report(
            node,
            "type",
            f"expected true or false, found {describe_node(node)}",
            "Write true or false." if isinstance(node, ScalarNode) else None,
        )

    def json_schema(self) -> JSONSchema:
        return {"type": "boolean"}

    def example(self) -> str:
        return "true"


@dataclass(slots=True)
class Number(FieldType):
    minimum: float
    maximum: float
    description: str = "a number"
    quantity: str = ""
    """What the range message names ("latitude"), if not the description."""
    hint: str | None = None
    """Said with the range message."""

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if not (
            isinstance(node, ScalarNode)
            and not node.style
            and node.tag in (TAG_PREFIX + "int", TAG_PREFIX + "float")
        ):
            return ctx.report(
                node, "type", f"expected {self.description}, found {describe_node(node)}"
            )
        try:
            value = float(node.value.replace("_", ""))
        except ValueError:
            return ctx.report(node, "type", f"expected {self.description}, found {node.value}")
        if not math.isfinite(value) or not self.minimum <= value <= self.maximum:
            return ctx.report(
                node,
                "range",
                f"{self.quantity or self.description} must be between {self.minimum:g} and"
                f" {self.maximum:g}, found {node.value}",
                self.hint,
            )
        ctx.remember(path, node)
        return value

    def json_schema(self) -> JSONSchema:
        return {"type": "number", "minimum": self.minimum, "maximum": self.maximum}


_INVISIBLE: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Unicode categories no URL shows: controls, format (bidi, zero-width), separators,
and surrogates."""


URL_HINT: Final = (
    "Give an address such as https://example.org/report: a host name or IP address,"
    " a port from 1 to 65535 if any, and no user name or password (in"
    " https://trusted.org@evil.example/ the host is evil.example).")


@dataclass(slots=True)
class Url(FieldType):
    description: str = "an http(s) URL"
    address: bool = True
    """Check host, port and user (``base_url`` leaves that to ``normalize_base_url``)."""

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        value = Text(description="a URL").read(node, path, ctx)
        if value is INVALID:
            return value
        # One host character, then anything but white space: "[^\s/?#]+[^\s]*" says the
        # same but retries every split of a long host when the value has a space.
        if not re.fullmatch(r"https?://[^\s/?#][^\s]*", value, re.IGNORECASE):
            return ctx.report(
                node,
                "url",
                f"{value!r} is not an http or https URL",
                "Only absolute http:// and https:// URLs are accepted here.",
            )
        invisible = next((c for c in value if unicodedata.category(c) in _INVISIBLE), None)
        if invisible is not None:
            # A bidi override makes a link read as another address; a zero-width or
            # control character makes two addresses look alike.
            return ctx.report(
                node,
                "url",
                f"{value!r} holds the invisible character U+{ord(invisible):04X}",
                "Percent-encode it (%E2%80%AE for U+202E), or leave it out.",
            )
        if not self.address:
            return value
        try:
            split_address(value, "URL")  # a query and a #fragment are welcome here
        except BaseUrlError as problem:
            return ctx.report(node, "url", str(problem), URL_HINT)
        return value

    def json_schema(self) -> JSONSchema:
        return {"type": "string", "pattern": r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+\S*$"}

    def example(self) -> str:
        return "https://example.org/report"


@dataclass(slots=True)
class Choice(FieldType):
    choices: tuple[str, ...]
    description: str = "a value"

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        value = Text(description=self.description).read(node, path, ctx)
        if value is INVALID:
            return value
        if value not in self.choices:
            suggestion = did_you_mean(value, self.choices)
            hint = f"Expected one of: {', '.join(self.choices)}."
            return ctx.report(
                node,
                "choice",
                f"{value!r} is not a known {self.description}"
                + (f"; {suggestion}" if suggestion else ""),
                hint,
            )
        return value

    def json_schema(self) -> JSONSchema:
        return {"enum": list(self.choices)}

    def example(self) -> str:
        return self.choices[0]


@dataclass(slots=True)
class SpdxLicense(FieldType):
    """One SPDX licence id (``CC-BY-4.0``), checked against SPDX's own list as the
    ``license-expression`` package ships it (its licences: not the exceptions, nor
    the ScanCode ``LicenseRef-`` keys it knows besides), and written as SPDX spells
    it."""

    description: str = "SPDX licence id"

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        value = Text(description=self.description).read(node, path, ctx)
        if value is INVALID:
            return value
        from license_expression import LicenseSymbol, get_spdx_licensing

        licensing = get_spdx_licensing()
        hint = ("Write one id from https://spdx.org/licenses/, such as CC-BY-4.0,"
                " CC-BY-SA-4.0 or CC0-1.0.")
        try:
            parsed = licensing.parse(value, validate=True, strict=True)
        except Exception:  # the package raises its own errors for every kind of bad id
            parsed = None
        if (not isinstance(parsed, LicenseSymbol) or parsed.is_exception
                or parsed.key.startswith("LicenseRef-")):
            # The package knows ScanCode's own LicenseRef-scancode-* keys and SPDX's
            # exceptions too; a licence of data is one of SPDX's licences.
            known = [str(key) for key, symbol in licensing.known_symbols.items()
                     if not symbol.is_exception and not str(key).startswith("LicenseRef-")]
            suggestion = did_you_mean(value, known)
            return ctx.report(node, "license",
                              f"{value!r} is not an SPDX licence id"
                              + (f"; {suggestion}" if suggestion else ""), hint)
        return parsed.key

    def json_schema(self) -> JSONSchema:
        return {"type": "string", "description": "an SPDX licence id, such as CC-BY-4.0"}

    def example(self) -> str:
        return "CC-BY-4.0"


@dataclass(slots=True)
class ListOf(FieldType):
    item: FieldType
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    noun: str = "item"
    """What one item is called in messages ("citation")."""
    description: str = "a list"
    positions: tuple[FieldType, ...] = ()
    """Types of the first items, by position, in place of ``item`` (the latitude and
    the longitude of a pair): each item is read, so every bad one is reported."""

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if not isinstance(node, SequenceNode):
            return ctx.report(
                node,
                "type",
                f"expected a list, found {describe_node(node)}",
                "Write a list as [a, b] or as lines starting with '- '.",
            )
        values: list[Any] = []
        partial: list[Any] = []
        seen: dict[Any, int] = {}
        ok = True
        for index, child in enumerate(node.value):
            ctx.partial = None
            item = self.positions[index] if index < len(self.positions) else self.item
            value = item.read(child, (*path, index), ctx)
            if value is INVALID:
                ok = False
                partial.append(INVALID if ctx.partial is None else ctx.partial)
                continue
            if self.unique and isinstance(value, str):
                if value in seen:
                    ctx.report(child, "duplicate-item", f"{value!r} is listed twice")
                    ok = False
                    partial.append(INVALID)
                    continue
                seen[value] = index
            partial.append(value)
            values.append(value)
        if not ok:
            ctx.partial = partial
            return INVALID
        count = len(values)
        if count < self.min_items or (self.max_items is not None and count > self.max_items):
            if self.max_items == self.min_items:
                wanted = f"exactly {self.min_items}"
            elif self.max_items is None:
                wanted = f"at least {self.min_items}"
            else:
                wanted = f"{self.min_items} to {self.max_items}"
            noun = self.noun if wanted.endswith(" 1") else self.noun + "s"
            if self.unique:
                noun = "distinct " + noun
            ctx.report(node, "count", f"expected {wanted} {noun}, found {count}")
            ctx.partial = partial
            return INVALID
        ctx.remember(path, node)
        return values

    def json_schema(self) -> JSONSchema:
        schema: JSONSchema = {"type": "array", "items": self.item.json_schema()}
        if self.positions:
            schema["prefixItems"] = [item.json_schema() for item in self.positions]
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        if self.unique:
            schema["uniqueItems"] = True
        return schema


@dataclass(slots=True)
class Translatable(FieldType):
    """A text (or a list of texts, ``aliases``) that may instead be a mapping of
    language codes to it: ``name: {en: Taliban, fa-AF: طالبان}``. The main language's
    text is the value read; the others go to :attr:`ReadContext.translations`, each
    remembered at its own position under the field's path and its code."""

    inner: FieldType

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if not isinstance(node, MappingNode):
            return self.inner.read(node, path, ctx)
        main, declared = ctx.languages[0], ctx.languages
        noun = self.inner.description or "text"
        texts: dict[str, Any] = {}
        written: dict[str, ScalarNode] = {}
        main_value: Any = None
        ok = True
        for key_node, value_node in node.value:
            code = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(code, str) or not LANGUAGE_RE.fullmatch(code):
                ok = False
                ctx.report(key_node, "language-code",
                           f"{describe_node(key_node)} is not a language code", LANGUAGE_HINT
                           + f" Give the {noun} in the main language alone, or as a mapping"
                           f" of language codes to it, such as {{{main}: ...}}.")
                continue
            known = declared_as(code, declared)
            if known is None:
                ok = False
                close = did_you_mean(code, declared)
                ctx.report(key_node, "undeclared-language",
                           f"{code!r} is not one of the site's languages ("
                           + ", ".join(declared) + ")" + (f"; {close}" if close else ""),
                           f"Declare it in site.yaml under languages: (- {{code: {code},"
                           f" name: ...}}), or write the text under one of the declared"
                           f" codes.")
                continue
            assert isinstance(key_node, ScalarNode)
            if known in written:
                ok = False
                first = ctx.source.position(written[known])
                ctx.report(key_node, "duplicate-language",
                           f"{noun} has two texts in {known} ({code!r} here,"
                           f" {written[known].value!r} on line {first.line})",
                           "Language codes ignore case: keep one of the two.")
                continue
            written[known] = key_node
            if is_null(value_node):
                ok = False
                ctx.report(value_node, "empty", f"the {known} {noun} is empty",
                           f"Write the {noun} in {known}, or leave the line out.")
                continue
            value = self.inner.read(value_node, path if known == main else (*path, known), ctx)
            if value is INVALID:
                ok = False
            elif known == main:
                main_value = value
            else:
                texts[known] = value
        if main not in written and ok:
            return ctx.report(
                node, "missing-main-language",
                f"{noun} has no text in the site's main language {main!r}",
                f"Add a line '{main}: ...': the main language's text is required, the"
                f" other languages' are optional.")
        if not ok:
            return INVALID
        if texts:
            ctx.translations[path] = texts
        return main_value

    def json_schema(self) -> JSONSchema:
        inner = self.inner.json_schema()
        return {"anyOf": [inner, {
            "type": "object",
            "description": "the text in each language, by BCP 47 code; the main"
                           " language's is required",
            "propertyNames": {"pattern": LANGUAGE_RE.pattern},
            "additionalProperties": inner,
            "minProperties": 1,
        }]} | ({"description": inner["description"]} if "description" in inner else {})

    def example(self) -> str:
        return self.inner.example()

    @property
    def description(self) -> str:  # type: ignore[override]
        return self.inner.description


@dataclass(slots=True, kw_only=True)
class Field:
    """One named field of a record."""

    name: str
    type: FieldType
    required: bool = False
    doc: str = ""


RecordCheck = Callable[[dict[str, Any], MappingNode, ReadContext], None]


@dataclass(slots=True)
class Struct(FieldType):
    """A mapping with known fields; unknown ones are errors with a "did you mean"."""

    name: str
    fields: tuple[Field, ...]
    checks: tuple[RecordCheck, ...] = ()
    description: str = ""
    by_name: Mapping[str, Field] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if not isinstance(node, MappingNode):
            return ctx.report(
                node,
                "type",
                f"expected {self.name} (a mapping of fields), found {describe_node(node)}",
            )
        values: dict[str, Any] = {}
        partial: dict[str, Any] = {}
        ok = True
        misspelt: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            spec = self.by_name.get(key)
            if spec is None:
                ok = False
                close = difflib.get_close_matches(key, list(self.by_name), n=1, cutoff=0.6)
                misspelt.update(close)
                suggestion = did_you_mean(key, list(self.by_name))
                ctx.report(
                    key_node,
                    "unknown-field",
                    f"unknown field {key!r} in {self.name}"
                    + (f"; {suggestion}" if suggestion else ""),
                    "Known fields: " + ", ".join(self.by_name) + ".",
                )
                continue
            if value_node.tag == INVALID_TAG:  # refused while composing, and reported
                ok = False
                continue
            if is_null(value_node):
                if spec.required:
                    ok = False
                    ctx.report(value_node, "empty", f"required field {key!r} is empty")
                elif isinstance(spec.type, Date) and spec.type.nullable:
                    values[key] = None
                continue
            ctx.partial = None
            value = spec.type.read(value_node, (*path, key), ctx)
            if value is INVALID:
                ok = False
                if ctx.partial is not None:
                    partial[key] = ctx.partial
            else:
                values[key] = value
        missing = [f for f in self.fields if f.required and f.name not in values]
        for spec in missing:
            if spec.name in misspelt or any(
                key_node.value == spec.name for key_node, _ in node.value
            ):
                continue  # present but invalid, or misspelt: already reported
            ok = False
            ctx.report(
                node,
                "missing-field",
                f"{self.name} is missing required field {spec.name!r}",
                f"Add a line such as: {spec.name}: {spec.type.example()}",
            )
        errors_before = len(ctx.errors)
        for check in self.checks:  # on the fields that were read, even if others were not
            check(values, node, ctx)
        if not ok or len(ctx.errors) > errors_before:
            ctx.partial = values | partial
            return INVALID
        ctx.remember(path, node)
        return values

    def json_schema(self) -> JSONSchema:
        properties: JSONSchema = {}
        for spec in self.fields:
            schema = spec.type.json_schema()
            if not spec.required and not (isinstance(spec.type, Date) and spec.type.nullable):
                schema = {"anyOf": [schema, {"type": "null"}]}
            if spec.doc:
                schema = {**schema, "description": spec.doc}
            properties[spec.name] = schema
        schema = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        required = [f.name for f in self.fields if f.required]
        if required:
            schema["required"] = required
        return schema


@dataclass(slots=True)
class OneOf(FieldType):
    """A mapping whose shape is chosen by which key it has (citations)."""

    name: str
    variants: tuple[tuple[str, Struct], ...]
    shorthand: Callable[[str], dict[str, Any]] | None = None
    """How a bare text item is read, if allowed (``india`` for ``{id: india}``)."""
    shorthand_type: FieldType | None = None
    description: str = ""
    shape_code: str = "shape"
    """Error code when no variant, or more than one, fits."""

    def read(self, node: Node, path: FieldPath, ctx: ReadContext) -> Any:
        if isinstance(node, ScalarNode) and self.shorthand is not None:
            assert self.shorthand_type is not None
            text = self.shorthand_type.read(node, path, ctx)
            return text if text is INVALID else self.shorthand(text)
        if not isinstance(node, MappingNode):
            return ctx.report(
                node, "type", f"expected {self.name}, found {describe_node(node)}"
            )
        keys = {key_node.value for key_node, _ in node.value}
        chosen = [(key, struct) for key, struct in self.variants if key in keys]
        variant_keys = ", ".join(key for key, _ in self.variants)
        if not chosen:
            all_fields = sorted({f for _, struct in self.variants for f in struct.by_name})
            for key_node, _ in node.value:
                suggestion = did_you_mean(key_node.value, [key for key, _ in self.variants])
                if key_node.value not in all_fields and suggestion:
                    return ctx.report(
                        key_node,
                        "unknown-field",
                        f"unknown field {key_node.value!r} in {self.name}; {suggestion}",
                        self.description or None,
                    )
        if len(chosen) != 1:
            found = "none" if not chosen else " and ".join(key for key, _ in chosen)
            return ctx.report(
                node,
                self.shape_code,
                f"{self.name} needs exactly one of {variant_keys}; found {found}",
                self.description or None,
            )
        return chosen[0][1].read(node, path, ctx)

    def json_schema(self) -> JSONSchema:
        options = [struct.json_schema() for _, struct in self.variants]
        if self.shorthand_type is not None:
            options.insert(0, self.shorthand_type.json_schema())
        return {"oneOf": options}
