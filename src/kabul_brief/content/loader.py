"""Load stage: read every content file into checked, positioned raw records.

Contract: given a content folder, return the site settings and every record,
each field read and checked by its type (``schemas``), with the position of
every value kept for the linker's errors. Files are visited in sorted order so
that results never depend on how the file system lists them. Nothing is
resolved across records here: that is the linker's job.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from kabul_brief import errors, kinds
from kabul_brief import languages as language_tags
from kabul_brief.content import dates, fieldtypes, schemas, yamlsource
from kabul_brief.content.diskcache import KeyedCache, code_digest, file_stamp
from kabul_brief.content.fieldtypes import (
    ID_HINT,
    INVALID,
    PLACEHOLDER,
    FieldPath,
    ReadContext,
    Struct,
    is_id,
)
from kabul_brief.content.schemas import RECORD_SCHEMAS, SITE, TRANSLATION
from kabul_brief.content.yamlsource import (
    RECOVERABLE,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    SourceText,
    compose,
)
from kabul_brief.errors import ContentError, ErrorSink, Position
from kabul_brief.kinds import RECORD_KINDS
from kabul_brief.languages import declared_as, is_language_tag

YAML_SUFFIXES = (".yaml", ".yml")
_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(slots=True, kw_only=True)
class RawRecord:
    """One record as read from a file: checked values, not yet linked."""

    kind: str
    data: dict[str, Any]
    positions: dict[FieldPath, tuple[int, int]]
    display_path: str
    """The file as shown in errors."""
    relative_path: str
    """The file relative to the content folder, with forward slashes."""
    line: int
    column: int
    body: str | None = None
    """Article body (Markdown)."""
    body_line: int = 0
    """1-based file line on which the article body starts."""
    id_written: bool = False
    """The record has an ``id:`` line (if ``data`` lacks the id, the line was wrong)."""
    translations: dict[FieldPath, dict[str, Any]] = field(default_factory=dict)
    """Field path -> language code -> text, for the fields given in several languages."""
    language: str | None = None
    """For a translation file (``STEM.CODE.md``): its language, as the site declares it."""

    @property
    def id(self) -> str:
        return str(self.data["id"])

    def position(self, *path: str | int) -> Position:
        """Position of the value at ``path``, or of the nearest enclosing value known."""
        for end in range(len(path), -1, -1):
            known = self.positions.get(path[:end])
            if known is not None:
                return Position(path=self.display_path, line=known[0], column=known[1])
        return Position(path=self.display_path, line=self.line, column=self.column)


@dataclass(slots=True, kw_only=True)
class LoadedContent:
    settings: RawRecord | None
    records: list[RawRecord] = field(default_factory=list)
    broken: set[tuple[str, str]] = field(default_factory=set)
    """(kind, id) of records that were reported invalid: references to them are not
    reported again, so one mistake gives one error, not one per mention."""
    invalid: list[RawRecord] = field(default_factory=list)
    """The valid fields of records that had errors, for checking their references."""
    languages: tuple[str, ...] = ("en",)
    """The site's languages as ``site.yaml`` declares them, the main language first."""
    translations: list[RawRecord] = field(default_factory=list)
    """Translations of articles and pages (``STEM.CODE.md``), valid ones only."""


@dataclass(frozen=True, slots=True)
class _FileJob:
    path: Path
    kind: str
    struct: Struct
    markdown: bool
    languages: tuple[str, ...]


@dataclass(slots=True)
class _FileResult:
    """What one file gave: its records, its errors, and what it marked broken or invalid."""

    records: list[RawRecord]
    errors: tuple[ContentError, ...]
    broken: set[tuple[str, str]]
    invalid: list[RawRecord]
    translations: list[RawRecord]


class LoadCache(KeyedCache[bytes]):
    """What each content file gave when an earlier build read it, keyed by the file's
    name and bytes and the reading code: an edit re-reads one file, not the archive.
    Values are kept pickled, so nothing a later stage does to the records reaches the
    cache."""

    FILE = "content.pickle"

    def __init__(self, folder: Path | None) -> None:
        super().__init__(folder)
        self._objects: dict[str, tuple[bytes, Any]] = {}
        self._stamps: dict[tuple[str, tuple[str, ...]],
                           tuple[tuple[int, int, int, int], str]] = {}
        self._code = code_digest(
            [sys.modules[__name__], fieldtypes, schemas, yamlsource, dates, errors, kinds,
             language_tags], ["PyYAML", "babel"])

    def accepts(self, value: object) -> bool:
        return isinstance(value, bytes)

    def file_key(self, path: Path, shown: str, read: Callable[[], bytes | None],
                 languages: tuple[str, ...] = ("en",)) -> str | None:
        """The key of the file at ``path`` (None if ``read`` could not read it): read
        and digested, unless this cache saw the file before with the same
        :func:`~kabul_brief.content.diskcache.file_stamp` (as the digests of the "up to
        date" check trust it). Only a
        cache kept from one build to the next (a resident preview) has seen any."""
        try:
            stamp = file_stamp(os.stat(path))
        except OSError:
            stamp = None
        known = self._stamps.get((shown, languages))
        if stamp is not None and known is not None and known[0] == stamp:
            return known[1]
        data = read()
        if data is None:
            return None
        key = self.key(shown, data, languages)
        if stamp is not None:
            self._stamps[shown, languages] = (stamp, key)
        return key

    def unpickled(self, key: str, pickled: bytes) -> Any:
        """What a file gave, unpickled once per cache in memory: a resident preview
        keeps its cache, and an edit then unpickles the edited file alone. Nothing
        downstream changes a loaded record, so the same objects serve every build."""
        found = self._objects.get(key)
        if found is None or found[0] is not pickled:
            found = self._objects[key] = (pickled, pickle.loads(pickled))
        return found[1]

    def key(self, shown: str, data: bytes, languages: tuple[str, ...] = ("en",)) -> str:
        """A file reads the same only with the same languages declared: they decide
        which of its translated texts are errors."""
        hasher = hashlib.blake2b(self._code.encode(), digest_size=20)
        hasher.update(b"\x00" + shown.encode("utf-8", "surrogatepass") + b"\x00")
        hasher.update("\x00".join(languages).encode("utf-8", "surrogatepass") + b"\x00")
        hasher.update(data)
        return hasher.hexdigest()


def load_content(content_dir: Path, display_root: str, sink: ErrorSink,
                 workers: int = 1, cache: LoadCache | None = None) -> LoadedContent:
    """Read every file under ``content_dir``; errors go to ``sink``. Files that
    ``cache`` does not know are read on up to ``workers`` processes (each file on its
    own: parsing is most of the load of a large archive), and all results merged in
    the files' order."""
    settings, languages = _load_settings(content_dir, display_root, sink)
    loaded = LoadedContent(settings=settings, languages=languages)
    cache = cache or LoadCache.disabled()
    walk = functools.partial(_content_files, content_dir=content_dir,
                             display_root=display_root, sink=sink)
    found = [
        _FileJob(path, kind.name, RECORD_SCHEMAS[kind.name], markdown=kind.markdown,
                 languages=languages)
        for kind in RECORD_KINDS
        for path in walk(content_dir / kind.folder,
                         (kind.suffix,) if kind.markdown else YAML_SUFFIXES)
    ]
    jobs, keys = [], []
    for job in found:
        shown = _display(job.path, content_dir, display_root)[0]
        key = cache.file_key(job.path, shown, functools.partial(_read_bytes, job.path, shown,
                                                                sink), languages)
        if key is None:
            loaded.broken.add((job.kind, job.path.stem))
            continue
        jobs.append(job)
        keys.append(key)
    read = functools.partial(_load_file, content_dir, display_root)
    for key, pickled in zip(keys, cache.map(keys, read, jobs, workers), strict=True):
        assert pickled is not None
        file_result: _FileResult = cache.unpickled(key, pickled)
        loaded.records.extend(file_result.records)
        sink.extend(file_result.errors)
        loaded.broken.update(file_result.broken)
        loaded.invalid.extend(file_result.invalid)
        loaded.translations.extend(file_result.translations)
    _check_folder_names(content_dir, display_root, sink)
    return loaded


def _load_file(content_dir: Path, display_root: str, job: _FileJob) -> bytes:
    """What one file gives, pickled: as the worker sends it back and the cache keeps it."""
    sink = ErrorSink()
    loaded = LoadedContent(settings=None, languages=job.languages)
    if job.markdown and translation_of(job.path.name) is not None:
        translation = _load_translation(job.path, content_dir, display_root, sink, loaded,
                                        job.kind)
        records = []
        if translation is not None:
            loaded.translations.append(translation)
    elif job.markdown:
        record = _load_markdown(job.path, content_dir, display_root, sink, loaded, job.kind,
                                job.struct)
        records = [record] if record is not None else []
    else:
        records = _load_yaml_records(job.path, content_dir, display_root, job.kind,
                                     job.struct, sink, loaded)
    result = _FileResult(records, sink.errors, loaded.broken, loaded.invalid,
                         loaded.translations)
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _check_folder_names(content_dir: Path, display_root: str, sink: ErrorSink) -> None:
    """A folder named like a content folder but not quite (``event/``) would have its
    files silently left out: that is an error. Other folders and files are the
    editors' own (images, notes) and are left alone."""
    known = [kind.folder for kind in RECORD_KINDS]
    try:
        listed = sorted(content_dir.iterdir())
    except OSError as exc:
        sink.add(Position(path=display_root), "unreadable",
                 f"the content folder cannot be read ({_reason(exc)})",
                 "Give the folder read permission.")
        return
    for path in listed:
        if path.name.startswith(("_", ".")) or path.name in known:
            continue
        try:
            if not path.is_dir():
                continue
        except OSError:  # a link we may not follow (/proc): no content folder of ours
            continue
        close = difflib.get_close_matches(path.name.lower(), known, n=1, cutoff=0.75)
        if close:
            shown, _ = _display(path, content_dir, display_root)
            sink.add(
                Position(path=shown),
                "unknown-folder",
                f"folder '{path.name}' is not a content folder; did you mean '{close[0]}'?",
                f"Files in it are not read: rename it to {close[0]}, or start its name with _"
                " to keep it aside.",
            )


def _written_id(node: Node) -> str | None:
    """The id a record that failed validation was meant to have, if it is readable."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == "id" and isinstance(value_node, ScalarNode):
            return str(value_node.value)
    return None


def _content_files(folder: Path, suffixes: tuple[str, ...], *, content_dir: Path,
                   display_root: str, sink: ErrorSink) -> list[Path]:
    """Files of the given kinds, sorted; anything named ``_*`` or ``.*`` is skipped,
    folders included (drafts and editor backups live there).

    Links inside the content folder are followed, to files and to folders, except a
    folder link back into a folder that holds it (a loop); a link out of it is an
    error. Nothing an editor meant as content is skipped
    without a word: a link to nothing, a folder that cannot be read, and a folder or
    named pipe named like a content file are errors."""
    def shown(path: Path) -> str:
        return _display(path, content_dir, display_root)[0]

    if not folder.is_dir():
        if os.path.lexists(folder):  # a file, a pipe, a device or a dead link in its place
            _report_not_a_folder(folder, shown, sink)
        return []
    found: list[Path] = []
    root = os.path.realpath(content_dir)

    if _outside(folder, root):
        _report_outside(folder, shown, sink)
        return []
    _walk_folder(folder, suffixes, frozenset({os.path.realpath(folder)}), found,
                 shown, sink, root)
    return found


def _report_not_a_folder(folder: Path, shown: Callable[[Path], str], sink: ErrorSink) -> None:
    """A kind's folder replaced by something else would drop all its records."""
    try:
        mode = os.stat(folder).st_mode
        what = "a plain file" if stat.S_ISREG(mode) else _file_kind(mode)
    except OSError:
        what = f"a link to {_link_target(folder)!r}, which cannot be followed"
    where = Position(path=shown(folder))
    sink.add(where, "not-a-folder",
             f"{folder.name!r} must be a folder of content files, but is {what}",
             f"Replace it with a folder named {folder.name}, or rename it: nothing in it"
             " is read.")


def _outside(path: Path, root: str) -> bool:
    """Whether ``path``, its links followed, lies outside the content folder ``root``."""
    target = os.path.realpath(path)
    return target != root and not target.startswith(root.rstrip(os.sep) + os.sep)


def _report_outside(path: Path, shown: Callable[[Path], str], sink: ErrorSink) -> None:
    # Only the link's own text is shown: never what the file it reaches holds.
    where = Position(path=shown(path))
    sink.add(where, "outside-link",
             f"this link points outside the content folder, to {_link_target(path)!r}",
             "Copy the file into the content folder instead: a link out of it would"
             " publish (or print in errors) whatever it reaches, such as files of the"
             " machine that builds the site.")


def _is_loop(link: Path, holding: frozenset[str]) -> bool:
    """Whether the folder ``link`` leads to one the walk is already inside: one it came
    through (``holding``, real paths), or one that really holds the link."""
    target = os.path.realpath(link)
    here = os.path.realpath(link.parent)
    return target in holding or here == target or here.startswith(target.rstrip(os.sep) + os.sep)


def _walk_folder(folder: Path, suffixes: tuple[str, ...], holding: frozenset[str],
                 found: list[Path], shown: Callable[[Path], str], sink: ErrorSink,
                 root: str) -> None:
    """``holding``: the real paths of the folders walked through to this one, itself
    included; ``root``: the real path of the content folder, which links may not
    leave."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        sink.add(Position(path=shown(folder)), "unreadable",
                 f"the folder cannot be read ({_reason(exc)})",
                 "Give the folder read permission, or start its name with _ to keep it aside.")
        return
    for entry in entries:
        if entry.name.startswith(("_", ".")):
            continue
        path = folder / entry.name
        named_as_content = path.suffix.lower() in suffixes
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
            mode = os.stat(path).st_mode
        except OSError as exc:  # a link to nothing, or round a loop of links
            missing = isinstance(exc, FileNotFoundError)
            sink.add(_at(shown, path), "broken-link",
                     f"this link points to {_link_target(path)!r}, which"
                     f" {'does not exist' if missing else 'cannot be followed'}",
                     "Point the link at an existing file or folder, or remove it.")
            continue
        if entry.is_symlink() and (is_dir or named_as_content) and _outside(path, root):
            _report_outside(path, shown, sink)
            continue
        if is_dir:
            if _is_loop(path, holding):
                sink.add(_at(shown, path), "symlink-loop",
                         "this folder link leads back into a folder that holds it",
                         "Remove the link, or point it at a folder outside this one.")
                continue
            if named_as_content:
                sink.add(_at(shown, path), "not-a-file",
                         f"{entry.name!r} is a folder, not a file",
                         "Rename the folder: a name ending in "
                         f"{path.suffix} is read as one content file.")
            _walk_folder(path, suffixes, holding | {os.path.realpath(path)}, found, shown, sink,
                         root)
        elif named_as_content and is_file:
            found.append(path)
        elif named_as_content:
            sink.add(_at(shown, path), "not-a-file",
                     f"{entry.name!r} is not a regular file ({_file_kind(mode)})",
                     "Content files must be plain files: replace it with one, or rename it.")


def _at(shown: Callable[[Path], str], path: Path) -> Position:
    """Where a problem with the walked ``path`` is said to be (made only for a problem)."""
    return Position(path=shown(path))


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return path.name


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror.lower() if exc.strerror else type(exc).__name__


def _read_bytes(path: Path, shown: str, sink: ErrorSink) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        sink.add(Position(path=shown), "unreadable", f"the file cannot be read ({_reason(exc)})",
                 "Give the file read permission, or rename it with a leading _ to keep it"
                 " aside.")
        return None


def _display(path: Path, content_dir: Path, display_root: str) -> tuple[str, str]:
    text, root = str(path), str(content_dir)
    if text.startswith(root + os.sep):  # as the walk made it: a string cut, for every file
        relative = text[len(root) + 1:].replace(os.sep, "/")
    else:
        relative = path.relative_to(content_dir).as_posix()
    shown = f"{display_root.rstrip('/')}/{relative}" if display_root else relative
    return shown, relative


def _read_text(path: Path, shown: str, sink: ErrorSink) -> str | None:
    """Strict UTF-8 without control characters; an error names the line and column of
    the first bad byte, and of every forbidden character (raw in the file, so that
    YAML's reader, which gives no line, never meets them)."""
    data = _read_bytes(path, shown, sink)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        sink.add(
            Position(path=shown, line=line, column=column),
            "encoding",
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "Save the file as UTF-8.",
        )
        return None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        sink.add(
            Position(path=shown, line=line),
            "encoding",
            "the file contains a NUL character; is it a binary file?",
        )
        return None
    bad = False
    for line0, column0, char in yamlsource.forbidden_characters(text):
        message, hint = yamlsource.character_problem(char)
        sink.add(Position(path=shown, line=line0 + 1, column=column0 + 1),
                 "control-character", message, hint)
        bad = True
    return None if bad else text


def _load_settings(content_dir: Path, display_root: str, sink: ErrorSink
                   ) -> tuple[RawRecord | None, tuple[str, ...]]:
    """site.yaml, and the languages it declares (the main one first): every other file
    is read knowing them."""
    path = content_dir / "site.yaml"
    shown, relative = _display(path, content_dir, display_root)
    if path.exists() and not path.is_file():
        sink.add(Position(path=shown), "not-a-file", "site.yaml is not a regular file",
                 "Make site.yaml a plain file with at least title and base_url.")
        return None, DEFAULT_LANGUAGES
    if not path.is_file():
        sink.add(
            Position(path=shown),
            "missing-site",
            "site.yaml is missing",
            "Every content folder needs site.yaml with at least title and base_url.",
        )
        return None, DEFAULT_LANGUAGES
    if _outside(path, os.path.realpath(content_dir)):
        _report_outside(path, lambda _: shown, sink)
        return None, DEFAULT_LANGUAGES
    text = _read_text(path, shown, sink)
    if text is None:
        return None, DEFAULT_LANGUAGES
    source = SourceText(text, shown)
    languages = _declared_languages(source)
    records = _read_records(source, "site", SITE, relative, sink, allow_list=False,
                            languages=languages)
    return (records[0] if records else None), languages


DEFAULT_LANGUAGES: Final = ("en",)


def _declared_languages(source: SourceText) -> tuple[str, ...]:
    """The codes site.yaml declares, read ahead of its fields (its own title may be
    translated): ``language``, then each well-formed code of ``languages`` not given
    before. Mistakes in them are reported when the fields are read."""
    root, errors = compose(source)
    if errors or not isinstance(root, MappingNode):
        return DEFAULT_LANGUAGES
    fields = {key.value: value for key, value in root.value if isinstance(key, ScalarNode)}
    main_node = fields.get("language")
    main = main_node.value if isinstance(main_node, ScalarNode) and isinstance(
        main_node.value, str) and is_language_tag(main_node.value) else "en"
    codes = [main]
    listed = fields.get("languages")
    for item in listed.value if isinstance(listed, SequenceNode) else ():
        if not isinstance(item, MappingNode):
            continue
        code = next((value.value for key, value in item.value
                     if key.value == "code" and isinstance(value, ScalarNode)), None)
        if isinstance(code, str) and is_language_tag(code) and declared_as(code, codes) is None:
            codes.append(code)
    return tuple(codes)


def _load_yaml_records(
    path: Path,
    content_dir: Path,
    display_root: str,
    kind: str,
    struct: Struct,
    sink: ErrorSink,
    loaded: LoadedContent,
) -> list[RawRecord]:
    shown, relative = _display(path, content_dir, display_root)
    text = _read_text(path, shown, sink)
    if text is None:
        loaded.broken.add((kind, path.stem))
        return []
    return _read_records(
        SourceText(text, shown), kind, struct, relative, sink, allow_list=True,
        broken=loaded.broken, invalid=loaded.invalid, languages=loaded.languages,
    )


def _read_records(
    source: SourceText,
    kind: str,
    struct: Struct,
    relative: str,
    sink: ErrorSink,
    *,
    allow_list: bool,
    broken: set[tuple[str, str]] | None = None,
    invalid: list[RawRecord] | None = None,
    languages: tuple[str, ...] = DEFAULT_LANGUAGES,
) -> list[RawRecord]:
    broken = broken if broken is not None else set()
    root, errors = compose(source)
    sink.extend(errors)
    if errors and (root is None or any(e.code not in RECOVERABLE for e in errors)):
        # Whatever this file defines is broken: say so once, not at every reference.
        broken.add((kind, Path(relative).stem))
        if root is not None and not any(e.code == "yaml-recursive-alias" for e in errors):
            for node in root.value if isinstance(root, SequenceNode) else [root]:
                written = _written_id(node)
                if written is not None:
                    broken.add((kind, written))
        return []
    if root is None or (allow_list and isinstance(root, SequenceNode) and not root.value):
        sink.add(  # nothing, only comments, or an empty list (its last record deleted)
            Position(path=source.path, line=1, column=1),
            "empty-file",
            f"the file holds no {struct.name}",
            "Write the record's fields, or name the file with a leading _ to keep it as a draft.",
        )
        return []
    if isinstance(root, SequenceNode) and allow_list:
        nodes = list(root.value)
    elif isinstance(root, MappingNode):
        nodes = [root]
    else:
        wanted = f"a {struct.name} (a mapping)" + (" or a list of them" if allow_list else "")
        sink.add(
            source.position(root),
            "type",
            f"expected {wanted}",
            "A record is a set of 'field: value' lines.",
        )
        return []
    records: list[RawRecord] = []
    # one per file: shares the line cache
    ctx = ReadContext(source=source, errors=[], positions={}, languages=languages)
    for node in nodes:
        ctx.errors, ctx.positions, ctx.partial, ctx.translations = [], {}, None, {}
        data = struct.read(node, (), ctx)
        sink.extend(ctx.errors)
        valid = data is not INVALID
        if not valid:
            broken_id = _written_id(node)
            if broken_id is not None:
                broken.add((kind, broken_id))
            if ctx.partial is None or invalid is None:
                continue
            data = ctx.partial
        position = source.position(node)
        record = RawRecord(
            kind=kind,
            data=data,
            positions=ctx.positions,
            display_path=source.path,
            relative_path=relative,
            line=position.line or 1,
            column=position.column or 1,
            id_written=isinstance(node, MappingNode) and any(
                key.value == "id" for key, _ in node.value),
            translations=ctx.translations,
        )
        (records if valid else invalid if invalid is not None else []).append(record)
        if valid and data.get("draft") is not True:
            _report_unfilled(source, node.start_mark.index, node.end_mark.index, kind,
                             f"Put the real value in place of {PLACEHOLDER} (and delete the"
                             f" {PLACEHOLDER} note)", sink)
    return records


def _report_unfilled(source: SourceText, start: int, end: int, kind: str, hint: str,
                     sink: ErrorSink) -> None:
    """A published record whose text from ``start`` to ``end`` (its lines, values or the
    notes between them; an article's body) still holds the placeholder ``kabul-brief
    new`` wrote: it would go out half-filled."""
    found = source.text.find(PLACEHOLDER, start, end)
    if found >= 0:
        sink.add(source.at_offset(found), "unfilled",
                 f"this {kind} still holds {PLACEHOLDER}, and is not a draft",
                 f"{hint}, or keep 'draft: true' until it is ready.")


def _split_front_matter(path: Path, shown: str, kind: str, sink: ErrorSink
                        ) -> tuple[SourceText, list[str], int] | None:
    """The front matter of a Markdown file, its lines, and the index of the line that
    closes the front matter (the body follows it)."""
    text = _read_text(path, shown, sink)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        sink.add(
            Position(path=shown, line=1, column=1),
            "front-matter",
            f"the {kind} has no front matter",
            "Start the file with a line '---', then title: and date:, then another '---'."
            if kind in ("article", "page") else
            "Start the file with a line '---', then title:, then another '---'.",
        )
        return None
    closing = next(
        (i for i in range(1, len(lines)) if _FRONT_MATTER_END.match(lines[i].rstrip("\r\n"))),
        None,
    )
    if closing is None:
        sink.add(
            Position(path=shown, line=1, column=1),
            "front-matter",
            "the front matter is not closed",
            "Did you forget the '---' line after the front matter?",
        )
        return None
    return SourceText("".join(lines[1:closing]), shown, line_offset=1), lines, closing


def translation_of(name: str) -> tuple[str, str] | None:
    """(the original's stem, the language code) of a translation's file name,
    ``STEM.CODE.md``; None for any other name."""
    stem, dot, code = name.removesuffix(".md").rpartition(".")
    return (stem, code) if dot and stem and is_language_tag(code) else None


def _load_translation(path: Path, content_dir: Path, display_root: str, sink: ErrorSink,
                      loaded: LoadedContent, kind: str) -> RawRecord | None:
    """An article's or page's translation: its own front matter (``TRANSLATION``),
    its own body; the rest is the original's, which the linker finds beside it."""
    shown, relative = _display(path, content_dir, display_root)
    named = translation_of(path.name)
    assert named is not None
    code = named[1]
    language = declared_as(code, loaded.languages)
    main = loaded.languages[0]
    if language is None or language == main:
        further = loaded.languages[1:]
        sink.add(
            Position(path=shown, line=1, column=1),
            "undeclared-language",
            f"{path.name!r} is named as a translation into {code!r}, which is "
            + ("the site's main language" if language == main else
               "not one of the site's languages (" + ", ".join(loaded.languages) + ")"),
            "A file named STEM.CODE.md is STEM.md translated into CODE, one of site.yaml's"
            f" further languages ({', '.join(further)}): rename it, such as"
            f" {named[0]}.{further[0]}.md." if further else
            "A file named STEM.CODE.md is STEM.md translated into CODE: declare the"
            f" language in site.yaml (languages: [{{code: {code}, name: ...}}]), or"
            " rename the file.",
        )
        return None
    split = _split_front_matter(path, shown, kind, sink)
    if split is None:
        return None
    source, lines, closing = split
    records = _read_records(source, kind, TRANSLATION, relative, sink, allow_list=False,
                            languages=loaded.languages)
    if not records:
        return None
    translation = records[0]
    translation.language = language
    translation.body = "".join(lines[closing + 1:])
    translation.body_line = closing + 2
    if translation.data.get("draft") is not True:
        body = SourceText(translation.body, shown, line_offset=closing + 1)
        _report_unfilled(body, 0, len(body.text), kind,
                         f"Write the text in place of {PLACEHOLDER}", sink)
    return translation


def _load_markdown(
    path: Path,
    content_dir: Path,
    display_root: str,
    sink: ErrorSink,
    loaded: LoadedContent,
    kind: str,
    struct: Struct,
) -> RawRecord | None:
    """An article or page: YAML front matter between ``---`` lines, then Markdown."""
    shown, relative = _display(path, content_dir, display_root)
    broken = loaded.broken
    broken.add((kind, path.stem))  # until it proves valid: no cascade of errors
    split = _split_front_matter(path, shown, kind, sink)
    if split is None:
        return None
    source, lines, closing = split
    invalid_before = len(loaded.invalid)
    records = _read_records(
        source, kind, struct, relative, sink, allow_list=False, broken=broken,
        invalid=loaded.invalid, languages=loaded.languages,
    )
    for article in [*records, *loaded.invalid[invalid_before:]]:  # the body is checked too
        article.body = "".join(lines[closing + 1 :])
        article.body_line = closing + 2
    for article in loaded.invalid[invalid_before:]:  # its id, for citations of its anchors
        if not article.id_written and (
                is_id(path.stem)):
            article.data["id"] = path.stem
            article.positions[("id",)] = (1, 1)
    if not records:
        return None
    article = records[0]
    if article.data.get("draft") is not True:  # the text kabul-brief new left to write
        body = SourceText("".join(lines[closing + 1 :]), shown, line_offset=closing + 1)
        _report_unfilled(body, 0, len(body.text), kind,
                         f"Write the text in place of {PLACEHOLDER}", sink)
    if "id" not in article.data:
        stem = path.stem
        if not is_id(stem):
            sink.add(
                Position(path=shown, line=1, column=1),
                "pattern",
                f"the file name {path.name!r} does not give a valid {kind} id",
                ID_HINT + " Rename the file, or give the id in the front matter.",
            )
            return None
        article.data["id"] = stem
        article.positions[("id",)] = (1, 1)  # the id comes from the file's name
    broken.discard((kind, path.stem))
    return article

