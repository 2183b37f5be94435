"""Incremental rendering: a page whose inputs did not change is not rendered again.

A page's HTML is a pure function of its template set, the site chrome, its
canonical URL, its meta and its view (see :class:`~kabul_brief.publish.render.Renderer`).
All of those are plain frozen data, so a digest of their ``repr`` names the page's
inputs exactly: if the digest matches the one recorded for the same path by the
previous build, the previous bytes are the bytes a fresh render would give, and
they are reused. Dependency tracking falls out of this for free: editing one event
changes the views of exactly the pages that show it (its own page, the timeline,
its actors', places' and disputes' pages, ...) and only those are rendered.

The record of the previous build is a manifest file inside the built folder,
beside the marker; it maps each page path to its input digest and the digest of the
bytes written, so a file changed by hand after the build is rendered again rather
than trusted.

It also records a digest of everything the build read (every file of the content
folder and of the templates, the base URL, the program's version) and the size of
every file it wrote; the warnings that build printed are kept in the cache folder
beside the content. When a build finds the same sources digest, the warnings on
record for it, and every file still there at its size, the folder already holds
exactly what the build would write: it prints the warnings again and has nothing
else to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kabul_brief.content.diskcache import KeyedCache, file_stamp
from kabul_brief.errors import ContentError
from kabul_brief.folders import Theme, files_in
from kabul_brief.publish.reads import changed_reads
from kabul_brief.publish.writer import GRAPH, MANIFEST, PAGEFIND_FOLDER

_FORMAT: Final = 3
_GRAPH_FORMAT: Final = 2


@dataclass(frozen=True, slots=True)
class Entry:
    inputs: str
    """Digest of everything the page's bytes depend on."""
    output: str
    """Digest of the bytes written."""
    size: int
    reads: tuple[str, ...] | None = None
    """What the page's view read of the model (:mod:`~kabul_brief.publish.reads`);
    None for a page made whole in the plan."""


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def inputs_digest(shared: str, *parts: object) -> str:
    """Digest of a page's inputs; ``shared`` covers what all pages share (templates, chrome)."""
    hasher = hashlib.blake2b(shared.encode(), digest_size=16)
    for part in parts:
        hasher.update(b"\x00")
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


class FileDigests(KeyedCache[list[Any]]):
    """Digests of source files, remembered in the cache folder by size, modification
    time, inode and change time, so that a build of a large archive with nothing to do
    does not read every file again. The change time is the kernel's: any write or
    rename sets it and nothing can set it back, so an edit that keeps the size and the
    modification time (``cp -p``, ``rsync -a``, ``tar``, ``touch -r``) is still seen.
    A file changed within two seconds of being digested is read again the next time:
    it could change once more within the clock's resolution unseen."""

    FILE = "file-digests.pickle"

    def accepts(self, value: object) -> bool:
        return isinstance(value, list) and len(value) == 5

    def digest(self, path: str) -> str:
        stamp = file_stamp(os.stat(path))
        known = self.get(path)
        if stamp is not None and known is not None and tuple(known[:4]) == stamp:
            return str(known[4])
        with open(path, "rb") as file:
            found = digest(file.read())
        if stamp is not None:
            self.put(path, [*stamp, found])
        return found


def _hash_folder(hasher: hashlib.blake2b, folder: Path, digests: FileDigests) -> None:
    for relative, path in files_in(folder):
        try:
            found = digests.digest(path)
        except OSError:  # unreadable: the content loader reports it
            found = "unreadable"
        hasher.update(f"{relative}\x00{found}\x00".encode())


def _hash_theme(hasher: hashlib.blake2b, theme: Theme, digests: FileDigests) -> None:
    """Each folder of the theme on its own (the site's overrides, then the package's),
    so that adding, editing or removing an override changes the digest."""
    for number, folder in enumerate(theme.folders):
        hasher.update(f"\x00templates {number}\x00".encode())
        _hash_folder(hasher, folder.absolute(), digests)


def templates_digest(theme: Theme) -> str:
    """Every template file's name and bytes: any template edit re-renders every page."""
    hasher = hashlib.blake2b(digest_size=16)
    _hash_theme(hasher, theme, FileDigests(None))
    return hasher.hexdigest()


def sources_digest(content: Path, theme: Theme, *settings: object,
                   cache: Path | None = None) -> str:
    """Every file the build could read, and the settings it runs with; ``cache`` is
    where the digests of unchanged files are remembered between builds."""
    digests = FileDigests(cache)
    hasher = hashlib.blake2b(repr(settings).encode(), digest_size=16)
    hasher.update(b"\x00content\x00")
    _hash_folder(hasher, content.absolute(), digests)
    _hash_theme(hasher, theme, digests)
    digests.save()
    return hasher.hexdigest()


_LARGEST_RECORD: Final = 256 << 20
"""Bytes a manifest or graph may have: a file larger than this is no record of ours."""


def read_record(path: Path) -> bytes | None:
    """The bytes of a bookkeeping file of a built folder, or None: only a regular file of
    at most :data:`_LARGEST_RECORD` bytes is read (a link to ``/dev/zero`` or to a pipe
    is not read at all, nor waited for)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or status.st_size > _LARGEST_RECORD:
            return None
        chunks, left = [], _LARGEST_RECORD + 1
        while left > 0 and (chunk := os.read(handle, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return None if left <= 0 else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(handle)


def parse_record(data: bytes | None) -> Any:
    """JSON, or None for anything else (nested too deep for the parser included)."""
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


class PreviousBuild:
    """What the last successful build into ``--out`` rendered, to reuse unchanged pages."""

    def __init__(self, folder: Path | None, entries: Mapping[str, Sequence[str]],
                 sources: str | None = None, sizes: Mapping[str, int] | None = None) -> None:
        self._folder = folder
        self._entries = entries
        """Page path -> [input digest, output digest], as read."""
        self._sources = sources
        self._sizes = sizes or {}
        self.search: Mapping[str, str] = {}
        """Shard folder -> digest, of the search index that build wrote."""
        self.bundle: Mapping[str, str] = {}
        """Path of each file of the search index that build wrote -> digest of its bytes."""

    @classmethod
    def none(cls) -> PreviousBuild:
        return cls(None, {})

    @classmethod
    def read(cls, folder: Path) -> PreviousBuild:
        """The manifest of a built folder; an unreadable or foreign one reuses nothing."""
        data = parse_record(read_record(folder / MANIFEST))
        try:
            if data.get("format") != _FORMAT:
                return cls.none()
            entries, sources, sizes = data["pages"], data["sources"], data["files"]
            search, bundle = data.get("search", {}), data.get("bundle", {})
            if not all(isinstance(x, dict) for x in (entries, sizes, search, bundle)):
                return cls.none()
        except (KeyError, TypeError, AttributeError):
            return cls.none()
        previous = cls(folder, entries, sources if isinstance(sources, str) else None, sizes)
        previous.search = search
        previous.bundle = bundle
        return previous

    def is_current(self, sources: str) -> bool:
        """True if the folder holds what a build of exactly these sources writes."""
        if self._folder is None or self._sources != sources or not self._sizes:
            return False
        root = os.fspath(self._folder)
        try:  # every file still there at its size (a file added by hand is left alone)
            return all(os.stat(f"{root}/{path}").st_size == size
                       for path, size in self._sizes.items())
        except (OSError, TypeError):
            return False

    @property
    def files(self) -> int:
        return len(self._sizes)

    @property
    def folder(self) -> Path | None:
        return self._folder

    def bundle_intact(self, shard: str, shard_prefix: str) -> bool:
        """Whether the files of one shard of the search index (``shard``: its folder
        inside the bundle, "" for the first, whose files are all but the
        ``shard_prefix*`` folders) are still those this build wrote, and only those:
        a shard kept is linked into the next build file by file, so a file edited,
        added or taken away by hand, or a manifest from another build, would be kept."""
        if self._folder is None:
            return False
        bundle = self._folder / PAGEFIND_FOLDER
        prefix = f"{PAGEFIND_FOLDER}/{shard}"
        recorded = {path: found for path, found in self.bundle.items()
                    if path.startswith(prefix)
                    and (shard or not path[len(prefix):].startswith(shard_prefix))}
        try:
            present = {f"{PAGEFIND_FOLDER}/{shard}{relative}": path
                       for relative, path in files_in(bundle / shard)
                       if shard or not relative.startswith(shard_prefix)}
            return bool(present) and present.keys() == recorded.keys() and all(
                _file_digest(path) == recorded[name] for name, path in present.items())
        except OSError:
            return False

    def reuse(self, path: str, inputs: str | None) -> tuple[Path, Entry] | None:
        """The previous file at ``path`` and its entry, if it was made from the same
        inputs (any, if None: the caller knows they are the same) and is still as it
        was written."""
        entry = self._entries.get(path)
        if self._folder is None or not isinstance(entry, list) or len(entry) != 2:
            return None
        if inputs is None:
            inputs = entry[0]
        if not isinstance(inputs, str) or entry[0] != inputs:
            return None
        output = entry[1]
        file = self._folder / path
        try:
            data = file.read_bytes()
        except OSError:
            return None
        if not isinstance(output, str) or digest(data) != output:
            return None
        return file, Entry(inputs=inputs, output=output, size=len(data))


def write_manifest(folder: Path, entries: Iterable[tuple[str, Entry]],
                   sizes: Mapping[str, int], sources: str | None,
                   search: Mapping[str, str] | None = None,
                   bundle: Mapping[str, str] | None = None) -> None:
    """Record this build in the folder it wrote (after everything else is there);
    sorted, so that it is deterministic. ``sizes``: every other file written, by path
    (a page's size is in its entry). ``sources`` None: never skip the next build.
    ``search``: the digest of each shard of the search index, by shard folder."""
    pages: dict[str, list[str]] = {}
    files = dict(sizes)
    for path, entry in entries:
        pages[path] = [entry.inputs, entry.output]
        files[path] = entry.size
    data = {"format": _FORMAT, "sources": sources, "pages": pages, "files": files,
            "search": dict(search or {}), "bundle": dict(bundle or {})}
    (folder / MANIFEST).write_text(json.dumps(data, indent=0, sort_keys=True) + "\n",
                                   encoding="utf-8")


class PreviousGraph:
    """What each record page of the last build into ``--out`` read, and what each read
    gave then (:mod:`~kabul_brief.publish.reads`): a page none of whose reads changed
    since, with the same shared inputs, has the bytes it had, and its view need not
    even be made. Kept in ``GRAPH`` beside the manifest, as JSON (a built folder may
    come from anywhere: nothing in it is unpickled), with each page's output digest
    (a page is kept only if the manifest says the same of the file). The digest of
    the graph a build wrote is remembered in the cache folder (:class:`GraphDigests`,
    authenticated with this user's key): a graph edited by hand, copied from another
    build or written on another machine is not believed, and every view is made; the
    graph itself stays the same bytes whoever builds."""

    FILE: Final = GRAPH

    def __init__(self, shared: str | None = None,
                 pages: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                 changed: set[str] | None = None) -> None:
        self._shared = shared
        self._pages = dict(pages or {})
        """Page path -> (digest of its bytes, its reads)."""
        self._changed = changed or set()

    @classmethod
    def read(cls, folder: Path, shared: str, now: Mapping[str, str],
             trusted: str | None) -> PreviousGraph:
        """The graph in ``folder``, compared with the reads' digests ``now``; one whose
        digest is not ``trusted`` (what this user's last build into the folder wrote),
        or unreadable, or differently shared, keeps nothing."""
        raw = read_record(folder / GRAPH)
        if raw is None or trusted is None or digest(raw) != trusted:
            return cls()
        data = parse_record(raw)
        try:
            if data.get("format") != _GRAPH_FORMAT or data.get("shared") != shared:
                return cls()
            names, digests, listed = data["reads"], data["digests"], data["pages"]
            outputs = data["outputs"]
            if not (isinstance(names, list) and isinstance(digests, list)
                    and len(names) == len(digests) == len(set(names))
                    and all(isinstance(name, str) for name in names)
                    and isinstance(listed, dict) and isinstance(outputs, dict)):
                return cls()
            pages = {}
            for path, numbers in listed.items():
                output = outputs.get(path)
                if not (isinstance(numbers, list) and isinstance(output, str)
                        and all(type(i) is int and 0 <= i < len(names) for i in numbers)):
                    return cls()
                pages[path] = (output, tuple(names[i] for i in numbers))
        except (KeyError, TypeError, AttributeError):
            return cls()
        before = {name: value for name, value in zip(names, digests, strict=True)
                  if isinstance(value, str)}
        return cls(shared, pages, changed_reads(before, now))

    def unchanged(self, path: str) -> tuple[str, tuple[str, ...]] | None:
        """(digest of the bytes, reads) of the page at ``path``, if none of what it
        read changed; else None."""
        found = self._pages.get(path)
        if self._shared is None or found is None or not self._changed.isdisjoint(found[1]):
            return None
        return found


class GraphDigests(KeyedCache[str]):
    """The digest of the graph each build wrote, by the real path of the folder it
    wrote it in: what :meth:`PreviousGraph.read` believes. In the cache folder, whose
    files this user's key authenticates (a file planted there is an empty cache)."""

    FILE = "graph-digests.pickle"

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)

    @staticmethod
    def key_of(out: Path) -> str:
        return os.path.realpath(out)


def write_graph(folder: Path, shared: str, digests: Mapping[str, str],
                entries: Iterable[tuple[str, Entry]]) -> tuple[int, str]:
    """Record what each page read (every read named once, pages by its number) and
    the digest of what it wrote; returns the size and the digest of the file."""
    pages = {path: entry for path, entry in entries if entry.reads is not None}
    names = sorted(set(digests).union(*(entry.reads or () for entry in pages.values())))
    number = {name: i for i, name in enumerate(names)}
    data = {"format": _GRAPH_FORMAT, "shared": shared, "reads": names,
            "digests": [digests.get(name) for name in names],
            "pages": {path: sorted(number[read] for read in entry.reads or ())
                      for path, entry in sorted(pages.items())},
            "outputs": {path: entry.output for path, entry in sorted(pages.items())}}
    text = json.dumps(data, separators=(",", ":")).encode("utf-8") + b"\n"
    (folder / GRAPH).write_bytes(text)
    return len(text), digest(text)


def file_records(folder: Path, under: str = "") -> tuple[dict[str, int], dict[str, str]]:
    """Size and digest of every file in ``folder``, by its path relative to it prefixed
    ``under``, each file read once."""
    sizes, digests = {}, {}
    for relative, path in files_in(folder):
        with open(path, "rb") as stream:
            data = stream.read()
        sizes[under + relative], digests[under + relative] = len(data), digest(data)
    return sizes, digests


def _file_digest(path: str | Path) -> str:
    with open(path, "rb") as stream:
        return digest(stream.read())


_WARNINGS: Final = "warnings.json"


def save_warnings(cache: Path, sources: str, warnings: Sequence[ContentError]) -> None:
    """Remember the warnings of the build of ``sources``, so that a build with nothing
    to do can print them again (they are not kept in the published folder)."""
    data = {"sources": sources, "warnings": [w.to_data() for w in warnings]}
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / _WARNINGS).write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    except OSError:
        return


def load_warnings(cache: Path, sources: str) -> tuple[ContentError, ...] | None:
    """The warnings recorded for exactly these sources, or None if there is no record."""
    data = parse_record(read_record(cache / _WARNINGS))
    try:
        if data["sources"] != sources:
            return None
        return tuple(ContentError.from_data(item) for item in data["warnings"])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
