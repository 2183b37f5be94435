"""One build path: what `build`, `check` and `serve` share, seen from the outside.

The preview goes through the same build entry as `build`, so it prints the same
warnings; it listens where `--host` says and answers only its own address; `--open`
hands its address to the browser; `build` says how to look at what it wrote; `new`
takes titles in any script, with `--id`.
"""

from __future__ import annotations

import http.client
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from kabul_brief.serve import Address
from tests.conftest import GOOD_SITE, CliResult, mutate
from tests.test_serve import REPO, fetch, free_port, wait_for

WARNING = ("content/events/kabul-meeting.yaml:1:1: warning: event 'kabul-meeting' has no"
           " place [event-without-place]")


class Preview:
    """A real `kabul-brief serve` process; its output is collected line by line."""

    def __init__(self, site: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kabul_brief", "serve", "--port", str(self.port), *args],
            cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})},
        )
        self.lines: list[str] = []
        self._said: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        """Lines as the preview prints them, read on a thread of their own: a preview
        that hangs silently makes the test fail, not hang."""
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                self._said.put(line.rstrip("\n"))
        self._said.put(None)

    def read_until(self, text: str) -> list[str]:
        """Lines up to and including the first holding ``text``."""
        deadline = time.monotonic() + 60
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._said.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if text in line:
                return list(self.lines)
        raise AssertionError(f"no line with {text!r}; the preview said: {self.lines}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        while True:  # what it said last
            try:
                line = self._said.get(timeout=30)
            except queue.Empty:
                break
            if line is None:
                self._said.put(None)  # the end stays the end, for a second stop
                break
            self.lines.append(line)
        return self.process.returncode


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(GOOD_SITE, copy)
    return copy


@pytest.fixture
def previews() -> Iterator[Callable[..., Preview]]:
    started: list[Preview] = []

    def start(site: Path, *args: str, env: dict[str, str] | None = None) -> Preview:
        started.append(Preview(site, *args, env=env))
        return started[-1]

    yield start
    for preview in started:
        preview.stop()


def test_serve_prints_the_warnings_build_prints(
        site: Path, previews: Callable[..., Preview]) -> None:
    mutate(site, "content/events/kabul-meeting.yaml", "place: kabul\n", "")
    built = subprocess.run([sys.executable, "-m", "kabul_brief", "build", "--out", "_site"],
                           cwd=site, capture_output=True, text=True, check=False,
                           env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert built.returncode == 0, built.stderr
    assert WARNING in built.stderr.splitlines()
    preview = previews(site)
    said = preview.read_until("serving content at")
    assert WARNING in said
    assert said.index(WARNING) < len(said) - 1  # before the preview says it serves
    # And an edit that brings another warning prints it on the rebuild.
    mutate(site, "content/events/kabul-meeting.yaml", "title:", "title: Changed")
    assert any("warning" in line for line in preview.read_until("rebuilt:")[len(said):])
    assert preview.stop() == 0


def test_serve_listens_where_host_says_and_answers_only_its_own_address(
        site: Path, previews: Callable[..., Preview]) -> None:
    preview = previews(site, "--host", "localhost")
    said = preview.read_until("serving content at")
    assert said[-1] == (f"serving content at http://localhost:{preview.port}/"
                        " (Ctrl-C to stop)")
    assert fetch(f"http://localhost:{preview.port}/")[0] == 200
    connection = http.client.HTTPConnection("localhost", preview.port, timeout=5)
    connection.request("GET", "/", headers={"Host": f"rebound.example:{preview.port}"})
    assert connection.getresponse().status == 421
    connection.close()
    assert preview.stop() == 0


def test_serve_on_every_network_answers_addresses_but_not_foreign_names() -> None:
    everywhere = Address("0.0.0.0", 8123)
    assert everywhere.url == "http://127.0.0.1:8123/"
    for host in ("127.0.0.1:8123", "192.168.1.20:8123", "[fe80::1]:8123", "localhost:8123"):
        assert everywhere.answers(host), host
    for host in ("attacker.example:8123", "192.168.1.20:8124", "192.168.1.20",
                 "user@127.0.0.1:8123", "127.0.0.1:8123/x", "[::1", ""):
        assert not everywhere.answers(host), host
    only_here = Address("127.0.0.1", 8123)
    assert only_here.answers("localhost:8123")
    assert not only_here.answers("192.168.1.20:8123")
    assert Address("::1", 80).answers("[::1]")
    assert Address("::1", 80).url == "http://[::1]:80/"


def test_serve_refuses_a_host_it_cannot_listen_on(site: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "serve", "--host", "no-such-host.invalid",
         "--port", "0"], cwd=site, capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert result.returncode == 2
    assert result.stderr.startswith("kabul-brief serve: error: cannot serve on"
                                    " no-such-host.invalid:0: ")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_serve_open_hands_the_address_to_the_browser(
        site: Path, tmp_path: Path, previews: Callable[..., Preview]) -> None:
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {opened}\n", encoding="utf-8")
    browser.chmod(0o755)
    preview = previews(site, "--open", env={"BROWSER": str(browser)})
    preview.read_until("serving content at")
    wait_for("the browser to be started", opened.exists)
    wait_for("the address to be written", lambda: opened.read_text(encoding="utf-8") != "")
    url = opened.read_text(encoding="utf-8")
    assert url == f"http://127.0.0.1:{preview.port}/"
    assert fetch(url)[0] == 200
    assert preview.stop() == 0


def test_build_says_how_to_look_at_the_site(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("build", "--out", "_site", "--jobs", "1",
                     "--base-url", "https://example.org/")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "  to look at it: kabul-brief serve"
    under_a_path = run_cli("build", "--out", "_sub", "--jobs", "1",
                           "--base-url", "https://example.org/brief/")
    assert under_a_path.out.splitlines()[-1] == (
        "  to look at it: kabul-brief serve (its links start with /brief/, which a file"
        " server started in the built folder does not have)")
    os.chdir(good_site.parent)
    elsewhere = run_cli("build", "--content", "site/content", "--out", "_elsewhere",
                        "--jobs", "1", "--base-url", "https://example.org/")
    assert elsewhere.out.splitlines()[-1] == (
        "  to look at it: kabul-brief serve --content=site/content")


DARI_TITLE = "دیدار هیئت هندی با متقی در کابل"


def test_new_takes_a_title_in_arabic_script_with_an_id(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("new", "event", DARI_TITLE, "--id", "kabul-visit")
    assert result.code == 0, result.err
    assert result.out.strip() == "content/events/kabul-visit.yaml"
    written = yaml.safe_load((good_site / result.out.strip()).read_text(encoding="utf-8"))
    assert written["id"] == "kabul-visit"
    assert written["title"] == DARI_TITLE


def test_new_asks_for_an_id_where_the_title_gives_none(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    before = sorted(p.name for p in (good_site / "content/events").iterdir())
    result = run_cli("new", "event", DARI_TITLE)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"kabul-brief new: error: no id can be made from {DARI_TITLE!r} (ids are lowercase"
        " Latin letters, digits and hyphens): give one with --id, for example:"
        f" kabul-brief new event --id my-event-id -- '{DARI_TITLE}'"]
    assert sorted(p.name for p in (good_site / "content/events").iterdir()) == before


@pytest.mark.parametrize("bad", ["Kabul", "kabul--visit", "kabul-visit\n", "-kabul",
                                 "کابل", "a" * 65, ""])
def test_new_refuses_an_id_that_is_not_one(
        good_site: Path, run_cli: Callable[..., CliResult], bad: str) -> None:
    before = sorted(p.name for p in (good_site / "content/events").iterdir())
    result = run_cli("new", "event", DARI_TITLE, f"--id={bad}")
    assert result.code == 2
    assert result.err.startswith("kabul-brief new: error: --id ")
    assert "is not an id" in result.err
    assert sorted(p.name for p in (good_site / "content/events").iterdir()) == before


def test_a_killed_preview_s_folder_is_removed_by_the_next_and_a_live_one_is_kept(
        site: Path, tmp_path: Path, previews: Callable[..., Preview]) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    first = previews(site, env={"TMPDIR": str(temp)})
    first.read_until("serving content at")
    (killed,) = temp.iterdir()
    first.process.kill()  # SIGKILL: no clean-up of its own
    first.process.wait()
    assert killed.is_dir()
    second = previews(site, env={"TMPDIR": str(temp)})
    second.read_until("serving content at")
    (running,) = temp.iterdir()
    assert running != killed
    third = previews(site, env={"TMPDIR": str(temp)})
    third.read_until("serving content at")
    assert running in set(temp.iterdir())  # alive: kept
    assert len(list(temp.iterdir())) == 2
    assert fetch(f"http://127.0.0.1:{second.port}/")[0] == 200
    for preview in (second, third):
        preview.process.send_signal(signal.SIGHUP)
        assert preview.process.wait(timeout=30) == 0
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("name", ["-dash", "tab\there", "it's here", "esc\x1b[31m", "ناو"])
def test_the_command_build_prints_works_when_pasted(
        good_site: Path, run_cli: Callable[..., CliResult], name: str) -> None:
    shutil.copytree(good_site / "content", good_site / name)
    for attempt in ("built", "up to date"):
        result = run_cli("build", "--content", f"./{name}", "--out", "_out", "--jobs", "1",
                         "--base-url", "https://example.org/")
        assert result.code == 0, result.err
        last = result.out.splitlines()[-1]
        assert last.startswith("  to look at it: kabul-brief serve --content="), attempt
        assert last.isprintable()  # one line, nothing a terminal would swallow
        words = subprocess.run(["bash", "-c", "printf '%s\\0' " + last.split(": ", 1)[1]],
                               capture_output=True, text=True, check=True).stdout.split("\0")
        assert words[:3] == ["kabul-brief", "serve", f"--content={name}"], attempt


@pytest.mark.parametrize("host", ["LOCALHOST", "127.1", "0x7f.1", "::ffff:127.0.0.1"])
def test_serve_takes_any_spelling_of_its_address(
        site: Path, previews: Callable[..., Preview], host: str) -> None:
    preview = previews(site, "--host", host)
    said = preview.read_until("serving content at")
    assert not any("Traceback" in line or "failed" in line for line in said), said
    url = said[-1].split(" at ", 1)[1].split(" ", 1)[0]
    assert fetch(url)[0] == 200, url
    assert preview.stop() == 0


@pytest.mark.parametrize("host", ["0", "0.0.0.0"])
def test_serve_says_when_it_listens_on_every_network(
        site: Path, previews: Callable[..., Preview], host: str) -> None:
    preview = previews(site, "--host", host)
    said = preview.read_until("serving content at")
    assert any(line.startswith("listening on every network") for line in said), said
    assert said[-1].startswith("serving content at http://127.0.0.1:")
    assert preview.stop() == 0


def test_serve_refuses_an_empty_host(site: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "serve", "--host", "", "--port", "0"],
        cwd=site, capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "kabul-brief serve: error: argument --host: expected an address such as 127.0.0.1"
        " (this machine only) or 0.0.0.0 (every network), got an empty one")


def test_a_planted_fifo_lock_neither_hangs_the_preview_nor_is_removed(
        site: Path, tmp_path: Path, previews: Callable[..., Preview]) -> None:
    temp = tmp_path / "temp"
    planted = temp / "kabul-brief-preview-planted"
    planted.mkdir(parents=True)
    os.mkfifo(planted / "preview.lock")
    preview = previews(site, env={"TMPDIR": str(temp)})
    preview.read_until("serving content at")  # within the minute read_until waits
    assert (planted / "preview.lock").exists()
    assert preview.stop() == 0


@pytest.mark.parametrize("title", ["bell\a", "esc\x1b[31m", "del\x7f", "c1\x85next",
                                   "\ufffe nonchar"])
def test_new_refuses_a_title_check_would_refuse(
        good_site: Path, run_cli: Callable[..., CliResult], title: str) -> None:
    before = sorted(p.relative_to(good_site) for p in good_site.rglob("*"))
    result = run_cli("new", "source", title)
    assert result.code == 2
    assert result.err.startswith("kabul-brief new: error: the text holds U+")
    assert result.err.rstrip("\n").endswith(": give the title without it; nothing was written")
    assert len(result.err.splitlines()) == 1
    assert sorted(p.relative_to(good_site) for p in good_site.rglob("*")) == before


def test_the_command_new_suggests_works_for_a_title_starting_with_a_dash(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    asked = run_cli("new", "source", "--", "-کابل")
    assert asked.code == 2
    suggested = asked.err.split("for example: ", 1)[1].strip()
    words = subprocess.run(["bash", "-c", "printf '%s\\0' " + suggested], capture_output=True,
                           text=True, check=True).stdout.split("\0")[:-1]
    assert words[0] == "kabul-brief"
    result = run_cli(*words[1:])
    assert result.code == 0, result.err
    assert result.out.strip() == "content/sources/my-source-id.yaml"


@pytest.mark.parametrize("setup", ["file", "dangling-link", "content-is-a-file", "proc"])
def test_new_says_in_one_line_why_it_cannot_write(
        good_site: Path, run_cli: Callable[..., CliResult], setup: str) -> None:
    content = "content"
    if setup == "file":
        shutil.rmtree(good_site / "content/sources")
        (good_site / "content/sources").write_text("not a folder\n", encoding="utf-8")
    elif setup == "dangling-link":
        shutil.rmtree(good_site / "content/sources")
        (good_site / "content/sources").symlink_to(good_site / "nowhere")
    elif setup == "content-is-a-file":
        content = "afile"
        (good_site / "afile").write_text("x\n", encoding="utf-8")
    else:
        content = "/proc/1"
    result = run_cli("new", "source", "Some report", "--content", content)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("kabul-brief new: error: ")
    assert result.err.rstrip().endswith("nothing was written")
    assert not (good_site / "nowhere").exists()


def test_new_does_not_take_an_id_held_in_a_list_file_or_front_matter(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    (good_site / "content/places/kabul.yaml").rename(good_site / "content/places/cities.yaml")
    made = run_cli("new", "place", "Kabul")
    assert made.code == 0, made.err
    assert made.out.strip() == "content/places/kabul-2.yaml"
    assert run_cli("check").code == 0


def test_a_file_holding_an_empty_list_is_an_empty_file(
        good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    (good_site / "content/places/leftover.yaml").write_text("[]\n", encoding="utf-8")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/places/leftover.yaml:1:1: error: the file holds no place [empty-file]"]


def test_a_planted_fifo_lock_neither_hangs_a_build_nor_is_removed(
        good_site: Path) -> None:
    planted = good_site / ".kabul-brief-tmp-planted"
    planted.mkdir()
    (planted / ".kabul-brief-site").write_text("", encoding="utf-8")  # marked as ours
    os.mkfifo(planted / ".kabul-brief-lock")
    built = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "build", "--out", "_site", "--jobs", "1", "-q"],
        cwd=good_site, capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert built.returncode == 0, built.stderr
    assert (good_site / "_site/index.html").is_file()
    assert (planted / ".kabul-brief-lock").exists()
