"""Render pages on every core.

Rendering is pure: a page's bytes depend on the renderer and the page alone. Worker
processes are forked after the plan is made, so they inherit the renderer and the
pages instead of receiving them pickled; each renders a slice of page numbers and
sends the bytes back. Results are put back in plan order, so the output does not
depend on which worker finished first.

Forking is used only where it is safe and pays: on a platform that has it, from a
process running a single thread (the preview server has several and renders
serially: it re-renders a handful of pages), and for builds with enough pages to
render to cover the cost of starting the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Final

from kabul_brief.publish.meta import Page
from kabul_brief.publish.render import Renderer

MIN_PAGES_PER_WORKER: Final = 100
_CHUNK: Final = 50

_job: tuple[Renderer, Sequence[Page]] | None = None
"""The renderer and pages of the current parallel render, inherited by forked workers."""


def _render_chunk(numbers: range) -> list[bytes]:
    assert _job is not None
    renderer, pages = _job
    return [renderer.render(pages[n]) for n in numbers]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def render_pages(renderer: Renderer, pages: Sequence[Page], workers: int,
                 emit: Callable[[int, bytes], None]) -> None:
    """Render every page and hand ``emit`` its number and bytes, in plan order, as soon
    as they are ready (the caller writes them; nothing piles up in memory)."""
    workers = min(workers, len(pages) // MIN_PAGES_PER_WORKER)
    if workers < 2 or not can_fork():
        for number, page in enumerate(pages):
            emit(number, renderer.render(page))
        return
    global _job
    _job = (renderer, pages)
    chunks = [range(start, min(start + _CHUNK, len(pages)))
              for start in range(0, len(pages), _CHUNK)]
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            for numbers, chunk in zip(chunks, pool.imap(_render_chunk, chunks), strict=True):
                for number, data in zip(numbers, chunk, strict=True):
                    emit(number, data)
    finally:
        _job = None
