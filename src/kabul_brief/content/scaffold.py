"""New content files for editors: ``kabul-brief new KIND "Title"``.

The file is written from the same field definitions the validator uses: the
required fields with their values or a placeholder to fill, the optional ones
as comments, and ``draft: true``, so the new record stays out of the published
site until the editor removes that line. A placeholder never passes ``check``, so
nothing half-filled is published by accident.
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kabul_brief.content.fieldtypes import (
    ID_MAX_LENGTH,
    NOT_ID_RUN_RE,
    PLACEHOLDER,
    Choice,
    Date,
    Field,
    ListOf,
    Ref,
    Text,
    Translatable,
    is_id,
)
from kabul_brief.content.schemas import RECORD_SCHEMAS
from kabul_brief.content.yamlsource import character_problem, first_forbidden
from kabul_brief.kinds import KINDS

NEW_KINDS = tuple(KINDS)
_NAME_FIELDS = ("title", "name")


class ScaffoldError(Exception):
    """The file could not be created (it exists, or the title gives no id)."""


@dataclass(frozen=True, slots=True)
class NewFile:
    path: Path
    id: str


def slugify(title: str) -> str:
    """ASCII id from a title: accents transliterated, everything else a hyphen."""
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = NOT_ID_RUN_RE.sub("-", ascii_text).strip("-")
    return slug[:ID_MAX_LENGTH].rstrip("-")


def yaml_scalar(value: str) -> str:
    """``value`` written as YAML that reads back as the same string: quoted where YAML
    would read another type (``null``, ``yes``, ``on``, ``2025``, ``012``), bare else."""
    text = yaml.safe_dump(value, allow_unicode=True, width=math.inf)  # one line, however long
    return text.removesuffix("\n...\n").rstrip("\n")


def create(content_dir: Path, kind: str, title: str, today: dt.date,
           record_id: str | None = None) -> NewFile:
    """Write a new record file; refuse to overwrite anything. Without ``record_id`` the
    id is made from the title (a number added if it is taken); a title in a script
    without Latin letters needs ``--id``."""
    if kind not in NEW_KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}; expected one of: {', '.join(NEW_KINDS)}")
    if not title.strip():
        raise ScaffoldError("the title may not be empty")
    forbidden = first_forbidden(title)
    if forbidden is not None:  # check would refuse the file: do not write it
        message, _ = character_problem(forbidden)
        raise ScaffoldError(f"{message}: give the title without it; nothing was written")
    existing = _existing_ids(content_dir)  # read once: for a free id, and stand-ins
    if record_id is not None:
        return _write(content_dir, kind, _given_id(record_id), title, today, existing)
    base = slugify(title)
    if not base:
        raise ScaffoldError(
            f"no id can be made from {title!r} (ids are lowercase Latin letters, digits and"
            f" hyphens): give one with --id, for example: kabul-brief new {kind}"
            f" --id my-{kind}-id -- {shlex.quote(title)}")
    folder = content_dir / KINDS[kind].folder
    suffix = KINDS[kind].suffix
    taken = {path.stem for path in folder.rglob(f"*{suffix}")} if folder.is_dir() else set()
    taken.update(existing.get(kind, ()))  # ids in list files and front matter too
    record_id, number = base, 1
    while record_id in taken:
        number += 1
        tail = f"-{number}"
        record_id = base[: ID_MAX_LENGTH - len(tail)].rstrip("-") + tail
    return _write(content_dir, kind, record_id, title, today, existing)


def _given_id(record_id: str) -> str:
    if not is_id(record_id):
        raise ScaffoldError(
            f"--id {record_id!r} is not an id: use 1 to {ID_MAX_LENGTH} lowercase Latin"
            " letters and digits, with single hyphens between them (such as kabul-talks)")
    return record_id


def _write(content_dir: Path, kind: str, record_id: str, title: str, today: dt.date,
           existing: Mapping[str, Sequence[str]]) -> NewFile:
    folder = content_dir / KINDS[kind].folder
    suffix = KINDS[kind].suffix
    from kabul_brief.pipeline import taken_by_site  # the check's own rule; imports the linker

    taken_by_own = taken_by_site(kind, record_id)
    if taken_by_own is not None:  # check would refuse the file: do not write it
        raise ScaffoldError(
            f"{kind} id {record_id!r} is reserved for the site's own pages (/{taken_by_own}):"
            " give another title or --id; nothing was written")
    path = folder / f"{record_id}{suffix}"
    if not content_dir.is_dir():
        raise ScaffoldError(f"the content folder {content_dir} is not a folder (or does not"
                            " exist): pass --content DIR, or run kabul-brief init first;"
                            " nothing was written")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ScaffoldError(f"{folder} is not a folder of the content (a file or a link):"
                            " check would refuse it too; nothing was written")
    text = render_new(kind, record_id, title.strip(), today, existing)
    try:
        folder.mkdir(exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError as exc:
        raise ScaffoldError(f"{path} already exists; nothing was written") from exc
    except OSError as exc:  # not ours to write, a full disk
        reason = exc.strerror or type(exc).__name__
        raise ScaffoldError(f"cannot write {path} ({reason}); nothing was written") from exc
    return NewFile(path=path, id=record_id)


def render_new(kind: str, record_id: str, title: str, today: dt.date,
               existing: Mapping[str, Sequence[str]] | None = None) -> str:
    """The new file: a draft that ``check`` accepts as it is, so that it breaks neither
    the preview nor the build. What ``new`` cannot know is marked FILL-IN: a valid
    stand-in value (another record's id from ``existing``, the kind's first choice, a
    placeholder source) with FILL-IN beside it, which keeps the record from being
    published until it is replaced (``unfilled``)."""
    struct = RECORD_SCHEMAS[kind]
    lines = [
        f"# New {kind}: a draft. Put real values in place of each {PLACEHOLDER},",
        "# uncomment what you need, remove the draft line, then run: kabul-brief check",
    ]
    for spec in struct.fields:
        if spec.name == "id" and KINDS[kind].markdown:
            continue  # the file name gives the id
        lines.extend(_field_lines(kind, spec, record_id, title, today, existing or {}))
    yaml_text = "\n".join(lines) + "\n"
    if KINDS[kind].markdown:
        return f"---\n{yaml_text}---\n{PLACEHOLDER}: write the text here, in Markdown.\n"
    return yaml_text


def _field_lines(kind: str, spec: Field, record_id: str, title: str, today: dt.date,
                 existing: Mapping[str, Sequence[str]]) -> list[str]:
    if spec.name == "id":
        return [f"id: {yaml_scalar(record_id)}"]
    if spec.name in _NAME_FIELDS:  # the title or name given on the command line
        return [f"{spec.name}: {yaml_scalar(title)}"]
    if spec.name == "draft":  # a new file is a draft: neither published nor in the way
        return ["draft: true  # not published until you remove this line"]
    notes = [note for note in (_choices(spec), spec.doc) if note]
    if not spec.required:
        comment = f"  # {'; '.join(notes)}" if notes else ""
        return [f"# {spec.name}: {_example(spec)}{comment}"]
    value, stand_in = _stand_in(kind, spec, today, existing)
    if stand_in:
        notes.insert(0, f"{PLACEHOLDER}: {stand_in}")
    comment = f"  # {'; '.join(notes)}" if notes else ""
    return [f"{spec.name}: {value}{comment}"]


def _stand_in(kind: str, spec: Field, today: dt.date,
              existing: Mapping[str, Sequence[str]]) -> tuple[str, str]:
    """A value ``check`` accepts for a required field, and what to say of it ("" if
    it is no stand-in: the date of a new article is today's)."""
    field_type = spec.type
    if isinstance(field_type, Date):
        return today.isoformat(), ("" if KINDS[kind].markdown
                                   else "today's date; give the day it happened")
    if spec.name == "sources":
        return (f"[{{url: 'https://example.org/{PLACEHOLDER}', title: {PLACEHOLDER}}}]",
                "cite what this comes from")
    if isinstance(field_type, Choice):
        default = "other" if "other" in field_type.choices else field_type.choices[0]
        return default, "the right one"
    if isinstance(field_type, ListOf) and isinstance(field_type.item, Ref):
        wanted = max(field_type.min_items, 1)
        ids = list(existing.get(field_type.item.kind, ()))[:wanted]
        if len(ids) < wanted:  # too few to stand in: check says what is missing
            ids += [PLACEHOLDER] * (wanted - len(ids))
        return f"[{', '.join(ids)}]", f"the right {field_type.item.kind} ids"
    return PLACEHOLDER, "write it"


def _example(spec: Field) -> str:
    field_type = spec.type
    if isinstance(field_type, Translatable):
        field_type = field_type.inner
    if isinstance(field_type, ListOf):
        item = field_type.item
        if isinstance(item, Ref):
            return f"[{item.example()}]"
        return "[...]"
    if isinstance(field_type, Text) and field_type.markdown:
        return "Markdown text"
    return field_type.example()


def _existing_ids(content_dir: Path) -> dict[str, list[str]]:
    """The ids of the records already there, by kind, for stand-in references (whatever
    their files' other problems)."""
    from kabul_brief.content.loader import load_content
    from kabul_brief.errors import ErrorSink

    found: dict[str, list[str]] = {}
    try:
        if not content_dir.is_dir():
            return found
        loaded = load_content(content_dir, str(content_dir), ErrorSink(), 1, None)
    except OSError:  # what cannot be read holds no ids; writing will say what is wrong
        return found
    for record in sorted(loaded.records, key=lambda r: (r.kind, r.id)):
        found.setdefault(record.kind, []).append(record.id)
    return found


def _choices(spec: Field) -> str:
    if isinstance(spec.type, Choice):
        return "one of: " + " | ".join(spec.type.choices)
    return ""
