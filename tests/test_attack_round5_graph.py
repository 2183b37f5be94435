"""Round 5 of outside attacks, on the dependency graph and the bookkeeping files of a
built folder: whatever is planted there (a graph or manifest from another build, one
edited by hand, nested too deep, a link to /dev/zero or to a pipe, a search file
changed by hand), the next build ends, prints no traceback, and leaves the tree a
full build leaves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_site_support import SHIPPED, copy_content, tree

from kabul_brief.publish.writer import GRAPH, MANIFEST
from tests.conftest import set_main_text

REPO = Path(__file__).resolve().parents[1]
EVENT = "content/events/pahalgam-attack.yaml"


def build(content: Path, out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kabul_brief", "build", "--content", str(content), "--out",
         str(out), "-q", *extra], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "KABUL_BRIEF_CACHE": str(cache)})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def full(content: Path, root: Path) -> dict[str, bytes]:
    out = root / "full"
    if out.exists():
        shutil.rmtree(out)
    assert build(content, out, root / "full-cache").returncode == 0
    return tree(out)


def retitle(root: Path, title: str) -> None:
    path = root / EVENT
    path.write_text(set_main_text(path.read_text(encoding="utf-8"), "title", title),
                    encoding="utf-8")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    copy_content(SHIPPED, tmp_path)
    assert build(tmp_path / "content", tmp_path / "out", tmp_path / "cache").returncode == 0
    return tmp_path


def test_a_graph_and_a_manifest_from_another_build_keep_nothing_stale(built: Path) -> None:
    other = built / "other"
    shutil.copytree(built / "content", other / "content")
    retitle(other, "Hitmen kill tourists near Pahalgam")
    assert build(other / "content", other / "out", other / "cache").returncode == 0
    shutil.copy(other / "out" / GRAPH, built / "out" / GRAPH)
    retitle(built, "Hitmen kill tourists near Pahalgam")
    assert build(built / "content", built / "out", built / "cache").returncode == 0
    assert tree(built / "out") == full(built / "content", built)
    # and the manifest too (the search index must not be kept from the other build)
    retitle(other, "Gunmen strike near Pahalgam")
    assert build(other / "content", other / "out", other / "cache").returncode == 0
    for name in (GRAPH, MANIFEST):
        shutil.copy(other / "out" / name, built / "out" / name)
    retitle(built, "Gunmen strike near Pahalgam")
    assert build(built / "content", built / "out", built / "cache").returncode == 0
    assert tree(built / "out") == full(built / "content", built)


def _edit_graph(out: Path, change: object) -> None:
    """Change the graph's record of one page, keeping the file as it was otherwise."""
    data = json.loads((out / GRAPH).read_text(encoding="utf-8"))
    page = next(iter(data["pages"]))
    data["pages"][page] = change
    (out / GRAPH).write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")


@pytest.mark.parametrize("reads", [[], [-1], [True], [10**30], "x"])
def test_a_graph_edited_by_hand_is_not_believed(built: Path, reads: object) -> None:
    out = built / "out"
    _edit_graph(out, reads)
    retitle(built, "Gunmen kill tourists at Baisaran")
    assert build(built / "content", out, built / "cache").returncode == 0
    assert tree(out) == full(built / "content", built)
    actor = built / "content" / "actors" / "india.yaml"
    actor.write_text(set_main_text(actor.read_text("utf-8"), "name", "INDIA"), "utf-8")
    assert build(built / "content", out, built / "cache").returncode == 0
    assert tree(out) == full(built / "content", built)


@pytest.mark.parametrize("name", [GRAPH, MANIFEST])
@pytest.mark.parametrize("planted", ["nested", "dev-zero", "fifo"])
def test_a_bookkeeping_file_that_is_no_file_of_ours_is_a_full_build(
        built: Path, name: str, planted: str) -> None:
    out = built / "out"
    target = out / name
    target.unlink()
    if planted == "nested":
        target.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif planted == "dev-zero":
        target.symlink_to("/dev/zero")
    else:
        os.mkfifo(built / "pipe")
        target.symlink_to(built / "pipe")
    retitle(built, "Gunmen kill tourists at Baisaran")
    done = build(built / "content", out, built / "cache")
    assert done.returncode == 0, done.stderr
    assert tree(out) == full(built / "content", built)


@pytest.mark.parametrize("victim", ["pagefind/pagefind-ui.js", "pagefind/pagefind-entry.json"])
def test_a_search_file_changed_by_hand_is_written_again(built: Path, victim: str) -> None:
    out = built / "out"
    with (out / victim).open("a", encoding="utf-8") as stream:
        stream.write("//junk\n")
    done = build(built / "content", out, built / "cache")
    assert done.returncode == 0
    assert tree(out) == full(built / "content", built)
    again = build(built / "content", out, built / "cache")
    assert again.returncode == 0
    assert tree(out) == full(built / "content", built)
