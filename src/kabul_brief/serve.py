"""Local preview: build, serve on 127.0.0.1, rebuild on every change, reload the browser.

The site is built into a private temporary folder with the preview's own address
as ``base_url``. A watcher thread (watchfiles) rebuilds when anything under the
content folder or the theme's folders changes. Pages poll a tiny version endpoint and
reload when a build finishes; while the content has errors, or a build failed in
any other way (a broken template), every page is an overlay listing them, and the
next change builds again. Messages go through a callback so that only the CLI prints.

It is a local preview, not a web server, but a browser may be led to it: only the
preview's own host names are answered (a page elsewhere cannot read it through DNS
rebinding), folders are never listed, a missing page is the site's ``404.html``, a
connection idle for ``KABUL_BRIEF_SERVE_TIMEOUT`` seconds (default 10) is closed and
at most ``MAX_CONNECTIONS`` are served at once. The temporary folder is removed
however the preview stops: Ctrl-C, SIGTERM, a port already taken.
"""

from __future__ import annotations

import contextlib
import html
import math
import os
import socket
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

import watchfiles

from kabul_brief import stopping
from kabul_brief.content.loader import LoadCache
from kabul_brief.content.mdcache import MarkdownCache
from kabul_brief.errors import ContentError, ContentErrors
from kabul_brief.folders import Theme
from kabul_brief.pipeline import load_site
from kabul_brief.publish.build import build_site

VERSION_PATH = "/__kabul-brief/version"
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;function poll(){fetch('" + VERSION_PATH + "',"
    "{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){"
    "if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})"
    ".finally(function(){setTimeout(poll,500)})}poll()})();</script>"
)

Say = Callable[[str], None]
MAX_CONNECTIONS: Final = 128
"""Connections served at once; more are closed at once (a browser opens a few)."""
DEFAULT_TIMEOUT: Final = 10.0


MAX_TIMEOUT: Final = 3600.0


def idle_timeout() -> float:
    """Seconds a connection may stay silent: ``KABUL_BRIEF_SERVE_TIMEOUT``, else 10.
    Anything but a number of seconds from above 0 to an hour is a ValueError saying
    so (``inf`` made every request fail)."""
    written = os.environ.get("KABUL_BRIEF_SERVE_TIMEOUT")
    if written is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(written)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # nan and inf fail here too
        raise ValueError(f"KABUL_BRIEF_SERVE_TIMEOUT must be a number of seconds above 0"
                         f" and at most {MAX_TIMEOUT:.0f}, not {written!r}")
    return seconds


@dataclass(slots=True)
class PreviewState:
    """What the server shows; replaced whole by the builder thread."""

    out: Path
    version: int = 0
    errors: tuple[str, ...] = ()
    """The problems of the last build, formatted; the overlay lists them."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def rebuild(content: Path, theme: Theme | None, state: PreviewState, base_url: str,
            say: Say) -> None:
    """One build; on any failure keep the last good site and show the overlay."""
    try:
        if theme is not None:  # an override made unreadable since the last build
            theme.check()
        markdown, files = MarkdownCache.beside(content), LoadCache.beside(content)
        site = load_site(content, cache=markdown, files=files)
        markdown.save()
        files.save()
        report = build_site(site, state.out, base_url, theme)
    except ContentErrors as problems:
        _failed(state, tuple(error.format() for error in problems.errors))
        say(problems.format())
        say(f"{len(problems.errors)} error(s): the preview shows them until they are fixed")
        return
    except Exception as problem:  # a broken template, a full disk: shown, and kept watching
        _failed(state, (f"the build failed: {type(problem).__name__}: {problem}",))
        say(traceback.format_exc().rstrip())
        say("the build failed: the preview shows it until the next change builds")
        return
    with state.lock:
        state.errors = ()
        state.version += 1
    say(f"rebuilt: rendered {len(report.rendered)} of {report.pages} pages")


def _failed(state: PreviewState, errors: tuple[str, ...]) -> None:
    with state.lock:
        state.errors = errors
        state.version += 1


def overlay_page(errors: tuple[str, ...] | tuple[ContentError, ...]) -> bytes:
    items = "".join(
        f"<li><pre>{html.escape(e if isinstance(e, str) else e.format())}</pre></li>"
        for e in errors
    )
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Content errors - Kabul Brief preview</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1b1b;background:#fff4f2}"
        "h1{color:#8a1c0c}pre{white-space:pre-wrap;margin:0}"
        "li{margin:0 0 1rem;padding:.75rem;background:#fff;border-left:4px solid #8a1c0c}"
        "</style></head><body><main><h1>Content errors</h1>"
        f"<p>{len(errors)} error(s) stop the build. Fix them and this page reloads.</p>"
        f"<ol class=\"content-errors\">{items}</ol></main>{RELOAD_SCRIPT}</body></html>"
    ).encode()


def allowed_hosts(port: int) -> frozenset[str]:
    """``Host`` headers the preview answers: its own address, by name or number."""
    names = ("127.0.0.1", "localhost", "[::1]")
    bare = frozenset(names) if port == 80 else frozenset()  # a browser omits :80
    return bare | frozenset(f"{name}:{port}" for name in names)


def make_handler(state: PreviewState, port: int | None = None
                 ) -> type[SimpleHTTPRequestHandler]:
    class PreviewHandler(SimpleHTTPRequestHandler):
        """Serves the current build, the version endpoint and the error overlay."""

        timeout = idle_timeout()  # for the socket: an idle connection is closed

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(state.out), **kwargs)

        def handle_one_request(self) -> None:
            """The whole request (line and headers) must come within the timeout, not
            just each byte of it: a client trickling one byte at a time is closed."""
            deadlines = getattr(self.server, "deadlines", None)
            if isinstance(deadlines, Deadlines):
                deadlines.arm(self.connection, self.timeout)
            try:
                super().handle_one_request()
            finally:
                if isinstance(deadlines, Deadlines):
                    deadlines.disarm(self.connection)

        def parse_request(self) -> bool:
            try:
                return super().parse_request()
            finally:  # the request is in: answering it may take its time
                deadlines = getattr(self.server, "deadlines", None)
                if isinstance(deadlines, Deadlines):
                    deadlines.disarm(self.connection)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the terminal is for build messages

        def do_HEAD(self) -> None:
            if self._refused():
                return
            super().do_HEAD()

        def do_GET(self) -> None:
            if self._refused():
                return
            with state.lock:
                version, errors = state.version, state.errors
            path = self.path.split("?", 1)[0]
            if path == VERSION_PATH:
                self._send(HTTPStatus.OK, "text/plain", str(version).encode())
                return
            if errors and (path.endswith("/") or path.endswith(".html")):
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html", overlay_page(errors))
                return
            try:
                local = Path(self.translate_path(path))
                if local.is_dir():
                    local = local / "index.html"
                if local.suffix == ".html" and local.is_file():
                    page = local.read_bytes().replace(
                        b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1
                    )
                    self._send(HTTPStatus.OK, "text/html; charset=utf-8", page)
                    return
                super().do_GET()
            except OSError:  # a name too long for the file system, a file gone meanwhile
                self.send_error(HTTPStatus.NOT_FOUND)

        def _refused(self) -> bool:
            """Answer (and True) a request for another host, or for a path no file
            can have (a NUL, a lone surrogate)."""
            hosts = self.headers.get_all("Host") or [""]
            host = hosts[0].strip().lower()
            if port is not None and (len(hosts) != 1 or host not in allowed_hosts(port)):
                self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain",
                           b"This preview answers only 127.0.0.1 and localhost.\n")
                return True
            try:
                local = self.translate_path(self.path)
                os.fsencode(local)
                if "\0" in local or "\0" in urllib.parse.unquote(self.path):
                    raise ValueError("NUL in the path")
            except (ValueError, UnicodeError):
                self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"Bad request path.\n")
                return True
            return False

        def list_directory(self, path: str | os.PathLike[str]) -> None:
            """Folders are never listed: a folder without index.html is not found."""
            self.send_error(HTTPStatus.NOT_FOUND)
            return None

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            """A missing file answers with the site's own 404 page."""
            not_found = state.out / "404.html"
            if code != HTTPStatus.NOT_FOUND or not not_found.is_file():
                super().send_error(code, message, explain)
                return
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                       not_found.read_bytes().replace(
                           b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1))

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return PreviewHandler


class Deadlines:
    """Connections that must send their request by a given time; one watchdog thread
    closes those that have not (a socket's own timeout restarts with every byte)."""

    CHECK_EVERY: Final = 0.25

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[socket.socket, float] = {}
        self._watchdog: threading.Thread | None = None

    def arm(self, connection: socket.socket, seconds: float | None) -> None:
        with self._lock:
            self._due[connection] = time.monotonic() + (seconds or DEFAULT_TIMEOUT)
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch, daemon=True,
                                                  name="kabul-brief-deadlines")
                self._watchdog.start()

    def disarm(self, connection: socket.socket) -> None:
        with self._lock:
            self._due.pop(connection, None)

    def _watch(self) -> None:
        while True:
            time.sleep(self.CHECK_EVERY)
            now = time.monotonic()
            with self._lock:
                late = [c for c, due in self._due.items() if due <= now]
                for connection in late:
                    del self._due[connection]
            for connection in late:  # the handler's next read ends: it closes
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class PreviewServer(ThreadingHTTPServer):
    """A thread per connection, at most ``MAX_CONNECTIONS`` at once: one more is closed
    at once rather than given a thread (idle connections time out, see the handler)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[SimpleHTTPRequestHandler]
                 ) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.deadlines = Deadlines()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:  # no thread could be started: the slot is free again
            self._slots.release()
            raise
        # A Ctrl-C or SIGTERM can arrive while ``start`` waits for a thread that has
        # started and will free its slot: it goes up as it is. (Freeing the slot here
        # too raised a ValueError that replaced it, and the preview did not stop.)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection the browser dropped, or that a stopping preview closed, is no
        news for the terminal; anything else is a bug, and keeps its traceback."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def serve(content: Path, theme: Theme | None, port: int, say: Say) -> None:
    """Run until interrupted (Ctrl-C, SIGTERM); clean up the temporary site whatever
    ends it. A port that cannot be had raises OSError, with nothing left behind."""
    with stopping.stopped_by_signals(), tempfile.TemporaryDirectory(
            prefix="kabul-brief-preview-", ignore_cleanup_errors=True) as workdir:
        state = PreviewState(out=Path(workdir) / "site")
        with _bind(port) as listening:
            bound = listening.server_address[1]
            listening.RequestHandlerClass = make_handler(state, bound)
            _run(listening, content, theme, state, f"http://127.0.0.1:{bound}/", say)


@contextmanager
def _bind(port: int) -> Iterator[PreviewServer]:
    server = PreviewServer(("127.0.0.1", port), SimpleHTTPRequestHandler)
    try:
        yield server
    finally:
        server.server_close()


def _run(server: PreviewServer, content: Path, theme: Theme | None,
         state: PreviewState, base_url: str, say: Say) -> None:
    stop = threading.Event()
    watched = [content, *(folder for folder in (theme.folders if theme else ())
                          if folder.is_dir())]

    def watch() -> None:
        while not stop.is_set():  # should watching itself fail, watch again
            try:
                for changes in watchfiles.watch(*watched, stop_event=stop, debounce=200,
                                                step=50):
                    names = sorted({Path(path).name for _, path in changes})
                    say(f"changed: {', '.join(names)}")
                    rebuild(content, theme, state, base_url, say)
            except Exception as problem:
                _failed(state, (f"watching for changes failed: {problem}",))
                say(f"watching for changes failed: {problem}; trying again")
                stop.wait(1.0)

    watcher = threading.Thread(target=watch, name="kabul-brief-watch", daemon=True)
    try:
        rebuild(content, theme, state, base_url, say)
        watcher.start()
        say(f"serving {content} at {base_url} (Ctrl-C to stop)")
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        if watcher.is_alive():  # let a rebuild under way finish before the folder goes
            watcher.join(timeout=30)
