"""Strict, safe YAML reading that keeps positions.

We compose YAML into nodes (never construct Python objects), so no tag can run
code and every value keeps its line and column for error messages. On the
composed nodes we refuse what would silently lose an editor's data: duplicate
keys, non-standard tags, merge keys, recursive aliases, alias expansion
beyond a small multiple of the document's size ("billion laughs"), nesting deeper
than any record needs (which would exhaust the parser's stack) and characters that
pages and feeds cannot carry (control characters, noncharacters, lone surrogates).

Interpreting scalars (is ``no`` a boolean? is ``012`` text?) is left to the
field types, which know what each field expects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from kabul_brief.errors import ContentError, Position

try:  # libyaml's C parser is ~10x faster; positions and strictness are the same.
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

Node = yaml.Node
ScalarNode = yaml.ScalarNode
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode

TAG_PREFIX = "tag:yaml.org,2002:"
STANDARD_TAGS = frozenset(
    TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

#: An alias may make a document grow, but never past this many nodes in all, nor past
#: this multiple of the nodes actually written: well above any honest reuse.
MAX_EXPANDED_NODES = 1_000_000
MAX_EXPANSION_FACTOR = 20

#: Lists and mappings nested deeper than this are refused: a record needs a handful of
#: levels, and thousands overflow the C parser's stack (a crash, not an error).
MAX_DEPTH = 100
_SAFE_TO_COMPOSE = 2000
"""A text with at most this many characters that can open a list or mapping cannot
nest deeper than that, which the parser survives; others are measured first."""

_ASTRAL_NONCHARACTERS = re.compile("[" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
) + "]")
#: C0 controls but tab, line feed and carriage return; DEL and the C1 controls (NEL
#: included); lone surrogates; noncharacters (those beyond U+FFFF are matched apart:
#: a class that holds them makes every search many times slower). XML 1.0 (the feed)
#: and HTML forbid or warn about them, and none is ever meant in an article.
_BMP_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def character_problem(char: str) -> tuple[str, str]:
    """Message and hint for a character that ``forbidden_characters`` found."""
    code_point = f"U+{ord(char):04X}"
    if 0xD800 <= ord(char) <= 0xDFFF:
        what = "half of a surrogate pair"
    elif ord(char) < 0xA0:
        what = "a control character"
    else:
        what = "a noncharacter"
    return (
        f"the text holds {code_point}, {what}, which pages and feeds cannot carry",
        f"Remove it: {code_point} is invisible, and usually comes from text copied out"
        " of a PDF, a terminal or a word processor. Tabs and line breaks are fine.",
    )


def forbidden_characters(text: str) -> Iterator[tuple[int, int, str]]:
    """(0-based line, 0-based column, character) of each forbidden character."""
    found = [(m.start(), m.group()) for m in _BMP_FORBIDDEN.finditer(text)]
    if not text.isascii():
        found = sorted(found + [(m.start(), m.group())
                                for m in _ASTRAL_NONCHARACTERS.finditer(text)])
    for start, char in found:
        yield (*line_and_column(text, start), char)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 0-based line and column of ``offset`` in ``text``."""
    return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1)


def first_forbidden(text: str) -> str | None:
    """The first forbidden character of ``text``, if any."""
    if text.isprintable():  # each forbidden character is in category Cc, Cs or Cn
        return None
    return next((char for _, _, char in forbidden_characters(text)), None)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A YAML text with where it came from, for positions."""

    text: str
    path: str
    line_offset: int = 0
    """Lines before the YAML starts in the file (front matter starts after ``---``)."""

    def position(self, node: Node) -> Position:
        return self.at(node.start_mark.line, node.start_mark.column)

    def at_offset(self, offset: int) -> Position:
        """Position of the character at ``offset`` in the text."""
        return self.at(*line_and_column(self.text, offset))

    def at(self, line0: int, column0: int) -> Position:
        """Position from 0-based line and column within the YAML text."""
        return Position(path=self.path, line=line0 + 1 + self.line_offset, column=column0 + 1)


INVALID_TAG = "tag:kabul-brief,2025:invalid"
"""The tag :func:`compose` gives a record's field whose value it refused (nested too
deep, or a tagged list or mapping): the field is invalid, and was reported."""

RECOVERABLE = frozenset({"duplicate-key", "yaml-tag", "control-character", "yaml-too-deep"})
"""Problems after which the document is still read, repaired as :func:`compose` says,
so that one of them does not hide the file's other errors."""


def compose(source: SourceText) -> tuple[Node | None, list[ContentError]]:
    """Compose one YAML document and check it. If every error's code is in
    :data:`RECOVERABLE`, the root is repaired and may be read for the rest of its
    errors: a duplicate key keeps its first value, a tagged value is read as if
    untagged, a value with a control character is kept (a build still stops), and
    a field nested too deep or holding a tagged list or mapping carries
    :data:`INVALID_TAG`. With other errors, the root
    (if any) is only for finding which ids the file meant to define."""
    too_deep = _too_deep(source)
    if too_deep is not None:
        return None, [too_deep]
    try:
        root = yaml.compose(source.text, Loader=_BaseLoader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(source, exc)]
    except yaml.YAMLError as exc:  # unmarked reader errors (e.g. control characters)
        return None, [
            ContentError(
                position=Position(path=source.path, line=None),
                code="yaml-syntax",
                message=f"YAML could not be read: {exc}",
            )
        ]
    if root is None:
        return None, []
    checker = _NodeChecker(source)
    errors = checker.check(root)
    for chain in checker.refused:
        # The value of a record's field that holds the nesting: root (a record, or a
        # list of records) -> [record ->] field value.
        at = 1 if isinstance(root, MappingNode) else 2
        if len(chain) > at:
            chain[at].tag = INVALID_TAG
    return root, errors


_RESOLVER = yaml.resolver.Resolver()
"""The implicit tags of the safe loader (the C loader resolves with the same rules)."""


def _untagged(node: Node) -> str:
    """The tag ``node`` would have without the tag written on it."""
    if isinstance(node, MappingNode):
        return TAG_PREFIX + "map"
    if isinstance(node, SequenceNode):
        return TAG_PREFIX + "seq"
    # A plain scalar is resolved (``!foo 12`` reads as 12), a quoted one is text.
    implicit = (isinstance(node, ScalarNode) and not node.style, False)  # C: "", Python: None
    return str(_RESOLVER.resolve(ScalarNode, node.value, implicit))  # type: ignore[no-untyped-call]


def _depth_error(source: SourceText, line0: int, column0: int) -> ContentError:
    return ContentError(
        position=source.at(line0, column0),
        code="yaml-too-deep",
        message=f"values are nested more than {MAX_DEPTH} deep",
        hint="Flatten the lists and mappings: a record needs only a few levels.",
    )


_PARSER_DEPTH_LIMIT = "maximum nesting depth"
"""Words of the error newer libyaml raises, while scanning ahead, beyond its own
nesting limit (1000): far deeper than ours, so the text is too deep, and the place
it first went too deep lies before the point where libyaml stopped."""


def _too_deep(source: SourceText) -> ContentError | None:
    """Measure the nesting from the parser's events (which need no stack) before
    composing, when the text could nest deep enough to crash the composer."""
    text = source.text
    if sum(text.count(c) for c in "[{-:?") <= _SAFE_TO_COMPOSE:
        return None
    return _first_too_deep(source, text)


def _first_too_deep(source: SourceText, text: str) -> ContentError | None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return _depth_error(source, mark.line, mark.column)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        stop = error.problem_mark
        if _PARSER_DEPTH_LIMIT not in str(error.problem) or stop is None:
            return None  # composing reports it, with its position
        if 0 < stop.index < len(text):  # the text before it holds the first level too many
            found = _first_too_deep(source, text[: stop.index])
            if found is not None:
                return found
        return _depth_error(source, stop.line, stop.column)
    except yaml.YAMLError:
        return None
    return None


def _syntax_error(source: SourceText, exc: yaml.MarkedYAMLError) -> ContentError:
    mark = exc.problem_mark or exc.context_mark
    position = (
        source.at(mark.line, mark.column) if mark else Position(path=source.path, line=None)
    )
    problem = exc.problem or "invalid YAML"
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context})"
    hint = None
    # The words are libyaml's and PyYAML's, which differ: both are matched, and the
    # context too (libyaml puts "found duplicate anchor" there).
    said = f"{problem} {exc.context or ''}"
    if "found character '\\t'" in said or "tab character" in said:
        hint = "YAML does not allow tabs for indentation: use spaces."
    elif "mapping values are not allowed" in problem:
        hint = "A text containing ': ' must be quoted, e.g. title: \"Kabul: the talks\"."
    elif "duplicate anchor" in said:
        hint = "An anchor (&name) may be defined once in a file: rename the second one."
    elif "undefined alias" in said:
        hint = "Define an anchor (&name) before using it as an alias (*name)."
    elif "found undefined tag handle" in problem:
        hint = "Tags such as !foo are not allowed in content files: remove it."
    return ContentError(
        position=position, code="yaml-syntax", message=message, hint=hint
    )


class _NodeChecker:
    """Walks a composed document once, counting expansion and checking tags and keys."""

    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.errors: list[ContentError] = []
        self._expanded_size: dict[int, int] = {}
        self._on_stack: set[int] = set()
        self._distinct = 0
        self._depth_reported = False
        self._path: list[Node] = []
        self.refused: list[list[Node]] = []
        """The nodes from the root down to each value refused: nested too deep, or a
        tagged list or mapping (``!!python/object/apply:os.system [...]``)."""

    def check(self, root: Node) -> list[ContentError]:
        total = self._walk(root, 1)
        if total is not None and (
            total > MAX_EXPANDED_NODES
            or total > MAX_EXPANSION_FACTOR * max(self._distinct, 50)
        ):
            if total > MAX_EXPANDED_NODES:
                message = f"aliases expand this document to more than {MAX_EXPANDED_NODES} values"
            else:
                message = (
                    f"aliases expand this document to {total} values from {self._distinct}"
                    f" written ones (more than {MAX_EXPANSION_FACTOR} times)"
                )
            self.errors.append(
                ContentError(
                    position=self.source.position(root),
                    code="yaml-alias-bomb",
                    message=message,
                    hint="Write the repeated values out, or reuse them less deeply.",
                )
            )
        return self.errors

    def _walk(self, node: Node, depth: int) -> int | None:
        """Expanded size of ``node`` (memoised, so shared aliases cost nothing), or
        None when a cycle or too deep a nesting was found. ``depth`` counts the lists
        and mappings down to ``node``, through aliases too."""
        key = id(node)
        known = self._expanded_size.get(key)
        if known is not None:
            return known
        if isinstance(node, ScalarNode):
            self._check_characters(node)
        elif depth > MAX_DEPTH:
            if not self._depth_reported:
                self.errors.append(
                    _depth_error(self.source, node.start_mark.line, node.start_mark.column))
            self._depth_reported = True
            self.refused.append(self._path[:3])
            return None
        if key in self._on_stack:
            self.errors.append(
                ContentError(
                    position=self.source.position(node),
                    code="yaml-recursive-alias",
                    message="an alias refers to the value that contains it",
                    hint="Remove the alias (*name) that points back into its own anchor.",
                )
            )
            return None
        self._on_stack.add(key)
        self._path.append(node)
        self._distinct += 1
        self._check_tag(node)
        size: int | None = 1
        children: list[Node] = []
        if isinstance(node, MappingNode):
            self._check_keys(node)
            for key_node, value_node in node.value:
                children.extend((key_node, value_node))
        elif isinstance(node, SequenceNode):
            children.extend(node.value)
        for child in children:
            child_size = self._walk(child, depth + 1)
            if child_size is None or size is None:
                size = None
            else:
                size += child_size
            if size is not None and size > MAX_EXPANDED_NODES:
                break
        self._on_stack.discard(key)
        self._path.pop()
        if size is not None:
            self._expanded_size[key] = size
        return size

    def _check_characters(self, node: ScalarNode) -> None:
        """Characters a quoted scalar's escapes (``"\\x01"``) put in; raw ones in the
        file were refused before it was parsed."""
        found = first_forbidden(node.value)
        if found is not None:
            message, hint = character_problem(found)
            self.errors.append(
                ContentError(position=self.source.position(node), code="control-character",
                             message=message, hint=hint)
            )

    def _check_tag(self, node: Node) -> None:
        if node.tag in STANDARD_TAGS:
            return
        if node.tag == TAG_PREFIX + "merge":
            self.errors.append(
                ContentError(
                    position=self.source.position(node),
                    code="yaml-merge-key",
                    message="merge keys (<<) are not supported",
                    hint="Write the fields out in full.",
                )
            )
            return
        shown = node.tag.replace(TAG_PREFIX, "!!")
        if isinstance(node, ScalarNode):
            node.tag = _untagged(node)  # read on as if the tag were not there
        else:  # a constructor's arguments, not data: the field is invalid
            node.tag = _untagged(node)
            self.refused.append(self._path[:3])
        self.errors.append(
            ContentError(
                position=self.source.position(node),
                code="yaml-tag",
                message=f"YAML tag {shown} is not allowed",
                hint="Content files hold plain text, numbers, lists and mappings: remove the tag.",
            )
        )

    def _check_keys(self, node: MappingNode) -> None:
        seen: dict[str, Node] = {}
        kept = []
        for key_node, value_node in node.value:
            kept.append((key_node, value_node))
            if not isinstance(key_node, ScalarNode):
                self.errors.append(
                    ContentError(
                        position=self.source.position(key_node),
                        code="yaml-complex-key",
                        message="a mapping key must be plain text",
                    )
                )
                continue
            first = seen.get(key_node.value)
            if first is None:
                seen[key_node.value] = key_node
                continue
            kept.pop()
            first_position = self.source.position(first)
            self.errors.append(
                ContentError(
                    position=self.source.position(key_node),
                    code="duplicate-key",
                    message=f"key {key_node.value!r} appears twice in this mapping",
                    hint="Keep one of them.",
                    also=(first_position,),
                )
            )
        node.value = kept  # the first value is read on
