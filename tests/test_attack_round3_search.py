"""The search index does not depend on the file system the site is built on: Pagefind
is fed the pages in sorted order, not in the order a folder happens to list them
(tmpfs lists a folder's files in another order than a disk does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "tests" / "fixtures" / "site" / "basic" / "content"


def _build(cwd: Path, out: Path, *extra: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "build", "--content", "content",
         "--out", str(out), "--quiet", *extra],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _differing(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(name for name in one.keys() | other.keys()
                  if one.get(name) != other.get(name))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=50m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_build_on_tmpfs_is_byte_identical_to_one_on_disk(site: Path, tmpfs: Path) -> None:
    _build(site, site / "normal")
    _build(site, tmpfs / "out")
    normal, on_tmpfs = _tree(site / "normal"), _tree(tmpfs / "out")
    assert any(name.startswith("pagefind/") for name in normal)
    assert _differing(normal, on_tmpfs) == []


def test_a_build_on_tmpfs_mount_point_itself_is_byte_identical(site: Path, tmpfs: Path) -> None:
    """``--out`` the mount point itself: the build works in a hidden folder inside it."""
    _build(site, site / "normal")
    _build(site, tmpfs)
    normal, on_tmpfs = _tree(site / "normal"), _tree(tmpfs)
    assert _differing(normal, on_tmpfs) == []


def test_builds_with_one_and_two_workers_are_byte_identical(site: Path) -> None:
    _build(site, site / "one", "--jobs", "1")
    _build(site, site / "two", "--jobs", "2")
    assert _differing(_tree(site / "one"), _tree(site / "two")) == []
