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
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kabul_brief.content.diskcache import KeyedCache
from kabul_brief.errors import ContentError
from kabul_brief.folders import Theme, files_in
from kabul_brief.publish.reads import changed_reads
from kabul_brief.publish.writer import GRAPH, MANIFEST

_FORMAT: Final = 3
_GRAPH_FORMAT: Final = 1
_SETTLED_NS: Final = 2_000_000_000


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
        stat = os.stat(path)
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
        known = self.get(path)
        if known is not None and known[:4] == stamp:
            return str(known[4])
        with open(path, "rb") as file:
            found = digest(file.read())
        if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > _SETTLED_NS:
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

    @classmethod
    def none(cls) -> PreviousBuild:
        return cls(None, {})

    @classmethod
    def read(cls, folder: Path) -> PreviousBuild:
        """The manifest of a built folder; an unreadable or foreign one reuses nothing."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                return cls.none()
            entries, sources, sizes = data["pages"], data["sources"], data["files"]
            search = data.get("search", {})
            if not all(isinstance(x, dict) for x in (entries, sizes, search)):
                return cls.none()
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls.none()
        previous = cls(folder, entries, sources if isinstance(sources, str) else None, sizes)
        previous.search = search
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
                   search: Mapping[str, str] | None = None) -> None:
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
            "search": dict(search or {})}
    (folder / MANIFEST).write_text(json.dumps(data, indent=0, sort_keys=True) + "\n",
                                   encoding="utf-8")


class PreviousGraph:
    """What each record page of the last build into ``--out`` read, and what each read
    gave then (:mod:`~kabul_brief.publish.reads`): a page none of whose reads changed
    since, with the same shared inputs, has the bytes it had, and its view need not
    even be made. Kept in ``GRAPH`` beside the manifest, as JSON: a built folder may
    come from anywhere, so nothing in it is unpickled."""

    FILE: Final = GRAPH

    def __init__(self, shared: str | None = None,
                 pages: Mapping[str, tuple[str, ...]] | None = None,
                 changed: set[str] | None = None) -> None:
        self._shared = shared
        self._pages = dict(pages or {})
        self._changed = changed or set()

    @classmethod
    def read(cls, folder: Path, shared: str, now: Mapping[str, str]) -> PreviousGraph:
        """The graph in ``folder``, compared with the reads' digests ``now``; an
        unreadable, foreign or differently shared one keeps nothing."""
        try:
            data = json.loads((folder / GRAPH).read_text(encoding="utf-8"))
            if data.get("format") != _GRAPH_FORMAT or data.get("shared") != shared:
                return cls()
            names, digests, listed = data["reads"], data["digests"], data["pages"]
            if not (isinstance(names, list) and isinstance(digests, list)
                    and len(names) == len(digests) and isinstance(listed, dict)):
                return cls()
            before = {name: digest for name, digest in zip(names, digests, strict=True)
                      if isinstance(name, str) and isinstance(digest, str)}
            pages = {path: tuple(names[i] for i in indices)
                     for path, indices in listed.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return cls()
        return cls(shared, pages, changed_reads(before, now))

    def unchanged(self, path: str) -> tuple[str, ...] | None:
        """What the page at ``path`` read, if none of it changed; else None."""
        found = self._pages.get(path)
        if self._shared is None or found is None or not self._changed.isdisjoint(found):
            return None
        return found


def write_graph(folder: Path, shared: str, digests: Mapping[str, str],
                entries: Iterable[tuple[str, Entry]]) -> int:
    """Record what each page read (every read named once, pages by its number);
    returns the size of the file written."""
    pages = {path: entry.reads for path, entry in entries if entry.reads is not None}
    names = sorted(set(digests).union(*pages.values()))
    number = {name: i for i, name in enumerate(names)}
    data = {"format": _GRAPH_FORMAT, "shared": shared, "reads": names,
            "digests": [digests.get(name) for name in names],
            "pages": {path: sorted(number[read] for read in reads)
                      for path, reads in sorted(pages.items())}}
    text = json.dumps(data, separators=(",", ":")).encode("utf-8")
    (folder / GRAPH).write_bytes(text + b"\n")
    return len(text) + 1


def file_sizes(folder: Path, under: str = "") -> dict[str, int]:
    """Size of every file in ``folder``, by its path relative to it, prefixed ``under``."""
    return {under + relative: os.stat(path).st_size for relative, path in files_in(folder)}


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
    try:
        data = json.loads((cache / _WARNINGS).read_text(encoding="utf-8"))
        if data["sources"] != sources:
            return None
        return tuple(ContentError.from_data(item) for item in data["warnings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
