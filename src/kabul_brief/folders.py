"""Where the program finds its templates and keeps what builds may reuse (and the key
that vouches for it), and what files a folder holds.

A module of its own, importing nothing heavy: a build with nothing to do needs these
two answers and should not pay for loading Markdown, Jinja or the content model.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Final

CACHE_FOLDER: Final = ".kabul-brief-cache"
CACHE_KEY: Final = "cache-key"


def templates_dir() -> Path:
    """``templates/`` of the checkout this package runs from, else of the working folder."""
    override = os.environ.get("KABUL_BRIEF_TEMPLATES")
    if override:
        return Path(override)
    checkout = Path(__file__).resolve().parents[2] / "templates"
    return checkout if checkout.is_dir() else Path.cwd() / "templates"


def cache_folder(content_dir: Path) -> Path:
    """Where builds keep what they may reuse: ``.kabul-brief-cache/`` beside ``content/``,
    or the folder ``KABUL_BRIEF_CACHE`` names (one per content folder inside it)."""
    content = content_dir.resolve()
    override = os.environ.get("KABUL_BRIEF_CACHE")
    if override:
        return Path(override) / hashlib.blake2b(str(content).encode(), digest_size=8).hexdigest()
    return content.parent / CACHE_FOLDER


def cache_key_file() -> Path:
    """The per-user key that authenticates cache files, in the user's own cache folder
    (``~/.cache/kabul-brief/`` and its equivalents): never beside the content, never
    in the folder ``KABUL_BRIEF_CACHE`` names, so neither a pull request nor a restored
    CI cache can bring one along."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kabul-brief", appauthor=False)) / CACHE_KEY


def files_in(folder: Path) -> list[tuple[str, str]]:
    """Every file under ``folder``: (path relative to it, path to open), sorted.

    ``os.scandir`` rather than ``Path.rglob``: an archive's output holds tens of
    thousands of files, and this walk runs on every build, even one with nothing to do.
    Folder links are followed, but not round a loop; a folder that cannot be read
    (or a link to nothing) is left out: the content loader reports those.
    """
    found: list[tuple[str, str]] = []
    pending = [("", os.fspath(folder), frozenset[tuple[int, int]]())]
    while pending:
        prefix, directory, holding = pending.pop()
        try:
            stat = os.stat(directory)
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            continue
        inside = holding | {(stat.st_dev, stat.st_ino)}
        for entry in entries:
            relative = prefix + entry.name
            try:
                if entry.is_dir():
                    target = os.stat(entry.path)
                    if (target.st_dev, target.st_ino) not in inside:
                        pending.append((relative + "/", entry.path, inside))
                elif entry.is_file():
                    found.append((relative, entry.path))
            except OSError:
                continue
    found.sort()
    return found
