"""Work on forked processes: the background job that makes the data files while pages
render (its result, its errors, and that forking stays possible while it runs) and
the forked map that renders pages (order, errors, and stopping at any moment)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_isolated, signalled

REPO = Path(__file__).resolve().parents[1]

BACKGROUND = """
import threading, time
from kabul_brief.workers import can_fork, forked_map, in_background

def boom():
    raise ValueError("no data for you")

job = in_background(lambda: {"data/x.json": b"1"}, 2)
print(job._child is not None, threading.active_count(), can_fork())
with forked_map(lambda n: n * n, list(range(300)), 2) as squares:
    print(list(squares)[-1])
print(job.result())
failing = in_background(boom, 2)
try:
    failing.result()
except ValueError as error:
    print("raised:", error)
slow = in_background(lambda: time.sleep(60), 2)
started = time.perf_counter()
slow.cancel()
print("cancelled quickly:", time.perf_counter() - started < 5, slow._child.exitcode is not None)
"""


def test_a_background_job_returns_its_result_raises_its_error_and_can_be_cancelled() -> None:
    lines = run_isolated(BACKGROUND).splitlines()
    assert lines == [
        "True 1 True",  # forked, and no thread left behind to stop forked_map from forking
        "89401",
        "{'data/x.json': b'1'}",
        "raised: no data for you",
        "cancelled quickly: True True",
    ]


def test_with_one_worker_the_job_runs_when_its_result_is_asked_for() -> None:
    lines = run_isolated("""
        from kabul_brief.workers import in_background
        calls = []
        job = in_background(lambda: calls.append(1) or "done", 1)
        before = len(calls)
        print(before, job.result(), len(calls))
    """).splitlines()
    assert lines == ["0 done 1"]


def test_forked_map_keeps_item_order_and_raises_a_workers_error_here() -> None:
    lines = run_isolated("""
        import os, time
        from kabul_brief.workers import forked_map

        def uneven(n):
            time.sleep(0.002 if n % 97 == 0 else 0)  # some chunks slower than others
            return n * 3

        def fails_late(n):
            if n == 777:
                raise KeyError("item 777")
            return n

        def children():
            return (len(os.listdir(f"/proc/{os.getpid()}/task")),
                    open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split())

        with forked_map(uneven, range(1234), 3) as tripled:
            print(list(tripled) == [n * 3 for n in range(1234)])
        try:
            with forked_map(fails_late, range(1000), 2) as results:
                list(results)
        except KeyError as error:
            print("raised:", error)
        try:
            with forked_map(lambda n: (lambda: n), range(400), 2) as results:
                list(results)  # results that won't pickle
        except RuntimeError as error:
            print("raised:", type(error).__name__)
        with forked_map(uneven, range(5000), 2) as taken:
            print(next(taken), next(taken))  # the caller stops early: the workers go
        print("children left:", *children())
        try:
            with forked_map(uneven, range(5000), 2) as taken:
                next(taken)
                raise KeyboardInterrupt  # Ctrl-C as the pages come in
        except KeyboardInterrupt as stop:
            held = stop  # its traceback keeps the frames, and once kept the generator
            print("children left after Ctrl-C:", *children())
    """).splitlines()
    assert lines == ["True", "raised: 'item 777'", "raised: RuntimeError", "0 3",
                     "children left: 1 []", "children left after Ctrl-C: 1 []"]


STOPPED_BUILD = """
import sys, time
from kabul_brief import stopping
from kabul_brief.workers import forked_map

def quick(n):
    return n

stopping.install()
print("started", flush=True)
try:
    while True:
        with forked_map(quick, range(3000), 2) as results:
            list(results)
except KeyboardInterrupt as stop:
    print("stopped:", type(stop).__name__, file=sys.stderr)
"""


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_to_the_whole_group_stops_the_workers_at_any_moment(
        number: signal.Signals) -> None:
    """A CI runner (SIGTERM) or a terminal (Ctrl-C) signals every process of the group,
    at whatever moment: while workers are forked, while they wait for work, while they
    send results. The parent must stop every time, with its one line. (With
    ``multiprocessing.Pool``, a worker killed holding the task queue's lock made the
    parent wait for ever: a third of these runs hung.)"""
    expected = "stopped: Terminated" if number == signal.SIGTERM else (
        "stopped: KeyboardInterrupt")
    randomly = random.Random(11)
    for _ in range(15):
        _, err = signalled([sys.executable, "-c", STOPPED_BUILD], None, _started,
                           (number, randomly.uniform(0.05, 0.6)))
        assert err.splitlines() == [expected]


def _started(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    assert process.stdout.readline() == "started\n"
