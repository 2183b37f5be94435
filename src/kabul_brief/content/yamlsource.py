"""Strict, safe YAML reading that keeps positions.

We compose YAML into nodes (never construct Python objects), so no tag can run
code and every value keeps its line and column for error messages. On the
composed nodes we refuse what would silently lose an editor's data: duplicate
keys, non-standard tags, merge keys, recursive aliases and alias expansion
beyond a small multiple of the document's size ("billion laughs").

Interpreting scalars (is ``no`` a boolean? is ``012`` text?) is left to the
field types, which know what each field expects.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class SourceText:
    """A YAML text with where it came from, for positions."""

    text: str
    path: str
    line_offset: int = 0
    """Lines before the YAML starts in the file (front matter starts after ``---``)."""

    def position(self, node: Node) -> Position:
        return self.at(node.start_mark.line, node.start_mark.column)

    def at(self, line0: int, column0: int) -> Position:
        """Position from 0-based line and column within the YAML text."""
        return Position(path=self.path, line=line0 + 1 + self.line_offset, column=column0 + 1)


def compose(source: SourceText) -> tuple[Node | None, list[ContentError]]:
    """Compose one YAML document and check it. With errors, the root (if any) is only
    for finding which ids the file meant to define; its values must not be used."""
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
    errors = _NodeChecker(source).check(root)
    return root, errors


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
    if "found character '\\t'" in problem:
        hint = "YAML does not allow tabs for indentation: use spaces."
    elif "mapping values are not allowed" in problem:
        hint = "A text containing ': ' must be quoted, e.g. title: \"Kabul: the talks\"."
    elif "duplicate anchor" in problem or "undefined alias" in problem:
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

    def check(self, root: Node) -> list[ContentError]:
        total = self._walk(root)
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

    def _walk(self, node: Node) -> int | None:
        """Expanded size of ``node`` (memoised, so shared aliases cost nothing), or
        None when a cycle was found."""
        key = id(node)
        known = self._expanded_size.get(key)
        if known is not None:
            return known
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
            child_size = self._walk(child)
            if child_size is None or size is None:
                size = None
            else:
                size += child_size
            if size is not None and size > MAX_EXPANDED_NODES:
                break
        self._on_stack.discard(key)
        if size is not None:
            self._expanded_size[key] = size
        return size

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
        for key_node, _ in node.value:
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
