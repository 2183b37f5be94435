"""Markdown converted by earlier builds, kept on disk and keyed by content hash.

Converting Markdown is the largest part of loading. A text converts to the same
result as long as the text, the actor names that auto-linking looks for, and the
converting code are the same; the key digests all three (the code by the bytes of
the Markdown module and the versions of Python-Markdown and nh3), so editing the
converter or upgrading a library never serves a stale result.

The cache lives in ``.kabul-brief-cache/`` beside the content folder (like
``.pytest_cache``; ``KABUL_BRIEF_CACHE`` may name another place), is written only
by ``build`` and ``serve`` (``check`` writes nothing), holds just the texts of the
last build, and is replaced atomically. A missing, unreadable or foreign cache file
is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

from kabul_brief.content import markup
from kabul_brief.content.markup import Rendered
from kabul_brief.folders import cache_folder

_FILE: Final = "markdown.pickle"


def _library_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - installed without metadata
        return "unknown"


def converter_digest() -> str:
    """What a conversion depends on besides its text: our code and its libraries."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(Path(markup.__file__).read_bytes())
    for name in ("markdown", "nh3"):
        hasher.update(f"\x00{name}={_library_version(name)}".encode())
    return hasher.hexdigest()


class MarkdownCache:
    """Conversions by key; those used by this build are what :meth:`save` keeps."""

    def __init__(self, folder: Path | None) -> None:
        self._path = folder / _FILE if folder is not None else None
        self._known: dict[str, Rendered] = {}
        self._used: dict[str, Rendered] = {}
        self._converter = converter_digest()
        if self._path is not None:
            self._known = _read(self._path)

    @classmethod
    def beside(cls, content_dir: Path) -> MarkdownCache:
        return cls(cache_folder(content_dir))

    @classmethod
    def disabled(cls) -> MarkdownCache:
        return cls(None)

    def key(self, text: str, paragraphs: bool, names: str, top_heading: int | None) -> str:
        """``names``: digest of the auto-linker's names (for article bodies)."""
        hasher = hashlib.blake2b(self._converter.encode(), digest_size=20)
        hasher.update(b"\x00p" if paragraphs else b"\x00-")
        hasher.update(f"\x00h{top_heading}".encode())
        hasher.update(names.encode() if paragraphs else b"")
        hasher.update(b"\x00" + text.encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def get(self, key: str) -> Rendered | None:
        found = self._known.get(key)
        if found is not None:
            self._used[key] = found
        return found

    def put(self, key: str, rendered: Rendered) -> None:
        self._used[key] = rendered

    def save(self) -> None:
        """Keep this build's conversions; never fail a build over the cache."""
        if self._path is None or self._used.keys() == self._known.keys():
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=".markdown-")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(self._used, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path)
        except OSError:
            return


def _read(path: Path) -> dict[str, Rendered]:
    try:
        with path.open("rb") as stream:
            data = pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items()
            if isinstance(key, str) and isinstance(value, Rendered)}
