"""The build pipeline, stage by stage: load -> link (and gate) -> publish.

Every stage before the gate only reads; if any content error was found, the
gate raises :class:`~kabul_brief.errors.ContentErrors` with all of them and
nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from kabul_brief.content.linker import link
from kabul_brief.content.loader import LoadCache, load_content
from kabul_brief.content.mdcache import MarkdownCache
from kabul_brief.content.model import Site
from kabul_brief.errors import ContentError, ContentErrors, ErrorSink, Position
from kabul_brief.publish.urls import Urls


def display_root(content_dir: Path) -> str:
    """How paths under the content folder are shown: as the editor gave the folder,
    so that ``PATH:LINE`` can be pasted into an editor from where the command ran."""
    return os.path.normpath(str(content_dir)).replace(os.sep, "/")


def taken_by_site(kind: str, record_id: str) -> str | None:
    """The site's own path (``pagefind/``, ``actors/``) a record's page would take."""
    try:
        path = (Urls.page_path(record_id) if kind == "page"
                else Urls.record_path(kind, record_id))
    except ValueError:  # not a path at all: the loader's to report
        return None
    return Urls.taken_by_site(path)


def require_content_folder(content_dir: Path) -> None:
    """Raise a content error unless ``content_dir`` is a folder (missing, or a file)."""
    if content_dir.is_dir():
        return
    message = ("the content folder is a file, not a folder" if content_dir.exists()
               else "the content folder does not exist")
    raise ContentErrors([
        ContentError(
            position=Position(path=display_root(content_dir)),
            code="missing-content",
            message=message,
            hint="Pass --content DIR, or run from the folder that holds content/.",
        )
    ])


def load_site(content_dir: Path, workers: int = 1, *,
              cache: MarkdownCache | None = None, files: LoadCache | None = None,
              drafts: bool = False) -> Site:
    """Load, validate and link the content folder; raise ContentErrors listing every problem.
    ``workers`` processes read the files that ``files`` does not hold already and
    convert the Markdown that ``cache`` does not (saving the caches is the caller's:
    only once the build has passed every gate). Records marked ``draft: true`` are
    checked either way, and in the site only with ``drafts``."""
    sink = ErrorSink()
    shown = display_root(content_dir)
    require_content_folder(content_dir)
    loaded = load_content(content_dir, shown, sink, workers, files)
    site = link(loaded, sink, workers, cache, taken_by_site, drafts=drafts)
    sink.raise_if_any()
    assert site is not None
    return site
