"""Every piece a site can lack or break, through the real command line
(``python -m kabul_brief`` in a folder of its own): no content folder, a file in its
place, no ``site.yaml``, a site template that does not compile, one that cannot be read,
a templates folder that is not one. Each is one error line, exit 1 or 2, no traceback,
and a build that fails leaves the previous site as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GOOD_SITE, CliResult

REPO = Path(__file__).resolve().parents[1]
AS_ROOT = os.geteuid() == 0
AS_A_USER = (["setpriv", "--bounding-set=-dac_override,-dac_read_search",
              "--inh-caps=-dac_override,-dac_read_search"] if AS_ROOT else [])
"""Root reads a file whatever its permissions, unless it gives up the capabilities
that let it: then it reads as any user does (the CI machine runs the tests as root)."""


def kabul_brief(cwd: Path, *args: str) -> CliResult:
    result = subprocess.run(
        [*AS_A_USER, sys.executable, "-m", "kabul_brief", *args], cwd=cwd, capture_output=True,
        text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert "Traceback" not in result.stderr + result.stdout
    return CliResult(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    shutil.copytree(GOOD_SITE, folder)
    return folder


def _refused(cwd: Path, commands: tuple[str, ...], line: str, code: int = 1,
             *args: str) -> None:
    for command in commands:
        extra = ("--port", "0") if command == "serve" else ()
        ran = kabul_brief(cwd, command, *extra, *args)
        assert ran.error_lines == [line], (command, ran.err)
        assert ran.code == code, (command, ran.err)


def test_no_content_folder(tmp_path: Path) -> None:
    _refused(tmp_path, ("check", "build", "serve"),
             "content: error: the content folder does not exist [missing-content]")


def test_no_site_folder_for_the_content_given(tmp_path: Path) -> None:
    _refused(tmp_path, ("check", "build", "serve"),
             "elsewhere/content: error: the content folder does not exist [missing-content]",
             1, "--content", "elsewhere/content")


def test_a_file_where_the_content_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "content").write_text("not a folder\n", encoding="utf-8")
    _refused(tmp_path, ("check", "build", "serve"),
             "content: error: the content folder is a file, not a folder [missing-content]")


def test_no_site_yaml(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    _refused(tmp_path, ("check", "build"),
             "content/site.yaml: error: site.yaml is missing [missing-site]")
    assert not (tmp_path / "_site").exists()


def _built(site: Path) -> bytes:
    ran = kabul_brief(site, "build", "--quiet")
    assert ran.code == 0, ran.err
    return (site / "_site/index.html").read_bytes()


def test_a_site_template_with_a_syntax_error_names_its_own_file_and_line(site: Path) -> None:
    before = _built(site)
    article = site / "templates/article.html"
    article.parent.mkdir()
    article.write_text('{% extends "base.html" %}\n{% block content %}\n{% if %}\n'
                       "{% endblock %}\n", encoding="utf-8")
    line = ("templates/article.html:3: error: template: Expected an expression,"
            " got 'end of statement block'")
    for command in ("check", "build"):
        ran = kabul_brief(site, command)
        assert ran.error_lines == [line], (command, ran.err)
        assert ran.code == 1
    assert (site / "_site/index.html").read_bytes() == before


def _unreadable_by_permissions(path: Path) -> None:
    path.write_text("<p>ours</p>\n", encoding="utf-8")
    path.chmod(0)


def _a_folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.html").write_text("<p>ours</p>\n", encoding="utf-8")


def _a_link_to_nothing(path: Path) -> None:
    path.symlink_to(path.parent / "no-such-file.html")


def _not_utf8(path: Path) -> None:
    path.write_bytes(b"<p>caf\xe9</p>\n")


@pytest.mark.parametrize(("make", "message"), [
    (_unreadable_by_permissions, "the template cannot be read (Permission denied)"),
    (_a_folder, "a folder, where the theme has the file article.html"),
    (_a_link_to_nothing, "a link to nothing"),
    (_not_utf8, "the template is not UTF-8 text (byte 0xe9 at offset 6)"),
], ids=["permissions", "folder", "dead-link", "not-utf-8"])
def test_a_site_template_that_cannot_be_read(site: Path, make: object, message: str) -> None:
    before = _built(site)
    (site / "templates").mkdir()
    assert callable(make)
    make(site / "templates/article.html")
    _refused(site, ("check", "build", "serve"),
             f"templates/article.html: error: {message} [unreadable-template]")
    assert (site / "_site/index.html").read_bytes() == before


def test_a_templates_folder_that_cannot_be_read(site: Path) -> None:
    templates = site / "templates"
    templates.mkdir()
    templates.chmod(0)
    try:
        _refused(site, ("check", "build", "serve"),
                 "templates: error: the folder cannot be read (Permission denied)"
                 " [unreadable-template]")
    finally:
        templates.chmod(0o755)


def test_a_file_where_the_templates_folder_should_be(site: Path) -> None:
    (site / "templates").write_text("not a folder\n", encoding="utf-8")
    _refused(site, ("check", "build", "serve"),
             "templates: error: the templates folder is not a folder [missing-templates]")


def test_a_templates_folder_given_that_does_not_exist(site: Path) -> None:
    _refused(site, ("check", "build", "serve"),
             "nowhere: error: the templates folder does not exist [missing-templates]",
             1, "--templates", "nowhere")
