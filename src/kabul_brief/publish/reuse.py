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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kabul_brief.errors import ContentError

MANIFEST: Final = ".kabul-brief-manifest.json"
_FORMAT: Final = 2


@dataclass(frozen=True, slots=True)
class Entry:
    inputs: str
    """Digest of everything the page's bytes depend on."""
    output: str
    """Digest of the bytes written."""


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def inputs_digest(shared: str, *parts: object) -> str:
    """Digest of a page's inputs; ``shared`` covers what all pages share (templates, chrome)."""
    hasher = hashlib.blake2b(shared.encode(), digest_size=16)
    for part in parts:
        hasher.update(b"\x00")
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


def _files(folder: Path) -> list[tuple[str, Path]]:
    """Every file under ``folder``, by its path relative to it, sorted."""
    return sorted((path.relative_to(folder).as_posix(), path)
                  for path in folder.rglob("*") if path.is_file())


def _hash_folder(hasher: hashlib.blake2b, folder: Path) -> None:
    for relative, path in _files(folder):
        hasher.update(relative.encode() + b"\x00")
        hasher.update(path.read_bytes() + b"\x00")


def templates_digest(folder: Path) -> str:
    """Every template file's name and bytes: any template edit re-renders every page."""
    hasher = hashlib.blake2b(digest_size=16)
    _hash_folder(hasher, folder)
    return hasher.hexdigest()


def sources_digest(content: Path, templates: Path, *settings: object) -> str:
    """Every file the build could read, and the settings it runs with."""
    hasher = hashlib.blake2b(repr(settings).encode(), digest_size=16)
    for label, folder in (("content", content), ("templates", templates)):
        hasher.update(f"\x00{label}\x00".encode())
        _hash_folder(hasher, folder)
    return hasher.hexdigest()


class PreviousBuild:
    """What the last successful build into ``--out`` rendered, to reuse unchanged pages."""

    def __init__(self, folder: Path | None, entries: Mapping[str, Entry],
                 sources: str | None = None, sizes: Mapping[str, int] | None = None) -> None:
        self._folder = folder
        self._entries = dict(entries)
        self._sources = sources
        self._sizes = dict(sizes or {})

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
            entries = {path: Entry(inputs=pair[0], output=pair[1])
                       for path, pair in data["pages"].items()}
            sources = data["sources"]
            sizes = {str(path): int(size) for path, size in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return cls.none()
        return cls(folder, entries, sources if isinstance(sources, str) else None, sizes)

    def is_current(self, sources: str) -> bool:
        """True if the folder holds what a build of exactly these sources writes."""
        if self._folder is None or self._sources != sources or not self._sizes:
            return False
        present = dict(_files(self._folder))
        present.pop(MANIFEST, None)
        if present.keys() != self._sizes.keys():  # a file lost, or one added by hand
            return False
        try:
            return all(present[path].stat().st_size == size
                       for path, size in self._sizes.items())
        except OSError:
            return False

    @property
    def files(self) -> int:
        return len(self._sizes)

    def reuse(self, path: str, inputs: str) -> tuple[Path, str] | None:
        """The previous file at ``path`` and its digest, if it was made from the same
        inputs and is still as it was written."""
        entry = self._entries.get(path)
        if self._folder is None or entry is None or entry.inputs != inputs:
            return None
        file = self._folder / path
        try:
            data = file.read_bytes()
        except OSError:
            return None
        return (file, entry.output) if digest(data) == entry.output else None


def write_manifest(folder: Path, entries: Iterable[tuple[str, Entry]],
                   sources: str | None) -> None:
    """Record this build in the folder it wrote (after everything else is there);
    sorted, so that it is deterministic. ``sources`` None: never skip the next build."""
    pages = {path: [entry.inputs, entry.output] for path, entry in sorted(entries)}
    sizes = {relative: path.stat().st_size for relative, path in _files(folder)}
    data = {"format": _FORMAT, "sources": sources, "pages": pages, "files": sizes}
    (folder / MANIFEST).write_text(json.dumps(data, indent=0, sort_keys=True) + "\n",
                                   encoding="utf-8")


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
