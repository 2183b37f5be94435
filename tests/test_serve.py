"""`kabul-brief serve`: a real preview process, edited under its feet."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import GOOD_SITE

REPO = Path(__file__).resolve().parents[1]
WAIT = 20.0  # seconds: a guard against hanging, not a speed target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return 0, ""


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    site = tmp_path / "site"
    shutil.copytree(GOOD_SITE, site)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kabul_brief", "serve", "--port", str(port)],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    try:
        yield process, f"http://127.0.0.1:{port}", site
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_serve_rebuilds_shows_errors_and_stops_on_sigint(
    preview: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, base, site = preview
    page = f"{base}/events/kabul-meeting/"
    wait_for("the first build", lambda: fetch(page)[0] == 200)
    body = fetch(page)[1]
    assert "Indian delegation meets Muttaqi in Kabul" in body
    assert "/__kabul-brief/version" in body  # the reload script

    version_url = f"{base}/__kabul-brief/version?page=/events/kabul-meeting/"
    version = fetch(version_url)[1]
    event = site / "content/events/kabul-meeting.yaml"
    event.write_text(event.read_text("utf-8").replace(
        "title: Indian delegation meets Muttaqi in Kabul", "title: Delegation talks in Kabul"
    ), "utf-8")
    wait_for("the edit", lambda: "Delegation talks in Kabul" in fetch(page)[1])
    wait_for("a new version for the page to reload", lambda: fetch(version_url)[1] != version)

    event.write_text(event.read_text("utf-8").replace("kind: meeting", "kind: meting"), "utf-8")
    wait_for("the error overlay", lambda: fetch(page)[0] == 500)
    assert "content/events/kabul-meeting.yaml:5:7: error: &#x27;meting&#x27;" in fetch(page)[1]

    event.write_text(event.read_text("utf-8").replace("kind: meting", "kind: meeting"), "utf-8")
    wait_for("the page again", lambda: fetch(page)[0] == 200)
    assert "Delegation talks in Kabul" in fetch(page)[1]

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=WAIT) == 0
    output = process.stdout.read() if process.stdout else ""
    assert "serving content at http://127.0.0.1:" in output
    assert "Traceback" not in output
