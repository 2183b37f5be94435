"""`kabul-brief serve` under hostile conditions, against the real process on a free
loopback port: a build that crashes, idle connections, foreign Host headers, folder
listings, missing pages, NUL bytes, SIGTERM and a port already taken."""

from __future__ import annotations

import http.client
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kabul_brief.folders import package_theme
from kabul_brief.serve import MAX_CONNECTIONS, PreviewServer, PreviewState, make_handler
from tests.conftest import GOOD_SITE
from tests.test_serve import WAIT, fetch, free_port, wait_for

REPO = Path(__file__).resolve().parents[1]
PAGE = "/events/kabul-meeting/"


@dataclass
class Preview:
    process: subprocess.Popen[str]
    port: int
    site: Path
    templates: Path
    temp: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        out, _ = self.process.communicate(timeout=WAIT)
        return out

    def threads(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text("utf-8")
        return int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("Threads:")))


def start(tmp_path: Path, port: int | None = None, timeout: float = 1.0) -> Preview:
    site = tmp_path / "site"
    if not site.exists():
        shutil.copytree(GOOD_SITE, site)
    templates = tmp_path / "templates"
    if not templates.exists():
        shutil.copytree(package_theme(), templates)
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kabul_brief", "serve", "--port", str(port),
         "--templates", str(templates)],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "TMPDIR": str(temp),
             "KABUL_BRIEF_SERVE_TIMEOUT": str(timeout)},
    )
    return Preview(process, port, site, templates, temp)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    running = start(tmp_path)
    try:
        wait_for("the first build", lambda: fetch(running.base + PAGE)[0] == 200)
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()
        if running.process.stdout is not None:
            running.process.stdout.close()


def request(preview: Preview, path: str, host: str | None = None,
            method: str = "GET") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=5)
    try:
        connection.request(method, path,
                           headers={"Host": f"127.0.0.1:{preview.port}" if host is None else host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def title(body: bytes) -> str:
    found = BeautifulSoup(body, "html.parser").title
    assert found is not None
    return found.get_text(strip=True)


def test_a_crashing_rebuild_shows_in_the_overlay_and_the_next_change_rebuilds(
    preview: Preview,
) -> None:
    template = preview.templates / "event.html"
    good = template.read_text("utf-8")
    template.write_text(good + "{% if %}\n", "utf-8")  # a Jinja syntax error: not content
    wait_for("the overlay", lambda: fetch(preview.base + PAGE)[0] == 500)
    overlay = BeautifulSoup(fetch(preview.base + PAGE)[1], "html.parser")
    items = [li.get_text(strip=True) for li in overlay.select("ol.content-errors li")]
    # the one line build and check print: the template's file and line, and Jinja's words
    line = good.count("\n") + 1  # the line added, after the template's own
    assert len(items) == 1 and items[0].endswith(
        f"templates/event.html:{line}: error: template: Expected an expression, got 'end of"
        " statement block'"), items
    template.write_text(good, "utf-8")
    wait_for("the page again", lambda: fetch(preview.base + PAGE)[0] == 200)
    event = preview.site / "content/events/kabul-meeting.yaml"
    event.write_text(event.read_text("utf-8").replace(
        "title: Indian delegation meets Muttaqi in Kabul", "title: Delegation talks in Kabul"
    ), "utf-8")
    wait_for("the edit", lambda: "Delegation talks in Kabul" in fetch(preview.base + PAGE)[1])
    assert preview.process.poll() is None


def test_idle_connections_are_closed_and_do_not_stop_the_server(preview: Preview) -> None:
    idle = [socket.create_connection(("127.0.0.1", preview.port), timeout=5)
            for _ in range(50)]
    try:
        started = time.monotonic()
        assert request(preview, PAGE)[0] == 200
        assert time.monotonic() - started < 2.0
        for connection in idle:  # the server closes them after its 1 s timeout
            connection.settimeout(WAIT)
            assert connection.recv(1024) == b""
        wait_for("the threads to end", lambda: preview.threads() <= 6)
    finally:
        for connection in idle:
            connection.close()


def test_connections_beyond_the_bound_get_no_thread(tmp_path: Path) -> None:
    running = start(tmp_path, timeout=30)
    idle: list[socket.socket] = []
    try:
        wait_for("the first build", lambda: fetch(running.base + PAGE)[0] == 200)
        base = running.threads()
        idle = [socket.create_connection(("127.0.0.1", running.port), timeout=5)
                for _ in range(MAX_CONNECTIONS + 40)]
        time.sleep(1.0)
        assert running.threads() <= base + MAX_CONNECTIONS
    finally:
        for connection in idle:
            connection.close()
        running.output()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "", "localhost:1"])
def test_a_foreign_host_header_is_refused(preview: Preview, host: str) -> None:
    status, _ = request(preview, PAGE, host=host.format(port=preview.port))
    assert status == 421


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}",
                                  "[::1]:{port}"])
def test_the_preview_s_own_host_names_are_answered(preview: Preview, host: str) -> None:
    assert request(preview, PAGE, host=host.format(port=preview.port))[0] == 200


def test_folders_are_not_listed(preview: Preview) -> None:
    for folder in ("/static/", "/pagefind/", "/data/"):
        status, body = request(preview, folder)
        assert status == 404, folder
        assert title(body) == "Page not found · Fixture Brief"
        assert b"Directory listing" not in body


@pytest.mark.parametrize("path", ["/nowhere/", "/nowhere.html", "/events/nowhere/",
                                  "/static/nowhere.css"])
def test_a_missing_page_is_the_site_s_404_page(preview: Preview, path: str) -> None:
    status, body = request(preview, path)
    assert status == 404
    assert title(body) == "Page not found · Fixture Brief"


@pytest.mark.parametrize("path", ["/%00", "/events/%00/", "/x%00.html", "/%ed%a0%80"])
def test_a_nul_or_a_lone_surrogate_in_the_url_is_a_bad_request(preview: Preview, path: str) -> None:
    assert request(preview, path)[0] == 400
    assert request(preview, PAGE)[0] == 200
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=WAIT) == 0
    assert "Traceback" not in preview.output()


def test_a_client_trickling_its_request_is_closed(preview: Preview) -> None:
    """Slowloris: one byte of the request every 0.3 s never lets the socket's own
    timeout (1 s here) run out; the whole request must still come within it."""
    trickling = socket.create_connection(("127.0.0.1", preview.port), timeout=5)
    started = time.monotonic()
    closed_after = None
    with trickling:
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200:
            try:
                trickling.send(bytes([byte]))
                readable, _, _ = select.select([trickling], [], [], 0.3)
                if readable and trickling.recv(100) == b"":
                    closed_after = time.monotonic() - started
                    break
            except OSError:  # reset: closed too
                closed_after = time.monotonic() - started
                break
    assert closed_after is not None, "still open after a minute of trickling"
    assert closed_after < 4
    assert request(preview, PAGE)[0] == 200


def test_a_browser_dropping_connections_mid_answer_prints_nothing(preview: Preview) -> None:
    """A tab closed while a big file downloads resets the connection: no traceback in
    the terminal, where the build messages are."""
    biggest = max((p for p in preview_files(preview)), key=lambda p: p.stat().st_size)
    path = "/" + biggest.relative_to(preview_root(preview)).as_posix()
    for _ in range(30):
        dropped = socket.create_connection(("127.0.0.1", preview.port), timeout=5)
        dropped.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n\r\n"
                        .encode())
        dropped.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        dropped.close()  # a reset, not a goodbye
    assert request(preview, PAGE)[0] == 200
    preview.process.send_signal(signal.SIGINT)
    assert preview.process.wait(timeout=WAIT) == 0
    output = preview.output()
    assert "Traceback" not in output and "Exception" not in output, output


def preview_root(preview: Preview) -> Path:
    """The preview's built site, in its private temporary folder."""
    return next(preview.temp.glob("kabul-brief-preview-*/site"))


def preview_files(preview: Preview) -> list[Path]:
    return [p for p in preview_root(preview).rglob("*") if p.is_file()]


def test_a_ctrl_c_while_a_connection_thread_starts_stops_the_preview(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or SIGTERM, raised the same way) lands where the server waits for a new
    connection's thread to start: it must reach the caller, not be turned into an error
    the server logs and serves on after (the preview then never stopped)."""
    started = threading.Thread.start

    def start_then_interrupted(thread: threading.Thread) -> None:
        started(thread)
        if threading.current_thread() is threading.main_thread():  # the server's loop
            raise KeyboardInterrupt

    (tmp_path / "index.html").write_text("<p>hi</p>", "utf-8")
    server = PreviewServer(("127.0.0.1", 0), make_handler(PreviewState(out=tmp_path)))
    try:
        with socket.create_connection(server.server_address[:2], timeout=5) as client:
            client.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            monkeypatch.setattr(threading.Thread, "start", start_then_interrupted)
            with pytest.raises(KeyboardInterrupt):
                server._handle_request_noblock()  # one turn of serve_forever
            monkeypatch.undo()
    finally:
        server.server_close()


def test_sigterm_stops_the_preview_and_removes_its_folder(preview: Preview) -> None:
    assert [p.name for p in preview.temp.iterdir()]  # the preview's folder, while it runs
    preview.process.send_signal(signal.SIGTERM)
    assert preview.process.wait(timeout=WAIT) == 0
    assert "Traceback" not in preview.output()
    assert list(preview.temp.iterdir()) == []


def test_a_busy_port_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = start(tmp_path, port=port)
        assert running.process.wait(timeout=WAIT) == 2
        output = running.output()
    assert "Traceback" not in output
    lines = output.splitlines()
    assert lines == [f"kabul-brief serve: error: cannot serve on 127.0.0.1:{port}:"
                     " Address already in use"], output
    assert list(running.temp.iterdir()) == []


def test_serve_without_a_content_folder_says_so_and_exits(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "serve", "--content", "nowhere", "--port",
         str(free_port())], cwd=tmp_path, capture_output=True, text=True, timeout=WAIT,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "TMPDIR": str(tmp_path)},
        check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        "nowhere: error: the content folder does not exist [missing-content]")
    assert "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize("path", ["/" + "a" * 300, "/" + "a/" * 5000, "/x/" + "b" * 300 + "/"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_name_too_long_for_the_file_system_is_not_found(
    preview: Preview, path: str, method: str
) -> None:
    """The attack: a 300-character segment closed the connection with no answer."""
    status, body = request(preview, path, method=method)
    assert status == 404
    if method == "GET":
        assert title(body) == "Page not found · Fixture Brief"
    assert request(preview, PAGE)[0] == 200
    assert "Traceback" not in preview.output()


def test_two_host_headers_are_refused(preview: Preview) -> None:
    """A second Host could smuggle another name past the check of the first."""
    with socket.create_connection(("127.0.0.1", preview.port), timeout=5) as raw:
        raw.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n"
                    "Host: evil.example\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 421") or answer.startswith(b"HTTP/1.1 421"), answer[:80]
