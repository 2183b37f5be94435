"""The background job that makes the data files while pages render: its result, its
errors, and that forking stays possible while it runs."""

from __future__ import annotations

from conftest import run_isolated

BACKGROUND = """
import threading, time
from kabul_brief.workers import can_fork, forked_map, in_background

def boom():
    raise ValueError("no data for you")

job = in_background(lambda: {"data/x.json": b"1"}, 2)
print(job._child is not None, threading.active_count(), can_fork())
print(list(forked_map(lambda n: n * n, list(range(300)), 2))[-1])
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
