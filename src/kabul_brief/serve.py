"""Local preview: build, serve on 127.0.0.1, rebuild on every change, reload the browser.

The site is built into a private temporary folder with the preview's own address
as ``base_url``. A watcher thread (watchfiles) rebuilds when anything under the
content or templates folder changes. Pages poll a tiny version endpoint and
reload when a build finishes; while the content has errors every page is an
overlay listing them, until they are fixed. Messages go through a callback so
that only the CLI prints.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles

from kabul_brief.content.loader import LoadCache
from kabul_brief.content.mdcache import MarkdownCache
from kabul_brief.errors import ContentError, ContentErrors
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


@dataclass(slots=True)
class PreviewState:
    """What the server shows; replaced whole by the builder thread."""

    out: Path
    version: int = 0
    errors: tuple[ContentError, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


def rebuild(content: Path, templates: Path | None, state: PreviewState, base_url: str,
            say: Say) -> None:
    """One build; on content errors keep the last good site and show the overlay."""
    try:
        markdown, files = MarkdownCache.beside(content), LoadCache.beside(content)
        site = load_site(content, cache=markdown, files=files)
        markdown.save()
        files.save()
        report = build_site(site, state.out, base_url, templates)
    except ContentErrors as problems:
        with state.lock:
            state.errors = problems.errors
            state.version += 1
        say(problems.format())
        say(f"{len(problems.errors)} error(s): the preview shows them until they are fixed")
        return
    with state.lock:
        state.errors = ()
        state.version += 1
    say(f"rebuilt: rendered {len(report.rendered)} of {report.pages} pages")


def overlay_page(errors: tuple[ContentError, ...]) -> bytes:
    items = "".join(
        f"<li><pre>{html.escape(error.format())}</pre></li>" for error in errors
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


def make_handler(state: PreviewState) -> type[SimpleHTTPRequestHandler]:
    class PreviewHandler(SimpleHTTPRequestHandler):
        """Serves the current build, the version endpoint and the error overlay."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(state.out), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the terminal is for build messages

        def do_GET(self) -> None:
            with state.lock:
                version, errors = state.version, state.errors
            path = self.path.split("?", 1)[0]
            if path == VERSION_PATH:
                self._send(HTTPStatus.OK, "text/plain", str(version).encode())
                return
            if errors and (path.endswith("/") or path.endswith(".html")):
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html", overlay_page(errors))
                return
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

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return PreviewHandler


def serve(content: Path, templates: Path | None, port: int, say: Say) -> None:
    """Run until interrupted (Ctrl-C); clean up the temporary site."""
    workdir = Path(tempfile.mkdtemp(prefix="kabul-brief-preview-"))
    state = PreviewState(out=workdir / "site")
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(state))
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    stop = threading.Event()
    watched = [content] + ([templates] if templates is not None and templates.is_dir() else [])

    def watch() -> None:
        for changes in watchfiles.watch(*watched, stop_event=stop, debounce=200, step=50):
            names = sorted({Path(path).name for _, path in changes})
            say(f"changed: {', '.join(names)}")
            rebuild(content, templates, state, base_url, say)

    try:
        rebuild(content, templates, state, base_url, say)
        watcher = threading.Thread(target=watch, name="kabul-brief-watch", daemon=True)
        watcher.start()
        say(f"serving {content} at {base_url} (Ctrl-C to stop)")
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
