"""Atomic output: the site is written whole into a fresh folder beside ``--out`` and
swapped in only once every file is there.

On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call, so readers (and a
build killed at any moment) see either the old site or the new one, never a mix.
Elsewhere the old folder is renamed aside, the new one renamed in, the old one
deleted. A folder is only ever replaced if a build made it: it carries a marker
file, and the output folder may not be, hold or sit above the content or the
working folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any, Final

from kabul_brief import stopping
from kabul_brief.folders import CACHE_FOLDER, cache_folder

MARKER: Final = ".kabul-brief-site"
MARKER_TEXT: Final = b"Written by `kabul-brief build`; replaced whole by the next build.\n"
_TEMP_PREFIX: Final = ".kabul-brief-tmp-"
LOCK: Final = ".kabul-brief-lock"
"""Locked by the build working in a folder, for as long as it lives."""
MANIFEST: Final = ".kabul-brief-manifest.json"
"""The record of the build (see :mod:`~kabul_brief.publish.reuse`), swapped in last."""
PAGEFIND_FOLDER: Final = "pagefind"
"""Where the search index goes in a built folder (``Urls.PAGEFIND_FOLDER``)."""
GRAPH: Final = ".kabul-brief-graph"
"""What each record page read of the model (:class:`~kabul_brief.publish.reuse.PreviousGraph`)."""
_KEPT_IN_MOUNTS: Final = frozenset({"lost+found"})
_RENAME_EXCHANGE: Final = 2
_AT_FDCWD: Final = -100


class OutputError(ValueError):
    """``--out`` names a folder the build must not replace: a usage error."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(out: Path, content: Path) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    target = _resolved(out, "--out")
    cwd = Path.cwd().resolve()
    content_dir = _resolved(content, "--content")
    existing = next((p for p in (target, *target.parents) if p.exists()), target)
    if existing.exists() and not existing.is_dir():
        if existing == target:
            raise OutputError(f"--out {out} is a file, not a folder")
        raise OutputError(f"--out {out} cannot be made: {existing} is a file, not a folder")
    if _inside(content_dir, target):
        raise OutputError(f"--out {out} is or contains the content folder {content}")
    if _inside(target, content_dir):
        raise OutputError(f"--out {out} is inside the content folder {content}")
    for cache in {_resolved(cache_folder(content), "the cache folder"),
                  _resolved(content_dir.parent / CACHE_FOLDER, "the cache folder")}:
        if _inside(cache, content_dir):
            raise OutputError(
                f"the cache folder {cache} is inside the content folder {content}; "
                "set KABUL_BRIEF_CACHE to a folder outside it")
        if _inside(target, cache) or _inside(cache, target):
            raise OutputError(
                f"--out {out} is, holds or is inside the cache folder {cache}; "
                "choose a folder of its own, such as _site")
    if _inside(cwd, target):
        raise OutputError(
            f"--out {out} is the working folder or holds it; choose a folder of its own, "
            "such as _site"
        )
    if (target / ".git").exists() or (target / "pyproject.toml").exists():
        raise OutputError(f"--out {out} looks like a repository; choose another folder")
    if target.is_dir() and not (target / MARKER).is_file() and any(
        not entry.name.startswith(_TEMP_PREFIX) and entry.name not in _KEPT_IN_MOUNTS
        for entry in target.iterdir()
    ):
        raise OutputError(
            f"--out {out} is a folder that kabul-brief did not create and it is not empty; "
            f"empty it, or choose another folder (a built site carries {MARKER})"
        )


def _resolved(path: Path, name: str) -> Path:
    """The real path (links followed), or a usage error for a link that loops."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as problem:  # RuntimeError: a loop of links
        raise OutputError(f"{name} {path} cannot be resolved: {problem}") from None


def _safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root``."""
    if relative.startswith("/") or "\\" in relative or any(
        part in ("", ".", "..") for part in relative.split("/")
    ):
        raise ValueError(f"unsafe output path {relative!r}")
    return root / relative


def write_file(root: Path, relative: str, data: bytes) -> None:
    path = _safe_join(root, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def link_file(root: Path, relative: str, existing: Path) -> None:
    """Put an unchanged file of the previous build in the new folder without writing
    its bytes again: a hard link (the previous folder is deleted after the swap), or a
    copy where the file system has none."""
    path = _safe_join(root, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(existing, path)
    except OSError:
        shutil.copyfile(existing, path)


def replace_file(root: Path, relative: str, data: bytes) -> None:
    """Put new bytes at ``relative`` in a folder being served: written beside it, then
    renamed over it, so a reader gets the old file or the new, never half of one, and
    the old file's inode (which a hard link may share) is never written."""
    path = _safe_join(root, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_files(root: Path, files: Mapping[str, bytes]) -> None:
    for relative in sorted(files):
        write_file(root, relative, files[relative])


def marker_size() -> dict[str, int]:
    """The marker file every built folder holds, by path -> size, for the manifest."""
    return {MARKER: len(MARKER_TEXT)}


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system or kernel lacks it
        return False
    raise OSError(errno, os.strerror(errno), str(second))


@contextlib.contextmanager
def _working_folder(parent: Path) -> Iterator[Path]:
    """A fresh folder in ``parent`` for this build, locked while the build lives.

    The lock file is created and locked (``flock``) before the marker is written, so a
    folder carrying the marker is either locked by a live build or left by a dead one:
    the kernel drops the lock when its holder dies, however it dies. The folder is
    removed on the way out, whatever it holds by then (the previous site, after a swap).
    """
    folder = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=parent))
    try:
        lock = os.open(folder / LOCK, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.write(lock, f"{os.getpid()}\n".encode())
        (folder / MARKER).write_bytes(MARKER_TEXT)
        yield folder
    finally:
        _remove(folder)
        os.close(lock)


def _remove(folder: Path) -> None:
    """Delete a working folder, its marker last: a build killed while deleting (a big
    site takes a while) leaves a folder the next build still knows to clean up."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    shutil.rmtree(folder, ignore_errors=True)


def _is_dead(leftover: Path) -> bool:
    """True if no live build holds the lock of this working folder (one without a lock
    file was left by an older version, or holds a site swapped out and being deleted)."""
    return lock_is_held(leftover / LOCK) is not True


def lock_is_held(lock: Path) -> bool | None:
    """Whether a live process holds the ``flock`` on the file ``lock``; None if there is
    no such file. It is opened without blocking and without following a link: a FIFO
    or a link planted in its place (a shared ``/tmp``) is no lock of ours, so it counts
    as held, and whatever it guards is left alone."""
    try:
        handle = os.open(lock, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError:
        return True
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return True
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # held: its build (or preview) is running
    finally:
        os.close(handle)  # closing drops the lock we may have taken
    return False


STALE_AFTER: Final = 600.0
"""Seconds after which a working folder without the marker is taken for a dead one:
a live build writes the marker a moment after making the folder."""


def _clean_leftovers(parent: Path) -> None:
    """Remove the working folders of earlier builds that died: no live build holds
    their lock, and they carry the marker or were last changed long ago (one killed
    before writing it). Another build's working folder is never touched.

    (Forked workers inherit the lock; that they die with their build, see
    :mod:`~kabul_brief.workers`, is what frees it when a build is killed.)"""
    for leftover in parent.glob(f"{_TEMP_PREFIX}*"):
        try:
            if not leftover.is_dir() or leftover.is_symlink():
                continue
            marked = (leftover / MARKER).is_file()
            if not marked and time.time() - leftover.stat().st_mtime < STALE_AFTER:
                continue
        except OSError:
            continue
        if _is_dead(leftover):
            _remove(leftover)


def _drop_lock(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / LOCK)


class _Calm:
    """From :meth:`begin` to the end of the ``with`` block, Ctrl-C (and the other
    signals the CLI handles as Ctrl-C, :data:`kabul_brief.stopping.STOPPING`) waits:
    once the swap starts the build finishes it and
    deletes the previous site whole, rather than stop with the new site in place and
    the old one half deleted. (Only the main thread can handle signals; elsewhere, as
    in the preview's builder, this does nothing.)"""

    def __init__(self) -> None:
        self._previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
        self._pending: list[int] = []

    def begin(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = {number: signal.signal(number, self._hold)
                              for number in stopping.STOPPING}

    def _hold(self, number: int, frame: FrameType | None) -> None:
        """Keep the signal for the end of the block: ignoring it would lose a Ctrl-C
        that arrived during the swap (a preview then never stopped)."""
        self._pending.append(number)

    def __enter__(self) -> _Calm:
        return self

    def __exit__(self, *exc: object) -> None:
        for number, previous in self._previous.items():
            if previous is not None:
                signal.signal(number, previous)
        self._previous = {}
        pending, self._pending = self._pending, []
        if exc[0] is None:  # an error on its way out keeps its own traceback
            for number in dict.fromkeys(pending):  # now handled as it would have been
                signal.raise_signal(number)


def publish_tree(out: Path, produce: Callable[[Path], None]) -> None:
    """Let ``produce`` write the whole new content of ``out`` into a fresh folder beside
    it, then swap that folder in atomically. If ``produce`` fails, or the process is
    killed, ``out`` is as it was.

    A symbolic link is followed: its target is replaced, the link stays. A mount point
    cannot be renamed over: its entries are swapped instead (see :func:`_publish_into`).
    """
    out = Path(os.path.realpath(out))
    if out.is_dir() and os.path.ismount(out):
        _publish_into(out, produce)
        return
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(parent)
    with _Calm() as calm, _working_folder(parent) as fresh:
        produce(fresh)
        calm.begin()
        fresh.chmod(0o755)  # mkdtemp makes it private; a site is for serving
        if not os.path.lexists(out):
            os.rename(fresh, out)
        elif not _exchange(fresh, out):  # fresh now holds the previous site, else:
            with _working_folder(parent) as aside:
                os.replace(out, aside / "old")
                os.rename(fresh, out)
        _drop_lock(out)


def _publish_into(out: Path, produce: Callable[[Path], None]) -> None:
    """Publish into a folder that cannot be renamed (a mount point: a container volume,
    a tmpfs). The new site is written in a working folder inside it (the same file
    system) and its top-level entries are swapped in one by one, each atomically; the
    manifest is taken away first and put in last, so a build killed halfway leaves a
    folder the next build does not trust as up to date and fully checks."""
    _clean_leftovers(out)
    with _Calm() as calm, _working_folder(out) as fresh:
        produce(fresh)
        calm.begin()
        trash = fresh / ".kabul-brief-old"
        trash.mkdir()
        if os.path.lexists(out / MANIFEST):
            os.rename(out / MANIFEST, trash / MANIFEST)
        names = sorted(set(os.listdir(fresh)) - {LOCK, trash.name},
                       key=lambda name: (name == MANIFEST, name))
        for name in names:
            new, current = fresh / name, out / name
            if not os.path.lexists(current):
                os.rename(new, current)
            elif _exchange(new, current):
                os.rename(new, trash / name)
            else:
                os.rename(current, trash / name)
                os.rename(new, current)
        for name in sorted(set(os.listdir(out)) - set(names)):
            if not name.startswith(_TEMP_PREFIX) and name not in _KEPT_IN_MOUNTS:
                os.rename(out / name, trash / name)
