"""Local preview: build, serve on 127.0.0.1, rebuild on every change, reload the browser.

The site is built into a private temporary folder with the preview's own address
as ``base_url``. A watcher thread (watchfiles) rebuilds when anything under the
content folder or the theme's folders changes: the record pages an edit touched are
shown at once (the preview keeps the model and what each page read, see
:class:`~kabul_brief.pipeline.Resident`), then the build does the rest. Each page
polls a tiny version endpoint for its own version and reloads when its bytes
changed; while the content has errors, or a build failed in any other way (a broken
template), every page is an overlay listing them, and the next change builds again.
Messages go through a callback so that only the CLI prints.

It is a local preview, not a web server, but a browser may be led to it: only the
preview's own host names are answered (a page elsewhere cannot read it through DNS
rebinding), folders are never listed, a missing page is the site's ``404.html``, a
connection idle for ``KABUL_BRIEF_SERVE_TIMEOUT`` seconds (default 10) is closed and
at most ``MAX_CONNECTIONS`` are served at once. The temporary folder is removed
however the preview stops: Ctrl-C, SIGTERM, a port already taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import html
import ipaddress
import math
import os
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

import watchfiles
from jinja2 import TemplateError

from kabul_brief import stopping
from kabul_brief.errors import ContentError, ContentErrors, template_error
from kabul_brief.folders import Theme
from kabul_brief.pipeline import Build, BuildRequest, Resident
from kabul_brief.publish.writer import lock_is_held

VERSION_PATH = "/__kabul-brief/version"
RELOAD_SCRIPT = (
    "<script>(function(){var v=null,u='" + VERSION_PATH + "?page='+"
    "encodeURIComponent(location.pathname);function poll(){fetch(u,"
    "{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){"
    "if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})"
    ".finally(function(){setTimeout(poll,250)})}poll()})();</script>"
)
"""Each page asks for its own version: a browser reloads when the page it shows
changed (or the overlay came or went), not on every rebuild."""

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
    """Changes when every page must reload: the overlay came or went, a stylesheet or
    another file besides the pages changed."""
    errors: tuple[str, ...] = ()
    """The problems of the last build, formatted; the overlay lists them."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    pages: dict[str, int] = field(default_factory=dict)
    """Output path of a page -> how many times its bytes changed."""
    resident: Resident | None = None
    """The model and caches kept from one build to the next."""

    def page_version(self, url_path: str) -> str:
        """What a page at ``url_path`` polls for: the whole preview's version and its own."""
        relative = urllib.parse.unquote(url_path).lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        if not _is_page_of(self.out, relative):  # a missing page is shown the 404 page
            relative = NOT_FOUND_PAGE
        with self.lock:
            return f"{self.version}.{self.pages.get(relative, 0)}"

    def touch(self, paths: Iterable[str]) -> None:
        with self.lock:
            for path in paths:
                self.pages[path] = self.pages.get(path, 0) + 1


NOT_FOUND_PAGE: Final = "404.html"


def _is_page_of(folder: Path, relative: str) -> bool:
    """Whether ``relative`` names a file of the built folder (never a path out of it)."""
    parts = relative.split("/")
    if "\0" in relative or any(part in ("", ".", "..") for part in parts):
        return False
    try:
        return (folder / relative).is_file()
    except (OSError, ValueError):
        return False


def rebuild(content: Path, templates: Path | None, state: PreviewState, base_url: str,
            say: Say, everything: bool = False) -> None:
    """One build, drafts included, through the build's one entry (so with the warnings
    ``build`` would print); on any failure keep the last good site and show the overlay.
    First the record pages the edit touched are rendered and put in place (see
    :meth:`~kabul_brief.pipeline.Resident.show_edit`), and the browsers showing them
    reload; the build then does the rest. ``everything``: a file besides the content
    changed (a template, the stylesheet), so every page reloads."""
    def warn(warnings: tuple[ContentError, ...]) -> None:
        if warnings:
            say("\n".join(warning.format() for warning in warnings))

    if state.resident is None:
        state.resident = Resident(content)
    resident = state.resident
    before = resident.outputs
    request = BuildRequest(content=content, out=state.out, base_url=base_url,
                           templates=templates, drafts=True, warn=warn, resident=resident)
    if not state.errors and not everything:
        with contextlib.suppress(Exception):  # whatever fails here, the build below reports
            state.touch(resident.show_edit(request))
    build = Build(request)
    try:
        outcome = build.run()
    except ContentErrors as problems:
        _failed(state, tuple(error.format() for error in problems.errors))
        say(problems.format())
        say(f"{len(problems.errors)} error(s): the preview shows them until they are fixed")
        return
    except TemplateError as problem:  # the site's own template: one line, as build says it
        line = template_error(problem, build.templates_shown)
        _failed(state, (line,))
        say(line)
        say("the build failed: the preview shows it until the next change builds")
        return
    except Exception as problem:  # a full disk: shown, and kept watching
        _failed(state, (f"the build failed: {type(problem).__name__}: {problem}",))
        say(traceback.format_exc().rstrip())
        say("the build failed: the preview shows it until the next change builds")
        return
    with state.lock:
        if state.errors or everything or not before:
            state.version += 1
        state.errors = ()
    after = resident.outputs
    state.touch(path for path in before.keys() | after.keys()
                if before.get(path) != after.get(path))
    if outcome.report is None:
        say("rebuilt: nothing had changed")
    else:
        say(f"rebuilt: rendered {len(outcome.report.rendered)} of {outcome.report.pages}"
            " pages")


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


WILDCARD_HOSTS: Final = frozenset({"0.0.0.0", "::", ""})
"""``--host`` values that listen on every network the machine is on."""
_LOOPBACK_NAMES: Final = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Address:
    """Where the preview listens, and the ``Host`` headers it answers: its own address,
    by name or number. Listening everywhere (``--host 0.0.0.0``), it answers any IP
    address and the machine's name, never another DNS name (a page elsewhere could
    read the preview through DNS rebinding)."""

    host: str
    port: int
    bound: str = ""
    """The numeric address the socket has (``127.0.0.1`` for ``--host 127.1``)."""
    # Not slotted: ``url`` is worked out once, not on every request ``answers``.

    @property
    def everywhere(self) -> bool:
        return self.host in WILDCARD_HOSTS or self.bound in ("0.0.0.0", "::")

    @functools.cached_property
    def url(self) -> str:
        """The address to open (this machine's, when listening everywhere), in the one
        form a base URL takes: ``LOCALHOST`` is ``localhost``; a spelling of an address
        a URL may not carry (``127.1``, ``0x7f.1``) gives way to the bound address."""
        from kabul_brief.baseurl import BaseUrlError, normalize_base_url

        shown = "127.0.0.1" if self.everywhere else self.host
        for name in (shown, self.bound, "127.0.0.1"):
            try:
                return normalize_base_url(
                    f"http://{f'[{name}]' if ':' in name else name}:{self.port}/")
            except BaseUrlError:
                continue
        raise AssertionError("127.0.0.1 is a base URL's host")  # pragma: no cover

    def answers(self, header: str) -> bool:
        try:
            asked = urllib.parse.urlsplit("//" + header)
            name, port = (asked.hostname or "").lower(), asked.port
        except ValueError:  # not a host and port at all
            return False
        if (port or 80) != self.port or asked.username is not None or asked.path:
            return False
        own = {self.host.lower().strip("[]"), self.bound.lower(),
               urllib.parse.urlsplit(self.url).hostname}
        if name in _LOOPBACK_NAMES or name in own:
            return True
        if not self.everywhere:
            return False
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return name == socket.gethostname().lower()
        return True


def make_handler(state: PreviewState, address: Address | None = None
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
                errors = state.errors
            path, _, query = self.path.partition("?")
            if path == VERSION_PATH:
                shown = urllib.parse.parse_qs(query).get("page", ["/"])[0]
                self._send(HTTPStatus.OK, "text/plain", state.page_version(shown).encode())
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
            if address is not None and (len(hosts) != 1
                                        or not address.answers(hosts[0].strip())):
                self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain",
                           b"This preview answers only its own address.\n")
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
            not_found = state.out / NOT_FOUND_PAGE
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

    def __init__(self, address: tuple[str, int], handler: type[SimpleHTTPRequestHandler],
                 family: socket.AddressFamily = socket.AF_INET) -> None:
        self.address_family = family  # before the socket is made: an IPv6 --host
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


def serve(content: Path, theme: Theme | None, templates: Path | None, host: str, port: int,
          say: Say, ready: Callable[[str], object] | None = None) -> None:
    """Run until stopped (Ctrl-C, SIGTERM, SIGHUP); clean up the temporary site whatever
    ends it. A port that cannot be had raises OSError, with nothing left behind.
    ``theme`` gives the folders to watch besides the content, ``templates`` the site's
    own templates folder as given (``--templates``) to each rebuild. ``ready`` is told
    the preview's address once the first build is served (``--open`` opens the browser
    there)."""
    with stopping.stopped_by_signals(), _preview_folder() as workdir:
        state = PreviewState(out=workdir / "site")
        with _bind(host, port) as listening:
            address = Address(host, listening.server_address[1],
                              str(listening.server_address[0]))
            if address.everywhere:
                say(f"listening on every network this machine is on ({host}), port"
                    f" {address.port}: other machines can see the preview")
            listening.RequestHandlerClass = make_handler(state, address)
            _run(listening, content, theme, templates, state, address.url, say, ready)


PREVIEW_PREFIX: Final = "kabul-brief-preview-"
_PREVIEW_LOCK: Final = "preview.lock"
_UNLOCKED_GRACE: Final = 600.0
"""Seconds a preview folder without its lock may be a preview starting up."""


@contextmanager
def _preview_folder() -> Iterator[Path]:
    """A private temporary folder for the preview's site, locked (``flock``) while the
    preview lives and removed however it stops; one left by a preview that was killed
    (SIGKILL, a power cut) is removed by the next preview, once no process holds its
    lock: the kernel drops a lock when its holder dies, however it dies."""
    _remove_dead_previews(Path(tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix=PREVIEW_PREFIX,
                                     ignore_cleanup_errors=True) as workdir:
        lock = os.open(Path(workdir) / _PREVIEW_LOCK,
                       os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield Path(workdir)
        finally:
            os.close(lock)


def _remove_dead_previews(parent: Path) -> None:
    """Remove this user's preview folders that no live preview holds."""
    for folder in parent.glob(f"{PREVIEW_PREFIX}*"):
        with contextlib.suppress(OSError):
            facts = folder.lstat()
            if not stat.S_ISDIR(facts.st_mode) or facts.st_uid != os.geteuid():
                continue
            held = lock_is_held(folder / _PREVIEW_LOCK)
            if held is False or (  # none yet: a preview starting, or a dead old one
                    held is None and time.time() - facts.st_mtime > _UNLOCKED_GRACE):
                shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _bind(host: str, port: int) -> Iterator[PreviewServer]:
    family, _, _, _, where = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                flags=socket.AI_PASSIVE)[0]
    server = PreviewServer((str(where[0]), int(where[1])), SimpleHTTPRequestHandler, family)
    try:
        yield server
    finally:
        server.server_close()


def _run(server: PreviewServer, content: Path, theme: Theme | None,
         templates: Path | None, state: PreviewState, base_url: str, say: Say,
         ready: Callable[[str], object] | None) -> None:
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
                    besides = any(not Path(path).is_relative_to(content.absolute())
                                  for _, path in changes)
                    rebuild(content, templates, state, base_url, say, everything=besides)
            except Exception as problem:
                _failed(state, (f"watching for changes failed: {problem}",))
                say(f"watching for changes failed: {problem}; trying again")
                stop.wait(1.0)

    watcher = threading.Thread(target=watch, name="kabul-brief-watch", daemon=True)
    try:
        rebuild(content, templates, state, base_url, say)
        watcher.start()
        say(f"serving {content} at {base_url} (Ctrl-C to stop)")
        if ready is not None:
            ready(base_url)
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        if watcher.is_alive():  # let a rebuild under way finish before the folder goes
            watcher.join(timeout=30)
