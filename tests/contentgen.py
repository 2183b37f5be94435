"""Writing generated content folders for tests: a small block-YAML emitter that puts
every scalar on its own line (so an error's line names the field that caused it)
and writes text double-quoted with escapes (so any character, control characters
and line separators included, reaches the loader exactly), or verbatim where a test
wants YAML's own reading of a plain scalar (``no``, ``012``, ``1:20``).

Holds no tests itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Characters PyYAML's reader refuses raw, plus what YAML reads as a line break or BOM.
_ESCAPE = re.compile(
    "[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff\"\\\\]"
)


class Raw(str):
    """A scalar written verbatim, unquoted: YAML reads it as it would an editor's."""


class Slot(str):
    """A text value that a test fills in; ``key`` names the field."""

    key: str

    def __new__(cls, key: str, value: str) -> Slot:
        slot = super().__new__(cls, value)
        slot.key = key
        return slot


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in "\"\\":
            return "\\" + char
        code = ord(char)
        if code <= 0xFF:
            return f"\\x{code:02x}"
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        return f"\\U{code:08x}"

    return '"' + _ESCAPE.sub(escape, text) + '"'


def scalar(value: Any, pad: str = "") -> str:
    """One scalar; a verbatim one over several lines is indented below its key."""
    if isinstance(value, Raw):
        return str(value).replace("\n", "\n" + pad + "  ")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return quoted(value)
    raise TypeError(value)


@dataclass
class Emitted:
    lines: list[str] = field(default_factory=list)
    slots: dict[int, str] = field(default_factory=dict)
    """1-based line number -> key of the slot written on it."""

    def add(self, line: str, value: Any = None) -> None:
        self.lines.append(line)
        if isinstance(value, Slot):
            self.slots[len(self.lines)] = value.key

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def emit(value: Any, into: Emitted | None = None, indent: int = 0) -> Emitted:
    """Block YAML for ``value`` (a mapping or a list), one scalar per line."""
    out = into if into is not None else Emitted()
    pad = " " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, Mapping | list) and item:
                out.add(f"{pad}{key}:")
                emit(item, out, indent + 2)
            elif isinstance(item, list):
                out.add(f"{pad}{key}: []")
            elif isinstance(item, Mapping):
                out.add(f"{pad}{key}: {{}}")
            else:
                out.add(f"{pad}{key}: {scalar(item, pad)}", item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping | list) and item:
                out.add(f"{pad}-")
                emit(item, out, indent + 2)
            else:
                shown = "[]" if isinstance(item, list) else "{}" if isinstance(item, dict) else (
                    scalar(item, pad)
                )
                out.add(f"{pad}- {shown}", item)
    else:
        raise TypeError(value)
    return out


@dataclass(frozen=True)
class Markdown:
    """An article or page: front matter and body paragraphs (each may be a Slot)."""

    front: Mapping[str, Any]
    body: list[str]


def render_file(value: Any) -> Emitted:
    """A content file's text; Markdown files get ``---`` lines around the front matter."""
    if isinstance(value, Markdown):
        out = Emitted()
        out.add("---")
        emit(value.front, out)
        out.add("---")
        for number, paragraph in enumerate(value.body):
            if number:
                out.add("")
            for line in paragraph.split("\n"):
                out.add(line, Slot(paragraph.key, "") if isinstance(paragraph, Slot) else None)
        return out
    return emit(value)


def write_content(content: Path, files: Mapping[str, Any]) -> dict[str, dict[int, str]]:
    """Write each file (path relative to ``content``); returns, per file path, the line
    numbers of the slots in it."""
    slots: dict[str, dict[int, str]] = {}
    for relative, value in files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        emitted = render_file(value)
        path.write_bytes(emitted.text.encode("utf-8"))
        slots[relative] = emitted.slots
    return slots
