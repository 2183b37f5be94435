"""Stopping, under a fourth round of outside attacks: Ctrl-C or SIGTERM at a random
moment of a build's whole life (start-up, rendering, the swap, the last lines), two
signals in quick succession, and a preview given two Ctrl-C.

What a user (or a CI runner reading the exit status) sees: an exit status of 0, 130
or 143, never a death by the signal; at most the one line saying so, never a
traceback; and a line that tells the truth about ``--out``: "left as it was" only
when it is, byte for byte."""

from __future__ import annotations

import contextlib
import functools
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GOOD_SITE, CliResult, signalled
from tests.test_attack_round2_build import (
    ENV,
    catches,
    leftovers,
    processes_mentioning,
    run_cli_process,
    tree,
)
from tests.test_attack_serve import start
from tests.test_serve import WAIT, fetch, wait_for

PAGE = "/events/kabul-meeting/"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = tmp_path / "w"
    shutil.copytree(GOOD_SITE, root)
    result = run_cli_process("build", "-q", "--content", "content", "--out", "out", cwd=root)
    assert result.code == 0, result.err
    return root


BUILD = [sys.executable, "-m", "kabul_brief", "build", "--jobs", "2", "--content", "content",
         "--out", "out"]


def handlers_set(process: subprocess.Popen[str]) -> None:
    """Wait until the command handles SIGTERM (its first moment as itself)."""
    deadline = time.monotonic() + WAIT
    while not catches(process.pid, signal.SIGTERM) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)


def summary_printed(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().startswith("built ")


def answers(url: str) -> bool:
    return fetch(url)[0] == 200


def _retitle(root: Path, number: int) -> None:
    """An edit, so that the next build has a new site to write."""
    site_yaml = root / "content" / "site.yaml"
    lines = site_yaml.read_text("utf-8").splitlines(keepends=True)
    lines = [f"title: Brief number {number}\n" if line.startswith("title:") else line
             for line in lines]
    site_yaml.write_text("".join(lines), "utf-8")


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_signal_at_any_moment_of_a_build_is_one_true_line(
        built: Path, number: signal.Signals) -> None:
    """A whole build's life, from the moment the signal handlers exist: whichever
    moment the signal lands, the status is the build's or the signal's, never a death
    by the signal, and the line says where the site is."""
    randomly = random.Random(4 + number)
    word, stopped = ("interrupted", 130) if number == signal.SIGINT else ("terminated", 143)
    seen: set[str] = set()
    for run in range(14):
        _retitle(built, run)
        before = tree(built / "out")
        status, err = signalled(BUILD, built, handlers_set, (number, randomly.uniform(0, 1.5)))
        after = tree(built / "out")
        lines = err.splitlines()
        assert "Traceback" not in err, err
        assert leftovers(built) == []
        if status == 0:
            assert lines == [], err
            assert f"Brief number {run}".encode() in after["index.html"]
            seen.add("built")
        elif lines == [f"kabul-brief build: {word}; out was left as it was"]:
            assert status == stopped
            assert after == before
            seen.add("left")
        elif lines == [f"kabul-brief build: {word}; the new site was already written to out"]:
            assert status == stopped
            assert f"Brief number {run}".encode() in after["index.html"]
            seen.add("written")
        else:
            assert lines == [f"kabul-brief build: {word}"], (status, err)  # before the build began
            assert status == stopped
            assert after == before
        assert processes_mentioning(str(built)) == []
    assert "left" in seen, seen  # the moments drawn reached into the build


def test_an_interrupt_once_the_new_site_is_in_place_says_so(
        built: Path, monkeypatch: pytest.MonkeyPatch, run_cli: object) -> None:
    """The writer holds a Ctrl-C that arrives during the swap and raises it once the
    swap is done: the site is then the new one, and "left as it was" would be a lie
    (the CI job is marked failed while the site is in fact published)."""
    from kabul_brief.publish import build as build_module

    building = build_module.build_site

    def then_interrupted(*args: object, **kwargs: object) -> object:
        building(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    _retitle(built, 99)
    monkeypatch.chdir(built)
    monkeypatch.setattr(build_module, "build_site", then_interrupted)
    assert callable(run_cli)
    result: CliResult = run_cli("build", "--jobs", "1", "--out", "out")
    assert result.code == 130
    assert result.err.splitlines() == [
        "kabul-brief build: interrupted; the new site was already written to out"]
    assert b"Brief number 99" in (built / "out" / "index.html").read_bytes()


def test_an_interrupt_before_the_swap_leaves_out_as_it_was(
        built: Path, monkeypatch: pytest.MonkeyPatch, run_cli: object) -> None:
    from kabul_brief.publish import build as build_module

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    _retitle(built, 98)
    before = tree(built / "out")
    monkeypatch.chdir(built)
    monkeypatch.setattr(build_module, "build_site", interrupted)
    assert callable(run_cli)
    result: CliResult = run_cli("build", "--jobs", "1", "--out", "out")
    assert result.code == 130
    assert result.err.splitlines() == ["kabul-brief build: interrupted; out was left as it was"]
    assert tree(built / "out") == before


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_two_signals_in_quick_succession_stop_a_build_once(
        built: Path, second: signal.Signals) -> None:
    """A second Ctrl-C, or the SIGTERM a runner sends after the SIGINT, cannot cut the
    clean-up short: the first signal decides, and is the one line."""
    for run in range(4):
        _retitle(built, run)
        before = tree(built / "out")
        status, err = signalled(BUILD, built, handlers_set, (signal.SIGINT, 0.3 + 0.1 * run),
                                (second, 0.01 * run))
        assert status == 130, err
        assert err.splitlines() == ["kabul-brief build: interrupted; out was left as it was"]
        assert tree(built / "out") == before
        assert leftovers(built) == []


def test_a_second_ctrl_c_still_stops_the_preview_cleanly(tmp_path: Path) -> None:
    """Ctrl-C pressed twice (impatience): the preview says "stopped" and exits 0, with
    its folder removed, not killed by the second signal halfway through its clean-up."""
    for run in range(3):
        preview = start(tmp_path)
        wait_for("the first build", functools.partial(answers, preview.base + PAGE))
        preview.process.send_signal(signal.SIGINT)
        time.sleep(0.02 * run)
        preview.process.send_signal(signal.SIGINT)
        assert preview.process.wait(timeout=WAIT) == 0
        output = preview.output()
        assert "Traceback" not in output, output
        assert output.splitlines()[-1] == "stopped"
        assert list(preview.temp.iterdir()) == []


def test_the_build_py_script_stops_as_the_command_does(built: Path) -> None:
    _retitle(built, 7)
    before = tree(built / "out")
    status, err = signalled(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "build.py"), "--jobs",
         "2", "--content", "content", "--out", "out"], built, handlers_set,
        (signal.SIGTERM, 0.3))
    assert status == 143, err
    assert err.splitlines() in (["kabul-brief build: terminated; out was left as it was"],
                                ["kabul-brief build: terminated"])
    assert tree(built / "out") == before


# -- a link to another host written without a scheme --------------------------------


@pytest.mark.parametrize(("target", "shown"), [
    ("//evil.example/a", "//evil.example/a"), ("/\\evil.example/a", "/\\evil.example/a"),
    ("\\\\\\\\evil.example/a", "\\\\evil.example/a"),  # Markdown unescapes to two
    ("%2F%2Fevil.example/a", ""),
])
def test_a_link_to_another_host_without_a_scheme_is_refused(
        good_site: Path, run_cli: object, target: str, shown: str) -> None:
    """``//host/path`` is no relative path: it leaves the site for any host, in the
    page's own scheme (browsers read a backslash as a slash there)."""
    from tests.conftest import refused

    article = good_site / "content" / "articles" / "fz-host.md"
    article.write_text(f"---\ntitle: Fz\ndate: 2025-05-01\n---\nSee [this]({target}).\n",
                       "utf-8")
    assert callable(run_cli)
    if not shown:  # percent-encoded slashes are a path on this site
        built = run_cli("build", "--out", "_site", "--quiet", "--jobs", "1")
        assert built.code == 0, built.err
        return
    result = refused(
        run_cli, f"content/articles/fz-host.md:5:12: error: link target `{shown}` names"
                 " another host without a scheme; it is not a relative path [link-scheme]")
    assert "https://evil.example/a" in result.err


# -- odd settings and closed pipes ---------------------------------------------------


@pytest.mark.parametrize("written", ["inf", "nan", "abc", "-1", "0", "1e9"])
def test_a_preview_timeout_that_is_no_number_of_seconds_is_refused(
        tmp_path: Path, written: str) -> None:
    shutil.copytree(GOOD_SITE, tmp_path / "site")
    done = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "serve", "--port", "0"], cwd=tmp_path / "site",
        capture_output=True, text=True, timeout=WAIT, check=False,
        env={**ENV, "KABUL_BRIEF_SERVE_TIMEOUT": written})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "kabul-brief serve: error: KABUL_BRIEF_SERVE_TIMEOUT must be a number of seconds"
        f" above 0 and at most 3600, not {written!r}"]


def test_a_build_whose_report_nobody_reads_still_succeeds(built: Path) -> None:
    """``kabul-brief build | head -1``: the reader goes away; the site is built, and the
    build says nothing of the closed pipe."""
    _retitle(built, 5)
    reader, writer = os.pipe()
    os.close(reader)  # a pipe nobody reads
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kabul_brief", "build", "--jobs", "1", "--content",
             "content", "--out", "out"], cwd=built, stdout=writer, stderr=subprocess.PIPE,
            text=True, timeout=120, check=False, env=ENV)
    finally:
        os.close(writer)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert b"Brief number 5" in (built / "out" / "index.html").read_bytes()


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_signal_at_any_moment_of_check_is_one_line(
        built: Path, number: signal.Signals) -> None:
    randomly = random.Random(40 + number)
    word, stopped = ("interrupted", 130) if number == signal.SIGINT else ("terminated", 143)
    for _ in range(10):
        status, err = signalled([sys.executable, "-m", "kabul_brief", "check"], built,
                                handlers_set, (number, randomly.uniform(0, 0.8)))
        if status == 0:
            assert err == ""
        else:
            assert status == stopped, err
            assert err.splitlines() == [f"kabul-brief check: {word}"], err


def test_an_interrupt_raised_inside_a_finalizer_still_stops_the_command() -> None:
    """Python swallows an exception raised in a ``__del__`` or a weakref callback (it
    prints "Exception ignored" and goes on). A Ctrl-C handled right there once left a
    build running for ever, the later signals being ignored."""
    from tests.conftest import run_isolated

    printed = run_isolated("""
        import os, signal, sys, time
        from kabul_brief import stopping

        class Finalized:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)  # handled here, in the finalizer

        stopping.install()
        try:
            Finalized()
            for _ in range(300):
                time.sleep(0.01)
            print("never stopped")
        except KeyboardInterrupt:
            print("stopped")
    """)
    assert printed == "stopped\n"


@pytest.mark.parametrize("command", [["build", "--jobs", "1", "--out", "out"], ["check"],
                                     ["new", "event", "Closed stdout"]])
def test_a_command_started_with_stdout_closed_does_its_work(
        built: Path, command: list[str]) -> None:
    """``kabul-brief build >&-`` (a daemon, a CI step with no stdout): Python has no
    ``sys.stdout`` at all; the command still does its work and exits 0."""
    _retitle(built, 6)
    done = subprocess.run(
        [sys.executable, "-m", "kabul_brief", *command], cwd=built, stdout=None,
        stderr=subprocess.PIPE, text=True, timeout=120, check=False, env=ENV,
        preexec_fn=lambda: os.close(1))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if command[0] == "build":
        assert b"Brief number 6" in (built / "out" / "index.html").read_bytes()
    if command[0] == "new":
        assert (built / "content" / "events" / "closed-stdout.yaml").is_file()


def test_a_build_whose_report_cannot_be_written_says_the_site_was(built: Path) -> None:
    """stdout on a full disk (``>/dev/full``): the site is built and published; the one
    line says so, and the status is success."""
    _retitle(built, 8)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "kabul_brief", "build", "--jobs", "1", "--content",
             "content", "--out", "out"], cwd=built, stdout=full, stderr=subprocess.PIPE,
            text=True, timeout=120, check=False, env=ENV)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "kabul-brief build: the site was written to out, but its report could not be"
        " printed: No space left on device"]
    assert b"Brief number 8" in (built / "out" / "index.html").read_bytes()


def test_a_signal_just_after_the_build_is_done_never_kills_it(built: Path) -> None:
    """The summary is printed: a Ctrl-C now either finds the build done (exit 0) or
    says the new site is in place (130); it never ends the process by the signal."""
    randomly = random.Random(12)
    serial = [a if a != "2" else "1" for a in BUILD]
    for run in range(20):
        _retitle(built, 100 + run)
        status, err = signalled(serial, built, summary_printed,
                                (signal.SIGINT, randomly.uniform(0, 0.03)))
        assert status in (0, 130), err
        assert err.splitlines() in (
            [], ["kabul-brief build: interrupted; the new site was already written to out"])
        assert f"Brief number {100 + run}".encode() in (built / "out" / "index.html").read_bytes()


# -- a closed terminal, a dead log reader --------------------------------------------


def test_a_closed_terminal_stops_a_build_as_sigterm_does(built: Path) -> None:
    """SIGHUP reaches the foreground job when its terminal closes (an SSH session
    dropped): the same clean stop, with the status a shell gives it (129)."""
    for run, delay in enumerate((0.2, 0.5, 0.8)):
        _retitle(built, 200 + run)
        before = tree(built / "out")
        status, err = signalled(BUILD, built, handlers_set, (signal.SIGHUP, delay))
        assert leftovers(built) == []
        assert processes_mentioning(str(built)) == []
        if status == 0:
            continue
        assert status == 129, err
        assert err.splitlines()[0].startswith("kabul-brief build: hung up"), err
        if err.splitlines() == ["kabul-brief build: hung up; out was left as it was"]:
            assert tree(built / "out") == before


def test_a_closed_terminal_stops_the_preview_and_removes_its_folder(tmp_path: Path) -> None:
    preview = start(tmp_path)
    wait_for("the first build", functools.partial(answers, preview.base + PAGE))
    preview.process.send_signal(signal.SIGHUP)
    assert preview.process.wait(timeout=WAIT) == 0
    assert preview.output().splitlines()[-1] == "stopped"
    assert list(preview.temp.iterdir()) == []


def test_a_signal_with_nobody_reading_stderr_still_gives_its_status(built: Path) -> None:
    """The log collector died (the pipe's reader is gone): the one line cannot be
    written, so the status has to say it, and the clean-up must still be done."""
    for run, delay in enumerate((0.3, 0.6)):
        _retitle(built, 300 + run)
        before = tree(built / "out")
        reader, writer = os.pipe()
        os.close(reader)
        try:
            build = subprocess.Popen(BUILD, cwd=built, env=ENV, start_new_session=True,
                                     stdout=writer, stderr=writer)
        finally:
            os.close(writer)
        try:
            handlers_set(build)  # type: ignore[arg-type]
            time.sleep(delay)
            os.killpg(build.pid, signal.SIGTERM)
            status = build.wait(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(build.pid, signal.SIGKILL)
        assert status in (0, 143)
        if status == 143:
            assert tree(built / "out") == before
        assert leftovers(built) == []


def test_a_preview_whose_messages_nobody_reads_serves_on(tmp_path: Path) -> None:
    """``serve | tee log`` and the tee is gone: the preview goes on rebuilding and
    serving, and stops cleanly."""
    preview = start(tmp_path)
    wait_for("the first build", functools.partial(answers, preview.base + PAGE))
    assert preview.process.stdout is not None
    preview.process.stdout.close()  # the reader of its messages goes away
    site_yaml = preview.site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace(
        "title: ", "title: Nobody Reads ", 1), "utf-8")
    wait_for("the rebuild", lambda: "Nobody Reads" in fetch(preview.base + PAGE)[1])
    assert fetch(preview.base + PAGE)[0] == 200
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=WAIT) == 0
    assert list(preview.temp.iterdir()) == []


# -- a kind's folder that is no folder -----------------------------------------------


@pytest.mark.parametrize(("folder", "make", "what"), [
    ("pages", "file", "a plain file"),
    ("events", "fifo", "a named pipe"),
    ("places", "device", "a device"),
    ("sources", "dead", "a link to 'nowhere', which cannot be followed"),
])
def test_a_kinds_folder_that_is_no_folder_is_an_error(
        good_site: Path, run_cli: object, folder: str, make: str, what: str) -> None:
    """``content/pages`` replaced by a file (or a pipe, a device, a dead link) had all
    its records silently dropped, with check saying the content was fine."""
    from tests.conftest import refused

    path = good_site / "content" / folder
    shutil.rmtree(path, ignore_errors=True)
    if make == "file":
        path.write_text("not a folder\n", "utf-8")
    elif make == "fifo":
        os.mkfifo(path)
    elif make == "device":
        path.symlink_to("/dev/zero")
    else:
        path.symlink_to("nowhere")
    assert callable(run_cli)
    errors = run_cli("check").error_lines
    expected = (f"content/{folder}: error: '{folder}' must be a folder of content files,"
                f" but is {what} [not-a-folder]")
    assert expected in errors, errors
    refused(run_cli, *errors)


def test_a_second_signal_caught_in_the_handler_swap_prints_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Python reports a signal that arrived while its handler became SIG_IGN as an
    "unraisable" OSError, printed with a traceback (seen once in a clean-clone run of
    the two-signals test): for a command that is already stopping, it is no news.
    Any other unraisable error is still printed."""
    from types import SimpleNamespace

    from kabul_brief import stopping

    printed: list[BaseException] = []
    monkeypatch.setattr(sys, "__unraisablehook__", lambda args: printed.append(args.exc_value))
    race = OSError("Signal 15 ignored due to race condition")
    other = OSError("something else")
    for error in (race, other):
        stopping._raise_again_if_swallowed(SimpleNamespace(exc_value=error))
    assert printed == [other]
