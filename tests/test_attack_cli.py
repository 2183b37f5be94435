"""The CLI under hostile conditions: bad folders, Ctrl-C, a full disk, forged error
lines, YAML-typed ids, edits that keep size and time, concurrent builds, a linked or
mounted ``--out``. What an editor sees: the exit code, one line per problem, no
traceback, the previous site intact and nothing left behind."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from kabul_brief.publish import writer
from tests.conftest import CliResult, mutate
from tests.test_cli_editing import filled_in

REPO = Path(__file__).resolve().parents[1]
EVENT = "content/events/kabul-meeting.yaml"
OLD_TITLE = "title: Indian delegation meets Muttaqi in Kabul"


def page_title(out: Path) -> str:
    soup = BeautifulSoup((out / "events/kabul-meeting/index.html").read_bytes(), "html.parser")
    heading = soup.find("h1")
    assert heading is not None
    return heading.get_text(" ", strip=True)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".kabul-brief-tmp"))


def run_cli_process(*args: str, cwd: Path, timeout: float = 120) -> CliResult:
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", *args], cwd=cwd, capture_output=True,
        text=True, timeout=timeout, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    return CliResult(code=result.returncode, out=result.stdout, err=result.stderr)


def assert_one_line_error(result: CliResult, code: int, *needles: str) -> None:
    assert result.code == code, (result.out, result.err)
    assert "Traceback" not in result.out + result.err
    lines = [line for line in result.err.splitlines() if "error" in line]
    assert len(lines) == 1, result.err
    for needle in needles:
        assert needle in lines[0], lines[0]


# 1. Folders that are not what they should be


@pytest.mark.parametrize(("content", "message"), [
    ("nowhere", "nowhere: error: the content folder does not exist [missing-content]"),
    ("afile", "afile: error: the content folder is a file, not a folder [missing-content]"),
])
def test_build_with_a_missing_or_file_content_folder_is_a_content_error(
    good_site: Path, run_cli: Callable[..., CliResult], content: str, message: str
) -> None:
    (good_site / "afile").write_text("not a folder\n", "utf-8")
    result = run_cli("build", "--content", content, "--out", "_site")
    assert result.code == 1
    assert result.error_lines == [message]
    assert "Traceback" not in result.err
    assert not (good_site / "_site").exists()


@pytest.mark.parametrize(("out", "needle"), [
    ("afile/site", "afile is a file, not a folder"),
    ("afile", "--out afile is a file"),
    (".kabul-brief-cache", "cache folder"),
    (".kabul-brief-cache/site", "cache folder"),
    ("content", "content folder"),
    ("content/events", "content folder"),
    (".", "content folder"),
    ("..", "content folder"),
])
def test_build_refuses_an_out_that_would_destroy_something(
    good_site: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
    out: str, needle: str,
) -> None:
    monkeypatch.delenv("KABUL_BRIEF_CACHE")  # the cache beside the content, by default
    (good_site / "afile").write_text("not a folder\n", "utf-8")
    before = sorted(str(p) for p in good_site.rglob("*"))
    result = run_cli("build", "--out", out)
    assert_one_line_error(result, 2, f"--out {out}", needle)
    assert sorted(str(p) for p in good_site.rglob("*")) == before


def test_build_refuses_the_cache_folder_named_by_the_environment(
    good_site: Path, run_cli: Callable[..., CliResult], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KABUL_BRIEF_CACHE", str(tmp_path / "caches"))
    result = run_cli("build", "--out", str(tmp_path / "caches"))
    assert_one_line_error(result, 2, "cache folder")


# 1. Ctrl-C


def test_ctrl_c_during_a_build_keeps_the_old_site_and_leaves_nothing(
    good_site: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run_cli("build", "-q", "--out", "_site").code == 0
    before = {p: p.read_bytes() for p in (good_site / "_site").rglob("*") if p.is_file()}
    mutate(good_site, EVENT, OLD_TITLE, "title: Delegation talks in Kabul")
    written = writer.write_file
    calls = []

    def interrupted(root: Path, relative: str, data: bytes) -> None:
        calls.append(relative)
        if len(calls) == 5:
            raise KeyboardInterrupt
        written(root, relative, data)

    monkeypatch.setattr(writer, "write_file", interrupted)
    result = run_cli("build", "-q", "--out", "_site", "--jobs", "1")
    assert result.code == 130
    assert result.err.splitlines() == [
        "kabul-brief build: interrupted; _site was left as it was"]
    after = {p: p.read_bytes() for p in (good_site / "_site").rglob("*") if p.is_file()}
    assert after == before
    assert leftovers(good_site) == []


def test_a_real_sigint_exits_130_without_a_traceback(good_site: Path,
                                                      run_cli: Callable[..., CliResult]) -> None:
    assert run_cli("build", "-q", "--out", "_site").code == 0
    before = page_title(good_site / "_site")
    mutate(good_site, EVENT, OLD_TITLE, "title: Delegation talks in Kabul")
    script = textwrap.dedent("""
        import os, signal, sys
        from kabul_brief.publish import writer
        from kabul_brief.cli import main
        written, calls = writer.write_file, []
        def write_file(root, relative, data):
            calls.append(relative)
            if len(calls) == 5:
                os.kill(os.getpid(), signal.SIGINT)
            written(root, relative, data)
        writer.write_file = write_file
        # As a terminal starts a command: nothing blocked (a child inherits the test
        # process's signal mask, which is not a terminal's).
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        sys.exit(main(["build", "-q", "--out", "_site", "--jobs", "1"]))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=good_site, capture_output=True, text=True,
        timeout=120, check=False, env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert page_title(good_site / "_site") == before
    assert leftovers(good_site) == []


# 1. A full disk


def test_a_full_disk_in_process_keeps_the_old_site_and_removes_the_working_folder(
    good_site: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run_cli("build", "-q", "--out", "_site").code == 0
    before = page_title(good_site / "_site")
    mutate(good_site, EVENT, OLD_TITLE, "title: Delegation talks in Kabul")

    def full(root: Path, relative: str, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(root / relative))

    monkeypatch.setattr(writer, "write_file", full)
    result = run_cli("build", "-q", "--out", "_site", "--jobs", "1")
    assert_one_line_error(result, 2, "could not write _site", "No space left on device")
    assert page_title(good_site / "_site") == before
    assert leftovers(good_site) == []


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """Mount small tmpfs file systems (the suite runs as root); unmounted afterwards."""
    mounted: list[Path] = []

    def mount(folder: Path, size: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(folder)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"cannot mount a tmpfs: {done.stderr}")
        mounted.append(folder)
        return folder

    try:
        yield mount
    finally:
        for folder in reversed(mounted):
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, keep: int) -> None:
    """Fill the file system of ``folder`` but ``keep`` bytes."""
    free = shutil.disk_usage(folder).free - keep
    with (folder / "filler").open("wb") as stream:
        stream.write(b"\0" * max(free, 0))


def test_a_full_disk_on_a_real_file_system(
    good_site: Path, run_cli: Callable[..., CliResult],
    tmpfs: Callable[[Path, str], Path],
) -> None:
    disk = tmpfs(good_site / "disk", "20m")
    out = disk / "site"
    assert run_cli("build", "-q", "--out", str(out)).code == 0
    before = page_title(out)
    mutate(good_site, EVENT, OLD_TITLE, "title: Delegation talks in Kabul")
    fill(disk, 40_000)
    result = run_cli_process("build", "-q", "--out", "disk/site", cwd=good_site)
    assert_one_line_error(result, 2, "could not write disk/site", "No space left on device")
    assert page_title(out) == before
    assert leftovers(disk) == []
    (disk / "filler").unlink()
    assert run_cli("build", "-q", "--out", str(out)).code == 0
    assert page_title(out) == "Delegation talks in Kabul"


# 2. Control characters in file names


def test_a_file_name_with_a_newline_cannot_forge_error_lines(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    folder = good_site / "content/events/x\n content"
    folder.mkdir()
    (folder / "y.yaml:1:1: error: forged.yaml").write_text("id: [\n", "utf-8")
    for command in ("check", "build"):
        result = run_cli(command)
        assert result.code == 1
        lines = result.err.splitlines()
        assert lines == [
            "content/events/x\\n content/y.yaml:1:1: error: forged.yaml:2:1: error: YAML syntax"
            " error: did not find expected node content (while parsing a flow node)"
            " [yaml-syntax]",
            "1 error found; nothing was written.",
        ]


def test_usage_errors_escape_control_characters(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "afile").write_text("x", "utf-8")
    result = run_cli("build", "--out", "afile/\nerror: forged")
    assert_one_line_error(result, 2, "afile/\\nerror: forged")


# 3. Ids that YAML would read as another type


@pytest.mark.parametrize("title", ["null", "yes", "2025", "on", "012", "no", "true", "1e3",
                                   "0x1f", "y"])
def test_new_writes_ids_that_read_back_as_the_same_string(
    good_site: Path, run_cli: Callable[..., CliResult], title: str
) -> None:
    result = run_cli("new", "event", title)
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.stem == title.lower()
    data = yaml.safe_load(path.read_text("utf-8"))
    assert data["id"] == title.lower()
    assert data["title"] == title
    path.write_text(filled_in(path, "event"), encoding="utf-8")  # and published
    checked = run_cli("check")
    assert checked.code == 0, checked.err


@pytest.mark.parametrize("title", ['Ghani: "no" #1', "- a list?", "x" * 150, "it's 'quoted'"])
def test_new_writes_titles_that_read_back_as_given(
    good_site: Path, run_cli: Callable[..., CliResult], title: str
) -> None:
    result = run_cli("new", "actor", title)
    assert result.code == 0, result.err
    assert yaml.safe_load(Path(result.out.strip()).read_text("utf-8"))["name"] == title


# 4. An edit that keeps the size and the modification time


def test_an_edit_keeping_size_and_mtime_is_rebuilt(good_site: Path) -> None:
    event = good_site / EVENT
    times = os.stat(event)
    os.utime(event, ns=(times.st_atime_ns, times.st_mtime_ns - 10_000_000_000))
    times = os.stat(event)
    time.sleep(2.1)  # settled: its digest is remembered by the first build
    assert run_cli_process("build", "-q", "--out", "_site", cwd=good_site).code == 0
    assert page_title(good_site / "_site") == "Indian delegation meets Muttaqi in Kabul"
    text = event.read_text("utf-8")
    edited = text.replace("Indian delegation meets", "Afghan delegation meets")
    assert len(edited.encode()) == len(text.encode())
    event.write_text(edited, "utf-8")
    os.utime(event, ns=(times.st_atime_ns, times.st_mtime_ns))  # as cp -p, rsync -a do
    assert os.stat(event).st_size == times.st_size
    result = run_cli_process("build", "--out", "_site", cwd=good_site)
    assert result.code == 0, result.err
    assert "up to date" not in result.out
    assert page_title(good_site / "_site") == "Afghan delegation meets Muttaqi in Kabul"


# 5. Concurrent builds into sibling folders


def test_concurrent_builds_into_one_parent_do_not_break_each_other(good_site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    (good_site / "www").mkdir()
    for _ in range(4):
        builds = [
            subprocess.Popen(
                [sys.executable, "-m", "kabul_brief", "build", "-q", "--jobs", "1",
                 "--out", f"www/site-{n}"],
                cwd=good_site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=env)
            for n in range(4)
        ]
        for build in builds:
            _, err = build.communicate(timeout=300)
            assert build.returncode == 0, err
            assert "Traceback" not in err
        for n in range(4):
            out = good_site / f"www/site-{n}"
            assert page_title(out) == "Indian delegation meets Muttaqi in Kabul"
            assert (out / "pagefind/pagefind.js").is_file()
            assert (out / ".kabul-brief-manifest.json").is_file()
            assert not (out / writer.LOCK).exists()
        assert leftovers(good_site / "www") == []
        for n in range(4):  # the next round builds them all from nothing again
            shutil.rmtree(good_site / f"www/site-{n}")


def test_only_dead_working_folders_are_cleaned(good_site: Path, tmp_path: Path) -> None:
    parent = tmp_path / "www"
    parent.mkdir()
    with writer._working_folder(parent) as alive:
        dead = parent / ".kabul-brief-tmp-dead"
        dead.mkdir()
        (dead / writer.MARKER).write_bytes(writer.MARKER_TEXT)
        (dead / writer.LOCK).write_text("12345\n", "utf-8")
        writer._clean_leftovers(parent)
        assert alive.is_dir()
        assert not dead.exists()
    assert not alive.exists()


# 6. --out a symbolic link, --out a mount point


def test_out_as_a_symlink_updates_its_target(good_site: Path,
                                             run_cli: Callable[..., CliResult],
                                             tmp_path: Path) -> None:
    target = tmp_path / "var-www-site"
    (good_site / "_site").symlink_to(target)
    for title in ("Indian delegation meets Muttaqi in Kabul", "Delegation talks in Kabul"):
        if title != "Indian delegation meets Muttaqi in Kabul":
            mutate(good_site, EVENT, OLD_TITLE, f"title: {title}")
        result = run_cli("build", "-q", "--out", "_site")
        assert result.code == 0, result.err
        assert (good_site / "_site").is_symlink()
        assert os.readlink(good_site / "_site") == str(target)
        assert page_title(target) == title
        assert not (target / writer.LOCK).exists()
    assert leftovers(tmp_path) == [] and leftovers(good_site) == []


def test_out_as_a_mount_point_is_updated_in_place(
    good_site: Path, run_cli: Callable[..., CliResult],
    tmpfs: Callable[[Path, str], Path],
) -> None:
    out = tmpfs(good_site / "_site", "20m")
    assert run_cli("build", "-q", "--out", "_site").code == 0
    assert page_title(out) == "Indian delegation meets Muttaqi in Kabul"
    (out / "stale.html").write_text("left by hand", "utf-8")
    mutate(good_site, EVENT, OLD_TITLE, "title: Delegation talks in Kabul")
    result = run_cli("build", "-q", "--out", "_site")
    assert result.code == 0, result.err
    assert os.path.ismount(out)
    assert page_title(out) == "Delegation talks in Kabul"
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".kabul-brief-graph", ".kabul-brief-manifest.json", ".kabul-brief-site"]
    again = run_cli("build", "--out", "_site")
    assert again.code == 0 and "up to date" in again.out


def test_a_mount_point_never_sees_a_rename_over_it(
    good_site: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch,
    tmpfs: Callable[[Path, str], Path],
) -> None:
    """Without renameat2 (another kernel, another system) the entries move one by one."""
    out = tmpfs(good_site / "_site", "20m")
    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    for title in ("Indian delegation meets Muttaqi in Kabul", "Delegation talks in Kabul"):
        if title != "Indian delegation meets Muttaqi in Kabul":
            mutate(good_site, EVENT, OLD_TITLE, f"title: {title}")
        result = run_cli("build", "-q", "--out", "_site")
        assert result.code == 0, result.err
        assert page_title(out) == title
        assert leftovers(out) == []



@pytest.mark.parametrize("mask", ["nothing blocked", "Ctrl-C blocked by the parent"])
def test_ctrl_c_to_the_terminal_s_group_during_a_parallel_build_is_one_line(
    tmp_path: Path, mask: str,
) -> None:
    """Ctrl-C reaches every process of the group, the forked workers too: only the
    parent speaks, once. A parent that started the build with the signal blocked (the
    mask is inherited) does not make Ctrl-C do nothing."""
    content = tmp_path / "content"
    subprocess.run([sys.executable, str(REPO / "bench/generate.py"), "S", str(content)],
                   check=True, capture_output=True, timeout=120)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    build = subprocess.Popen(
        [sys.executable, "-m", "kabul_brief", "build", "-q", "--jobs", "2",
         "--content", "content", "--out", "_site"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
        preexec_fn=(None if mask == "nothing blocked" else
                    lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob(".kabul-brief-tmp-*/events")):
        time.sleep(0.02)  # pages are being written by the workers
    os.killpg(build.pid, signal.SIGINT)
    _, err = build.communicate(timeout=120)
    assert build.returncode == 130, err
    assert err.splitlines() == ["kabul-brief build: interrupted; _site was left as it was"]
    assert not (tmp_path / "_site").exists()
    assert leftovers(tmp_path) == []
