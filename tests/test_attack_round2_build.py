"""The build under a second round of outside attacks: a build killed (SIGKILL) or
stopped (SIGTERM) halfway, the working folders dead builds leave, a build into a
mount point, a broken template, a huge planted cache file, a base URL with encoded
dot segments, hostile requests to the preview, bad usage of ``serve`` and ``schema``.

What a user sees: the exit code, one line per problem, no traceback, the previous
site intact, nothing left behind (neither folders nor processes), byte-identical
output."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kabul_brief.publish import writer
from tests.conftest import CliResult

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}
TEMPLATE_EVENT = "india-briefs-foreign-envoys-2025-04"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".kabul-brief-tmp"))


def run_cli_process(*args: str, cwd: Path, timeout: float = 300,
                    env: dict[str, str] | None = None) -> CliResult:
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", *args], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, check=False, env=env or ENV)
    return CliResult(code=result.returncode, out=result.stdout, err=result.stderr)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# 1-3. A build killed or stopped halfway


def big_content(folder: Path, events: int = 400) -> Path:
    """The project's content with ``events`` more events: a build of a few seconds,
    rendered by forked workers."""
    content = folder / "content"
    shutil.copytree(REPO / "content", content)
    source = (content / "events" / f"{TEMPLATE_EVENT}.yaml").read_text("utf-8")
    for n in range(events):
        (content / "events" / f"gen-event-{n:04d}.yaml").write_text(
            source.replace(f"id: {TEMPLATE_EVENT}", f"id: gen-event-{n:04d}"), "utf-8")
    return content


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a big content folder and its built site, ``out``."""
    root = tmp_path_factory.mktemp("big")
    big_content(root)
    result = run_cli_process("build", "-q", "--content", "content", "--out", "out", cwd=root)
    assert result.code == 0, result.err
    return root


@pytest.fixture
def site_copy(big_site: Path, tmp_path: Path) -> Path:
    """A copy of :func:`big_site` with a different content (a fifth of the events
    gone), so that a build has pages to render and a site to replace."""
    root = tmp_path / "w"
    shutil.copytree(big_site, root, symlinks=True)
    for n in range(0, 400, 5):
        (root / "content" / "events" / f"gen-event-{n:04d}.yaml").unlink()
    return root


def processes_mentioning(text: str) -> list[int]:
    """Pids of the live processes whose command line or working folder holds ``text``
    (Pagefind's service runs with no path on its command line, in the folder it
    indexes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            cmdline += b" " + os.fsencode(os.readlink(entry / "cwd"))
            state = next(line for line in (entry / "status").read_text().splitlines()
                         if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if text.encode() in cmdline and "zombie" not in state:
            found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(n) for n in (task / "children").read_text().split()]
    return found


def catches(pid: int, number: int) -> bool:
    """True once process ``pid`` has a handler for signal ``number``."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line for line in status.splitlines()
                      if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught >> (number - 1) & 1)


def read_to_eof(stream: object, seconds: float) -> bool:
    """Read ``stream`` until end of file; False if it does not come in time."""
    assert hasattr(stream, "fileno")
    fd = stream.fileno()
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        if not os.read(fd, 65536):
            return True


@pytest.fixture
def reaper() -> Iterator[Reaper]:
    """The processes a test started: any left alive at the end are killed and waited
    for, so a failing test leaves no orphan behind (nor open pipes, which a later
    test would see reported as unraisable warnings)."""
    started = Reaper()
    yield started
    for mark in started.marks:
        for pid in processes_mentioning(mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    for process in started.processes:
        process.communicate()


@dataclasses.dataclass
class Reaper:
    marks: list[str] = dataclasses.field(default_factory=list)
    """Unique paths on the command lines of the processes, the workers' too."""
    processes: list[subprocess.Popen[bytes]] = dataclasses.field(default_factory=list)


def start_build(root: Path, reaper: Reaper) -> subprocess.Popen[bytes]:
    content = str(root / "content")
    reaper.marks.append(content)
    build = subprocess.Popen(
        [sys.executable, "-m", "kabul_brief", "build", "-q", "--jobs", "2",
         "--content", content, "--out", "out"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
        start_new_session=True)
    reaper.processes.append(build)
    return build


def wait_for(condition: object, seconds: float = 240) -> None:
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def pages_being_written(root: Path, build: subprocess.Popen[bytes]) -> bool:
    return bool(children(build.pid)) and bool(list(root.glob(".kabul-brief-tmp-*/events")))


def test_a_killed_build_leaves_no_process_and_closes_its_output(
        site_copy: Path, reaper: Reaper) -> None:
    """SIGKILL mid-build: the forked workers die with it, so nothing keeps writing to
    a pipe nobody reads, and a CI step reading the build's output sees it end."""
    build = start_build(site_copy, reaper)
    wait_for(lambda: pages_being_written(site_copy, build))
    workers = children(build.pid)
    assert workers
    build.kill()
    build.wait(30)
    try:
        assert read_to_eof(build.stdout, 15), "stdout never reached end of file"
        assert read_to_eof(build.stderr, 15), "stderr never reached end of file"
    finally:
        assert build.stdout is not None and build.stderr is not None
        build.stdout.close()
        build.stderr.close()
    deadline = time.monotonic() + 10
    while processes_mentioning(str(site_copy / "content")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(site_copy / "content")) == []


def test_the_folder_of_a_killed_build_is_cleaned_by_the_next(
        site_copy: Path, reaper: Reaper) -> None:
    build = start_build(site_copy, reaper)
    wait_for(lambda: pages_being_written(site_copy, build))
    build.kill()
    build.communicate(timeout=60)
    assert leftovers(site_copy)
    time.sleep(2)  # the workers' death signal is immediate; give them a moment all the same
    result = run_cli_process("build", "-q", "--content", "content", "--out", "out",
                             cwd=site_copy)
    assert result.code == 0, result.err
    assert leftovers(site_copy) == []


def search_indexing(root: Path, build: subprocess.Popen[bytes]) -> bool:
    return bool(list(root.glob(".kabul-brief-tmp-*/.search-staging-*")))


@pytest.mark.parametrize("when", [
    "after 0.2 s", "after 1 s", "pages being written", "search index",
])
def test_sigterm_stops_a_build_as_ctrl_c_does(site_copy: Path, reaper: Reaper,
                                              when: str) -> None:
    """SIGTERM (a CI job cancelled, a container stopped): one line, exit 143, the old
    site as it was, no working folder, no worker's traceback, no process left."""
    before = tree(site_copy / "out")
    build = start_build(site_copy, reaper)
    wait_for(lambda: catches(build.pid, signal.SIGTERM))
    if when.startswith("after"):
        time.sleep(float(when.split()[1]))
    elif when == "pages being written":
        wait_for(lambda: pages_being_written(site_copy, build))
    else:
        wait_for(lambda: search_indexing(site_copy, build))
    build.terminate()
    out, err = build.communicate(timeout=120)
    assert build.returncode == 143, err
    assert err.decode().splitlines() == [
        "kabul-brief build: terminated; out was left as it was"]
    assert out == b""
    assert tree(site_copy / "out") == before
    assert leftovers(site_copy) == []
    # at once: the build waited for its workers and indexers; Pagefind's service ends
    # as its indexer's pipe closes
    deadline = time.monotonic() + 2
    while processes_mentioning(str(site_copy)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_mentioning(str(site_copy)) == []  # workers, indexers, Pagefind


def test_sigterm_to_the_whole_group_is_one_line(site_copy: Path, reaper: Reaper) -> None:
    """A CI runner signals the job's whole process group: the workers end quietly."""
    build = start_build(site_copy, reaper)
    wait_for(lambda: pages_being_written(site_copy, build))
    os.killpg(build.pid, signal.SIGTERM)
    _, err = build.communicate(timeout=120)
    assert build.returncode == 143, err
    assert err.decode().splitlines() == [
        "kabul-brief build: terminated; out was left as it was"]
    assert leftovers(site_copy) == []


def plant(parent: Path, name: str, marker: bool, lock: bool, age: float = 0) -> Path:
    folder = parent / f".kabul-brief-tmp-{name}"
    (folder / "events" / "x").mkdir(parents=True)
    (folder / "events" / "x" / "index.html").write_text("<p>half a site</p>", "utf-8")
    if marker:
        (folder / writer.MARKER).write_bytes(writer.MARKER_TEXT)
    if lock:
        (folder / writer.LOCK).write_text("999999\n", "utf-8")
    if age:
        then = time.time() - age
        os.utime(folder, (then, then))
    return folder


def test_dead_working_folders_are_cleaned_and_live_ones_kept(
        big_site: Path, tmp_path: Path) -> None:
    """Dead: a free lock or none, with the marker, or without it (a build killed while
    it deleted its folder, the marker already gone) if untouched for long. Kept: a
    folder whose lock a live process holds, and a fresh one without a marker (a build
    that has just made it and is about to lock it)."""
    root = tmp_path / "w"
    shutil.copytree(big_site, root, symlinks=True)
    hour = 3600.0
    dead = [plant(root, "free-lock", marker=True, lock=True),
            plant(root, "no-lock", marker=True, lock=False),
            plant(root, "unmarked-free-lock", marker=False, lock=True, age=hour),
            plant(root, "unmarked-no-lock", marker=False, lock=False, age=hour)]
    held = plant(root, "held", marker=True, lock=True, age=hour)
    held_unmarked = plant(root, "held-unmarked", marker=False, lock=True, age=hour)
    fresh = plant(root, "fresh-unmarked", marker=False, lock=False)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         "fds = [os.open(p, os.O_RDWR) for p in sys.argv[1:]]\n"
         "[fcntl.flock(fd, fcntl.LOCK_EX) for fd in fds]\n"
         "print('locked', flush=True); time.sleep(600)",
         str(held / writer.LOCK), str(held_unmarked / writer.LOCK)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        for lock in (held / writer.LOCK, held_unmarked / writer.LOCK):
            probe = os.open(lock, os.O_RDONLY)
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.close(probe)
        (root / "content" / "site.yaml").write_text(
            (root / "content" / "site.yaml").read_text("utf-8") + "\n# an edit\n", "utf-8")
        result = run_cli_process("build", "-q", "--content", "content", "--out", "out",
                                 cwd=root)
        assert result.code == 0, result.err
        assert [folder for folder in dead if folder.exists()] == []
        assert leftovers(root) == sorted(p.name for p in (held, held_unmarked, fresh))
    finally:
        holder.kill()
        holder.communicate()


# Content finding 11. Bad usage of serve and schema


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_serve_refuses_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    result = run_cli_process("serve", "--port", port, cwd=tmp_path, timeout=60)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.splitlines()[-1].startswith("kabul-brief serve: error: argument --port")


@pytest.mark.parametrize("out", ["afile", "/proc/x"])
def test_schema_into_a_file_or_an_unwritable_path_is_one_line(tmp_path: Path,
                                                              out: str) -> None:
    (tmp_path / "afile").write_text("x", "utf-8")
    result = run_cli_process("schema", "--out", out, cwd=tmp_path, timeout=60)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kabul-brief schema: error: cannot write {out}")
