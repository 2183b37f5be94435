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
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any, Final, Generic, TypeVar, cast

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


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the workers and says
    so in one line); the signal reaches every process of the terminal's group."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
        with multiprocessing.get_context("fork").Pool(
                workers, initializer=_ignore_interrupts) as pool:
            for chunk in pool.imap(_run_chunk, chunks):
                yield from chunk
    finally:
        _job = None


class BackgroundJob(Generic[Result]):
    """A function running on a forked process; :meth:`result` waits for it (once)."""

    def __init__(self, function: Callable[[], Result], fork: bool) -> None:
        self._function: Callable[[], Result] | None = function
        self._child: multiprocessing.process.BaseProcess | None = None
        if fork:
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._child = context.Process(target=_send_result, args=(function, sender),
                                          daemon=True)
            self._child.start()
            sender.close()

    def result(self) -> Result:
        if self._child is None:  # not forked: run it here, now
            assert self._function is not None, "result() was already taken"
            function, self._function = self._function, None
            return function()
        try:
            failed, value = self._receiver.recv()
        except EOFError:
            raise RuntimeError(
                f"background job died (exit {self._child.exitcode})") from None
        finally:
            self._receiver.close()
            self._child.join()
        if failed:
            raise value
        return cast(Result, value)

    def cancel(self) -> None:
        """Stop the job if it still runs (a build that failed will not want its result)."""
        if self._child is not None and self._child.exitcode is None:
            self._child.terminate()
            self._child.join()
            self._receiver.close()


def in_background(function: Callable[[], Result], workers: int) -> BackgroundJob[Result]:
    """Start ``function()`` on a forked process while the caller goes on; where forking
    is unsafe or ``workers`` is 1 it runs in the caller, when its result is asked for.
    Only the result is pickled.

    A bare process and a pipe, not a pool: a pool runs threads in the caller, and while
    they live :func:`forked_map` could not fork its workers."""
    return BackgroundJob(function, fork=workers >= 2 and can_fork())


def _send_result(function: Callable[[], Any], sender: Connection) -> None:
    _ignore_interrupts()
    try:
        outcome: tuple[bool, Any] = (False, function())
    except BaseException as error:  # handed to the parent, which raises it
        outcome = (True, error)
    try:
        sender.send(outcome)
    except Exception as error:  # the error itself would not pickle
        sender.send((True, RuntimeError(f"background job failed: {outcome[1]!r} ({error})")))
    finally:
        sender.close()
