"""A keyed pickle file in the cache folder: what earlier builds computed, by key.

Shared by the Markdown conversions and the loaded content files, whose keys digest
everything a value depends on, code included, so a stale value is never served, and
by the digests of source files (keyed by path, each value carrying the size and
modification time it holds for). Only the entries this build used or wrote are kept
(the file does not grow with old versions), the file is replaced atomically, and a
missing, unreadable or foreign file is simply rebuilt: deleting the cache folder only
makes the next build slower.

Unpickling runs whatever the file says, and the cache folder sits beside the content,
where a pull request or a restored CI cache can put a file. So every file carries an
HMAC of its bytes under a per-user key kept outside the repository and outside the
cache folder (``folders.cache_key_file``, created on first use, readable by its owner
only), and nothing is unpickled unless the HMAC matches: a planted, truncated or
foreign file is an empty cache. Without a usable key the cache is off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Final, Generic, Self, TypeVar

from kabul_brief.folders import cache_folder, cache_key_file
from kabul_brief.workers import forked_map

Value = TypeVar("Value")
Item = TypeVar("Item")

_MAGIC: Final = b"kabul-brief cache 1\n"
_KEY_BYTES: Final = 32
_TAG_BYTES: Final = hashlib.sha256().digest_size


def file_stamp(status: os.stat_result) -> tuple[int, int, int, int] | None:
    """What says a file is as it was: size, modification time, inode and change time
    (the kernel sets the change time on every write or rename, and nothing can set it
    back, so ``cp -p``, ``rsync -a`` or ``touch -r`` edits are seen). None for a file
    changed within the last two seconds: it could change again within the clock's
    resolution unseen, and is read again next time."""
    if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) <= _SETTLED_NS:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)


_SETTLED_NS: Final = 2_000_000_000


@functools.cache
def cache_key() -> bytes | None:
    """This user's key for cache files, made on first use; None if there is none to be
    had (a read-only home, a key file others may read or write): no cache then."""
    path = cache_key_file()
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key-")
        try:  # mkstemp makes it 0600; linking it in fails if another build was first
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(_KEY_BYTES))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
        return _read_key(path)
    except OSError:
        return None


def _read_key(path: Path) -> bytes | None:
    with path.open("rb") as stream:
        status = os.fstat(stream.fileno())
        key = stream.read(_KEY_BYTES + 1)
    if os.name == "posix" and (status.st_uid != os.getuid() or status.st_mode & 0o077):
        return None
    return key if len(key) == _KEY_BYTES else None


def _mac(key: bytes, name: str) -> hmac.HMAC:
    """The HMAC of a cache file's payload, bound to the file's name: one cache's file
    copied under another's name does not pass."""
    return hmac.new(key, name.encode() + b"\x00", hashlib.sha256)


def _tag(key: bytes, name: str, payload: bytes) -> bytes:
    mac = _mac(key, name)
    mac.update(payload)
    return mac.digest()


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
            _read(self._path, self.FILE, self.accepts) if self._path is not None else {})
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
        with forked_map(function, [items[n] for n in missing], workers) as computed:
            for n, result in zip(missing, computed, strict=True):
                results[n] = result
                if result is not None:
                    self.put(keys[n], result)
        return results

    def begin(self) -> None:
        """Start another build with the same cache in memory (a resident preview): what
        the last one used or computed is known, and nothing is used yet."""
        self._known = {**self._known, **self._used}
        self._used = {}

    def save(self) -> None:
        """Keep this build's values; never fail a build over the cache."""
        # Values equal to those read are mostly the very same objects: cheap to compare.
        if self._path is None or self._used == self._known:
            return
        key = cache_key()
        if key is None:
            return
        payload = pickle.dumps(self._used, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._path.parent,
                                                 prefix=f".{self._path.stem}-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(_MAGIC + _tag(key, self.FILE, payload) + payload)
            os.replace(temporary, self._path)
        except OSError:
            return


def _authenticated(path: Path, key: bytes, name: str) -> bytes | None:
    """The payload of a cache file if its HMAC holds. The header is read first and the
    HMAC computed over the file in chunks, so a planted file costs one pass and no
    memory (a 2 GB one was read whole, twice); only a file this user's key vouches
    for is then read into memory."""
    with path.open("rb") as stream:
        if stream.read(len(_MAGIC)) != _MAGIC:
            return None
        tag = stream.read(_TAG_BYTES)
        mac = _mac(key, name)
        while chunk := stream.read(1 << 20):
            mac.update(chunk)
        if not hmac.compare_digest(tag, mac.digest()):
            return None
        stream.seek(len(_MAGIC) + _TAG_BYTES)
        return stream.read()


def _read(path: Path, name: str, accepts: Callable[[Any], bool]) -> dict[str, Any]:
    """The entries of a cache file that this user's key vouches for; else nothing, and
    nothing of the file unpickled."""
    key = cache_key()
    if key is None:
        return {}
    try:
        payload = _authenticated(path, key, name)
    except OSError:
        return {}
    if payload is None:
        return {}
    try:
        data = pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, TypeError, ValueError):  # written by this user, by older code
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items()
            if isinstance(key, str) and accepts(value)}
