"""One build path: what `build`, `check` and `serve` share, seen from the outside.

The preview goes through the same build entry as `build`, so it prints the same
warnings; it listens where `--host` says and answers only its own address; `--open`
hands its address to the browser; `build` says how to look at what it wrote; `new`
takes titles in any script, with `--id`.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
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

    def read_until(self, text: str) -> list[str]:
        """Lines up to and including the first holding ``text``."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
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
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.lines += self.process.stdout.read().splitlines()
            self.process.stdout.close()
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
        "  to look at it: kabul-brief serve --content site/content")


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
        f" kabul-brief new event '{DARI_TITLE}' --id my-event-id"]
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
