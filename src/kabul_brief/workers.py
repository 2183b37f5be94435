"""Work spread over every core: Markdown conversion while linking, page rendering.

Both jobs are pure functions of data the parent process already holds, so workers
are forked after that data exists and inherit it instead of receiving it pickled;
each worker takes a slice of item numbers and sends back the results, which come
out in item order: the output never depends on which worker finished first.

Forking is used only where it is safe and pays: on a platform that has it, from a
process running a single thread (the preview server has several, and works
serially: it re-renders a handful of pages), and for enough items to cover the cost
of starting the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER: Final = 100
CHUNK: Final = 50

_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
"""The function and items of the current forked map, inherited by the workers."""


def _run_chunk(numbers: range) -> list[Any]:
    assert _job is not None
    function, items = _job
    return [function(items[n]) for n in numbers]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def forked_map(function: Callable[[Item], Result], items: Sequence[Item],
               workers: int) -> Iterator[Result]:
    """``function(item)`` for every item, in order, yielded as soon as it is ready;
    on up to ``workers`` forked processes where that is safe and worth it, else here.
    ``function`` and its results must be picklable only as far as results go."""
    workers = min(workers, len(items) // MIN_ITEMS_PER_WORKER)
    if workers < 2 or not can_fork():
        yield from (function(item) for item in items)
        return
    global _job
    _job = (function, items)
    chunks = [range(start, min(start + CHUNK, len(items)))
              for start in range(0, len(items), CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap(_run_chunk, chunks):
                yield from chunk
    finally:
        _job = None


_background: dict[int, Callable[[], Any]] = {}
"""Jobs started by :func:`in_background`, inherited by the process forked for each."""


def in_background(function: Callable[[], Result], workers: int) -> Callable[[], Result]:
    """Start ``function()`` on a forked process while the caller goes on; the returned
    callable waits for its result. Runs in the caller, when asked for, where forking is
    unsafe or ``workers`` is 1. Only the result is pickled."""
    if workers < 2 or not can_fork():
        return function
    key = len(_background)
    _background[key] = function
    try:
        pool = multiprocessing.get_context("fork").Pool(1)
    finally:
        del _background[key]
    pending = pool.apply_async(_call_background, (key,))
    pool.close()

    def result() -> Result:
        try:
            return cast(Result, pending.get())
        finally:
            pool.join()

    return result


def _call_background(key: int) -> Any:
    return _background[key]()
