"""Work spread over every core: Markdown conversion while linking, page rendering.

Both jobs are pure functions of data the parent process already holds, so workers
are forked after that data exists and inherit it instead of receiving it pickled;
each worker takes every n-th chunk of item numbers and sends the results back on a
pipe of its own, read in chunk order: the output never depends on which worker
finished first. Not ``multiprocessing.Pool``: its workers share a lock on their
task queue, and one killed while holding it (a SIGTERM to a CI job's whole process
group) left the build waiting for ever as it stopped the pool.

Forking is used only where it is safe and pays: on a platform that has it, from a
process running a single thread (the preview server has several, and works
serially: it re-renders a handful of pages), and for enough items to cover the cost
of starting the workers.

A worker dies with its parent: were the build killed (SIGKILL, or a SIGTERM it has
no time to handle), a worker left behind would block for ever writing its results
to a pipe nobody reads, keep the working folder's lock (so no later build cleans it
up) and keep the build's stdout open (so a CI step never sees it end). On Linux the
kernel sees to it (``PR_SET_PDEATHSIG``); elsewhere a thread of the worker watches
its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any, Final, Generic, TypeVar, cast

from kabul_brief import stopping

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER: Final = 100
CHUNK: Final = 50

_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
"""The function and items of the current forked map, inherited by the workers."""


def _run_chunks(chunks: Sequence[range], sender: Connection, parent: int,
                mask: stopping.Mask) -> None:
    """In a worker: its share of the chunks, each sent back as soon as it is done."""
    _become_worker(parent, mask)
    assert _job is not None
    function, items = _job
    try:
        for numbers in chunks:
            if not _send(sender, False, [function(items[n]) for n in numbers]):
                return
    except BaseException as error:  # handed to the parent, which raises it
        _send(sender, True, error)
    finally:
        sender.close()


def _send(sender: Connection, failed: bool, value: Any) -> bool:
    """Send one outcome; an error that would not pickle is sent as its text. False if
    the parent is no longer listening."""
    try:
        sender.send((failed, value))
    except (BrokenPipeError, ConnectionResetError):
        return False
    except Exception as error:  # a result or an error that will not pickle
        sender.send((True, RuntimeError(f"worker failed: {value!r} ({error})")))
        return False
    return True


_PR_SET_PDEATHSIG: Final = 1
_WATCH_PARENT_EVERY: Final = 0.5
"""Seconds between two looks at the parent, where the kernel cannot watch it."""


def _become_worker(parent: int, mask: stopping.Mask) -> None:
    """In a worker, forked with the stopping signals held (see
    :func:`kabul_brief.stopping.held`): Ctrl-C, SIGTERM and SIGHUP are the parent's
    to handle, though they reach every process of the group (a terminal, a CI
    runner); the parent then stops its workers (SIGKILL) and says so in one line. A
    worker that died of the group's signal first would make the parent report a
    broken pipe instead. A worker shares no lock with another, so one killed anywhere
    leaves nothing held. And the worker dies with ``parent``."""
    for number in stopping.STOPPING:
        signal.signal(number, signal.SIG_IGN)
    _die_with(parent)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _die_with(parent: int) -> None:
    """End this process as soon as ``parent`` is gone (see the module's docstring)."""
    if sys.platform.startswith("linux") and _set_death_signal():
        if os.getppid() != parent:  # it died before the death signal was set
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), daemon=True,
                     name="watch-parent").start()


def _set_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_PARENT_EVERY)
    os._exit(1)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


@contextlib.contextmanager
def forked_map(function: Callable[[Item], Result], items: Sequence[Item],
               workers: int) -> Iterator[Iterator[Result]]:
    """``function(item)`` for every item, in order, each result given as soon as it is
    ready; on up to ``workers`` forked processes where that is safe and worth it, else
    here. ``function`` and its results must be picklable only as far as results go.

    A context manager, not a bare generator: leaving the block (an interrupt, an error)
    stops the workers there and then. A generator left unfinished is closed only when
    it is collected, and the traceback of the interrupt kept it alive, so workers went
    on writing pages into a folder the build was already deleting."""
    results = _forked_results(function, items, workers)
    try:
        yield results
    finally:
        results.close()


def _forked_results(function: Callable[[Item], Result], items: Sequence[Item],
                    workers: int) -> Generator[Result, None, None]:
    workers = min(workers, len(items) // MIN_ITEMS_PER_WORKER)
    if workers < 2 or not can_fork():
        yield from (function(item) for item in items)
        return
    global _job
    _job = (function, items)
    chunks = [range(start, min(start + CHUNK, len(items)))
              for start in range(0, len(items), CHUNK)]
    context = multiprocessing.get_context("fork")
    started: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        with stopping.held() as mask:
            for worker in range(workers):
                receiver, sender = context.Pipe(duplex=False)
                child = context.Process(
                    target=_run_chunks, daemon=True,
                    args=(chunks[worker::workers], sender, os.getpid(), mask))
                child.start()
                sender.close()
                started.append((child, receiver))
        for number in range(len(chunks)):  # chunk n is worker n % workers's
            worker_process, receiver = started[number % workers]
            try:
                failed, value = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"a worker died (exit {worker_process.exitcode})") from None
            if failed:
                raise value
            yield from value
    finally:
        _job = None
        _stop(started)


def _stop(started: list[tuple[multiprocessing.process.BaseProcess, Connection]]) -> None:
    """End the workers (those done have ended) and close their pipes; an interrupt
    waits until every one has been waited for."""
    with stopping.held():
        for child, receiver in started:
            receiver.close()
            if child.exitcode is None:
                child.kill()
        for child, _ in started:
            child.join()


class BackgroundJob(Generic[Result]):
    """A function running on a forked process; :meth:`result` waits for it (once)."""

    def __init__(self, function: Callable[[], Result], fork: bool) -> None:
        self._function: Callable[[], Result] | None = function
        self._child: multiprocessing.process.BaseProcess | None = None
        if fork:
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            with stopping.held() as mask:
                self._child = context.Process(target=_send_result, daemon=True,
                                              args=(function, sender, os.getpid(), mask))
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
            with stopping.held():
                self._receiver.close()
                self._child.join()
        if failed:
            raise value
        return cast(Result, value)

    def cancel(self) -> None:
        """Stop the job if it still runs (a build that failed will not want its result)."""
        if self._child is not None and self._child.exitcode is None:
            with stopping.held():
                self._child.kill()
                self._child.join()
                self._receiver.close()


def in_background(function: Callable[[], Result], workers: int) -> BackgroundJob[Result]:
    """Start ``function()`` on a forked process while the caller goes on; where forking
    is unsafe or ``workers`` is 1 it runs in the caller, when its result is asked for.
    Only the result is pickled.

    A bare process and a pipe, not a pool: a pool runs threads in the caller, and while
    they live :func:`forked_map` could not fork its workers."""
    return BackgroundJob(function, fork=workers >= 2 and can_fork())


def _send_result(function: Callable[[], Any], sender: Connection, parent: int,
                 mask: stopping.Mask) -> None:
    _become_worker(parent, mask)
    try:
        outcome: tuple[bool, Any] = (False, function())
    except BaseException as error:  # handed to the parent, which raises it
        outcome = (True, error)
    try:
        _send(sender, *outcome)
    finally:
        sender.close()
