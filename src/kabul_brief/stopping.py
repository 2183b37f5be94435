"""How a command stops when asked to: Ctrl-C (SIGINT) and SIGTERM (a CI job cancelled,
a container stopped) both raise an exception, so that the same clean-up runs (the
working folder removed, ``--out`` left as it was, the preview's folder deleted) and
the command says so in one line.

The first signal wins: from then on both are ignored, so a second Ctrl-C, or the
SIGTERM a CI runner sends after the SIGINT, cannot cut the clean-up short or end the
process by the signal with no word. The handlers are installed before anything else
is imported (see :mod:`kabul_brief.__main__`), so an early Ctrl-C is one line too,
and once a command has its exit status nothing can change it (:func:`exit_with`).
Forked workers set their own handlers (:mod:`kabul_brief.workers`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, Final, NoReturn

STOPPING: Final = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Ctrl-C; SIGTERM (a CI job cancelled, a container stopped); SIGHUP (the terminal
closed, an SSH session dropped)."""
EXIT_INTERRUPTED: Final = 130
EXIT_TERMINATED: Final = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises KeyboardInterrupt."""


class HungUp(Terminated):
    """SIGHUP: stopped as SIGTERM stops a command, with its own exit status."""


_calls: list[object] = []
"""One token per call of :func:`_stop` since :func:`install`: the first raises."""


def _stop(number: int, frame: FrameType | None) -> None:
    """Raise for the first signal only. A second one arriving while this runs calls it
    again, inside it, before the handlers are gone: whichever call put its token first
    raises (a nested call that got in before this one's token raises through this
    one), the other returns."""
    token = object()
    _calls.append(token)
    if _calls[0] is not token:
        return
    ignore_further()
    if number == signal.SIGHUP:
        raise HungUp
    if number == signal.SIGTERM:
        raise Terminated
    raise KeyboardInterrupt


def ignore_further() -> None:
    """Ignore the stopping signals from now on (in the whole process: a signal may be
    given to any of its threads)."""
    for number in STOPPING:
        signal.signal(number, signal.SIG_IGN)


def install() -> None:
    """For the rest of the process, the stopping signals raise (the first only)."""
    _calls.clear()
    for number in STOPPING:
        signal.signal(number, _stop)
    # Started with them blocked (a parent's mask is inherited), Ctrl-C would do nothing.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
    sys.unraisablehook = _raise_again_if_swallowed


def _raise_again_if_swallowed(unraisable: Any) -> None:
    """The exception of the first signal can be raised inside a finalizer (a weakref
    callback, a ``__del__``), where Python prints it and goes on: the command would
    never stop, later signals being ignored. It is raised again a moment later
    instead (by an alarm: whatever runs in this hook is swallowed too), when the
    command's own code runs. Any other such exception is printed as Python does."""
    stop = unraisable.exc_value
    if isinstance(stop, OSError) and str(stop).endswith(_IGNORED_RACE):
        return  # a second signal, arrived as the first set the handlers to ignore
    if not isinstance(stop, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    _swallowed[:] = [type(stop)]
    signal.signal(signal.SIGALRM, _raise_swallowed)
    signal.setitimer(signal.ITIMER_REAL, _AGAIN_AFTER)


_AGAIN_AFTER: Final = 0.01
_IGNORED_RACE: Final = "ignored due to race condition"
"""How Python reports a signal that came in while its handler was being replaced by
SIG_IGN: as an unraisable OSError, printed with a traceback by default."""
_swallowed: list[type[KeyboardInterrupt]] = []


def _raise_swallowed(number: int, frame: FrameType | None) -> None:
    if _swallowed:
        raise _swallowed.pop()()


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """:func:`install` for the length of a block, the previous handlers put back
    after (for a command run in a process that is not ours, such as a test's). Where
    handlers cannot be set (not the main thread) it does nothing."""
    _calls.clear()
    try:
        previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {
            number: signal.signal(number, _stop) for number in STOPPING}
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:
                signal.signal(number, handler)


Mask = set[int | signal.Signals]
"""A set of blocked signals, as ``signal.pthread_sigmask`` returns it."""


@contextlib.contextmanager
def held() -> Iterator[Mask]:
    """Ctrl-C and SIGTERM wait (are blocked in this thread) until the block ends, then
    act: around starting a child process, so that none is started and then lost
    track of, and around waiting for children, so that none is left unwaited. Yields
    the mask to put back in a child (a forked worker, an indexer), which inherits
    the blocked one."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield previous
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def exit_status(stop: KeyboardInterrupt) -> int:
    """128 and the signal's number, as a shell reports a command the signal ended."""
    if isinstance(stop, HungUp):
        return 128 + signal.SIGHUP
    return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED


def said(stop: KeyboardInterrupt) -> str:
    if isinstance(stop, HungUp):
        return "hung up"
    return "terminated" if isinstance(stop, Terminated) else "interrupted"


def tell(line: str) -> None:
    """The one line on stderr, if anyone still reads it: with its reader gone (a
    closed terminal, a dead log collector), the status alone has to say it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(line, file=sys.stderr, flush=True)


def exit_with(status: int) -> NoReturn:
    """Leave with ``status``: a signal arriving now is ignored rather than turned into
    another status, a traceback or a death by the signal. The command has cleaned up
    after itself (its files are closed, its workers and indexers waited for), so the
    interpreter's own finalization is skipped: a second Ctrl-C that had arrived as the
    first was handled made it end the process by SIGINT, after the one line, in about
    one run of twenty."""
    ignore_further()
    signal.setitimer(signal.ITIMER_REAL, 0)  # no swallowed interrupt raised again now
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: started with the stream closed (`>&-`)
            with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
                stream.flush()
    os._exit(status)
