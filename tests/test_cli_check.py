"""`kabul-brief check`: what an editor and CI see on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, CliResult

TEN_ERRORS = FIXTURES / "model" / "ten-errors"
REPO = Path(__file__).resolve().parents[1]


def test_ten_planted_errors_are_all_reported_sorted_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    monkeypatch.chdir(TEN_ERRORS)
    result = run_cli("check")
    assert result.code == 1
    assert result.err == (TEN_ERRORS / "expected-errors.txt").read_text(encoding="utf-8")
    assert len(result.error_lines) == 10
    positions = [line.split(": error:")[0].split(":") for line in result.error_lines]
    keys = [(path, int(line), int(column)) for path, line, column in positions]
    assert keys == sorted(keys)
    assert len({path for path, _, _ in keys}) >= 7


def test_clean_content_exits_0_and_says_what_it_checked(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("check")
    assert result.code == 0
    assert result.err == ""
    assert result.out.strip() == (
        "content OK: 1 articles, 3 events, 5 actors, 4 places, 1 disputes,"
        " 1 relationships, 1 sources"
    )


def test_shipped_content_passes_check(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("check", "--content", str(REPO / "content"))
    assert result.code == 0, result.err


def test_check_writes_nothing(good_site: Path, run_cli: Callable[..., CliResult]) -> None:
    before = sorted(p.relative_to(good_site) for p in good_site.rglob("*"))
    assert run_cli("check").code == 0
    assert sorted(p.relative_to(good_site) for p in good_site.rglob("*")) == before


def test_paths_are_shown_as_the_content_folder_was_given(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/places/kabul.yaml").write_text("id: kabul\n", encoding="utf-8")
    result = run_cli("check", "--content", "./content/")
    assert result.error_lines[0].startswith("content/places/kabul.yaml:1:1: error:")


def test_missing_site_yaml_is_an_error_about_the_whole_file(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content/site.yaml").unlink()
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == ["content/site.yaml: error: site.yaml is missing [missing-site]"]


def test_missing_content_folder_is_a_content_error(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("check", "--content", str(tmp_path / "nowhere"))
    assert result.code == 1
    assert result.error_lines == [
        f"{tmp_path}/nowhere: error: the content folder does not exist [missing-content]"
    ]


def test_bad_usage_exits_2(run_cli: Callable[..., CliResult]) -> None:
    assert run_cli("check", "--no-such-option").code == 2
    assert run_cli("frobnicate").code == 2
    assert run_cli().code == 2


def test_files_starting_with_underscore_or_dot_are_ignored(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    for name in ("_draft.yaml", ".backup.yaml", "_drafts/x.yaml"):
        path = good_site / "content/events" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("not: [valid", encoding="utf-8")
    assert run_cli("check").code == 0


def test_content_error_never_shows_a_traceback_via_the_real_command(good_site: Path) -> None:
    (good_site / "content/events/bad.yaml").write_bytes(b"id: x\x00\xff: [")
    process = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "check"],
        capture_output=True, text=True, cwd=good_site, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert process.stderr.startswith("content/events/bad.yaml:1:")


def test_a_misnamed_content_folder_is_an_error_and_other_folders_are_left_alone(
    good_site: Path, run_cli: Callable[..., CliResult]
) -> None:
    (good_site / "content" / "event").mkdir()
    (good_site / "content" / "event" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    (good_site / "content" / "images").mkdir()
    (good_site / "content" / "images" / "map.png").write_bytes(b"\x89PNG")
    result = run_cli("check")
    assert result.code == 1
    assert result.error_lines == [
        "content/event: error: folder 'event' is not a content folder; did you mean 'events'?"
        " [unknown-folder]"
    ]
