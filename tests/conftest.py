"""Shared helpers: copy a fixture site, mutate one token, run the CLI."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kabul_brief.cli import main
from kabul_brief.content.model import Site
from kabul_brief.pipeline import Build, BuildRequest

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_SITE = FIXTURES / "model" / "good"

# The fixture sites are built as if outside git: git does not look above
# tests/fixtures for a repository, so their pages carry no Published or Updated date
# that would depend on the checkout (a shallow clone has none). Set on import, before
# any test module copies the environment for its subprocesses. The tests of the dates
# make repositories of their own (test_site_history.py).
os.environ["GIT_CEILING_DIRECTORIES"] = str(FIXTURES)


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        """The ``PATH:LINE:COL: error:`` lines, without hints and the summary."""
        return [line for line in self.err.splitlines() if ": error: " in line]


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds of the fixture folders keep their caches in a temporary folder, not
    beside the fixtures in the repository."""
    os.environ["KABUL_BRIEF_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    # The key that authenticates cache files lives in the user's cache folder: the
    # test session makes its own instead of touching the real one.
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))




@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*args: str) -> CliResult:
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return CliResult(code=code, out=captured.out, err=captured.err)

    return run


@pytest.fixture
def good_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the good fixture site; the working directory is its root, so error
    paths read ``content/...``."""
    site = tmp_path / "site"
    shutil.copytree(GOOD_SITE, site)
    monkeypatch.chdir(site)
    return site


def checked_site(content: Path, *, drafts: bool = False) -> Site:
    """The model of ``content``, as ``check`` makes it (through the one build entry);
    raises ContentErrors as ``check`` reports them."""
    site = Build(BuildRequest(content=content, drafts=drafts)).run().site
    assert site is not None
    return site


def mutate(site: Path, relative: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a fixture file."""
    path = site / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def run_isolated(code: str) -> str:
    """Run Python code in a fresh interpreter and return what it printed. Work spread
    over forked processes is only done from a single-threaded process, which the test
    session (with its browser and server threads) is not."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        check=False, timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(run_cli: Callable[..., CliResult], *expected: str) -> CliResult:
    """``check`` and ``build`` both exit 1 with exactly ``expected`` error lines, in
    one run, and no traceback (``build`` writes nothing)."""
    checked = run_cli("check")
    assert "Traceback" not in checked.err
    assert checked.error_lines == list(expected), checked.err
    assert checked.code == 1
    built = run_cli("build", "--out", "_site", "--quiet", "--jobs", "1")
    assert "Traceback" not in built.err
    assert built.error_lines == list(expected), built.err
    assert built.code == 1
    assert not Path("_site").exists()
    return checked


def builds(run_cli: Callable[..., CliResult], content: str = "content") -> Path:
    """``check`` passes and ``build`` builds, with no traceback; the built folder."""
    checked = run_cli("check", "--content", content)
    assert checked.code == 0, checked.err
    built = run_cli("build", "--content", content, "--out", "_site", "--quiet", "--jobs", "1")
    assert built.code == 0, built.err
    assert "Traceback" not in built.err
    return Path("_site")


def signalled(command: list[str], cwd: Path | None,
              ready: Callable[[subprocess.Popen[str]], object],
              *signals: tuple[signal.Signals, float],
              env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start ``command`` in a process group of its own, as a terminal or a CI runner
    does; once ``ready(process)`` returns, send each signal to the whole group after
    its delay. The exit status and what it printed on stderr; nothing is left running
    whatever happens."""
    process = subprocess.Popen(
        command, cwd=cwd, start_new_session=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env=env or {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    try:
        ready(process)
        for number, delay in signals:
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, number)
        _, err = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    return process.returncode, err


def set_main_text(text: str, field: str, new: str) -> str:
    """A YAML record's top-level ``field`` set to ``new`` in the main language, whether
    the file gives one text (``title: ...``) or a mapping of languages (``title:`` then
    ``  en: ...``): the other languages' texts are kept."""
    plain = re.compile(rf"(?m)^{field}: (?![|>]).*$")
    if plain.search(text):
        return plain.sub(lambda _: f"{field}: {new}", text, count=1)
    mapped = re.compile(rf"(?m)^({field}:\n(?:  [a-zA-Z-]+: .*\n)*?  en: ).*$")
    assert mapped.search(text), f"no {field} in the main language"
    return mapped.sub(lambda found: found.group(1) + new, text, count=1)


def main_text(text: str, field: str) -> str:
    """A YAML record's top-level ``field`` in the main language (see :func:`set_main_text`)."""
    found = (re.search(rf"(?m)^{field}: (?![|>])(.*)$", text)
             or re.search(rf"(?m)^{field}:\n(?:  [a-zA-Z-]+: .*\n)*?  en: (.*)$", text))
    assert found is not None, f"no {field} in the main language"
    return found.group(1)
