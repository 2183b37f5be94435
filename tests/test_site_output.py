"""The build command: usage errors, the content gate, atomic replacement of --out, no
stale pages, byte-identical output whatever the time zone or file listing order."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_site_support import BASIC, REPO, build, copy_content, tree

from kabul_brief.cli import main
from kabul_brief.publish import writer
from kabul_brief.publish.render import Renderer

ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".kabul-brief-tmp"))


def test_build_writes_the_site_with_a_marker_and_reports_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out) == 0
    report = capsys.readouterr().out
    assert "built" in report and " s:" in report
    assert "actors 5" in report and "events 4" in report and "articles 3" in report
    assert (out / writer.MARKER).is_file()
    assert (out / "static" / "style.css").is_file()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--base-url", "ftp://example.org/"], "not an absolute http(s) URL"),
        (["--base-url", "example.org"], "not an absolute http(s) URL"),
        (["--base-url", "https://example.org/?x=1"], "query"),
    ],
)
def test_a_bad_base_url_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    out = tmp_path / "site"
    code = main(["build", "--content", str(BASIC), "--out", str(out), *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_refuses_an_out_that_would_destroy_something_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(BASIC, tmp_path)
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "keep.txt").write_text("mine")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = tree(tmp_path)
    for out, reason in [
        (content, "content folder"),
        (tmp_path, "content folder"),
        (content / "site", "inside the content folder"),
        (work, "working folder"),
        (Path("."), "working folder"),
        (stranger, "did not create"),
        (stranger / "keep.txt", "is a file"),
    ]:
        assert main(["build", "--content", str(content), "--out", str(out)]) == 2, out
        assert reason in capsys.readouterr().err, out
    assert tree(tmp_path) == before


def test_an_empty_folder_or_an_earlier_build_may_be_replaced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    assert build(BASIC, out) == 0
    assert build(BASIC, out) == 0
    assert (out / "index.html").is_file()


def test_content_errors_are_reported_like_check_and_leave_out_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    before = tree(out)
    events = content / "events" / "events.yaml"
    events.write_text(events.read_text().replace("place: kabul-airport", "place: kabul-airprot"))
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 1
    checked = capsys.readouterr().err
    assert build(content, out) == 1
    built = capsys.readouterr()
    assert built.err == checked
    assert "kabul-airprot" in built.err and "did you mean 'kabul-airport'" in built.err
    assert "nothing was written" in built.err and built.out == ""
    assert tree(out) == before
    assert leftovers(tmp_path) == []


def test_a_content_error_writes_nothing_at_all(tmp_path: Path) -> None:
    content = copy_content(BASIC, tmp_path)
    (content / "site.yaml").unlink()
    assert build(content, tmp_path / "site") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_a_failing_render_leaves_out_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out) == 0
    before = tree(out)
    content = copy_content(BASIC, tmp_path)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "title: ", "title: Renamed ", 1), encoding="utf-8")  # every page must be rendered

    def broken(self: Renderer, page: object) -> bytes:
        raise RuntimeError("template bug")

    monkeypatch.setattr(Renderer, "render", broken)
    with pytest.raises(RuntimeError):
        build(content, out)
    assert tree(out) == before


def test_a_failing_write_leaves_out_untouched_and_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    content = copy_content(BASIC, tmp_path)
    assert build(content, out) == 0
    before = tree(out)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace("title: ", "title: New ", 1),
                         "utf-8")  # something to build
    real = writer.write_files

    def half(root: Path, files: dict[str, bytes]) -> None:
        real(root, dict(list(files.items())[:10]))
        raise OSError("disk full")

    monkeypatch.setattr(writer, "write_files", half)
    assert build(content, out) == 2  # one line, no traceback (tests/test_attack_cli.py)
    assert tree(out) == before
    assert leftovers(tmp_path) == []


def test_a_killed_build_leaves_out_as_it_was(tmp_path: Path) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    before = tree(out)
    (content / "sources" / "sources.yaml").write_text(
        (content / "sources" / "sources.yaml").read_text().replace("Wire report", "Changed")
    )
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        real = Path.write_bytes
        count = 0
        def dying(self, data):
            global count
            count += 1
            if count == 25:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(self, data)
        Path.write_bytes = dying
        from kabul_brief.cli import main
        main(["build", "--content", {str(content)!r}, "--out", {str(out)!r}])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], env=ENV, capture_output=True,
                            check=False)
    assert result.returncode == -9, result.stderr
    assert tree(out) == before
    assert leftovers(tmp_path)  # the killed build's half-written folder, beside --out
    assert build(content, out) == 0
    assert leftovers(tmp_path) == []
    assert "Changed" in (out / "sources" / "wire-report" / "index.html").read_text()


def test_no_stale_pages_after_a_record_is_deleted(tmp_path: Path) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    assert (out / "sources" / "unused-source" / "index.html").is_file()
    sources = content / "sources" / "sources.yaml"
    kept = sources.read_text().split("- id: unused-source")[0]
    sources.write_text(kept)
    assert build(content, out) == 0
    assert not (out / "sources" / "unused-source").exists()
    assert (out / "sources" / "wire-report" / "index.html").is_file()


def test_the_swap_also_works_without_renameat2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out) == 0
    (out / "stale.html").write_text("old")
    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    # Another base URL: a build with something to do (a build with nothing to do
    # leaves a file added by hand alone, and swaps nothing).
    assert build(BASIC, out, "https://mirror.example.org/") == 0
    assert not (out / "stale.html").exists()
    assert leftovers(tmp_path) == []


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    assert build(BASIC, tmp_path / "one") == 0
    assert build(BASIC, tmp_path / "two") == 0
    first = tree(tmp_path / "one")
    assert first == tree(tmp_path / "two")
    today = dt.date.today().isoformat()
    assert not [name for name, data in first.items() if today.encode() in data]


def test_output_ignores_time_zone_and_file_listing_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(BASIC, tmp_path / "base") == 0
    baseline = tree(tmp_path / "base")
    for zone in ("Pacific/Kiritimati", "America/Adak"):
        out = tmp_path / zone.replace("/", "-")
        command = [sys.executable, "-m", "kabul_brief", "build", "--content", str(BASIC),
                   "--out", str(out)]
        subprocess.run(command, env={**ENV, "TZ": zone}, check=True, capture_output=True)
        assert tree(out) == baseline, zone
    real = Path.rglob

    def reversed_rglob(self: Path, pattern: str) -> list[Path]:
        return list(reversed(list(real(self, pattern))))

    monkeypatch.setattr(Path, "rglob", reversed_rglob)
    assert build(BASIC, tmp_path / "reversed") == 0
    assert tree(tmp_path / "reversed") == baseline


def test_output_ignores_the_hash_seed(tmp_path: Path) -> None:
    """Set and dict-of-set orders change with PYTHONHASHSEED; nothing may leak into
    the output (a network of few connected actors among many once did)."""
    content = copy_content(BASIC, tmp_path)
    for n in range(12):
        (content / "actors" / f"bystander-{n}.yaml").write_text(
            f"id: bystander-{n}\nname: Bystander {n}\nkind: group\n", encoding="utf-8")
    trees = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"seed-{seed}"
        command = [sys.executable, "-m", "kabul_brief", "build", "--content", str(content),
                   "--out", str(out)]
        subprocess.run(command, env={**ENV, "PYTHONHASHSEED": seed}, check=True,
                       capture_output=True)
        trees.append(tree(out))
    assert trees[0] == trees[1] == trees[2]


def test_build_py_runs_the_same_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--content", str(BASIC), "--out", str(out)],
        capture_output=True, text=True, check=False, env=ENV,
    )
    assert result.returncode == 0, result.stderr
    assert build(BASIC, tmp_path / "cli") == 0
    assert tree(out) == tree(tmp_path / "cli")
