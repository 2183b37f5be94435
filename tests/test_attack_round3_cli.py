"""A broken template, as an outside attack tried it: one positioned line, no traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kabul_brief.folders import package_theme
from tests.conftest import CliResult

Run = Callable[..., CliResult]


@pytest.fixture
def broken_theme(good_site: Path) -> Path:
    """A copy of the theme, given to the build as the site's own (``--templates``)."""
    theme = good_site / "theme"
    shutil.copytree(package_theme(), theme)
    return theme


def _old_site(run_cli: Run, good_site: Path) -> bytes:
    assert run_cli("build", "--quiet").code == 0
    return (good_site / "_site/index.html").read_bytes()


def _refused_with(run_cli: Run, good_site: Path, template: Path, jobs: str,
                  edit: Callable[[list[str]], list[str]]) -> str:
    """Build once with the shipped theme, break ``template`` by ``edit`` (its lines in,
    its lines out), build again: exit 1, no traceback, the old site kept. Its stderr."""
    before = _old_site(run_cli, good_site)
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    template.write_text("".join(edit(lines)), encoding="utf-8")
    result = run_cli("build", "--jobs", jobs, "--templates", str(template.parent))
    assert result.code == 1
    assert "Traceback" not in result.err
    assert (good_site / "_site/index.html").read_bytes() == before
    return result.err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_syntax_error_is_one_line_with_its_file_and_line(
    good_site: Path, broken_theme: Path, run_cli: Run, jobs: str,
) -> None:
    base = broken_theme / "base.html"
    lines = base.read_text(encoding="utf-8").count("\n")
    err = _refused_with(run_cli, good_site, base, jobs,
                        lambda text: [*text, "{% if %}\n"])
    assert err.splitlines() == [
        f"{base}:{lines + 1}: error: template: Expected an expression, got 'end of"
        " statement block'",
        "nothing was written; _site was left as it was.",
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_error_while_rendering_names_the_template_line(
    good_site: Path, broken_theme: Path, run_cli: Run, jobs: str,
) -> None:
    base = broken_theme / "base.html"
    err = _refused_with(run_cli, good_site, base, jobs,
                        lambda text: [*text[:3], "{{ page.no_such_field.x }}\n", *text[3:]])
    [error, nothing] = err.splitlines()
    assert error.startswith(f"{base}:4: error: template: ")
    assert "no_such_field" in error
    assert nothing == "nothing was written; _site was left as it was."
