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
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

MARKER: Final = ".kabul-brief-site"
MARKER_TEXT: Final = b"Written by `kabul-brief build`; replaced whole by the next build.\n"
_TEMP_PREFIX: Final = ".kabul-brief-tmp-"
_RENAME_EXCHANGE: Final = 2
_AT_FDCWD: Final = -100


class OutputError(ValueError):
    """``--out`` names a folder the build must not replace: a usage error."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(out: Path, content: Path) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    target = out.resolve()
    cwd = Path.cwd().resolve()
    content_dir = content.resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    if _inside(content_dir, target):
        raise OutputError(f"--out {out} is or contains the content folder {content}")
    if _inside(target, content_dir):
        raise OutputError(f"--out {out} is inside the content folder {content}")
    if _inside(cwd, target):
        raise OutputError(
            f"--out {out} is the working folder or holds it; choose a folder of its own, "
            "such as _site"
        )
    if (target / ".git").exists() or (target / "pyproject.toml").exists():
        raise OutputError(f"--out {out} looks like a repository; choose another folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(
            f"--out {out} is a folder that kabul-brief did not create and it is not empty; "
            f"empty it, or choose another folder (a built site carries {MARKER})"
        )


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


def _clean_leftovers(parent: Path) -> None:
    """Remove temporary folders of earlier builds that were killed (they carry the marker)."""
    for leftover in parent.glob(f"{_TEMP_PREFIX}*"):
        if leftover.is_dir() and (leftover / MARKER).is_file():
            shutil.rmtree(leftover, ignore_errors=True)


def publish_tree(out: Path, produce: Callable[[Path], None]) -> None:
    """Let ``produce`` write the whole new content of ``out`` into a fresh folder beside
    it, then swap that folder in atomically. If ``produce`` fails, or the process is
    killed, ``out`` is as it was."""
    out = out.absolute()
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(parent)
    fresh = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=parent))
    try:
        (fresh / MARKER).write_bytes(MARKER_TEXT)
        produce(fresh)
        fresh.chmod(0o755)  # mkdtemp makes it private; a site is for serving
        if not out.exists():
            os.rename(fresh, out)
            return
        if _exchange(fresh, out):
            shutil.rmtree(fresh)  # now holds the previous site
            return
        aside = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=parent))
        (aside / MARKER).write_bytes(MARKER_TEXT)
        os.replace(out, aside / "old")
        os.rename(fresh, out)
        shutil.rmtree(aside)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(fresh)
        raise
