"""The wheel, installed in a fresh virtualenv outside the checkout, makes a site on its
own: ``init``, ``check``, ``build`` and ``serve`` from an empty folder, with the theme
the wheel carries and a site's own overrides of it.

The wheel is built from a copy of the checkout (an earlier build's ``build/`` folder
could otherwise bring along files deleted since); its dependencies come from the
package index, or pip's cache. Nothing of the checkout is on the path of the commands:
``PYTHONPATH`` is dropped and they run in a folder of their own.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", "node_modules", "_site", "build", "dist", "*.egg-info", "__pycache__",
    ".kabul-brief-cache", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache",
    ".hypothesis", "mutants",
)
TIMEOUT = 300


@dataclass(frozen=True)
class Installed:
    bin: Path
    env: dict[str, str]
    theme: Path
    """The theme the installed package carries."""


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=TIMEOUT, check=False)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    source, dist, venv = work / "source", work / "dist", work / "venv"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    # -P: the checkout's own build.py must not stand in for the `build` package.
    _run([sys.executable, "-P", "-m", "build", "--wheel", "--outdir", str(dist),
          str(source)], cwd=work)
    [wheel] = dist.glob("kabul_brief-*.whl")
    _run([sys.executable, "-P", "-m", "twine", "check", "--strict", str(wheel)], cwd=work)
    _run([sys.executable, "-m", "venv", str(venv)], cwd=work)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTHON") and name != "VIRTUAL_ENV"}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    _run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", str(wheel)],
         cwd=work, env=env)
    where = _run([str(venv / "bin/python"), "-c",
                  "import kabul_brief, kabul_brief.folders as f;"
                  " print(kabul_brief.__file__); print(f.package_theme())"],
                 cwd=work, env=env).stdout.splitlines()
    package, theme = (Path(line) for line in where)
    assert package.is_relative_to(venv), f"kabul_brief imported from {package}, not the venv"
    assert theme == package.parent / "theme"
    return Installed(bin=venv / "bin", env=env, theme=theme)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    empty = tmp_path / "desk"
    empty.mkdir()
    yield empty


def _command(installed: Installed, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([str(installed.bin / "kabul-brief"), *args], cwd=cwd, env=installed.env)


def _serve_front_page(installed: Installed, site: Path) -> BeautifulSoup:
    """Start ``serve --port 0``, read its address, fetch ``/``, stop it with SIGINT."""
    process = subprocess.Popen([str(installed.bin / "kabul-brief"), "serve", "--port", "0"],
                               cwd=site, env=installed.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            found = re.search(r"serving content at (http://127\.0\.0\.1:[0-9]+/)", line)
            if found:
                break
        else:
            pytest.fail(f"serve stopped without serving: {''.join(lines)}")
        with urllib.request.urlopen(found.group(1), timeout=30) as response:
            assert response.status == 200
            front = BeautifulSoup(response.read(), "html.parser")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        rest = process.stdout.read()
        assert "Traceback" not in "".join(lines) + rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    return front


def test_the_installed_wheel_starts_checks_builds_serves_and_takes_overrides(
    installed: Installed, folder: Path
) -> None:
    _command(installed, folder, "init", "site")
    site = folder / "site"
    checked = _command(installed, site, "check", "--strict")
    assert checked.stderr == ""
    _command(installed, site, "build", "--quiet")
    out = site / "_site"
    front = BeautifulSoup((out / "index.html").read_bytes(), "html.parser")
    assert front.title is not None and front.title.get_text().startswith("My Brief")
    theme_css = (installed.theme / "static/style.css").read_bytes()
    assert (out / "static/style.css").read_bytes() == theme_css
    # the theme's binary files travel in the wheel too: icons, web fonts and the licence
    for name in ("favicon.svg", "favicon-32.png", "apple-touch-icon.png",
                 "fonts/source-serif-4-latin-400-normal.woff2", "fonts/OFL-source-serif-4.txt"):
        assert (out / "static" / name).read_bytes() == (installed.theme / "static" / name
                                                        ).read_bytes(), name
    assert (out / "articles/welcome/card.png").read_bytes().startswith(b"\x89PNG")

    served = _serve_front_page(installed, site)
    assert served.title is not None and served.title.get_text() == front.title.get_text()

    article = out / "articles/welcome/index.html"
    theme_heading = BeautifulSoup(article.read_bytes(), "html.parser").find("h1")
    assert theme_heading is not None
    templates = site / "templates"
    (templates / "static").mkdir(parents=True)
    (templates / "static/style.css").write_text("body { color: rebeccapurple }\n", "utf-8")
    (templates / "article.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        '<p id="own-article">{{ view.card.link.text }}</p>{% endblock %}\n', "utf-8")
    _command(installed, site, "build", "--quiet")
    assert (out / "static/style.css").read_text("utf-8") == "body { color: rebeccapurple }\n"
    own = BeautifulSoup(article.read_bytes(), "html.parser")
    mark = own.find(id="own-article")
    assert mark is not None
    assert mark.get_text() == "Northland and Southland talk about the river again"
    assert own.find("h1") is None

    shutil.rmtree(templates)
    _command(installed, site, "build", "--quiet")
    assert (out / "static/style.css").read_bytes() == theme_css
    again = BeautifulSoup(article.read_bytes(), "html.parser")
    assert again.find(id="own-article") is None
    assert again.find("h1") == theme_heading
