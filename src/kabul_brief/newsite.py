"""``kabul-brief init DIR``: a new site folder that checks and builds as it is.

The files are the package's ``starter/`` folder, copied as they are: a content folder
with one small example of every kind citing each other, a ``.gitignore``, a GitHub
Actions workflow that checks, builds and publishes the site on GitHub Pages, and a
pre-commit configuration that checks the content before each commit. Names starting
``dot-`` are written starting ``.`` (a ``.gitignore`` inside the package would act on
this repository). A test builds what this writes, so the examples stay valid.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from kabul_brief import __version__
from kabul_brief.folders import files_in

STARTER: Final = Path(__file__).resolve().parent / "starter"
_DOT: Final = "dot-"
_REQUIREMENT: Final = "KABUL_BRIEF_REQUIREMENT"
"""Replaced, in the workflow, by the version of kabul-brief that wrote the site."""


class NewSiteError(Exception):
    """The folder cannot take a new site (it holds files, it is a file, it is not ours)."""


def starter_files() -> list[tuple[str, bytes]]:
    """(path in the new site, bytes) of every file ``init`` writes, sorted."""
    made: list[tuple[str, bytes]] = []
    for relative, path in files_in(STARTER):
        target = "/".join("." + part[len(_DOT):] if part.startswith(_DOT) else part
                          for part in relative.split("/"))
        data = Path(path).read_bytes().replace(_REQUIREMENT.encode(),
                                               f"kabul-brief=={__version__}".encode())
        made.append((target, data))
    return sorted(made)


def create_site(folder: Path) -> list[str]:
    """Write a new site into ``folder`` (created if missing; refused if it holds
    anything). The paths written, relative to it."""
    if folder.exists() and not folder.is_dir():
        raise NewSiteError(f"{folder} is a file, not a folder")
    try:
        files = starter_files()
        if not any(path == "content/site.yaml" for path, _ in files):  # a broken install
            raise NewSiteError(f"the package's starter site is missing from {STARTER};"
                               " reinstall kabul-brief")
        if folder.is_dir():
            with os.scandir(folder) as entries:
                if next(entries, None) is not None:
                    raise NewSiteError(f"{folder} is not empty; give a new or empty folder")
        folder.mkdir(parents=True, exist_ok=True)
        for relative, data in files:
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as handle:  # "x": never overwrite
                handle.write(data)
    except OSError as problem:
        reason = problem.strerror or type(problem).__name__
        where = problem.filename if problem.filename is not None else folder
        raise NewSiteError(f"cannot write {where}: {reason}") from problem
    return [relative for relative, _ in files]
