"""Output and cache folders an outside attack tried, kept so they cannot come back."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GOOD_SITE, CliResult

Run = Callable[..., CliResult]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(GOOD_SITE, tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    return tmp_path / "site"


def _refused(result: CliResult, message: str) -> None:
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.splitlines() == [f"kabul-brief build: error: {message}"]


@pytest.mark.parametrize("loop", [["lnk"], ["one", "two"]])
def test_an_out_that_is_a_loop_of_links_is_a_usage_error(
    site: Path, run_cli: Run, loop: list[str]
) -> None:
    for name, target in zip(loop, [*loop[1:], loop[0]], strict=True):
        os.symlink(target, site / name)
    result = run_cli("build", "--out", loop[0])
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    [line] = result.err.splitlines()
    assert line.startswith(f"kabul-brief build: error: --out {loop[0]} cannot be resolved: ")
    assert not (site / "_site").exists()


def test_a_cache_folder_linked_to_out_is_refused(site: Path, run_cli: Run,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache would be written into the published site (warnings.json was seen there)."""
    monkeypatch.delenv("KABUL_BRIEF_CACHE")
    (site / "_site").mkdir()
    os.symlink("_site", site / ".kabul-brief-cache")
    result = run_cli("build")
    _refused(result, f"--out _site is, holds or is inside the cache folder {site / '_site'};"
             " choose a folder of its own, such as _site")
    assert list((site / "_site").iterdir()) == []


def test_a_cache_folder_inside_the_content_is_refused(site: Path, run_cli: Run,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build would find the content changed by its own cache, and never be up to
    date."""
    monkeypatch.setenv("KABUL_BRIEF_CACHE", str(site / "content" / "_cache"))
    result = run_cli("build")
    assert result.code == 2 and "Traceback" not in result.err
    [line] = result.err.splitlines()
    assert line.startswith(f"kabul-brief build: error: the cache folder {site / 'content'}")
    assert line.endswith("is inside the content folder content; set KABUL_BRIEF_CACHE to a"
                         " folder outside it")
    assert not (site / "_site").exists()
    assert not (site / "content" / "_cache").exists()


def test_leftovers_of_a_stopped_build_inside_a_mount_point_are_cleaned(
    site: Path, run_cli: Run
) -> None:
    """A build into a mount point works in a hidden folder inside it; one stopped there
    (seen once in twelve random Ctrl-C) must not stay in the published site for good."""
    import subprocess

    mount = site / "mnt"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", str(mount)],
                   check=True)
    try:
        assert run_cli("build", "--out", "mnt", "--quiet").code == 0
        staging = mount / ".kabul-brief-tmp-stopped" / ".search-staging-x"
        staging.mkdir(parents=True)
        (staging / "page.html").write_text("left behind", encoding="utf-8")
        marked = mount / ".kabul-brief-tmp-marked"
        marked.mkdir()
        (marked / ".kabul-brief-site").write_text("", encoding="utf-8")
        for path in (staging / "page.html", staging, staging.parent, marked):
            os.utime(path, (1, 1))  # long dead
        (site / "content/site.yaml").write_text(
            (site / "content/site.yaml").read_text(encoding="utf-8") + "# edited\n",
            encoding="utf-8")
        assert run_cli("build", "--out", "mnt", "--quiet").code == 0
        assert not [p.name for p in mount.iterdir() if p.name.startswith(".kabul-brief-tmp")]
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_ctrl_c_during_the_swap_is_held_until_it_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the swap waits for its end, then stops the program: it was
    ignored, so a preview that got it then never stopped."""
    import signal

    from kabul_brief.publish import writer

    out = tmp_path / "out"

    def produce(folder: Path) -> None:
        (folder / "index.html").write_text("new", encoding="utf-8")

    original = writer._drop_lock

    def interrupted_swap(folder: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # arrives while the swap is held calm
        original(folder)

    monkeypatch.setattr(writer, "_drop_lock", interrupted_swap)
    with pytest.raises(KeyboardInterrupt):
        writer.publish_tree(out, produce)
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_closed_terminal_during_the_swap_is_held_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every signal the command stops on is held through the swap, SIGHUP too: the
    new site goes in whole, then the command stops."""
    import signal

    from kabul_brief import stopping
    from kabul_brief.publish import writer

    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    original = writer._exchange

    def hung_up_swap(first: Path, second: Path) -> bool:
        os.kill(os.getpid(), signal.SIGHUP)  # just before the two folders change places
        return original(first, second)

    monkeypatch.setattr(writer, "_exchange", hung_up_swap)
    with stopping.stopped_by_signals(), pytest.raises(stopping.HungUp):
        writer.publish_tree(out, lambda folder: (folder / "index.html").write_text(
            "new", encoding="utf-8"))
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
