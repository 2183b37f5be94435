"""The one error type for content problems.

Every problem an editor can fix is a :class:`ContentError` with a position, a
message, an optional hint and a short stable code. Stages collect them and raise
:class:`ContentErrors` once, so an editor sees every problem in one run. Anything
else that goes wrong is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from jinja2 import TemplateError

Severity = Literal["error", "warning"]

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """``text`` with control and line-separator characters written as escapes
    (``\\n``, ``\\x1b``, ``\\u2028``): a file name or value holding a newline
    cannot start a line of its own in the output and pass for another error."""
    if text.isprintable():
        return text
    return "".join(_escape_char(char) for char in text)


def _escape_char(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """Where in a file something was written; line and column are 1-based."""

    path: str
    """Path as shown to the editor (relative to the content folder's parent, or as given)."""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [escape_controls(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line or 0, self.column or 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentError:
    """A problem in the editors' files, with where it is and how to fix it."""

    position: Position
    code: str
    """Short, stable identifier documented in the editor guide (e.g. ``unknown-field``)."""
    message: str
    hint: str | None = None
    also: tuple[Position, ...] = field(default=())
    """Other places involved (the first definition of a duplicate id)."""
    severity: Severity = "error"
    """Warnings point at content that is valid but probably not what was meant;
    they fail the build only with ``--strict``."""

    def to_data(self) -> dict[str, Any]:
        """Plain data for JSON, so a build can record the warnings it printed."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ContentError:
        return cls(position=Position(**data["position"]), code=data["code"],
                   message=data["message"], hint=data["hint"],
                   also=tuple(Position(**p) for p in data["also"]),
                   severity=data["severity"])

    @property
    def full_message(self) -> str:
        if not self.also:
            return self.message
        return self.message + " (also at " + ", ".join(_short(p) for p in self.also) + ")"

    def format(self) -> str:
        """Render as ``PATH:LINE:COL: error: MESSAGE [code]`` plus indented hint lines."""
        message = escape_controls(self.full_message)
        lines = [f"{self.position}: {self.severity}: {message} [{escape_controls(self.code)}]"]
        if self.hint:
            lines.extend(f"    {escape_controls(hint_line)}"
                         for hint_line in self.hint.splitlines())
        return "\n".join(lines)

    def format_github(self) -> str:
        """A GitHub Actions workflow command, which shows as an annotation on the file."""
        properties = [f"file={_escape_property(self.position.path)}"]
        if self.position.line is not None:
            properties.append(f"line={self.position.line}")
            if self.position.column is not None:
                properties.append(f"col={self.position.column}")
        properties.append(f"title={_escape_property(self.code)}")
        message = self.full_message + (f"\n{self.hint}" if self.hint else "")
        return f"::{self.severity} {','.join(properties)}::{_escape_data(message)}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (*self.position.sort_key(), self.message)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _short(position: Position) -> str:
    """``PATH:LINE`` form used when an error names a second place."""
    if position.line is None:
        return position.path
    return f"{position.path}:{position.line}"


class ContentErrors(Exception):
    """Raised once by a stage that found content errors; carries all of them, sorted."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors: tuple[ContentError, ...] = tuple(
            sorted(set(errors), key=ContentError.sort_key)
        )
        super().__init__(f"{len(self.errors)} content error(s)")

    def format(self) -> str:
        return "\n".join(error.format() for error in self.errors)


class ErrorSink:
    """Collects errors during a stage; stages raise once at their end."""

    def __init__(self) -> None:
        self._errors: list[ContentError] = []

    def add(
        self,
        position: Position,
        code: str,
        message: str,
        hint: str | None = None,
        also: Sequence[Position] = (),
    ) -> None:
        self._errors.append(
            ContentError(
                position=position, code=code, message=message, hint=hint, also=tuple(also)
            )
        )

    def extend(self, errors: Iterable[ContentError]) -> None:
        self._errors.extend(errors)

    @property
    def errors(self) -> tuple[ContentError, ...]:
        return tuple(self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise ContentErrors(self._errors)


_JINJA_FRAME: Final = r"top-level template code|block '[^'\n]*'|macro '[^'\n]*'|template"
"""How Jinja names the frames of template code in a traceback."""
_JINJA_FRAME_RE: Final = re.compile(_JINJA_FRAME)
_TEMPLATE_FRAME_RE: Final = re.compile(rf'File "([^"\n]+)", line ([0-9]+), in (?:{_JINJA_FRAME})')


def template_error(problem: TemplateError, templates: Path) -> str:
    """``PATH:LINE: error: MESSAGE`` from Jinja's own position, where it gives one (a
    syntax error does; an error while rendering names no line)."""
    from jinja2 import TemplateSyntaxError

    where = str(templates)
    if isinstance(problem, TemplateSyntaxError):
        where = problem.filename or str(templates / (problem.name or ""))
        if problem.lineno:
            where += f":{problem.lineno}"
    else:  # Jinja puts the template's own file and line in the traceback's frames
        cause = problem.__cause__  # what the template's own code raised (1/0)
        tracebacks = [problem.__traceback__,
                      *([cause.__traceback__] if isinstance(cause, BaseException) else [])]
        frames = [f"{frame.f_code.co_filename}:{line}" for trace in tracebacks
                  for frame, line in traceback.walk_tb(trace)
                  if _JINJA_FRAME_RE.fullmatch(frame.f_code.co_name)]
        # From a render worker the traceback comes as text, in the exception's cause.
        frames += [f"{name}:{line}" for name, line in _TEMPLATE_FRAME_RE.findall(
            str(problem.__cause__ or ""))]
        if frames:
            where = frames[-1]
    message = problem.message or type(problem).__name__
    return escape_controls(f"{where}: error: template: {message}")
