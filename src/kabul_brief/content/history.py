"""When each content file was first committed and last changed, read from git.

Newsrooms date what they publish and what they change. The dates come from the
commits that touched each record's file (committer dates, in UTC), read with one
``git log`` for the whole content folder, never one process per file. What git
cannot vouch for is left out, not guessed:

- a content folder outside a git work tree, or git missing: no history at all;
- git refusing the folder (another user's repository without ``safe.directory``):
  no history, and a warning (``no-history``) that says how to let git read it;
- a shallow clone (``git clone --depth 1``, the default checkout of many CI
  services): its oldest commit claims every file it holds, so neither date can be
  trusted: no history, and a warning (check out with full history, for example
  ``fetch-depth: 0``, to show them);
- a file with no commit (new, not yet committed): no history for that record;
- uncommitted edits: they move nothing until they are committed.

A record is its file: a renamed file is a new record (its id is its name), and its
history starts with the commit that added the new name.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO, Final

from kabul_brief.content.model import NO_HISTORY, FileHistory

_COMMIT: Final = "\x1e"
"""Starts each commit's line in the log (a character no committer date holds)."""

_GIT: Final = ("git", "-c", "log.showSignature=false", "-c", "core.quotePath=false")


@dataclass(frozen=True, slots=True)
class Revision:
    """What the history depends on: the commit checked out (None outside git, in a
    shallow clone or where git refuses the folder). Two builds at one revision read
    the same history; a new commit changes it."""

    head: str | None
    missing: tuple[str, str] | None = None
    """Why a content folder that is in git shows no dates (a shallow clone, a
    repository git refuses): the warning's message and hint; None when nothing is
    amiss."""


def _environment() -> dict[str, str]:
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def _run_git(content: Path, *args: str) -> tuple[bytes | None, bytes]:
    """The output of one git command run in the content folder (None if git is missing
    or fails: not a work tree, no commit yet, a folder it refuses), and what it said."""
    try:
        done = subprocess.run([*_GIT, "-C", str(content), *args], capture_output=True,
                              env=_environment(), check=False, stdin=subprocess.DEVNULL)
    except OSError:  # no git on this machine
        return None, b""
    return (done.stdout if done.returncode == 0 else None), done.stderr


_REFUSED: Final = (
    "git refuses to read the repository holding the content (it belongs to another"
    " user): no page shows when it was published or updated",
    "If the repository is to be trusted, `git config --global --add safe.directory"
    " PATH` (PATH its top folder) lets git read it.")
_SHALLOW: Final = (
    "the content is in a shallow clone, whose oldest commit would claim every file:"
    " no page shows when it was published or updated",
    "Check out the whole history (for example `fetch-depth: 0`, or"
    " `git fetch --unshallow`).")


def revision(content: Path) -> Revision:
    """The commit the content folder's history is read at, if it can be trusted."""
    out, said = _run_git(content, "rev-parse", "--is-shallow-repository", "--verify", "HEAD")
    if out is None:
        refused = b"dubious ownership" in said or b"safe.directory" in said
        return Revision(None, _REFUSED if refused else None)
    lines = out.decode("ascii", "replace").split()
    if len(lines) != 2 or lines[0] != "false":
        return Revision(None, _SHALLOW if lines[:1] == ["true"] else None)
    return Revision(lines[1])


def _utc_day(stamp: bytes) -> dt.date:
    return dt.datetime.fromtimestamp(int(stamp), dt.UTC).date()


def parse_log(log: bytes) -> dict[str, FileHistory]:
    """``git log --format=%x1e%ct --name-only -z`` -> each path's history. Paths are
    as git wrote them (relative to the content folder with ``--relative``)."""
    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    count: dict[str, int] = {}
    for commit in log.split(_COMMIT.encode())[1:]:
        stamp, _, names = commit.partition(b"\x00")
        day = _utc_day(stamp)
        for raw in names.removeprefix(b"\n").split(b"\x00"):
            if not raw:
                continue
            path = os.fsdecode(raw)
            first[path] = min(first.get(path, day), day)
            last[path] = max(last.get(path, day), day)
            count[path] = count.get(path, 0) + 1
    return {path: FileHistory(published=first[path], updated=last[path],
                              revisions=count[path]) for path in first}


class PendingHistory:
    """The one ``git log`` of the content folder, started before the content is loaded
    and read once it is linked: git runs beside the loader, so the history costs the
    build next to nothing. Its output goes to a temporary file, not a pipe, so git
    never waits for a reader."""

    def __init__(self, content: Path, at: Revision | None = None) -> None:
        at = at if at is not None else revision(content)
        self.missing = at.missing
        """Why the content in git has no history (:attr:`Revision.missing`)."""
        self._output: IO[bytes] | None = None
        self._git: subprocess.Popen[bytes] | None = None
        if at.head is None:
            return
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        try:
            self._git = subprocess.Popen(
                [*_GIT, "-C", str(content), "log", f"--format={_COMMIT}%ct", "--name-only",
                 "--no-renames", "--relative", "-z", at.head, "--", "."],
                stdout=self._output, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                env=_environment())
        except OSError:
            self.close()

    def result(self, records: Iterable[tuple[str, str, str]]) -> Mapping[str, FileHistory]:
        """``"KIND/ID"`` -> the history of the record's file, for the records given as
        (kind, id, path relative to the content folder); empty where git cannot vouch
        for the dates (see the module's docstring)."""
        if self._git is None or self._output is None:
            return NO_HISTORY
        try:
            if self._git.wait() != 0:
                return NO_HISTORY
            self._output.seek(0)
            by_path = parse_log(self._output.read())
        finally:
            self.close()
        found = {f"{kind}/{record_id}": by_path[path]
                 for kind, record_id, path in records if path in by_path}
        return MappingProxyType(dict(sorted(found.items())))

    def close(self) -> None:
        """Stop git if it still runs (the content had errors), and drop its output."""
        if self._git is not None and self._git.poll() is None:
            self._git.kill()
            self._git.wait()
        self._git = None
        if self._output is not None:
            self._output.close()
            self._output = None


def read_history(content: Path, records: Iterable[tuple[str, str, str]],
                 at: Revision | None = None) -> Mapping[str, FileHistory]:
    """:meth:`PendingHistory.result`, at once."""
    return PendingHistory(content, at).result(records)
