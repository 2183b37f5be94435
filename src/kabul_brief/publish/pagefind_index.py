"""Index one folder of pages with Pagefind's indexing service (``pagefind --service``,
what its Python API drives), the pages fed in sorted path order: the command line
indexes them in the order the folder lists them, which depends on the file system
(a tmpfs lists them differently from a disk), and so does the index it writes.

The requests are sent one at a time here rather than through ``PagefindIndex``: its
client waits a tenth of a second before reading each answer, which would make a
shard of a thousand pages take minutes. The index is asked for (``GetFiles``) and
written here: the answer to ``WriteFiles`` can come before Pagefind has finished
writing, and a file was seen still empty. The binary is the one the ``pagefind``
package finds (``pagefind.service.get_executable``).

Run as a script by :mod:`kabul_brief.publish.search` (``python -P this-file SITE
OUTPUT [FOLDER ...]``), in its own process so that two shards are indexed at once
and Pagefind's memory is freed after each; with ``-P`` nothing in the working folder
is imported. Pagefind computes each page's URL from its path relative to SITE.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import IO, Any


def html_files(site: Path, folders: list[str]) -> list[str]:
    """Paths relative to ``site`` of its HTML files (only under ``folders`` if given,
    in the main language's pages or in a further language's folder), sorted."""
    found = []
    for top, _dirs, files in os.walk(site):
        for name in files:
            if not name.endswith(".html"):
                continue
            relative = Path(top, name).relative_to(site).as_posix()
            parts = relative.split("/")
            # A folder of the main language's pages, or the same in a language's folder
            # (fa-af/actors/...).
            if not folders or parts[0] in folders or (len(parts) > 2 and parts[1] in folders):
                found.append(relative)
    return sorted(found)


class _Service:
    """One ``pagefind --service`` process: base64 JSON messages ended by commas."""

    def __init__(self, binary: Path, cwd: Path) -> None:
        self._process = subprocess.Popen([str(binary), "--service"], cwd=cwd,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._next = 0
        self._buffer = b""

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        self._next += 1
        message = json.dumps({"message_id": self._next, "payload": payload}).encode()
        stdin.write(base64.b64encode(message) + b",")
        stdin.flush()
        answer: dict[str, Any] = json.loads(base64.b64decode(self._read_answer(stdout)))
        reply: dict[str, Any] = answer.get("payload") or {}
        if reply.get("type") == "Error" or answer.get("message_id") != self._next:
            raise RuntimeError(f"Pagefind: {reply.get('message', answer)}")
        return reply

    def _read_answer(self, stream: IO[bytes]) -> bytes:
        """Up to the next comma; an answer (the whole index, see :func:`index`) can be
        megabytes long, so the pipe is read in chunks."""
        while (end := self._buffer.find(b",")) < 0:
            chunk = os.read(stream.fileno(), 1 << 20)
            if not chunk:
                raise RuntimeError("Pagefind's service ended without answering")
            self._buffer += chunk
        answer, self._buffer = self._buffer[:end], self._buffer[end + 1:]
        return answer

    def close(self, stopped: bool = False) -> None:
        """End the service: asked to (its input closed), or at once if ``stopped``;
        either way it is waited for, so that it never outlives this process."""
        if stopped:
            self._process.kill()
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def index(site: Path, output: Path, folders: list[str]) -> None:
    from pagefind.service import get_executable  # sys.path has no working folder (-P)

    binary = get_executable()
    if binary is None:
        raise RuntimeError("could not find the pagefind binary")
    service = _Service(binary, site)
    stopped = True
    try:
        index_id = service.send({"type": "NewIndex", "config": None})["index_id"]
        for relative in html_files(site, folders):
            content = (site / relative).read_text(encoding="utf-8")
            service.send({"type": "AddFile", "index_id": index_id, "url": None,
                          "file_path": relative, "file_contents": content})
        files = service.send({"type": "GetFiles", "index_id": index_id})["files"]
        for file in sorted(files, key=lambda file: str(file["path"])):
            path = output / str(file["path"])
            if not path.resolve().is_relative_to(output):
                raise RuntimeError(f"Pagefind wrote outside its folder: {file['path']!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(file["content"]))
        stopped = False
    finally:
        service.close(stopped)


def _stop(number: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + number)


def main(arguments: list[str]) -> int:
    """The build stops an indexer with SIGTERM (it runs in a process group of its own,
    out of reach of the group's signals): it unwinds, so that Pagefind is ended and
    waited for."""
    stopping = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    for number in stopping:
        signal.signal(number, _stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stopping)  # held as the build started it
    site, output, *folders = arguments
    index(Path(site).resolve(), Path(output).resolve(), folders)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
