"""Incremental rebuilds: a rebuild renders only the pages whose inputs changed, and the
tree it leaves is byte-identical to a full build of the same content."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from test_site_support import BASIC, REPO, SHIPPED, build, copy_content, tree

from kabul_brief.cli import main
from kabul_brief.folders import cache_folder
from kabul_brief.pipeline import Build, BuildRequest
from kabul_brief.publish.reuse import MANIFEST
from tests.conftest import main_text, run_isolated, set_main_text

EDITABLE_LINE = re.compile(r"^(\s*-?\s*(?:title|name|summary|note|text): [A-Za-z][^'\"#:]*)$",
                           re.MULTILINE)


def rendered_pages(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The pages a ``build --verbose`` says it rendered."""
    return [line.split("rendered ", 1)[1] for line in capsys.readouterr().out.splitlines()
            if line.startswith("  rendered ") and " of " not in line]


def full_build(content: Path, into: Path, base_url: str | None = None) -> dict[str, bytes]:
    """The tree a build from scratch gives, to compare an incremental one with."""
    if into.exists():
        shutil.rmtree(into)
    assert build(content, into, base_url) == 0
    return tree(into)


def test_an_unchanged_rebuild_renders_no_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    first = capsys.readouterr().out
    pages = int(re.search(r"rendered (\d+) of (\d+) pages", first).group(2))  # type: ignore[union-attr]
    assert f"rendered {pages} of {pages} pages" in first
    (content / "sources" / "_draft.yaml").write_text("a draft: the build reads on\n", "utf-8")
    assert build(content, out) == 0
    assert f"rendered 0 of {pages} pages" in capsys.readouterr().out


def test_editing_one_event_renders_exactly_the_pages_that_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    before = tree(out)
    event = content / "events" / "kabul-delegation-2025-04.yaml"
    text = event.read_text(encoding="utf-8")
    event.write_text(set_main_text(text, "title", "Delegation talks in Kabul, revised"),
                     encoding="utf-8")
    capsys.readouterr()

    assert main(["build", "--content", str(content), "--out", str(out), "--verbose"]) == 0
    rendered = rendered_pages(capsys)
    after = tree(out)

    assert after == full_build(content, tmp_path / "full")
    pages = (".html", "/feed.xml", "/calendar.ics")  # the data files and exports are not pages
    changed_pages = sorted(p for p in after if p.endswith(pages) and before.get(p) != after[p])
    assert rendered == changed_pages
    assert "events/kabul-delegation-2025-04/index.html" in rendered
    assert "timeline/index.html" in rendered
    for actor in ("amir-khan-muttaqi", "m-anand-prakash", "india"):
        assert f"actors/{actor}/index.html" in rendered
    assert "places/kabul/index.html" in rendered
    assert "events/pahalgam-attack/index.html" not in rendered
    assert "actors/china/index.html" not in rendered
    for actor in ("amir-khan-muttaqi", "m-anand-prakash", "india"):  # the event is in them
        assert {f"actors/{actor}/feed.xml", f"actors/{actor}/calendar.ics"} <= set(rendered)
    assert "actors/china/feed.xml" not in rendered and "events/feed.xml" in rendered
    assert len(rendered) < len([p for p in after if p.endswith(pages)]) / 3


def test_a_page_changed_by_hand_after_the_build_is_rendered_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out) == 0
    good = (out / "index.html").read_bytes()
    (out / "index.html").write_bytes(b"<p>defaced</p>")
    assert build(BASIC, out) == 0
    assert (out / "index.html").read_bytes() == good


def test_a_corrupt_manifest_means_a_full_render(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert build(BASIC, out) == 0
    full = tree(out)
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    capsys.readouterr()
    assert build(BASIC, out) == 0
    assert re.search(r"rendered (\d+) of \1 pages", capsys.readouterr().out)
    assert tree(out) == full


def _edit_text(rng: random.Random, content: Path, step: int) -> None:
    files = sorted(p for p in content.rglob("*.yaml") if EDITABLE_LINE.search(p.read_text()))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    lines = EDITABLE_LINE.findall(text)
    line = rng.choice(lines)
    path.write_text(text.replace(line, f"{line} edit{step}", 1), encoding="utf-8")


def _edit_article(rng: random.Random, content: Path, step: int) -> None:
    path = rng.choice(sorted((content / "articles").rglob("*.md")))
    path.write_text(path.read_text(encoding="utf-8") + f"\nA closing line, edit {step}.\n",
                    encoding="utf-8")


def _add_event(rng: random.Random, content: Path, step: int) -> None:
    actors = sorted(p.stem for p in (content / "actors").glob("*.yaml"))
    sources = sorted(p.stem for p in (content / "sources").glob("*.yaml"))
    (content / "events" / f"added-{step}.yaml").write_text(
        f"id: added-{step}\ntitle: Added event {step}\ndate: 2024-0{rng.randint(1, 9)}\n"
        f"kind: other\nactors: [{rng.choice(actors)}]\n"
        f"sources: [{{source: {rng.choice(sources)}}}]\n",
        encoding="utf-8",
    )


def _remove_added_event(rng: random.Random, content: Path, step: int) -> None:
    added = sorted((content / "events").glob("added-*.yaml"))
    if added:
        rng.choice(added).unlink()


def _edit_template(rng: random.Random, templates: Path, step: int) -> None:
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "</body>", f"<!-- edit {step} -->\n</body>", 1), encoding="utf-8")


def test_random_edits_give_the_same_tree_incrementally_as_in_full(tmp_path: Path) -> None:
    content = copy_content(SHIPPED, tmp_path)
    templates = tmp_path / "templates"  # beside the content: the site's own, over the theme
    shutil.copytree(REPO / "templates", templates)
    incremental = tmp_path / "incremental"
    assert build(content, incremental) == 0
    rng = random.Random(20250428)
    content_edits = (_edit_text, _edit_text, _edit_text, _edit_article, _add_event,
                     _remove_added_event)
    for step in range(8):
        edit = rng.choice(content_edits)
        edit(rng, content, step)
        if step == 5:
            _edit_template(rng, templates, step)
        assert build(content, incremental) == 0, f"step {step}: {edit.__name__}"
        assert tree(incremental) == full_build(content, tmp_path / "full"), (
            f"step {step}: {edit.__name__}"
        )


def test_the_report_counts_rendered_pages(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = Build(BuildRequest(content=BASIC, out=out)).run().report
    assert first is not None
    assert len(first.rendered) == first.pages > 0
    unchanged = Build(BuildRequest(content=BASIC, out=out)).run()
    assert unchanged.report is None  # nothing to do
    assert unchanged.kept == first.total + 2  # and the manifest and the graph
    # Drafts included is another build; with no drafts in it, every page is reused.
    again = Build(BuildRequest(content=BASIC, out=out, drafts=True)).run().report
    assert again is not None
    assert again.rendered == ()
    assert again.counts == first.counts


def test_rendering_on_several_processes_gives_the_same_tree(tmp_path: Path) -> None:
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    run_isolated(f"""
        from kabul_brief import workers
        from kabul_brief.cli import main
        workers.MIN_ITEMS_PER_WORKER = 1
        workers.CHUNK = 3
        assert workers.can_fork()
        for out, jobs in (({str(serial)!r}, "1"), ({str(forked)!r}, "2")):
            assert main(["build", "--content", {str(BASIC)!r}, "--out", out, "--jobs", jobs,
                         "--quiet"]) == 0
    """)
    assert tree(serial) == tree(forked)


def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--jobs", "0"])
    assert exit_.value.code == 2
    assert "expected a whole number of 1 or more" in capsys.readouterr().err


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rebuild_of_unchanged_content_does_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    before, stamps = tree(out), _mtimes(out)
    capsys.readouterr()
    assert build(content, out) == 0
    report = capsys.readouterr().out
    assert report.startswith(f"up to date: {out} holds the {len(before) - 1} files")
    assert tree(out) == before and _mtimes(out) == stamps  # not even rewritten


@pytest.mark.parametrize("change", ["content", "output", "base-url"])
def test_any_change_to_what_the_build_reads_or_wrote_means_a_real_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    base_url = None
    if change == "content":
        (content / "places" / "kabul.yaml").write_text(set_main_text(
            (content / "places" / "kabul.yaml").read_text("utf-8"), "name", "Kabul city"),
            "utf-8")
    elif change == "output":
        (out / "timeline" / "index.html").unlink()
    else:
        base_url = "https://mirror.example.org/brief/"
    capsys.readouterr()
    assert build(content, out, base_url) == 0
    assert "up to date" not in capsys.readouterr().out
    assert tree(out) == full_build(content, tmp_path / "full", base_url)


def test_a_build_with_nothing_to_do_prints_the_same_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    first = capsys.readouterr()
    assert ": warning: " in first.err
    assert build(content, out) == 0
    second = capsys.readouterr()
    assert second.out.startswith("up to date")
    assert second.err == first.err
    assert main(["build", "--content", str(content), "--out", str(out), "--strict"]) == 1
    assert "nothing was written" in capsys.readouterr().err
    shutil.rmtree(cache_folder(content))  # no record of the warnings: build again
    assert build(content, out) == 0
    assert "up to date" not in capsys.readouterr().out


def test_the_manifest_records_every_file_written_at_its_size(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(copy_content(BASIC, tmp_path), out) == 0
    recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    written = {path: len(data) for path, data in tree(out).items() if path != MANIFEST}
    assert recorded == written


def test_an_edit_that_keeps_the_file_size_is_not_mistaken_for_no_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = copy_content(SHIPPED, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    kabul = content / "places" / "kabul.yaml"
    text = kabul.read_text("utf-8")
    assert main_text(text, "name") == "Kabul"
    kabul.write_text(set_main_text(text, "name", "Kabol"), "utf-8")  # same size
    capsys.readouterr()
    assert build(content, out) == 0
    assert "up to date" not in capsys.readouterr().out
    assert "Kabol" in (out / "places" / "kabul" / "index.html").read_text("utf-8")


def test_a_file_added_by_hand_stays_until_a_build_has_something_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As documented: the "up to date" check stats the files it wrote, it does not
    walk the folder for strangers; the next real build removes them."""
    content = copy_content(BASIC, tmp_path)
    out = tmp_path / "site"
    assert build(content, out) == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert build(content, out) == 0
    assert (out / "notes.txt").is_file()
    assert build(content, out, "https://mirror.example.org/") == 0
    assert not (out / "notes.txt").exists()
