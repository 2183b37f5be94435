"""A site's own templates are code the site brings: they run sandboxed, and whatever
they raise is one error line with the template's file and line, in `check` as in
`build`, with the previous site left as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GOOD_SITE

REPO = Path(__file__).resolve().parents[1]


def kabul_brief(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kabul_brief", *args], cwd=cwd, capture_output=True,
        text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("code") / "site"
    shutil.copytree(GOOD_SITE, site)
    done = kabul_brief(site, "build", "--out", "_site", "--jobs", "1", "-q")
    assert done.returncode == 0, done.stderr
    return site


@pytest.mark.parametrize(("template", "line"), [
    ("{{ 1/0 }}", "templates/page.html:1: error: template: ZeroDivisionError: division by zero"),
    ('{{ "%d" % "x" }}',
     "templates/page.html:1: error: template: TypeError: %d format: a real number is"
     " required, not str"),
    ('{% include "page.html" %}',
     "templates: error: template: the templates include or extend each other without end"),
    ('{% extends "page.html" %}',
     "templates: error: template: the templates include or extend each other without end"),
    ("{{ nosuch }}", "templates/page.html:1: error: template: 'nosuch' is undefined"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}",
     "templates/page.html:1: error: template: access to attribute '__init__' of 'type'"
     " object is unsafe."),
    ("{{ ''.__class__.__mro__ }}",
     "templates/page.html:1: error: template: access to attribute '__class__' of 'str'"
     " object is unsafe."),
    ("{% for x in range(10**9) %}{% endfor %}",
     "templates/page.html:1: error: template: OverflowError: Range too big. The sandbox"
     " blocks ranges larger than MAX_RANGE (100000)."),
], ids=["zero", "type", "self-include", "self-extends", "undefined", "globals", "mro",
        "range"])
def test_a_template_that_fails_as_it_runs_is_one_line_in_check_and_build(
        built: Path, template: str, line: str) -> None:
    before = (built / "_site/about/index.html").read_bytes()
    (built / "templates").mkdir(exist_ok=True)
    (built / "templates/page.html").write_text(template + "\n", encoding="utf-8")
    try:
        for command in (["check"], ["build", "--out", "_site", "--jobs", "2"]):
            ran = kabul_brief(built, *command)
            assert "Traceback" not in ran.stderr + ran.stdout, ran.stderr
            assert ran.returncode == 1, (command, ran.stderr)
            assert ran.stderr.splitlines()[0] == line, command
        assert (built / "_site/about/index.html").read_bytes() == before
    finally:
        shutil.rmtree(built / "templates")


def test_a_working_override_passes_check_and_is_built(built: Path) -> None:
    (built / "templates").mkdir(exist_ok=True)
    (built / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="ours">{{ page.title }}</p>'
        "{% endblock %}\n", encoding="utf-8")
    try:
        assert kabul_brief(built, "check", "--strict").returncode == 0
        done = kabul_brief(built, "build", "--out", "_site", "--jobs", "1", "-q")
        assert done.returncode == 0, done.stderr
        assert b'<p id="ours">' in (built / "_site/about/index.html").read_bytes()
    finally:
        shutil.rmtree(built / "templates")


def test_a_link_out_of_the_templates_folder_is_refused(built: Path) -> None:
    secret = built.parent / "secret.txt"
    secret.write_text("not for the site\n", encoding="utf-8")
    (built / "templates/static").mkdir(parents=True)
    (built / "templates/static/leak.css").symlink_to(secret)
    (built / "templates/static/inside.css").write_text("p{}\n", encoding="utf-8")
    (built / "templates/static/alias.css").symlink_to(built / "templates/static/inside.css")
    before = (built / "_site/index.html").read_bytes()
    try:
        for command in (["check"], ["build", "--out", "_site", "--jobs", "1"]):
            ran = kabul_brief(built, *command)
            assert ran.returncode == 1, (command, ran.stderr)
            assert ran.stderr.splitlines()[0] == (
                "templates/static/leak.css: error: a link out of the templates folder"
                " [unreadable-template]")
        assert (built / "_site/index.html").read_bytes() == before
        assert not (built / "_site/static/leak.css").exists()
    finally:
        shutil.rmtree(built / "templates")
