"""A keyed pickle file in the cache folder: what earlier builds computed, by key.

Shared by the Markdown conversions and the loaded content files, whose keys digest
everything a value depends on, code included, so a stale value is never served, and
by the digests of source files (keyed by path, each value carrying the size and
modification time it holds for). Only the entries this build used or wrote are kept
(the file does not grow with old versions), the file is replaced atomically, and a
missing, unreadable or foreign file is simply rebuilt: deleting the cache folder only
makes the next build slower.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Generic, Self, TypeVar

from kabul_brief.folders import cache_folder
from kabul_brief.workers import forked_map

Value = TypeVar("Value")
Item = TypeVar("Item")


def code_digest(modules: Iterable[ModuleType], libraries: Iterable[str]) -> str:
    """Digest of our modules' source and the versions of the libraries a value
    depends on: editing the code or upgrading a library changes every key."""
    hasher = hashlib.blake2b(digest_size=16)
    for module in modules:
        hasher.update(Path(str(module.__file__)).read_bytes() + b"\x00")
    for name in libraries:
        try:
            found = version(name)
        except PackageNotFoundError:  # pragma: no cover - installed without metadata
            found = "unknown"
        hasher.update(f"{name}={found}\x00".encode())
    return hasher.hexdigest()


class KeyedCache(Generic[Value]):
    """Values by key; those used by this build are what :meth:`save` keeps. A subclass
    names its file and says which values it accepts from disk."""

    FILE: ClassVar[str]

    def __init__(self, folder: Path | None) -> None:
        self._path = folder / self.FILE if folder is not None else None
        self._known: dict[str, Value] = (
            _read(self._path, self.accepts) if self._path is not None else {})
        self._used: dict[str, Value] = {}

    @classmethod
    def beside(cls, content_dir: Path) -> Self:
        """The cache of the builds of ``content_dir`` (see ``folders.cache_folder``)."""
        return cls(cache_folder(content_dir))

    @classmethod
    def disabled(cls) -> Self:
        return cls(None)

    def accepts(self, value: object) -> bool:
        raise NotImplementedError

    def get(self, key: str) -> Value | None:
        found = self._known.get(key)
        if found is not None:
            self._used[key] = found
        return found

    def put(self, key: str, value: Value) -> None:
        self._used[key] = value

    def map(self, keys: Sequence[str], function: Callable[[Item], Value | None],
            items: Sequence[Item], workers: int) -> list[Value | None]:
        """``function(item)`` for every item, in order: from the cache under the item's
        key where an earlier build computed it, the rest on ``workers`` processes and
        kept (a None result is not)."""
        results = [self.get(key) for key in keys]
        missing = [n for n, result in enumerate(results) if result is None]
        computed = forked_map(function, [items[n] for n in missing], workers)
        for n, result in zip(missing, computed, strict=True):
            results[n] = result
            if result is not None:
                self.put(keys[n], result)
        return results

    def save(self) -> None:
        """Keep this build's values; never fail a build over the cache."""
        # Values equal to those read are mostly the very same objects: cheap to compare.
        if self._path is None or self._used == self._known:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._path.parent,
                                                 prefix=f".{self._path.stem}-")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(self._used, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path)
        except OSError:
            return


def _read(path: Path, accepts: Callable[[Any], bool]) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            data = pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items()
            if isinstance(key, str) and accepts(value)}
